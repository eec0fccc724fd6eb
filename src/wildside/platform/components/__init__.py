"""Platform components: see `base.Component` and `registry`."""
