-- issue 11, item 11: kpis(s), every accessor of a summary in one record, and
-- the JSON form (s::json, s::jsonb, and through them to_json(), to_jsonb()
-- and row_to_json() of rows holding our types).  The reference for every
-- column is the accessor of the same name called on its own (or, for the
-- per-stage arrays, the rows of stage_conversion() and time_in_stage(), and
-- for stage_history plain SQL); every statement here failed on 0.1.0.
SET extra_float_digits = 0;

-- a deals table with every case: won, lost, open with and without
-- probability, NULL amounts, a deal closed before it was created (skipped)
CREATE TEMP TABLE rp_deals AS
SELECT g % 7 AS rep,
       CASE WHEN g % 11 = 0 THEN NULL ELSE round((g * 37 % 1000) / 3.0, g % 4) END AS amount,
       CASE g % 5 WHEN 0 THEN NULL WHEN 1 THEN false ELSE true END AS won,
       timestamptz '2024-01-01 00:00+00' + g * interval '7 hours' AS created,
       CASE WHEN g % 5 = 0 THEN NULL ELSE timestamptz '2024-01-01 00:00+00' + g * interval '7 hours' + (g % 13) * interval '1 day' END AS closed,
       CASE WHEN g % 3 = 0 THEN NULL ELSE (g % 10) / 10.0 END AS p
FROM generate_series(1, 400) g;
SET sales_kpi.invalid_rows = skip;
INSERT INTO rp_deals VALUES (3, 50, true, '2024-03-01 00:00+00', '2024-02-01 00:00+00', NULL);
CREATE TEMP TABLE rp_ds AS
SELECT rep, deal_summary(amount, won, created, closed, p) AS s FROM rp_deals GROUP BY rep;
RESET sales_kpi.invalid_rows;

-- every column equals its accessor, in every summary
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (k).deals IS NOT DISTINCT FROM deals(s) AND (k).won_deals IS NOT DISTINCT FROM won_deals(s)
           AND (k).lost_deals IS NOT DISTINCT FROM lost_deals(s) AND (k).open_deals IS NOT DISTINCT FROM open_deals(s)
           AND (k).won_amount IS NOT DISTINCT FROM won_amount(s) AND (k).lost_amount IS NOT DISTINCT FROM lost_amount(s)
           AND (k).open_amount IS NOT DISTINCT FROM open_amount(s) AND (k).weighted_pipeline IS NOT DISTINCT FROM weighted_pipeline(s)
           AND (k).avg_deal_size IS NOT DISTINCT FROM avg_deal_size(s) AND (k).hit_ratio IS NOT DISTINCT FROM hit_ratio(s)
           AND (k).hit_ratio_by_amount IS NOT DISTINCT FROM hit_ratio_by_amount(s)
           AND (k).sales_cycle_days IS NOT DISTINCT FROM sales_cycle_days(s)
           AND (k).sales_velocity IS NOT DISTINCT FROM sales_velocity(s) AND (k).skipped_rows IS NOT DISTINCT FROM skipped_rows(s)
           AND (k).won_amount::text = won_amount(s)::text AND (k).weighted_pipeline::text = weighted_pipeline(s)::text) AS equal,
       sum((k).skipped_rows) AS skipped
FROM (SELECT s, kpis(s) AS k FROM rp_ds) x;
-- and plain SQL, for one rep by hand: the record of rep 3
SELECT (kpis(s)).* FROM rp_ds WHERE rep = 3;
SELECT count(*) AS deals, count(*) FILTER (WHERE won) AS won_deals, count(*) FILTER (WHERE NOT won) AS lost_deals,
       coalesce(sum(amount) FILTER (WHERE won), 0) AS won_amount, avg(amount) FILTER (WHERE won) AS avg_deal_size
FROM rp_deals WHERE rep = 3;
-- no rows: the summary is NULL, and so are its record and its JSON form
SELECT (kpis(s)).*, s::json AS json FROM (SELECT deal_summary(amount, won, created, closed, p) s FROM rp_deals WHERE false) x;
-- a summary whose deals have no amount and no time: counts, money 0, ratios NULL
SELECT (kpis(deal_summary(NULL::numeric, NULL::boolean, NULL::date, NULL::date))).*;

-- the JSON form: an object with a key per column, the same values (numbers
-- keep their exact digits: the text of ->> equals the accessor's text; a
-- float keeps the digits of float8 output, shortest-exact by default)
SELECT s::json FROM rp_ds WHERE rep = 3;
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (s::jsonb) ->> 'won_amount' = won_amount(s)::text
           AND ((s::jsonb) ->> 'deals')::bigint = deals(s)
           AND (s::jsonb) ->> 'hit_ratio' IS NOT DISTINCT FROM hit_ratio(s)::text
           AND (s::jsonb) ->> 'avg_deal_size' IS NOT DISTINCT FROM avg_deal_size(s)::text
           AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(s::jsonb) k)
               = (SELECT array_agg(attname::text ORDER BY attname::text) FROM pg_attribute
                  WHERE attrelid = 'deal_summary_kpis'::regclass AND attnum > 0)
           AND s::json::jsonb = s::jsonb AND to_json(s)::jsonb = s::jsonb AND to_jsonb(s) = s::jsonb) AS equal
FROM rp_ds;
-- a row holding a summary nests its JSON object (what reporting tools read)
SELECT row_to_json(x) FROM (SELECT rep, s FROM rp_ds WHERE rep = 3) x;
SELECT jsonb_path_query(jsonb_agg(to_jsonb(x) ORDER BY rep), '$[*] ? (@.s.won_deals > 20).rep') AS reps_over_20_won
FROM (SELECT rep, s FROM rp_ds) x;

-- order_summary: per customer, then a rollup
CREATE TEMP TABLE rp_orders AS
SELECT g % 50 AS customer_id, round((g * 13 % 500) / 7.0, 2) AS amount,
       date '2024-01-01' + (g * 17 % 300) AS at
FROM generate_series(1, 600) g;
CREATE TEMP TABLE rp_os AS
SELECT rollup(o) AS s FROM (SELECT order_summary(amount, at) o FROM rp_orders GROUP BY customer_id) x;
SELECT (kpis(s)).* FROM rp_os;
SELECT (k).customers = customers(s) AND (k).orders = orders(s) AND (k).revenue::text = revenue(s)::text
       AND (k).avg_purchase_value = avg_purchase_value(s) AND (k).clv = clv(s)
       AND (k).purchase_frequency_per_day = purchase_frequency(s, interval '1 day')
       AND (k).lifespan_days = lifespan(s, interval '1 day') AS equal,
       (s::jsonb) ->> 'revenue' = (SELECT sum(amount)::text FROM rp_orders) AS json_revenue_exact
FROM (SELECT s, kpis(s) k FROM rp_os) x;

-- stage_funnel and stage_times: the stages array is the rows of
-- stage_conversion() and time_in_stage(), in order
CREATE TEMP TABLE rp_events AS
SELECT d AS deal_id, (ARRAY['lead', 'qualified', 'proposal', 'won', 'other'])[1 + (d * 7 + k * 3) % 5] AS stage,
       timestamptz '2024-01-01 00:00+00' + (d * 5 + k * 29) * interval '1 hour' AS at
FROM generate_series(1, 300) d, generate_series(0, d % 6) k;
CREATE TEMP TABLE rp_paths AS
SELECT deal_id, stage_path(stage, at, ARRAY['lead', 'qualified', 'proposal', 'won']) p FROM rp_events GROUP BY deal_id;
CREATE TEMP TABLE rp_stage AS
SELECT mode, stage_funnel(p, ARRAY['lead', 'qualified', 'proposal', 'won'], mode) f,
       stage_times(p, ARRAY['lead', 'qualified', 'proposal', 'won'], timestamptz '2024-03-01 00:00+00', interval '10 days') t
FROM rp_paths, (VALUES ('implied'), ('entered'), ('ordered')) m(mode) GROUP BY mode;
SELECT mode, (kpis(f)).mode = mode AS same_mode, (kpis(f)).deals = deals(f) AS deals_equal,
       (kpis(f)).outside_deals = outside_deals(f) AS outside_equal,
       (SELECT array_agg(ROW(r.*)::text ORDER BY r.position) FROM stage_conversion(f) r)
         = (SELECT array_agg(e::text ORDER BY e.position) FROM unnest((kpis(f)).stages) e) AS funnel_rows_equal,
       (kpis(t)).deals = deals(t) AND (kpis(t)).outside_deals = outside_deals(t) AS times_counts_equal,
       (SELECT array_agg(ROW(r.*)::text ORDER BY r.position) FROM time_in_stage(t) r)
         = (SELECT array_agg(e::text ORDER BY e.position) FROM unnest((kpis(t)).stages) e) AS times_rows_equal
FROM rp_stage ORDER BY mode;
SELECT f::jsonb FROM rp_stage WHERE mode = 'entered';
SELECT jsonb_pretty(t::jsonb -> 'stages' -> 0) FROM rp_stage WHERE mode = 'entered';
-- the JSON per-stage values equal the readers of one stage
SELECT bool_and(((f::jsonb) -> 'stages' -> (k - 1)::int ->> 'reached')::bigint = reached(f, s)
            AND ((t::jsonb) -> 'stages' -> (k - 1)::int ->> 'median_days') IS NOT DISTINCT FROM median_days(t, s)::text
            AND ((t::jsonb) -> 'stages' -> (k - 1)::int ->> 'stale_deals')::bigint IS NOT DISTINCT FROM stale_deals(t, s)) AS per_stage_equal
FROM rp_stage, unnest(ARRAY['lead', 'qualified', 'proposal', 'won']) WITH ORDINALITY u(s, k);

-- stage_history: events and deals against plain SQL, bigint and text ids
SELECT (kpis(h)).*, (SELECT count(*) FROM rp_events) AS events_sql, (SELECT count(DISTINCT deal_id) FROM rp_events) AS deals_sql
FROM (SELECT stage_history(deal_id::bigint, stage, at, ARRAY['lead', 'qualified', 'proposal', 'won']) h FROM rp_events) x;
SELECT (kpis(h)).*, h::jsonb
FROM (SELECT stage_history('D-' || deal_id, stage, at::date, ARRAY['lead', 'won']) h FROM rp_events WHERE deal_id <= 3) x;
-- an empty history has no time type yet
SELECT (kpis(h)).* FROM (SELECT stage_history(deal_id::bigint, stage, at, ARRAY['lead']) h FROM rp_events WHERE false) x;

-- values stored by 0.1.0 (version 1 forms) read the same way
SELECT (kpis('(version=1,deals=3,won=1,lost=1,won_amount=100,won_amount_n=1,won_amount_scale_n=1,lost_amount=50.5,lost_amount_n=1,lost_amount_scale_n=1,open_amount=25,open_amount_n=1,open_amount_scale_n=1,weighted_pipeline=12.5,weighted_pipeline_n=1,weighted_pipeline_scale_n=1,cycle_us=864000000000,cycle_n=1)'::deal_summary)).*;
