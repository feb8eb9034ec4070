#!/usr/bin/env bash
# Smoke run of the property tests (test/property.sh) inside the test cluster:
# 5000 groups from a pinned seed, every check of test/property/checks.sql
# (serial, forced-parallel, merged, windows); under a minute.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash test/property/run.sh "${PROPERTY_SMOKE_GROUPS:-5000}" "${PROPERTY_SMOKE_SEED:-424242}"
