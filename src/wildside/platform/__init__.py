"""The platform GitOps tree (`wildside-infra`): typed cluster configurations
in, `clusters/<cluster>/` Flux entry points and `platform/<component>/`
manifests out."""
