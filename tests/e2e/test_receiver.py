"""The Flux Receiver the platform renders: a signed GitHub push webhook to
notification-controller makes source-controller fetch the new commit at once,
though the GitRepository's polling interval is an hour here."""

from __future__ import annotations

import time

from support.cluster import Cluster, wait_until
from support.gitops_env import AppsEnvironment


def test_a_signed_push_webhook_triggers_reconciliation(
    cluster: Cluster, apps: AppsEnvironment
) -> None:
    repo = cluster.get(apps.git_repository)
    assert repo and repo["spec"]["interval"] == "1h", "polling would explain a fast fetch"

    apps.preview("up", "--pr", "201", "--sha", "d" * 40)
    head = apps.head()
    assert not apps.fetched(head)

    # A webhook signed with another key is refused and triggers nothing.
    forged = apps.push_webhook(secret="not-the-token")
    assert forged.status_code >= 400
    time.sleep(3)
    assert not apps.fetched(head), "an unsigned webhook triggered a fetch"

    response = apps.push_webhook()
    assert response.status_code == 200, response.text
    wait_until(lambda: apps.fetched(head), timeout=30, what=f"the push webhook to fetch {head}")
    annotations = (cluster.get(apps.git_repository) or {})["metadata"].get("annotations", {})
    assert "reconcile.fluxcd.io/requestedAt" in annotations, annotations

    # ...and the preview it carried follows.
    wait_until(
        lambda: apps.preview_ready(201, head),
        timeout=240,
        what="preview 201 to be Ready after the webhook",
        detail=lambda: apps.describe(201),
    )
    apps.preview("down", "--pr", "201")
    apps.sync()
    wait_until(
        lambda: cluster.get("/api/v1/namespaces/wildside-pr-201") is None,
        timeout=180,
        what="preview 201 to be pruned",
    )
