#!/usr/bin/env bash
# Sanitizer run of sales_kpi: the extension built for a sanitizer in a private
# copy of the tree, loaded by a throw-away server of its own (the system
# PostgreSQL installation is not touched, nothing is installed into it), then
#   1. the pg_regress suite (sql/*.sql against expected/*.out),
#   2. the input fuzz smoke (test/t/io_fuzz.sh, FUZZ_ITERATIONS random mutants
#      per type and format on top of its deterministic sweep),
#   3. the state fuzz smoke (test/t/state_fuzz.sh: hand-made states passed to
#      every support function),
#   4. the self-test: deliberate bugs in a separate module built with the same
#      flags (test/sanitize/selftest.c) must be reported,
# and the sanitizer's logs are read (test/sanitize/report.py): any error with
# a frame in sales_kpi.so (or a definite leak allocated by it) fails the run.
#
#   bash test/sanitize.sh [valgrind|asan|ubsan]        (default valgrind; as root)
#
# Modes:
#   valgrind  -O0 -g build; every server process runs under valgrind memcheck
#             (--track-origins, definite leaks), with test/sanitize/valgrind.supp
#   asan      -fsanitize=address,undefined build; libasan preloaded into the
#             postmaster (after a one-line initfirst library, see
#             test/sanitize/lib.sh); any report aborts the backend
#   ubsan     -fsanitize=undefined build alone (no preload needed)
#
# Env: SAN_REGRESS          pg_regress tests (default: all of the Makefile's REGRESS)
#      SAN_FUZZ_ITERATIONS  io_fuzz random mutants per type and format (default 20)
#      SAN_FUZZ_TYPES       io_fuzz types (default all; none: no io_fuzz)
#      SAN_STATE_MUTANTS    state fuzz calls (default 3000; 0: no state fuzz)
#      SAN_KEEP=1           keep the work directory (logs, build) under /tmp
# Ends with "N passed, N failed".  Stops its server and removes its files.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh
. test/sanitize/lib.sh

mode=${1:-valgrind}
passed=0
failed=0
t0=$(date +%s)
result() {   # result NAME OK?
    if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "sanitize: $1 ... ok"
    else failed=$((failed + 1)); echo "sanitize: $1 ... FAILED"; fi
}
finish() {
    san_cleanup
    echo "sanitize ($mode): $(( $(date +%s) - t0 )) s"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

if ! ensure_deps || ! san_ensure_tools "$mode"; then
    failed=1; finish
fi
san_setup "$mode" || { failed=1; finish; }
trap 'san_cleanup' EXIT
trap 'failed=$((failed + 1)); finish' INT TERM
if ! san_build || ! san_layout || ! san_start; then
    failed=$((failed + 1)); finish
fi

# 1. pg_regress
tests=${SAN_REGRESS:-$(sed -n 's/^REGRESS *= *//p' Makefile)}
echo "== pg_regress under $mode: $tests"
san_regress $tests
passed=$((passed + SAN_REGRESS_PASSED))
failed=$((failed + SAN_REGRESS_FAILED))

# 2. input fuzz smoke (fixed seed, like CI); SAN_FUZZ_TYPES=none skips it
if [ "${SAN_FUZZ_TYPES:-}" != none ]; then
    san_wait_ready
    echo "== io_fuzz under $mode"
    env CI=true FUZZ_ITERATIONS="${SAN_FUZZ_ITERATIONS:-20}" ${SAN_FUZZ_TYPES:+FUZZ_TYPES=$SAN_FUZZ_TYPES} \
        bash test/t/io_fuzz.sh 2>&1 | tail -25
    result io_fuzz "${PIPESTATUS[0]}"
fi

# 3. state fuzz smoke; SAN_STATE_MUTANTS=0 skips it
if [ "${SAN_STATE_MUTANTS:-3000}" != 0 ]; then
    san_wait_ready
    echo "== state_fuzz under $mode"
    env CI=true STATE_FUZZ_MUTANTS="${SAN_STATE_MUTANTS:-3000}" bash test/t/state_fuzz.sh 2>&1 | grep -v '^  [a-z]' | tail -40
    result state_fuzz "${PIPESTATUS[0]}"
fi

# 4. the self-test's deliberate bugs (last: under ASan each one aborts a backend)
echo "== self-test: $(san_selftest_cases)"
san_selftest
result "self-test calls" $?

# the findings, once every process has exited
san_stop
echo "== $mode findings"
san_report --selftest
result "no $mode finding in sales_kpi, every self-test bug reported" $?
finish
