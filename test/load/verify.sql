-- After the load: every KPI against its plain-SQL definition on the final
-- tables.  Prints "check|comparisons|mismatches" lines.
\set stages 'ARRAY[''lead'',''qualified'',''proposal'',''negotiation'',''won'']'
CREATE TEMP TABLE ours AS SELECT rep, deal_summary(amount, won, created, closed) AS s FROM deals GROUP BY rep;
CREATE TEMP TABLE ref AS
SELECT rep, count(*) AS deals, count(*) FILTER (WHERE won) AS won, count(*) FILTER (WHERE NOT won) AS lost,
       count(*) FILTER (WHERE won IS NULL) AS open,
       coalesce(sum(amount) FILTER (WHERE won), 0) AS won_amount,
       coalesce(sum(amount) FILTER (WHERE won IS NULL), 0) AS open_amount,
       (count(*) FILTER (WHERE won))::float8 / nullif(count(won), 0) AS hit_ratio,
       avg(amount) FILTER (WHERE won) AS avg_deal_size,
       avg(extract(epoch FROM closed - created)::float8 / 86400) FILTER (WHERE won) AS cycle
FROM deals GROUP BY rep;
CREATE FUNCTION pg_temp.close_to(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN a IS NULL AND b IS NULL
               ELSE abs(a - b) <= 1e-12 * greatest(abs(a), abs(b), 1e-300) END $$;

-- deal KPIs per rep: counts and money exact (also as text), ratios to 1e-12
SELECT 'deal KPIs per rep', count(*) * 9,
       sum((deals(s) <> r.deals)::int + (won_deals(s) <> r.won)::int + (lost_deals(s) <> r.lost)::int
           + (open_deals(s) <> r.open)::int + (won_amount(s) <> r.won_amount OR won_amount(s)::text <> r.won_amount::text)::int
           + (open_amount(s) <> r.open_amount)::int
           + (avg_deal_size(s)::text IS DISTINCT FROM r.avg_deal_size::text)::int
           + (NOT pg_temp.close_to(hit_ratio(s), r.hit_ratio))::int + (NOT pg_temp.close_to(sales_cycle_days(s), r.cycle))::int)
FROM ours JOIN ref r USING (rep);
-- every rep present on both sides
SELECT 'reps on both sides', 1, ((SELECT count(*) FROM ours) <> (SELECT count(*) FROM ref)
                                 OR (SELECT count(*) FROM ours JOIN ref USING (rep)) <> (SELECT count(*) FROM ref))::int;
-- the team benchmark: rollup over the reps = the KPIs of all deals
SELECT 'team benchmark (rollup OVER ())', count(*),
       count(*) FILTER (WHERE NOT pg_temp.close_to(team, (SELECT (count(*) FILTER (WHERE won))::float8 / nullif(count(won), 0) FROM deals)))
FROM (SELECT hit_ratio(rollup(s) OVER ()) AS team FROM ours) t;
SELECT 'rollup of the reps = summary of all deals', 1,
       ((SELECT rollup(s)::text FROM ours) <> (SELECT deal_summary(amount, won, created, closed)::text FROM deals))::int;
SELECT 'won amount of all deals, exact', 1,
       ((SELECT won_amount(rollup(s)) FROM ours) <> (SELECT coalesce(sum(amount), 0) FROM deals WHERE won))::int;

-- funnels: reached per stage in every mode
CREATE TEMP TABLE ev AS
SELECT deal_id, array_position(:stages, stage) AS pos, at FROM deal_events WHERE stage IS NOT NULL AND at IS NOT NULL;
CREATE TEMP TABLE f_ours AS
SELECT m.mode, c.position, c.reached
FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode),
     LATERAL (SELECT (stage_conversion(stage_funnel(p, :stages, m.mode))).*
              FROM (SELECT stage_path(stage, at, :stages) AS p FROM deal_events GROUP BY deal_id) x) c;
CREATE TEMP TABLE f_ref AS
SELECT 'implied' AS mode, k AS position, count(*) FILTER (WHERE maxpos >= k) AS reached
FROM (SELECT deal_id, max(pos) AS maxpos FROM ev GROUP BY deal_id) d, generate_series(1, 5) k GROUP BY k
UNION ALL
SELECT 'entered', k, count(DISTINCT deal_id) FILTER (WHERE pos = k) FROM ev, generate_series(1, 5) k GROUP BY k;
-- ordered: t(1) = first time of stage 1, t(k) = first time of stage k at or after t(k-1)
INSERT INTO f_ref
WITH s1 AS (SELECT deal_id, min(at) AS t FROM ev WHERE pos = 1 GROUP BY deal_id),
     s2 AS (SELECT s.deal_id, min(e.at) AS t FROM s1 s JOIN ev e ON e.deal_id = s.deal_id AND e.pos = 2 AND e.at >= s.t GROUP BY 1),
     s3 AS (SELECT s.deal_id, min(e.at) AS t FROM s2 s JOIN ev e ON e.deal_id = s.deal_id AND e.pos = 3 AND e.at >= s.t GROUP BY 1),
     s4 AS (SELECT s.deal_id, min(e.at) AS t FROM s3 s JOIN ev e ON e.deal_id = s.deal_id AND e.pos = 4 AND e.at >= s.t GROUP BY 1),
     s5 AS (SELECT s.deal_id, min(e.at) AS t FROM s4 s JOIN ev e ON e.deal_id = s.deal_id AND e.pos = 5 AND e.at >= s.t GROUP BY 1)
SELECT 'ordered', 1, count(*) FROM s1 UNION ALL SELECT 'ordered', 2, count(*) FROM s2
UNION ALL SELECT 'ordered', 3, count(*) FROM s3 UNION ALL SELECT 'ordered', 4, count(*) FROM s4
UNION ALL SELECT 'ordered', 5, count(*) FROM s5;
SELECT 'funnel reached counts (3 modes x 5 stages)', (SELECT count(*) FROM f_ref),
       (SELECT count(*) FROM f_ref r LEFT JOIN f_ours o USING (mode, position) WHERE o.reached IS DISTINCT FROM r.reached)
       + abs((SELECT count(*) FROM f_ours) - (SELECT count(*) FROM f_ref));
SELECT 'funnel deals and outside deals', 2,
       (deals(f) <> (SELECT count(DISTINCT deal_id) FROM ev))::int
       + (outside_deals(f) <> (SELECT count(*) FROM (SELECT deal_id FROM ev GROUP BY deal_id HAVING count(pos) = 0) x))::int
FROM (SELECT stage_funnel(p, :stages) AS f FROM (SELECT stage_path(stage, at, :stages) AS p FROM deal_events GROUP BY deal_id) x) y;
-- the one-level form gives the same funnels
SELECT 'one-level form = two-level form (3 modes)', 3,
       count(*) FILTER (WHERE a IS DISTINCT FROM b)
FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode),
     LATERAL (SELECT stage_funnel(h, m.mode)::text AS a FROM (SELECT stage_history(deal_id, stage, at, :stages) AS h FROM deal_events) x) one,
     LATERAL (SELECT stage_funnel(p, :stages, m.mode)::text AS b
              FROM (SELECT stage_path(stage, at, :stages) AS p FROM deal_events GROUP BY deal_id) x) two;

-- churn and retention per month
SELECT 'churn and retention per month', count(*) * 2,
       count(*) FILTER (WHERE NOT pg_temp.close_to(ours, ref)) + count(*) FILTER (WHERE NOT pg_temp.close_to(ours_r, 1 - ref))
FROM (SELECT p0, churn_rate(c.active_from, c.active_until, p0, p1) AS ours,
             retention_rate(c.active_from, c.active_until, p0, p1) AS ours_r,
             (count(*) FILTER (WHERE active_from <= p0 AND (active_until IS NULL OR active_until > p0) AND active_until <= p1))::float8
               / nullif(count(*) FILTER (WHERE active_from <= p0 AND (active_until IS NULL OR active_until > p0)), 0) AS ref
      FROM (SELECT m::date AS p0, (m + interval '1 month')::date AS p1
            FROM generate_series(date '2025-01-01', date '2025-12-01', interval '1 month') m) p
      CROSS JOIN customers c GROUP BY p0) t;
