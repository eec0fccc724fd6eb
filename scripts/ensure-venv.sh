# Sourced: ensure_venv DIR creates a virtualenv, installing Debian's venv
# support first when python3 lacks it (a fresh Debian ships without it).
ensure_venv() {
  local dir=$1 py=${PYTHON:-python3}
  [ -x "$dir/bin/python" ] && return 0
  if ! "$py" -c 'import ensurepip, venv' 2>/dev/null; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "== installing python3-venv (Debian)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
  fi
  "$py" -m venv "$dir"
}
