#!/usr/bin/env bash
# Smoke test of the demo (test/demo/): runs it at a tiny scale inside the
# test cluster (PGHOST etc. set, sales_kpi installed) and checks that every
# dashboard section is printed and that printed KPIs agree with plain SQL on
# the generated rows.
set -uo pipefail
cd "$(dirname "$0")/../.."

db=sales_kpi_demo_smoke_$$
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
fail() { echo "demo_smoke: FAIL: $*"; [ -n "${out:-}" ] && echo "--- demo output ---" && echo "$out"; exit 1; }
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

out=$(DEMO_DB=$db DEMO_KEEP_DB=1 DEMO_SEED=7 timeout 60 bash test/demo/run.sh 0.05 2>&1)
rc=$?
[ $rc -eq 0 ] || fail "test/demo/run.sh exited with $rc"
for title in 'SALES KPI DASHBOARD' '== 1. Sales reps' '== 2. Teams' '== 3. Stage funnel' \
             '== 4. Customers: monthly churn' '== 5. Customer lifetime value' \
             '| TEAM BENCHMARK |' '| ALL REPS ' 'lead -> won %' 'SaaS CLV' 'historic CLV'; do
    grep -qF -- "$title" <<<"$out" || fail "output lacks '$title'"
done
grep -qiE 'ERROR|WARNING' <<<"$out" && fail "output has an error or warning"
[ "$(grep -c '| TEAM BENCHMARK |' <<<"$out")" -eq 3 ] || fail "expected 3 TEAM BENCHMARK rows (one per team)"

# the per-rep summaries cover every deal exactly once
got=$(q "SELECT sum(deals(s)) FROM (SELECT deal_summary(amount, won, created_at, closed_at) s FROM deals GROUP BY rep_id) x") \
    || fail "query of the demo database failed"
want=$(q "SELECT count(*) FROM deals")
[ -n "$want" ] && [ "$want" -gt 0 ] || fail "no deals generated"
[ "$got" = "$want" ] || fail "sum over reps of deals(s) = $got, count(*) FROM deals = $want"

# the printed ALL REPS hit % equals won / decided in plain SQL
printed=$(awk -F'|' '$2 ~ /ALL REPS/ { gsub(/ /, "", $6); print $6 }' <<<"$out")
want=$(q "SELECT round(100.0 * count(*) FILTER (WHERE won) / count(won), 1) FROM deals")
[ "$printed" = "$want" ] || fail "ALL REPS hit % printed '$printed', plain SQL gives '$want'"

# funnel: implied lead = every deal with a history, implied won = won deals,
# ordered lead = deals that entered 'lead'
row() { awk -F'|' -v st="$1" -v col="$2" '$2 ~ "^ *" st " *$" { gsub(/ /, "", $col); print $col }' <<<"$out"; }
check() { [ "$2" = "$3" ] || fail "$1: printed '$2', plain SQL gives '$3'"; }
check "funnel implied lead" "$(row lead 3)" "$(q "SELECT count(DISTINCT deal_id) FROM deal_stage_history")"
check "funnel implied won" "$(row won 3)" "$(q "SELECT count(*) FROM deals WHERE won")"
check "funnel ordered lead" "$(row lead 7)" "$(q "SELECT count(DISTINCT deal_id) FROM deal_stage_history WHERE stage = 'lead'")"

echo "demo_smoke: ok ($(grep -c . <<<"$out") output lines)"
