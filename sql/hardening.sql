-- Hand-passed states and values: every support function that reads an
-- aggregate state (final, combine, inverse transition, accessor) checks it, a
-- forged or overflowing state is an error (never a wrong number), inverse
-- transitions never make a value that does not exist, and every input and
-- combine function checks every invariant of its type.  Valid states keep
-- their answers (checked against plain SQL).

-- helpers: a 128-bit field of a binary value (big-endian, as the wire format)
-- and a binary deal_summary built field by field
CREATE FUNCTION hz_i128(v numeric) RETURNS bytea LANGUAGE sql IMMUTABLE AS
$$ SELECT int8send(hi::int8) || int8send((CASE WHEN lo >= 2::numeric ^ 63 THEN lo - 2::numeric ^ 64 ELSE lo END)::int8)
   FROM (SELECT floor(v / 2::numeric ^ 64) AS hi, v - floor(v / 2::numeric ^ 64) * 2::numeric ^ 64 AS lo) x $$;
CREATE FUNCTION hz_money(sum numeric, n int8, scale_n int8, scale int2) RETURNS bytea LANGUAGE sql IMMUTABLE AS
$$ SELECT hz_i128(sum) || int8send(n) || int8send(scale_n) || int2send(scale) $$;
CREATE FUNCTION hz_deal_summary(scale int2, deals int8, won int8, lost int8,
                                won_amt bytea, lost_amt bytea, open_amt bytea, weighted bytea,
                                cycle_us numeric, cycle_n int8) RETURNS bytea LANGUAGE sql IMMUTABLE AS
$$ SELECT '\x0100'::bytea || int2send(scale) || int8send(deals) || int8send(won) || int8send(lost)
          || won_amt || lost_amt || open_amt || weighted || hz_i128(cycle_us) || int8send(cycle_n) $$;
-- binary input: the bytes go through deal_summary_recv by a binary COPY on
-- the client side (bytea's binary form is its bytes), one case at a time.
CREATE TABLE hz_cases (name text PRIMARY KEY, b bytea);
CREATE TABLE hz_ds (v deal_summary);
\set copy_file `mktemp -t sales_kpi_hardening.XXXXXXXX`
\setenv SALES_KPI_COPY_FILE :copy_file
-- the helper builds what deal_summary_send sends, in format version 1 (0.1.0's,
-- still read): version 2 adds the time kind in the second byte (the flags of
-- version 1) and two bigints at the end (skipped rows, rows with a time)
SELECT hz_deal_summary(0::int2, 1, 1, 0, hz_money(5, 1, 1, 0::int2), hz_money(0, 0, 0, 0::int2),
                       hz_money(0, 0, 0, 0::int2), hz_money(0, 0, 0, 0::int2), 86400000000, 1)
       = '\x0100'::bytea || substring(b FROM 3 FOR length(b) - 18) AS binary_helper_ok
FROM (SELECT deal_summary_send(deal_summary(5, true, date '2024-01-01', date '2024-01-02')) AS b) x;
INSERT INTO hz_cases SELECT 'round trip', deal_summary_send(deal_summary(5, true, date '2024-01-01', date '2024-01-02'));
\set case 'round trip'
TRUNCATE hz_ds;
COPY (SELECT b FROM hz_cases WHERE name = :'case') TO STDOUT WITH (FORMAT binary) \g :copy_file
\copy hz_ds FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
SELECT v AS binary_round_trip FROM hz_ds;

------------------------------------------------------------------------------
-- 1. hit_ratio states {won, lost}
------------------------------------------------------------------------------
-- the reported cases: counts whose total overflows, a combine that overflows
SELECT error_of($$SELECT hit_ratio_final('{9223372036854775807,9223372036854775807}')$$);
SELECT error_of($$SELECT hit_ratio_final('{9223372036854775807,1}')$$);
SELECT error_of($$SELECT hit_ratio_final(hit_ratio_combine('{9223372036854775807,0}', '{0,9223372036854775807}'))$$);
-- shape: wrong lengths, 2-D, NULL elements; negative counts
SELECT q, error_of(q)
FROM (VALUES ($$SELECT hit_ratio_final('{}')$$), ($$SELECT hit_ratio_final('{1}')$$),
             ($$SELECT hit_ratio_final('{1,2,3}')$$), ($$SELECT hit_ratio_final('{{1,2}}')$$),
             ($$SELECT hit_ratio_final('{{1},{2}}')$$), ($$SELECT hit_ratio_final('{1,NULL}')$$),
             ($$SELECT hit_ratio_final('{-1,0}')$$), ($$SELECT hit_ratio_final('{0,-9223372036854775808}')$$),
             ($$SELECT hit_ratio_accum('{-1,5}', true)$$), ($$SELECT hit_ratio_accum_inv('{5,-1}', true)$$),
             ($$SELECT hit_ratio_accum('{1,2,3}', true)$$), ($$SELECT hit_ratio_combine('{1}', '{1,2}')$$),
             ($$SELECT hit_ratio_combine('{-1,0}', '{1,2}')$$),
             ($$SELECT hit_ratio_combine('{0,0}', '{9223372036854775807,9223372036854775807}')$$)) v(q);
-- the boundary: a total of exactly 2^63 - 1 is valid
SELECT hit_ratio_final('{9223372036854775807,0}') AS all_won, hit_ratio_final('{0,9223372036854775807}') AS all_lost,
       hit_ratio_final('{4611686018427387904,4611686018427387903}') = 4611686018427387904::float8 / 9223372036854775807::float8 AS half,
       hit_ratio_final('[0:1]={1,3}') AS other_lower_bound, hit_ratio_final('{0,0}') IS NULL AS empty;
-- a step beyond the boundary is out of range; the inverse never removes what is not there
SELECT q, error_of(q)
FROM (VALUES ($$SELECT hit_ratio_accum('{9223372036854775807,0}', true)$$),
             ($$SELECT hit_ratio_accum('{9223372036854775806,1}', false)$$),
             ($$SELECT hit_ratio_accum_inv('{0,5}', true)$$),
             ($$SELECT hit_ratio_accum_inv('{5,0}', false)$$)) v(q);
SELECT hit_ratio_accum('{9223372036854775806,0}', true) AS to_the_limit, hit_ratio_accum_inv('{1,5}', true) AS removed;
-- combine of two valid states whose sum overflows
SELECT q, error_of(q)
FROM (VALUES ($$SELECT hit_ratio_combine('{9223372036854775807,0}', '{1,0}')$$),
             ($$SELECT hit_ratio_combine('{4611686018427387904,0}', '{4611686018427387904,0}')$$),
             ($$SELECT hit_ratio_combine('{9223372036854775807,0}', '{0,1}')$$)) v(q);
SELECT hit_ratio_combine('{1,2}', '{3,4}') AS merged, hit_ratio_combine('{9223372036854775806,0}', '{0,1}') AS to_the_limit;
-- valid states keep their answers
SELECT hit_ratio(won) = count(*) FILTER (WHERE won)::float8 / count(won) AS hit_ratio_ok,
       hit_ratio_final(hit_ratio_combine(ARRAY[count(*) FILTER (WHERE won), count(*) FILTER (WHERE NOT won)],
                                         '{0,0}')) = hit_ratio(won) AS final_of_a_built_state_ok
FROM deals;

------------------------------------------------------------------------------
-- 2. churn_rate / retention_rate states {has_period, p0, p1, at_start, churned}
------------------------------------------------------------------------------
SELECT q, error_of(q)
FROM (VALUES ($$SELECT churn_rate_final('{2,0,10,2,1}')$$),
             ($$SELECT churn_rate_final('{0,0,0,5,2}')$$),
             ($$SELECT churn_rate_final('{0,0,10,0,0}')$$),
             ($$SELECT churn_rate_final('{1,10,10,1,0}')$$),
             ($$SELECT churn_rate_final('{1,-9223372036854775808,0,2,1}')$$),
             ($$SELECT churn_rate_final('{1,0,9223372036854775807,2,1}')$$),
             ($$SELECT churn_rate_final('{1,0,10,2,5}')$$),
             ($$SELECT retention_rate_final('{1,0,10,-2,-5}')$$),
             ($$SELECT retention_rate_final('{1,0,10,2}')$$),
             ($$SELECT retention_rate_final('{{1,0,10,2,1}}')$$),
             ($$SELECT churn_rate_final('{1,0,10,NULL,1}')$$),
             ($$SELECT churn_combine('{1,0,10,2,1}', '{0,0,0,3,0}')$$),
             ($$SELECT churn_combine('{1,0,10,2,3}', '{1,0,10,2,1}')$$)) v(q);
-- the transition function checks the state it is given, and counts without wrapping
SELECT q, error_of(q)
FROM (VALUES ($$SELECT churn_accum('{0,0,0,5,2}', date '2023-01-01', NULL::date, date '2024-01-01', date '2024-02-01')$$),
             ($$SELECT churn_accum('{1,0,1,5,9}', date '2023-01-01', NULL::date, date '2024-01-01', date '2024-02-01')$$),
             ($$SELECT churn_accum(ARRAY[1, 1704067200000000 - 946684800000000, 1706745600000000 - 946684800000000, 9223372036854775807, 0],
                                   date '2023-01-01', NULL::date, date '2024-01-01', date '2024-02-01')$$),
             ($$SELECT churn_combine('{1,0,10,9223372036854775807,0}', '{1,0,10,1,0}')$$)) v(q);
-- at the limit a row that does not count is still fine
SELECT churn_accum(ARRAY[1, 1704067200000000 - 946684800000000, 1706745600000000 - 946684800000000, 9223372036854775807, 0],
                   date '2025-01-01', NULL::date, date '2024-01-01', date '2024-02-01') AS not_counted;
SELECT churn_rate_final('{1,0,10,5,2}') AS churn, retention_rate_final('{1,0,10,5,2}') AS retention,
       churn_rate_final('{0,0,0,0,0}') IS NULL AS empty, churn_combine('{0,0,0,0,0}', '{1,0,10,3,1}') AS merged;
-- valid states keep their answers
SELECT churn_rate(active_from, active_until, date '2024-01-01', date '2024-04-01') =
         (count(*) FILTER (WHERE active_from <= '2024-01-01' AND active_until > '2024-01-01' AND active_until <= '2024-04-01'))::float8
         / count(*) FILTER (WHERE active_from <= '2024-01-01' AND (active_until IS NULL OR active_until > '2024-01-01')) AS churn_ok
FROM customers;

------------------------------------------------------------------------------
-- 3. inverse transitions never make a value that does not exist
------------------------------------------------------------------------------
-- summaries to remove from each other
CREATE TEMP TABLE hz_sum AS
SELECT 'won 5' AS k, deal_summary(5, true, date '2024-01-01', date '2024-01-02') AS s
UNION ALL SELECT 'won 7', deal_summary(7, true, date '2024-01-01', date '2024-01-02')
UNION ALL SELECT 'won 5, 2 days', deal_summary(5, true, date '2024-01-01', date '2024-01-03')
UNION ALL SELECT 'won 1 and 4', deal_summary(a, true, date '2024-01-01', date '2024-01-02') FROM (VALUES (1), (4)) v(a)
UNION ALL SELECT 'open 10 at 0.1', deal_summary(10, NULL, date '2024-01-01', NULL, 0.1)
UNION ALL SELECT 'open 10 at 0.9', deal_summary(10, NULL, date '2024-01-01', NULL, 0.9)
UNION ALL SELECT 'cycle 1 day', deal_summary_cycle_accum(NULL, date '2024-01-01', date '2024-01-02', true)
UNION ALL SELECT 'weighted 10 at 0.1', deal_summary_weighted_accum(NULL, 10, 0.1)
UNION ALL SELECT 'avg of 5', deal_summary_amount_accum(NULL, 5, true)
UNION ALL SELECT 'hit ratio of 5', deal_summary_won_accum(NULL, true, 5);
CREATE FUNCTION hz(k text) RETURNS deal_summary LANGUAGE sql STABLE AS $$ SELECT s FROM hz_sum WHERE hz_sum.k = hz.k $$;
-- the reported case: 5 won minus 7 won is not a summary of any rows (NULL: recompute)
SELECT deal_summary_combine_inv(hz('won 5'), hz('won 7')) IS NULL AS five_minus_seven;
SELECT name, v IS NULL AS declined, v
FROM (VALUES
  ('summary: longer cycle', deal_summary_combine_inv(hz('won 5'), hz('won 5, 2 days'))),
  ('summary: more deals', deal_summary_combine_inv(hz('won 5'), hz('won 1 and 4'))),
  ('summary: larger weighted', deal_summary_combine_inv(hz('open 10 at 0.1'), hz('open 10 at 0.9'))),
  ('row: larger amount', deal_summary_accum_inv(hz('won 5'), 7, true, date '2024-01-01', date '2024-01-02')),
  ('row: longer cycle', deal_summary_accum_inv(hz('won 5'), 5, true, date '2024-01-01', date '2024-01-05')),
  ('row: larger weight', deal_summary_accum_inv(hz('open 10 at 0.1'), 10, NULL, date '2024-01-01', NULL::date, 0.9)),
  ('row of sales_cycle_days: longer cycle', deal_summary_cycle_accum_inv(hz('cycle 1 day'), date '2024-01-01', date '2024-03-01', true)),
  ('row of weighted_pipeline: larger weight', deal_summary_weighted_accum_inv(hz('weighted 10 at 0.1'), 10, 0.9)),
  ('row of avg_deal_size: larger amount', deal_summary_amount_accum_inv(hz('avg of 5'), 7, true)),
  ('row of hit_ratio: larger amount', deal_summary_won_accum_inv(hz('hit ratio of 5'), true, 7)),
  -- exact removals still work
  ('summary: the same', deal_summary_combine_inv(hz('won 5'), hz('won 5'))),
  ('row: the same', deal_summary_accum_inv(hz('open 10 at 0.1'), 10, NULL, date '2024-01-01', NULL::date, 0.1)),
  ('row of weighted_pipeline: the same', deal_summary_weighted_accum_inv(hz('weighted 10 at 0.1'), 10, 0.1)),
  ('row of avg_deal_size: the same', deal_summary_amount_accum_inv(hz('avg of 5'), 5, true))
) v(name, v)
ORDER BY name COLLATE "C";
-- in moving windows the results still equal a recompute of every frame
SELECT bool_and(m IS NOT DISTINCT FROM f) AS rollup_window_equals_recompute
FROM (SELECT rollup(s) OVER (ORDER BY rep ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)::text AS m,
             (SELECT rollup(y.s) FROM (SELECT rep, deal_summary(amount, won, created, closed, prob) s FROM deals GROUP BY rep) y
              WHERE y.rep BETWEEN x.rep - 1 AND x.rep)::text AS f
      FROM (SELECT rep, deal_summary(amount, won, created, closed, prob) s FROM deals GROUP BY rep) x) t;
SELECT bool_and(m = f) AS deal_window_equals_recompute
FROM (SELECT deal_summary(amount, won, created, closed, prob) OVER (ORDER BY id ROWS BETWEEN 7 PRECEDING AND CURRENT ROW)::text AS m,
             (SELECT deal_summary(d.amount, d.won, d.created, d.closed, d.prob) FROM deals d WHERE d.id BETWEEN x.id - 7 AND x.id)::text AS f
      FROM deals x WHERE id <= 400) t;

------------------------------------------------------------------------------
-- 4. deal_summary invariants in text input, binary input and combine
------------------------------------------------------------------------------
-- text: weighted pipeline above the open amount, weighted pipeline without an
-- open amount, more weighted deals than open deals with an amount, a summed
-- cycle longer than its deals can take
SELECT error_of(format('SELECT %L::deal_summary', lit)) AS deal_summary_text_errors
FROM (VALUES
  ('(version=1,deals=1,won=0,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=5,open_amount_n=1,open_amount_scale_n=1,weighted_pipeline=7,weighted_pipeline_n=1,weighted_pipeline_scale_n=1,cycle_us=0,cycle_n=0)'),
  ('(version=1,deals=1,won=0,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=7,weighted_pipeline_n=1,weighted_pipeline_scale_n=1,cycle_us=0,cycle_n=0)'),
  ('(version=1,deals=2,won=0,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=9,open_amount_n=1,open_amount_scale_n=1,weighted_pipeline=2,weighted_pipeline_n=2,weighted_pipeline_scale_n=2,cycle_us=0,cycle_n=0)'),
  ('(version=1,deals=1,won=0,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=5.5,open_amount_n=1,open_amount_scale_n=1,weighted_pipeline=5.51,weighted_pipeline_n=1,weighted_pipeline_scale_n=1,cycle_us=0,cycle_n=0)'),
  ('(version=1,deals=1,won=1,lost=0,won_amount=5,won_amount_n=1,won_amount_scale_n=1,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=9435184819200000000,cycle_n=1)')
) v(lit);
-- the boundaries are valid: weighted = open amount, the longest cycle
SELECT weighted_pipeline(v) = open_amount(v) AS weighted_equals_open, sales_cycle_days(v) > 100000000 AS longest_cycle
FROM (VALUES ('(version=1,deals=2,won=1,lost=0,won_amount=5,won_amount_n=1,won_amount_scale_n=1,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=5.5,open_amount_n=1,open_amount_scale_n=1,weighted_pipeline=5.50,weighted_pipeline_n=1,weighted_pipeline_scale_n=1,cycle_us=9435184819199999999,cycle_n=1)'::deal_summary)) v(v);
-- binary: the same cases (each an error, but the valid boundary)
INSERT INTO hz_cases VALUES
  ('weighted above open', hz_deal_summary(0::int2, 1, 0, 0, hz_money(0, 0, 0, 0::int2), hz_money(0, 0, 0, 0::int2),
                                          hz_money(5, 1, 1, 0::int2), hz_money(7, 1, 1, 0::int2), 0, 0)),
  ('weighted without open amount', hz_deal_summary(0::int2, 1, 0, 0, hz_money(0, 0, 0, 0::int2), hz_money(0, 0, 0, 0::int2),
                                                   hz_money(0, 0, 0, 0::int2), hz_money(7, 1, 1, 0::int2), 0, 0)),
  ('more weighted deals', hz_deal_summary(0::int2, 2, 0, 0, hz_money(0, 0, 0, 0::int2), hz_money(0, 0, 0, 0::int2),
                                          hz_money(9, 1, 1, 0::int2), hz_money(2, 2, 2, 0::int2), 0, 0)),
  ('cycle too long', hz_deal_summary(0::int2, 1, 1, 0, hz_money(5, 1, 1, 0::int2), hz_money(0, 0, 0, 0::int2),
                                     hz_money(0, 0, 0, 0::int2), hz_money(0, 0, 0, 0::int2), 9435184819200000000, 1)),
  ('weighted = open (valid)', hz_deal_summary(1::int2, 1, 0, 0, hz_money(0, 0, 0, 0::int2), hz_money(0, 0, 0, 0::int2),
                                              hz_money(55, 1, 1, 1::int2), hz_money(55, 1, 1, 1::int2), 0, 0));
\set case 'weighted above open'
TRUNCATE hz_ds;
COPY (SELECT b FROM hz_cases WHERE name = :'case') TO STDOUT WITH (FORMAT binary) \g :copy_file
\copy hz_ds FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
SELECT :'case' AS name, v AS deal_summary_binary FROM hz_ds;
\set case 'weighted without open amount'
TRUNCATE hz_ds;
COPY (SELECT b FROM hz_cases WHERE name = :'case') TO STDOUT WITH (FORMAT binary) \g :copy_file
\copy hz_ds FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
SELECT :'case' AS name, v AS deal_summary_binary FROM hz_ds;
\set case 'more weighted deals'
TRUNCATE hz_ds;
COPY (SELECT b FROM hz_cases WHERE name = :'case') TO STDOUT WITH (FORMAT binary) \g :copy_file
\copy hz_ds FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
SELECT :'case' AS name, v AS deal_summary_binary FROM hz_ds;
\set case 'cycle too long'
TRUNCATE hz_ds;
COPY (SELECT b FROM hz_cases WHERE name = :'case') TO STDOUT WITH (FORMAT binary) \g :copy_file
\copy hz_ds FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
SELECT :'case' AS name, v AS deal_summary_binary FROM hz_ds;
\set case 'weighted = open (valid)'
TRUNCATE hz_ds;
COPY (SELECT b FROM hz_cases WHERE name = :'case') TO STDOUT WITH (FORMAT binary) \g :copy_file
\copy hz_ds FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
SELECT :'case' AS name, v AS deal_summary_binary FROM hz_ds;
\! rm -f "$SALES_KPI_COPY_FILE"
-- combine of two valid summaries whose counts overflow: out of range
SELECT error_of($$SELECT deal_summary_combine(v, v) FROM (VALUES ('(version=1,deals=9223372036854775807,won=0,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0)'::deal_summary)) x(v)$$);
-- a transition on a full summary is out of range (it used to return NULL,
-- which drops every row before it)
SELECT error_of($$SELECT deal_summary_accum('(version=1,deals=9223372036854775807,won=0,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0)'::deal_summary, NULL::numeric, NULL::boolean, NULL::date, NULL::date)$$);

------------------------------------------------------------------------------
-- 5. probabilities outside [0, 1] are errors whatever the rest of the row
------------------------------------------------------------------------------
SELECT q, error_of(q)
FROM (VALUES ($$SELECT deal_summary(100, true, date '2024-01-01', date '2024-01-02', 5)$$),
             ($$SELECT deal_summary(100, false, date '2024-01-01', date '2024-01-02', -0.5)$$),
             ($$SELECT deal_summary(NULL, NULL, date '2024-01-01', NULL::date, 5)$$),
             ($$SELECT deal_summary(100, true, date '2024-01-01', date '2024-01-02', 'NaN')$$),
             ($$SELECT weighted_pipeline(NULL::numeric, 5)$$),
             ($$SELECT weighted_pipeline(a, p) FROM (VALUES (1, 0.5), (NULL, 1.01)) v(a, p)$$),
             ($$SELECT deal_summary_accum_inv(deal_summary(100, true, date '2024-01-01', date '2024-01-02', 0.5), 100, true, date '2024-01-01', date '2024-01-02', 2)$$)) v(q);
-- valid probabilities keep their answers (won, lost and amount-less rows are not in the pipeline)
SELECT weighted_pipeline(amount, prob) FILTER (WHERE won IS NULL) = sum(amount * prob) FILTER (WHERE won IS NULL) AS weighted_ok,
       weighted_pipeline(deal_summary(amount, won, created, closed, prob)) = sum(amount * prob) FILTER (WHERE won IS NULL) AS summary_ok,
       weighted_pipeline(deal_summary(100, true, date '2024-01-01', date '2024-01-02', 1)) IS NULL AS decided_not_weighted
FROM deals;

------------------------------------------------------------------------------
-- 6. order_summary: counts never wrap, merges check their arguments
------------------------------------------------------------------------------
SELECT q, error_of(q)
FROM (VALUES ($$SELECT order_summary_accum('(version=1,customers=1,orders=9223372036854775807,revenue=0,lifespan_us=0,first_sum_us=0,first_us=0,last_us=0)'::order_summary, 1, date '2000-01-01')$$),
             ($$SELECT order_summary_rollup(v, v) FROM (VALUES ('(version=1,customers=9223372036854775807,orders=9223372036854775807,revenue=0,lifespan_us=0,first_sum_us=0,first_us=0,last_us=0)'::order_summary)) x(v)$$)) v(q);
SELECT orders(order_summary_accum('(version=1,customers=1,orders=9223372036854775806,revenue=0,lifespan_us=0,first_sum_us=0,first_us=0,last_us=0)'::order_summary, 1, date '2000-01-01')) AS to_the_limit;
-- valid summaries keep their answers
SELECT orders(rollup(s)) = (SELECT count(*) FROM orders WHERE amount IS NOT NULL) AS orders_ok,
       revenue(rollup(s)) = (SELECT sum(amount) FROM orders) AS revenue_ok,
       customers(rollup(s)) = (SELECT count(DISTINCT customer_id) FROM orders WHERE amount IS NOT NULL) AS customers_ok
FROM (SELECT order_summary(amount, purchased_at) s FROM orders GROUP BY customer_id) c;

------------------------------------------------------------------------------
-- 7. stage_funnel: every deal in the funnel entered a stage
------------------------------------------------------------------------------
-- implied: the first stage counts every deal in the funnel; entered: the
-- counts add up to at least the deals in the funnel
SELECT error_of(format('SELECT %L::stage_funnel', lit)) AS stage_funnel_errors
FROM (VALUES
  ('(version=1,mode=implied,deals=5,outside=1,stages=["a":3,"b":1])'),
  ('(version=1,mode=entered,deals=5,outside=1,stages=["a":1,"b":2])')
) v(lit);
SELECT '(version=1,mode=implied,deals=5,outside=1,stages=["a":4,"b":1])'::stage_funnel AS implied_ok,
       '(version=1,mode=entered,deals=5,outside=1,stages=["a":1,"b":3])'::stage_funnel AS entered_ok,
       '(version=1,mode=ordered,deals=5,outside=1,stages=["a":0,"b":0])'::stage_funnel AS ordered_ok;
-- real funnels keep the rules, alone and merged: parts read back, and their
-- rollup equals the funnel of all the deals
WITH p AS (SELECT deal_id, stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won']) p
           FROM stage_events GROUP BY deal_id),
     f AS (SELECT m, deal_id % 3 AS g, stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], m) f
           FROM p, (VALUES ('implied'), ('entered'), ('ordered')) v(m) GROUP BY m, deal_id % 3)
SELECT m, bool_and(f::text::stage_funnel::text = f::text) AS parts_read_back,
       rollup(f)::text::stage_funnel::text =
         (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], m) FROM p)::text AS rollup_equals_all
FROM f GROUP BY m ORDER BY m COLLATE "C";

------------------------------------------------------------------------------
-- 8. accessors: no overflow on valid values at the extremes
------------------------------------------------------------------------------
-- 2^63 - 1 exited deals: the percentile's rank stays in range (for fraction 1
-- it used to overflow, and the first bucket was read)
SELECT round((percentile_days(t, 'a', 1) * 86400000000)::numeric, 6) AS p100_us,
       round((percentile_days(t, 'a', 0) * 86400000000)::numeric, 6) AS p0_us,
       round((median_days(t, 'a') * 86400000000)::numeric, 6) AS median_us
FROM (VALUES ('(version=1,time=date,as_of=none,stale_after=none,deals=9223372036854775807,outside=0,stages=[("a",visits=9223372036854775807,exited=9223372036854775807,exited_us=46116860184273879030,current=0,current_us=0,stale=0,hist=[0:1,5:9223372036854775806])])'::stage_times)) v(t);
-- scalar sales_velocity: a product beyond double precision is out of range, not Infinity
SELECT split_part(error_of($$SELECT sales_velocity(1e308, 1, 1e30, 1)$$), ' | ', 1) AS beyond_double;
SELECT sales_velocity(120, 0.25, 5000, 30) AS readme_example;

-- a NULL state passed by hand to a transition function that is not strict
-- (found by test/t/state_fuzz.sh: it crashed the backend)
SELECT error_of($$SELECT churn_accum(NULL::bigint[], date '2024-01-10', date '2024-01-10', date '2024-01-10', date '2024-02-10')$$);
SELECT error_of($$SELECT retention_accum(NULL::bigint[], timestamptz '2024-01-10', NULL, timestamptz '2024-01-10', timestamptz '2024-02-10')$$);
