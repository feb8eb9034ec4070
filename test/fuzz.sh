#!/usr/bin/env bash
# Fuzzing at scale: builds and installs the extension (as test/run_tests.sh
# does), starts a throw-away cluster and runs test/fuzz/soak.sh in it:
#
#   bash test/fuzz.sh [MUTANTS] [STATE_MUTANTS]    (default 1,000,000 and 200,000)
#
# MUTANTS random mutants of the text and binary input of every type
# (test/t/io_fuzz.sh in rounds, each with its own printed seed), then
# STATE_MUTANTS calls of the state fuzzer (test/t/state_fuzz.sh: hand-made
# states and extreme values passed to every function of the extension).
# FUZZ_JOBS processes at once (default: the CPUs).  Prints the mutant counts
# and the throughput; ends with "N passed, N failed".  Leaves no server running.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh
if ! ensure_deps || ! build_install; then
    echo "fuzz: FAILED: build"
    echo "0 passed, 1 failed"
    exit 1
fi
with_cluster -o "max_connections=100" bash test/fuzz/soak.sh "$@"
