#!/usr/bin/env bash
# io_fuzz - input-mutation fuzz test of the untrusted inputs of the sixteen
# storable types deal_summary, order_summary, stage_path, stage_funnel,
# stage_times, stage_history, activity_summary, response_time, lead_followup,
# followup_summary, rfm, clv_fit_state, bgnbd_model, gammagamma_model,
# mrr_series and revenue_summary:
# binary input (recv, through COPY ... FORMAT binary) and text input (in).
#
# Valid values of each type (built with the aggregates, test/fuzz/setup.sql)
# are mutated: their binary COPY payload (bit flips, boundary values in the
# fields, truncation, junk, splices, added/removed elements) and their text
# form (deleted/duplicated/replaced characters, huge and negative numbers,
# empty or missing fields, unbalanced quotes and brackets, random characters).
# Every mutant must either be refused with an ERROR, or be a valid value: its
# text output reads back to the same value, its accessors work and agree, it
# merges, and it survives a binary COPY round trip; a stage_history must also
# give the same funnels and times in stage as the two-level form (a
# stage_path per deal) over its events, and be refused only with 22P02 /
# 22P03 (08P01 truncated, 22021 bad UTF-8).  A server crash, a hang,
# an internal error (XX000) or an accepted-but-invalid value fails the test;
# each failing mutant is saved under /tmp with a reproducer (path printed).
#
# Fast by default (well under 60 s): a deterministic sweep plus
#   FUZZ_ITERATIONS  random mutants per type and per format (default 300);
#                    raise it for a soak run, e.g. FUZZ_ITERATIONS=3000
#   FUZZ_TYPES       comma-separated types to fuzz (default all six), e.g.
#                    FUZZ_TYPES=stage_times FUZZ_ITERATIONS=5000 for a soak of one
#   FUZZ_SEED        the random seed, to replay a run (default: 20260101 when
#                    CI=true, so CI runs the same mutants every time; else a
#                    fresh one); the seed and the command that replays the run
#                    are always printed
#   FUZZ_BATCH       mutants per psql session (default 100)
#   FUZZ_KEEP=1      keep the work directory of the mutants
#   FUZZ_SELFTEST_CRASH=N  self-test: the backend is crashed on purpose before
#                    the N-th binary deal_summary mutant; the run must report it
#
# Runs inside a cluster (PGHOST/PGPORT/PGUSER/PGPASSWORD set, extension
# installed), e.g. standalone:  pg_virtualenv -t -v 15 bash test/t/io_fuzz.sh
# Needs bash, psql and python3 (standard library only).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
db=kpi_fuzz_$$

cleanup() {
    # after a crash the server may still be recovering: retry for a while
    for _ in $(seq 1 30); do
        dropdb --if-exists "$db" >/dev/null 2>&1 && return
        sleep 1
    done
    echo "io_fuzz: could not drop database $db"
}

# UTF8 whatever the cluster's default, so that every text mutant reaches the
# input function (bytes invalid in the encoding never get past the parser)
if ! createdb -T template0 -E UTF8 --locale=C "$db"; then
    echo "io_fuzz: FAILED: cannot create database $db"
    exit 1
fi
trap cleanup EXIT

if ! out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION sales_kpi' \
               -f "$here/fuzz/setup.sql" 2>&1); then
    echo "$out"
    echo "io_fuzz: FAILED: set-up (test/fuzz/setup.sql) failed"
    exit 1
fi

PGDATABASE=$db python3 "$here/fuzz/io_fuzz.py"
