"""`wildside github report|comment|deployment`: pull request feedback."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from wildside.cli.common import JsonOption
from wildside.core import clock, validation
from wildside.core.errors import BadInput, WildsideError
from wildside.core.output import emit
from wildside.github import comment as comments
from wildside.github import deployment as deployments
from wildside.github import feedback as feedbacks
from wildside.github import flux_event, summary
from wildside.github.api import GitHubClient, GitHubError, repository_name

app = typer.Typer(
    help="Report previews on pull requests: sticky comment, deployment, step summary. "
    "Needs GITHUB_TOKEN in the environment; GITHUB_API_URL overrides the API base.",
    no_args_is_help=True,
)


@contextmanager
def _expected_replies(what: str) -> Iterator[None]:
    """A reply of an unexpected shape (a list where an object belongs, an id
    that is not a number) is GitHub failing: one line, exit 1."""
    try:
        yield
    except WildsideError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        raise GitHubError(
            f"GitHub answered {what} in an unexpected shape ({type(error).__name__}: {error})"
        ) from None


PrOption = Annotated[str, typer.Option("--pr", help="Pull request number.", show_default=False)]
RepositoryOption = Annotated[
    str | None,
    typer.Option(
        "--repository",
        help="GitHub repository OWNER/NAME. Default: $GITHUB_REPOSITORY.",
        show_default=False,
    ),
]
UrlOption = Annotated[
    str | None, typer.Option("--url", help="Preview URL (https://...).", show_default=False)
]
ShaOption = Annotated[
    str | None, typer.Option("--sha", help="Commit SHA of the preview.", show_default=False)
]
RunUrlOption = Annotated[
    str | None,
    typer.Option("--run-url", help="Link to the workflow run (logs).", show_default=False),
]
StatusOption = Annotated[
    str,
    typer.Option(
        "--status",
        help="building, deploying, ready, failed, removed, capped or skipped.",
        show_default=False,
    ),
]
ReasonOption = Annotated[
    str | None,
    typer.Option("--reason", help="One line shown for failed/capped/skipped.", show_default=False),
]
AuthorOption = Annotated[
    str | None,
    typer.Option(
        "--author",
        envvar="WILDSIDE_COMMENT_AUTHOR",
        help="Login that writes the sticky comment (a GitHub App: SLUG[bot]). "
        "Default: the token's user, or github-actions[bot] for a workflow token.",
        show_default=False,
    ),
]


def _feedback(
    pr: str,
    status: str,
    url: str | None,
    sha: str | None,
    run_url: str | None,
    reason: str | None,
) -> comments.Feedback:
    return comments.Feedback(
        pr=validation.pr_number(pr),
        status=comments.parse_status(status),
        url=web_url(url, "--url"),
        sha=validation.commit_sha(sha) if sha else None,
        run_url=web_url(run_url, "--run-url"),
        reason=reason.strip().splitlines()[0][:500] if reason and reason.strip() else None,
    )


def warn(message: str) -> None:
    """A warning the job shows without failing: an annotation in Actions."""
    line = message.replace("\n", " ").replace("\r", " ")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        sys.stderr.write(f"::warning title=Preview feedback::{line}\n")
    else:
        sys.stderr.write(f"wildside: warning: {line}\n")


def web_url(value: str | None, option: str) -> str | None:
    if value is None or value == "":
        return None
    text = value.strip()
    if not text.startswith(("https://", "http://")) or any(c in text for c in " <>()[]|`"):
        raise BadInput(f"{option} {value!r} is not a web URL: give https://host/path")
    return text


@app.command()
def report(
    pr: PrOption,
    status: StatusOption,
    url: UrlOption = None,
    sha: ShaOption = None,
    run_url: RunUrlOption = None,
    reason: ReasonOption = None,
    author: AuthorOption = None,
    comment: Annotated[
        bool, typer.Option("--comment/--no-comment", help="Update the sticky comment.")
    ] = True,
    deployment: Annotated[
        bool, typer.Option("--deployment/--no-deployment", help="Update the Deployment.")
    ] = True,
    best_effort: Annotated[
        bool,
        typer.Option(
            "--best-effort",
            help="Exit 0 even when the Deployment could not be updated (the action uses it: "
            "feedback never turns a finished deploy red).",
        ),
    ] = False,
    repository: RepositoryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Report a preview status: the Deployment first (building=queued,
    deploying=in_progress, ready=success, failed=failure, removed=inactive), then
    the sticky comment, best-effort (a failure is a warning), then the step summary."""
    feedback = _feedback(pr, status, url, sha, run_url, reason)
    now = clock.utc_now()
    with GitHubClient.from_environment(repository) as client:
        result = feedbacks.report(
            client, feedback, now, author=author, deployment=deployment, comment=comment
        )
        repository_name = client.repository
    written = summary.append(comments.markdown(feedback, now))
    for message in result.warnings:
        warn(message)
    state = feedbacks.deployment_state(feedback) if deployment else None
    emit(
        {
            "pr": feedback.pr,
            "repository": repository_name,
            "status": feedback.status.value,
            "deployment_state": state.value if state else None,
            "deployments": result.deployment.deployments if result.deployment else [],
            "deployment_error": result.deployment_error,
            "comment_action": result.comment.action if result.comment else None,
            "comment_id": result.comment.comment_id if result.comment else None,
            "comment_error": result.comment_error,
            "step_summary": str(written) if written else None,
        },
        as_json=as_json,
        human=lambda r: (
            f"#{r['pr']} {r['status']}: deployment {r['deployment_state'] or '-'}"
            f"{' (failed)' if r['deployment_error'] else ''}, comment "
            f"{r['comment_action'] or ('failed' if r['comment_error'] else '-')}"
        ),
    )
    if result.deployment_error and not best_effort:
        raise GitHubError(result.deployment_error)


@app.command()
def comment(
    pr: PrOption,
    status: StatusOption,
    url: UrlOption = None,
    sha: ShaOption = None,
    run_url: RunUrlOption = None,
    reason: ReasonOption = None,
    update_only: Annotated[
        bool,
        typer.Option(
            "--update-only", help="Never create: only update an existing comment (teardown)."
        ),
    ] = False,
    author: AuthorOption = None,
    repository: RepositoryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create or update the one sticky preview comment; also write the step summary."""
    feedback = _feedback(pr, status, url, sha, run_url, reason)
    now = clock.utc_now()
    with GitHubClient.from_environment(repository) as client, _expected_replies("the comments"):
        login = comments.author_login(client, author)
        result = comments.upsert(client, feedback, now, author=login, update_only=update_only)
        repository_name = client.repository
    written = summary.append(comments.markdown(feedback, now))
    emit(
        {
            "pr": feedback.pr,
            "repository": repository_name,
            "status": feedback.status.value,
            "action": result.action,
            "author": result.author,
            "comment_id": result.comment_id,
            "html_url": result.html_url,
            "removed_duplicates": result.removed_duplicates,
            "step_summary": str(written) if written else None,
        },
        as_json=as_json,
        human=lambda r: f"Comment {r['comment_id']} on #{r['pr']}: {r['action']}",
    )


@app.command()
def deployment(
    pr: PrOption,
    state: Annotated[
        deployments.State,
        typer.Option(
            "--state",
            help="queued/in_progress/success/failure record a deploy of --sha; inactive marks "
            "every deployment of environment pr-N inactive (teardown).",
            show_default=False,
        ),
    ],
    url: UrlOption = None,
    sha: ShaOption = None,
    run_url: RunUrlOption = None,
    repository: RepositoryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a GitHub Deployment of environment pr-N with its URL, or mark it inactive."""
    number = validation.pr_number(pr)
    if state is not deployments.State.INACTIVE and not sha:
        raise BadInput(f"--state {state.value} needs --sha: the commit that was deployed")
    checked_sha = validation.commit_sha(sha) if sha else None
    checked_url = web_url(url, "--url")
    with GitHubClient.from_environment(repository) as client, _expected_replies("deployments"):
        result = deployments.report(
            client,
            number,
            state,
            sha=checked_sha,
            url=checked_url,
            log_url=web_url(run_url, "--run-url"),
        )
        repository_name = client.repository
    payload: dict[str, Any] = {
        "pr": number,
        "repository": repository_name,
        "environment": result.environment,
        "state": result.state.value,
        "deployments": result.deployments,
        "statuses_created": result.statuses_created,
    }
    emit(
        payload,
        as_json=as_json,
        human=lambda r: (
            f"Deployment {r['environment']}: {r['state']} "
            f"({r['statuses_created']} status(es) posted)"
        ),
    )


@app.command("flux-event")
def flux_event_command(
    event: Annotated[
        str,
        typer.Option(
            "--event",
            help="The repository_dispatch event Flux's githubdispatch provider sent "
            "($GITHUB_EVENT_PATH), or its client_payload; - reads stdin.",
            show_default=False,
        ),
    ],
    run_url: RunUrlOption = None,
    author: AuthorOption = None,
    repository: RepositoryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Turn Flux's verdict on a preview into its status: ready when its
    Kustomization reconciled and passed its health checks, failed (with Flux's
    reason) on an error; progress events and events for other objects change
    nothing. Only a preview that is deploying (or already judged) moves."""
    document = _read_event(event)
    parsed = flux_event.parse(document)
    verdict = flux_event.outcome(parsed)
    result: dict[str, Any] = {
        "pr": parsed.pr,
        "kustomization": f"{parsed.namespace}/{parsed.name}",
        "reason": parsed.reason,
        "revision": parsed.revision,
        "status": verdict.value if verdict else None,
        "applied": False,
    }
    if verdict is not None and parsed.pr is not None:
        with GitHubClient.from_environment(repository) as client:
            with _expected_replies("deployments"):
                now_deployed = deployments.current(client, parsed.pr)
            if now_deployed is not None and flux_event.applies_to(now_deployed.state):
                feedback = comments.Feedback(
                    pr=parsed.pr,
                    status=verdict,
                    url=now_deployed.url,
                    sha=now_deployed.sha,
                    run_url=web_url(run_url, "--run-url"),
                    reason=flux_event.reason_line(parsed)
                    if verdict is comments.Status.FAILED
                    else None,
                )
                report = feedbacks.report(client, feedback, clock.utc_now(), author=author)
                for message in report.warnings:
                    warn(message)
                result |= {
                    "applied": report.deployment_error is None,
                    "sha": now_deployed.sha,
                    "deployment_error": report.deployment_error,
                    "comment_error": report.comment_error,
                }
            else:
                result["ignored"] = (
                    "no deployment of this preview"
                    if now_deployed is None
                    else f"its deployment is {now_deployed.state}, not deploying"
                )
    emit(
        result,
        as_json=as_json,
        human=lambda r: (
            f"pr-{r['pr']}: {r['status']}" + ("" if r["applied"] else " (nothing changed)")
            if r["pr"]
            else f"{r['kustomization']}: not a preview, nothing changed"
        ),
    )


def _read_event(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise BadInput(
            f"--event {source!r} cannot be read ({error.strerror}): give the event file"
        ) from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise BadInput(
            f"--event {source!r} is not JSON: give the repository_dispatch event file"
        ) from None


@app.command("flux-alert")
def flux_alert(
    repository: RepositoryOption = None,
    namespace: Annotated[
        str,
        typer.Option(
            "--namespace", help="Flux's namespace (where the previews' Kustomizations live)."
        ),
    ] = "flux-system",
    secret: Annotated[
        str,
        typer.Option(
            "--secret",
            help="Secret in that namespace whose `token` may dispatch to the application "
            "repository (fine-grained: Contents read and write on that repository only).",
        ),
    ] = "wildside-github-dispatch",  # noqa: S107 - a Secret's name, not a secret
    server_url: Annotated[
        str, typer.Option("--server-url", help="GitHub's web address (GitHub Enterprise: yours).")
    ] = "https://github.com",
) -> None:
    """Print the Flux Provider and Alert that send every preview Kustomization's
    events to the application repository (repository_dispatch), where
    preview-status.yml turns them into ready/failed. Commit them next to Flux."""
    documents = flux_event.alert_manifests(
        repository_name(repository),
        namespace=validation.dns_label(namespace, option="--namespace"),
        secret=validation.dns_label(secret, option="--secret"),
        server_url=web_url(server_url, "--server-url") or "https://github.com",
    )
    sys.stdout.write(yaml.safe_dump_all(documents, sort_keys=False))
