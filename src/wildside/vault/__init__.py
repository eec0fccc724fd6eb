"""The Vault appliance: bootstrap (init, unseal, mounts, auth, policies,
roles) and the secrets every preview gets."""
