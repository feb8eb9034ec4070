#!/usr/bin/env bash
# Runs the sales_kpi demo against the cluster in PGHOST/PGPORT/PGUSER: creates
# a demo database, loads the sample CRM (test/demo/generate.sql) and prints the
# KPI dashboard (test/demo/dashboard.sql).  Normally started by test/demo.sh,
# which provides a throw-away cluster; the extension must be installed.
#
#   test/demo/run.sh [SCALE]     SCALE (or env DEMO_SCALE, default 1):
#                                1 = 20 reps, ~20,000 deals, ~2,000 customers
# Env: DEMO_SEED (default 42), DEMO_DB (default sales_kpi_demo),
#      DEMO_KEEP_DB=1 to keep the database afterwards (it is dropped otherwise).
set -euo pipefail
cd "$(dirname "$0")/../.."

scale=${1:-${DEMO_SCALE:-1}}
seed=${DEMO_SEED:-42}
db=${DEMO_DB:-sales_kpi_demo}
if ! [[ $scale =~ ^[0-9]+(\.[0-9]+)?$ ]] || [[ $scale =~ ^0+(\.0+)?$ ]]; then
    echo "demo: scale must be a positive number, got '$scale'" >&2
    exit 2
fi
if ! [[ $seed =~ ^-?[0-9]+$ ]]; then
    echo "demo: DEMO_SEED must be an integer, got '$seed'" >&2
    exit 2
fi

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
dropdb --if-exists "$db"
createdb "$db"
if [ "${DEMO_KEEP_DB:-0}" != 1 ]; then
    trap 'dropdb --if-exists "$db" || true' EXIT
fi

start=$EPOCHREALTIME
psql_db -c 'CREATE EXTENSION sales_kpi'
psql_db -v scale="$scale" -v seed="$seed" -f test/demo/generate.sql
gen=$EPOCHREALTIME
psql_db -f test/demo/dashboard.sql
end=$EPOCHREALTIME
kept=dropped
[ "${DEMO_KEEP_DB:-0}" = 1 ] && kept=kept
awk -v a="$start" -v b="$gen" -v c="$end" -v db="$db" -v kept="$kept" 'BEGIN {
    printf "\n(data generated in %.1f s, dashboard computed in %.1f s; database %s %s)\n", b - a, c - b, db, kept }'
