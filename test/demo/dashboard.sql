-- The sales_kpi demo dashboard: reads the sample CRM made by
-- test/demo/generate.sql and prints the KPIs as plain psql tables.
-- Every KPI comes from the extension; plain SQL only picks rows, joins names
-- and rounds for reading (ratios in %, money in whole units, days to 0.1).

\pset footer off
\pset null '-'
\pset border 1
SET TimeZone = 'UTC';
\set today '''2026-11-01'''
\set stages 'ARRAY[''lead'',''qualified'',''proposal'',''negotiation'',''won'']'
-- the stages a deal waits in; won and closed lost end a visit (terminal)
\set open_stages 'ARRAY[''lead'',''qualified'',''proposal'',''negotiation'']'

-- display helpers: right-aligned text of a fixed width, with thousands
-- separators (money) or an explicit sign (differences); NULL stays NULL
CREATE FUNCTION pg_temp.money(x numeric, width int) RETURNS text
LANGUAGE sql IMMUTABLE AS 'SELECT lpad(to_char(round(x), ''FM999,999,999,990''), width)';
CREATE FUNCTION pg_temp.delta(x float8, decimals int, width int) RETURNS text
LANGUAGE sql IMMUTABLE AS
'SELECT lpad(CASE WHEN round(x::numeric, decimals) > 0 THEN ''+'' ELSE '''' END
             || to_char(round(x::numeric, decimals), CASE WHEN decimals = 0 THEN ''FM999,999,990'' ELSE ''FM999,990.'' || repeat(''0'', decimals) END), width)';

\echo
\echo '================================================================================'
\echo ' SALES KPI DASHBOARD                                        as of 2026-11-01'
\echo '================================================================================'

------------------------------------------------------------------------------
\echo
\echo '== 1. Sales reps: pipeline, the four velocity parameters, and the team benchmark =='
\echo '   open = open offers, pipeline = their amount; avg won = average won order'
\echo '   value; hit = closing percentage (won / decided); cycle = days from created'
\echo '   to won; velocity = expected revenue per day from the open offers'
\echo '   = open x hit ratio x avg won / cycle.'
\echo '   TEAM BENCHMARK = all deals of the team merged (rollup); +/- = the rep minus'
\echo '   the own team''s benchmark (hit in percentage points, cycle in days).'
\echo '   Benchmark rows show open, pipeline and velocity per rep; ALL REPS = every'
\echo '   deal merged.'
-- per rep: one deal_summary; the benchmarks: the summaries merged with
-- rollup() as window functions, per team and over all reps
WITH per_rep AS (
  SELECT r.team, r.name AS rep,
         deal_summary(d.amount, d.won, d.created_at, d.closed_at) AS s
  FROM deals d JOIN reps r USING (rep_id)
  GROUP BY r.team, r.rep_id, r.name
), bench AS (
  SELECT team, rep, s,
         rollup(s) OVER (PARTITION BY team) AS team_s,
         count(*) OVER (PARTITION BY team) AS team_reps,
         rollup(s) OVER () AS all_s,
         count(*) OVER () AS all_reps
  FROM per_rep
), lines AS (
  -- k: 1 for a rep, 1 / reps for a benchmark (its pipeline and velocity are
  -- per rep); b, bk: the rep's team benchmark to compare with
  SELECT team, 1 AS ord, rep, s, 1.0 AS k, team_s AS b, 1.0 / team_reps AS bk FROM bench
  UNION ALL
  SELECT DISTINCT ON (team) team, 2, 'TEAM BENCHMARK', team_s, 1.0 / team_reps, NULL::deal_summary, NULL FROM bench
  UNION ALL
  (SELECT 'all teams', 3, 'ALL REPS', all_s, 1.0 / all_reps, NULL::deal_summary, NULL FROM bench LIMIT 1)
), kpi AS (
  SELECT team, ord, rep,
         open_deals(s) * k AS open, open_amount(s) * k AS open_amount,
         avg_deal_size(s) AS avg_won, hit_ratio(s) AS hit, sales_cycle_days(s) AS cycle,
         sales_velocity(s) * k AS velocity,
         hit_ratio(b) AS b_hit, sales_cycle_days(b) AS b_cycle,
         sales_velocity(b) * bk AS b_velocity
  FROM lines
)
SELECT team AS "team", rep AS "rep",
       round(open, 0) AS "open",
       pg_temp.money(open_amount, 9) AS "pipeline",
       pg_temp.money(avg_won, 7) AS "avg won",
       round(100 * hit::numeric, 1) AS "hit %",
       pg_temp.delta(100 * (hit - b_hit), 1, 6) AS "+/- pp",
       round(cycle::numeric, 1) AS "cycle d",
       pg_temp.delta(cycle - b_cycle, 1, 6) AS "+/- d",
       pg_temp.money(velocity::numeric, 8) AS "velocity",
       pg_temp.delta(velocity - b_velocity, 0, 7) AS "+/-"
FROM kpi
ORDER BY CASE kpi.team WHEN 'all teams' THEN 2 ELSE 1 END, kpi.team, kpi.ord, kpi.velocity DESC;

------------------------------------------------------------------------------
\echo
\echo '== 2. Teams: plain aggregates straight over the deal rows =='
\echo '   hit % = hit_ratio(won); by amount = hit_ratio(won, amount), the share of the'
\echo '   decided money that was won; velocity/day = sales_velocity(amount, won,'
\echo '   created_at, closed_at): the open deals at the rates of the decided ones'
\echo '   (compare: won revenue per day).'
SELECT coalesce(r.team, 'all teams') AS "team", count(DISTINCT r.rep_id) AS "reps", count(*) AS "deals",
       count(*) FILTER (WHERE d.won) AS "won", count(*) FILTER (WHERE NOT d.won) AS "lost",
       count(*) FILTER (WHERE d.won IS NULL) AS "open",
       round(100 * hit_ratio(d.won)::numeric, 1) AS "hit %",
       round(100 * hit_ratio(d.won, d.amount)::numeric, 1) AS "by amount %",
       pg_temp.money(sum(d.amount) FILTER (WHERE d.won), 11) AS "won revenue",
       pg_temp.money(sum(d.amount) FILTER (WHERE d.won) / 730, 9) AS "won/day",
       pg_temp.money(sales_velocity(d.amount, d.won, d.created_at, d.closed_at)::numeric, 12) AS "velocity/day"
FROM deals d JOIN reps r USING (rep_id)
GROUP BY ROLLUP (r.team)
ORDER BY r.team NULLS LAST;

------------------------------------------------------------------------------
\echo
\echo '== 3. Stage funnel from the stage history (deals reaching each stage) =='
\echo '   implied: a later stage implies the earlier ones; entered: the stage itself was'
\echo '   entered; ordered: stages 1..k entered in funnel order (loops do not count twice).'
\echo '   step % = reached / reached at the previous stage; cum % = reached / leads.'
WITH paths AS (
  SELECT deal_id, stage_path(stage, entered_at, :stages) AS p
  FROM deal_stage_history GROUP BY deal_id
), f AS (
  SELECT stage_funnel(p, :stages, 'implied') AS fi,
         stage_funnel(p, :stages, 'entered') AS fe,
         stage_funnel(p, :stages, 'ordered') AS fo
  FROM paths
), one_level AS (
  -- the same funnel from deals.stage alone (one row per deal, furthest stage)
  SELECT stage_funnel(stage, :stages) AS fd FROM deals
)
SELECT i.position AS "#", i.stage AS "stage",
       i.reached AS "implied", round(100 * i.step_rate::numeric, 1) AS "step %",
       e.reached AS "entered", round(100 * e.step_rate::numeric, 1) AS "step %",
       o.reached AS "ordered", round(100 * o.step_rate::numeric, 1) AS "step %",
       round(100 * o.cumulative_rate::numeric, 1) AS "cum %",
       d.reached AS "from deals.stage"
FROM f, one_level,
     LATERAL stage_conversion(f.fi) i
     JOIN LATERAL stage_conversion(f.fe) e ON e.position = i.position
     JOIN LATERAL stage_conversion(f.fo) o ON o.position = i.position
     JOIN LATERAL stage_conversion(one_level.fd) d ON d.position = i.position
ORDER BY i.position;

WITH f AS (
  SELECT stage_funnel(p, :stages, 'ordered') AS fo
  FROM (SELECT stage_path(stage, entered_at, :stages) AS p FROM deal_stage_history GROUP BY deal_id) x
)
SELECT round(100 * stage_conversion(fo, 'lead', 'won')::numeric, 1) AS "lead -> won %",
       round(100 * stage_conversion(fo, 'proposal', 'won')::numeric, 1) AS "proposal -> won %",
       deals(fo) AS "deals in funnel", outside_deals(fo) AS "outside the stages",
       (SELECT count(DISTINCT deal_id) FROM (SELECT deal_id FROM deal_stage_history GROUP BY deal_id, stage HAVING count(*) > 1) l)
         AS "deals with a loop"
FROM f;

------------------------------------------------------------------------------
\echo
\echo '== 4. Time in stage, as of 2026-11-01 (won and closed lost end a visit) =='
\echo '   visits = entries into the stage, loops back included; exited = deals that'
\echo '   left it, with their days there (a re-entry adds to the same deal): avg and'
\echo '   median; now = deals whose open visit is in the stage, age = its mean age in'
\echo '   days today; stale = of those, in the stage for more than 30 days.'
\echo '   visits - exited - now = re-entries.'
-- per deal one stage_path, then one stage_times as of today (the type of
-- entered_at, timestamptz) with a 30-day staleness limit
WITH t AS (
  SELECT stage_times(p, :open_stages, timestamptz :today, interval '30 days') AS s
  FROM (SELECT stage_path(stage, entered_at, :open_stages) AS p FROM deal_stage_history GROUP BY deal_id) x
)
SELECT r.position AS "#", r.stage AS "stage", r.visits AS "visits", r.exited_deals AS "exited",
       round(r.avg_days::numeric, 1) AS "avg days", round(r.median_days::numeric, 1) AS "median days",
       r.current_deals AS "now", round(r.avg_current_days::numeric, 1) AS "age days",
       r.stale_deals AS "stale >30d"
FROM t, time_in_stage(t.s) r
ORDER BY r.position;

------------------------------------------------------------------------------
\echo
\echo '== 5. Customers: monthly churn and retention, last 12 months =='
\echo '   churn = customers active at the month start who left during the month,'
\echo '   churn_rate(active_from, active_until, month start, next month start).'
WITH months AS (
  SELECT m::date AS p0, (m + interval '1 month')::date AS p1
  FROM generate_series(date :today - interval '12 months', date :today - interval '1 month', interval '1 month') m
)
SELECT to_char(m.p0, 'YYYY-MM') AS "month",
       count(*) FILTER (WHERE c.active_from <= m.p0 AND (c.active_until IS NULL OR c.active_until > m.p0)) AS "active at start",
       count(*) FILTER (WHERE c.active_from > m.p0 AND c.active_from < m.p1) AS "new",
       count(*) FILTER (WHERE c.active_from <= m.p0 AND c.active_until > m.p0 AND c.active_until <= m.p1) AS "churned",
       round(100 * churn_rate(c.active_from, c.active_until, m.p0, m.p1)::numeric, 1) AS "churn %",
       round(100 * retention_rate(c.active_from, c.active_until, m.p0, m.p1)::numeric, 1) AS "retention %",
       pg_temp.money(sum(c.mrr) FILTER (WHERE c.active_from <= m.p0 AND (c.active_until IS NULL OR c.active_until > m.p0)), 12)
         AS "MRR at start"
FROM months m CROSS JOIN customers c
GROUP BY m.p0, m.p1
ORDER BY m.p0;

------------------------------------------------------------------------------
\echo
\echo '== 6. Customer lifetime value =='
\echo '   a) historic, from the orders: order_summary per customer, rolled up per'
\echo '      start cohort and over all customers; CLV = revenue per customer so far;'
\echo '      orders/month = orders per customer-month observed (each customer from'
\echo '      their first purchase to the last purchase of the group); lifespan ='
\echo '      first to last purchase of each customer, averaged.'
WITH per_customer AS (
  SELECT customer_id, order_summary(amount, purchased_at) AS s
  FROM orders GROUP BY customer_id
), cohorts AS (
  SELECT to_char(date_trunc('quarter', c.active_from), 'YYYY-"Q"Q') AS cohort, rollup(pc.s) AS s
  FROM per_customer pc JOIN customers c USING (customer_id)
  GROUP BY GROUPING SETS ((1), ())
)
SELECT coalesce(cohort, 'all') AS "started", customers(s) AS "customers", orders(s) AS "orders",
       pg_temp.money(revenue(s), 10) AS "revenue",
       round(avg_purchase_value(s), 2) AS "avg order",
       round(purchase_frequency(s, interval '1 month')::numeric, 2) AS "orders/month",
       round(lifespan(s, interval '1 month')::numeric, 1) AS "lifespan months",
       round(clv(s), 2) AS "historic CLV"
FROM cohorts
ORDER BY cohort NULLS LAST;

\echo '   b) forward-looking: SaaS CLV = ARPA / monthly churn (ARPA = average MRR of'
\echo '      the customers active today), and the textbook form avg purchase value x'
\echo '      purchases per month x retention months (retention = observed lifespan).'
WITH churn AS (
  SELECT churn_rate(active_from, active_until, (date :today - interval '1 month')::date, date :today) AS last_month
  FROM customers
), churn12 AS (
  SELECT avg(r) AS avg_12 FROM (
    SELECT churn_rate(c.active_from, c.active_until, m::date, (m + interval '1 month')::date) AS r
    FROM generate_series(date :today - interval '12 months', date :today - interval '1 month', interval '1 month') m
    CROSS JOIN customers c GROUP BY m) x
), arpa AS (
  SELECT avg(mrr) AS arpa FROM customers WHERE active_from <= date :today AND active_until IS NULL
), all_s AS (
  SELECT rollup(s) AS s FROM (SELECT order_summary(amount, purchased_at) AS s FROM orders GROUP BY customer_id) x
)
SELECT round(arpa, 2) AS "ARPA",
       round(100 * last_month::numeric, 1) AS "churn last month %",
       pg_temp.money(clv(arpa, last_month), 9) AS "SaaS CLV",
       round(100 * avg_12::numeric, 1) AS "churn 12m avg %",
       pg_temp.money(clv(arpa, avg_12), 14) AS "SaaS CLV (12m)",
       round(clv(avg_purchase_value(s), purchase_frequency(s, interval '1 month')::numeric,
                 lifespan(s, interval '1 month')::numeric), 2) AS "textbook CLV"
FROM churn, churn12, arpa, all_s;
\echo '   (textbook CLV uses the "all" row of a); its lifespan is the observed one, so it'
\echo '   stays below the historic CLV while customers are still active.)'

------------------------------------------------------------------------------
-- issue 14: prospecting, follow-up, targets and forecast
------------------------------------------------------------------------------
\echo
\echo '== 7. Prospecting, last 90 days: activities, reach and response time per rep =='
\echo '   calls / e-mails / meetings = activity_summary(type, outcome); call % = calls'
\echo '   of the attempts (calls + e-mails); reach % = attempts reaching a decision'
\echo '   maker (seed target 30%), lead % = attempts producing a lead (seed target 5%);'
\echo '   resp <=24h % = leads answered within 24 hours (unanswered = a miss), median'
\echo '   and p90 hours from lead created to the first attempt (response_time).'
\echo '   TEAM BENCHMARK = the team''s summaries merged with rollup().'
WITH period AS (SELECT timestamptz '2026-11-01 00:00+00' - interval '90 days' AS p0, timestamptz '2026-11-01 00:00+00' AS p1),
act AS (
  SELECT a.rep_id, activity_summary(a.type, a.outcome) AS s
  FROM activities a, period WHERE a.at >= p0 AND a.at < p1 GROUP BY a.rep_id
), resp AS (
  SELECT l.rep_id, response_time(l.created_at, f.first_at, interval '24 hours') AS r
  FROM leads l CROSS JOIN period
  LEFT JOIN LATERAL (SELECT min(a.at) AS first_at FROM activities a
                     WHERE a.lead_id = l.lead_id AND a.at >= l.created_at AND a.type IN ('call', 'email')) f ON true
  WHERE l.created_at >= p0 AND l.created_at < p1 GROUP BY l.rep_id
), per_rep AS (
  SELECT r.team, r.name AS rep, act.s, resp.r
  FROM reps r LEFT JOIN act USING (rep_id) LEFT JOIN resp USING (rep_id)
), lines AS (
  SELECT team, 1 AS ord, rep, s, r FROM per_rep
  UNION ALL
  SELECT team, 2, 'TEAM BENCHMARK', rollup(s), rollup(r) FROM per_rep GROUP BY team
)
SELECT team AS "team", rep AS "rep", calls(s) AS "calls", emails(s) AS "e-mails", meetings(s) AS "meetings",
       round(100 * call_share(s)::numeric, 1) AS "call %",
       round(100 * reach_ratio(s)::numeric, 1) AS "reach %", round(100 * lead_rate(s)::numeric, 1) AS "lead %",
       leads(r) AS "new leads", round(100 * sla_share(r)::numeric, 1) AS "resp <=24h %",
       round((24 * median_response_days(r))::numeric, 1) AS "median h",
       round((24 * response_percentile_days(r, 0.9))::numeric, 1) AS "p90 h"
FROM lines ORDER BY team, ord, rep;
\echo '   the activity funnel of all reps against the seed''s targets (30% conversations,'
\echo '   5% leads per attempt):'
SELECT f.step AS "step", f.count AS "count", round(100 * f.step_rate::numeric, 1) AS "step %",
       round(100 * f.cumulative_rate::numeric, 1) AS "per attempt %", round(100 * f.target_rate::numeric, 1) AS "target %"
FROM (SELECT activity_summary(type, outcome) AS s FROM activities
      WHERE at >= timestamptz '2026-11-01 00:00+00' - interval '90 days') x, activity_funnel(x.s, ARRAY[0.30, 0.05]) f;

------------------------------------------------------------------------------
\echo
\echo '== 8. Follow-up of the leads of the last 90 days, and lead velocity =='
\echo '   lead_followup per lead (its calls and e-mails), followup_summary per rep,'
\echo '   rolled up per team.  never % = leads without any attempt; abandoned % ='
\echo '   never reached after 1..2 attempts; attempts = average attempts until the'
\echo '   first contact; first try h = average hours to the first attempt; >4/day ='
\echo '   leads called more than 4 times on one day; prior = attempts before the lead'
\echo '   existed (not counted).  SQL = sales-qualified leads in October; LVR % ='
\echo '   lead velocity rate, October against September.'
WITH per_lead AS (
  SELECT l.rep_id, lead_followup(l.created_at, a.at, a.outcome IN ('conversation', 'lead')) AS f
  FROM leads l LEFT JOIN activities a ON a.lead_id = l.lead_id AND a.type IN ('call', 'email')
  WHERE l.created_at >= timestamptz '2026-11-01 00:00+00' - interval '90 days'
  GROUP BY l.lead_id, l.rep_id
), per_rep AS (
  SELECT r.team, followup_summary(p.f) AS s FROM per_lead p JOIN reps r USING (rep_id) GROUP BY r.team, r.rep_id
), qual AS (
  SELECT r.team, count(*) FILTER (WHERE l.qualified_at >= '2026-10-01' AND l.qualified_at < '2026-11-01') AS sql_oct,
         lead_velocity_rate(l.qualified_at, interval '1 month', timestamptz '2026-11-01 00:00+00') AS lvr
  FROM leads l JOIN reps r USING (rep_id) GROUP BY GROUPING SETS ((r.team), ())
), teams AS (
  SELECT team, rollup(s) AS s FROM per_rep GROUP BY GROUPING SETS ((team), ())
)
SELECT coalesce(t.team, 'all teams') AS "team", leads(t.s) AS "leads",
       round(100 * never_followed_up_share(t.s)::numeric, 1) AS "never %",
       round(100 * abandoned_share(t.s, 2)::numeric, 1) AS "abandoned %",
       round(avg_attempts_to_contact(t.s)::numeric, 2) AS "attempts",
       round((24 * avg_days_to_first_attempt(t.s))::numeric, 1) AS "first try h",
       over_contacted_leads(t.s, 4) AS ">4/day", prior_activities(t.s) AS "prior",
       q.sql_oct AS "SQL Oct", round(100 * q.lvr::numeric, 1) AS "LVR %"
FROM teams t JOIN qual q ON q.team IS NOT DISTINCT FROM t.team
ORDER BY t.team NULLS LAST;

------------------------------------------------------------------------------
\echo
\echo '== 9. Targets 2026: October attainment and Q4 pacing per rep =='
\echo '   monthly targets = split_target(annual, seasonal weights): exact, the months'
\echo '   sum to the annual target; Oct % = attainment(won in October, October target);'
\echo '   Q4 pace % = pacing(won in Q4 so far, Q4 target, 2026-10-01, 2027-01-01,'
\echo '   today, the Q4 weights): the projected Q4 attainment at the run rate so far,'
\echo '   by the seasonal weights.  TEAM BENCHMARK: the team''s sums.'
WITH w AS (SELECT ARRAY[7, 7, 8, 8, 8, 9, 6, 6, 9, 10, 11, 11]::numeric[] AS w),
monthly AS (
  SELECT t.rep_id, s.month, s.target FROM annual_targets t, w, split_target(t.annual, w.w) s WHERE t.year = 2026
), won AS (
  SELECT rep_id, coalesce(sum(amount) FILTER (WHERE closed_at >= '2026-10-01' AND closed_at < '2026-11-01'), 0) AS oct,
         coalesce(sum(amount) FILTER (WHERE closed_at >= '2026-10-01' AND closed_at < '2027-01-01'), 0) AS q4
  FROM deals WHERE won GROUP BY rep_id
), per_rep AS (
  SELECT r.team, r.name AS rep, a.annual,
         (SELECT sum(target) FROM monthly m WHERE m.rep_id = r.rep_id) AS months_sum,
         (SELECT target FROM monthly m WHERE m.rep_id = r.rep_id AND m.month = 10) AS oct_target,
         (SELECT sum(target) FROM monthly m WHERE m.rep_id = r.rep_id AND m.month >= 10) AS q4_target,
         coalesce(won.oct, 0) AS oct, coalesce(won.q4, 0) AS q4
  FROM reps r JOIN annual_targets a ON a.rep_id = r.rep_id AND a.year = 2026 LEFT JOIN won ON won.rep_id = r.rep_id
), lines AS (
  SELECT team, 1 AS ord, rep, annual, months_sum, oct_target, q4_target, oct, q4 FROM per_rep
  UNION ALL
  SELECT team, 2, 'TEAM BENCHMARK', sum(annual), sum(months_sum), sum(oct_target), sum(q4_target), sum(oct), sum(q4)
  FROM per_rep GROUP BY team
)
SELECT team AS "team", rep AS "rep", pg_temp.money(annual, 10) AS "annual",
       months_sum = annual AS "months = annual", pg_temp.money(oct_target, 8) AS "Oct target",
       pg_temp.money(oct, 8) AS "Oct won", round(100 * attainment(oct, oct_target)::numeric, 1) AS "Oct %",
       pg_temp.money(q4, 8) AS "Q4 won",
       round(100 * pacing(q4, q4_target, date '2026-10-01', date '2027-01-01', date :today, ARRAY[9, 10, 11])::numeric, 1) AS "Q4 pace %"
FROM lines ORDER BY team, ord, rep;

------------------------------------------------------------------------------
\echo
\echo '== 10. Forecast: weighted pipeline of the next 3 months, coverage, and the =='
\echo '       pipeline today against the same day last quarter'
\echo '   weighted = weighted_pipeline(amount, probability) of the open deals by'
\echo '   expected close month (probability by stage: lead 10%, qualified 25%,'
\echo '   proposal 50%, negotiation 75%); coverage = pipeline_coverage(open pipeline'
\echo '   closing in Q4, Q4 target - won in Q4); pipeline 08-01 / 11-01 = the'
\echo '   amount of the deals open on that day (open_at(created, closed, day)).'
WITH w AS (SELECT ARRAY[7, 7, 8, 8, 8, 9, 6, 6, 9, 10, 11, 11]::numeric[] AS w),
open_deals AS (
  SELECT d.*, CASE d.stage WHEN 'lead' THEN 0.10 WHEN 'qualified' THEN 0.25 WHEN 'proposal' THEN 0.50 ELSE 0.75 END AS probability
  FROM deals d
), per_rep AS (
  SELECT r.team, r.name AS rep,
         weighted_pipeline(o.amount, o.probability) FILTER (WHERE o.closed_at IS NULL AND o.expected_close >= '2026-11-01' AND o.expected_close < '2026-12-01') AS nov,
         weighted_pipeline(o.amount, o.probability) FILTER (WHERE o.closed_at IS NULL AND o.expected_close >= '2026-12-01' AND o.expected_close < '2027-01-01') AS dec,
         weighted_pipeline(o.amount, o.probability) FILTER (WHERE o.closed_at IS NULL AND o.expected_close >= '2027-01-01' AND o.expected_close < '2027-02-01') AS jan,
         coalesce(sum(o.amount) FILTER (WHERE o.closed_at IS NULL AND o.expected_close < '2027-01-01'), 0) AS open_q4,
         coalesce(sum(o.amount) FILTER (WHERE o.won AND o.closed_at >= '2026-10-01'), 0) AS won_q4,
         (SELECT sum(s.target) FROM annual_targets t, w, split_target(t.annual, w.w) s
          WHERE t.rep_id = r.rep_id AND t.year = 2026 AND s.month >= 10) AS q4_target,
         sum(o.amount) FILTER (WHERE open_at(o.created_at, o.closed_at, timestamptz '2026-08-01 00:00+00')) AS open_aug,
         sum(o.amount) FILTER (WHERE open_at(o.created_at, o.closed_at, timestamptz '2026-11-01 00:00+00')) AS open_nov
  FROM open_deals o JOIN reps r USING (rep_id) GROUP BY r.team, r.rep_id, r.name
)
SELECT team AS "team", rep AS "rep", pg_temp.money(nov, 9) AS "Nov", pg_temp.money(dec, 9) AS "Dec",
       pg_temp.money(jan, 9) AS "Jan", round(pipeline_coverage(open_q4, q4_target - won_q4)::numeric, 2) AS "coverage",
       pg_temp.money(open_aug, 10) AS "pipeline 08-01", pg_temp.money(open_nov, 10) AS "pipeline 11-01"
FROM per_rep ORDER BY team, rep;

\echo
\echo '== 11. Predictive CLV: BG/NBD purchases and Gamma-Gamma spend, fitted in SQL =='
\echo '   Per customer one rfm() of its orders up to today in weeks: x = repeat'
\echo '   purchase days, t_x = weeks from the first to the last purchase, T = weeks'
\echo '   since the first; the models are fitted over those rows by maximum'
\echo '   likelihood (bgnbd_fit, gammagamma_fit) and stored in a table.'
DROP TABLE IF EXISTS demo_rfm, demo_models;
CREATE TEMP TABLE demo_rfm AS
SELECT customer_id, rfm(customer_id, purchased_at AT TIME ZONE 'UTC', amount, date :today, interval '1 week') AS r
FROM orders GROUP BY customer_id;
CREATE TEMP TABLE demo_models AS
SELECT bgnbd_fit(r) AS bg, gammagamma_fit(r) AS gg FROM demo_rfm;
SELECT customers(bg) AS "customers", round(r(bg)::numeric, 3) AS "r", round(alpha(bg)::numeric, 2) AS "alpha",
       round(a(bg)::numeric, 3) AS "a", round(b(bg)::numeric, 3) AS "b", round(log_likelihood(bg)::numeric, 1) AS "LL",
       converged(bg) AS "converged", customers(gg) AS "repeat buyers", round(p(gg)::numeric, 2) AS "p",
       round(q(gg)::numeric, 2) AS "q", round(gamma(gg)::numeric, 2) AS "gamma",
       round(bgnbd_expected_purchases_new(bg, 52)::numeric, 2) AS "new customer: purchases in 52 wk"
FROM demo_models;

\echo '   a) customers most likely to churn: repeat buyers with the lowest P(alive)'
\echo '      today, with the value at stake (their historic repeat revenue)'
SELECT d.customer_id AS "customer", frequency(r) AS "x", round(recency(r)::numeric, 1) AS "t_x wk",
       round(customer_age(r)::numeric, 1) AS "T wk", last_purchase(r) AS "last purchase",
       round(100 * bgnbd_p_alive(bg, r)::numeric, 1) AS "P(alive) %",
       round(bgnbd_expected_purchases(bg, 52, r)::numeric, 2) AS "purchases next 52 wk",
       pg_temp.money(repeat_revenue(r), 10) AS "repeat revenue"
FROM demo_rfm d, demo_models
WHERE frequency(r) > 0
ORDER BY bgnbd_p_alive(bg, r), repeat_revenue(r) DESC, d.customer_id
LIMIT 10;

\echo '   b) top predicted CLV: expected spend x expected purchases over the next 52'
\echo '      weeks, discounted at 10% a year (0.10 / 52 per week)'
SELECT d.customer_id AS "customer", frequency(r) AS "x", round(100 * bgnbd_p_alive(bg, r)::numeric, 1) AS "P(alive) %",
       round(bgnbd_expected_purchases(bg, 52, r)::numeric, 2) AS "purchases next 52 wk",
       round(mean_repeat_spend(r), 2) AS "mean repeat spend",
       round(gammagamma_expected_spend(gg, r)::numeric, 2) AS "expected spend",
       pg_temp.money(predicted_clv(bg, gg, r, 52, 0.10 / 52)::numeric, 10) AS "predicted CLV 52 wk"
FROM demo_rfm d, demo_models
ORDER BY predicted_clv(bg, gg, r, 52, 0.10 / 52) DESC, d.customer_id
LIMIT 10;
SELECT count(*) AS "customers", pg_temp.money(sum(predicted_clv(bg, gg, r, 52, 0.10 / 52))::numeric, 12) AS "predicted CLV 52 wk, all",
       round(sum(bgnbd_expected_purchases(bg, 52, r))::numeric, 1) AS "purchases next 52 wk, all",
       round(avg(bgnbd_p_alive(bg, r))::numeric * 100, 1) AS "avg P(alive) %"
FROM demo_rfm, demo_models;

------------------------------------------------------------------------------
\echo
\echo '== 12. Revenue: the MRR waterfall of the last 12 months (subscriptions) =='
\echo '   one mrr_series per customer (with its products), one revenue_summary over them; every month'
\echo '   MRR = previous MRR + new + expansion + reactivation - contraction - churn.'
CREATE TEMP TABLE demo_revenue AS
SELECT revenue_summary(s, (date :today - interval '24 months')::date, (date :today - interval '1 month')::date) AS r
FROM (SELECT customer_id, mrr_series(started_at, ended_at, monthly_amount, product) AS s FROM subscriptions GROUP BY customer_id) x;
SELECT to_char(month, 'YYYY-MM') AS month,
       pg_temp.money(mrr, 9) AS "MRR",
       pg_temp.money(new_mrr, 7) AS "new",
       pg_temp.money(expansion_mrr, 7) AS "expansion",
       pg_temp.money(reactivation_mrr, 7) AS "reactiv.",
       pg_temp.money(-contraction_mrr, 7) AS "contraction",
       pg_temp.money(-churned_mrr, 7) AS "churn",
       pg_temp.money(net_new_mrr, 7) AS "net new",
       customers AS "customers",
       new_customers AS "+cust", churned_customers AS "-cust",
       round(quick_ratio::numeric, 2) AS "quick ratio"
FROM mrr_movements((SELECT r FROM demo_revenue))
WHERE month >= date :today - interval '12 months'
ORDER BY month;
SELECT pg_temp.money(mrr(r, (date :today - interval '1 month')::date), 9) AS "MRR now",
       pg_temp.money(arr(r, (date :today - interval '1 month')::date), 11) AS "ARR now",
       round(100 * nrr(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date)::numeric, 1) AS "NRR 12m %",
       round(100 * grr(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date)::numeric, 1) AS "GRR 12m %",
       round(100 * gross_revenue_churn(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date)::numeric, 1) AS "gross rev. churn %",
       round(100 * net_revenue_churn(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date)::numeric, 1) AS "net rev. churn %",
       round(100 * customer_churn_rate(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date)::numeric, 1) AS "customer churn %",
       round(100 * upsell_rate(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date)::numeric, 1) AS "upsell %",
       round(100 * cross_sell_rate(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date)::numeric, 1) AS "cross-sell %",
       round(arpa(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date), 2) AS "ARPA",
       pg_temp.money(saas_ltv(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date), 8) AS "SaaS LTV",
       round(cac_payback_months(cac(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date, 250000),
                                arpa(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date), 0.8)::numeric, 1) AS "CAC payback (250k spend, 80% margin)"
FROM demo_revenue;

\echo
\echo '== 13. Cohort retention: customers still paying k months after their first month (%) =='
SELECT to_char(cohort, 'YYYY-MM') AS cohort, max(cohort_customers) AS customers,
       round(100 * max(customer_retention) FILTER (WHERE months_since = 1)) AS "m1",
       round(100 * max(customer_retention) FILTER (WHERE months_since = 2)) AS "m2",
       round(100 * max(customer_retention) FILTER (WHERE months_since = 3)) AS "m3",
       round(100 * max(customer_retention) FILTER (WHERE months_since = 6)) AS "m6",
       round(100 * max(customer_retention) FILTER (WHERE months_since = 9)) AS "m9",
       round(100 * max(customer_retention) FILTER (WHERE months_since = 12)) AS "m12",
       round(100 * max(mrr_retention) FILTER (WHERE months_since = 12)) AS "MRR m12"
FROM cohort_retention((SELECT r FROM demo_revenue))
WHERE cohort >= date :today - interval '24 months' AND cohort < date :today - interval '10 months'
GROUP BY cohort ORDER BY cohort;
