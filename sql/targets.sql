-- Targets family (issue 14): attainment, pacing (linear and seasonal),
-- split_target (largest remainder, exact), pipeline_coverage, open_at and
-- the forecast (weighted pipeline per close month and rep, pipeline as of a
-- past date).  Hand-computed cases and plain-SQL references.
SET extra_float_digits = 0;

-- attainment
SELECT attainment(80000, 100000) AS eighty_percent, attainment(123.45, 100) AS over, attainment(5, 0) AS no_target,
       attainment(-10, 100) AS refunds;
SELECT error_of($$SELECT attainment(5, -1)$$);
SELECT error_of($$SELECT attainment('NaN', 1)$$);

-- pacing, linear: 40,000 after 10 of January's 31 days against 100,000 -> 40000 / (10/31) / 100000 = 1.24
SELECT pacing(40000, 100000, date '2026-01-01', date '2026-02-01', date '2026-01-11') AS linear,
       close_to(pacing(40000, 100000, date '2026-01-01', date '2026-02-01', date '2026-01-11'), 1.24) AS is_1_24,
       pacing(40000, 100000, timestamp '2026-01-01', timestamp '2026-02-01', timestamp '2026-01-11') AS ts,
       pacing(40000, 100000, timestamptz '2026-01-01 00:00+00', timestamptz '2026-02-01 00:00+00', timestamptz '2026-01-11 00:00+00') AS tz,
       pacing(1, 100, date '2026-01-01', date '2026-02-01', date '2026-01-01') AS at_start,
       pacing(95, 100, date '2026-01-01', date '2026-02-01', date '2026-02-01') AS at_end;
SELECT period_elapsed(date '2026-01-01', date '2026-02-01', date '2026-01-11') * 31 AS days_of_31,
       period_elapsed(timestamptz '2026-01-01 00:00+00', timestamptz '2026-01-02 00:00+00', timestamptz '2026-01-01 06:00+00') AS quarter_day;
-- the widest period of timestamps (found by the state fuzzer: end - start passes the
-- int64 range of microseconds, and the share came out negative); plain SQL in numeric
SELECT abs(period_elapsed(s, e, t) - ((extract(epoch FROM t) - extract(epoch FROM s)) / (extract(epoch FROM e) - extract(epoch FROM s)))::float8) < 1e-12 AS widest_period
FROM (VALUES (timestamp '4714-11-24 00:00:00 BC', timestamp '294276-12-31 23:59:59.999999', timestamp '2024-01-01')) v(s, e, t);
-- seasonal weights per calendar month: a quarter weighted 1, 1, 2; at 15 February
-- (14 of February's 28 days) the expected share is (1 + 1 * 14/28) / 4 = 0.375
SELECT period_elapsed(date '2026-01-01', date '2026-04-01', date '2026-02-15', ARRAY[1, 1, 2]) AS seasonal_share,
       pacing(30000, 100000, date '2026-01-01', date '2026-04-01', date '2026-02-15', ARRAY[1, 1, 2]) AS seasonal_pacing,
       close_to(pacing(30000, 100000, date '2026-01-01', date '2026-04-01', date '2026-02-15', ARRAY[1, 1, 2]), 0.3 / 0.375) AS is_0_8,
       period_elapsed(date '2026-01-01', date '2026-04-01', date '2026-02-15', ARRAY[1, 1, 1]) AS equal_weights_calendar,
       period_elapsed(timestamp '2026-01-01', timestamp '2026-04-01', timestamp '2026-04-01', ARRAY[1, 1, 2]) AS at_end,
       period_elapsed(timestamptz '2026-01-01 00:00', timestamptz '2026-04-01 00:00', timestamptz '2026-03-01 00:00', ARRAY[1, 0, 2]) AS tz_two_months_one_third,
       pacing(10, 100, date '2026-01-01', date '2026-04-01', date '2026-01-20', ARRAY[0, 1, 1]) AS nothing_expected_yet;
-- a year with monthly seasonality: period_elapsed at each month start is the
-- cumulative share of the weights (plain SQL)
SELECT bool_and(close_to(period_elapsed(date '2026-01-01', date '2027-01-01', (date '2026-01-01' + (m - 1) * interval '1 month')::date, w),
                         (SELECT sum(x)::float8 FROM unnest(w[1:m - 1]) x) / (SELECT sum(x)::float8 FROM unnest(w) x))) AS monthly_cumulative
FROM (SELECT ARRAY[8, 8, 9, 9, 8, 7, 6, 6, 9, 10, 10, 10]::numeric[] w) a, generate_series(2, 12) m;
-- bad input
SELECT error_of($$SELECT pacing(1, 100, date '2026-01-01', date '2026-02-01', date '2026-02-02')$$);
SELECT error_of($$SELECT pacing(1, 100, date '2026-01-01', date '2026-02-01', date '2025-12-31')$$);
SELECT error_of($$SELECT pacing(1, 100, date '2026-02-01', date '2026-01-01', date '2026-01-15')$$);
SELECT error_of($$SELECT pacing(1, 100, date '2026-01-01', date '2026-04-01', date '2026-01-15', ARRAY[1, -1, 1])$$);
SELECT error_of($$SELECT pacing(1, 100, date '2026-01-01', date '2026-04-01', date '2026-01-15', ARRAY[0, 0, 0])$$);
SELECT error_of($$SELECT pacing(1, 100, date '2026-01-01', date '2026-04-01', date '2026-01-15', ARRAY[1, 1])$$);
SELECT error_of($$SELECT pacing(1, 100, date '2026-01-01', date '2026-04-01', date '2026-01-15', ARRAY[1, NULL, 1])$$);
SELECT error_of($$SELECT pacing(1, 100, date '2026-01-01', date '2026-04-01', date '2026-01-15', '{}')$$);
SELECT error_of($$SELECT pacing(1, -100, date '2026-01-01', date '2026-02-01', date '2026-01-15')$$);
SELECT error_of($$SELECT pacing(1, 100, date '2026-01-01', 'infinity', date '2026-01-15')$$);

-- split_target: the seed's awkward amount over 12 equal months
SELECT * FROM split_target(100000.01);
SELECT sum(target) AS total, sum(target) = 100000.01 AS exact, min(target), max(target) FROM split_target(100000.01);
-- weights that do not divide evenly: 1000 by 1:1:1 -> 333.34? no: scale 0 -> 334, 333, 333
SELECT * FROM split_target(1000, ARRAY[1, 1, 1]);
SELECT * FROM split_target(1000.00, ARRAY[1, 1, 1]);
SELECT * FROM split_target(10, ARRAY[0.5, 0.25, 0.25, 0]);
SELECT * FROM split_target(0.07, ARRAY[3, 3, 1]);
SELECT count(*) AS months FROM split_target(5, ARRAY[1]);
-- random awkward amounts and weights against a plain-SQL largest remainder
SELECT setseed(0.77);
CREATE TEMP TABLE splits AS
SELECT k, round((random() * 10000000)::numeric, (random() * 4)::int) AS annual,
       (SELECT array_agg(round((random() * 20)::numeric, (random() * 3)::int) + CASE WHEN j = 1 THEN 0.001 ELSE 0 END)
        FROM generate_series(1, 1 + (k % 13)) j WHERE k > 0) AS w
FROM generate_series(1, 300) k;
CREATE TEMP VIEW split_ref AS
SELECT k, m, annual, floor_units + CASE WHEN rk <= left_units THEN 1 ELSE 0 END AS units, sc
FROM (SELECT *, sum(floor_units) OVER (PARTITION BY k) AS floored,
             (annual * 10 ^ sc)::numeric - sum(floor_units) OVER (PARTITION BY k) AS left_units,
             row_number() OVER (PARTITION BY k ORDER BY rem DESC, m) AS rk
      FROM (SELECT k, annual, m, scale(annual) AS sc,
                   floor(annual * (10::numeric ^ scale(annual)) * wm / sum(wm) OVER (PARTITION BY k)) AS floor_units,
                   mod(annual * (10::numeric ^ scale(annual)) * wm, sum(wm) OVER (PARTITION BY k)) AS rem
            FROM splits, unnest(w) WITH ORDINALITY u(wm, m)) a) b;
SELECT count(DISTINCT s.k) AS splits, count(*) AS months,
       bool_and(t.target = r.units / 10::numeric ^ r.sc) AS equal_to_reference,
       bool_and(scale(t.target) = scale(s.annual)) AS at_annual_scale
FROM splits s CROSS JOIN LATERAL split_target(s.annual, s.w) t JOIN split_ref r ON r.k = s.k AND r.m = t.month;
SELECT bool_and(total = annual) AS every_split_sums_exactly
FROM (SELECT s.k, s.annual, sum(t.target) AS total FROM splits s, split_target(s.annual, s.w) t GROUP BY 1, 2) x;
SELECT error_of($$SELECT * FROM split_target(100, ARRAY[1, -2])$$);
SELECT error_of($$SELECT * FROM split_target(100, ARRAY[0, 0])$$);
SELECT error_of($$SELECT * FROM split_target(100, '{}')$$);
SELECT error_of($$SELECT * FROM split_target(-100)$$);
SELECT error_of($$SELECT * FROM split_target(100, ARRAY[1, NULL])$$);

-- pipeline coverage
SELECT pipeline_coverage(300000, 100000) AS three_x, pipeline_coverage(50000, 200000) AS quarter,
       pipeline_coverage(1, 0) AS target_met, pipeline_coverage(1, -5) AS over_target;
SELECT error_of($$SELECT pipeline_coverage(-1, 10)$$);

-- open_at: created <= as_of and not closed by then
SELECT c, x, open_at(c, x, date '2026-03-31') AS open_at_q1_end
FROM (VALUES (date '2026-01-10', NULL::date), ('2026-01-10', '2026-03-31'), ('2026-01-10', '2026-04-01'),
             ('2026-03-31', NULL), ('2026-04-01', NULL), (NULL, NULL)) v(c, x);
SELECT open_at(timestamp '2026-01-01', NULL, timestamp '2026-01-01') AS ts, open_at(timestamptz '2026-01-01 00:00+00', timestamptz '2026-01-02 00:00+00', timestamptz '2026-01-01 12:00+00') AS tz,
       open_at(date '2026-01-01', NULL, NULL) AS no_as_of;
SELECT error_of($$SELECT open_at(date '2026-02-01', date '2026-01-01', date '2026-03-01')$$);
SET sales_kpi.invalid_rows = skip;
SELECT open_at(date '2026-02-01', date '2026-01-01', date '2026-03-01') AS skipped_is_null;
RESET sales_kpi.invalid_rows;

-- the forecast on random deals: weighted pipeline per expected close month and
-- rep, and this quarter's pipeline against last quarter's at the same day
SELECT setseed(0.5);
CREATE TABLE fdeals AS
SELECT i, 1 + (random() * 3)::int AS rep, round((random() * 50000)::numeric, (random() * 2)::int) AS amount,
       CASE WHEN random() < 0.05 THEN NULL ELSE round(random()::numeric, 2) END AS prob,
       created, CASE WHEN random() < 0.4 THEN NULL ELSE created + random() * interval '120 days' END AS closed,
       created + random() * interval '150 days' AS expected_close
FROM (SELECT i, timestamp '2025-10-01' + random() * interval '240 days' AS created FROM generate_series(1, 5000) i) g;
SELECT count(*) AS cells, bool_and(wp IS NOT DISTINCT FROM ref) AS weighted_pipeline_exact
FROM (SELECT rep, date_trunc('month', expected_close) AS m,
             weighted_pipeline(amount, prob) FILTER (WHERE closed IS NULL) AS wp,
             sum(amount * prob) FILTER (WHERE closed IS NULL) AS ref
      FROM fdeals GROUP BY 1, 2) x;
-- pipeline as of the same day of this quarter and the last one (open then)
SELECT d, count(*) FILTER (WHERE open_at(created, closed, d)) AS open_deals,
       sum(amount) FILTER (WHERE open_at(created, closed, d)) = sum(amount) FILTER (WHERE created <= d AND (closed IS NULL OR closed > d)) AS open_amount_exact,
       weighted_pipeline(amount, prob) FILTER (WHERE open_at(created, closed, d))
         = sum(amount * prob) FILTER (WHERE created <= d AND (closed IS NULL OR closed > d)) AS weighted_exact,
       count(*) FILTER (WHERE open_at(created, closed, d)) = count(*) FILTER (WHERE created <= d AND (closed IS NULL OR closed > d)) AS count_exact
FROM fdeals, (VALUES (timestamp '2026-01-20'), (timestamp '2026-04-20')) v(d) GROUP BY d ORDER BY d;
-- coverage per rep for the rest of a quarter: open pipeline over the target left
SELECT rep, round(pipeline_coverage(open_pipeline, 20000000 - closed_amount)::numeric, 6) AS coverage,
       close_to(pipeline_coverage(open_pipeline, 20000000 - closed_amount), (open_pipeline / (20000000 - closed_amount))::float8) AS as_plain_sql
FROM (SELECT rep, coalesce(sum(amount) FILTER (WHERE open_at(created, closed, timestamp '2026-05-15')), 0) AS open_pipeline,
             coalesce(sum(amount) FILTER (WHERE closed >= '2026-04-01' AND closed < '2026-05-15'), 0) AS closed_amount
      FROM fdeals GROUP BY rep) x ORDER BY rep;
DROP TABLE fdeals;
