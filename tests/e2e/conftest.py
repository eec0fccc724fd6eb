"""The e2e tier: one live harness cluster (tests/support/cluster.py) per
session, real Kubernetes and real Flux. Every test here is marked `e2e` and
runs in one xdist group, so a parallel run starts one cluster, not one per
worker. A missing engine fails the session: scripts/engines.sh builds it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cluster import Cluster, HarnessError, start, stop
from support.gitops_env import AppsEnvironment, start_apps_environment

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("live-cluster"))


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A cluster for the session; WILDSIDE_E2E_CLUSTER names the state
    directory of one already running (`scripts/cluster.sh up`) to reuse."""
    running = os.environ.get("WILDSIDE_E2E_CLUSTER")
    if running:
        reused = Cluster.load(Path(running))
        yield reused
        reused.close()
        return
    state = tmp_path_factory.mktemp("cluster")
    try:
        live = start(state)
    except HarnessError as error:
        pytest.fail(f"the live cluster did not start: {error}")
    yield live
    live.close()
    stop(state)


@pytest.fixture(scope="session")
def apps(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> AppsEnvironment:
    return start_apps_environment(cluster, tmp_path_factory.mktemp("apps"))
