-- issue 11: the deals- and customers-family findings of the user study
SET extra_float_digits = 0;
SELECT setseed(0.11);
CREATE TABLE i11 AS
SELECT g AS id, g % 7 AS rep,
       CASE WHEN g % 13 = 0 THEN NULL ELSE round((random() * 10000)::numeric, 2) END AS amount,
       CASE g % 3 WHEN 0 THEN true WHEN 1 THEN false END AS won,
       timestamptz '2024-01-01' + g * interval '1 hour' AS created,
       timestamptz '2024-01-01' + g * interval '1 hour' + (g % 50) * interval '1 day' + interval '1 minute' AS closed
FROM generate_series(1, 3000) g;

-- item 1: sales velocity counts open deals
-- 1 open deal * 1/2 * 100.50 / 10 days = 5.025 (0.1.0 counted all 3 rows: 15.075)
SELECT sales_velocity(a, w, c, d) AS velocity, sales_velocity(deal_summary(a, w, c, d)) AS accessor, sales_velocity(1, 0.5, 100.50, 10) AS scalar
FROM (VALUES (100.50, true, date '2024-01-01', date '2024-01-11'), (200, false, date '2024-01-01', date '2024-01-05'),
             (300.125, NULL, date '2024-01-01', NULL)) v(a, w, c, d);
-- no open deal -> 0; an undefined factor -> NULL
SELECT sales_velocity(a, w, c, d) AS no_open FROM (VALUES (10.0, true, date '2024-01-01', date '2024-01-03')) v(a, w, c, d);
SELECT sales_velocity(a, w, c, d) IS NULL AS undefined FROM (VALUES (10.0, NULL::boolean, date '2024-01-01', NULL::date)) v(a, w, c, d);
CREATE VIEW i11_ref AS
SELECT rep, count(*) FILTER (WHERE won IS NULL)
            * (count(*) FILTER (WHERE won)::float8 / nullif(count(won), 0))
            * (avg(amount) FILTER (WHERE won))::float8
            / nullif(avg(extract(epoch FROM closed - created)::float8 / 86400) FILTER (WHERE won), 0) AS v
FROM i11 GROUP BY rep;
SELECT bool_and(close_to(o.v, r.v)) AS serial_equals_plain_sql
FROM (SELECT rep, sales_velocity(amount, won, created, closed) v FROM i11 GROUP BY rep) o JOIN i11_ref r USING (rep);
SELECT bool_and(close_to(o.v, r.v)) AS rollup_equals_plain_sql
FROM (SELECT rep, sales_velocity(rollup(s)) v
      FROM (SELECT rep, id % 5, deal_summary(amount, won, created, closed) s FROM i11 GROUP BY 1, 2) p GROUP BY rep) o
JOIN i11_ref r USING (rep);
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SELECT close_to(sales_velocity(amount, won, created, closed),
                (SELECT count(*) FILTER (WHERE won IS NULL) * (count(*) FILTER (WHERE won)::float8 / count(won))
                        * (avg(amount) FILTER (WHERE won))::float8
                        / (avg(extract(epoch FROM closed - created)::float8 / 86400) FILTER (WHERE won)) FROM i11)) AS parallel_equals_plain_sql
FROM i11;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- item 4: error messages name the function the user called
SELECT error_of($$SELECT deal_summary(amount, won, created, closed) OVER () FROM (VALUES (-1.0, true, now(), now())) v(amount, won, created, closed)$$);
SELECT error_of($$SELECT hit_ratio(won, amount) OVER () FROM (VALUES (true, 'NaN'::numeric)) v(won, amount)$$);
SELECT error_of($$SELECT deal_summary(a, w, c, d), sales_velocity(a, w, c, d) FROM (VALUES (1.0, true, date '2024-01-02', date '2024-01-01')) v(a, w, c, d)$$);
SELECT error_of($$SELECT retention_rate(f, u, date '2024-01-01', date '2024-02-01') FROM (VALUES (date '2024-01-05', date '2024-01-01')) v(f, u)$$);

-- item 5: scalar forms take any numeric
SELECT clv(1e40, 1, 1) AS textbook, clv(1e40, 0.5) AS saas, sales_velocity(1, 0.5, 1e40, 10) AS velocity;

-- item 6: a deal_summary records its time kind
SELECT split_part(deal_summary(1, true, now(), now())::text, ',', 2) AS tz,
       split_part(deal_summary(1, true, localtimestamp, localtimestamp)::text, ',', 2) AS ts,
       split_part(deal_summary(1, true, current_date, current_date)::text, ',', 2) AS d,
       split_part(avg_deal_size(1.0, true)::text, ',', 2) AS avg_is_numeric,
       split_part(deal_summary(1, NULL, NULL::date, NULL::date)::text, ',', 2) AS none_without_dates;
SELECT error_of($$SELECT rollup(s) FROM (SELECT deal_summary(1, true, now(), now()) UNION ALL SELECT deal_summary(1, true, localtimestamp, localtimestamp)) x(s)$$);
SELECT split_part(rollup(s)::text, ',', 2) AS none_merges FROM (SELECT deal_summary(1, true, current_date, current_date) UNION ALL SELECT deal_summary(1.0, true, NULL::date, NULL::date)) x(s);
-- version 1 (0.1.0) text is still read, as unknown kind, and merges with any kind
CREATE TABLE i11_v1 AS SELECT '(version=1,deals=1,won=1,lost=0,won_amount=5,won_amount_n=1,won_amount_scale_n=1,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=86400000000,cycle_n=1)'::deal_summary AS v;
SELECT split_part(v::text, ',', 2) AS v1_kind, sales_cycle_days(v) AS v1_cycle FROM i11_v1;
SELECT deals(rollup(w)) AS merged, split_part(rollup(w)::text, ',', 2) AS merged_kind
FROM (SELECT v FROM i11_v1 UNION ALL SELECT deal_summary(1, true, now(), now())) y(w);
SELECT deal_summary_in(deal_summary_out(deal_summary(2.5, true, localtimestamp, localtimestamp)))::text
     = deal_summary(2.5, true, localtimestamp, localtimestamp)::text AS text_round_trip;

-- item 8: amounts of every numeric type
CREATE TABLE i11_f AS SELECT id, rep, amount::float8 AS f8, amount::float4 AS f4, (amount * 100)::int4 AS i4, (amount * 100)::int8 AS i8,
       won, created, closed, (id % 10) / 10.0::float8 AS p FROM i11;
SELECT (SELECT deal_summary(f8, won, created, closed)::text FROM i11_f) = (SELECT deal_summary(f8::numeric, won, created, closed)::text FROM i11_f) AS f8,
       (SELECT deal_summary(f4, won, created, closed)::text FROM i11_f) = (SELECT deal_summary(f4::numeric, won, created, closed)::text FROM i11_f) AS f4,
       (SELECT deal_summary(i4, won, created, closed)::text FROM i11_f) = (SELECT deal_summary(i4::numeric, won, created, closed)::text FROM i11_f) AS i4,
       (SELECT deal_summary(i8, won, created, closed, p)::text FROM i11_f) = (SELECT deal_summary(i8::numeric, won, created, closed, p::numeric)::text FROM i11_f) AS i8_prob;
SELECT avg_deal_size(f8, won) = avg(f8::numeric) FILTER (WHERE won) AS avg_f8,
       avg_deal_size(f4, won) = avg(f4::numeric) FILTER (WHERE won) AS avg_f4,
       weighted_pipeline(f8, p) = sum(f8::numeric * p::numeric) AS weighted_f8,
       close_to(hit_ratio(won, i8), (sum(i8) FILTER (WHERE won))::float8 / sum(i8) FILTER (WHERE won IS NOT NULL)) AS hit_i8,
       close_to(sales_velocity(i4, won, created, closed), sales_velocity(i4::numeric, won, created, closed)) AS velocity_i4
FROM i11_f;
SELECT revenue(order_summary(f8, created)) = sum(f8::numeric) AS orders_f8, revenue(order_summary(i4, created)) = sum(i4) AS orders_i4 FROM i11_f WHERE f8 IS NOT NULL;
SELECT error_of($$SELECT deal_summary('NaN'::float8, true, now(), now())$$);
SELECT clv(50.25::float8, 2, 12) AS clv_f8, clv(100::int4, 0.05) AS saas_i4;
SELECT clv(avg_purchase_value(s), purchase_frequency(s, interval '1 month'), lifespan(s, interval '1 month'))
       = avg_purchase_value(s) * purchase_frequency(s, interval '1 month')::numeric * lifespan(s, interval '1 month')::numeric AS from_parts_exact
FROM (SELECT rollup(o) s FROM (SELECT order_summary(amount, created) o FROM i11 WHERE amount IS NOT NULL GROUP BY rep) c) x;

-- item 9: dirty data: strict by default, opt-in skip counts and warns once
CREATE TABLE i11_dirty AS SELECT * FROM (VALUES (1, 10.0, true, timestamp '2024-01-02 10:00', timestamp '2024-01-02 00:00'),
  (2, 20.0, true, timestamp '2024-01-01', timestamp '2024-01-03'), (3, 30.0, false, timestamp '2024-01-05', timestamp '2024-01-01'),
  (4, 40.0, NULL, timestamp '2024-01-01', NULL)) v(id, amount, won, created_at, closed_at);
SELECT error_of($$SELECT deal_summary(amount, won, created_at, closed_at) FROM i11_dirty$$);
SET sales_kpi.invalid_rows = 'skip';
SELECT deals(s), won_deals(s), skipped_rows(s), sales_cycle_days(s), won_amount(s)
FROM (SELECT deal_summary(amount, won, created_at, closed_at) s FROM i11_dirty) x;
SELECT sales_cycle_days(created_at, closed_at, won) AS cycle_of_clean_rows,
       (SELECT sales_cycle_days(created_at, closed_at, won) FROM i11_dirty WHERE closed_at >= created_at) AS plain_where
FROM i11_dirty;
SELECT churn_rate(f, u, date '2024-01-01', date '2024-02-01') AS churn
FROM (VALUES (date '2023-01-01', date '2024-01-15'), (date '2023-01-01', NULL), (date '2024-01-05', date '2023-12-01')) v(f, u);
-- the count the WARNING gives, as a number (plain SQL: the rows with
-- active_until < active_from), for each time type and in one scan with churn_rate
SELECT churn_skipped_rows(f, u, date '2024-01-01', date '2024-02-01') AS skipped_date,
       churn_skipped_rows(f::timestamp, u::timestamp, timestamp '2024-01-01', timestamp '2024-02-01') AS skipped_ts,
       churn_skipped_rows(f::timestamptz, u::timestamptz, timestamptz '2024-01-01', timestamptz '2024-02-01') AS skipped_tz,
       count(*) FILTER (WHERE u < f) AS plain_sql
FROM (VALUES (date '2023-01-01', date '2024-01-15'), (date '2023-01-01', NULL), (date '2024-01-05', date '2023-12-01'),
             (date '2024-01-09', date '2024-01-08')) v(f, u);
SELECT churn_rate(f, u, date '2024-01-01', date '2024-02-01') AS churn,
       churn_skipped_rows(f, u, date '2024-01-01', date '2024-02-01') AS skipped
FROM (VALUES (date '2023-01-01', date '2024-01-15'), (date '2023-01-01', NULL), (date '2024-01-05', date '2023-12-01')) v(f, u);
RESET sales_kpi.invalid_rows;
-- strict (the default): the rows are an error, so the count is 0 on clean data
SELECT churn_skipped_rows(f, u, date '2024-01-01', date '2024-02-01') AS skipped_strict
FROM (VALUES (date '2023-01-01', date '2024-01-15'), (date '2023-01-01', NULL)) v(f, u);
SELECT error_of($$SELECT churn_skipped_rows(f, u, date '2024-01-01', date '2024-02-01') FROM (VALUES (date '2024-01-05', date '2023-12-01')) v(f, u)$$);
SELECT error_of($$SELECT churn_skipped_rows_final('{1,0,5,0,0,-1}')$$);
SELECT error_of($$SELECT churn_rate(f, u, date '2024-01-01', date '2024-02-01') FROM (VALUES (date '2024-01-05', date '2023-12-01')) v(f, u)$$);
