-- The property checks (test/property/run.sh), over the tables of data.sql:
-- every aggregate per group against its plain-SQL reference definition (the
-- references of sql/deal_kpis.sql, summary.sql, churn.sql, clv.sql,
-- funnel.sql and stage_times.sql): exact = for counts and money (money also
-- as text: the display scale), 1e-12 relative for ratios and days, 1/128
-- for medians; then the same aggregates in forced-parallel plans, merged from
-- partial states (rollup over per-partition summaries), and in moving windows
-- against a recompute of every frame.
-- Every check prints one line: name|comparisons|mismatches.  Work tables are
-- unlogged tables, not temporary ones: parallel workers cannot read temporary
-- tables.
SET client_min_messages = warning;
\set stages 'ARRAY[''lead'',''qualified'',''proposal'',''negotiation'',''won'']'
\set as_of '''2026-01-16 12:00+00''::timestamptz'
\set par 'SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off; SET enable_hashagg = off;'
\set ser 'SET max_parallel_workers_per_gather = 0; RESET enable_hashagg; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size; RESET parallel_leader_participation;'

CREATE FUNCTION pg_temp.close_to(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN a IS NULL AND b IS NULL
               ELSE abs(a - b) <= 1e-12 * greatest(abs(a), abs(b), 1e-300) END $$;
-- exact: equal values and equal text (display scale); NULL only on both sides
CREATE FUNCTION pg_temp.same(a numeric, b numeric) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT a IS NOT DISTINCT FROM b AND a::text IS NOT DISTINCT FROM b::text $$;
CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS
$$ DECLARE r text; t text := ''; BEGIN FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP t := t || r || E'\n'; END LOOP; RETURN t; END $$;
CREATE FUNCTION pg_temp.bad(b boolean) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN b THEN 0 ELSE 1 END $$;

:ser

------------------------------------------------------------------------------
-- deals: deal_summary and its accessors, the standalone aggregates
------------------------------------------------------------------------------
CREATE UNLOGGED TABLE d_ours AS
SELECT g, deal_summary(amount, won, created, closed, prob) AS s,
       hit_ratio(won) AS hr, hit_ratio(won, amount) AS hrw, avg_deal_size(amount, won) AS ads,
       sales_cycle_days(created, closed, won) AS scd, sales_velocity(amount, won, created, closed) AS sv,
       weighted_pipeline(amount, prob) FILTER (WHERE won IS NULL) AS wp
FROM p_deals GROUP BY g;
CREATE UNLOGGED TABLE d_ref AS
SELECT g, count(*) AS deals, count(*) FILTER (WHERE won) AS won, count(*) FILTER (WHERE NOT won) AS lost,
       count(*) FILTER (WHERE won IS NULL) AS open,
       coalesce(sum(amount) FILTER (WHERE won), 0) AS won_amount,
       coalesce(sum(amount) FILTER (WHERE NOT won), 0) AS lost_amount,
       coalesce(sum(amount) FILTER (WHERE won IS NULL), 0) AS open_amount,
       (count(*) FILTER (WHERE won))::float8 / nullif(count(won), 0) AS hr,
       (coalesce(sum(amount) FILTER (WHERE won AND amount IS NOT NULL), 0)
         / nullif(sum(amount) FILTER (WHERE won IS NOT NULL), 0))::float8 AS hrw,
       avg(amount) FILTER (WHERE won) AS ads,
       avg(extract(epoch FROM closed - created)::float8 / 86400) FILTER (WHERE won) AS scd,
       sum(amount * prob) FILTER (WHERE won IS NULL) AS wp
FROM p_deals GROUP BY g;
SELECT 'deal_summary accessors = plain SQL, per group', count(*) * 14,
       sum(pg_temp.bad(deals(s) = r.deals) + pg_temp.bad(won_deals(s) = r.won) + pg_temp.bad(lost_deals(s) = r.lost)
           + pg_temp.bad(open_deals(s) = r.open) + pg_temp.bad(pg_temp.same(won_amount(s), r.won_amount))
           + pg_temp.bad(pg_temp.same(lost_amount(s), r.lost_amount)) + pg_temp.bad(pg_temp.same(open_amount(s), r.open_amount))
           + pg_temp.bad(pg_temp.same(avg_deal_size(s), r.ads)) + pg_temp.bad(pg_temp.same(weighted_pipeline(s), r.wp))
           + pg_temp.bad(pg_temp.close_to(hit_ratio(s), r.hr)) + pg_temp.bad(pg_temp.close_to(hit_ratio_by_amount(s), r.hrw))
           + pg_temp.bad(pg_temp.close_to(sales_cycle_days(s), r.scd))
           + pg_temp.bad(pg_temp.close_to(sales_velocity(s), r.open * r.hr * r.ads::float8 / nullif(r.scd, 0)))
           + pg_temp.bad((hit_ratio(s) IS NULL) = (r.won + r.lost = 0)))
FROM d_ours JOIN d_ref r USING (g);
SELECT 'standalone deal aggregates = plain SQL, per group', count(*) * 6,
       sum(pg_temp.bad(pg_temp.close_to(o.hr, r.hr)) + pg_temp.bad(pg_temp.close_to(o.hrw, r.hrw))
           + pg_temp.bad(pg_temp.same(o.ads, r.ads)) + pg_temp.bad(pg_temp.close_to(o.scd, r.scd))
           + pg_temp.bad(pg_temp.same(o.wp, r.wp))
           + pg_temp.bad(pg_temp.close_to(o.sv, r.open * r.hr * r.ads::float8 / nullif(r.scd, 0))))
FROM d_ours o JOIN d_ref r USING (g);
SELECT 'groups on both sides (deals)', 2,
       pg_temp.bad((SELECT count(*) FROM d_ours) = (SELECT count(*) FROM d_ref))
       + pg_temp.bad((SELECT count(*) FROM d_ours JOIN d_ref USING (g)) = (SELECT count(DISTINCT g) FROM p_deals));
-- the edge cases did occur
SELECT 'edge cases present (open-only, no-amount, huge, tiny, zero, ties)', 6,
       pg_temp.bad(count(*) FILTER (WHERE g % 10 = 0 AND hit_ratio(s) IS NULL) > 0)
       + pg_temp.bad(count(*) FILTER (WHERE g % 10 = 1 AND won_deals(s) > 0 AND avg_deal_size(s) IS NULL) > 0)
       + pg_temp.bad(count(*) FILTER (WHERE won_amount(s) > 1e21) > 0)
       + pg_temp.bad(count(*) FILTER (WHERE won_amount(s) > 0 AND won_amount(s) < 0.0001) > 0)
       + pg_temp.bad(count(*) FILTER (WHERE g % 10 = 4 AND won_deals(s) > 0 AND hit_ratio_by_amount(s) IS NULL) > 0)
       + pg_temp.bad(count(*) FILTER (WHERE g % 10 = 5 AND sales_cycle_days(s) = 5) > 0)
FROM d_ours;

-- merged from partial states: rollup of per-part summaries = the direct summary
CREATE UNLOGGED TABLE d_parts AS
SELECT g, part, deal_summary(amount, won, created, closed, prob) AS s FROM p_deals GROUP BY g, part;
-- the per-row frame recompute below looks up a group's parts: without the
-- index it is quadratic (hours at 10^5 groups)
CREATE INDEX ON d_parts (g, part);
ANALYZE d_parts;
SELECT 'rollup of per-part deal summaries = direct, per group', count(*),
       count(*) FILTER (WHERE m.s::text IS DISTINCT FROM o.s::text)
FROM (SELECT g, rollup(s) AS s FROM d_parts GROUP BY g) m JOIN d_ours o USING (g);
SELECT 'rollup of all groups = deal_summary of all deals', 1,
       pg_temp.bad((SELECT rollup(s)::text FROM d_ours) = (SELECT deal_summary(amount, won, created, closed, prob)::text FROM p_deals));
SELECT 'team benchmark rollup(s) OVER () = hit_ratio of all deals', count(*),
       count(*) FILTER (WHERE NOT pg_temp.close_to(t, (SELECT hit_ratio(won) FROM p_deals)))
FROM (SELECT hit_ratio(rollup(s) OVER ()) AS t FROM d_ours) x;

-- forced parallel: every per-group result equals the serial one, as text
:par
CREATE UNLOGGED TABLE d_par AS
SELECT g, deal_summary(amount, won, created, closed, prob) AS s,
       hit_ratio(won) AS hr, hit_ratio(won, amount) AS hrw, avg_deal_size(amount, won) AS ads,
       sales_cycle_days(created, closed, won) AS scd, sales_velocity(amount, won, created, closed) AS sv,
       weighted_pipeline(amount, prob) FILTER (WHERE won IS NULL) AS wp
FROM p_deals GROUP BY g;
SELECT 'deal aggregates, parallel = serial, per group', count(*) * 7,
       sum(pg_temp.bad(p.s::text = o.s::text) + pg_temp.bad(p.hr IS NOT DISTINCT FROM o.hr) + pg_temp.bad(p.hrw IS NOT DISTINCT FROM o.hrw)
           + pg_temp.bad(pg_temp.same(p.ads, o.ads)) + pg_temp.bad(p.scd IS NOT DISTINCT FROM o.scd)
           + pg_temp.bad(p.sv IS NOT DISTINCT FROM o.sv) + pg_temp.bad(pg_temp.same(p.wp, o.wp)))
FROM d_par p JOIN d_ours o USING (g);
SELECT 'deal_summary of all deals, parallel = serial', 1,
       pg_temp.bad((SELECT deal_summary(amount, won, created, closed, prob)::text FROM p_deals)
                   = (SELECT rollup(s)::text FROM d_ours));
:ser

-- moving windows: every frame equals a recompute of its rows
CREATE UNLOGGED TABLE d_rn AS SELECT *, row_number() OVER (PARTITION BY g ORDER BY id) AS rn FROM p_deals;
CREATE INDEX ON d_rn (g, rn);
SELECT 'deal_summary OVER (3-row frames) = recompute, per row', count(*),
       count(*) FILTER (WHERE w IS DISTINCT FROM r)
FROM (SELECT g, rn, deal_summary(amount, won, created, closed, prob) OVER (PARTITION BY g ORDER BY rn ROWS 2 PRECEDING)::text AS w
      FROM d_rn) a
JOIN LATERAL (SELECT deal_summary(amount, won, created, closed, prob)::text AS r FROM d_rn b
              WHERE b.g = a.g AND b.rn BETWEEN a.rn - 2 AND a.rn) c ON true;
SELECT 'windowed KPIs = SQL windows, per row', count(*) * 5,
       sum(pg_temp.bad(pg_temp.close_to(hr, r_hr)) + pg_temp.bad(pg_temp.same(ads, r_ads)) + pg_temp.bad(pg_temp.close_to(scd, r_scd))
           + pg_temp.bad(pg_temp.same(wp, r_wp)) + pg_temp.bad(pg_temp.close_to(hrw, r_hrw)))
FROM (SELECT hit_ratio(won) OVER w AS hr, (count(*) FILTER (WHERE won) OVER w)::float8 / nullif(count(won) OVER w, 0) AS r_hr,
             hit_ratio(won, amount) OVER w AS hrw,
             (coalesce(sum(amount) FILTER (WHERE won AND amount IS NOT NULL) OVER w, 0)
               / nullif(sum(amount) FILTER (WHERE won IS NOT NULL) OVER w, 0))::float8 AS r_hrw,
             avg_deal_size(amount, won) OVER w AS ads, avg(amount) FILTER (WHERE won) OVER w AS r_ads,
             sales_cycle_days(created, closed, won) OVER w AS scd,
             avg(extract(epoch FROM closed - created)::float8 / 86400) FILTER (WHERE won) OVER w AS r_scd,
             weighted_pipeline(amount, prob) OVER w AS wp, sum(amount * prob) OVER w AS r_wp
      FROM d_rn WINDOW w AS (PARTITION BY g ORDER BY rn ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)) t;
SELECT 'rollup(s) OVER (2-part frames) = rollup of the frame, per row', count(*),
       count(*) FILTER (WHERE w IS DISTINCT FROM r)
FROM (SELECT g, part, rollup(s) OVER (PARTITION BY g ORDER BY part ROWS 1 PRECEDING)::text AS w FROM d_parts) a
JOIN LATERAL (SELECT rollup(s)::text AS r FROM (SELECT s FROM d_parts b WHERE b.g = a.g AND b.part <= a.part
                                                ORDER BY b.part DESC LIMIT 2) f) c ON true;

------------------------------------------------------------------------------
-- customers: churn_rate and retention_rate, one period per group
------------------------------------------------------------------------------
CREATE UNLOGGED TABLE c_ours AS
SELECT g, churn_rate(active_from, active_until, p0, (p0 + interval '1 month')::date) AS ch,
       retention_rate(active_from, active_until, p0, (p0 + interval '1 month')::date) AS re
FROM p_customers GROUP BY g;
CREATE UNLOGGED TABLE c_ref AS
SELECT g, (count(*) FILTER (WHERE active_from <= p0 AND (active_until IS NULL OR active_until > p0)
                              AND active_until <= (p0 + interval '1 month')::date))::float8
          / nullif(count(*) FILTER (WHERE active_from <= p0 AND (active_until IS NULL OR active_until > p0)), 0) AS ch
FROM p_customers GROUP BY g;
SELECT 'churn and retention = plain SQL, per group', count(*) * 2,
       sum(pg_temp.bad(pg_temp.close_to(o.ch, r.ch)) + pg_temp.bad(pg_temp.close_to(o.re, 1 - r.ch)))
FROM c_ours o JOIN c_ref r USING (g);
SELECT 'churn: groups without anyone active at p0 give NULL', 1,
       pg_temp.bad(count(*) FILTER (WHERE ch IS NULL) > 0) FROM c_ours;
:par
SELECT 'churn and retention, parallel = serial, per group', count(*) * 2,
       count(*) FILTER (WHERE p.ch IS DISTINCT FROM o.ch) + count(*) FILTER (WHERE p.re IS DISTINCT FROM o.re)
FROM (SELECT g, churn_rate(active_from, active_until, p0, (p0 + interval '1 month')::date) AS ch,
             retention_rate(active_from, active_until, p0, (p0 + interval '1 month')::date) AS re
      FROM p_customers GROUP BY g) p JOIN c_ours o USING (g);
:ser

------------------------------------------------------------------------------
-- orders: order_summary per customer rolled up per group, CLV
------------------------------------------------------------------------------
CREATE UNLOGGED TABLE o_cust AS SELECT g, customer_id, order_summary(amount, at) AS s FROM p_orders GROUP BY g, customer_id;
CREATE UNLOGGED TABLE o_ours AS SELECT g, rollup(s) AS s FROM o_cust GROUP BY g;
CREATE UNLOGGED TABLE o_ref AS
WITH o AS (SELECT * FROM p_orders WHERE amount IS NOT NULL AND at IS NOT NULL),
     c AS (SELECT g, customer_id, min(at) AS first, max(at) AS last FROM o GROUP BY g, customer_id),
     gl AS (SELECT g, max(at) AS glast FROM o GROUP BY g),
     -- per group over its customers (joins, not a subquery per group: linear at 10^5 groups)
     cg AS (SELECT c.g, count(*) AS customers, avg(extract(epoch FROM c.last - c.first)::float8 / 86400) AS lifespan_days,
                   sum(extract(epoch FROM gl.glast - c.first))::float8 AS exposure_s
            FROM c JOIN gl USING (g) GROUP BY c.g)
SELECT g, cg.customers, x.orders, x.revenue, x.apv, cg.lifespan_days, cg.exposure_s
FROM (SELECT g, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS apv FROM o GROUP BY g) x JOIN cg USING (g);
SELECT 'order_summary rollup = plain SQL, per group', count(*) * 7,
       sum(pg_temp.bad(customers(s) = r.customers) + pg_temp.bad(orders(s) = r.orders)
           + pg_temp.bad(pg_temp.same(revenue(s), r.revenue)) + pg_temp.bad(pg_temp.same(avg_purchase_value(s), r.apv))
           + pg_temp.bad(clv(s) = r.revenue / r.customers)
           + pg_temp.bad(pg_temp.close_to(lifespan(s, interval '1 day'), r.lifespan_days))
           + pg_temp.bad(pg_temp.close_to(purchase_frequency(s, interval '30 days'),
                                           r.orders / nullif(r.exposure_s / (30 * 86400), 0))))
FROM o_ours JOIN o_ref r USING (g);
SELECT 'groups on both sides (orders)', 1,
       pg_temp.bad((SELECT count(*) FROM o_ours WHERE s IS NOT NULL) = (SELECT count(*) FROM o_ref));
SELECT 'rollup of per-part customer rollups = direct, per group', count(*),
       count(*) FILTER (WHERE m.s::text IS DISTINCT FROM o.s::text)
FROM (SELECT g, rollup(s) AS s FROM (SELECT g, rollup(s) AS s FROM o_cust GROUP BY g, customer_id % 3) y GROUP BY g) m
JOIN o_ours o USING (g);
:par
SELECT 'order_summary per customer and rollup, parallel = serial', count(*),
       count(*) FILTER (WHERE p.s::text IS DISTINCT FROM o.s::text)
FROM (SELECT g, rollup(s) AS s FROM (SELECT g, customer_id, order_summary(amount, at) AS s FROM p_orders GROUP BY g, customer_id) y GROUP BY g) p
JOIN o_ours o USING (g);
:ser

------------------------------------------------------------------------------
-- funnels: stage_path per deal, stage_funnel per group, in every mode
------------------------------------------------------------------------------
CREATE UNLOGGED TABLE f_paths AS
SELECT g, deal_id, stage_path(stage, at, :stages) AS p FROM p_events GROUP BY g, deal_id;
CREATE UNLOGGED TABLE f_ours AS
SELECT f.g, m.mode, c.position, c.reached
FROM (SELECT g, stage_funnel(p, :stages, 'implied') AS fi, stage_funnel(p, :stages, 'entered') AS fe,
             stage_funnel(p, :stages, 'ordered') AS fo FROM f_paths GROUP BY g) f,
     LATERAL (VALUES ('implied', f.fi), ('entered', f.fe), ('ordered', f.fo)) m(mode, fun),
     LATERAL stage_conversion(m.fun) c;
CREATE UNLOGGED TABLE f_ev AS
SELECT g, deal_id, array_position(:stages, stage) AS pos, at FROM p_events WHERE stage IS NOT NULL AND at IS NOT NULL;
CREATE UNLOGGED TABLE f_ref AS
SELECT g, 'implied' AS mode, k AS position, count(*) FILTER (WHERE maxpos >= k) AS reached
FROM (SELECT g, deal_id, max(pos) AS maxpos FROM f_ev GROUP BY g, deal_id) d, generate_series(1, 5) k GROUP BY g, k
UNION ALL
SELECT g, 'entered', k, count(DISTINCT deal_id) FILTER (WHERE pos = k) FROM f_ev, generate_series(1, 5) k GROUP BY g, k;
-- ordered: t(1) = first time of stage 1, t(k) = first time of stage k at or after t(k-1)
INSERT INTO f_ref
WITH s1 AS (SELECT g, deal_id, min(at) AS t FROM f_ev WHERE pos = 1 GROUP BY g, deal_id),
     s2 AS (SELECT s.g, s.deal_id, min(e.at) AS t FROM s1 s JOIN f_ev e ON e.deal_id = s.deal_id AND e.pos = 2 AND e.at >= s.t GROUP BY 1, 2),
     s3 AS (SELECT s.g, s.deal_id, min(e.at) AS t FROM s2 s JOIN f_ev e ON e.deal_id = s.deal_id AND e.pos = 3 AND e.at >= s.t GROUP BY 1, 2),
     s4 AS (SELECT s.g, s.deal_id, min(e.at) AS t FROM s3 s JOIN f_ev e ON e.deal_id = s.deal_id AND e.pos = 4 AND e.at >= s.t GROUP BY 1, 2),
     s5 AS (SELECT s.g, s.deal_id, min(e.at) AS t FROM s4 s JOIN f_ev e ON e.deal_id = s.deal_id AND e.pos = 5 AND e.at >= s.t GROUP BY 1, 2),
     gs AS (SELECT DISTINCT g FROM f_ev)
SELECT gs.g, 'ordered', k, CASE k WHEN 1 THEN coalesce(n1.n, 0) WHEN 2 THEN coalesce(n2.n, 0)
                                  WHEN 3 THEN coalesce(n3.n, 0) WHEN 4 THEN coalesce(n4.n, 0) ELSE coalesce(n5.n, 0) END
FROM gs CROSS JOIN generate_series(1, 5) k
LEFT JOIN (SELECT g, count(*) n FROM s1 GROUP BY g) n1 ON n1.g = gs.g
LEFT JOIN (SELECT g, count(*) n FROM s2 GROUP BY g) n2 ON n2.g = gs.g
LEFT JOIN (SELECT g, count(*) n FROM s3 GROUP BY g) n3 ON n3.g = gs.g
LEFT JOIN (SELECT g, count(*) n FROM s4 GROUP BY g) n4 ON n4.g = gs.g
LEFT JOIN (SELECT g, count(*) n FROM s5 GROUP BY g) n5 ON n5.g = gs.g;
SELECT 'funnel reached = plain SQL (3 modes x 5 stages), per group', (SELECT count(*) FROM f_ref),
       (SELECT count(*) FROM f_ref r LEFT JOIN f_ours o USING (g, mode, position) WHERE o.reached IS DISTINCT FROM r.reached)
       + (SELECT count(*) FROM f_ours o LEFT JOIN f_ref r USING (g, mode, position) WHERE r.g IS NULL AND o.reached <> 0);
SELECT 'funnel deals and outside deals = plain SQL, per group', count(*) * 2,
       sum(pg_temp.bad(deals(f) = r.deals) + pg_temp.bad(outside_deals(f) = r.outside))
FROM (SELECT g, stage_funnel(p, :stages) AS f FROM f_paths GROUP BY g) o
JOIN (SELECT g, count(*) AS deals, count(*) FILTER (WHERE npos = 0) AS outside
      FROM (SELECT g, deal_id, count(pos) AS npos FROM f_ev GROUP BY g, deal_id) d GROUP BY g) r USING (g);
SELECT 'rollup of per-part funnels = direct, per group and mode', count(*),
       count(*) FILTER (WHERE a IS DISTINCT FROM b)
FROM (SELECT g, m.mode, rollup(f)::text AS a
      FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode),
           LATERAL (SELECT g, stage_funnel(p, :stages, m.mode) AS f FROM f_paths GROUP BY g, deal_id % 3) y
      GROUP BY g, m.mode) x
JOIN (SELECT g, m.mode, stage_funnel(p, :stages, m.mode)::text AS b
      FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode), f_paths GROUP BY g, m.mode) z USING (g, mode);
:par
SELECT 'stage_path per deal and stage_funnel, parallel = serial', count(*),
       count(*) FILTER (WHERE a IS DISTINCT FROM b)
FROM (SELECT g, stage_funnel(p, :stages, 'ordered')::text AS a
      FROM (SELECT g, deal_id, stage_path(stage, at, :stages) AS p FROM p_events GROUP BY g, deal_id) y GROUP BY g) x
JOIN (SELECT g, stage_funnel(p, :stages, 'ordered')::text AS b FROM f_paths GROUP BY g) z USING (g);
:ser

------------------------------------------------------------------------------
-- time in stage: stage_times per group against lag()/lead()
------------------------------------------------------------------------------
CREATE UNLOGGED TABLE t_ours AS
SELECT x.g, t.* FROM (SELECT g, stage_times(p, :stages, :as_of, interval '5 days') AS s FROM f_paths GROUP BY g) x, time_in_stage(x.s) t;
CREATE UNLOGGED TABLE t_ref AS
WITH e AS (SELECT g, deal_id, at, coalesce(array_position(:stages, stage), 6) AS pos
           FROM p_events WHERE stage IS NOT NULL AND at IS NOT NULL AND at <= :as_of),
     o AS (SELECT g, deal_id, at, pos, lag(pos) OVER (PARTITION BY deal_id ORDER BY at, pos) AS prev FROM e),
     v AS (SELECT g, deal_id, pos, at AS start, lead(at) OVER (PARTITION BY deal_id ORDER BY at, pos) AS next_start
           FROM o WHERE prev IS DISTINCT FROM pos),
     d AS (SELECT g, deal_id, pos, count(*) AS visits,
                  sum(extract(epoch FROM next_start - start)) FILTER (WHERE next_start IS NOT NULL) AS closed_s,
                  bool_or(next_start IS NULL) AS is_current,
                  max(extract(epoch FROM :as_of - start)) FILTER (WHERE next_start IS NULL) AS age_s
           FROM v WHERE pos <= 5 GROUP BY g, deal_id, pos),
     gs AS (SELECT DISTINCT g FROM e)
SELECT gs.g, k AS position, coalesce(sum(d.visits), 0)::bigint AS visits,
       -- closed visits always count (spec revision 2), also of a deal back in the stage now
       count(d.deal_id) FILTER (WHERE closed_s IS NOT NULL) AS exited_deals,
       avg(closed_s / 86400) FILTER (WHERE closed_s IS NOT NULL) AS avg_days,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY closed_s::float8 / 86400) FILTER (WHERE closed_s IS NOT NULL) AS median_days,
       count(d.deal_id) FILTER (WHERE is_current) AS current_deals,
       avg(age_s / 86400) FILTER (WHERE is_current) AS avg_current_days,
       count(d.deal_id) FILTER (WHERE is_current AND age_s > 5 * 86400) AS stale_deals
FROM gs CROSS JOIN generate_series(1, 5) k LEFT JOIN d ON d.g = gs.g AND d.pos = k GROUP BY gs.g, k;
SELECT 'time in stage = lag/lead reference (counts, avg days, median within 1/128), per group and stage',
       (SELECT count(*) FROM t_ref) * 7,
       (SELECT sum(pg_temp.bad(o.visits = r.visits) + pg_temp.bad(o.exited_deals = r.exited_deals)
                   + pg_temp.bad(o.current_deals = r.current_deals) + pg_temp.bad(o.stale_deals = r.stale_deals)
                   + pg_temp.bad(pg_temp.close_to(o.avg_days, r.avg_days::float8))
                   + pg_temp.bad(pg_temp.close_to(o.avg_current_days, r.avg_current_days::float8))
                   + pg_temp.bad(coalesce(abs(o.median_days - r.median_days) <= r.median_days / 128,
                                          o.median_days IS NULL AND r.median_days IS NULL)))
        FROM t_ref r LEFT JOIN t_ours o USING (g, position));
SELECT 'rollup of per-part times in stage = direct, per group', count(*),
       count(*) FILTER (WHERE a IS DISTINCT FROM b)
FROM (SELECT g, rollup(s)::text AS a
      FROM (SELECT g, stage_times(p, :stages, :as_of, interval '5 days') AS s FROM f_paths GROUP BY g, deal_id % 3) y GROUP BY g) x
JOIN (SELECT g, stage_times(p, :stages, :as_of, interval '5 days')::text AS b FROM f_paths GROUP BY g) z USING (g);
CREATE UNLOGGED TABLE t_ser AS SELECT g, stage_times(p, :stages, :as_of, interval '5 days')::text AS b FROM f_paths GROUP BY g;
:par
SELECT 'stage_times, parallel = serial, per group', count(*),
       count(*) FILTER (WHERE a IS DISTINCT FROM b)
FROM (SELECT g, stage_times(p, :stages, :as_of, interval '5 days')::text AS a FROM f_paths GROUP BY g) x JOIN t_ser USING (g);
:ser

------------------------------------------------------------------------------
-- the one-level form: stage_history per group = the two-level form, as text
------------------------------------------------------------------------------
CREATE UNLOGGED TABLE h_ours AS
SELECT g, stage_history(deal_id, stage, at, :stages) AS h FROM p_events GROUP BY g;
SELECT 'stage_history funnels and times = two-level form, per group', count(*) * 4,
       sum(pg_temp.bad(stage_funnel(h, 'implied')::text IS NOT DISTINCT FROM f.fi)
           + pg_temp.bad(stage_funnel(h, 'entered')::text IS NOT DISTINCT FROM f.fe)
           + pg_temp.bad(stage_funnel(h, 'ordered')::text IS NOT DISTINCT FROM f.fo)
           + pg_temp.bad(stage_times(h, :as_of, interval '5 days')::text IS NOT DISTINCT FROM f.st))
FROM h_ours JOIN (SELECT g, stage_funnel(p, :stages, 'implied')::text AS fi, stage_funnel(p, :stages, 'entered')::text AS fe,
                         stage_funnel(p, :stages, 'ordered')::text AS fo,
                         stage_times(p, :stages, :as_of, interval '5 days')::text AS st
                  FROM f_paths GROUP BY g) f USING (g);
SELECT 'stage_history events = rows with deal, stage and time', count(*),
       count(*) FILTER (WHERE events(h) <> r.n)
FROM h_ours JOIN (SELECT g, count(*) AS n FROM p_events WHERE stage IS NOT NULL AND at IS NOT NULL GROUP BY g) r USING (g);
:par
SELECT 'stage_history, parallel = serial, per group', count(*),
       count(*) FILTER (WHERE a IS DISTINCT FROM b)
FROM (SELECT g, md5(stage_history(deal_id, stage, at, :stages)::text) AS a FROM p_events GROUP BY g) x
JOIN (SELECT g, md5(h::text) AS b FROM h_ours) z USING (g);
:ser

------------------------------------------------------------------------------
-- parallel with partial aggregation: 16 coarse groups per aggregate, so that
-- the planner splits every group across the workers and the combine
-- functions merge their states; the plans must show a Partial Aggregate
-- (each group an aggregate of its own: the planner does not always choose
-- partial aggregation for a GROUP BY on tables of these sizes)
------------------------------------------------------------------------------
ANALYZE d_parts, o_cust, f_paths;
-- one ungrouped aggregate per (aggregate, k): its scalar subquery is an
-- InitPlan with a Gather over a Partial Aggregate
CREATE UNLOGGED TABLE coarse_q (agg text, expr text, tab text, key text);
INSERT INTO coarse_q VALUES
  ('deal_summary', $$deal_summary(amount, won, created, closed, prob)::text$$, 'p_deals', 'g'),
  ('hit_ratio', $$hit_ratio(won)::text || '/' || hit_ratio(won, amount)::text$$, 'p_deals', 'g'),
  ('avg_deal_size, sales_cycle_days, weighted_pipeline, sales_velocity',
   $$concat_ws('/', avg_deal_size(amount, won), sales_cycle_days(created, closed, won), weighted_pipeline(amount, prob), sales_velocity(amount, won, created, closed))$$,
   'p_deals', 'g'),
  ('rollup(deal_summary)', $$rollup(s)::text$$, 'd_parts', 'g'),
  ('churn_rate, retention_rate',
   $$churn_rate(active_from, active_until, date '2024-03-01', date '2024-04-01')::text || '/' || retention_rate(active_from, active_until, date '2024-03-01', date '2024-04-01')::text$$,
   'p_customers', 'g'),
  ('order_summary', $$order_summary(amount, at)::text$$, 'p_orders', 'customer_id'),
  ('rollup(order_summary)', $$rollup(s)::text$$, 'o_cust', 'g'),
  ('stage_path', $$stage_path(stage, at, ARRAY['lead','qualified','proposal','negotiation','won'])::text$$, 'p_events', 'deal_id'),
  ('stage_funnel(path)', $$stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], 'ordered')::text$$, 'f_paths', 'g'),
  ('stage_funnel(stage)', $$stage_funnel(stage, ARRAY['lead','qualified','proposal','negotiation','won'], 'entered')::text$$, 'p_events', 'g'),
  ('stage_times', $$stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-01-16 12:00+00', interval '5 days')::text$$, 'f_paths', 'g'),
  ('stage_history', $$md5(stage_history(deal_id, stage, at, ARRAY['lead','qualified','proposal','negotiation','won'])::text)$$, 'p_events', 'g');
SELECT 'CREATE VIEW coarse AS '
       || string_agg(format('SELECT %L::text AS agg, %s AS k, (SELECT %s FROM %s WHERE %s %% 16 = %s) AS v', agg, k, expr, tab, key, k),
                     ' UNION ALL ' ORDER BY agg, k)
FROM coarse_q, generate_series(0, 15) k \gexec
CREATE UNLOGGED TABLE coarse_ser AS SELECT * FROM coarse;
:par
CREATE UNLOGGED TABLE coarse_par AS SELECT * FROM coarse;
SELECT 'forced-parallel plans: a Partial Aggregate in each of the 12 x 16 aggregates', 192,
       greatest(0, 192 - (length(p) - length(replace(p, 'Partial Aggregate', ''))) / length('Partial Aggregate'))
FROM (SELECT pg_temp.plan('SELECT * FROM coarse') AS p) x;
:ser
SELECT 'partial aggregation in parallel = serial (12 aggregates x 16 groups)', (SELECT count(*) FROM coarse_ser),
       (SELECT count(*) FROM coarse_ser s FULL JOIN coarse_par p USING (agg, k) WHERE s.v IS DISTINCT FROM p.v);
