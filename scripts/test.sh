#!/usr/bin/env bash
# The whole check, as CI runs it: set-up, ruff, the layer contracts, the test suite, the service,
# database and CLI tests again on a private PostgreSQL server (tests/pg_server.py starts and stops
# it; with CI=true a server that cannot start fails the run), then a PyInstaller build whose
# program must pass its own self-test.
#   ./scripts/test.sh                    everything
#   ./scripts/test.sh -k roster -x       extra arguments go to pytest
#   REGDESK_SKIP_BUILD=1 ./scripts/test.sh   skip the (slow) build and self-test
# Every step runs even when an earlier check failed (one run shows every problem); the build's
# self-test needs the build. Exit status 1 when any step failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen
VENV="$ROOT/.venv"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/regdesk-test.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

names=() results=() seconds=()
failed=0

now_ms() {  # wall clock in milliseconds (bash 5's EPOCHREALTIME; whole seconds on older shells)
    local t="${EPOCHREALTIME:-}"
    if [ -n "$t" ]; then
        t="${t/[.,]/}"
        echo $((10#$t / 1000))
    else
        echo $(($(date +%s) * 1000))
    fi
}
secs() { printf "%d.%ds" $(($1 / 1000)) $(($1 % 1000 / 100)); }  # ms -> "12.3s"
T0=$(now_ms)

step() {  # step NAME COMMAND...: run, time and record one step
    local name="$1"
    shift
    printf '\n==== %s ====\n' "$name"
    local t status=0
    t=$(now_ms)
    "$@" || status=$?
    names+=("$name")
    seconds+=("$(secs $(($(now_ms) - t)))")
    if [ "$status" -eq 0 ]; then
        results+=("ok")
    else
        results+=("FAILED (exit $status)")
        failed=1
    fi
    return "$status"
}

skip() {  # skip NAME REASON
    names+=("$1")
    seconds+=("-")
    results+=("skipped: $2")
}

self_test() {
    local exe="$ROOT/dist/regdesk/regdesk" out
    [ -x "$exe" ] || { echo "no program at $exe" >&2; return 1; }
    out="$(timeout 300 "$exe" --self-test --data "$WORK/self-test-data" 2>&1)" || { echo "$out"; return 1; }
    echo "$out"
    # The exit status alone could come from an argument parser; the line proves the check ran.
    grep -q "self-test ok" <<<"$out" || { echo "the program exited 0 without printing 'self-test ok'" >&2; return 1; }
}

pytest_line() {  # "pytest: N passed, N failed, N skipped" over both passes' JUnit reports
    "$VENV/bin/python" - "$WORK"/junit*.xml <<'PY' 2>/dev/null || true
import sys
import xml.etree.ElementTree as ET

total = failed = skipped = 0
for path in sys.argv[1:]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total += sum(int(s.get("tests", 0)) for s in suites)
    failed += sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped += sum(int(s.get("skipped", 0)) for s in suites)
print(f"pytest: {total - failed - skipped} passed, {failed} failed, {skipped} skipped")
PY
}

pytest_postgresql() {
    # tests/conftest.py keeps the tests that run on both backends (services, database, CLI) and
    # deselects the rest; exit 5 (nothing left) is fine only when the caller's arguments chose
    # tests outside them.
    local status=0
    "$VENV/bin/pytest" --backend=postgresql --junitxml="$WORK/junit-postgresql.xml" "$@" || status=$?
    if [ "$status" -eq 5 ] && [ "$#" -gt 0 ]; then
        echo "no PostgreSQL test among the chosen ones"
        return 0
    fi
    return "$status"
}

step "setup" "$ROOT/scripts/setup.sh" test || { echo "set-up failed; nothing else can run." >&2; exit 1; }
step "ruff" "$VENV/bin/ruff" check . || true
step "lint-imports" "$VENV/bin/lint-imports" || true
step "pytest" "$VENV/bin/pytest" --junitxml="$WORK/junit.xml" "$@" || true
step "pytest (PostgreSQL)" pytest_postgresql "$@" || true

if [ "${REGDESK_SKIP_BUILD:-0}" = "1" ]; then
    skip "pyinstaller build" "REGDESK_SKIP_BUILD=1"
    skip "built program --self-test" "REGDESK_SKIP_BUILD=1"
elif step "pyinstaller build" "$VENV/bin/pyinstaller" --noconfirm --log-level WARN \
        --workpath "$ROOT/build" --distpath "$ROOT/dist" build.spec; then
    step "built program --self-test" self_test || true
else
    skip "built program --self-test" "the build failed"
fi

printf '\n==== summary ====\n'
for i in "${!names[@]}"; do
    printf '  %-28s %8s  %s\n' "${names[$i]}" "${seconds[$i]}" "${results[$i]}"
done
printf '  %-28s %8s\n' "total" "$(secs $(($(now_ms) - T0)))"
if [ "$failed" -ne 0 ]; then
    printf 'RESULT: FAILED\n'
else
    printf 'RESULT: all steps passed\n'
fi
pytest_line
exit "$failed"
