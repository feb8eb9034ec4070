-- kpis(s) and the JSON form (s::json, s::jsonb) of the revenue family's
-- revenue_summary (issue 11 item 11 for issue 13's type).  The reference
-- for every column is the reader of the same name called on its own (at
-- to_month, or over (from_month, to_month)); for the arrays the rows of
-- mrr_movements() and cohort_retention(); random dirty subscriptions.
SET extra_float_digits = 0;
SELECT setseed(0.4242);
CREATE TEMP TABLE rk_subs AS
SELECT CASE WHEN random() < 0.01 THEN NULL ELSE (random() * 200)::int END AS customer_id,
       s AS starts_at,
       CASE WHEN random() < 0.3 THEN NULL WHEN random() < 0.03 THEN s - 5 ELSE s + (random() * 400)::int END AS ends_at,
       CASE WHEN random() < 0.02 THEN NULL
            WHEN random() < 0.05 THEN 0
            WHEN random() < 0.5 THEN (random() * 200)::int
            ELSE round((random() * 300)::numeric, 2) END AS monthly_amount
FROM (SELECT CASE WHEN random() < 0.02 THEN NULL
                  ELSE date '2023-06-01' + (random() * 700)::int END AS s
      FROM generate_series(1, 1500)) g;
-- summaries per segment (customer_id % 4) over three ranges, one of a
-- single month, one where nobody pays (ratios NULL); rows ending before
-- they start are skipped and counted
SET sales_kpi.invalid_rows = skip;
CREATE TEMP TABLE rk_series AS
SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount) AS s FROM rk_subs
WHERE customer_id IS NOT NULL GROUP BY customer_id;
RESET sales_kpi.invalid_rows;
CREATE TEMP TABLE rk_sum AS
SELECT customer_id % 4 AS seg, 'range' AS kind, revenue_summary(s, '2024-01-01', '2024-12-31') AS r FROM rk_series GROUP BY 1
UNION ALL SELECT customer_id % 4, 'wide', revenue_summary(s, '2023-05-01', '2025-08-31') FROM rk_series GROUP BY 1
UNION ALL SELECT customer_id % 4, 'one', revenue_summary(s, '2024-03-01', '2024-03-31') FROM rk_series GROUP BY 1
UNION ALL SELECT -1, 'nobody', revenue_summary(s, '2010-01-01', '2010-06-30') FROM rk_series;

-- every column equals its reader
SELECT kind, count(*) AS summaries,
       count(*) FILTER (WHERE (k).from_month = f AND (k).to_month = t
           AND (k).series_count = series_count(r) AND (k).skipped_rows = skipped_rows(r)
           AND (k).customers = paying_customers(r, t) AND (k).mrr = mrr(r, t) AND (k).arr = arr(r, t)
           AND (k).arpa IS NOT DISTINCT FROM arpa(r, t)
           AND (k).period_arpa IS NOT DISTINCT FROM arpa(r, f, t)
           AND (k).new_customers = new_customers(r, f, t)
           AND (k).gross_revenue_churn IS NOT DISTINCT FROM gross_revenue_churn(r, f, t)
           AND (k).net_revenue_churn IS NOT DISTINCT FROM net_revenue_churn(r, f, t)
           AND (k).nrr IS NOT DISTINCT FROM nrr(r, f, t) AND (k).grr IS NOT DISTINCT FROM grr(r, f, t)
           AND (k).customer_churn_rate IS NOT DISTINCT FROM customer_churn_rate(r, f, t)
           AND (k).customer_retention_rate IS NOT DISTINCT FROM customer_retention_rate(r, f, t)
           AND (k).upsell_rate IS NOT DISTINCT FROM upsell_rate(r, f, t)
           AND (k).quick_ratio IS NOT DISTINCT FROM quick_ratio(r, f, t)
           AND (k).saas_ltv IS NOT DISTINCT FROM saas_ltv(r, f, t)) AS equal,
       count(*) FILTER (WHERE (k).nrr IS NULL) AS nrr_null,
       count(*) FILTER (WHERE (k).saas_ltv IS NULL) AS ltv_null,
       bool_and((k).skipped_rows > 0) AS skipped
FROM (SELECT kind, r, kpis(r) AS k,
             (SELECT min(month) FROM mrr_movements(r)) AS f, (SELECT max(month) FROM mrr_movements(r)) AS t
      FROM rk_sum) x
GROUP BY kind ORDER BY kind;
-- the range is the summary's: from_month/to_month against the months the summary was built for
SELECT kind, (kpis(r)).from_month, (kpis(r)).to_month, cardinality((kpis(r)).movements) AS months
FROM rk_sum WHERE seg IN (0, -1) ORDER BY kind;

-- the arrays are the rows of mrr_movements() and cohort_retention(), in order
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (k).movements = (SELECT array_agg(ROW(m.*)::mrr_movement ORDER BY m.month) FROM mrr_movements(r) m)
           AND (k).cohorts IS NOT DISTINCT FROM
               (SELECT coalesce(array_agg(ROW(c.*)::revenue_cohort ORDER BY c.cohort, c.months_since), '{}')
                FROM cohort_retention(r) c)) AS equal,
       count(*) FILTER (WHERE cardinality((k).cohorts) = 0) AS without_cohorts,
       sum(cardinality((k).cohorts)) AS cohort_cells
FROM (SELECT r, kpis(r) AS k FROM rk_sum) x;
-- and the movements' mrr sums to the plain-SQL MRR of the segment's subscriptions
SELECT bool_and(m.mrr = (SELECT coalesce(sum(monthly_amount), 0) FROM rk_subs
                         WHERE customer_id % 4 = 1 AND starts_at IS NOT NULL AND monthly_amount IS NOT NULL
                           AND (ends_at IS NULL OR ends_at >= starts_at)
                           AND date_trunc('month', starts_at) <= m.month
                           AND (ends_at IS NULL OR date_trunc('month', ends_at) > m.month))) AS mrr_matches_sql,
       count(*) AS months
FROM rk_sum, unnest((kpis(r)).movements) m WHERE seg = 1 AND kind = 'range';
-- the columns of the composites are exactly those of the set-returning readers
SELECT t, (SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute WHERE attrelid = t::regclass AND attnum > 0)
        = (SELECT array_agg(n ORDER BY o) FROM pg_proc p, unnest(p.proargnames[2:], p.proargmodes[2:]) WITH ORDINALITY a(n, md, o)
           WHERE p.proname = fn AND md = 'o') AS same_columns
FROM (VALUES ('mrr_movement', 'mrr_movements'), ('revenue_cohort', 'cohort_retention')) v(t, fn);

-- by hand: c1 pays 100 from 2024-01, c2 50 in 2024-01..02, c3 30.5 from 2024-02
CREATE TEMP TABLE rk_hand AS
SELECT revenue_summary(s, '2024-01-01', '2024-03-31') AS r
FROM (SELECT mrr_series(a, b, amt) s
      FROM (VALUES (1, date '2024-01-05', NULL::date, 100::numeric), (2, '2024-01-10', '2024-03-01', 50),
                   (3, '2024-02-01', NULL, 30.5)) v(c, a, b, amt) GROUP BY c) x;
SELECT (kpis(r)).* FROM rk_hand;
SELECT r::json FROM rk_hand;

-- the JSON form: a key per column of the composite, the same values, and
-- json, jsonb, to_json and to_jsonb agree
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(r::jsonb) k)
               = (SELECT array_agg(attname::text ORDER BY attname::text) FROM pg_attribute
                  WHERE attrelid = 'revenue_summary_kpis'::regclass AND attnum > 0)
           AND (r::json)::jsonb = r::jsonb AND to_json(r)::jsonb = r::jsonb AND to_jsonb(r) = r::jsonb
           AND r::jsonb = to_jsonb(kpis(r))) AS equal
FROM rk_sum;
-- money keeps its exact text (numeric, never a float), ratios print as float8 does
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (r::json) ->> 'mrr' = mrr(r, (kpis(r)).to_month)::text
           AND (r::json) ->> 'arr' = arr(r, (kpis(r)).to_month)::text
           AND (r::json) ->> 'arpa' IS NOT DISTINCT FROM arpa(r, (kpis(r)).to_month)::text
           AND (r::json) ->> 'period_arpa' IS NOT DISTINCT FROM arpa(r, (kpis(r)).from_month, (kpis(r)).to_month)::text
           AND (r::json) ->> 'saas_ltv' IS NOT DISTINCT FROM saas_ltv(r, (kpis(r)).from_month, (kpis(r)).to_month)::text
           AND (r::json) ->> 'nrr' IS NOT DISTINCT FROM nrr(r, (kpis(r)).from_month, (kpis(r)).to_month)::text
           AND ((r::json) ->> 'from_month')::date = (kpis(r)).from_month
           AND (r::json) ->> 'to_month' = to_char((kpis(r)).to_month, 'YYYY-MM-DD')
           AND (r::json) -> 'movements' -> 0 ->> 'net_new_mrr' = (SELECT net_new_mrr::text FROM mrr_movements(r) ORDER BY month LIMIT 1)
           AND (SELECT bool_and(e ->> 'mrr' = m.mrr::text AND e ->> 'churned_mrr' = m.churned_mrr::text
                                AND (e ->> 'quick_ratio') IS NOT DISTINCT FROM m.quick_ratio::text)
                FROM json_array_elements((r::json) -> 'movements') WITH ORDINALITY j(e, o)
                JOIN (SELECT *, row_number() OVER (ORDER BY month) AS o FROM mrr_movements(r)) m USING (o))) AS json_text_equal,
       count(*) FILTER (WHERE (r::json) ->> 'mrr' ~ '\.') AS with_decimals
FROM rk_sum;
-- a row holding summaries nests their objects
SELECT row_to_json(x) FROM (SELECT 'hand' AS name, r FROM rk_hand) x;

-- NULL in, NULL out: an aggregate over no rows
SELECT kpis(r) IS NULL AS record_null, r::json IS NULL AS json_null, r::jsonb IS NULL AS jsonb_null
FROM (SELECT revenue_summary(s, '2024-01-01', '2024-12-31') r FROM rk_series WHERE false) x;
