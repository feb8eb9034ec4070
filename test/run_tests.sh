#!/usr/bin/env bash
# Runs every test suite of sales_kpi on a throw-away PostgreSQL cluster.
#   test/run_tests.sh            the default suite (what CI runs)
# Ends with one line "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

ensure_deps
if ! build_install; then
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi
counts=$(mktemp)
trap 'rm -f "$counts"' EXIT
with_cluster env KPI_COUNTS_FILE="$counts" bash test/suites.sh
rc=$?
read -r passed failed < "$counts" 2>/dev/null || { passed=0; failed=1; echo "the test suites did not report (cluster set-up failed?)"; }
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
# the summary line, last and alone on its line
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
