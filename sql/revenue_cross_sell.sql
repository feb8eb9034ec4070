-- revenue family (issue 13): the cross-sell rate on hand-computed customers,
-- the product points of mrr_series, their text and binary forms and their
-- rules.  Range 2024-01 .. 2024-06.  Products paid for (amount > 0) by hand:
--            Jan   Feb   Mar   Apr   May   Jun
--   c1         A     A    AB    AB     A     A   adds B in Mar
--   c2         A     A     .     A     A     A   the same product again after a gap
--   c3        AB    AB     A     A    AB    AB   B lapses in Mar and returns in May
--   c4         A     A     B     B     B     B   switches A for B in Mar
--   c5         A    A-    A-    A-    A-    A-   adds B at amount 0 in Feb (- : not paid for)
--   c6         A    A?    A?    A?    A?    A?   adds a subscription without a product in Feb (?)
--   c7         .     A     A    AB    AB    AB   starts in Feb, adds B in Apr
--   c8         A     A     A     A     A     A   B starts and ends within Mar (no month)
CREATE TABLE xs_subs (customer_id bigint, starts_at date, ends_at date, monthly_amount numeric, product text);
INSERT INTO xs_subs VALUES
  (1, '2024-01-01', NULL, 100, 'A'), (1, '2024-03-10', '2024-05-01', 20, 'B'),
  (2, '2024-01-01', '2024-03-01', 50, 'A'), (2, '2024-04-01', NULL, 50, 'A'),
  (3, '2024-01-01', NULL, 30, 'A'), (3, '2024-01-01', '2024-03-01', 10, 'B'), (3, '2024-05-01', NULL, 12, 'B'),
  (4, '2024-01-01', '2024-03-01', 40, 'A'), (4, '2024-03-01', NULL, 45, 'B'),
  (5, '2024-01-01', NULL, 60, 'A'), (5, '2024-02-01', NULL, 0, 'B'),
  (6, '2024-01-01', NULL, 70, 'A'), (6, '2024-02-01', NULL, 5, NULL),
  (7, '2024-02-01', NULL, 80, 'A'), (7, '2024-04-01', NULL, 8, 'B'),
  (8, '2023-12-01', NULL, 90, 'A'), (8, '2024-03-05', '2024-03-20', 9, 'B');
CREATE TABLE xs_series AS
  SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount, product) AS s FROM xs_subs GROUP BY customer_id;
CREATE TABLE xs_sum AS SELECT revenue_summary(s, '2024-01-01', '2024-06-01') AS r FROM xs_series;
-- the product points keep which months each product is paid for (keys: FNV-1a 64 of 'A' and 'B')
SELECT customer_id, s FROM xs_series ORDER BY customer_id;

-- by hand: paying in Jan c1 c2 c3 c4 c5 c6 c8 (7); cross-sold by Jun c1 (B, Mar) and c4 (B, Mar)
--          paying in Feb all 8; cross-sold by Apr c1, c4 (Mar) and c7 (Apr)
--          paying in Mar c1 c3 c4 c5 c6 c7 c8 (7); cross-sold by Jun c3 (B again, May) and c7 (Apr)
SELECT close_to(cross_sell_rate(r, '2024-01-01', '2024-06-01'), 2.0 / 7) AS jan_jun,
       close_to(cross_sell_rate(r, '2024-01-01', '2024-02-01'), 0.0) AS jan_feb,
       close_to(cross_sell_rate(r, '2024-02-01', '2024-04-01'), 3.0 / 8) AS feb_apr,
       close_to(cross_sell_rate(r, '2024-03-01', '2024-06-01'), 2.0 / 7) AS mar_jun,
       close_to(cross_sell_rate(r, '2024-03-01', '2024-04-01'), 1.0 / 7) AS mar_apr,
       close_to(cross_sell_rate(r, '2024-06-01', '2024-06-01'), 0.0) AS same_month
FROM xs_sum;
-- the same rows without products: the same MRR, movements, NRR and upsell
SELECT (SELECT array_agg(m ORDER BY month) FROM mrr_movements((SELECT r FROM xs_sum)) m)
     = (SELECT array_agg(m ORDER BY month) FROM mrr_movements((SELECT revenue_summary(s, '2024-01-01', '2024-06-01')
                                               FROM (SELECT mrr_series(starts_at, ends_at, monthly_amount) s FROM xs_subs GROUP BY customer_id) x)) m) AS same_movements,
       (SELECT nrr(r, '2024-01-01', '2024-06-01') = nrr(p, '2024-01-01', '2024-06-01')
          AND upsell_rate(r, '2024-01-01', '2024-06-01') = upsell_rate(p, '2024-01-01', '2024-06-01')
        FROM xs_sum, (SELECT revenue_summary(s, '2024-01-01', '2024-06-01') p
                      FROM (SELECT mrr_series(starts_at, ends_at, monthly_amount) s FROM xs_subs GROUP BY customer_id) x) y) AS same_ratios,
       (SELECT bool_and(mrr_at(a.s, m::date) = mrr_at(b.s, m::date) AND first_month(a.s) = first_month(b.s))
        FROM xs_series a
        JOIN (SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount) s FROM xs_subs GROUP BY customer_id) b USING (customer_id),
             generate_series(date '2023-12-01', date '2024-07-01', interval '1 month') m) AS same_mrr_at;
-- nobody paying in the start month: NULL
SELECT cross_sell_rate(revenue_summary(s, '2024-01-01', '2024-06-01'), '2024-01-01', '2024-06-01') AS no_payers
FROM xs_series WHERE customer_id = 7;
-- the summary needs every series built with products: an error naming the count, never a silent 0
SELECT error_of($$SELECT cross_sell_rate(revenue_summary(s, '2024-01-01', '2024-06-01'), '2024-01-01', '2024-06-01')
                  FROM (SELECT mrr_series(starts_at, ends_at, monthly_amount) s FROM xs_subs GROUP BY customer_id) x$$);
CREATE TABLE xs_plain AS SELECT revenue_summary(s, '2024-01-01', '2024-06-01') AS r
FROM (SELECT mrr_series(date '2024-01-01', NULL::date, 5) s) x;
SELECT error_of($$SELECT cross_sell_rate(rollup(r), '2024-01-01', '2024-06-01')
                  FROM (SELECT r FROM xs_sum UNION ALL SELECT r FROM xs_plain) x$$);
-- kpis(): cross_sell_rate over the whole range, NULL (not an error) without products
SELECT (kpis(r)).cross_sell_rate = cross_sell_rate(r, '2024-01-01', '2024-06-01') AS kpis_equal,
       (r::jsonb ->> 'cross_sell_rate')::float8 = cross_sell_rate(r, '2024-01-01', '2024-06-01') AS json_equal
FROM xs_sum;
SELECT (kpis(r)).cross_sell_rate AS kpis_without_products FROM xs_plain;

-- rollup of disjoint customer sets and merged partial series equal the whole
SELECT (SELECT rollup(p) FROM (SELECT revenue_summary(s, '2024-01-01', '2024-06-01') p FROM xs_series GROUP BY customer_id % 3) x)
       = (SELECT r FROM xs_sum) AS rollup_equal;
SELECT bool_and(a.s = b.s) AS combine_equal, count(*) AS customers
FROM xs_series a
JOIN (SELECT customer_id, mrr_series_final(mrr_series_combine(mrr_series_combine(NULL, p1), p2)) AS s
      FROM (SELECT customer_id,
                   mrr_series(starts_at, ends_at, monthly_amount, product) FILTER (WHERE starts_at < '2024-02-01') AS p1,
                   mrr_series(starts_at, ends_at, monthly_amount, product) FILTER (WHERE NOT starts_at < '2024-02-01') AS p2
            FROM xs_subs GROUP BY customer_id) y) b USING (customer_id);
-- a part built without products drops them: no cross-sell from a half-known customer
CREATE TABLE xs_half AS
SELECT mrr_series_final(mrr_series_combine(a, b)) AS s
FROM (SELECT mrr_series(date '2024-01-01', NULL::date, 5, 'A') a) x, (SELECT mrr_series(date '2024-03-01', NULL::date, 6) b) y;
SELECT s FROM xs_half;
SELECT error_of($$SELECT cross_sell_rate(revenue_summary(s, '2024-01-01', '2024-06-01'), '2024-01-01', '2024-06-01') FROM xs_half$$) AS half_known;
-- every amount and time type; product text compared by its bytes ('a' is not 'A')
SELECT mrr_series(s::timestamptz, e::timestamptz, a::float8, p) = mrr_series(s, e, a, p) AS tz_float_equal,
       mrr_series(s::timestamp, e::timestamp, a::int4, p) = mrr_series(s, e, a::bigint, p) AS ts_int_equal
FROM (VALUES (date '2024-01-01', date '2024-04-01', 5, 'A'), (date '2024-02-01', NULL, 7, 'B')) v(s, e, a, p);
SELECT cross_sell_rate(revenue_summary(s, '2024-01-01', '2024-06-01'), '2024-01-01', '2024-06-01') AS case_differs
FROM (SELECT mrr_series(s, e, a, p) s FROM (VALUES (date '2024-01-01', NULL::date, 5, 'A'), (date '2024-02-01', NULL, 7, 'a')) v(s, e, a, p)) x;

-- text and binary forms round trip; the stored form is canonical whatever the row order
SELECT bool_and(s::text::mrr_series = s AND s::text::mrr_series::text = s::text) AS text_round_trip,
       (SELECT r::text::revenue_summary = r FROM xs_sum) AS summary_text_round_trip
FROM xs_series;
SELECT bool_and(a.s = b.s) AS order_independent
FROM xs_series a JOIN (SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount, product ORDER BY random()) s
                       FROM xs_subs GROUP BY customer_id) b USING (customer_id);
CREATE TABLE xs_io AS SELECT customer_id, s, (SELECT r FROM xs_sum) AS r FROM xs_series;
\set copy_file `mktemp -t sales_kpi_xs.XXXXXXXX`
\setenv SALES_KPI_COPY_FILE :copy_file
COPY xs_io TO STDOUT WITH (FORMAT binary) \g :copy_file
CREATE TABLE xs_io2 (LIKE xs_io);
\copy xs_io2 FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
\! rm -f "$SALES_KPI_COPY_FILE"
SELECT count(*) AS n, bool_and(a.s = b.s AND a.s::text = b.s::text AND a.r = b.r AND a.r::text = b.r::text) AS binary_round_trip
FROM xs_io a JOIN xs_io2 b USING (customer_id);

-- malformed product points
SELECT error_of($$SELECT '(version=1,scale=0,skipped=0,mrr=[(2024-01,5)],products=[(7,2024-01,1),(7,2024-01,0)])'::mrr_series$$) AS same_month_twice;
SELECT error_of($$SELECT '(version=1,scale=0,skipped=0,mrr=[(2024-01,5)],products=[(9,2024-01,1),(7,2024-02,1)])'::mrr_series$$) AS keys_unordered;
SELECT error_of($$SELECT '(version=1,scale=0,skipped=0,mrr=[(2024-01,5),(2024-03,0)],products=[(7,2024-01,1)])'::mrr_series$$) AS paid_without_mrr;
SELECT error_of($$SELECT '(version=1,scale=0,skipped=0,mrr=[(2024-03,5)],products=[(7,2024-01,1)])'::mrr_series$$) AS paid_before_mrr;
SELECT error_of($$SELECT '(version=1,scale=0,skipped=0,mrr=[(2024-01,5)],products=[(7,2024-01,-1)])'::mrr_series$$) AS negative_count;
SELECT error_of($$SELECT '(version=1,scale=0,skipped=0,mrr=[(2024-01,5)],products=[(18446744073709551616,2024-01,1)])'::mrr_series$$) AS key_too_large;
SELECT '(version=1,scale=0,skipped=0,mrr=[(2024-01,5),(2024-05,0)],products=[(7,2024-01,1),(7,2024-03,0),(18446744073709551615,2024-02,2),(18446744073709551615,2024-04,1),(18446744073709551615,2024-05,0)])'::mrr_series AS valid_text;
SELECT '(version=1,scale=0,skipped=0,mrr=[(2024-01,5)],products=[])'::mrr_series AS no_product_points;
-- a summary's cross-sold cells are checked against its customers
SELECT regexp_replace(error_of($$SELECT replace(r::text, 'crosssold=[0,', 'crosssold=[1,')::revenue_summary FROM xs_sum$$), '".*"', '"..."') AS cross_on_diagonal;
SELECT regexp_replace(error_of($$SELECT replace(r::text, ',products=8,', ',products=9,')::revenue_summary FROM xs_sum$$), '".*"', '"..."') AS more_products_than_series;
