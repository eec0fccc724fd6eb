"""The shared vocabulary: names, identities, label keys, API versions and
Kubernetes builders that more than one domain (or the platform tree and the
apps tree) must agree on. Every domain may import it; it imports only
`wildside.core`. Change a name here and every place that uses it follows."""
