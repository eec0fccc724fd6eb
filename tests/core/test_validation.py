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


# --- one check per concept, shared by options and configuration files ---------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("wildside/platform/dns", "wildside/platform/dns"), ("/a/b/", "a/b"), ("A_b.c-d", "A_b.c-d")],
)
def test_kv_paths_are_normalised(value: str, expected: str) -> None:
    assert validation.kv_path(value, option="x") == expected


@pytest.mark.parametrize(
    "value", ["", "/", "a//b", "../etc", "a/../b", "data/x", "metadata/x", ".hidden", "a b", "a\nb"]
)
def test_bad_kv_paths_are_refused(value: str) -> None:
    with pytest.raises(BadInput, match=r"dns\.token_path"):
        validation.kv_path(value, option="dns.token_path")


@pytest.mark.parametrize("value", ["secret", "kubernetes-dev", "kv/prod", "/secret/"])
def test_vault_mounts(value: str) -> None:
    assert validation.vault_mount(value, option="--kv-mount") == value.strip("/")


@pytest.mark.parametrize("value", ["", "a b", "../x", "-x", "a/b/c/d/e", "x" * 64])
def test_bad_vault_mounts_are_refused(value: str) -> None:
    with pytest.raises(BadInput, match="--kv-mount"):
        validation.vault_mount(value, option="--kv-mount")


@pytest.mark.parametrize("value", ["main", "previews", "release/1.2", "feature_x-y"])
def test_branches(value: str) -> None:
    assert validation.branch(value) == value


@pytest.mark.parametrize(
    "value", ["", "-x", "a..b", "a/", "/a", "a//b", ".a", "a/.b", "a.lock", "a.", "a b", "ü", "a~1"]
)
def test_bad_branches_are_refused_as_git_would(value: str) -> None:
    with pytest.raises(BadInput, match="--branch"):
        validation.branch(value)


@pytest.mark.parametrize("value", ["ops@example.com", " Ops.Team+x@Mail.Example.org "])
def test_emails(value: str) -> None:
    assert validation.email(value, option="acme_email") == value.strip()


@pytest.mark.parametrize(
    "value", ["nobody", "@example.com", "a@b", "a@-b-.com", "a b@example.com", "a@example.123"]
)
def test_bad_emails_are_refused(value: str) -> None:
    with pytest.raises(BadInput, match="acme_email"):
        validation.email(value, option="acme_email")


def test_bad_input_is_a_value_error_so_pydantic_locates_it() -> None:
    from pydantic import BaseModel, ValidationError, field_validator

    class Model(BaseModel):
        branch: str

        @field_validator("branch")
        @classmethod
        def _branch(cls, value: str) -> str:
            return validation.branch(value, option="apps.branch")

    with pytest.raises(ValidationError) as raised:
        Model.model_validate({"branch": "a..b"})
    error = validation.config_error("clusters/dev.yaml", raised.value, within=("apps",))
    assert str(error) == (
        "clusters/dev.yaml: apps.branch: 'a..b' is not a valid Git branch name: use letters, "
        "digits, '-', '_', '.' and '/' (e.g. main or previews)"
    )
    assert error.exit_code == 2
