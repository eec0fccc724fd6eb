"""Preview databases: a database per pull request cloned from a seeded
template, declaratively (CloudNativePG `Database` in the preview overlay) or
imperatively against any PostgreSQL (`wildside db`)."""
