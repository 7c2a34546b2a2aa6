#!/usr/bin/env bash
# Windows test tier, part 2: emit sockffi's C for Windows with the host's cffi,
# cross-compile it with mingw-w64 against the Windows CPython's headers and
# python3.lib (stable ABI), and run the tests that apply to Windows inside the
# Windows Python under Wine. Needs setup.sh first.
set -euo pipefail
ROOT=${WINTEST_ROOT:-/tmp/sockffi-wintest}
HOSTPY=${HOSTPY:-python3}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
export WINEPREFIX=$ROOT/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
BUILD=$ROOT/build
rm -rf "$BUILD" && mkdir -p "$BUILD/sockffi"
cp "$HERE"/sockffi/*.py "$HERE"/sockffi/py.typed "$BUILD/sockffi/" && mkdir -p "$BUILD/sockffi/cli" && cp "$HERE"/sockffi/cli/*.py "$BUILD/sockffi/cli/"

start=$(date +%s)
(cd "$HERE" && "$HOSTPY" -c "
import build_ffi
build_ffi.build(windows=True).emit_c_code('$BUILD/_sockffi.c')" >/dev/null)
x86_64-w64-mingw32-gcc -shared -O2 -Wall -Wno-unused-function -I"$ROOT/py311/include" -I"$HERE/csrc" \
    -o "$BUILD/sockffi/_sockffi.pyd" "$BUILD/_sockffi.c" \
    -static-libgcc -L"$ROOT/py311/libs" -lpython3 -lws2_32 -liphlpapi

# Wine's helper processes start once, outside any pipe (else every later pipe
# waits ~3 s for them); CPython under Wine needs all three standard handles to
# be pipes.
wineserver -k 2>/dev/null || true
wineserver -p 600
wine cmd /c exit </dev/null >/dev/null 2>&1 || true
export PYTHONPATH="$BUILD;$HERE/tests"
set +e
cd "$BUILD"  # python -m puts the cwd first on sys.path: the built package, not the sources
true | wine "$ROOT/py311/python.exe" -m pytest -q -ra -p no:cacheprovider \
    "$HERE/tests/test_windows.py" "$HERE/tests/test_error_model.py" "$HERE/tests/test_spec_tables.py" \
    "$HERE/tests/test_injection.py" \
    2>&1 | cat
rc=${PIPESTATUS[1]}
set -e
wineserver -k 2>/dev/null || true
echo "windows tier: $(( $(date +%s) - start )) s"
exit "$rc"
