-- deal_summary and the deal KPIs read from it, sales_velocity: hand-computed
-- cases, equality with the plain-SQL references, rollup, moving windows.

-- hand-computed: won 100.50 in 10 days, lost 200 in 4 days, open 300.125
SELECT deals(s), won_deals(s), lost_deals(s), open_deals(s), won_amount(s), lost_amount(s), open_amount(s),
       hit_ratio(s), avg_deal_size(s), sales_cycle_days(s), sales_velocity(s)
FROM (SELECT deal_summary(a, w, c, d) s
      FROM (VALUES (100.50, true, date '2024-01-01', date '2024-01-11'),
                   (200, false, '2024-01-01', '2024-01-05'),
                   (300.125, NULL, '2024-01-01', NULL)) v(a, w, c, d)) t;
-- velocity = 1 open deal * 1/2 * 100.50 / 10 days = 5.025 (spec 2.1 revision 2: the open deals)
SELECT sales_velocity(a, w, c, d) FROM (VALUES (100.50, true, date '2024-01-01', date '2024-01-11'),
       (200, false, '2024-01-01', '2024-01-05'), (300.125, NULL, '2024-01-01', NULL)) v(a, w, c, d);
-- the scalar form applies the same formula
SELECT sales_velocity(3, 0.5, 100.50, 10);
SELECT sales_velocity(3, 0.5, 100.50, 0) IS NULL AS zero_cycle;
-- timestamp and timestamptz inputs: 36 hours = 1.5 days
SELECT sales_cycle_days(deal_summary(1, true, timestamp '2024-01-01 00:00', timestamp '2024-01-02 12:00'));
SELECT sales_cycle_days(deal_summary(1, true, timestamptz '2024-01-01 00:00+00', timestamptz '2024-01-02 12:00+00'));
-- undefined factors -> NULL: no decided deal, no won deal, zero cycle
SELECT sales_velocity(a, w, c, d) IS NULL AS no_decided FROM (VALUES (1.0, NULL::boolean, date '2024-01-01', date '2024-01-02')) v(a, w, c, d);
SELECT sales_velocity(a, w, c, d) IS NULL AS no_won FROM (VALUES (1.0, false, date '2024-01-01', date '2024-01-02')) v(a, w, c, d);
SELECT sales_velocity(a, w, c, d) IS NULL AS zero_cycle FROM (VALUES (1.0, true, date '2024-01-01', date '2024-01-01')) v(a, w, c, d);
-- empty input: the summary is NULL, counts of an empty rollup too
SELECT deal_summary(a, w, c, d) IS NULL AS empty FROM (VALUES (1.0, true, date '2024-01-01', date '2024-01-02')) v(a, w, c, d) WHERE false;

-- every accessor equals its plain-SQL reference, per rep (money compared with = and as text)
CREATE TEMP TABLE ref AS
SELECT rep,
       count(*) AS deals, count(*) FILTER (WHERE won) AS won, count(*) FILTER (WHERE NOT won) AS lost,
       count(*) FILTER (WHERE won IS NULL) AS open,
       coalesce(sum(amount) FILTER (WHERE won), 0) AS won_amount,
       coalesce(sum(amount) FILTER (WHERE NOT won), 0) AS lost_amount,
       coalesce(sum(amount) FILTER (WHERE won IS NULL), 0) AS open_amount,
       (count(*) FILTER (WHERE won))::float8 / nullif(count(won), 0) AS hit_ratio,
       avg(amount) FILTER (WHERE won) AS avg_deal_size,
       avg(extract(epoch FROM closed - created)::float8 / 86400) FILTER (WHERE won) AS cycle
FROM deals GROUP BY rep;
CREATE TEMP TABLE ours AS SELECT rep, deal_summary(amount, won, created, closed) AS s FROM deals GROUP BY rep;
SELECT count(*) AS reps,
       bool_and(coalesce(deals(s) = r.deals AND won_deals(s) = r.won AND lost_deals(s) = r.lost AND open_deals(s) = r.open, false)) AS counts,
       bool_and(coalesce(won_amount(s) = r.won_amount AND lost_amount(s) = r.lost_amount AND open_amount(s) = r.open_amount, false)) AS sums,
       bool_and(coalesce(won_amount(s)::text = r.won_amount::text AND open_amount(s)::text = r.open_amount::text, false)) AS sums_text,
       bool_and(coalesce(close_to(hit_ratio(s), r.hit_ratio), false)) AS hit_ratio,
       bool_and(coalesce(avg_deal_size(s) IS NOT DISTINCT FROM r.avg_deal_size
                AND avg_deal_size(s)::text IS NOT DISTINCT FROM r.avg_deal_size::text, false)) AS avg_deal_size,
       bool_and(coalesce(close_to(sales_cycle_days(s), r.cycle), false)) AS cycle,
       bool_and(coalesce(close_to(sales_velocity(s), r.open * r.hit_ratio * r.avg_deal_size::float8 / nullif(r.cycle, 0)), false)) AS velocity,
       count(*) FILTER (WHERE sales_velocity(s) IS NULL) AS null_velocity
FROM ours JOIN ref r USING (rep);
-- the aggregate form equals the accessor
SELECT bool_and(coalesce(close_to(v, sales_velocity(s)), false)) AS aggregate_equals_accessor
FROM (SELECT rep, sales_velocity(amount, won, created, closed) v FROM deals GROUP BY rep) a JOIN ours USING (rep);

-- rollup of any partition equals the direct aggregate: per rep, per (rep, month), per id % 7
SELECT (SELECT rollup(s)::text FROM ours) = (SELECT deal_summary(amount, won, created, closed)::text FROM deals) AS rollup_reps,
       (SELECT rollup(s)::text FROM (SELECT deal_summary(amount, won, created, closed) s FROM deals
                                    GROUP BY rep, date_trunc('month', created)) x)
         = (SELECT deal_summary(amount, won, created, closed)::text FROM deals) AS rollup_rep_months,
       (SELECT rollup(s)::text FROM (SELECT deal_summary(amount, won, created, closed) s FROM deals GROUP BY id % 7) x)
         = (SELECT deal_summary(amount, won, created, closed)::text FROM deals) AS rollup_mod7;
-- the team benchmark next to each rep: rollup(s) OVER ()
SELECT count(*) AS reps, bool_and(coalesce(close_to(team, (SELECT hit_ratio(won) FROM deals)), false)) AS benchmark,
       bool_and(coalesce(close_to(team_velocity, (SELECT sales_velocity(amount, won, created, closed) FROM deals)), false)) AS benchmark_velocity
FROM (SELECT rep, hit_ratio(rollup(s) OVER ()) AS team, sales_velocity(rollup(s) OVER ()) AS team_velocity FROM ours) t;

-- moving windows: inverse transitions equal PostgreSQL's own recompute
SELECT bool_and(coalesce(avg_deal_size(s) IS NOT DISTINCT FROM ref_avg AND avg_deal_size(s)::text IS NOT DISTINCT FROM ref_avg::text, false)) AS window_avg,
       bool_and(coalesce(won_amount(s) = coalesce(ref_sum, 0), false)) AS window_sum,
       bool_and(coalesce(deals(s) = ref_n, false)) AS window_count
FROM (SELECT deal_summary(amount, won, created, closed) OVER w AS s,
             avg(amount) FILTER (WHERE won) OVER w AS ref_avg,
             sum(amount) FILTER (WHERE won) OVER w AS ref_sum,
             count(*) OVER w AS ref_n
      FROM deals WINDOW w AS (ORDER BY created RANGE BETWEEN interval '90 days' PRECEDING AND CURRENT ROW)) t;
SELECT bool_and(coalesce(close_to(v, r), false)) AS window_velocity
FROM (SELECT sales_velocity(amount, won, created, closed) OVER w AS v,
             count(*) FILTER (WHERE won IS NULL) OVER w * ((count(*) FILTER (WHERE won) OVER w)::float8 / nullif(count(won) OVER w, 0))
               * (avg(amount) FILTER (WHERE won) OVER w)::float8
               / nullif(avg(extract(epoch FROM closed - created)::float8 / 86400) FILTER (WHERE won) OVER w, 0) AS r
      FROM deals WINDOW w AS (ORDER BY id ROWS BETWEEN 50 PRECEDING AND CURRENT ROW)) t;
-- rollup over a sliding frame of per-rep summaries (inverse of rollup)
SELECT bool_and(coalesce(r = d, false)) AS rollup_window
FROM (SELECT rep, rollup(s) OVER (ORDER BY rep ROWS 2 PRECEDING)::text AS r FROM ours) a
JOIN (SELECT o.rep, (SELECT deal_summary(amount, won, created, closed)::text FROM deals WHERE rep BETWEEN o.rep - 2 AND o.rep) AS d FROM ours o) b USING (rep);

-- mixed scales: display scale of sums and averages follows numeric sum()/avg()
SELECT won_amount(s), avg_deal_size(s) FROM (SELECT deal_summary(a, true, date '2024-01-01', date '2024-01-02') s
  FROM (VALUES (1), (2.5), (3.125)) v(a)) t;
SELECT sum(a), avg(a) FROM (VALUES (1), (2.5), (3.125)) v(a);
