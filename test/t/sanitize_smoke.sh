#!/usr/bin/env bash
# Smoke run of the sanitizer test (test/sanitize.sh) from the default suite:
# valgrind memcheck over a handful of pg_regress files (errors.sql: the
# bad-input cases; io.sql: text and binary I/O with malformed literals), on a
# private valgrind'ed server of its own (another port; the suite's cluster
# and the installed build are not touched), plus the self-test that proves
# valgrind and the log parser report a heap over-read and a branch on
# uninitialised memory.  About 1.5 minutes on 2 CPUs.  The fuzzers run under
# valgrind in the full run, bash test/sanitize.sh valgrind.  Installs valgrind with apt-get if
# it is missing and fails if it cannot.
set -uo pipefail
cd "$(dirname "$0")/../.."
SAN_REGRESS=${SAN_REGRESS:-"setup hit_ratio deal_kpis churn errors io"} \
SAN_FUZZ_TYPES=${SAN_FUZZ_TYPES:-none} \
SAN_STATE_MUTANTS=${SAN_STATE_MUTANTS:-0} \
    timeout 600 bash test/sanitize.sh valgrind
