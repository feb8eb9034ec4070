#!/usr/bin/env bash
# faults - sales_kpi under faults, inside the test cluster (PGHOST etc. set by
# pg_virtualenv, sales_kpi installed; the restart step needs pg_ctlcluster and
# the cluster "$PGVERSION regress" that pg_virtualenv makes):
#   1. a query cancel (pg_cancel_backend) and a statement_timeout in the middle
#      of an aggregate, serial and in forced-parallel plans; the same session
#      then gives the right answers (equal to those computed before, and to
#      plain SQL);
#   2. hash aggregation spilling to disk (work_mem = 64kB, hash_mem_multiplier
#      = 1, enable_sort = off): EXPLAIN ANALYZE shows batches > 1 and disk
#      usage, and every result equals sorted aggregation (enable_hashagg = off);
#   3. kill -9 of a backend in the middle of an aggregate: the postmaster
#      restarts every backend, the cluster recovers and answers right, and a
#      table of stored summaries is intact;
#   4. stored summaries (deal_summary, order_summary, stage_path, stage_funnel,
#      stage_times, stage_history in a table) survive a server restart and a
#      pg_dump / pg_restore (custom format) into a new database: equal text
#      forms and equal accessor results.
# About a minute.  Exit 0 = every case passed.
set -uo pipefail
cd "$(dirname "$0")/../.."

tag=$$
db=kpi_faults_$tag
db2=kpi_faults_restored_$tag
tmp=$(mktemp -d /tmp/kpi_faults.XXXXXX)
chmod 755 "$tmp"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
passed=0
failed=0
bg=()

cleanup() {
    local p
    for p in "${bg[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    for _ in $(seq 1 30); do
        if dropdb --if-exists "$db" >/dev/null 2>&1 && dropdb --if-exists "$db2" >/dev/null 2>&1; then break; fi
        sleep 1
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
ok() { passed=$((passed + 1)); echo "faults: $1 ... ok${2:+ ($2)}"; }
bad() { failed=$((failed + 1)); echo "faults: $1 ... FAILED: $2"; }
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "${QDB:-$db}" -c "$1"; }

# after a crash the server restarts: wait until it answers
wait_ready() {
    local i
    for i in $(seq 1 120); do
        psql -X -qAt -d postgres -c 'SELECT 1' >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}

createdb "$db" || { echo "faults: FAILED: createdb"; exit 1; }
# data: 300k deals over 200 reps, 200k stage events of 40k deals, 20k
# customers, 100k orders (deterministic)
if ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION sales_kpi;
SELECT setseed(0.31);
CREATE TABLE deals AS
SELECT g AS id, g % 200 AS rep,
       CASE WHEN g % 29 = 0 THEN NULL ELSE round((random() * 100000)::numeric, g % 3) END AS amount,
       CASE WHEN g % 5 = 0 THEN NULL ELSE random() < 0.4 END AS won,
       timestamptz '2024-01-01 00:00+00' + g * interval '97 seconds' AS created,
       timestamptz '2024-01-01 00:00+00' + g * interval '97 seconds' + (g % 90) * interval '1 day' AS closed
FROM generate_series(1, 300000) g;
CREATE TABLE events AS
SELECT (g % 40000) + 1 AS deal_id,
       (ARRAY['lead','qualified','proposal','negotiation','won','lost'])[1 + (g * 7 + g / 40000) % 6] AS stage,
       timestamptz '2024-01-01 00:00+00' + (g / 40000) * interval '3 days' + (g % 13) * interval '1 hour' AS at
FROM generate_series(1, 200000) g;
CREATE TABLE customers AS
SELECT g AS id, date '2022-01-01' + (g % 700) AS active_from,
       CASE WHEN g % 3 = 0 THEN NULL ELSE date '2022-01-01' + (g % 700) + (g % 500) END AS active_until
FROM generate_series(1, 20000) g;
CREATE TABLE orders AS
SELECT g AS id, g % 20000 AS customer_id, round((random() * 500)::numeric, 2) AS amount,
       timestamptz '2024-01-01 00:00+00' + (g % 400) * interval '1 day' AS at
FROM generate_series(1, 100000) g;
ANALYZE;
SQL
then
    echo "faults: FAILED: generating the data"; exit 1
fi

STAGES="ARRAY['lead','qualified','proposal','negotiation','won']"
PAR="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = on;"
SER="SET max_parallel_workers_per_gather = 0;"

# the answers, computed before any fault (serially)
declare -A EXPECT
EXPECT[deal]=$(q "$SER SELECT deal_summary(amount, won, created, closed)::text FROM deals")
EXPECT[history]=$(q "$SER SELECT md5(stage_history(deal_id::bigint, stage, at, $STAGES)::text) FROM events")
EXPECT[funnel]=$(q "$SER SELECT stage_funnel(p, $STAGES, 'ordered')::text FROM (SELECT stage_path(stage, at, $STAGES) p FROM events GROUP BY deal_id) x")
EXPECT[churn]=$(q "$SER SELECT churn_rate(active_from, active_until, date '2023-01-01', date '2023-02-01')::text FROM customers")
# plain SQL agrees with them (so a wrong answer after a fault is not compared with a wrong one)
ref=$(q "SELECT deals(s) = (SELECT count(*) FROM deals) AND won_amount(s) = (SELECT coalesce(sum(amount), 0) FROM deals WHERE won)
                AND won_deals(s) = (SELECT count(*) FROM deals WHERE won) AND lost_deals(s) = (SELECT count(*) FROM deals WHERE NOT won)
         FROM (SELECT '${EXPECT[deal]}'::deal_summary s) x")
[ "$ref" = t ] && ok "expected answers equal plain SQL" || bad "expected answers equal plain SQL" "deal_summary vs count/sum: $ref"

# ---------------------------------------------------------------------------
# 1. cancel and statement_timeout in the middle of an aggregate
# ---------------------------------------------------------------------------
# victim NAME SETTINGS LONG_QUERY CHECK_QUERY: runs in one session LONG_QUERY
# (to be interrupted), then CHECK_QUERY (must print t); output in $tmp/NAME.out
victim() {
    local name=$1 settings=$2 long=$3 check=$4
    cat > "$tmp/$name.sql" <<EOF
\\set ON_ERROR_STOP 0
SET application_name = 'kpi_faults_$name';
$settings
\\echo LONG
$long;
\\echo CHECK
$check;
\\echo END
EOF
    # the long queries run for minutes if nothing interrupts them: a guard
    # bounds a failure, it is never the interruption a test looks for
    timeout 300 psql -X -qAt -d "$db" -f "$tmp/$name.sql" > "$tmp/$name.out" 2>&1 &
    VICTIM=$!
    bg+=("$VICTIM")
}

# the pid of the victim's backend once its long query has run for a moment
victim_pid() {
    local name=$1 pid i
    for i in $(seq 1 100); do
        pid=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'kpi_faults_$name' AND state = 'active'
                 AND backend_type = 'client backend' AND query LIKE '%generate_series(1, %' AND now() - query_start > interval '300 ms'")
        [ -n "$pid" ] && { echo "$pid"; return 0; }
        sleep 0.1
    done
    return 1
}

# the plans really are parallel when asked to be
plan=$(q "$PAR EXPLAIN (COSTS OFF) SELECT deal_summary(amount, won, created, closed) FROM deals, generate_series(1, 40) k")
if grep -q 'Partial Aggregate' <<<"$plan" && grep -q 'Gather' <<<"$plan"; then ok "forced-parallel plan is parallel"
else bad "forced-parallel plan is parallel" "$plan"; fi

# The queries to interrupt are long on any machine (minutes, not the 0.3 to
# 0.7 s after which they are interrupted): with 20x, a fast machine finished
# the parallel stage_history one inside its 700 ms statement_timeout.
LONG_DEAL="SELECT deal_summary(amount, won, created, closed) FROM deals, generate_series(1, 1000) k"
CHECK_DEAL="SELECT deal_summary(amount, won, created, closed)::text = '${EXPECT[deal]}' FROM deals"
LONG_FUNNEL="SELECT stage_funnel(p, $STAGES, 'ordered') FROM (SELECT deal_id, k, stage_path(stage, at, $STAGES) p FROM events, generate_series(1, 500) k GROUP BY deal_id, k) x"
CHECK_FUNNEL="SELECT stage_funnel(p, $STAGES, 'ordered')::text = '${EXPECT[funnel]}' FROM (SELECT stage_path(stage, at, $STAGES) p FROM events GROUP BY deal_id) x"
LONG_HISTORY="SELECT events(stage_history(deal_id::bigint, stage, at, $STAGES)) FROM events, generate_series(1, 500) k"
CHECK_HISTORY="SELECT md5(stage_history(deal_id::bigint, stage, at, $STAGES)::text) = '${EXPECT[history]}' FROM events"

check_victim() {   # NAME WHAT ERROR_PATTERN
    local name=$1 what=$2 pat=$3 out
    wait "$VICTIM" 2>/dev/null
    out=$(cat "$tmp/$name.out")
    if ! grep -q "$pat" <<<"$out"; then
        bad "$what" "the long query was not interrupted ($pat): $(tr '\n' ' ' <<<"$out" | cut -c1-400)"
    elif [ "$(sed -n '/^CHECK$/,/^END$/p' <<<"$out" | grep -vx 'CHECK\|END')" != t ]; then
        bad "$what" "the same session gives a wrong answer afterwards: $(tr '\n' ' ' <<<"$out" | cut -c1-400)"
    else
        ok "$what"
    fi
}

for mode in serial parallel; do
    settings=$SER; [ $mode = parallel ] && settings=$PAR
    for agg in deal funnel history; do
        case $agg in
            deal) long=$LONG_DEAL; check=$CHECK_DEAL ;;
            funnel) long=$LONG_FUNNEL; check=$CHECK_FUNNEL ;;
            history) long=$LONG_HISTORY; check=$CHECK_HISTORY ;;
        esac
        name=cancel_${agg}_$mode
        victim "$name" "$settings" "$long" "$check"
        if pid=$(victim_pid "$name"); then
            q "SELECT pg_cancel_backend($pid)" >/dev/null
            check_victim "$name" "cancel mid-aggregate ($agg, $mode)" 'canceling statement due to user request'
        else
            bad "cancel mid-aggregate ($agg, $mode)" "the long query was not seen running: $(cat "$tmp/$name.out")"
        fi
        name=timeout_${agg}_$mode
        victim "$name" "$settings SET statement_timeout = '700ms';" "$long" "RESET statement_timeout; $check"
        check_victim "$name" "statement_timeout mid-aggregate ($agg, $mode)" 'canceling statement due to statement timeout'
    done
done

# ---------------------------------------------------------------------------
# 2. hash aggregation spilling to disk equals sorted aggregation
# ---------------------------------------------------------------------------
SPILL="SET work_mem = '64kB'; SET hash_mem_multiplier = 1; SET enable_sort = off; SET max_parallel_workers_per_gather = 0;"
SORTED="SET work_mem = '64MB'; SET enable_hashagg = off; SET max_parallel_workers_per_gather = 0;"
declare -A SPILLQ
SPILLQ[deal_summary]="SELECT id % 20000 AS g, deal_summary(amount, won, created, closed)::text AS v FROM deals GROUP BY 1"
SPILLQ[stage_path]="SELECT deal_id AS g, stage_path(stage, at, $STAGES)::text AS v FROM events GROUP BY 1"
SPILLQ[stage_history]="SELECT deal_id % 3000 AS g, stage_history(deal_id::bigint, stage, at, $STAGES)::text AS v FROM events GROUP BY 1"
SPILLQ[stage_funnel]="SELECT deal_id % 5000 AS g, stage_funnel(stage, $STAGES, 'entered')::text AS v FROM events GROUP BY 1"
SPILLQ[order_summary]="SELECT customer_id AS g, order_summary(amount, at)::text AS v FROM orders GROUP BY 1"
SPILLQ[hit_ratio]="SELECT id % 20000 AS g, hit_ratio(won)::text || '/' || hit_ratio(won, amount)::text AS v FROM deals GROUP BY 1"
SPILLQ[churn_rate]="SELECT id % 5000 AS g, churn_rate(active_from, active_until, date '2023-01-01', date '2023-02-01')::text AS v FROM customers GROUP BY 1"
for agg in deal_summary stage_path stage_history stage_funnel order_summary hit_ratio churn_rate; do
    sql=${SPILLQ[$agg]}
    plan=$(q "$SPILL EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $sql")
    batches=$(grep -oE 'Batches: [0-9]+' <<<"$plan" | head -1 | grep -oE '[0-9]+')
    if ! grep -q 'HashAggregate' <<<"$plan" || [ "${batches:-0}" -le 1 ] || ! grep -q 'Disk Usage' <<<"$plan"; then
        bad "hash aggregation of $agg spills" "no spill in the plan: $(tr '\n' ' ' <<<"$plan" | cut -c1-300)"
        continue
    fi
    a=$(q "$SPILL SELECT count(*) || ':' || md5(string_agg(g || '=' || v, ';' ORDER BY g)) FROM ($sql) x")
    b=$(q "$SORTED SELECT count(*) || ':' || md5(string_agg(g || '=' || v, ';' ORDER BY g)) FROM ($sql) x")
    plan_b=$(q "$SORTED EXPLAIN (COSTS OFF) $sql")
    if grep -q HashAggregate <<<"$plan_b"; then
        bad "spilled $agg equals sorted" "the sorted plan is a hash aggregate"
    elif [ -n "$a" ] && [ "$a" = "$b" ]; then
        ok "spilled $agg equals sorted" "$batches batches, ${a%%:*} groups"
    else
        bad "spilled $agg equals sorted" "hash (spilled) $a, sorted $b"
    fi
done

# ---------------------------------------------------------------------------
# 3. kill -9 of a backend in the middle of an aggregate
# ---------------------------------------------------------------------------
STORED_COLS="id, ds, os, sp, sf, st, sh"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL || bad "storing summaries" "CREATE TABLE stored failed"
CREATE TABLE stored AS
SELECT r.rep AS id,
       (SELECT deal_summary(amount, won, created, closed) FROM deals d WHERE d.rep = r.rep) AS ds,
       (SELECT rollup(o) FROM (SELECT order_summary(amount, at) o FROM orders WHERE customer_id % 200 = r.rep GROUP BY customer_id) x) AS os,
       (SELECT stage_path(stage, at, $STAGES) FROM events WHERE deal_id = r.rep + 1) AS sp,
       (SELECT stage_funnel(p, $STAGES, 'ordered') FROM (SELECT stage_path(stage, at, $STAGES) p FROM events WHERE deal_id % 200 = r.rep GROUP BY deal_id) x) AS sf,
       (SELECT stage_times(p, $STAGES, timestamptz '2024-03-01 00:00+00', interval '5 days') FROM (SELECT stage_path(stage, at, $STAGES) p FROM events WHERE deal_id % 200 = r.rep GROUP BY deal_id) x) AS st,
       (SELECT stage_history(deal_id::bigint, stage, at, $STAGES) FROM events WHERE deal_id % 200 = r.rep) AS sh
FROM (SELECT DISTINCT rep FROM deals) r;
SQL
# the text forms, and what the accessors read from them
READERS="SELECT id, ds::text, os::text, sp::text, stage_path_final(sp)::text, sf::text, st::text, md5(sh::text),
                deals(ds), won_deals(ds), won_amount(ds), hit_ratio(ds), avg_deal_size(ds), sales_cycle_days(ds), sales_velocity(ds),
                customers(os), orders(os), revenue(os), clv(os), lifespan(os, interval '1 day'),
                (SELECT string_agg(r::text, ';') FROM stage_conversion(sf) r),
                (SELECT string_agg(r::text, ';') FROM time_in_stage(st) r),
                events(sh), stage_funnel(sh, 'ordered')::text, stage_times(sh, timestamptz '2024-03-01 00:00+00')::text
         FROM stored ORDER BY id"
q "$READERS" > "$tmp/stored.before" || bad "reading stored summaries" "the readers failed"
[ "$(wc -l < "$tmp/stored.before")" -eq 200 ] || bad "reading stored summaries" "$(wc -l < "$tmp/stored.before") rows, not 200"

victim kill9 "$PAR" "$LONG_DEAL" "SELECT 1"
if pid=$(victim_pid kill9); then
    # kill -9 from the server itself (as its OS user), whoever runs this test
    q "COPY (SELECT 1) TO PROGRAM 'kill -9 $pid'" >/dev/null 2>&1
    wait "$VICTIM" 2>/dev/null
    sleep 1
    if ! wait_ready; then
        bad "kill -9 mid-aggregate" "the server does not come back"
    else
        out=$(cat "$tmp/kill9.out")
        again=$(q "$PAR $CHECK_DEAL" 2>&1)
        again_f=$(q "$PAR $CHECK_FUNNEL" 2>&1)
        again_h=$(q "$PAR $CHECK_HISTORY" 2>&1)
        q "$READERS" > "$tmp/stored.crash" 2>&1
        if ! grep -qiE 'server closed the connection|terminat|connection to server was lost' <<<"$out"; then
            bad "kill -9 mid-aggregate" "the victim was not killed: $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
        elif [ "$again" != t ] || [ "$again_f" != t ] || [ "$again_h" != t ]; then
            bad "kill -9 mid-aggregate" "after recovery: deal_summary $again, funnel $again_f, history $again_h"
        elif ! cmp -s "$tmp/stored.before" "$tmp/stored.crash"; then
            bad "kill -9 mid-aggregate" "stored summaries differ after crash recovery: $(diff "$tmp/stored.before" "$tmp/stored.crash" | head -5)"
        else
            ok "kill -9 mid-aggregate" "recovered, answers and 200 stored rows equal"
        fi
    fi
else
    bad "kill -9 mid-aggregate" "the long query was not seen running"
fi

# ---------------------------------------------------------------------------
# 4. stored summaries survive a restart and pg_dump / pg_restore
# ---------------------------------------------------------------------------
cluster_ver=${PGVERSION:-}
if [ -z "$cluster_ver" ]; then cluster_ver=$(pg_lsclusters -h 2>/dev/null | awk '$2 == "regress" { print $1; exit }'); fi
if command -v pg_ctlcluster >/dev/null && [ -n "$cluster_ver" ] && pg_lsclusters -h 2>/dev/null | grep -q "^$cluster_ver *regress "; then
    q "CHECKPOINT" >/dev/null
    if pg_ctlcluster "$cluster_ver" regress restart -m fast >/dev/null 2>"$tmp/restart.err" && wait_ready; then
        q "$READERS" > "$tmp/stored.restart" 2>&1
        if cmp -s "$tmp/stored.before" "$tmp/stored.restart"; then ok "stored summaries survive a restart"
        else bad "stored summaries survive a restart" "$(diff "$tmp/stored.before" "$tmp/stored.restart" | head -5)"; fi
    else
        bad "stored summaries survive a restart" "pg_ctlcluster $cluster_ver regress restart failed: $(cat "$tmp/restart.err")"
        wait_ready
    fi
else
    bad "stored summaries survive a restart" "no cluster '$cluster_ver regress' to restart with pg_ctlcluster (run inside pg_virtualenv)"
fi

if pg_dump -Fc -d "$db" -t stored -f "$tmp/stored.dump" 2>"$tmp/dump.err" && createdb "$db2" &&
   psql -X -q -d "$db2" -c 'CREATE EXTENSION sales_kpi' >/dev/null &&
   pg_restore -d "$db2" --no-owner "$tmp/stored.dump" 2>>"$tmp/dump.err"; then
    QDB=$db2 q "$READERS" > "$tmp/stored.restored" 2>&1
    if cmp -s "$tmp/stored.before" "$tmp/stored.restored"; then ok "stored summaries survive pg_dump -Fc / pg_restore"
    else bad "stored summaries survive pg_dump -Fc / pg_restore" "$(diff "$tmp/stored.before" "$tmp/stored.restored" | head -5)"; fi
else
    bad "stored summaries survive pg_dump -Fc / pg_restore" "$(cat "$tmp/dump.err" | head -5)"
fi
# and the whole database, extension included, the same way
if pg_dump -Fc -d "$db" -f "$tmp/all.dump" 2>"$tmp/dump.err" && dropdb "$db2" && createdb "$db2" &&
   pg_restore -d "$db2" "$tmp/all.dump" 2>>"$tmp/dump.err"; then
    QDB=$db2 q "$READERS" > "$tmp/stored.restored2" 2>&1
    if cmp -s "$tmp/stored.before" "$tmp/stored.restored2"; then ok "a whole-database pg_dump -Fc / pg_restore keeps them"
    else bad "a whole-database pg_dump -Fc / pg_restore keeps them" "$(diff "$tmp/stored.before" "$tmp/stored.restored2" | head -5)"; fi
else
    bad "a whole-database pg_dump -Fc / pg_restore keeps them" "$(cat "$tmp/dump.err" | head -5)"
fi

echo "faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
