#!/usr/bin/env bash
# One preview step and its report on the pull request. Inputs arrive as
# INPUT_* environment variables and are never interpolated into code; the
# tokens stay in GITHUB_TOKEN / WILDSIDE_GIT_TOKEN and never reach argv.
set -euo pipefail

work="$(mktemp -d "${RUNNER_TEMP:-/tmp}/wildside-app.XXXXXX")"
trap 'rm -rf "$work"' EXIT
run_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-0}"
url="" reason=""

output() { echo "$1=$2" >> "${GITHUB_OUTPUT:-/dev/null}"; }
field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else str(v).lower() if isinstance(v, bool) else v)' "$1" "$2"; }
last_error() { sed -n 's/^wildside: error: //p' "$1" | tail -n 1; }

# Boolean inputs are exactly 'true' or 'false': 'yes' must not silently mean false.
boolean() {
  case "$2" in
    true | false) ;;
    *)
      echo "wildside-app: input $1 must be 'true' or 'false', not '$2'" >&2
      exit 2
      ;;
  esac
}
boolean feedback "${INPUT_FEEDBACK:-true}"
boolean only-if-open "${INPUT_ONLY_IF_OPEN:-true}"
boolean dry-run "${INPUT_DRY_RUN:-false}"
case "${INPUT_PIN:-}" in
  true | false | "") ;;
  *)
    echo "wildside-app: input pin must be 'true', 'false' or empty, not '$INPUT_PIN'" >&2
    exit 2
    ;;
esac

repo_args=(--repo "${INPUT_APPS_REPO:-}")
case "$INPUT_COMMAND" in
  up | down | gc)
    if [ -z "${INPUT_APPS_REPO:-}" ]; then
      echo "wildside-app: command $INPUT_COMMAND needs input apps-repo (the wildside-apps repository)" >&2
      exit 2
    fi
    ;;
esac
[ -n "${INPUT_APPS_BRANCH:-}" ] && repo_args+=(--branch "$INPUT_APPS_BRANCH")

# feedback STATUS: the Deployment, then the sticky comment, then the step
# summary (`wildside github report`). Best-effort: the preview's own outcome
# decides the exit code; a feedback failure is a warning annotation.
feedback() {
  local status="$1"
  [ "${INPUT_FEEDBACK:-true}" = "true" ] || return 0
  local args=(github report --pr "$INPUT_PR" --repository "$INPUT_REPOSITORY" --run-url "$run_url"
    --status "$status" --best-effort)
  [ -n "${INPUT_SHA:-}" ] && args+=(--sha "$INPUT_SHA")
  [ -n "$url" ] && args+=(--url "$url")
  [ -n "$reason" ] && args+=(--reason "$reason")
  [ -n "${INPUT_COMMENT_AUTHOR:-}" ] && args+=(--author "$INPUT_COMMENT_AUTHOR")
  wildside "${args[@]}" || echo "::warning title=Preview feedback::wildside github report exited $?"
}

up() {
  local args=(preview up --pr "$INPUT_PR" --sha "$INPUT_SHA" "${repo_args[@]}" --json)
  # A deploy that finishes after the pull request closed writes nothing.
  if [ "${INPUT_ONLY_IF_OPEN:-true}" = "true" ]; then
    args+=(--only-if-open --repository "$INPUT_REPOSITORY")
  fi
  local line
  while IFS= read -r line; do
    line="${line//[[:space:]]/}"
    [ -n "$line" ] && args+=(--image "$line")
  done <<< "${INPUT_IMAGES:-}"
  [ -n "${INPUT_PREVIEW_DOMAIN:-}" ] && args+=(--preview-domain "$INPUT_PREVIEW_DOMAIN")
  [ -n "${INPUT_TTL:-}" ] && args+=(--ttl "$INPUT_TTL")
  case "${INPUT_PIN:-}" in
    true) args+=(--pin) ;;
    false) args+=(--unpin) ;;
  esac
  if [ -n "${INPUT_MAX_PREVIEWS:-}" ] && [ "$INPUT_MAX_PREVIEWS" != "0" ]; then
    args+=(--max-previews "$INPUT_MAX_PREVIEWS")
  fi
  local rc=0
  wildside "${args[@]}" > "$work/up.json" 2> "$work/up.err" || rc=$?
  cat "$work/up.err" >&2
  if [ "$rc" -eq 0 ] && [ -n "$(field "$work/up.json" skipped)" ]; then
    echo "$(field "$work/up.json" skipped)"
    output status skipped
    return 0
  fi
  if [ "$rc" -eq 0 ]; then
    url="$(field "$work/up.json" url)"
    output status deployed
    output url "$url"
    output commit "$(field "$work/up.json" commit)"
    output changed "$(field "$work/up.json" changed)"
    # Committed, not yet Ready: Flux's Alert reports ready (command `flux-event`).
    feedback deploying
    return 0
  fi
  reason="$(last_error "$work/up.err")"
  if [[ "$reason" == "preview cap reached"* ]]; then
    output status capped
    echo "::warning title=Preview cap reached::$reason"
    feedback capped
    return 0
  fi
  output status failed
  feedback failed
  return "$rc"
}

down() {
  local rc=0
  wildside preview down --pr "$INPUT_PR" "${repo_args[@]}" --json > "$work/down.json" \
    2> "$work/down.err" || rc=$?
  cat "$work/down.err" >&2
  if [ "$rc" -ne 0 ]; then
    output status failed
    reason="teardown failed: $(last_error "$work/down.err")"
    INPUT_SHA="" feedback failed
    return "$rc"
  fi
  output status removed
  output commit "$(field "$work/down.json" commit)"
  output changed "$(field "$work/down.json" changed)"
  INPUT_SHA="" feedback removed
}

gc() {
  local args=(preview gc "${repo_args[@]}" --repository "$INPUT_REPOSITORY" --json
    --max-deletions "${INPUT_MAX_DELETIONS:-10}" --max-fraction "${INPUT_MAX_FRACTION:-0.5}")
  [ "${INPUT_DRY_RUN:-false}" = "true" ] && args+=(--dry-run)
  # Each removal is reported on its pull request unless feedback is off.
  [ "${INPUT_FEEDBACK:-true}" = "true" ] || args+=(--no-report)
  local rc=0
  wildside "${args[@]}" > "$work/gc.json" || rc=$?
  cat "$work/gc.json"
  if [ -s "$work/gc.json" ]; then
    output commit "$(field "$work/gc.json" commit)"
    output changed "$(field "$work/gc.json" changed)"
    {
      echo "### Preview garbage collection"
      echo
      echo '```json'
      cat "$work/gc.json"
      echo '```'
    } >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
  fi
  output status "$([ "$rc" -eq 0 ] && echo collected || echo failed)"
  return "$rc"
}

case "$INPUT_COMMAND" in
  up) up ;;
  down) down ;;
  gc) gc ;;
  flux-event)
    # Flux's verdict (a repository_dispatch from its githubdispatch provider).
    args=(github flux-event --event "${GITHUB_EVENT_PATH:?no event file}" --run-url "$run_url"
      --repository "$INPUT_REPOSITORY" --json)
    [ -n "${INPUT_COMMENT_AUTHOR:-}" ] && args+=(--author "$INPUT_COMMENT_AUTHOR")
    wildside "${args[@]}" > "$work/flux.json"
    cat "$work/flux.json"
    output status "$(field "$work/flux.json" status)"
    ;;
  building | failed | skipped)
    reason="${INPUT_REASON:-}"
    output status "$INPUT_COMMAND"
    feedback "$INPUT_COMMAND"
    ;;
  *)
    echo "wildside-app: command must be up, down, building, failed, skipped, flux-event or gc, not '$INPUT_COMMAND'" >&2
    exit 2
    ;;
esac
