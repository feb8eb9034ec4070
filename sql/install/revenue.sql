
------------------------------------------------------------------------------
-- revenue family (issue 13): MRR per customer and month, the five MRR
-- movements, revenue churn, NRR, GRR, cohorts, ARPA, SaaS LTV, CAC
-- (src/revenue/).  New in 0.2.0: the upgrade script includes this file.
------------------------------------------------------------------------------

-- mrr_series: one customer's MRR per month, the inner level (GROUP BY customer id)
-- @type mrr_series extended 'one customer''s MRR per month as exact change points (month, MRR from then on); build with mrr_series(starts_at, ends_at, monthly_amount) or mrr_series(month, mrr) per customer, read with revenue_summary()'

CREATE FUNCTION mrr_series_combine(mrr_series, mrr_series) RETURNS mrr_series
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mrr_series_final(mrr_series) RETURNS mrr_series
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_series_combine(mrr_series, mrr_series) IS 'combine function of mrr_series(): concatenates partial states of one customer';
COMMENT ON FUNCTION mrr_series_final(mrr_series) IS 'final function of mrr_series(): the canonical form (sorted change points, equal months added, zero changes dropped)';
-- @foreach A = numeric | float8 | float4 | int4 | int8
-- @and AS = n | f8 | f4 | i4 | i8
-- @foreach T = timestamptz | timestamp | date
-- @and TS = tz | ts | date
CREATE FUNCTION mrr_series_accum(mrr_series, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@A@) RETURNS mrr_series
    AS 'MODULE_PATHNAME', 'mrr_series_sub_@TS@_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mrr_series_accum(mrr_series, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@A@) IS 'transition function of mrr_series(starts_at, ends_at, monthly_amount): adds one subscription of the group''s customer';
CREATE AGGREGATE mrr_series(starts_at pg_catalog.@T@, ends_at pg_catalog.@T@, monthly_amount pg_catalog.@A@) (
    sfunc = mrr_series_accum, stype = mrr_series, combinefunc = mrr_series_combine,
    finalfunc = mrr_series_final, parallel = safe);
COMMENT ON AGGREGATE mrr_series(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@A@) IS 'ONE customer''s MRR per month from subscription rows (GROUP BY customer id): month m counts the subscriptions with month(starts_at) <= m < month(ends_at), ends_at NULL = open; rows with NULL starts_at or monthly_amount ignored; timestamptz months in UTC';
CREATE FUNCTION mrr_series_accum(mrr_series, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@A@, pg_catalog.text) RETURNS mrr_series
    AS 'MODULE_PATHNAME', 'mrr_series_prod_@TS@_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mrr_series_accum(mrr_series, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@A@, pg_catalog.text) IS 'transition function of mrr_series(starts_at, ends_at, monthly_amount, product): adds one subscription of the group''s customer and the months its product is paid for';
CREATE AGGREGATE mrr_series(starts_at pg_catalog.@T@, ends_at pg_catalog.@T@, monthly_amount pg_catalog.@A@, product pg_catalog.text) (
    sfunc = mrr_series_accum, stype = mrr_series, combinefunc = mrr_series_combine,
    finalfunc = mrr_series_final, parallel = safe);
COMMENT ON AGGREGATE mrr_series(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@A@, pg_catalog.text) IS 'ONE customer''s MRR per month from subscription rows with a product (GROUP BY customer id), as mrr_series(starts_at, ends_at, monthly_amount), also keeping the months each product is paid for (amount > 0), for cross_sell_rate(); a row with a NULL product adds its MRR only; products compared by their bytes';
CREATE FUNCTION mrr_series_accum(mrr_series, pg_catalog.@T@, pg_catalog.@A@) RETURNS mrr_series
    AS 'MODULE_PATHNAME', 'mrr_series_month_@TS@_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mrr_series_accum(mrr_series, pg_catalog.@T@, pg_catalog.@A@) IS 'transition function of mrr_series(month, mrr): adds one month''s MRR of the group''s customer';
CREATE AGGREGATE mrr_series(month pg_catalog.@T@, mrr pg_catalog.@A@) (
    sfunc = mrr_series_accum, stype = mrr_series, combinefunc = mrr_series_combine,
    finalfunc = mrr_series_final, parallel = safe);
COMMENT ON AGGREGATE mrr_series(pg_catalog.@T@, pg_catalog.@A@) IS 'ONE customer''s MRR per month from (month, MRR) rows (GROUP BY customer id): rows of the same month add up, months without a row have MRR 0; rows with a NULL ignored; timestamptz months in UTC';
-- @end
-- @end

CREATE FUNCTION mrr_at(series mrr_series, month pg_catalog.date) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'mrr_series_mrr_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION first_month(series mrr_series) RETURNS pg_catalog.date
    AS 'MODULE_PATHNAME', 'mrr_series_first_month' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION skipped_rows(series mrr_series) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'mrr_series_skipped' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_at(mrr_series, pg_catalog.date) IS 'the customer''s MRR (exact) in the month of the date';
COMMENT ON FUNCTION first_month(mrr_series) IS 'first day of the customer''s first month with MRR > 0 (its cohort); NULL when it never paid';
COMMENT ON FUNCTION skipped_rows(mrr_series) IS 'subscription rows with ends_at before starts_at left out under sales_kpi.invalid_rows = skip';

-- revenue_summary: the customers' MRR, movements, retention and cohorts over a month range
-- @type revenue_summary extended 'MRR, paying customers and the five MRR movements per month, retention per pair of months and cohorts of a month range, over many customers; build with revenue_summary(series, from_month, to_month), merge with rollup(), read with mrr_movements(), nrr(), grr(), cohort_retention()'

CREATE FUNCTION revenue_summary_accum(revenue_summary, mrr_series, pg_catalog.date, pg_catalog.date) RETURNS revenue_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION revenue_summary_rollup(revenue_summary, revenue_summary) RETURNS revenue_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_summary_accum(revenue_summary, mrr_series, pg_catalog.date, pg_catalog.date) IS 'transition function of revenue_summary(): adds one customer''s mrr_series';
COMMENT ON FUNCTION revenue_summary_rollup(revenue_summary, revenue_summary) IS 'merges revenue summaries of disjoint customer sets over the same months (combine function and rollup transition)';
CREATE AGGREGATE revenue_summary(series mrr_series, from_month pg_catalog.date, to_month pg_catalog.date) (
    sfunc = revenue_summary_accum, stype = revenue_summary, combinefunc = revenue_summary_rollup, parallel = safe);
COMMENT ON AGGREGATE revenue_summary(mrr_series, pg_catalog.date, pg_catalog.date) IS 'revenue summary of the months of from_month to to_month (both included, at most 240) over per-customer mrr_series values; NULL series ignored';
CREATE AGGREGATE rollup(revenue_summary) (
    sfunc = revenue_summary_rollup, stype = revenue_summary, combinefunc = revenue_summary_rollup, parallel = safe);
COMMENT ON AGGREGATE rollup(revenue_summary) IS 'merges revenue summaries of disjoint customer sets (e.g. per region or shard) over the same months';

-- the one-level form over raw subscription rows, grouping by customer id internally
CREATE FUNCTION revenue_summary_rows_combine(pg_catalog.bytea, pg_catalog.bytea) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'revenue_rows_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION revenue_summary_rows_final(pg_catalog.bytea) RETURNS revenue_summary
    AS 'MODULE_PATHNAME', 'revenue_rows_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_summary_rows_combine(pg_catalog.bytea, pg_catalog.bytea) IS 'combine function of the one-level revenue_summary(customer_id, ...): concatenates the subscription records of two partial states (validated)';
COMMENT ON FUNCTION revenue_summary_rows_final(pg_catalog.bytea) IS 'final function of the one-level revenue_summary(customer_id, ...): groups the records by customer and builds the summary as the two-level form does';
-- @foreach ID = int8 | text
-- @and IS = i | t
-- @foreach A = numeric | float8 | float4 | int4 | int8
-- @and AS = n | f8 | f4 | i4 | i8
-- @foreach T = timestamptz | timestamp | date
-- @and TS = tz | ts | date
CREATE FUNCTION revenue_summary_rows_accum(pg_catalog.bytea, pg_catalog.@ID@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@A@, pg_catalog.date, pg_catalog.date) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'revenue_rows_@IS@_@TS@_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_summary_rows_accum(pg_catalog.bytea, pg_catalog.@ID@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@A@, pg_catalog.date, pg_catalog.date) IS 'transition function of the one-level revenue_summary(customer_id, starts_at, ends_at, monthly_amount, from_month, to_month): adds one subscription row';
CREATE AGGREGATE revenue_summary(customer_id pg_catalog.@ID@, starts_at pg_catalog.@T@, ends_at pg_catalog.@T@, monthly_amount pg_catalog.@A@,
                                 from_month pg_catalog.date, to_month pg_catalog.date) (
    sfunc = revenue_summary_rows_accum, stype = pg_catalog.bytea, combinefunc = revenue_summary_rows_combine,
    finalfunc = revenue_summary_rows_final, parallel = safe);
COMMENT ON AGGREGATE revenue_summary(pg_catalog.@ID@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@A@, pg_catalog.date, pg_catalog.date) IS 'one-level revenue summary over raw subscription rows, grouping by customer_id internally: the same value as revenue_summary(mrr_series(...) per customer, from_month, to_month); rows with NULL customer_id, starts_at or monthly_amount ignored; holds every row (limit 1 GB)';
-- @end
-- @end
-- @end

CREATE FUNCTION mrr_movements(summary revenue_summary,
    OUT month pg_catalog.date, OUT mrr pg_catalog.numeric, OUT arr pg_catalog.numeric, OUT customers pg_catalog.int8,
    OUT new_mrr pg_catalog.numeric, OUT expansion_mrr pg_catalog.numeric, OUT contraction_mrr pg_catalog.numeric,
    OUT churned_mrr pg_catalog.numeric, OUT reactivation_mrr pg_catalog.numeric,
    OUT new_customers pg_catalog.int8, OUT expansion_customers pg_catalog.int8, OUT contraction_customers pg_catalog.int8,
    OUT churned_customers pg_catalog.int8, OUT reactivated_customers pg_catalog.int8,
    OUT net_new_mrr pg_catalog.numeric, OUT quick_ratio pg_catalog.float8)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'revenue_summary_movements' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 36;
COMMENT ON FUNCTION mrr_movements(revenue_summary) IS 'the MRR waterfall, one row per month: MRR, ARR = 12 x MRR, paying customers, the new/expansion/contraction/churn/reactivation amounts and customer counts against the month before, net new MRR, quick ratio (new + expansion + reactivation) / (churn + contraction), NULL when that is 0';

-- ratios over a period: from_month is the starting snapshot, to_month the end; movements of the months after from_month up to to_month
-- @foreach F = gross_revenue_churn | net_revenue_churn | nrr | grr | customer_churn_rate | customer_retention_rate | upsell_rate | quick_ratio | cross_sell_rate
-- @and C = (churned + contraction MRR of the months after from_month up to to_month) / MRR(from_month); NULL when MRR(from_month) = 0 | (churned + contraction - expansion - reactivation MRR of the months after from_month up to to_month) / MRR(from_month); NULL when MRR(from_month) = 0 | net revenue retention: MRR in to_month of the customers paying in from_month / their MRR in from_month; NULL when that is 0 | gross revenue retention: as nrr with each customer''s MRR in to_month capped at its MRR in from_month; NULL when MRR(from_month) = 0 | share of the customers paying in from_month that churned (MRR to 0) in a month after it up to to_month, reactivated or not; NULL without paying customers in from_month | 1 - customer_churn_rate over the same customers; NULL without paying customers in from_month | share of the customers paying in from_month with an expansion in a month after it up to to_month; NULL without paying customers in from_month | (new + expansion + reactivation) / (churned + contraction) MRR of the months after from_month up to to_month; NULL when the denominator is 0 | share of the customers paying in from_month that paid, in a month after it up to to_month, for a product they did not pay for in from_month (series built with mrr_series(starts_at, ends_at, monthly_amount, product); an error for a summary without products); NULL without paying customers in from_month
CREATE FUNCTION @F@(summary revenue_summary, from_month pg_catalog.date, to_month pg_catalog.date) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'revenue_summary_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(revenue_summary, pg_catalog.date, pg_catalog.date) IS '@C@';
-- @end

-- @foreach F = mrr | arr | arpa
-- @and CF = mrr | arr | arpa
-- @and C = MRR of the month (exact) | ARR = 12 x MRR of the month (exact) | ARPA: MRR / paying customers of the month (exact numeric division); NULL without paying customers
CREATE FUNCTION @F@(summary revenue_summary, month pg_catalog.date) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'revenue_summary_@CF@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(revenue_summary, pg_catalog.date) IS '@C@';
-- @end
CREATE FUNCTION paying_customers(summary revenue_summary, month pg_catalog.date) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'revenue_summary_customers' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION paying_customers(revenue_summary, pg_catalog.date) IS 'customers with MRR > 0 in the month';
CREATE FUNCTION arpa(summary revenue_summary, from_month pg_catalog.date, to_month pg_catalog.date) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'revenue_summary_arpa_period' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION arpa(revenue_summary, pg_catalog.date, pg_catalog.date) IS 'ARPA over the months from_month to to_month: their MRR summed / their paying customers summed (MRR per paying customer-month, exact); NULL without paying customers';
CREATE FUNCTION saas_ltv(summary revenue_summary, from_month pg_catalog.date, to_month pg_catalog.date) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'revenue_summary_ltv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION saas_ltv(revenue_summary, pg_catalog.date, pg_catalog.date) IS 'SaaS LTV = arpa(summary, from_month, to_month) / monthly customer churn, the churn being the churned customers of the months after from_month up to to_month / the paying customers summed over from_month up to the month before to_month; NULL when nobody churned';
CREATE FUNCTION new_customers(summary revenue_summary, from_month pg_catalog.date, to_month pg_catalog.date) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'revenue_summary_new_customers' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION new_customers(revenue_summary, pg_catalog.date, pg_catalog.date) IS 'new customers (first month with MRR > 0) of the months after from_month up to to_month';
CREATE FUNCTION cac(summary revenue_summary, from_month pg_catalog.date, to_month pg_catalog.date, spend pg_catalog.numeric) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'revenue_summary_cac' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cac(revenue_summary, pg_catalog.date, pg_catalog.date, pg_catalog.numeric) IS 'CAC = spend / new_customers(summary, from_month, to_month), exact; NULL without new customers';
CREATE FUNCTION series_count(summary revenue_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'revenue_summary_series' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION series_count(revenue_summary) IS 'number of customers (mrr_series values) added to the summary, paying or not';
CREATE FUNCTION skipped_rows(summary revenue_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'revenue_summary_skipped' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION skipped_rows(revenue_summary) IS 'subscription rows left out by the series under sales_kpi.invalid_rows = skip';
CREATE FUNCTION cohort_retention(summary revenue_summary,
    OUT cohort pg_catalog.date, OUT months_since pg_catalog.int4, OUT cohort_customers pg_catalog.int8,
    OUT customers pg_catalog.int8, OUT customer_retention pg_catalog.float8,
    OUT cohort_mrr pg_catalog.numeric, OUT mrr pg_catalog.numeric, OUT mrr_retention pg_catalog.float8)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'revenue_summary_cohorts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 666;
COMMENT ON FUNCTION cohort_retention(revenue_summary) IS 'cohort matrix: per cohort (first month with MRR > 0, inside the range) and months since: its new customers, those paying then and the share, its new MRR, its MRR then and the share';

-- acquisition economics, scalars
CREATE FUNCTION cac(spend pg_catalog.numeric, new_customers pg_catalog.int8) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'revenue_cac_scalar' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION saas_ltv(arpa pg_catalog.numeric, churn_rate pg_catalog.float8) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'revenue_ltv_scalar' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ltv_to_cac(ltv pg_catalog.numeric, cac pg_catalog.numeric) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'revenue_ltv_to_cac' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cac_payback_months(cac pg_catalog.numeric, arpa pg_catalog.numeric, gross_margin pg_catalog.float8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'revenue_cac_payback' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cac(pg_catalog.numeric, pg_catalog.int8) IS 'CAC = sales and marketing spend / new customers (exact); NULL when new_customers = 0';
COMMENT ON FUNCTION saas_ltv(pg_catalog.numeric, pg_catalog.float8) IS 'SaaS LTV = arpa / churn_rate (churn per the period of the ARPA, e.g. monthly); NULL when churn_rate = 0';
COMMENT ON FUNCTION ltv_to_cac(pg_catalog.numeric, pg_catalog.numeric) IS 'LTV:CAC = ltv / cac; NULL when cac = 0';
COMMENT ON FUNCTION cac_payback_months(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.float8) IS 'CAC payback in months = cac / (arpa x gross_margin), arpa monthly, gross_margin in [0, 1]; NULL when arpa x gross_margin = 0';
