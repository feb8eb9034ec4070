#!/usr/bin/env python3
"""sales_kpi benchmark runner.

For each case it times, in one session and interleaved (floor, SQL, ours,
floor, SQL, ours, ...), three queries over the same rows:
  floor - count() of the same input columns (what reading them costs),
  SQL   - the best plain-SQL equivalent an analyst would write,
  ours  - the sales_kpi function.
It prints one table of medians and ratios and writes it to a markdown file.
Environment: BENCH_DB (database), BENCH_RUNS (default 5), BENCH_OUT (markdown
file to write), BENCH_DEALS (rows in deals, for the window cases).
Times are never asserted: this reports, it does not test.
Arguments: case ids to run only those.  `bench.py --check` instead verifies
that the time-in-stage SQL returns the numbers of ours (see check()); exit 1
when they differ.
"""
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys

DB = os.environ.get("BENCH_DB", "bench")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
OUT = os.environ.get("BENCH_OUT", os.path.join(os.path.dirname(__file__), "RESULTS.md"))
DEALS = int(os.environ.get("BENCH_DEALS", "10000000"))

SERIAL = "SET max_parallel_workers_per_gather = 0;"
PARALLEL = ("SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; "
            "SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;")
STAGES = "ARRAY['lead','qualified','proposal','negotiation','won']"

FLOOR4 = "count(amount), count(won), count(created_at), count(closed_at)"
SQL_VELOCITY = ("count(*) * (count(*) FILTER (WHERE won))::float8 / nullif(count(won), 0)"
                " * (avg(amount) FILTER (WHERE won))::float8"
                " / nullif(avg(extract(epoch FROM closed_at - created_at)::float8 / 86400) FILTER (WHERE won), 0)")
SQL_SUMMARY = ("count(*), count(*) FILTER (WHERE won), count(*) FILTER (WHERE NOT won), count(*) FILTER (WHERE won IS NULL),"
               " coalesce(sum(amount) FILTER (WHERE won), 0), coalesce(sum(amount) FILTER (WHERE NOT won), 0),"
               " coalesce(sum(amount) FILTER (WHERE won IS NULL), 0),"
               " (count(*) FILTER (WHERE won))::float8 / nullif(count(won), 0),"
               " sum(amount) FILTER (WHERE won) / nullif(sum(amount) FILTER (WHERE won IS NOT NULL), 0),"
               " avg(amount) FILTER (WHERE won),"
               " avg(extract(epoch FROM closed_at - created_at)::float8 / 86400) FILTER (WHERE won),"
               " sum(amount * probability) FILTER (WHERE won IS NULL)")
OURS_SUMMARY = ("deals(s), won_deals(s), lost_deals(s), open_deals(s), won_amount(s), lost_amount(s), open_amount(s),"
                " hit_ratio(s), hit_ratio_by_amount(s), avg_deal_size(s), sales_cycle_days(s), sales_velocity(s),"
                " weighted_pipeline(s)")
DS = "deal_summary(amount, won, created_at, closed_at, probability)"


def window(n, ours, sql):
    w = ("FROM deals WHERE deal_id <= %d WINDOW w AS (ORDER BY created_at "
         "RANGE BETWEEN interval '90 days' PRECEDING AND CURRENT ROW)) t" % n)
    return ("SELECT count(x) FROM (SELECT count(*) OVER w AS x " + w,
            "SELECT count(x) FROM (SELECT " + sql + " AS x " + w,
            "SELECT count(x) FROM (SELECT " + ours + " AS x " + w)


# Stage history (funnel, time in stage).  s1..s5: per deal, the earliest time it
# entered stage k after having entered stages 1..k-1 in order (the ordered funnel).
ORDERED_CHAIN = (
    " s1 AS (SELECT deal_id, min(t) t FROM e WHERE pos = 1 GROUP BY 1),"
    " s2 AS (SELECT s.deal_id, min(e.t) t FROM s1 s JOIN e ON e.deal_id = s.deal_id AND e.pos = 2 AND e.t >= s.t GROUP BY 1),"
    " s3 AS (SELECT s.deal_id, min(e.t) t FROM s2 s JOIN e ON e.deal_id = s.deal_id AND e.pos = 3 AND e.t >= s.t GROUP BY 1),"
    " s4 AS (SELECT s.deal_id, min(e.t) t FROM s3 s JOIN e ON e.deal_id = s.deal_id AND e.pos = 4 AND e.t >= s.t GROUP BY 1),"
    " s5 AS (SELECT s.deal_id, min(e.t) t FROM s4 s JOIN e ON e.deal_id = s.deal_id AND e.pos = 5 AND e.t >= s.t GROUP BY 1)")
# From PostgreSQL 17 on the planner estimates CTE scans from the CTE's column
# statistics; on this chain it then picks nested loops, which are quadratic in
# the events of a stage (minutes at 20,000 deals).  An analyst would switch them
# off for this query, so the plain SQL of the ordered chain runs with:
NO_NESTLOOP = " SET enable_nestloop = off;"
# as_of for time in stage: after the last event of bench/generate.sql (created_at
# < 2026-11-01, events at most 40 days later), so every deal is measured.
AS_OF = "timestamptz '2026-12-15 00:00+00'"
PATHS = "(SELECT stage_path(stage, entered_at, " + STAGES + ") p FROM stage_events GROUP BY deal_id) x"


def tis_ctes(as_of):
    """Time in stage in plain SQL, as CTEs ev, ds, st.  Events at or before
    as_of, NULL stage/time ignored, stages outside the list at position 6,
    in (time, position) order per deal (one sort, one WindowAgg):
      starts = first event of a visit (a run of one position),
      gap    = time to the deal's next event (NULL on its last one).
      last_run = the event is in the deal's last run (all later events of
               the deal are of its position): the open visit, if in the list.
    A visit's length is the sum of the gaps of its events, so per deal and
    stage (ds): visits, closed time = sum(gap) outside the open visit,
    closed = has a closed visit, cur = holds the deal's last event (its open
    visit), age = as_of - start of the latest visit.  Then per stage (st):
    exited deals (those with closed visits, also when back in the stage now)
    with avg / median of their closed time, current deals with their average
    age and the stale ones."""
    return ("ev AS (SELECT deal_id, pos, t, pos IS DISTINCT FROM lag(pos) OVER w AS starts, lead(t) OVER w - t AS gap,"
            " min(pos) OVER f = max(pos) OVER f AS last_run"
            " FROM (SELECT deal_id, coalesce(array_position(" + STAGES + ", stage), 6) pos, entered_at t FROM stage_events"
            " WHERE stage IS NOT NULL AND entered_at <= " + as_of + ") se"
            " WINDOW w AS (PARTITION BY deal_id ORDER BY t, pos),"
            " f AS (w ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)),"
            " ds AS (SELECT pos, (count(*) FILTER (WHERE starts))::int visits, bool_or(gap IS NULL) cur,"
            " bool_or(starts AND NOT last_run) closed,"
            " date_part('epoch', sum(gap) FILTER (WHERE NOT last_run)) / 86400 days, " + as_of + " - max(t) FILTER (WHERE starts) age"
            " FROM ev WHERE pos < 6 GROUP BY deal_id, pos),"
            " st AS (SELECT pos, sum(visits) visits, count(*) FILTER (WHERE closed) exited,"
            " avg(days) FILTER (WHERE closed) avg_days,"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FILTER (WHERE closed) median_days,"
            " count(*) FILTER (WHERE cur) cur, avg(date_part('epoch', age) / 86400) FILTER (WHERE cur) cur_days,"
            " count(*) FILTER (WHERE cur AND age > interval '30 days') stale FROM ds GROUP BY pos)")


TIS_COLS = ("coalesce(st.visits, 0) visits, coalesce(st.exited, 0) exited_deals, st.avg_days, st.median_days,"
            " coalesce(st.cur, 0) current_deals, st.cur_days avg_current_days, coalesce(st.stale, 0) stale_deals")
STAGE_ROWS = "(SELECT stage, pos::int FROM unnest(" + STAGES + ") WITH ORDINALITY u(stage, pos)) s"


def sql_time_in_stage(as_of):
    return ("WITH " + tis_ctes(as_of) + " SELECT s.stage, s.pos AS position, " + TIS_COLS +
            " FROM " + STAGE_ROWS + " LEFT JOIN st ON st.pos = s.pos ORDER BY s.pos")


def ours_time_in_stage(as_of):
    return ("SELECT t.* FROM (SELECT stage_times(p, " + STAGES + ", " + as_of + ", interval '30 days') s FROM "
            + PATHS + ") y, time_in_stage(s) t")


def sql_funnel_time_report(as_of):
    # the ordered funnel of funnel_ordered (events with a NULL time ignored, as
    # stage_path does) as an array of reached counts, beside time in stage
    return ("WITH e AS MATERIALIZED (SELECT deal_id, array_position(" + STAGES + ", stage) pos, entered_at t FROM stage_events"
            " WHERE entered_at IS NOT NULL)," + ORDERED_CHAIN + ","
            " fr AS MATERIALIZED (SELECT ARRAY[(SELECT count(*) FROM s1), (SELECT count(*) FROM s2), (SELECT count(*) FROM s3),"
            " (SELECT count(*) FROM s4), (SELECT count(*) FROM s5)] r), " + tis_ctes(as_of) +
            " SELECT s.stage, s.pos AS position, r[s.pos] reached, r[s.pos]::float8 / nullif(r[s.pos - 1], 0) step_rate,"
            " r[s.pos]::float8 / nullif(r[1], 0) cumulative_rate, r[5]::float8 / nullif(r[s.pos], 0) win_probability, " + TIS_COLS +
            " FROM " + STAGE_ROWS + " CROSS JOIN fr LEFT JOIN st ON st.pos = s.pos ORDER BY s.pos")


HISTORY = ("(SELECT stage_history(deal_id, stage, entered_at, " + STAGES + ") h FROM stage_events) y")


def ours_funnel_time_report_1level(as_of):
    return ("SELECT r.* FROM " + HISTORY + ", stage_report(stage_funnel(h, 'ordered'), stage_times(h, " + as_of +
            ", interval '30 days')) r")


def ours_funnel_time_report(as_of):
    return ("SELECT r.* FROM (SELECT stage_funnel(p, " + STAGES + ", 'ordered') f, stage_times(p, " + STAGES + ", " + as_of +
            ", interval '30 days') s FROM " + PATHS + ") y, stage_report(f, s) r")


QUARTER = "created_at >= '2026-07-01' AND created_at < '2026-10-01'"
CASES = [
    # id, description, settings, floor, sql, ours, target
    ("hit_ratio", "hit_ratio(won), 1 group", SERIAL,
     "SELECT count(won) FROM deals",
     "SELECT (count(*) FILTER (WHERE won))::float8 / nullif(count(won), 0) FROM deals",
     "SELECT hit_ratio(won) FROM deals", "ours/floor <= 1.10, SQL/ours > 1"),
    ("hit_ratio_grouped", "hit_ratio(won), 200 reps", SERIAL,
     "SELECT rep_id, count(won) FROM deals GROUP BY 1",
     "SELECT rep_id, (count(*) FILTER (WHERE won))::float8 / nullif(count(won), 0) FROM deals GROUP BY 1",
     "SELECT rep_id, hit_ratio(won) FROM deals GROUP BY 1", "ours/floor <= 1.10, SQL/ours > 1"),
    ("hit_ratio_amount", "hit_ratio(won, amount), 1 group", SERIAL,
     "SELECT count(won), count(amount) FROM deals",
     "SELECT sum(amount) FILTER (WHERE won) / nullif(sum(amount) FILTER (WHERE won IS NOT NULL), 0) FROM deals",
     "SELECT hit_ratio(won, amount) FROM deals", "ours/floor <= 1.10, SQL/ours > 1"),
    ("sales_velocity", "sales_velocity, 1 group", SERIAL,
     "SELECT " + FLOOR4 + " FROM deals", "SELECT " + SQL_VELOCITY + " FROM deals",
     "SELECT sales_velocity(amount, won, created_at, closed_at) FROM deals", "ours/floor <= 1.25, SQL/ours >= 1.3"),
    ("sales_velocity_grouped", "sales_velocity, 200 reps", SERIAL,
     "SELECT rep_id, " + FLOOR4 + " FROM deals GROUP BY 1", "SELECT rep_id, " + SQL_VELOCITY + " FROM deals GROUP BY 1",
     "SELECT rep_id, sales_velocity(amount, won, created_at, closed_at) FROM deals GROUP BY 1",
     "ours/floor <= 1.25, SQL/ours >= 1.3"),
    ("summary", "deal_summary, all 13 KPIs, 1 group", SERIAL,
     "SELECT " + FLOOR4 + ", count(probability) FROM deals", "SELECT " + SQL_SUMMARY + " FROM deals",
     "SELECT " + OURS_SUMMARY + " FROM (SELECT " + DS + " s FROM deals) x", "ours/floor <= 1.4, SQL/ours >= 2"),
    ("summary_grouped", "deal_summary, all 13 KPIs, 200 reps", SERIAL,
     "SELECT rep_id, " + FLOOR4 + ", count(probability) FROM deals GROUP BY 1",
     "SELECT rep_id, " + SQL_SUMMARY + " FROM deals GROUP BY 1",
     "SELECT rep_id, " + OURS_SUMMARY + " FROM (SELECT rep_id, " + DS + " s FROM deals GROUP BY 1) x",
     "ours/floor <= 1.4, SQL/ours >= 2"),
    ("hit_ratio_par", "hit_ratio(won), 2 workers", PARALLEL,
     "SELECT count(won) FROM deals",
     "SELECT (count(*) FILTER (WHERE won))::float8 / nullif(count(won), 0) FROM deals",
     "SELECT hit_ratio(won) FROM deals", "speed-up vs serial >= 1.6"),
    ("sales_velocity_par", "sales_velocity, 2 workers", PARALLEL,
     "SELECT " + FLOOR4 + " FROM deals", "SELECT " + SQL_VELOCITY + " FROM deals",
     "SELECT sales_velocity(amount, won, created_at, closed_at) FROM deals", "speed-up vs serial >= 1.6"),
    ("summary_par", "deal_summary, all KPIs, 2 workers", PARALLEL,
     "SELECT " + FLOOR4 + ", count(probability) FROM deals", "SELECT " + SQL_SUMMARY + " FROM deals",
     "SELECT " + OURS_SUMMARY + " FROM (SELECT " + DS + " s FROM deals) x", "speed-up vs serial >= 1.6"),
    ("quarter", "quarter dashboard, 200 reps: raw rows vs stored daily summaries", SERIAL,
     "SELECT rep_id, " + OURS_SUMMARY + " FROM (SELECT rep_id, " + DS + " s FROM deals WHERE " + QUARTER + " GROUP BY 1) x",
     "SELECT rep_id, " + SQL_SUMMARY + " FROM deals WHERE " + QUARTER + " GROUP BY 1",
     "SELECT rep_id, " + OURS_SUMMARY + " FROM (SELECT rep_id, rollup(s) s FROM daily_rep"
     " WHERE day >= '2026-07-01' AND day < '2026-10-01' GROUP BY 1) x",
     "SQL(raw)/ours(summaries) >= 20"),
    ("funnel_implied", "funnel (implied) over stage history", SERIAL,
     "SELECT count(stage), count(entered_at) FROM stage_events",
     "SELECT k, count(*) FILTER (WHERE maxpos >= k) FROM (SELECT deal_id, max(array_position(" + STAGES + ", stage)) maxpos"
     " FROM stage_events GROUP BY deal_id) d, generate_series(1, 5) k GROUP BY k",
     "SELECT (stage_conversion(stage_funnel(p, " + STAGES + "))).* FROM (SELECT stage_path(stage, entered_at, " + STAGES + ") p"
     " FROM stage_events GROUP BY deal_id) x", "SQL/ours >= 2"),
    ("funnel_ordered", "funnel (ordered) over stage history", SERIAL + NO_NESTLOOP,
     "SELECT count(stage), count(entered_at) FROM stage_events",
     "WITH e AS MATERIALIZED (SELECT deal_id, array_position(" + STAGES + ", stage) pos, entered_at t FROM stage_events),"
     + ORDERED_CHAIN +
     " SELECT (SELECT count(*) FROM s1), (SELECT count(*) FROM s2), (SELECT count(*) FROM s3), (SELECT count(*) FROM s4), (SELECT count(*) FROM s5)",
     "SELECT (stage_conversion(stage_funnel(p, " + STAGES + ", 'ordered'))).* FROM (SELECT stage_path(stage, entered_at, " + STAGES + ") p"
     " FROM stage_events GROUP BY deal_id) x", "SQL/ours >= 2"),
    ("time_in_stage", "time in stage over stage history (as_of, stale after 30 days)", SERIAL,
     "SELECT count(stage), count(entered_at), count(deal_id) FROM stage_events",
     sql_time_in_stage(AS_OF), ours_time_in_stage(AS_OF), "SQL/ours >= 2"),
    ("funnel_time_report", "funnel (ordered) + time in stage, one report", SERIAL + NO_NESTLOOP,
     "SELECT count(stage), count(entered_at), count(deal_id) FROM stage_events",
     sql_funnel_time_report(AS_OF), ours_funnel_time_report(AS_OF), "SQL/ours >= 2"),
    # issue 14: response time (SLA share, average, median, p90) and lead velocity
    ("response_time", "response_time: SLA share, avg, median, p90, 200 reps", SERIAL,
     "SELECT rep_id, count(created_at), count(responded_at) FROM leads GROUP BY 1",
     "SELECT rep_id, (count(*) FILTER (WHERE responded_at - created_at <= interval '24 hours'))::float8 / count(*),"
     " avg(extract(epoch FROM responded_at - created_at)) / 86400,"
     " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM responded_at - created_at)) / 86400,"
     " percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM responded_at - created_at)) / 86400"
     " FROM leads GROUP BY 1",
     "SELECT rep_id, sla_share(r), avg_response_days(r), median_response_days(r), response_percentile_days(r, 0.9)"
     " FROM (SELECT rep_id, response_time(created_at, responded_at, interval '24 hours') r FROM leads GROUP BY 1) x",
     "SQL/ours >= 1.3"),
    ("lead_velocity", "lead_velocity_rate over qualified_at, 1 month, 200 reps", SERIAL,
     "SELECT rep_id, count(qualified_at) FROM leads GROUP BY 1",
     "SELECT rep_id, (c - p)::float8 / nullif(p, 0) FROM (SELECT rep_id,"
     " count(*) FILTER (WHERE qualified_at >= timestamptz '2026-06-01 00:00+00' - interval '1 month'"
     " AND qualified_at < timestamptz '2026-06-01 00:00+00') c,"
     " count(*) FILTER (WHERE qualified_at >= timestamptz '2026-06-01 00:00+00' - interval '2 months'"
     " AND qualified_at < timestamptz '2026-06-01 00:00+00' - interval '1 month') p FROM leads GROUP BY 1) x",
     "SELECT rep_id, lead_velocity_rate(qualified_at, interval '1 month', timestamptz '2026-06-01 00:00+00') FROM leads GROUP BY 1",
     "SQL/ours >= 1.3"),
]
# Revenue (issue 13): MRR movements per month over 36 months, and NRR, from
# subscription rows.  The best plain SQL: MRR per (customer, active month) from a
# month series of each subscription (generate_series), lag()/lead() over each customer's months (a gap
# month is MRR 0, the month after a run of active months is a churn row), the
# first month per customer, then sums per month.  Ours: mrr_series per customer,
# revenue_summary over them, read with mrr_movements() or nrr().
REV_FROM, REV_TO = "date '2024-01-01'", "date '2026-12-01'"
REV_SERIES = ("(SELECT customer_id, mrr_series(started_at, ended_at, monthly_amount) s"
              " FROM subscriptions GROUP BY customer_id) x")
REV_FLOOR = "SELECT count(customer_id), count(started_at), count(ended_at), count(monthly_amount) FROM subscriptions"
REV_ACTIVE = (
    "WITH act AS (SELECT s.customer_id, m::date AS m, sum(s.monthly_amount) AS mrr FROM subscriptions s,"
    " LATERAL generate_series(date_trunc('month', s.started_at),"
    " least(coalesce(date_trunc('month', s.ended_at) - interval '1 month', " + REV_TO + "), " + REV_TO + "), interval '1 month') m"
    " WHERE s.monthly_amount > 0 GROUP BY 1, 2)")
SQL_MOVEMENTS = (
    REV_ACTIVE + ","
    " w AS (SELECT customer_id, m, mrr,"
    " CASE WHEN lag(m) OVER w = m - interval '1 month' THEN lag(mrr) OVER w ELSE 0 END AS prev,"
    " lead(m) OVER w IS DISTINCT FROM (m + interval '1 month')::date AS last_in_run,"
    " min(m) OVER (PARTITION BY customer_id) AS first_m FROM act WINDOW w AS (PARTITION BY customer_id ORDER BY m)),"
    " r AS (SELECT m AS month, mrr, prev, first_m FROM w"
    " UNION ALL SELECT (m + interval '1 month')::date, 0, mrr, first_m FROM w WHERE last_in_run)"
    " SELECT month, sum(mrr), count(*) FILTER (WHERE mrr > 0),"
    " coalesce(sum(mrr) FILTER (WHERE prev = 0 AND month = first_m), 0),"
    " coalesce(sum(mrr - prev) FILTER (WHERE prev > 0 AND mrr > prev), 0),"
    " coalesce(sum(prev - mrr) FILTER (WHERE mrr > 0 AND mrr < prev), 0),"
    " coalesce(sum(prev) FILTER (WHERE mrr = 0), 0),"
    " coalesce(sum(mrr) FILTER (WHERE prev = 0 AND month > first_m), 0),"
    " count(*) FILTER (WHERE prev = 0 AND month = first_m), count(*) FILTER (WHERE prev > 0 AND mrr > prev),"
    " count(*) FILTER (WHERE mrr > 0 AND mrr < prev), count(*) FILTER (WHERE mrr = 0),"
    " count(*) FILTER (WHERE prev = 0 AND month > first_m)"
    " FROM r WHERE month >= " + REV_FROM + " AND month <= " + REV_TO + " GROUP BY month ORDER BY month")
OURS_MOVEMENTS = ("SELECT month, mrr, customers, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr,"
                  " new_customers, expansion_customers, contraction_customers, churned_customers, reactivated_customers"
                  " FROM mrr_movements((SELECT revenue_summary(s, " + REV_FROM + ", " + REV_TO + ") FROM " + REV_SERIES + "))")
# NRR 2025-12 -> 2026-12: one scan, MRR of each customer in both months
SQL_NRR = ("SELECT sum(b) / sum(a) FROM (SELECT customer_id,"
           " sum(monthly_amount) FILTER (WHERE date_trunc('month', started_at) <= '2025-12-01'"
           " AND (ended_at IS NULL OR date_trunc('month', ended_at) > '2025-12-01')) a,"
           " coalesce(sum(monthly_amount) FILTER (WHERE date_trunc('month', started_at) <= '2026-12-01'"
           " AND (ended_at IS NULL OR date_trunc('month', ended_at) > '2026-12-01')), 0) b"
           " FROM subscriptions GROUP BY customer_id) x WHERE a > 0")
OURS_NRR = "SELECT nrr(revenue_summary(s, " + REV_FROM + ", " + REV_TO + "), '2025-12-01', '2026-12-01') FROM " + REV_SERIES
CASES += [
    ("revenue_movements", "MRR movements per month, 36 months, from subscriptions", SERIAL + " SET work_mem = '512MB';",
     REV_FLOOR, SQL_MOVEMENTS, OURS_MOVEMENTS, "SQL/ours >= 5"),
    ("revenue_movements_par", "MRR movements per month, 36 months, 2 workers", PARALLEL + " SET work_mem = '512MB';",
     REV_FLOOR, SQL_MOVEMENTS, OURS_MOVEMENTS, "SQL/ours >= 5"),
    ("revenue_nrr", "NRR over 12 months from subscriptions (the summary computes every month and pair)",
     SERIAL + " SET work_mem = '512MB';", REV_FLOOR, SQL_NRR, OURS_NRR, "reported"),
]

# The one-level form (stage_history) is timed in the same interleaved runs
# as the two-level form of the stage-history cases (floor, SQL, ours,
# ours one-level, ...), so the expensive SQL runs once; it is reported as
# its own row "<case>_1level".
ONE_LEVEL = {
    "funnel_implied": "SELECT (stage_conversion(stage_funnel(h))).* FROM " + HISTORY,
    "funnel_ordered": "SELECT (stage_conversion(stage_funnel(h, 'ordered'))).* FROM " + HISTORY,
    "time_in_stage": "SELECT t.* FROM " + HISTORY + ", time_in_stage(stage_times(h, " + AS_OF + ", interval '30 days')) t",
    "funnel_time_report": ours_funnel_time_report_1level(AS_OF),
}
for n, label in ((DEALS // 10, "1M"), (DEALS * 4 // 10, "4M")):
    f, s, o = window(n, "hit_ratio(won) OVER w",
                     "(count(*) FILTER (WHERE won) OVER w)::float8 / nullif(count(won) OVER w, 0)")
    CASES.append(("window_hit_ratio_" + label, "rolling 90-day hit_ratio, %d rows" % n, SERIAL + " SET work_mem = '512MB';",
                  f, s, o, "time(4M)/time(1M) <= 4.4, not slower than SQL"))
    f, s, o = window(n, "sales_velocity(amount, won, created_at, closed_at) OVER w",
                     "count(*) OVER w * ((count(*) FILTER (WHERE won) OVER w)::float8 / nullif(count(won) OVER w, 0))"
                     " * (avg(amount) FILTER (WHERE won) OVER w)::float8"
                     # numeric avg: PostgreSQL's avg(float8) has no inverse transition,
                     # so a float average would recompute every frame (quadratic)
                     " / nullif((avg(extract(epoch FROM closed_at - created_at)) FILTER (WHERE won) OVER w)::float8 / 86400, 0)")
    CASES.append(("window_velocity_" + label, "rolling 90-day sales_velocity, %d rows" % n, SERIAL + " SET work_mem = '512MB';",
                  f, s, o, "time(4M)/time(1M) <= 4.4, not slower than SQL"))


def psql(script):
    r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", DB],
                       input=script, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("psql failed: " + r.stderr)
    return r.stdout


def run_case(settings, floor, sql, *ours):
    qs = (floor, sql) + ours
    script = [settings, "\\o /dev/null", "\\timing on"]
    for _ in range(RUNS):
        script += [q + ";" for q in qs]
    out = psql("\n".join(script) + "\n")
    t = [float(x) for x in re.findall(r"Time: ([0-9.]+) ms", out)]
    if len(t) != len(qs) * RUNS:
        sys.exit("unexpected timing output: " + out)
    return [statistics.median(t[i::len(qs)]) for i in range(len(qs))]


# --check: the time-in-stage SQL must give the numbers of ours.  Integers and
# texts equal, averages and rates to 1e-9 relative, ours' median within 1/128
# of the exact one (it comes from a histogram).  Over the benchmark's
# stage_events and over random histories with re-entries, stages outside the
# list, NULL stages and times, and many events at one instant (a temporary
# table shadowing stage_events); each at the benchmark's as_of and at one that
# cuts the histories.
CHECK_AS_OF = (AS_OF, "timestamptz '2025-09-01 00:00+00'")
CHECK_DATA = (
    ("benchmark data", ""),
    ("random histories",
     "SELECT setseed(0.25) \\g /dev/null\n"
     "CREATE TEMP TABLE stage_events AS SELECT d AS deal_id,"
     " (ARRAY['lead','qualified','proposal','negotiation','won','lost','on hold',NULL])[1 + floor(random() * 8)::int] AS stage,"
     " CASE WHEN random() >= 0.03 THEN timestamptz '2025-06-01 00:00+00' + make_interval(days => floor(random() * 150)::int,"
     " secs => CASE WHEN random() < 0.5 THEN 0 ELSE floor(random() * 86400) END) END AS entered_at"
     " FROM generate_series(1, 3000) d, generate_series(1, 1 + d % 9) i;\n"
     "ANALYZE stage_events;\n"),
)
TIS_KINDS = "iiiamiai"  # after stage: position, visits, exited, avg, median, current, avg_current, stale


def rows_differ(kinds, a, b):
    """None when the rows agree, else a description; also the median's relative deviation."""
    worst = 0.0
    if len(a) != len(b) or not a:
        return "%d rows vs %d rows" % (len(a), len(b)), worst
    for ra, rb in zip(a, b):
        fa, fb = ra.split("|"), rb.split("|")
        if len(fa) != len(kinds) + 1 or len(fb) != len(fa) or fa[0] != fb[0]:
            return "row %r vs %r" % (ra, rb), worst
        for k, x, y in zip(kinds, fa[1:], fb[1:]):
            if x == "" or y == "" or k == "i":
                ok = x == y
            else:
                x, y = float(x), float(y)
                if k == "m":
                    ok = abs(x - y) <= abs(x) / 128 + 1e-12
                    if x:
                        worst = max(worst, abs(x - y) / abs(x))
                else:
                    ok = abs(x - y) <= 1e-9 * max(abs(x), abs(y))
            if not ok:
                return "SQL %r vs ours %r" % (ra, rb), worst
    return None, worst


def check():
    failed = 0
    for data, setup in CHECK_DATA:
        for as_of in CHECK_AS_OF:
            for cid, kinds, sql, ours in (
                    ("time_in_stage", TIS_KINDS, sql_time_in_stage(as_of), ours_time_in_stage(as_of)),
                    ("funnel_time_report", "iiaaa" + TIS_KINDS[1:], sql_funnel_time_report(as_of),
                     ours_funnel_time_report(as_of)),
                    ("report_1level", "iiaaa" + TIS_KINDS[1:], sql_funnel_time_report(as_of),
                     ours_funnel_time_report_1level(as_of))):
                out = psql(setup + NO_NESTLOOP + sql + ";\n\\echo @@\n" + ours + ";\n")
                a, b = out.split("@@\n")
                err, worst = rows_differ(kinds, a.split("\n")[:-1], b.split("\n")[:-1])
                print("%-18s %-16s as_of %s: %s" % (cid, data, as_of.split("'")[1],
                      "MISMATCH " + err if err else "ok (median within %.5f)" % worst))
                failed += err is not None
    # revenue: the plain-SQL movements equal ours, exactly (as decimals)
    from decimal import Decimal
    out = psql(SQL_MOVEMENTS + ";\n\\echo @@\n" + OURS_MOVEMENTS + ";\n")
    a, b = out.split("@@\n")
    ra = [[Decimal(x) if i else x for i, x in enumerate(r.split("|"))] for r in a.split("\n")[:-1]]
    rb = [[Decimal(x) if i else x for i, x in enumerate(r.split("|"))] for r in b.split("\n")[:-1]]
    ok = ra == rb and len(ra) == 36
    print("%-18s %-16s: %s" % ("revenue_movements", "benchmark data", "ok (36 months)" if ok else
          "MISMATCH %d vs %d rows, first difference %r" % (len(ra), len(rb), next((x for x in zip(ra, rb) if x[0] != x[1]), None))))
    failed += not ok
    if failed:
        print("check FAILED: %d comparisons differ" % failed)
    return 1 if failed else 0


def main():
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    only = set(sys.argv[1:])
    version = psql("SELECT version()").strip()
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    sizes = psql("SELECT (SELECT count(*) FROM deals) || ' deals, ' || (SELECT count(*) FROM stage_events)"
                 " || ' stage events, ' || (SELECT count(*) FROM orders) || ' orders, ' || (SELECT count(*) FROM daily_rep)"
                 " || ' daily summaries, ' || (SELECT count(*) FROM subscriptions) || ' subscriptions of '"
                 " || (SELECT count(DISTINCT customer_id) FROM subscriptions) || ' customers'").strip()
    mem = psql("SELECT 'deal_summary ' || pg_column_size(s) || ' bytes per group (fixed)' FROM (SELECT " + DS +
               " s FROM deals WHERE deal_id <= 1000) x;"
               "SELECT 'stage_path ' || round(avg(pg_column_size(p)), 1) || ' bytes per deal on average' FROM"
               " (SELECT stage_path(stage, entered_at, " + STAGES + ") p FROM stage_events WHERE deal_id <= 100000 GROUP BY deal_id) x;"
               "SELECT 'mrr_series ' || round(avg(pg_column_size(s)), 1) || ' bytes per customer on average' FROM " + REV_SERIES + ";"
               "SELECT 'revenue_summary ' || pg_column_size(revenue_summary(s, " + REV_FROM + ", " + REV_TO + ")) || ' bytes (36 months, fixed)'"
               " FROM " + REV_SERIES).split("\n")
    rows = []
    results = {}
    for cid, desc, settings, floor, sql, ours, target in CASES:
        if only and cid not in only:
            continue
        extra = (ONE_LEVEL[cid],) if cid in ONE_LEVEL else ()
        t = run_case(settings, floor, sql, ours, *extra)
        f, s = t[0], t[1]
        for rid, rdesc, o in [(cid, desc, t[2])] + [(cid + "_1level", desc + ", one-level form (stage_history), same runs", x)
                                                     for x in t[3:]]:
            results[rid] = (f, s, o)
            rows.append((rid, rdesc, f, s, o, target))
            print("%-26s floor %9.1f ms  SQL %9.1f ms  ours %9.1f ms  ours/floor %5.2f  SQL/ours %5.2f" %
                  (rid, f, s, o, o / f, s / o), flush=True)

    derived = []
    for par, ser in (("hit_ratio_par", "hit_ratio"), ("sales_velocity_par", "sales_velocity"), ("summary_par", "summary")):
        if par in results and ser in results:
            derived.append("| %s | 2 workers vs serial | floor (built-in count) %.2fx, SQL %.2fx, ours %.2fx | >= 1.6 and >= built-in |" %
                           (ser, results[ser][0] / results[par][0], results[ser][1] / results[par][1],
                            results[ser][2] / results[par][2]))
    for w in ("window_hit_ratio", "window_velocity"):
        a, b = results.get(w + "_1M"), results.get(w + "_4M")
        if a and b:
            derived.append("| %s | time(4M)/time(1M) | ours %.2f, SQL %.2f | <= 4.4 |" % (w, b[2] / a[2], b[1] / a[1]))
    if "quarter" in results:
        q = results["quarter"]
        derived.append("| quarter | raw SQL / stored summaries | %.1fx (raw deal_summary / summaries %.1fx) | >= 20 |" %
                       (q[1] / q[2], q[0] / q[2]))

    lines = ["# sales_kpi benchmark results", "",
             "- date: %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
             "- PostgreSQL: %s" % version, "- CPU: %s (%d cores), %s" % (cpu, os.cpu_count() or 0, platform.machine()),
             "- data: %s" % sizes, "- runs: %d per query, interleaved floor/SQL/ours (/ours one-level for stage history), medians" % RUNS,
             "- memory: " + "; ".join(m for m in mem if m), "",
             "floor = count() of the same input columns over the same rows; SQL = the plain-SQL equivalent;"
             " ours = sales_kpi. For `quarter`, floor = deal_summary over the raw rows.", "",
             "| case | what | floor ms | SQL ms | ours ms | ours/floor | SQL/ours | target |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for cid, desc, f, s, o, target in rows:
        lines.append("| %s | %s | %.1f | %.1f | %.1f | %.2f | %.2f | %s |" % (cid, desc, f, s, o, o / f, s / o, target))
    if derived:
        lines += ["", "| case | ratio | measured | target |", "|---|---|---|---|"] + derived
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
