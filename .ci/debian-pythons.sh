#!/usr/bin/env bash
# CPython 3.14 and 3.15, which neither pyenv's builds here nor Debian 12 have:
# Debian's own python3.14 and python3.15 packages, in a Debian sid chroot that
# this script makes with debootstrap (about a minute on a new machine; reused
# after), from the mirror the machine's own apt sources name. Each Python gets
# a copy of the tree, a venv, sockffi built with it, and the same suite subset
# as .ci/pythons.sh. Then the wheel the newest one builds is installed into the
# oldest claimed CPython (3.9) and used there. Everything runs in a private
# mount namespace, so no mount outlives the script.
#
#   bash .ci/debian-pythons.sh [3.14 3.15]
set -euo pipefail
cd "$(dirname "$0")/.."
VERSIONS=${*:-3.14 3.15}
ROOT=${SOCKFFI_SID_ROOT:-/var/tmp/sockffi-sid}
PACKAGES="ca-certificates,gcc,libc6-dev,strace,procps,iproute2"
for v in $VERSIONS; do PACKAGES="$PACKAGES,python$v,python$v-dev,python$v-venv"; done

if [ "$(uname -s)" != Linux ] || [ "$(id -u)" != 0 ]; then
    echo "ci: CPython $VERSIONS need a Debian chroot (Linux, root)" >&2
    exit 1
fi
if [ "$(cat "$ROOT/.sockffi-packages" 2>/dev/null)" != "$PACKAGES" ]; then
    start=$(date +%s)
    command -v debootstrap >/dev/null 2>&1 || {
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
    } >/dev/null 2>&1
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
    [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
    rm -rf "$ROOT"
    debootstrap --variant=minbase --include="$PACKAGES" sid "$ROOT" "$mirror" >/tmp/sockffi-debootstrap.log 2>&1 || {
        tail -20 /tmp/sockffi-debootstrap.log >&2
        exit 1
    }
    echo "$PACKAGES" >"$ROOT/.sockffi-packages"
    echo "ci: Debian sid chroot with CPython $VERSIONS: $(( $(date +%s) - start )) s"
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# The CA bundle this machine's own pip trusts (PIP_CERT), for the chroot's pip.
cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$ROOT/etc/ssl/certs/sockffi-host-ca.crt"

# The tree as it is (committed or not), one copy per Python: each builds its own module.
rm -rf "$ROOT/src" "$ROOT/wheels"
mkdir -p "$ROOT/src" "$ROOT/wheels"
for v in $VERSIONS; do
    mkdir -p "$ROOT/src/$v"
    tar --exclude=./.venv --exclude=./.git --exclude='*.so' --exclude=__pycache__ --exclude=./build -cf - . \
        | tar -xf - -C "$ROOT/src/$v"
done
newest=${VERSIONS##* }

unshare -m --propagation private bash -euo pipefail -s "$ROOT" "$newest" $VERSIONS <<'EOF'
root=$1; newest=$2; shift 2
mount --bind "$root" "$root"  # the chroot's / a mount of its own, as a real root is (the suite remounts it)
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t sysfs sys "$root/sys"
mount -t tmpfs tmpfs "$root/tmp"
status=0
for v in "$@"; do
    start=$(date +%s)
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 CI="${CI:-}" PIP_DISABLE_PIP_VERSION_CHECK=1 \
        PIP_CERT=/etc/ssl/certs/sockffi-host-ca.crt PYTHONDONTWRITEBYTECODE=1 chroot "$root" bash -euo pipefail -c "
        cd /src/$v
        python$v -m venv /tmp/venv
        /tmp/venv/bin/python -m pip install -q pytest pytest-xdist hypothesis cloudpickle -e . >/tmp/pip.log 2>&1 \
            || { tail -30 /tmp/pip.log; exit 1; }
        /tmp/venv/bin/python -m pytest -n 2 -q -p no:cacheprovider -W error::DeprecationWarning \
            --ignore=tests/test_docs.py --ignore=tests/test_static.py --ignore=tests/test_packaging.py \
            --ignore=tests/test_frameworks.py -k 'not listen_fails_cleanly_at_every_step'
        if [ $v = $newest ]; then /tmp/venv/bin/python -m pip wheel -q --no-deps -w /wheels . ; fi
    " || status=1
    echo "ci: CPython $v (Debian's python$v, in the chroot): $(( $(date +%s) - start )) s"
done
exit $status
EOF

# The newest claimed CPython's wheel, installed into the oldest and used there.
wheel=$(ls "$ROOT"/wheels/sockffi-*.whl)
pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
oldest=""
for candidate in "$pyenv_root"/versions/3.9.*/bin/python3.9 "$(command -v python3.9 || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys' 2>/dev/null; then
        oldest=$candidate
        break
    fi
done
[ -n "$oldest" ] || { echo "ci: no CPython 3.9 here to import the wheel with" >&2; exit 1; }
venv=$(mktemp -d /tmp/sockffi-wheel-XXXX)
"$oldest" -m venv --without-pip "$venv"
"$oldest" -m pip --python "$venv/bin/python" install -q "$wheel" 2>&1 | grep -v -e '^WARNING' -e '^DEPRECATION' || true
(cd "$venv" && "$venv/bin/python" -c "
import sys, zipfile, sockffi
names = [n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith('sockffi/_sockffi.') and not n.endswith('.pyi')]
assert names == ['sockffi/_sockffi.abi3.so'], names
with sockffi.listen_tcp(('127.0.0.1', 0)) as server:
    assert server.address[1] > 0
print('ci: the wheel CPython $newest built ($(basename "$wheel")) imports and listens on', sys.version.split()[0])
" "$wheel")
rm -rf "$venv"
