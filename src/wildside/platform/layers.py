"""The Flux layers every cluster applies in order, each waiting for the one
before it, so a custom resource never reaches the API before its CRD."""

from __future__ import annotations

from enum import IntEnum


class Layer(IntEnum):
    SOURCES = 1  # HelmRepository / OCIRepository objects
    CONTROLLERS = 2  # operators (HelmReleases that install CRDs); waited for
    CONFIGS = 3  # custom resources of those operators, services that consume them
    APPS = 4  # the wildside-apps GitRepository and its long-lived overlays
    PREVIEWS = 5  # overlays/ephemeral of wildside-apps (clusters that host previews)

    @property
    def directory(self) -> str:
        return self.name.lower()
