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
with_cluster bash test/suites.sh
