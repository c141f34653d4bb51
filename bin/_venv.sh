# shellcheck shell=bash
# Shared by bin/quickstart, bin/test and .ci/run (sourced, not executed).
#
#   ensure_venv          create .venv if missing and `pip install -e '.[dev]'` when
#                        pyproject.toml changed since the last install
#   check_postgres URL   exit status 0 when PostgreSQL at URL answers (message on stderr)
#   check_redis URL      exit status 0 when Redis at URL answers (message on stderr)
#
# After sourcing: ROOT (the repository), VENV (its .venv), PY (.venv/bin/python); the
# current directory is ROOT, and ROOT is on PYTHONPATH so that the worker, beat and
# scripts import the project's apps from the checkout, wherever they are started.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
# Remember which pyproject.toml (and which Python) the venv was installed from.
STAMP="$VENV/.installed-pyproject.sha256"

cd "$ROOT" || return 1
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_ROOT_USER_ACTION=ignore

_say() { printf '%s\n' "$*" >&2; }

# Print the first Python >= 3.11 found ($PYTHON first), or fail with a message.
find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3 python; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        # pyenv shims exist for versions that are not installed: ask the interpreter.
        if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
            >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    _say "ERROR: no Python 3.11 or newer found (tried \$PYTHON, python3.13 … python3, python)."
    _say "       Install one (Debian/Ubuntu: sudo apt-get install python3 python3-venv) or"
    _say "       point PYTHON at it: PYTHON=/path/to/python3.12 $0"
    return 1
}

_fingerprint() {
    # The dependencies (pyproject.toml) and the interpreter: a change of either reinstalls.
    "$PY" - "$ROOT/pyproject.toml" <<'EOF'
import hashlib, sys
digest = hashlib.sha256(open(sys.argv[1], "rb").read())
digest.update(sys.version.encode())
print(digest.hexdigest())
EOF
}

ensure_venv() {
    local python
    if [ ! -x "$PY" ] || ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
        >/dev/null 2>&1; then
        python="$(find_python)" || return 1
        if [ -e "$VENV" ]; then
            _say "==> .venv is unusable (broken or Python < 3.11); re-creating it with $python"
        else
            _say "==> Creating .venv with $python ($("$python" --version 2>&1))"
        fi
        if ! "$python" -m venv --clear "$VENV"; then
            _say "ERROR: '$python -m venv' failed. On Debian/Ubuntu install the venv module:"
            _say "       sudo apt-get install python3-venv"
            return 1
        fi
        "$PY" -m pip install --quiet --upgrade pip || return 1
    fi
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(_fingerprint)" ]; then
        return 0
    fi
    _say "==> Installing the project and its dependencies into .venv (pip install -e '.[dev]')"
    rm -f "$STAMP"
    "$PY" -m pip install --quiet -e "${ROOT}[dev]" || {
        _say "ERROR: pip install failed (see above). PyPI must be reachable for the first install."
        return 1
    }
    _fingerprint >"$STAMP"
}

check_postgres() {
    "$PY" - "$1" <<'EOF'
import sys

import psycopg

url = sys.argv[1]
try:
    # The maintenance database: the test run creates its own test_<name> database,
    # so the one named in the URL need not exist yet.
    psycopg.connect(url, dbname="postgres", connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001
    print(f"PostgreSQL at {url} does not answer: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
EOF
}

check_redis() {
    "$PY" - "$1" <<'EOF'
import sys

import redis

url = sys.argv[1]
try:
    redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
except Exception as exc:  # noqa: BLE001
    print(f"Redis at {url} does not answer: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
EOF
}
