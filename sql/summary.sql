-- Deal summaries as a two-step API: every accessor against its plain-SQL
-- reference (with probabilities and extreme amounts), standalone aggregates,
-- rollup of daily summaries stored in a materialized view, and windows.

-- weighted pipeline: hand-computed 100.50 * 0.25 + 200 * 0.5 = 125.1250 (open deals only)
SELECT weighted_pipeline(s), open_amount(s)
FROM (SELECT deal_summary(a, w, c, d, p) s
      FROM (VALUES (100.50, NULL::boolean, date '2024-01-01', NULL::date, 0.25), (200, NULL, '2024-01-01', NULL, 0.5),
                   (300, true, '2024-01-01', '2024-01-05', 0.9), (50, NULL, '2024-01-01', NULL, NULL)) v(a, w, c, d, p)) x;
-- standalone aggregates: every row counts for weighted_pipeline(amount, probability)
SELECT weighted_pipeline(a, p), avg_deal_size(a, w), sales_cycle_days(c, d, w)
FROM (VALUES (100.50, NULL::boolean, date '2024-01-01', NULL::date, 0.25), (200, false, '2024-01-01', '2024-01-03', 0.5),
             (300, true, '2024-01-01', '2024-01-05', 0.9)) v(a, w, c, d, p);
SELECT weighted_pipeline(a, p) IS NULL AS no_probability FROM (VALUES (1.0, NULL::numeric)) v(a, p);

-- per rep: accessors and standalone aggregates vs the references
CREATE TEMP TABLE s_ours AS
SELECT rep, deal_summary(amount, won, created, closed, prob) AS s,
       avg_deal_size(amount, won) AS ads, sales_cycle_days(created, closed, won) AS scd,
       weighted_pipeline(amount, prob) FILTER (WHERE won IS NULL) AS wp
FROM deals GROUP BY rep;
CREATE TEMP TABLE s_ref AS
SELECT rep, avg(amount) FILTER (WHERE won) AS ads,
       avg(extract(epoch FROM closed - created)::float8 / 86400) FILTER (WHERE won) AS scd,
       sum(amount * prob) FILTER (WHERE won IS NULL) AS wp,
       count(*) AS deals, coalesce(sum(amount) FILTER (WHERE won IS NULL), 0) AS open_amount
FROM deals GROUP BY rep;
SELECT count(*) AS reps,
       bool_and(coalesce(weighted_pipeline(s) IS NOT DISTINCT FROM r.wp AND weighted_pipeline(s)::text IS NOT DISTINCT FROM r.wp::text, false)) AS weighted_pipeline,
       bool_and(coalesce(o.wp IS NOT DISTINCT FROM r.wp, false)) AS weighted_pipeline_aggregate,
       bool_and(coalesce(o.ads IS NOT DISTINCT FROM r.ads AND o.ads::text IS NOT DISTINCT FROM r.ads::text, false)) AS avg_deal_size_aggregate,
       bool_and(coalesce(close_to(o.scd, r.scd), false)) AS sales_cycle_days_aggregate,
       bool_and(coalesce(deals(s) = r.deals AND open_amount(s) = r.open_amount, false)) AS counts_and_sums,
       count(*) FILTER (WHERE o.wp IS NULL) AS reps_without_pipeline
FROM s_ours o JOIN s_ref r USING (rep);

-- extreme amounts: 20-digit amounts with 4 decimals, 1e-10 amounts, zeros; sums stay exact
CREATE TEMP TABLE extreme AS
SELECT g AS id, g % 3 = 0 AS won,
       CASE g % 4 WHEN 0 THEN 12345678901234567890.1234 WHEN 1 THEN 0.0000000001 WHEN 2 THEN 0 ELSE 99999999999999.99 END AS amount,
       date '2024-01-01' AS created, date '2024-01-01' + g % 400 AS closed
FROM generate_series(1, 5000) g;
SELECT won_amount(s) = (SELECT sum(amount) FROM extreme WHERE won) AS won_sum_exact,
       lost_amount(s)::text = (SELECT sum(amount) FROM extreme WHERE NOT won)::text AS lost_sum_exact_text,
       avg_deal_size(s) = (SELECT avg(amount) FROM extreme WHERE won) AS avg_exact,
       won_amount(s) AS won_amount
FROM (SELECT deal_summary(amount, won, created, closed) s FROM extreme) x;

-- the README's worked example: daily per-rep summaries in a materialized view,
-- the quarter dashboard read from it equals the one from raw rows
CREATE MATERIALIZED VIEW daily_rep AS
SELECT rep, created::date AS day, deal_summary(amount, won, created, closed, prob) AS s
FROM deals GROUP BY rep, created::date;
CREATE TEMP TABLE q_from_mv AS
SELECT rep, rollup(s) AS s FROM daily_rep
WHERE day >= date '2024-04-01' AND day < date '2024-07-01' GROUP BY rep;
CREATE TEMP TABLE q_from_raw AS
SELECT rep, deal_summary(amount, won, created, closed, prob) AS s FROM deals
WHERE created >= date '2024-04-01' AND created < date '2024-07-01' GROUP BY rep;
SELECT count(*) AS reps, bool_and(coalesce(m.s::text = r.s::text, false)) AS quarter_from_matview_equals_raw
FROM q_from_mv m JOIN q_from_raw r USING (rep);
-- with the team benchmark beside each rep
SELECT count(*) AS reps,
       bool_and(coalesce(close_to(team_hr, (SELECT hit_ratio(won) FROM deals WHERE created >= date '2024-04-01' AND created < date '2024-07-01')), false)) AS benchmark_equals_team
FROM (SELECT rep, hit_ratio(s) AS hr, hit_ratio(rollup(s) OVER ()) AS team_hr FROM q_from_mv) t;

-- windows with inverse transitions equal PostgreSQL's own recompute
SELECT bool_and(coalesce(ads IS NOT DISTINCT FROM r_ads AND ads::text IS NOT DISTINCT FROM r_ads::text, false)) AS window_avg_deal_size,
       bool_and(coalesce(close_to(scd, r_scd), false)) AS window_cycle,
       bool_and(coalesce(wp IS NOT DISTINCT FROM r_wp AND wp::text IS NOT DISTINCT FROM r_wp::text, false)) AS window_weighted
FROM (SELECT avg_deal_size(amount, won) OVER w AS ads, avg(amount) FILTER (WHERE won) OVER w AS r_ads,
             sales_cycle_days(created, closed, won) OVER w AS scd,
             avg(extract(epoch FROM closed - created)::float8 / 86400) FILTER (WHERE won) OVER w AS r_scd,
             weighted_pipeline(amount, prob) OVER w AS wp, sum(amount * prob) OVER w AS r_wp
      FROM deals WINDOW w AS (ORDER BY created RANGE BETWEEN interval '90 days' PRECEDING AND CURRENT ROW)) t;
-- a rolling 90-day hit ratio read from the daily summaries (rollup as a moving window)
SELECT bool_and(coalesce(close_to(hr, r), false)) AS rolling_from_daily
FROM (SELECT rep, day, hit_ratio(rollup(s) OVER w) AS hr FROM daily_rep
      WINDOW w AS (PARTITION BY rep ORDER BY day RANGE BETWEEN interval '89 days' PRECEDING AND CURRENT ROW)) a
JOIN LATERAL (SELECT hit_ratio(won) AS r FROM deals d
              WHERE d.rep = a.rep AND d.created::date BETWEEN a.day - 89 AND a.day) b ON true;

-- each sum fits in 128 bits but their total does not: the ratio is still given
SELECT hit_ratio(w, a) AS half, hit_ratio_by_amount(deal_summary(a, w, date '2024-01-01', date '2024-01-02')) AS half_accessor
FROM (VALUES (true, 1e38), (false, 1e38)) v(w, a);
