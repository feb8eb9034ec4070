#!/usr/bin/env bash
# Runs inside a cluster (PGHOST etc. set): create the data set, run the cases.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${BENCH_DB:-bench}
createdb "$db"
psql -X -q -d "$db" -c 'CREATE EXTENSION sales_kpi'
echo "== generating $BENCH_DEALS deals"
start=$(date +%s)
psql -X -q -d "$db" -v deals="$BENCH_DEALS" -v reps=200 -f bench/generate.sql
echo "== generated in $(( $(date +%s) - start )) s"
BENCH_DB=$db python3 bench/bench.py "$@"
