-- Predictive CLV (issue 15): rfm(), bgnbd_fit(), gammagamma_fit() and the
-- predictions, on the CDNOW sample (test/data/cdnow/, see its README) against
-- the published estimates, the published RFM summary and plain-SQL
-- definitions of the formulas.
\getenv abs_srcdir PG_ABS_SRCDIR
\set sample :abs_srcdir '/test/data/cdnow/CDNOW_sample.txt'
\set summary :abs_srcdir '/test/data/cdnow/cdnow_customers_summary.csv'
\set zbar :abs_srcdir '/test/data/cdnow/cdnow_customers_summary_with_transactions.csv'

-- the files are read by psql (backquotes), not by the server: the suite also
-- runs as a non-superuser database owner (test/t/trusted.sh), who may not COPY
-- from server files
\set sample_text `cat :'sample'`
\set summary_text `cat :'summary'`
\set zbar_text `cat :'zbar'`
CREATE TABLE cdnow_lines AS SELECT line FROM unnest(string_to_array(replace(:'sample_text', E'\r', ''), E'\n')) line WHERE line <> '';
-- id: the sample's customer id 1..2357; several orders on one day are kept as they are
CREATE TABLE cdnow_orders AS
SELECT split_part(l, ' ', 2)::int AS id, to_date(split_part(l, ' ', 3), 'YYYYMMDD') AS day,
       split_part(l, ' ', 4)::int AS cds, split_part(l, ' ', 5)::numeric AS amount
FROM (SELECT regexp_replace(btrim(line), '\s+', ' ', 'g') AS l FROM cdnow_lines) s;
CREATE TABLE cdnow_summary AS
SELECT split_part(l, ',', 1)::int AS id, split_part(l, ',', 2)::int AS x,
       split_part(l, ',', 3)::numeric AS t_x, split_part(l, ',', 4)::numeric AS "T"
FROM unnest(string_to_array(replace(:'summary_text', E'\r', ''), E'\n')) l WHERE l ~ '^[0-9]';
CREATE TABLE cdnow_zbar AS
SELECT split_part(l, ',', 1)::int AS id, split_part(l, ',', 2)::int AS x, split_part(l, ',', 3)::numeric AS t_x,
       split_part(l, ',', 4)::numeric AS "T", split_part(l, ',', 5)::numeric AS zbar
FROM unnest(string_to_array(replace(:'zbar_text', E'\r', ''), E'\n')) l WHERE l ~ '^[0-9]';
SELECT (SELECT count(*) FROM cdnow_lines) AS sample_lines, (SELECT count(*) FROM cdnow_summary) AS summary_rows,
       (SELECT count(*) FROM cdnow_zbar) AS zbar_rows;
SELECT count(*) AS orders, count(DISTINCT id) AS customers,
       count(*) - count(DISTINCT (id, day)) AS same_day_extra_orders FROM cdnow_orders;

-- the RFM summary of every customer, calibration 1997-01-01..1997-09-30, in weeks
CREATE TABLE cdnow_rfm AS
SELECT id, rfm(id, day, amount, date '1997-09-30', interval '1 week') AS r
FROM cdnow_orders GROUP BY id;
-- equals the published summary (x, t_x, T rounded to 2 decimals) for every customer
SELECT count(*) AS customers,
       count(*) FILTER (WHERE s.x = frequency(r) AND s.t_x = round(recency(r)::numeric, 2)
                        AND s."T" = round(customer_age(r)::numeric, 2)) AS equal
FROM cdnow_summary s FULL JOIN cdnow_rfm USING (id);
-- and the published mean repeat spend (zbar, 0 without repeat purchases)
SELECT count(*) FILTER (WHERE z.zbar = round(coalesce(mean_repeat_spend(r), 0), 2)) AS equal_zbar,
       count(*) FILTER (WHERE frequency(r) > 0) AS repeat_buyers
FROM cdnow_zbar z JOIN cdnow_rfm USING (id);

-- against the plain-SQL definition: purchases are days, same-day amounts summed,
-- the first purchase excluded from the spend mean (exact: compared with =)
CREATE TABLE cdnow_ref AS
SELECT id, count(*) - 1 AS x, (max(day) - min(day)) / 7.0 AS t_x, (date '1997-09-30' - min(day)) / 7.0 AS "T",
       (sum(amount) - (array_agg(amount ORDER BY day))[1]) / nullif(count(*) - 1, 0) AS mean_spend
FROM (SELECT id, day, sum(amount) AS amount FROM cdnow_orders WHERE day <= date '1997-09-30' GROUP BY id, day) d
GROUP BY id;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE f.x = frequency(r) AND abs(f.t_x - recency(r)::numeric) < 1e-12
                        AND abs(f."T" - customer_age(r)::numeric) < 1e-12
                        AND mean_repeat_spend(r) IS NOT DISTINCT FROM f.mean_spend) AS equal
FROM cdnow_ref f FULL JOIN cdnow_rfm USING (id);

-- the BG/NBD fit reproduces Fader, Hardie & Lee (2005) to their precision
CREATE TABLE cdnow_models AS
SELECT (SELECT bgnbd_fit(r) FROM cdnow_rfm) AS bg, (SELECT gammagamma_fit(r) FROM cdnow_rfm) AS gg;
SELECT round(r(bg)::numeric, 3) AS r, round(alpha(bg)::numeric, 3) AS alpha,
       round(a(bg)::numeric, 3) AS a, round(b(bg)::numeric, 3) AS b,
       round(log_likelihood(bg)::numeric, 1) AS ll, customers(bg), converged(bg),
       time_unit((SELECT r FROM cdnow_rfm LIMIT 1)) AS unit
FROM cdnow_models;
-- to 5 significant digits it is also the optimum on the rounded published summary
SELECT round(r(m)::numeric, 5) AS r, round(alpha(m)::numeric, 4) AS alpha, round(a(m)::numeric, 5) AS a,
       round(b(m)::numeric, 4) AS b, round(log_likelihood(m)::numeric, 2) AS ll, converged(m)
FROM (SELECT bgnbd_fit(x, t_x::float8, "T"::float8) AS m FROM cdnow_summary) s;
-- the optimum: no nearby point has a higher log-likelihood (checked through the
-- plain-SQL log-likelihood of FHL 2005 eq. 6 at the fit and at +-0.1% of each parameter)
-- lgamma by Stirling's series at z + 10 and the recurrence back to z (plain SQL, to about 1e-12)
CREATE FUNCTION lgamma_ref(z float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT (z + 9.5) * ln(z + 10) - (z + 10) + 0.5 * ln(2 * pi()) + 1 / (12 * (z + 10)) - 1 / (360 * (z + 10) ^ 3)
         + 1 / (1260 * (z + 10) ^ 5) - 1 / (1680 * (z + 10) ^ 7)
         - ln(z) - ln(z + 1) - ln(z + 2) - ln(z + 3) - ln(z + 4) - ln(z + 5) - ln(z + 6) - ln(z + 7) - ln(z + 8) - ln(z + 9) $$;
CREATE FUNCTION ref_bgnbd_ll(r float8, alpha float8, a float8, b float8) RETURNS float8 LANGUAGE sql STABLE AS $$
  SELECT sum(ln(exp(lgamma_ref(r + x) - lgamma_ref(r) + r * ln(alpha) + lgamma_ref(a + b) + lgamma_ref(b + x) - lgamma_ref(b) - lgamma_ref(a + b + x))
             * (1 / (alpha + "T") ^ (r + x) + CASE WHEN x > 0 THEN a / (b + x - 1) / (alpha + t_x) ^ (r + x) ELSE 0 END)))
  FROM (SELECT frequency(r) AS x, recency(r) AS t_x, customer_age(r) AS "T" FROM cdnow_rfm) c $$;
-- (its sum runs over the customers one by one: an independent check of the fit's merged, weighted tuples)
SELECT abs(ref_bgnbd_ll(r(bg), alpha(bg), a(bg), b(bg)) - log_likelihood(bg)) < 1e-6 AS ll_matches_reference,
       bool_and(ref_bgnbd_ll(r(bg) * (1 + d1), alpha(bg) * (1 + d2), a(bg) * (1 + d3), b(bg) * (1 + d4)) < log_likelihood(bg)) AS neighbours_lower
FROM cdnow_models,
     (VALUES (0.001, 0, 0, 0), (-0.001, 0, 0, 0), (0, 0.001, 0, 0), (0, -0.001, 0, 0),
             (0, 0, 0.001, 0), (0, 0, -0.001, 0), (0, 0, 0, 0.001), (0, 0, 0, -0.001)) d(d1, d2, d3, d4)
GROUP BY bg;

-- Gamma-Gamma on the 946 repeat buyers reproduces Fader & Hardie (2013)
SELECT round(p(gg)::numeric, 2) AS p, round(q(gg)::numeric, 2) AS q, round(gamma(gg)::numeric, 2) AS gamma,
       customers(gg), converged(gg) FROM cdnow_models;
CREATE FUNCTION ref_gg_ll(p float8, q float8, g float8) RETURNS float8 LANGUAGE sql STABLE AS $$
  SELECT sum(lgamma_ref(p * x + q) - lgamma_ref(p * x) - lgamma_ref(q) + q * ln(g) + (p * x - 1) * ln(m) + p * x * ln(x) - (p * x + q) * ln(g + m * x))
  FROM (SELECT frequency(r) AS x, mean_repeat_spend(r)::float8 AS m FROM cdnow_rfm WHERE frequency(r) > 0) c $$;
SELECT abs(ref_gg_ll(p(gg), q(gg), gamma(gg)) - log_likelihood(gg)) < 1e-6 AS ll_matches_reference,
       bool_and(ref_gg_ll(p(gg) * (1 + d1), q(gg) * (1 + d2), gamma(gg) * (1 + d3)) < log_likelihood(gg)) AS neighbours_lower
FROM cdnow_models,
     (VALUES (0.001, 0, 0), (-0.001, 0, 0), (0, 0.001, 0), (0, -0.001, 0), (0, 0, 0.001), (0, 0, -0.001)) d(d1, d2, d3)
GROUP BY gg;

-- weighted == unweighted: identical customers once with their count give the same model, bit for bit
SELECT (SELECT bgnbd_fit(x, t_x, "T", n) FROM
          (SELECT frequency(r) AS x, recency(r) AS t_x, customer_age(r) AS "T", count(*) AS n FROM cdnow_rfm GROUP BY 1, 2, 3) g)
       = (SELECT bgnbd_fit(frequency(r), recency(r), customer_age(r)) FROM cdnow_rfm) AS bgnbd_weighted_equal,
       (SELECT count(*) FROM (SELECT 1 FROM cdnow_rfm GROUP BY frequency(r), recency(r), customer_age(r)) g) AS distinct_rows,
       (SELECT bgnbd_fit(frequency(r), recency(r), customer_age(r)) FROM cdnow_rfm)::text
       = regexp_replace(bg::text, 'unit_us=\d+', 'unit_us=0') AS plain_numbers_equal,
       (SELECT gammagamma_fit(r, n) FROM (SELECT r, 3 AS n FROM cdnow_rfm) g) IS NOT NULL AS gg_weighted_runs,
       (SELECT gammagamma_fit(x, m, n) FROM (SELECT frequency(r) AS x, mean_repeat_spend(r)::float8 AS m, count(*) AS n
                                              FROM cdnow_rfm GROUP BY 1, 2) g) = gg AS gammagamma_weighted_equal,
       (SELECT gammagamma_fit(frequency(r), mean_repeat_spend(r)::float8) FROM cdnow_rfm) = gg AS gammagamma_plain_equal,
       (SELECT bgnbd_fit(r) FROM (SELECT r FROM cdnow_rfm ORDER BY id DESC) o) = bg AS order_independent
FROM cdnow_models;
-- weight k of every row is the same as every row k times
SELECT (SELECT bgnbd_fit(r, 3) FROM cdnow_rfm) = (SELECT bgnbd_fit(r) FROM cdnow_rfm, generate_series(1, 3)) AS weight_3_equal,
       (SELECT customers(bgnbd_fit(r, 3)) FROM cdnow_rfm) AS customers_3,
       (SELECT bgnbd_fit(r, w) FROM (SELECT r, CASE WHEN id % 2 = 0 THEN 0 ELSE 1 END AS w FROM cdnow_rfm) s)
       = (SELECT bgnbd_fit(r) FROM cdnow_rfm WHERE id % 2 = 1) AS weight_0_ignored;

-- merged partial states == the whole: the states of two halves, combined
CREATE AGGREGATE test_bgnbd_state(rfm) (sfunc = bgnbd_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine);
CREATE AGGREGATE test_gg_state(rfm) (sfunc = gammagamma_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine);
SELECT bgnbd_fit_final(clv_fit_combine((SELECT test_bgnbd_state(r) FROM cdnow_rfm WHERE id % 3 = 0),
                                       (SELECT test_bgnbd_state(r) FROM cdnow_rfm WHERE id % 3 <> 0))) = bg AS bgnbd_merged_equal,
       gammagamma_fit_final(clv_fit_combine((SELECT test_gg_state(r) FROM cdnow_rfm WHERE id < 1000),
                                            (SELECT test_gg_state(r) FROM cdnow_rfm WHERE id >= 1000))) = gg AS gg_merged_equal,
       -- a state survives its text form (Citus ships states as text)
       bgnbd_fit_final((SELECT test_bgnbd_state(r) FROM cdnow_rfm)::text::clv_fit_state) = bg AS text_state_equal
FROM cdnow_models;

-- the rfm states: a customer's orders split in two, combined, equal the whole
CREATE AGGREGATE test_rfm_state(int8, date, numeric, date, interval) (sfunc = rfm_accum, stype = rfm, combinefunc = rfm_combine);
SELECT count(*) AS customers, count(*) FILTER (WHERE m = r) AS equal FROM (
  SELECT id, rfm_final(rfm_combine(
           (SELECT test_rfm_state(id, day, amount, date '1997-09-30', interval '1 week') FROM cdnow_orders o WHERE o.id = c.id AND (o.day - date '1997-01-01') % 3 = 0),
           (SELECT test_rfm_state(id, day, amount, date '1997-09-30', interval '1 week') FROM cdnow_orders o WHERE o.id = c.id AND (o.day - date '1997-01-01') % 3 <> 0))) AS m, r
  FROM cdnow_rfm c WHERE id % 10 = 0) s;

-- serial == forced parallel, for rfm() per customer and for the fits
CREATE TABLE cdnow_rfm_big AS SELECT r FROM cdnow_rfm, generate_series(1, 4);
ANALYZE cdnow_orders, cdnow_rfm_big;
CREATE TEMP TABLE serial_models AS
SELECT (SELECT bgnbd_fit(r) FROM cdnow_rfm_big) AS bg, (SELECT gammagamma_fit(r) FROM cdnow_rfm_big) AS gg,
       (SELECT string_agg(r::text, ';' ORDER BY id) FROM (SELECT id, rfm(id, day, amount, date '1997-09-30', interval '1 week') r FROM cdnow_orders GROUP BY id) s) AS rfms;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT bgnbd_fit(r) FROM cdnow_rfm_big;
SELECT (SELECT bgnbd_fit(r) FROM cdnow_rfm_big) = bg AS bgnbd_parallel_equal,
       (SELECT gammagamma_fit(r) FROM cdnow_rfm_big) = gg AS gg_parallel_equal,
       (SELECT customers(bgnbd_fit(r)) FROM cdnow_rfm_big) AS customers
FROM serial_models;
EXPLAIN (COSTS OFF) SELECT id, rfm(id, day, amount, date '1997-09-30', interval '1 week') FROM cdnow_orders GROUP BY id;
SELECT (SELECT string_agg(r::text, ';' ORDER BY id) FROM (SELECT id, rfm(id, day, amount, date '1997-09-30', interval '1 week') r FROM cdnow_orders GROUP BY id) s) = rfms AS rfm_parallel_equal
FROM serial_models;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
RESET enable_hashagg;

-- predictions against the plain-SQL formulas (FHL 2005 eq. 10 and the P(alive) of
-- Fader, Hardie & Lee's note), the hypergeometric function by its series
CREATE FUNCTION ref_2f1(a float8, b float8, c float8, z float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT 1 + sum(CASE WHEN s > -700 THEN exp(s) ELSE 0 END) FROM (SELECT sum(ln((a + k) * (b + k) / ((c + k) * (k + 1))) + ln(z)) OVER (ORDER BY k) AS s
                               FROM generate_series(0, 800) k) t $$;
CREATE FUNCTION ref_expected(m bgnbd_model, t float8, x int8, t_x float8, "T" float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT (a(m) + b(m) + x - 1) / (a(m) - 1)
         * (1 - ((alpha(m) + "T") / (alpha(m) + "T" + t)) ^ (r(m) + x) * ref_2f1(r(m) + x, b(m) + x, a(m) + b(m) + x - 1, t / (alpha(m) + "T" + t)))
         / (1 + CASE WHEN x > 0 THEN a(m) / (b(m) + x - 1) * ((alpha(m) + "T") / (alpha(m) + t_x)) ^ (r(m) + x) ELSE 0 END) $$;
CREATE FUNCTION ref_p_alive(m bgnbd_model, x int8, t_x float8, "T" float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT 1 / (1 + CASE WHEN x > 0 THEN a(m) / (b(m) + x - 1) * ((alpha(m) + "T") / (alpha(m) + t_x)) ^ (r(m) + x) ELSE 0 END) $$;
-- (every distinct (x, t_x, T) of the CDNOW customers, 1016 of them)
SELECT count(*) AS distinct_customers,
       count(*) FILTER (WHERE abs(e - ref_expected(bg, 39, x, t_x, "T")) <= 1e-9 * e) AS expected_39_equal,
       count(*) FILTER (WHERE abs(pa - ref_p_alive(bg, x, t_x, "T")) <= 1e-12) AS p_alive_equal,
       count(*) FILTER (WHERE e = bgnbd_expected_purchases(bg, 39, x, t_x, "T") AND pa = bgnbd_p_alive(bg, x, t_x, "T")) AS rfm_forms_equal
FROM cdnow_models,
     (SELECT frequency(r) AS x, recency(r) AS t_x, customer_age(r) AS "T",
             min(bgnbd_expected_purchases(m.bg, 39, r)) AS e, max(bgnbd_expected_purchases(m.bg, 39, r)) AS e2,
             min(bgnbd_p_alive(m.bg, r)) AS pa
      FROM cdnow_rfm, cdnow_models m GROUP BY 1, 2, 3) c
WHERE e = e2;
-- the paper's worked example (x = 2, t_x = 30.43, T = 38.86, published parameters):
-- 1.226 purchases expected in the next 39 weeks; and the new customer's 39 and 78 weeks
SELECT round(bgnbd_expected_purchases(bgnbd_model(0.243, 4.414, 0.793, 2.426), 39, 2, 30.43, 38.86)::numeric, 3) AS example_39,
       round(bgnbd_p_alive(bgnbd_model(0.243, 4.414, 0.793, 2.426), 2, 30.43, 38.86)::numeric, 4) AS example_p_alive,
       round(bgnbd_expected_purchases_new(bgnbd_model(0.243, 4.414, 0.793, 2.426), 39)::numeric, 4) AS new_39,
       round(ref_expected(bgnbd_model(0.243, 4.414, 0.793, 2.426), 39, 0, 0, 0)::numeric, 4) AS new_39_ref,
       round(bgnbd_expected_purchases_new(bgnbd_model(0.243, 4.414, 0.793, 2.426), 78)::numeric, 4) AS new_78;
-- the aggregate forecast of the paper's figure: expected repeat purchases in weeks 40..78
-- of the 2,357 customers against the actual holdout purchases (days 1997-10-01..1998-06-30)
SELECT round(sum(bgnbd_expected_purchases(bg, 39, r))::numeric, 1) AS expected_holdout,
       (SELECT count(DISTINCT (id, day)) FROM cdnow_orders WHERE day > date '1997-09-30') AS actual_holdout
FROM cdnow_models, cdnow_rfm;

-- Gamma-Gamma expected spend: p (gamma + m x) / (p x + q - 1), and the population mean for x = 0
SELECT count(*) FILTER (WHERE abs(gammagamma_expected_spend(gg, r)
                                  - p(gg) * (gamma(gg) + coalesce(mean_repeat_spend(r), 0)::float8 * frequency(r)) / (p(gg) * frequency(r) + q(gg) - 1)) <= 1e-12 * 100) AS spend_equal,
       round(gammagamma_expected_spend(gg, 0, 0)::numeric, 2) AS population_mean,
       round((p(gg) * gamma(gg) / (q(gg) - 1))::numeric, 2) AS population_mean_ref,
       round(avg(gammagamma_expected_spend(gg, r)) FILTER (WHERE frequency(r) > 0)::numeric, 2) AS avg_expected_repeat,
       round(avg(mean_repeat_spend(r)), 2) AS avg_observed_repeat
FROM cdnow_models, cdnow_rfm GROUP BY gg;

-- predicted CLV: spend times discounted expected purchases per period, against plain SQL
CREATE FUNCTION ref_clv(bg bgnbd_model, gg gammagamma_model, x int8, t_x float8, "T" float8, m float8, h int, d float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT p(gg) * (gamma(gg) + m * x) / (p(gg) * x + q(gg) - 1)
         * sum((ref_expected(bg, k, x, t_x, "T") - CASE WHEN k = 1 THEN 0 ELSE ref_expected(bg, k - 1, x, t_x, "T") END) / (1 + d) ^ k)
  FROM generate_series(1, h) k $$;
SELECT id, frequency(r) AS x, round(recency(r)::numeric, 2) AS t_x, round(customer_age(r)::numeric, 2) AS "T",
       mean_repeat_spend(r), round(predicted_clv(bg, gg, r, 52, 0.15 / 52)::numeric, 2) AS clv_52,
       abs(predicted_clv(bg, gg, r, 52, 0.15 / 52) - ref_clv(bg, gg, frequency(r), recency(r), customer_age(r), coalesce(mean_repeat_spend(r), 0)::float8, 52, 0.15 / 52))
           <= 1e-9 * predicted_clv(bg, gg, r, 52, 0.15 / 52) AS equal_ref,
       predicted_clv(bg, gg, r, 52, 0.15 / 52) = predicted_clv(bg, gg, frequency(r), recency(r), customer_age(r), coalesce(mean_repeat_spend(r), 0)::float8, 52, 0.15 / 52) AS forms_equal
FROM cdnow_models, cdnow_rfm WHERE id IN (1, 2, 3, 18, 1516) ORDER BY id;
SELECT round(predicted_clv(bg, gg, 2, 30, 38, 20, 0, 0.01)::numeric, 6) AS horizon_0,
       predicted_clv(bg, gg, 2, 30, 38, 20, 10, 0) > predicted_clv(bg, gg, 2, 30, 38, 20, 10, 0.01) AS discount_lowers
FROM cdnow_models;

-- numerical edge cases: log space, never NaN or infinity
SELECT bgnbd_p_alive(bg, 1000, 10, 100) AS p_alive_huge_x, bgnbd_p_alive(bg, 0, 0, 100) AS p_alive_x0,
       bgnbd_p_alive(bg, 0, 0, 0) AS p_alive_new,
       bgnbd_expected_purchases(bg, 39, 1000, 10, 100) AS expected_huge_x_dead,
       round(bgnbd_expected_purchases(bg, 39, 1000, 100, 100)::numeric, 2) AS expected_huge_x_alive,
       bgnbd_expected_purchases(bg, 0, 5, 10, 20) AS expected_t0,
       round(bgnbd_expected_purchases(bg, 1e6, 1, 10, 20)::numeric, 2) AS expected_long,
       bgnbd_expected_purchases_new(bg, 0) AS new_t0
FROM cdnow_models;
-- a = 1 exactly (0/0 in the formula) lies between its neighbours
SELECT bgnbd_expected_purchases(bgnbd_model(0.5, 5, 1, 2), 39, 3, 20, 30) BETWEEN
           bgnbd_expected_purchases(bgnbd_model(0.5, 5, 1.001, 2), 39, 3, 20, 30)
       AND bgnbd_expected_purchases(bgnbd_model(0.5, 5, 0.999, 2), 39, 3, 20, 30) AS a_one_between,
       abs(bgnbd_expected_purchases_new(bgnbd_model(0.5, 5, 1, 2), 39)
           - bgnbd_expected_purchases_new(bgnbd_model(0.5, 5, 1 + 1e-6, 2), 39)) < 1e-5 AS a_one_continuous;
-- no finite mean spend (q <= 1, x = 0): NULL
SELECT gammagamma_expected_spend(gammagamma_model(2, 0.5, 10), 0, 0) AS no_mean,
       gammagamma_expected_spend(gammagamma_model(2, 0.5, 10), 1, 20) AS mean_with_x,
       predicted_clv(bgnbd_model(0.5, 5, 0.8, 2), gammagamma_model(2, 0.5, 10), 0, 0, 10, 0, 10, 0) AS clv_no_mean;

-- degenerate fits: empty input NULL; nobody repeats: finite, flagged not converged
SELECT bgnbd_fit(r) IS NULL AS empty_bgnbd, gammagamma_fit(r) IS NULL AS empty_gg FROM cdnow_rfm WHERE false;
SELECT gammagamma_fit(r) IS NULL AS gg_no_repeat_buyers FROM cdnow_rfm WHERE frequency(r) = 0;
-- (terse: the iteration count in the DETAIL depends on the platform's libm)
\set VERBOSITY terse
SELECT converged(m) AS converged, customers(m), r(m) > 0 AND alpha(m) > 0 AND a(m) > 0 AND b(m) > 0 AS finite_positive
FROM (SELECT bgnbd_fit(0, 0, t) AS m FROM generate_series(1, 30) t) s;
\set VERBOSITY default
-- one customer: whether the optimiser meets its tolerance depends on the
-- platform's libm (it does on Debian 12, not on sid); finite either way
SET client_min_messages = error;
SELECT customers(m), r(m) > 0 AS positive FROM (SELECT bgnbd_fit(3, 10, 20) AS m) s;
RESET client_min_messages;

-- rfm rules: same-day orders are one purchase, the first excluded from the spend,
-- the calibration end inclusive, later orders ignored, NULLs ignored
CREATE TABLE rfm_cases (id int, at timestamp, amount numeric);
INSERT INTO rfm_cases VALUES
  (1, '2024-01-01 09:00', 10), (1, '2024-01-01 17:00', 5), (1, '2024-01-08 10:00', 20.5), (1, '2024-01-08 11:00', 0.25),
  (1, '2024-01-15 00:00', 7), (1, '2024-01-16 00:00', 99), (1, NULL, 1), (1, '2024-01-10', NULL),
  (2, '2024-01-20', 3),
  (3, '2024-01-03', 4), (3, '2024-01-03', 6);
SELECT id, frequency(r), recency(r), customer_age(r), mean_repeat_spend(r), repeat_revenue(r),
       first_purchase(r), last_purchase(r), calibration_end(r)
FROM (SELECT id, rfm(id, at, amount, date '2024-01-15', interval '1 day') AS r FROM rfm_cases GROUP BY id) s ORDER BY id;
-- text ids, date times and every amount type give the same summaries
SELECT count(*) FILTER (WHERE a = b AND a = c) AS equal_ts_date, count(*) FILTER (WHERE frequency(a) = frequency(d) AND recency(a) = recency(d)) AS equal_text_id,
       count(*) FILTER (WHERE mean_repeat_spend(a) IS NOT DISTINCT FROM mean_repeat_spend(f)) AS equal_float_amount
FROM (SELECT id, rfm(id, day, amount, date '1997-09-30', interval '1 week') a,
             rfm(id, day::timestamp + interval '13 hours', amount, date '1997-09-30', interval '1 week') b,
             rfm(id::int8, day, amount, date '1997-09-30', interval '1 week') c,
             rfm(id::text, day, amount, date '1997-09-30', interval '1 week') d,
             rfm(id, day, amount::float8, date '1997-09-30', interval '1 week') f
      FROM cdnow_orders GROUP BY id) s;
-- a customer whose orders are all after the calibration end has no rfm (NULL), and is left out of the fit
SELECT rfm(1, date '2024-02-01', 10, date '2024-01-31', interval '1 day') IS NULL AS after_end_null;
-- days as the unit of the published summary in weeks: T in days is 7 times T in weeks
SELECT customer_age(rfm(1, date '1997-01-01', 10, date '1997-09-30', interval '1 day')) AS t_days,
       customer_age(rfm(1, date '1997-01-01', 10, date '1997-09-30', interval '1 week')) * 7 AS t_weeks_times_7;

-- errors
SELECT error_of($$SELECT rfm(id, day, amount, date '1997-09-30', interval '1 week') FROM cdnow_orders$$);
SELECT error_of($$SELECT rfm(1, date '2024-01-01', -5, date '2024-01-31', interval '1 day')$$);
SELECT error_of($$SELECT rfm(1, date '2024-01-01', 5, NULL, interval '1 day')$$);
SELECT error_of($$SELECT rfm(1, date '2024-01-01', 5, date '2024-01-31', interval '-1 day')$$);
SELECT error_of($$SELECT rfm(1, date 'infinity', 5, date '2024-01-31', interval '1 day')$$);
SELECT error_of($$SELECT bgnbd_p_alive(bg, 2, 30, 20) FROM cdnow_models$$);
SELECT error_of($$SELECT bgnbd_p_alive(bg, -1, 0, 20) FROM cdnow_models$$);
SELECT error_of($$SELECT bgnbd_expected_purchases(bg, 'NaN', 1, 2, 3) FROM cdnow_models$$);
SELECT error_of($$SELECT bgnbd_expected_purchases(bg, -1, 1, 2, 3) FROM cdnow_models$$);
SELECT error_of($$SELECT bgnbd_expected_purchases(bg, 'infinity', 1, 2, 3) FROM cdnow_models$$);
SELECT error_of($$SELECT bgnbd_p_alive(bg, 2, 0, 20) FROM cdnow_models$$);
SELECT error_of($$SELECT bgnbd_fit(1, 5, 3)$$);
SELECT error_of($$SELECT bgnbd_fit(1, 2, 3, -1)$$);
SELECT error_of($$SELECT gammagamma_fit(2, 0)$$);
SELECT error_of($$SELECT gammagamma_expected_spend(gg, 2, -1) FROM cdnow_models$$);
SELECT error_of($$SELECT predicted_clv(bg, gg, 2, 30, 38, 20, -1, 0) FROM cdnow_models$$);
SELECT error_of($$SELECT predicted_clv(bg, gg, 2, 30, 38, 20, 10, 1.5) FROM cdnow_models$$);
SELECT error_of($$SELECT bgnbd_model(0, 1, 1, 1)$$);
SELECT error_of($$SELECT bgnbd_model('NaN', 1, 1, 1)$$);
SELECT error_of($$SELECT gammagamma_model(1, 'infinity', 1)$$);
SELECT error_of($$SELECT bgnbd_p_alive(bg, (SELECT rfm(1, date '2024-01-01', 5, date '2024-01-31', interval '1 day'))) FROM cdnow_models$$);
SELECT error_of($$SELECT bgnbd_fit(r) FROM (SELECT rfm(1, date '2024-01-01', 5, date '2024-01-31', interval '1 day') r UNION ALL SELECT rfm(2, date '2024-01-01', 5, date '2024-01-31', interval '1 week')) s$$);
SELECT error_of($$SELECT bgnbd_fit_final((SELECT test_gg_state(r) FROM cdnow_rfm))$$);
SELECT error_of($$SELECT clv_fit_combine((SELECT test_gg_state(r) FROM cdnow_rfm), (SELECT test_bgnbd_state(r) FROM cdnow_rfm))$$);
SELECT error_of($$SELECT rfm_combine(r, r) FROM cdnow_rfm WHERE id = 1$$);

-- text forms round-trip, are validated, and equality follows the stored form
SELECT bgnbd_model(0.243, 4.414, 0.793, 2.426)::text AS made;
SELECT (bg::text::bgnbd_model = bg) AND (gg::text::gammagamma_model = gg) AS models_round_trip,
       bg <> bgnbd_model(r(bg), alpha(bg), a(bg), b(bg)) AS fitted_differs_from_made,
       (SELECT bool_and(r::text::rfm = r) FROM cdnow_rfm) AS rfm_round_trip,
       (SELECT count(*) FROM (SELECT r FROM cdnow_rfm GROUP BY r) g) AS distinct_rfm,
       (SELECT count(*) FROM (SELECT bg FROM cdnow_models UNION SELECT bg FROM cdnow_models) u) AS union_models
FROM cdnow_models;
SELECT error_of($$SELECT '(version=1,r=0.2,alpha=4,a=0.8,b=2,ll=0,customers=0,iterations=0,fitted=false,converged=true,unit_us=0)'::bgnbd_model$$);
SELECT error_of($$SELECT '(version=1,r=-0.2,alpha=4,a=0.8,b=2,ll=0,customers=0,iterations=0,fitted=false,converged=false,unit_us=0)'::bgnbd_model$$);
SELECT error_of($$SELECT '(version=1,r=nan,alpha=4,a=0.8,b=2,ll=0,customers=0,iterations=0,fitted=false,converged=false,unit_us=0)'::bgnbd_model$$);
SELECT error_of($$SELECT '(version=2,p=1,q=2,gamma=3,ll=0,customers=0,iterations=0,fitted=false,converged=false)'::gammagamma_model$$);
SELECT error_of($$SELECT '(version=1,p=1,q=2,gamma=3,ll=0,customers=0,iterations=0,fitted=false,converged=false) x'::gammagamma_model$$);
SELECT error_of($$SELECT '(version=1,kind=summary,customer=1,end=10,unit_us=86400000000,first=0,last=5,purchases=1,first_amount=1,total_amount=1,days=[])'::rfm$$);
SELECT error_of($$SELECT '(version=1,kind=state,customer=1,end=10,unit_us=86400000000,first=0,last=5,purchases=2,first_amount=1,total_amount=2,days=[5,0])'::rfm$$);
SELECT error_of($$SELECT '(version=1,kind=summary,customer=1,end=3,unit_us=86400000000,first=0,last=5,purchases=2,first_amount=1,total_amount=2,days=[])'::rfm$$);
SELECT error_of($$SELECT '(version=1,kind=bgnbd,unit_us=0,tuples=[(1,5,3,1)])'::clv_fit_state$$);
SELECT error_of($$SELECT '(version=1,kind=bgnbd,unit_us=0,tuples=[(1,2,3,0.5)])'::clv_fit_state$$);
SELECT error_of($$SELECT '(version=1,kind=gammagamma,unit_us=0,tuples=[(0,2,0,1)])'::clv_fit_state$$);
SELECT '(version=1,kind=bgnbd,unit_us=0,tuples=[(2,30.43,38.86,1),(0,0,38.86,2)])'::clv_fit_state;

-- a transition state without a purchase in the calibration period (every
-- order after its end; found by the state fuzzer at 200,000 calls): rfm()
-- gives NULL, and the readers and models refuse such a state by hand
SELECT rfm(c, d, a, date '2023-12-31', interval '1 week') IS NULL AS rfm_null
FROM (VALUES (1::bigint, date '2024-01-01', 5::numeric), (1, date '2024-02-01', 7)) v(c, d, a);
SELECT error_of($$SELECT frequency(rfm_accum(NULL::rfm, 1::bigint, date '2024-01-01', 5::numeric, date '2023-12-31', interval '1 week'))$$) AS frequency_of_empty_state;
SELECT error_of($$SELECT recency(rfm_accum(NULL::rfm, 's1'::text, date '2024-01-01', 5::numeric, date '2023-12-31', interval '1 day'))$$) AS recency_of_empty_state;
SELECT calibration_end(rfm_accum(NULL::rfm, 1::bigint, date '2024-01-01', 5::numeric, date '2023-12-31', interval '1 week')) AS calibration_end_of_empty_state;

-- the time unit of a fitted BG/NBD model: the unit of the rfm values it was
-- fitted on (weeks here); NULL for a model from parameters or from raw x, t_x, T
SELECT time_unit(bg) AS fitted_unit, (kpis(bg)).time_unit = time_unit(bg) AS kpis_equal,
       time_unit(bgnbd_model(0.243, 4.414, 0.793, 2.426)) IS NULL AS from_parameters_null,
       (SELECT time_unit(bgnbd_fit(x, t_x::float8, "T"::float8)) IS NULL FROM cdnow_summary) AS from_raw_null
FROM cdnow_models;
