#!/usr/bin/env bash
# state_fuzz - hand-made aggregate states and extreme arguments passed to
# every function of sales_kpi (test/fuzz/state_fuzz.py): bigint[] states with
# bigint max/min, negative counts, wrong lengths, NULL elements, 2-D arrays,
# reversed churn periods; values of our types at the limits of their counts
# and sums; through direct calls and through aggregates that update states in
# place.  Every call must raise an error of SQLSTATE class 22 or return a
# valid result; the server must stay up.
#
# Smoke size by default (STATE_FUZZ_MUTANTS=3000 calls, about 15 s); the
# soak is test/fuzz.sh.  Runs inside a cluster (PGHOST etc. set, extension
# installed), e.g. pg_virtualenv -t -v 15 bash test/t/state_fuzz.sh
#   STATE_FUZZ_MUTANTS, STATE_FUZZ_SEED, STATE_FUZZ_BATCH, STATE_FUZZ_FUNCS: see test/fuzz/state_fuzz.py
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
db=kpi_state_fuzz_$$

cleanup() {
    for _ in $(seq 1 30); do
        dropdb --if-exists "$db" >/dev/null 2>&1 && return
        sleep 1
    done
    echo "state_fuzz: could not drop database $db"
}
if ! createdb -T template0 -E UTF8 --locale=C "$db"; then
    echo "state_fuzz: FAILED: cannot create database $db"
    exit 1
fi
trap cleanup EXIT
if ! out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION sales_kpi' \
               -f "$here/fuzz/setup.sql" -f "$here/fuzz/state_setup.sql" 2>&1); then
    echo "$out"
    echo "state_fuzz: FAILED: set-up failed"
    exit 1
fi
PGDATABASE=$db python3 "$here/fuzz/state_fuzz.py"
