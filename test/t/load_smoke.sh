#!/usr/bin/env bash
# Smoke run of the load test (test/load.sh) inside the test cluster: 20 s of
# pgbench with 16 clients over dashboards, funnels, churn and writes, then
# no failed transaction and every KPI on the final tables equal to plain SQL.
set -uo pipefail
cd "$(dirname "$0")/../.."
LOAD_DEALS=${LOAD_DEALS:-20000} bash test/load/run.sh "${LOAD_SMOKE_SECONDS:-20}" "${LOAD_SMOKE_CLIENTS:-16}"
