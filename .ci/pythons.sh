#!/usr/bin/env bash
# Every CPython the README claims that pyenv has here (3.9 to 3.13; 3.14 and 3.15
# are .ci/debian-pythons.sh's), other than the one the README's
# own commands just ran on: each gets a fresh venv, sockffi built with that
# Python, and the suite without the parts that need the other tiers' tools
# (the docs, the linters, the packaging round trip, the framework tier, the
# composed-call errno matrix). A claimed version this machine lacks is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
CLAIMED="3.9 3.10 3.11 3.12 3.13"
main=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")

find_python() {
    local v=$1 candidate
    for candidate in "$(command -v "python$v" || true)" "$pyenv_root"/versions/"$v".*/bin/"python$v"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

status=0
for v in $CLAIMED; do
    [ "$v" = "$main" ] && continue
    if ! py=$(find_python "$v"); then
        echo "ci: CPython $v is claimed by the README but not on this machine" >&2
        status=1
        continue
    fi
    start=$(date +%s)
    venv=$(mktemp -d "/tmp/sockffi-py$v-XXXX")
    "$py" -m venv --without-pip "$venv"
    "$py" -m pip --python "$venv/bin/python" install -q pip pytest pytest-xdist hypothesis cloudpickle -e . 2>&1 \
        | grep -v -e '^WARNING' -e '^DEPRECATION' || true
    if ! "$venv/bin/python" -m pytest -n 2 -q -p no:cacheprovider \
        --ignore=tests/test_docs.py --ignore=tests/test_static.py --ignore=tests/test_packaging.py \
        --ignore=tests/test_frameworks.py -k "not listen_fails_cleanly_at_every_step"; then
        status=1
    fi
    echo "ci: CPython $v ($py): $(( $(date +%s) - start )) s"
    rm -rf "$venv"
done
# The main venv's build again (each Python above rebuilt the shared abi3 module in place).
.venv/bin/python -m pip install -q --no-deps -e . >/dev/null 2>&1 || status=1
exit "$status"
