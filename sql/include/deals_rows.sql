-- The deal aggregates over rows, for every amount type (spec 2.1: numeric,
-- double precision, real, integer, bigint; a float is taken at its ::numeric
-- value) and every time type of created/closed; rollup; the accessors that
-- changed in 0.2.0.  Included by sql/install/deals.sql and by the upgrade
-- from 0.1.0, hence CREATE OR REPLACE throughout.  C symbols: suffix tz, ts,
-- date for the time type, n, f8, f4, i4, i8 for the amount type, pf8 for a
-- float8 probability.

CREATE OR REPLACE FUNCTION sales_velocity(deal_summary) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'deal_summary_sales_velocity' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sales_velocity(deal_summary) IS 'expected revenue per day of the pipeline: open deals * hit_ratio * avg_deal_size / sales_cycle_days; NULL when a factor is undefined or the cycle is 0, 0 without open deals';
CREATE OR REPLACE FUNCTION skipped_rows(deal_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'deal_summary_skipped_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION skipped_rows(deal_summary) IS 'decided deals closed before created that were left out of the sales cycle (sales_kpi.invalid_rows = skip); 0 otherwise';
CREATE OR REPLACE FUNCTION deal_summary_final(deal_summary) RETURNS deal_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_final(deal_summary) IS 'final function of deal_summary(): the summary; warns once per result when rows were skipped';
CREATE OR REPLACE FUNCTION deal_summary_rollup(deal_summary, deal_summary)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_rollup(deal_summary, deal_summary) IS 'transition function of rollup(deal_summary): merges a summary exactly; summaries of different time kinds are an error';

CREATE OR REPLACE AGGREGATE rollup(deal_summary) (
    sfunc = deal_summary_rollup, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_rollup, minvfunc = deal_summary_combine_inv, mstype = deal_summary,
    parallel = safe);
COMMENT ON AGGREGATE rollup(deal_summary) IS 'merges deal summaries exactly (e.g. daily summaries into a quarter, or OVER () as the team benchmark); summaries of different time kinds are an error';

-- @foreach T = timestamptz | timestamp | date
-- @and TS = tz | ts | date
CREATE OR REPLACE FUNCTION deal_summary_cycle_accum(deal_summary, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_cycle_accum_@TS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION deal_summary_cycle_accum_inv(deal_summary, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_cycle_accum_@TS@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_cycle_accum(deal_summary, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool) IS 'transition function of sales_cycle_days(created, closed, won)';
COMMENT ON FUNCTION deal_summary_cycle_accum_inv(deal_summary, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool) IS 'inverse transition of sales_cycle_days(created, closed, won) for moving windows';
CREATE OR REPLACE AGGREGATE sales_cycle_days(created pg_catalog.@T@, closed pg_catalog.@T@, won pg_catalog.bool) (
    sfunc = deal_summary_cycle_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = sales_cycle_days,
    msfunc = deal_summary_cycle_accum, minvfunc = deal_summary_cycle_accum_inv, mstype = deal_summary, mfinalfunc = sales_cycle_days,
    parallel = safe);
COMMENT ON AGGREGATE sales_cycle_days(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool) IS 'average days from created to closed over won deals; NULL when none';
-- @end

-- @foreach A = numeric | float8 | float4 | int4 | int8
-- @and AS = n | f8 | f4 | i4 | i8
-- @foreach T = timestamptz | timestamp | date
-- @and TS = tz | ts | date
CREATE OR REPLACE FUNCTION deal_summary_accum(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_@TS@_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_@TS@_@AS@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_accum(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@) IS 'transition function of deal_summary(amount, won, created, closed): adds one deal row';
COMMENT ON FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@) IS 'inverse transition: removes one deal row (moving windows); NULL when not exactly invertible';
CREATE OR REPLACE AGGREGATE deal_summary(amount pg_catalog.@A@, won pg_catalog.bool, created pg_catalog.@T@, closed pg_catalog.@T@) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = deal_summary_final,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary, mfinalfunc = deal_summary_final,
    parallel = safe);
COMMENT ON AGGREGATE deal_summary(pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@) IS 'deal summary of deal rows (amount, won, created, closed): read every deal KPI from it with accessors';
-- @foreach P = numeric | float8
-- @and PS = | pf8_
CREATE OR REPLACE FUNCTION deal_summary_accum(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@P@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_@PS@@TS@_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@P@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_@PS@@TS@_@AS@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_accum(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@P@) IS 'transition function of deal_summary(amount, won, created, closed, probability): adds one deal row';
COMMENT ON FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@P@) IS 'inverse transition: removes one deal row with probability (moving windows); NULL when not exactly invertible';
CREATE OR REPLACE AGGREGATE deal_summary(amount pg_catalog.@A@, won pg_catalog.bool, created pg_catalog.@T@, closed pg_catalog.@T@, probability pg_catalog.@P@) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = deal_summary_final,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary, mfinalfunc = deal_summary_final,
    parallel = safe);
COMMENT ON AGGREGATE deal_summary(pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@P@) IS 'deal summary with win probabilities: adds the weighted pipeline (sum of amount * probability over open deals)';
-- @end
CREATE OR REPLACE FUNCTION sales_velocity_accum(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'sales_velocity_accum_@TS@_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION sales_velocity_accum_inv(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'sales_velocity_accum_@TS@_@AS@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION sales_velocity_accum(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@) IS 'transition function of sales_velocity(amount, won, created, closed)';
COMMENT ON FUNCTION sales_velocity_accum_inv(deal_summary, pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@) IS 'inverse transition of sales_velocity(amount, won, created, closed) for moving windows';
CREATE OR REPLACE AGGREGATE sales_velocity(amount pg_catalog.@A@, won pg_catalog.bool, created pg_catalog.@T@, closed pg_catalog.@T@) (
    sfunc = sales_velocity_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = sales_velocity,
    msfunc = sales_velocity_accum, minvfunc = sales_velocity_accum_inv, mstype = deal_summary, mfinalfunc = sales_velocity,
    parallel = safe);
COMMENT ON AGGREGATE sales_velocity(pg_catalog.@A@, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@) IS 'sales velocity (revenue per day) of the pipeline: open deals * hit_ratio * avg_deal_size / sales_cycle_days, the rates over the decided rows; NULL when a factor is undefined, 0 without open deals';
-- @end

CREATE OR REPLACE FUNCTION deal_summary_amount_accum(deal_summary, pg_catalog.@A@, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_amount_accum_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION deal_summary_amount_accum_inv(deal_summary, pg_catalog.@A@, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_amount_accum_@AS@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_amount_accum(deal_summary, pg_catalog.@A@, pg_catalog.bool) IS 'transition function of avg_deal_size(amount, won)';
COMMENT ON FUNCTION deal_summary_amount_accum_inv(deal_summary, pg_catalog.@A@, pg_catalog.bool) IS 'inverse transition of avg_deal_size(amount, won) for moving windows';
CREATE OR REPLACE AGGREGATE avg_deal_size(amount pg_catalog.@A@, won pg_catalog.bool) (
    sfunc = deal_summary_amount_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = avg_deal_size,
    msfunc = deal_summary_amount_accum, minvfunc = deal_summary_amount_accum_inv, mstype = deal_summary, mfinalfunc = avg_deal_size,
    parallel = safe);
COMMENT ON AGGREGATE avg_deal_size(pg_catalog.@A@, pg_catalog.bool) IS 'exact average amount of won deals, equal to avg(amount) FILTER (WHERE won); NULL when none';

CREATE OR REPLACE FUNCTION deal_summary_won_accum(deal_summary, pg_catalog.bool, pg_catalog.@A@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_won_accum_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION deal_summary_won_accum_inv(deal_summary, pg_catalog.bool, pg_catalog.@A@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_won_accum_@AS@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_won_accum(deal_summary, pg_catalog.bool, pg_catalog.@A@) IS 'transition function of hit_ratio(won, amount)';
COMMENT ON FUNCTION deal_summary_won_accum_inv(deal_summary, pg_catalog.bool, pg_catalog.@A@) IS 'inverse transition of hit_ratio(won, amount) for moving windows';
CREATE OR REPLACE AGGREGATE hit_ratio(won pg_catalog.bool, amount pg_catalog.@A@) (
    sfunc = deal_summary_won_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    finalfunc = hit_ratio_by_amount,
    msfunc = deal_summary_won_accum, minvfunc = deal_summary_won_accum_inv, mstype = deal_summary,
    mfinalfunc = hit_ratio_by_amount,
    parallel = safe);
COMMENT ON AGGREGATE hit_ratio(pg_catalog.bool, pg_catalog.@A@) IS 'amount-weighted hit ratio: sum(amount of won) / sum(amount of decided), exact sums; rows with NULL won or amount ignored; NULL when the decided amount is 0';

-- @foreach P = numeric | float8
-- @and PS = | _pf8
CREATE OR REPLACE FUNCTION deal_summary_weighted_accum(deal_summary, pg_catalog.@A@, pg_catalog.@P@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_weighted_accum@PS@_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION deal_summary_weighted_accum_inv(deal_summary, pg_catalog.@A@, pg_catalog.@P@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_weighted_accum@PS@_@AS@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_weighted_accum(deal_summary, pg_catalog.@A@, pg_catalog.@P@) IS 'transition function of weighted_pipeline(amount, probability)';
COMMENT ON FUNCTION deal_summary_weighted_accum_inv(deal_summary, pg_catalog.@A@, pg_catalog.@P@) IS 'inverse transition of weighted_pipeline(amount, probability) for moving windows';
CREATE OR REPLACE AGGREGATE weighted_pipeline(amount pg_catalog.@A@, probability pg_catalog.@P@) (
    sfunc = deal_summary_weighted_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = weighted_pipeline,
    msfunc = deal_summary_weighted_accum, minvfunc = deal_summary_weighted_accum_inv, mstype = deal_summary, mfinalfunc = weighted_pipeline,
    parallel = safe);
COMMENT ON AGGREGATE weighted_pipeline(pg_catalog.@A@, pg_catalog.@P@) IS 'weighted pipeline: exact sum of amount * probability (probability in [0, 1]); rows with a NULL ignored; NULL when none';
-- @end
-- @end
