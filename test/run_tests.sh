#!/usr/bin/env bash
# Runs every test suite of sales_kpi.
#   bash test/run_tests.sh         the default suite: build with -Werror, install,
#                                  pg_regress and the script tests on a throw-away cluster
#   KPI_ALL=1 bash test/run_tests.sh   also the fresh-machine test (README's Quick start
#                                  in a new Debian 12 root, and the Debian package) and the
#                                  version matrix (PostgreSQL 17 and 18 in their own roots);
#                                  CI (CI=true) always runs these.  Needs root.
# Ends with one line "N passed, N failed" counting every test of every suite,
# and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

passed=0
failed=0
summary() {
    # the summary line, last and alone on its line
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

# Runs a suite script whose last "N passed, N failed" line is added to the totals.
run_counted() {
    local name=$1 log line p f rc
    shift
    echo "== $name: $*"
    log=$(mktemp)
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    rm -f "$log"
    if [ -n "$line" ]; then
        read -r p _ f _ <<< "$line"
    else
        p=0 f=1
        echo "$name: did not report a result"
    fi
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    passed=$((passed + p))
    failed=$((failed + f))
    echo "== $name: $p passed, $f failed"
}

if ! ensure_deps; then
    echo "could not install the build dependencies"
    failed=1
    summary
fi
if ! build_install; then
    echo "build failed"
    failed=1
    summary
fi
counts=$(mktemp)
trap 'rm -f "$counts"' EXIT
with_cluster env KPI_COUNTS_FILE="$counts" bash test/suites.sh
rc=$?
if read -r p f < "$counts" 2>/dev/null; then
    passed=$((passed + p)) failed=$((failed + f))
else
    echo "the test suites did not report (cluster set-up failed?)"
    failed=$((failed + 1))
fi
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1

if [ "${CI:-}" = true ] || [ "${KPI_ALL:-0}" = 1 ]; then
    run_counted fresh-machine bash test/fresh_machine.sh
    run_counted matrix bash test/matrix.sh 17 18
fi
summary
