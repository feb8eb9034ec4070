#!/usr/bin/env bash
# The benchmark: bench/run.sh
#   BENCH_DEALS=10000000 (default; 30M stage events, 5M orders), BENCH_RUNS=5.
# Builds and installs the extension, starts a throw-away cluster tuned for the
# machine, generates the seeded data set, runs bench/bench.py and writes
# bench/RESULTS.md.  Takes about 20-30 minutes at the default size.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh
ensure_deps
command -v python3 >/dev/null || as_root apt-get install -y -qq python3 >/dev/null
build_install
export BENCH_DEALS=${BENCH_DEALS:-10000000}
pg_virtualenv -t -v "$PGVER" -o shared_buffers=6GB -o work_mem=256MB -o max_parallel_workers_per_gather=2 \
    -o max_wal_size=8GB -o checkpoint_timeout=30min bash bench/inner.sh "$@"
