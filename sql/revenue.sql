-- revenue family (issue 13): hand-computed customers covering every MRR
-- movement, every reader on them, the identity, and bad input.
-- Range 2024-01 .. 2024-06 (the month before: 2023-12).  MRR by hand:
--            Dec   Jan   Feb   Mar   Apr   May   Jun
--   c1         .   100   100     .     .   120   120   gap, reactivation, open end
--   c2         .    50    50    80    50     .     .   two overlapping subscriptions
--   c3       200   200   230   230   230   230   230   downgrade and upgrade in one month (Feb)
--   c4         .     .     .     .     .     .     .   start and end in the same month
--   c5         .     .     .     .  10.5  10.5  10.5   open end, scale 1
--   c6         .     .     .     .     .     .     .   only subscription has amount 0
--   c7         .     .    70    70     .     .     .   reactivation after months away (paid 2023-06..07)
--   c8         .    40    45     .    20     .     .   (month, MRR) rows, two rows in Feb
CREATE TABLE rv_subs (customer_id bigint, starts_at date, ends_at date, monthly_amount numeric);
INSERT INTO rv_subs VALUES
  (1, '2024-01-10', '2024-03-05', 100), (1, '2024-05-01', NULL, 120),
  (2, '2024-01-15', '2024-05-01', 50), (2, '2024-03-01', '2024-04-20', 30),
  (3, '2023-12-01', '2024-02-10', 200), (3, '2024-02-10', NULL, 150), (3, '2024-02-20', NULL, 80),
  (4, '2024-02-03', '2024-02-25', 500),
  (5, '2024-04-15', NULL, 10.5),
  (6, '2024-01-01', NULL, 0),
  (7, '2023-06-01', '2023-08-01', 70), (7, '2024-02-01', '2024-04-01', 70),
  -- ignored rows: NULL start, NULL amount
  (7, NULL, '2024-05-01', 999), (7, '2024-01-01', NULL, NULL);
CREATE TABLE rv_mrr (customer_id bigint, month date, mrr numeric);
INSERT INTO rv_mrr VALUES (8, '2024-01-01', 40), (8, '2024-02-01', 40), (8, '2024-02-17', 5), (8, '2024-04-01', 20);

CREATE TABLE rv_series AS
  SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount) AS s FROM rv_subs GROUP BY customer_id
  UNION ALL
  SELECT customer_id, mrr_series(month, mrr) FROM rv_mrr GROUP BY customer_id;
SELECT customer_id, s, first_month(s), mrr_at(s, '2024-02-29') FROM rv_series ORDER BY customer_id;

CREATE TABLE rv_sum AS SELECT revenue_summary(s, '2024-01-01', '2024-06-30') AS r FROM rv_series;
SELECT * FROM mrr_movements((SELECT r FROM rv_sum));

-- the hand-computed waterfall: no row differs either way (numeric =)
CREATE TEMP VIEW rv_hand (month, mrr, customers, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr,
                          new_customers, expansion_customers, contraction_customers, churned_customers, reactivated_customers) AS
VALUES ('2024-01-01'::date, 390::numeric, 4::bigint, 190::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 3::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint),
       ('2024-02-01', 495, 5, 0, 35, 0, 0, 70, 0, 2, 0, 0, 1),
       ('2024-03-01', 380, 3, 0, 30, 0, 145, 0, 0, 1, 0, 2, 0),
       ('2024-04-01', 310.5, 4, 10.5, 0, 30, 70, 20, 1, 0, 1, 1, 1),
       ('2024-05-01', 360.5, 3, 0, 0, 0, 70, 120, 0, 0, 0, 2, 1),
       ('2024-06-01', 360.5, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
CREATE TEMP VIEW rv_got AS
SELECT month, mrr, customers, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr,
       new_customers, expansion_customers, contraction_customers, churned_customers, reactivated_customers
FROM mrr_movements((SELECT r FROM rv_sum));
SELECT (SELECT count(*) FROM (SELECT * FROM rv_hand EXCEPT SELECT * FROM rv_got) x) AS missing,
       (SELECT count(*) FROM (SELECT * FROM rv_got EXCEPT SELECT * FROM rv_hand) x) AS unexpected,
       (SELECT count(*) FROM rv_got) AS months;
-- the identity in every month, the first one against the month before the range (200)
SELECT bool_and(mrr = prev + new_mrr + expansion_mrr + reactivation_mrr - contraction_mrr - churned_mrr
                AND net_new_mrr = mrr - prev AND arr = 12 * mrr) AS identity
FROM (SELECT *, coalesce(lag(mrr) OVER (ORDER BY month), 200) AS prev FROM mrr_movements((SELECT r FROM rv_sum))) x;

-- period ratios (from Jan to Jun), by hand
SELECT close_to(nrr(r, '2024-01-01', '2024-06-01'), 350.0 / 390) AS nrr,
       close_to(grr(r, '2024-01-01', '2024-06-01'), 300.0 / 390) AS grr,
       close_to(gross_revenue_churn(r, '2024-01-01', '2024-06-01'), 315.0 / 390) AS gross_churn,
       close_to(net_revenue_churn(r, '2024-01-01', '2024-06-01'), 40.0 / 390) AS net_churn,
       close_to(customer_churn_rate(r, '2024-01-01', '2024-06-01'), 0.75) AS cust_churn,
       close_to(customer_retention_rate(r, '2024-01-01', '2024-06-01'), 0.25) AS cust_ret,
       close_to(upsell_rate(r, '2024-01-01', '2024-06-01'), 0.75) AS upsell,
       close_to(quick_ratio(r, '2024-01-01', '2024-06-01'), 285.5 / 315) AS quick
FROM rv_sum;
-- one month: nothing moved in between
SELECT nrr(r, '2024-03-01', '2024-03-01'), grr(r, '2024-03-01', '2024-03-01'),
       gross_revenue_churn(r, '2024-03-01', '2024-03-01'), quick_ratio(r, '2024-03-01', '2024-03-01'),
       customer_churn_rate(r, '2024-03-01', '2024-03-01') FROM rv_sum;
-- Feb -> Apr: c1 c2 c3 c7 c8 paid in Feb (495); in Apr 0 + 50 + 230 + 0 + 20 = 300; capped 0+50+230+0+20
SELECT close_to(nrr(r, '2024-02-01', '2024-04-01'), 300.0 / 495) AS nrr_feb_apr,
       close_to(grr(r, '2024-02-01', '2024-04-01'), 300.0 / 495) AS grr_feb_apr,
       close_to(customer_churn_rate(r, '2024-02-01', '2024-04-01'), 3.0 / 5) AS churn_feb_apr,
       close_to(upsell_rate(r, '2024-02-01', '2024-04-01'), 1.0 / 5) AS upsell_feb_apr
FROM rv_sum;

SELECT mrr(r, '2024-04-15'), arr(r, '2024-04-01'), paying_customers(r, '2024-04-01'), arpa(r, '2024-01-01'),
       arpa(r, '2024-01-01', '2024-06-01') = 2296.5 / 22 AS arpa_period,
       saas_ltv(r, '2024-01-01', '2024-06-01') = 2296.5 / 22 * 19 / 5 AS ltv,
       new_customers(r, '2024-01-01', '2024-06-01') AS new_after_jan,
       cac(r, '2024-01-01', '2024-06-01', 1000) AS cac_one_new,
       new_customers(r, '2024-01-01', '2024-01-01') AS none_new, cac(r, '2024-01-01', '2024-01-01', 1000) AS cac_none,
       series_count(r), skipped_rows(r)
FROM rv_sum;
SELECT * FROM cohort_retention((SELECT r FROM rv_sum));
-- cohort 2024-01: c1 c2 c8 (190); then 3 195, 1 80, 2 70, 1 120, 1 120
SELECT array_agg(customers ORDER BY months_since) = '{3,3,1,2,1,1}' AND array_agg(mrr ORDER BY months_since) = '{190,195,80,70,120,120}'::numeric[]
       AND bool_and(cohort_customers = 3 AND cohort_mrr = 190) AS cohort_jan
FROM cohort_retention((SELECT r FROM rv_sum)) WHERE cohort = '2024-01-01';

-- scalars
SELECT cac(1000, 4), cac(1000, 0), saas_ltv(100, 0.05), saas_ltv(100, 0), ltv_to_cac(2000, 250), ltv_to_cac(2000, 0),
       cac_payback_months(1200, 100, 0.8), cac_payback_months(1200, 100, 0);

-- every amount type and time type gives the same series
SELECT count(*) AS distinct_series FROM (SELECT s FROM (
  SELECT mrr_series(starts_at, ends_at, monthly_amount) s FROM rv_subs WHERE customer_id = 3
  UNION ALL SELECT mrr_series(starts_at::timestamp, ends_at::timestamp, monthly_amount) FROM rv_subs WHERE customer_id = 3
  UNION ALL SELECT mrr_series(starts_at::timestamptz, ends_at::timestamptz, monthly_amount::float8) FROM rv_subs WHERE customer_id = 3
  UNION ALL SELECT mrr_series(starts_at, ends_at, monthly_amount::int4) FROM rv_subs WHERE customer_id = 3
  UNION ALL SELECT mrr_series(starts_at, ends_at, monthly_amount::int8) FROM rv_subs WHERE customer_id = 3
  UNION ALL SELECT mrr_series(starts_at, ends_at, monthly_amount::float4) FROM rv_subs WHERE customer_id = 3) x GROUP BY s) y;
-- timestamptz months are UTC months, whatever the session time zone
SET TimeZone = 'America/Los_Angeles';
SELECT mrr_series('2024-01-31 20:00-08'::timestamptz, NULL::timestamptz, 10);
SET TimeZone = 'UTC';
SELECT mrr_series('2024-01-31 20:00-08'::timestamptz, NULL::timestamptz, 10);
RESET TimeZone;

-- text and binary round trips, equality
SELECT bool_and(s::text::mrr_series = s AND s::text::mrr_series::text = s::text) AS series_text FROM rv_series;
SELECT r::text::revenue_summary = r AS summary_text, r::text::revenue_summary::text = r::text AS summary_text2 FROM rv_sum;
SELECT '(version=1,scale=2,skipped=0,mrr=[(2024-01,100.00),(2024-03,0)])'::mrr_series;

-- rollup of disjoint customer sets equals the whole
SELECT (SELECT rollup(p) FROM (SELECT revenue_summary(s, '2024-01-01', '2024-06-01') p FROM rv_series GROUP BY customer_id % 3) x)
     = (SELECT r FROM rv_sum) AS rollup_equal;

-- the one-level form over the subscription rows equals the two-level one
SELECT (SELECT revenue_summary(customer_id, starts_at, ends_at, monthly_amount, '2024-01-01', '2024-06-01') FROM rv_subs)
     = (SELECT revenue_summary(s, '2024-01-01', '2024-06-01') FROM rv_series WHERE customer_id <> 8) AS one_level_equal;
-- skipped rows are counted there too, with a warning
SET sales_kpi.invalid_rows = skip;
SELECT skipped_rows(revenue_summary(c, s, e, a, '2024-01-01', '2024-03-01')), series_count(revenue_summary(c, s, e, a, '2024-01-01', '2024-03-01'))
FROM (VALUES (1, date '2024-03-01', date '2024-02-01', 5), (2, date '2024-01-01', NULL, 7)) v(c, s, e, a);
RESET sales_kpi.invalid_rows;
SELECT error_of($$SELECT revenue_summary(c, s, e, a, '2024-01-01', '2024-03-01') FROM (VALUES (1, date '2024-03-01', date '2024-02-01', 5)) v(c, s, e, a)$$);
-- a hand-made state of the one-level form is validated
SELECT error_of($$SELECT revenue_summary_rows_final('\x00'::bytea)$$);
SELECT error_of($$SELECT revenue_summary_rows_final(substr(revenue_summary_rows_accum(NULL, 1::bigint, date '2024-01-01', NULL::date, 5::numeric, '2024-01-01', '2024-02-01'), 1, 60))$$);
SELECT revenue_summary_rows_final(revenue_summary_rows_combine(
         revenue_summary_rows_accum(NULL, 1::bigint, date '2024-01-01', NULL::date, 5::numeric, '2024-01-01', '2024-02-01'),
         revenue_summary_rows_accum(NULL, 1::bigint, date '2024-02-01', date '2024-03-01', 2.5::numeric, '2024-01-01', '2024-02-01')))
     = (SELECT revenue_summary(x, '2024-01-01', '2024-02-01')
          FROM (SELECT mrr_series(s, e, a) x FROM (VALUES (date '2024-01-01', NULL::date, 5::numeric), ('2024-02-01', '2024-03-01', 2.5)) v(s, e, a)) y) AS direct_calls;

-- bad input
SELECT error_of($$SELECT mrr_series(date '2024-01-01', date '2024-02-01', -5)$$);
SELECT error_of($$SELECT mrr_series(date '2024-03-01', date '2024-02-01', 5)$$);
SELECT error_of($$SELECT mrr_series(date '2024-01-01', date '2024-02-01', 'NaN'::numeric)$$);
SELECT error_of($$SELECT mrr_series(date '2024-01-01', 'infinity'::date, 5)$$);
SELECT error_of($$SELECT mrr_series(date '2024-01-01', -5)$$);
SET sales_kpi.invalid_rows = skip;
SELECT mrr_series(starts_at, ends_at, a), skipped_rows(mrr_series(starts_at, ends_at, a))
FROM (VALUES (date '2024-03-01', date '2024-02-01', 5), (date '2024-01-01', NULL, 7)) v(starts_at, ends_at, a);
RESET sales_kpi.invalid_rows;
SELECT error_of($$SELECT revenue_summary(s, '2024-06-01', '2024-01-01') FROM rv_series$$);
SELECT error_of($$SELECT revenue_summary(s, '2000-01-01', '2024-01-01') FROM rv_series$$);
SELECT error_of($$SELECT revenue_summary(s, NULL, '2024-01-01') FROM rv_series$$);
SELECT error_of($$SELECT nrr(r, '2023-01-01', '2024-03-01') FROM rv_sum$$);
SELECT error_of($$SELECT nrr(r, '2024-03-01', '2024-01-01') FROM rv_sum$$);
SELECT error_of($$SELECT rollup(x) FROM (SELECT r x FROM rv_sum UNION ALL SELECT revenue_summary(s, '2024-01-01', '2024-05-01') FROM rv_series) y$$);
SELECT error_of($$SELECT cac(-1, 3)$$), error_of($$SELECT cac_payback_months(100, 10, 1.5)$$), error_of($$SELECT saas_ltv(100, -0.1)$$);
-- NULL customer ids: the aggregate groups them like any key; leave them out with WHERE customer_id IS NOT NULL
SELECT customer_id, mrr_series(m, v) FROM (VALUES (NULL::bigint, date '2024-01-01', 5), (NULL, date '2024-01-01', 6)) x(customer_id, m, v) GROUP BY customer_id;
-- malformed text
SELECT error_of($$SELECT '(version=1,scale=2,skipped=0,mrr=[(2024-03,100.00),(2024-01,0)])'::mrr_series$$);
SELECT error_of($$SELECT '(version=1,scale=2,skipped=0,mrr=[(2024-01,100.00),(2024-03,100.00)])'::mrr_series$$);
SELECT error_of($$SELECT '(version=1,scale=2,skipped=0,mrr=[(2024-01,-1.00)])'::mrr_series$$);
SELECT error_of($$SELECT '(version=1,scale=1,skipped=0,mrr=[(2024-01,1.00)])'::mrr_series$$);
SELECT error_of($$SELECT '(version=2,scale=1,skipped=0,mrr=[])'::mrr_series$$);
SELECT error_of($$SELECT '(version=1,scale=1,skipped=0,mrr=[]) x'::mrr_series$$);
SELECT regexp_replace(error_of($$SELECT replace(r::text, 'month=[(390', 'month=[(391')::revenue_summary FROM rv_sum$$), '".*"', '"..."') AS broken_identity;
SELECT regexp_replace(error_of($$SELECT replace(r::text, 'months=6', 'months=5')::revenue_summary FROM rv_sum$$), '".*"', '"..."') AS wrong_length;
SELECT regexp_replace(error_of($$SELECT replace(r::text, 'pairs=[(390.0,390.0,0,0),(425.0,390.0', 'pairs=[(390.0,390.0,0,0),(425.0,426.0')::revenue_summary FROM rv_sum$$), '".*"', '"..."') AS grr_above_nrr;
SELECT regexp_replace(error_of($$SELECT replace(r::text, 'cohorts=[(3,', 'cohorts=[(2,')::revenue_summary FROM rv_sum$$), '".*"', '"..."') AS cohort_not_new;
-- binary COPY round trips (client side, through a file of this run's own)
CREATE TABLE rv_io AS SELECT customer_id, s, (SELECT r FROM rv_sum) AS r FROM rv_series;
\set copy_file `mktemp -t sales_kpi_rv.XXXXXXXX`
\setenv SALES_KPI_COPY_FILE :copy_file
COPY rv_io TO STDOUT WITH (FORMAT binary) \g :copy_file
CREATE TABLE rv_io2 (LIKE rv_io);
\copy rv_io2 FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
\! rm -f "$SALES_KPI_COPY_FILE"
SELECT count(*) AS n, bool_and(a.s = b.s AND a.s::text = b.s::text AND a.r = b.r AND a.r::text = b.r::text) AS binary_round_trip
FROM rv_io a JOIN rv_io2 b USING (customer_id);

-- valid parts whose merged MRR passes 128 bits (found by the fuzzer at scale:
-- a series merged with itself): out of range, not an invalid value
SELECT error_of($$SELECT mrr_series_final(mrr_series_combine(v, v)) FROM (VALUES ('(version=1,scale=0,skipped=0,mrr=[(0001-01,5),(9999-12,7),(10000-01,85070591730234615865843651857942052864)])'::mrr_series)) x(v)$$);
