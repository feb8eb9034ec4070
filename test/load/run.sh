#!/usr/bin/env bash
# The load test's run inside a cluster (PGHOST etc. set, sales_kpi installed):
#   bash test/load/run.sh [SECONDS] [CLIENTS]      (default 120 s, 16 clients)
# Creates its own database (LOAD_DEALS deals, default 20000), runs pgbench
# with a mix of the rep dashboard (deal_summary per rep with
# rollup(s) OVER () as the team benchmark, serial and forced-parallel), the
# stage funnel (stage_funnel over stage_path per deal), churn and retention,
# and writes (new deals and events, deals closed, deals deleted with their
# history, customers leaving); then checks that no transaction failed and
# that every KPI on the final tables equals its plain-SQL definition
# (verify.sql).  Prints TPS, counts and "N passed, N failed"; drops its database.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-120}
clients=${2:-16}
deals=${LOAD_DEALS:-20000}
db=kpi_load_$$
out=$(mktemp -d /tmp/kpi_load.XXXXXX)
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "load: $1 ... ok${2:+ ($2)}"; }
bad() { failed=$((failed + 1)); echo "load: $1 ... FAILED: $2"; }
cleanup() {
    for _ in $(seq 1 30); do dropdb --if-exists "$db" >/dev/null 2>&1 && break; sleep 1; done
    rm -rf "$out"
}
trap cleanup EXIT
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

if ! createdb "$db" || ! psql -X -q -v ON_ERROR_STOP=1 -v deals="$deals" -d "$db" -f "$here/schema.sql" > "$out/schema.log" 2>&1; then
    cat "$out/schema.log"
    echo "load: FAILED: cannot set up the database"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "load: $(psql -X -qAt -d "$db" -c "SELECT (SELECT count(*) FROM deals) || ' deals, ' || (SELECT count(*) FROM deal_events) || ' stage events, ' || (SELECT count(*) FROM customers) || ' customers'"); pgbench $seconds s, $clients clients"

threads=$(( clients < 4 ? clients : 4 ))
t0=$(date +%s)
pgbench -n -T "$seconds" -c "$clients" -j "$threads" -P $(( seconds >= 60 ? 30 : 10 )) -d "$db" \
    -f "$here/dashboard.sql@4" -f "$here/dashboard_parallel.sql@1" -f "$here/funnel.sql@2" \
    -f "$here/churn.sql@2" -f "$here/write.sql@6" > "$out/pgbench.out" 2> "$out/pgbench.err"
rc=$?
t1=$(date +%s)
grep -vE '^progress:' "$out/pgbench.err" | grep -E 'aborted|ERROR|error' | head -20
grep -E '^progress:' "$out/pgbench.err" | sed 's/^/    /'
tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out/pgbench.out" | head -1)
txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out/pgbench.out")
fails=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out/pgbench.out")
echo "load: pgbench: ${txns:-?} transactions in $((t1 - t0)) s, tps ${tps:-?}, failed ${fails:-?}"
awk '/^SQL script [0-9]+:/ { name = $4 } / - [0-9]+ transactions/ { sub(/^ +- /, ""); print "    " name ": " $0 }' "$out/pgbench.out"
if [ "$rc" -eq 0 ] && ! grep -q 'aborted' "$out/pgbench.err" "$out/pgbench.out" && [ -n "$txns" ] && [ "$txns" -gt 0 ]; then
    ok "pgbench ran to the end, no client aborted" "$txns transactions"
else
    bad "pgbench ran to the end, no client aborted" "exit $rc: $(grep -E 'aborted|ERROR' "$out/pgbench.err" | head -3 | tr '\n' ' ')"
fi
if [ "${fails:-x}" = 0 ]; then ok "0 failed transactions"; else bad "0 failed transactions" "${fails:-not reported}"; fi
# every script ran
for s in dashboard dashboard_parallel funnel churn write; do
    n=$(awk -v s="$here/$s.sql" '/^SQL script [0-9]+:/ { on = ($4 == s) } on && / - [0-9]+ transactions/ { print $2; exit }' "$out/pgbench.out")
    if [ -n "$n" ] && [ "$n" -gt 0 ]; then ok "script $s ran" "$n transactions"; else bad "script $s ran" "no transaction"; fi
done

echo "load: final tables: $(psql -X -qAt -d "$db" -c "SELECT (SELECT count(*) FROM deals) || ' deals (' || (SELECT count(*) FROM deals WHERE won IS NOT NULL) || ' decided), ' || (SELECT count(*) FROM deal_events) || ' stage events, ' || (SELECT count(*) FROM customers WHERE active_until IS NOT NULL) || ' customers who left'")"
if ! psql -X -qAt -F '|' -v ON_ERROR_STOP=1 -d "$db" -f "$here/verify.sql" > "$out/verify.out" 2>&1; then
    cat "$out/verify.out"
    bad "re-verification against plain SQL" "verify.sql failed"
else
    comps=0
    mism=0
    while IFS='|' read -r what n m; do
        [ -n "$n" ] || continue
        comps=$((comps + n)); mism=$((mism + m))
        if [ "$m" = 0 ]; then ok "$what" "$n comparisons"; else bad "$what" "$m of $n differ"; fi
    done < "$out/verify.out"
    echo "load: re-verification: $comps comparisons, $mism mismatches"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
