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
\echo
\echo '== 7. Revenue: the MRR waterfall of the last 12 months (subscriptions) =='
\echo '   one mrr_series per customer, one revenue_summary over them; every month'
\echo '   MRR = previous MRR + new + expansion + reactivation - contraction - churn.'
CREATE TEMP TABLE demo_revenue AS
SELECT revenue_summary(s, (date :today - interval '24 months')::date, (date :today - interval '1 month')::date) AS r
FROM (SELECT customer_id, mrr_series(started_at, ended_at, monthly_amount) AS s FROM subscriptions GROUP BY customer_id) x;
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
       round(arpa(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date), 2) AS "ARPA",
       pg_temp.money(saas_ltv(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date), 8) AS "SaaS LTV",
       round(cac_payback_months(cac(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date, 250000),
                                arpa(r, (date :today - interval '13 months')::date, (date :today - interval '1 month')::date), 0.8)::numeric, 1) AS "CAC payback (250k spend, 80% margin)"
FROM demo_revenue;

\echo
\echo '== 8. Cohort retention: customers still paying k months after their first month (%) =='
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
