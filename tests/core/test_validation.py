from __future__ import annotations

from datetime import timedelta

import pytest

from wildside.core import validation
from wildside.core.errors import BadInput


@pytest.mark.parametrize("value", ["1", "42", "99999999", 7])
def test_pr_numbers_in_range_are_accepted(value: str | int) -> None:
    assert validation.pr_number(value) == int(value)


@pytest.mark.parametrize("value", ["0", "-1", "100000000", "1.5", "12a", "", "1e3", " "])
def test_pr_numbers_out_of_range_or_malformed_are_refused(value: str) -> None:
    with pytest.raises(BadInput, match="--pr"):
        validation.pr_number(value)


def test_sha_is_normalised_to_lowercase() -> None:
    assert validation.commit_sha(" ABCDEF1 ") == "abcdef1"


@pytest.mark.parametrize(
    "value", ["abc123", "g" * 7, "a" * 41, "abc1234\nkind: Secret", "abc1234: x"]
)
def test_bad_shas_are_refused(value: str) -> None:
    with pytest.raises(BadInput) as error:
        validation.commit_sha(value)
    assert "\n" not in str(error.value).replace(repr(value), "")


@pytest.mark.parametrize(
    "value", ["previews.example.com", "a.b", "Previews.Example.COM.", "x-1.example.io"]
)
def test_domains(value: str) -> None:
    assert validation.domain(value) == value.lower().rstrip(".")


@pytest.mark.parametrize(
    "value",
    [
        "localhost",
        "-bad.example.com",
        "bad-.example.com",
        "a..b",
        "under_score.example.com",
        "x" * 64 + ".example.com",
        ("a" * 60 + ".") * 5 + "com",
        "evil.com\nkind: Secret",
    ],
)
def test_bad_domains_are_refused(value: str) -> None:
    with pytest.raises(BadInput, match="--preview-domain"):
        validation.domain(value)


@pytest.mark.parametrize(
    "value",
    ["ghcr.io/acme/wildside-backend", "registry.example.com:5000/a/b", "library/nginx", "nginx"],
)
def test_image_repositories(value: str) -> None:
    assert validation.image_repository(value) == value


@pytest.mark.parametrize(
    "value", ["ghcr.io/acme/app:tag", "ghcr.io/Acme/app", "ghcr.io/acme/app@sha256:abc", "a b", ""]
)
def test_bad_image_repositories_are_refused(value: str) -> None:
    with pytest.raises(BadInput, match="--image"):
        validation.image_repository(value)


def test_image_assignment_needs_a_component() -> None:
    assert validation.image_assignment("backend=ghcr.io/a/b") == ("backend", "ghcr.io/a/b")
    with pytest.raises(BadInput, match="COMPONENT=REPOSITORY"):
        validation.image_assignment("ghcr.io/a/b")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("72h", timedelta(hours=72)), ("7d", timedelta(days=7)), ("2w", timedelta(weeks=2))],
)
def test_ttls(value: str, expected: timedelta) -> None:
    assert validation.ttl(value) == expected
    assert validation.ttl(validation.format_ttl(expected)) == expected


@pytest.mark.parametrize("value", ["0h", "30m", "400d", "7", "d7", "1y"])
def test_bad_ttls_are_refused(value: str) -> None:
    with pytest.raises(BadInput, match="--ttl"):
        validation.ttl(value)
