#!/usr/bin/env bash
# Smoke run of the benchmark on a tiny data set: checks that the time-in-stage
# SQL of the benchmark returns the numbers of ours (bench.py --check), that
# every case runs and a results table is written (no timing is asserted).
set -euo pipefail
cd "$(dirname "$0")/../.."
db=kpi_bench_smoke_$$
out=$(mktemp)
trap 'dropdb --if-exists "$db"; rm -f "$out"' EXIT
createdb "$db"
psql -X -q -d "$db" -c 'CREATE EXTENSION sales_kpi'
psql -X -q -d "$db" -v deals=20000 -v reps=20 -f bench/generate.sql
if ! check=$(BENCH_DB=$db python3 bench/bench.py --check 2>&1); then
    echo "time-in-stage SQL and sales_kpi disagree:"; echo "$check"; exit 1
fi
BENCH_DB=$db BENCH_RUNS=1 BENCH_DEALS=20000 BENCH_OUT=$out python3 bench/bench.py > /dev/null
for c in hit_ratio sales_velocity_grouped summary summary_par quarter funnel_ordered funnel_time_report_1level time_in_stage funnel_time_report revenue_movements revenue_nrr \
         window_velocity_4M response_time lead_velocity; do
    grep -q "^| $c |" "$out" || { echo "case $c missing from the results"; cat "$out"; exit 1; }
done
grep -q "^| quarter | raw SQL / stored summaries" "$out" || { echo "derived ratios missing"; exit 1; }
echo "bench smoke ok"
