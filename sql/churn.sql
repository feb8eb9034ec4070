-- churn_rate / retention_rate: hand-computed cases, the reference definition
-- per month, period rules, and the seeds' scalar forms.

-- January 2024: c1 active throughout, c2 leaves 01-15 (churned), c3 joins and
-- leaves inside (excluded), c4 leaves exactly at period end (churned), c5 left before
SELECT churn_rate(f, u, date '2024-01-01', date '2024-02-01') AS churn,
       retention_rate(f, u, date '2024-01-01', date '2024-02-01') AS retention
FROM (VALUES (date '2023-01-01', NULL::date), ('2023-06-01', '2024-01-15'), ('2024-01-05', '2024-01-20'),
             ('2023-01-01', '2024-02-01'), ('2022-01-01', '2023-12-31')) v(f, u);
-- a customer leaving at p0 exactly is not active at p0; starting at p0 is
SELECT churn_rate(f, u, date '2024-01-01', date '2024-02-01') FROM (VALUES (date '2023-01-01', date '2024-01-01'), ('2024-01-01', '2024-01-10')) v(f, u);
-- nobody active at the start -> NULL; no rows -> NULL
SELECT churn_rate(f, u, date '2024-01-01', date '2024-02-01') IS NULL AS none_active FROM (VALUES (date '2024-01-05', NULL::date)) v(f, u);
SELECT churn_rate(f, u, date '2024-01-01', date '2024-02-01') IS NULL AS no_rows FROM (VALUES (date '2024-01-05', NULL::date)) v(f, u) WHERE false;
-- timestamptz and timestamp forms
SELECT churn_rate(f, u, timestamptz '2024-01-01', timestamptz '2024-02-01')
FROM (VALUES (timestamptz '2023-01-01', NULL::timestamptz), ('2023-01-01', '2024-01-31 23:59:59')) v(f, u);
SELECT churn_rate(f, u, timestamp '2024-01-01', timestamp '2024-02-01')
FROM (VALUES (timestamp '2023-01-01', NULL::timestamp), ('2023-01-01', '2024-01-31 23:59:59')) v(f, u);

-- reference per month over 20 months (NULL active_from rows ignored on both sides)
SELECT count(*) AS months,
       bool_and(coalesce(close_to(ours, ref), false)) AS churn_equal,
       bool_and(coalesce(close_to(ours_r, 1 - ref), false)) AS retention_equal
FROM (SELECT p0, churn_rate(c.active_from, c.active_until, p0, p1) AS ours,
             retention_rate(c.active_from, c.active_until, p0, p1) AS ours_r,
             (count(*) FILTER (WHERE active_from <= p0 AND (active_until IS NULL OR active_until > p0) AND active_until <= p1))::float8
               / nullif(count(*) FILTER (WHERE active_from <= p0 AND (active_until IS NULL OR active_until > p0)), 0) AS ref
      FROM (SELECT m::date AS p0, (m + interval '1 month')::date AS p1
            FROM generate_series(date '2023-01-01', date '2024-08-01', interval '1 month') m) p
      CROSS JOIN customers c GROUP BY p0) t;

-- the seeds' scalar forms: start 100, end 90, 5 new -> churn (100 - 85) / 100
SELECT churn_rate(100, 90, 5), retention_rate(100, 90, 5), churn_rate(100, 90), retention_rate(0, 0) IS NULL AS zero_start;
