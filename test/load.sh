#!/usr/bin/env bash
# Load test of sales_kpi: builds and installs the extension (as test/run_tests.sh
# does), starts a throw-away cluster and runs test/load/run.sh in it:
#
#   bash test/load.sh [SECONDS] [CLIENTS]        (default 120 s, 16 clients)
#   LOAD_DEALS=100000 bash test/load.sh 600 32   (a bigger, longer run)
#
# pgbench runs a mix of the rep dashboard (deal_summary per rep with
# rollup(s) OVER () as the team benchmark, serial and forced-parallel), the
# stage funnel (stage_funnel over a stage_path per deal), churn and retention,
# and writes (new deals and events, deals closed and deleted with their
# history, customers leaving).  Asserts 0 failed transactions and no aborted
# client, then re-verifies every KPI on the final tables against plain SQL
# (test/load/verify.sql: hit ratio, exact won amount, funnel reached counts,
# churn).  Prints TPS and counts; ends with "N passed, N failed".  Leaves no
# server running.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh
if ! ensure_deps || ! build_install; then
    echo "load: FAILED: build"
    echo "0 passed, 1 failed"
    exit 1
fi
with_cluster -o "max_connections=200" -o "shared_buffers=256MB" bash test/load/run.sh "${1:-120}" "${2:-16}"
