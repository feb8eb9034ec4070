#!/usr/bin/env bash
# The sales_kpi demo: builds and installs the extension, starts a throw-away
# PostgreSQL cluster, generates a sample CRM (20 reps in 3 teams, ~20,000
# deals over two years with their stage history, ~2,000 customers with their
# orders) and prints a KPI dashboard computed by the extension.
#   test/demo.sh [SCALE]    SCALE (or env DEMO_SCALE) multiplies the number of
#                           deals and customers; default 1 (about 10 s)
# Env: DEMO_SEED (default 42) for other, equally deterministic, data.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh
ensure_deps
build_install
with_cluster bash test/demo/run.sh "$@"
