#!/usr/bin/env bash
# The benchmark of the models family: bench/models.sh [customers ...]
#   default 100000 300000 1000000 customers; BENCH_RUNS=3.
# Builds and installs the extension, starts a throw-away cluster, simulates
# the orders, runs bench/models.py and writes bench/MODELS_RESULTS.md
# (about 10 minutes at the default sizes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh
ensure_deps
command -v python3 >/dev/null || as_root apt-get install -y -qq python3 >/dev/null
build_install
pg_virtualenv -t -v "$PGVER" -o shared_buffers=2GB -o work_mem=256MB -o max_parallel_workers_per_gather=2 \
    python3 bench/models.py "$@"
