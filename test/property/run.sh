#!/usr/bin/env bash
# The property tests' run inside a cluster (PGHOST etc. set, sales_kpi installed):
#   bash test/property/run.sh [GROUPS] [SEED]     (default 100000 groups, seed 20260101)
# Generates the random data of data.sql from the pinned seed in a database of
# its own and runs checks.sql: every aggregate per group against its
# plain-SQL reference, serial, forced-parallel, merged from partial states and
# in moving windows.  Prints the seed, the number of groups, every check with
# its comparisons and mismatches, and "N passed, N failed" (one per check);
# drops its database.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
groups=${1:-100000}
seed=${2:-20260101}
db=kpi_property_$$
out=$(mktemp -d /tmp/kpi_property.XXXXXX)
passed=0
failed=0
cleanup() {
    for _ in $(seq 1 30); do dropdb --if-exists "$db" >/dev/null 2>&1 && break; sleep 1; done
    rm -rf "$out"
}
trap cleanup EXIT
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
# the seed as setseed() takes it: in [-1, 1]
fseed=$(awk -v s="$seed" 'BEGIN { printf "%.10f", (s % 2000000000) / 2000000000.0 }')
echo "property: seed $seed (setseed($fseed)), $groups groups; replay with: bash test/property.sh $groups $seed"
t0=$(date +%s)
if ! createdb -T template0 -E UTF8 --locale=C "$db" ||
   ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION sales_kpi' > "$out/setup.log" 2>&1 ||
   ! psql -X -qAt -F ' ' -v ON_ERROR_STOP=1 -v seed="$fseed" -v groups="$groups" -d "$db" -f "$here/data.sql" > "$out/data.log" 2>&1; then
    cat "$out/setup.log" "$out/data.log" 2>/dev/null | tail -20
    echo "property: FAILED: generating the data"
    echo "0 passed, 1 failed"
    exit 1
fi
read -r gd nd nc no ne < <(tail -1 "$out/data.log")
t1=$(date +%s)
echo "property: data: $gd groups with deals, $nd deals, $nc customers, $no orders, $ne stage events ($((t1 - t0)) s)"
if ! psql -X -qAt -F '|' -v ON_ERROR_STOP=1 -d "$db" -f "$here/checks.sql" > "$out/checks.out" 2>&1; then
    cat "$out/checks.out" | tail -20
    failed=$((failed + 1))
    echo "property: FAILED: checks.sql stopped with an error"
fi
comps=0
mism=0
while IFS='|' read -r what n m; do
    [ -n "$m" ] || continue
    comps=$((comps + n)); mism=$((mism + m))
    if [ "$m" = 0 ]; then passed=$((passed + 1)); echo "property: $what ... ok ($n comparisons)"
    else failed=$((failed + 1)); echo "property: $what ... FAILED: $m of $n differ"; fi
done < <(grep -E '^[^|]+\|[0-9]+\|[0-9]+$' "$out/checks.out")
t2=$(date +%s)
echo "property: $groups groups, seed $seed: $comps comparisons, $mism mismatches ($((t2 - t1)) s of checks, $((t2 - t0)) s in all)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
