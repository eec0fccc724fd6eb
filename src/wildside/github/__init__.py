"""GitHub delivery: the REST client, pull request feedback and preview garbage collection."""
