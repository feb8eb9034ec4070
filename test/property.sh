#!/usr/bin/env bash
# Property tests at scale: builds and installs the extension (as
# test/run_tests.sh does), starts a throw-away cluster and runs
# test/property/run.sh in it:
#
#   bash test/property.sh [GROUPS] [SEED]     (default 100000 groups, seed 20260101)
#
# Random deals, customers, orders and stage histories from the pinned seed
# (test/property/data.sql: NULLs, ties, groups that are empty or only open,
# amounts of scale 0..6, huge and tiny), and every aggregate per group
# against its plain-SQL reference definition (test/property/checks.sql:
# exact = for counts and money, 1e-12 relative for ratios): serial, in
# forced-parallel plans (with partial aggregation), merged from partial
# states (rollup over per-partition summaries), and in moving windows
# against a recompute of every frame.  Prints the seed, the groups, the
# comparisons and the mismatches; ends with "N passed, N failed".  Leaves no
# server running.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh
if ! ensure_deps || ! build_install; then
    echo "property: FAILED: build"
    echo "0 passed, 1 failed"
    exit 1
fi
with_cluster -o "shared_buffers=512MB" -o "work_mem=64MB" -o "max_parallel_workers_per_gather=2" \
    bash test/property/run.sh "${1:-100000}" "${2:-20260101}"
