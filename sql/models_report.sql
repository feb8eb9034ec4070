-- kpis(s) and the JSON form (s::json, s::jsonb) of the models family's types
-- (issue 11 item 11 for issue 15's types): rfm, bgnbd_model, gammagamma_model.
-- The reference for every column is the accessor of the same name called on
-- its own.  Runs after the test models, on its CDNOW tables (cdnow_rfm: one
-- rfm per customer of test/data/cdnow/; cdnow_models: the fitted models),
-- plus hand-made values.
SET extra_float_digits = 0;

-- every rfm of the CDNOW sample (and the same as aggregate states, which
-- carry their purchase days): every column equals its accessor
CREATE TEMP TABLE mr_rfm AS
SELECT id, r FROM cdnow_rfm
UNION ALL
SELECT -id, rfm_accum(rfm_accum(NULL::rfm, id, day, amount, date '1997-09-30', interval '1 week'),
                      id, day + 3, amount, date '1997-09-30', interval '1 week')
FROM (SELECT DISTINCT ON (id) id, day, amount FROM cdnow_orders WHERE id <= 50 ORDER BY id, day) o;
SELECT count(*) AS rfms,
       count(*) FILTER (WHERE (k).frequency = frequency(r) AND (k).recency = recency(r)
           AND (k).customer_age = customer_age(r)
           AND (k).mean_repeat_spend IS NOT DISTINCT FROM mean_repeat_spend(r)
           AND (k).repeat_revenue = repeat_revenue(r)
           AND (k).first_purchase = first_purchase(r) AND (k).last_purchase = last_purchase(r)
           AND (k).calibration_end = calibration_end(r) AND (k).time_unit = time_unit(r)) AS equal,
       count(*) FILTER (WHERE (k).mean_repeat_spend IS NULL) AS without_repeat_purchases
FROM (SELECT r, kpis(r) AS k FROM mr_rfm) x;

-- by hand: purchases on 1997-01-01 (10.00), 1997-01-08 (2.50 + 5.00 the same
-- day) and 1997-01-22 (7.25), calibration to 1997-01-29 in weeks:
-- x = 2, t_x = 3, T = 4, repeat revenue 14.75, mean 7.375
CREATE TEMP TABLE mr_hand AS
SELECT rfm(1, d, a, date '1997-01-29', interval '1 week') AS r
FROM (VALUES (date '1997-01-01', 10.00), ('1997-01-08', 2.50), ('1997-01-08', 5.00), ('1997-01-22', 7.25),
             ('1997-02-05', 99.00)) v(d, a);
SELECT (kpis(r)).* FROM mr_hand;
SELECT r::json FROM mr_hand;
SELECT r::jsonb FROM mr_hand;
-- one purchase: no repeat spend
SELECT (kpis(rfm(1, date '1997-03-01', 12.34, date '1997-03-31', interval '1 day'))).*;

-- the fitted CDNOW models and models made from parameters
CREATE TEMP TABLE mr_models AS
SELECT 'cdnow fit' AS what, bg, gg FROM cdnow_models
UNION ALL SELECT 'made', bgnbd_model(0.243, 4.414, 0.793, 2.426), gammagamma_model(6.25, 3.74, 15.44)
UNION ALL SELECT 'made, shortest floats', bgnbd_model(0.1::float8 + 0.2::float8, 1e-300, 1.7976931348623157e308, 2 / 3.0::float8),
                 gammagamma_model(0.1::float8 + 0.2::float8, pi(), 1 / 3.0::float8);
SELECT what,
       (kb).r = r(bg) AND (kb).alpha = alpha(bg) AND (kb).a = a(bg) AND (kb).b = b(bg)
           AND (kb).log_likelihood IS NOT DISTINCT FROM log_likelihood(bg) AND (kb).customers = customers(bg)
           AND (kb).iterations = iterations(bg) AND (kb).converged IS NOT DISTINCT FROM converged(bg) AS bgnbd_equal,
       (kg).p = p(gg) AND (kg).q = q(gg) AND (kg).gamma = gamma(gg)
           AND (kg).log_likelihood IS NOT DISTINCT FROM log_likelihood(gg) AND (kg).customers = customers(gg)
           AND (kg).iterations = iterations(gg) AND (kg).converged IS NOT DISTINCT FROM converged(gg) AS gg_equal,
       (kb).log_likelihood IS NULL AS bg_not_fitted, (kg).converged IS NULL AS gg_not_fitted
FROM (SELECT what, bg, gg, kpis(bg) AS kb, kpis(gg) AS kg FROM mr_models) x ORDER BY what;
SELECT (kpis(bg)).* FROM mr_models WHERE what = 'made';
SELECT (kpis(gg)).* FROM mr_models WHERE what = 'made';
SELECT bg::json, gg::json FROM mr_models WHERE what = 'made';
-- the fit: parameters as published for CDNOW (Fader, Hardie & Lee 2005), rounded
SELECT round((kpis(bg)).r::numeric, 3) AS r, round((kpis(bg)).alpha::numeric, 3) AS alpha,
       round((kpis(bg)).a::numeric, 3) AS a, round((kpis(bg)).b::numeric, 3) AS b,
       (kpis(bg)).customers, (kpis(bg)).converged, (kpis(gg)).customers AS repeat_buyers, (kpis(gg)).converged AS gg_converged
FROM mr_models WHERE what = 'cdnow fit';

-- JSON: the keys are the composite's columns in order, json, jsonb, to_json,
-- to_jsonb agree with to_jsonb(kpis(s))
CREATE TEMP TABLE mr_json AS
SELECT 'rfm_kpis' AS typ, r::json AS j, r::jsonb AS jb, to_json(r) AS tj, to_jsonb(r) AS tjb, to_jsonb(kpis(r)) AS ref FROM mr_rfm
UNION ALL SELECT 'bgnbd_model_kpis', bg::json, bg::jsonb, to_json(bg), to_jsonb(bg), to_jsonb(kpis(bg)) FROM mr_models
UNION ALL SELECT 'gammagamma_model_kpis', gg::json, gg::jsonb, to_json(gg), to_jsonb(gg), to_jsonb(kpis(gg)) FROM mr_models;
SELECT typ, count(*) AS n,
       count(*) FILTER (WHERE (SELECT array_agg(k ORDER BY n) FROM json_object_keys(j) WITH ORDINALITY o(k, n))
                            = (SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute
                               WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = typ::regtype) AND attnum > 0)
           AND j::jsonb = jb AND tj::jsonb = jb AND tjb = jb AND jb = ref) AS equal
FROM mr_json GROUP BY typ ORDER BY typ;
-- exact money keeps its text (->> equals the accessor's text); dates and the
-- unit are JSON strings (dates in ISO form whatever DateStyle says, as
-- to_json() prints them) that read back as the accessor's value; float
-- parameters read back exactly at the default extra_float_digits (1: the
-- shortest exact form)
SELECT count(*) AS rfms,
       count(*) FILTER (WHERE (r::json) ->> 'repeat_revenue' = repeat_revenue(r)::text
           AND (r::json) ->> 'mean_repeat_spend' IS NOT DISTINCT FROM mean_repeat_spend(r)::text
           AND (r::jsonb) ->> 'repeat_revenue' = repeat_revenue(r)::text
           AND (r::jsonb) ->> 'mean_repeat_spend' IS NOT DISTINCT FROM mean_repeat_spend(r)::text
           AND (r::json) ->> 'first_purchase' = to_char(first_purchase(r), 'YYYY-MM-DD')
           AND ((r::json) ->> 'last_purchase')::date = last_purchase(r)
           AND ((r::jsonb) ->> 'calibration_end')::date = calibration_end(r)
           AND ((r::json) ->> 'time_unit')::interval = time_unit(r)
           AND json_typeof((r::json) -> 'first_purchase') = 'string'
           AND json_typeof((r::json) -> 'time_unit') = 'string'
           AND ((r::json) ->> 'frequency')::int8 = frequency(r)) AS json_text_equal
FROM mr_rfm;
SET extra_float_digits = 1;
SELECT count(*) AS rfms,
       count(*) FILTER (WHERE ((r::json) ->> 'recency')::float8 = recency(r)
           AND ((r::jsonb) ->> 'customer_age')::float8 = customer_age(r)) AS floats_exact
FROM mr_rfm;
SELECT what,
       ((bg::json) ->> 'r')::float8 = r(bg) AND ((bg::json) ->> 'alpha')::float8 = alpha(bg)
           AND ((bg::json) ->> 'a')::float8 = a(bg) AND ((bg::json) ->> 'b')::float8 = b(bg)
           AND ((bg::jsonb) ->> 'r')::float8 = r(bg) AND ((bg::jsonb) ->> 'alpha')::float8 = alpha(bg)
           AND ((bg::jsonb) ->> 'a')::float8 = a(bg)  -- jsonb holds numeric: still exact
           AND ((bg::json) ->> 'log_likelihood')::float8 IS NOT DISTINCT FROM log_likelihood(bg) AS bgnbd_exact,
       ((gg::json) ->> 'p')::float8 = p(gg) AND ((gg::json) ->> 'q')::float8 = q(gg)
           AND ((gg::json) ->> 'gamma')::float8 = gamma(gg)
           AND ((gg::jsonb) ->> 'gamma')::float8 = gamma(gg) AS gg_exact,
       CASE WHEN what <> 'cdnow fit' THEN (bg::json) ->> 'r' END AS r_text,
       CASE WHEN what <> 'cdnow fit' THEN (bg::json) ->> 'alpha' END AS alpha_text,
       CASE WHEN what <> 'cdnow fit' THEN (bg::json) ->> 'a' END AS a_text,
       CASE WHEN what <> 'cdnow fit' THEN (gg::json) ->> 'q' END AS q_text
FROM mr_models ORDER BY what;
RESET extra_float_digits;
SELECT row_to_json(x) FROM (SELECT what, bg, gg FROM mr_models WHERE what = 'made') x;

-- NULL in, NULL out
SELECT kpis(r) IS NULL AS record_null, r::json IS NULL AS json_null, r::jsonb IS NULL AS jsonb_null
FROM (SELECT NULL::rfm AS r) x;
SELECT kpis(m) IS NULL AS record_null, m::json IS NULL AS json_null, m::jsonb IS NULL AS jsonb_null
FROM (SELECT NULL::bgnbd_model AS m) x;
SELECT kpis(m) IS NULL AS record_null, m::json IS NULL AS json_null, m::jsonb IS NULL AS jsonb_null
FROM (SELECT NULL::gammagamma_model AS m) x;
