
------------------------------------------------------------------------------
-- deals family: hit_ratio, the deal_summary type, avg_deal_size,
-- sales_cycle_days, weighted_pipeline, sales_velocity   (src/deals/)
------------------------------------------------------------------------------

-- hit_ratio(won boolean): won / (won + lost); NULL (open) ignored
CREATE FUNCTION hit_ratio_accum(pg_catalog.int8[], pg_catalog.bool) RETURNS pg_catalog.int8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hit_ratio_accum_inv(pg_catalog.int8[], pg_catalog.bool) RETURNS pg_catalog.int8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hit_ratio_combine(pg_catalog.int8[], pg_catalog.int8[]) RETURNS pg_catalog.int8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hit_ratio_final(pg_catalog.int8[]) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE hit_ratio(won pg_catalog.bool) (
    sfunc = hit_ratio_accum, stype = pg_catalog.int8[], initcond = '{0,0}',
    combinefunc = hit_ratio_combine, finalfunc = hit_ratio_final,
    msfunc = hit_ratio_accum, minvfunc = hit_ratio_accum_inv,
    mstype = pg_catalog.int8[], minitcond = '{0,0}', mfinalfunc = hit_ratio_final,
    parallel = safe);

COMMENT ON FUNCTION hit_ratio_accum(pg_catalog.int8[], pg_catalog.bool) IS 'transition function of hit_ratio(boolean); state {won, lost}';
COMMENT ON FUNCTION hit_ratio_accum_inv(pg_catalog.int8[], pg_catalog.bool) IS 'inverse transition of hit_ratio(boolean) for moving windows';
COMMENT ON FUNCTION hit_ratio_combine(pg_catalog.int8[], pg_catalog.int8[]) IS 'combine function of hit_ratio(boolean): adds {won, lost} states';
COMMENT ON FUNCTION hit_ratio_final(pg_catalog.int8[]) IS 'final function of hit_ratio(boolean): won / (won + lost), NULL without decided deals';
COMMENT ON AGGREGATE hit_ratio(pg_catalog.bool) IS 'hit ratio (win rate, closing percentage): won / (won + lost) deals; true = won, false = lost, NULL = open (ignored); NULL when no deal is decided';

-- deal_summary: the deal KPIs' state, a storable summary type
-- @type deal_summary plain 'summary of deal rows: counts, exact money sums and sales cycle; read KPIs with accessors, merge with rollup()'

CREATE FUNCTION deal_summary_won_accum(deal_summary, pg_catalog.bool, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_won_accum_inv(deal_summary, pg_catalog.bool, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_combine(deal_summary, deal_summary)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_combine_inv(deal_summary, deal_summary)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_amount_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_amount_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_weighted_accum(deal_summary, pg_catalog.numeric, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_weighted_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_won_accum(deal_summary, pg_catalog.bool, pg_catalog.numeric) IS 'transition function of hit_ratio(won, amount)';
COMMENT ON FUNCTION deal_summary_won_accum_inv(deal_summary, pg_catalog.bool, pg_catalog.numeric) IS 'inverse transition of hit_ratio(won, amount) for moving windows';
COMMENT ON FUNCTION deal_summary_combine(deal_summary, deal_summary) IS 'merges two deal summaries exactly (combine function and rollup transition)';
COMMENT ON FUNCTION deal_summary_combine_inv(deal_summary, deal_summary) IS 'removes a merged deal summary (rollup over moving windows); NULL when not exactly invertible';
COMMENT ON FUNCTION deal_summary_amount_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool) IS 'transition function of avg_deal_size(amount, won)';
COMMENT ON FUNCTION deal_summary_amount_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool) IS 'inverse transition of avg_deal_size(amount, won) for moving windows';
COMMENT ON FUNCTION deal_summary_weighted_accum(deal_summary, pg_catalog.numeric, pg_catalog.numeric) IS 'transition function of weighted_pipeline(amount, probability)';
COMMENT ON FUNCTION deal_summary_weighted_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.numeric) IS 'inverse transition of weighted_pipeline(amount, probability) for moving windows';

-- accessors (also the final functions)
-- @foreach F = deals | won_deals | lost_deals | open_deals
-- @and SYM = deals | won | lost | open
-- @and C = number of deal rows in the summary (open and decided) | number of won deals (won = true) | number of lost deals (won = false) | number of open deals (won IS NULL)
CREATE FUNCTION @F@(deal_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'deal_summary_@SYM@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(deal_summary) IS '@C@';
-- @end
-- @foreach F = won_amount | lost_amount | open_amount | avg_deal_size | weighted_pipeline
-- @and C = exact sum of the amounts of won deals (0 when none) | exact sum of the amounts of lost deals (0 when none) | open pipeline: exact sum of the amounts of open deals (0 when none) | exact average amount of won deals, equal to avg(amount) over them; NULL when none | exact sum of amount * probability over open deals; NULL when no open deal had both
CREATE FUNCTION @F@(deal_summary) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'deal_summary_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(deal_summary) IS '@C@';
-- @end
-- @foreach F = hit_ratio | hit_ratio_by_amount | sales_cycle_days | sales_velocity
-- @and C = won / (won + lost); NULL when no deal is decided | amount-weighted hit ratio: won amount / decided amount; NULL when the decided amount is 0 | average days from created to closed over won deals; NULL when none | expected revenue per day: deals * hit_ratio * avg_deal_size / sales_cycle_days; NULL when a factor is undefined or the cycle is 0
CREATE FUNCTION @F@(deal_summary) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'deal_summary_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(deal_summary) IS '@C@';
-- @end

-- the deal aggregates, for each time type of created/closed
-- @foreach T = timestamptz | timestamp | date
-- @and SFX = | | _date
CREATE FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum@SFX@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum@SFX@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_cycle_accum(deal_summary, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_cycle_accum@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_cycle_accum_inv(deal_summary, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_cycle_accum@SFX@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@) IS 'transition function: adds one deal row (amount, won, created, closed) to a deal_summary';
COMMENT ON FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@) IS 'inverse transition: removes one deal row (moving windows); NULL when not exactly invertible';
COMMENT ON FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.numeric) IS 'transition function: adds one deal row (amount, won, created, closed, probability) to a deal_summary';
COMMENT ON FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.numeric) IS 'inverse transition: removes one deal row with probability (moving windows); NULL when not exactly invertible';
COMMENT ON FUNCTION deal_summary_cycle_accum(deal_summary, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool) IS 'transition function of sales_cycle_days(created, closed, won)';
COMMENT ON FUNCTION deal_summary_cycle_accum_inv(deal_summary, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool) IS 'inverse transition of sales_cycle_days(created, closed, won) for moving windows';

CREATE AGGREGATE deal_summary(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.@T@, closed pg_catalog.@T@) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary,
    parallel = safe);
CREATE AGGREGATE deal_summary(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.@T@, closed pg_catalog.@T@, probability pg_catalog.numeric) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary,
    parallel = safe);
CREATE AGGREGATE sales_cycle_days(created pg_catalog.@T@, closed pg_catalog.@T@, won pg_catalog.bool) (
    sfunc = deal_summary_cycle_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = sales_cycle_days,
    msfunc = deal_summary_cycle_accum, minvfunc = deal_summary_cycle_accum_inv, mstype = deal_summary, mfinalfunc = sales_cycle_days,
    parallel = safe);
CREATE AGGREGATE sales_velocity(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.@T@, closed pg_catalog.@T@) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = sales_velocity,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary, mfinalfunc = sales_velocity,
    parallel = safe);
COMMENT ON AGGREGATE deal_summary(pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@) IS 'deal summary of deal rows (amount, won, created, closed): read every deal KPI from it with accessors';
COMMENT ON AGGREGATE deal_summary(pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.numeric) IS 'deal summary with win probabilities: adds the weighted pipeline (sum of amount * probability over open deals)';
COMMENT ON AGGREGATE sales_cycle_days(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool) IS 'average days from created to closed over won deals; NULL when none';
COMMENT ON AGGREGATE sales_velocity(pg_catalog.numeric, pg_catalog.bool, pg_catalog.@T@, pg_catalog.@T@) IS 'sales velocity (revenue per day): opportunities * hit_ratio * avg_deal_size / sales_cycle_days over the rows; NULL when a factor is undefined';
-- @end

CREATE AGGREGATE rollup(deal_summary) (
    sfunc = deal_summary_combine, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_combine, minvfunc = deal_summary_combine_inv, mstype = deal_summary,
    parallel = safe);
COMMENT ON AGGREGATE rollup(deal_summary) IS 'merges deal summaries exactly (e.g. daily summaries into a quarter, or OVER () as the team benchmark)';

CREATE AGGREGATE avg_deal_size(amount pg_catalog.numeric, won pg_catalog.bool) (
    sfunc = deal_summary_amount_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = avg_deal_size,
    msfunc = deal_summary_amount_accum, minvfunc = deal_summary_amount_accum_inv, mstype = deal_summary, mfinalfunc = avg_deal_size,
    parallel = safe);
COMMENT ON AGGREGATE avg_deal_size(pg_catalog.numeric, pg_catalog.bool) IS 'exact average amount of won deals, equal to avg(amount) FILTER (WHERE won); NULL when none';
CREATE AGGREGATE weighted_pipeline(amount pg_catalog.numeric, probability pg_catalog.numeric) (
    sfunc = deal_summary_weighted_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = weighted_pipeline,
    msfunc = deal_summary_weighted_accum, minvfunc = deal_summary_weighted_accum_inv, mstype = deal_summary, mfinalfunc = weighted_pipeline,
    parallel = safe);
COMMENT ON AGGREGATE weighted_pipeline(pg_catalog.numeric, pg_catalog.numeric) IS 'weighted pipeline: exact sum of amount * probability (probability in [0, 1]); rows with a NULL ignored; NULL when none';

-- hit_ratio(won, amount): amount-weighted
CREATE AGGREGATE hit_ratio(won pg_catalog.bool, amount pg_catalog.numeric) (
    sfunc = deal_summary_won_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    finalfunc = hit_ratio_by_amount,
    msfunc = deal_summary_won_accum, minvfunc = deal_summary_won_accum_inv, mstype = deal_summary,
    mfinalfunc = hit_ratio_by_amount,
    parallel = safe);
COMMENT ON AGGREGATE hit_ratio(pg_catalog.bool, pg_catalog.numeric) IS 'amount-weighted hit ratio: sum(amount of won) / sum(amount of decided), exact sums; rows with NULL won or amount ignored; NULL when the decided amount is 0';

-- sales_velocity from its four factors (cohort velocity)
CREATE FUNCTION sales_velocity(opportunities pg_catalog.float8, hit_ratio pg_catalog.float8, avg_deal_size pg_catalog.numeric, cycle_days pg_catalog.float8)
    RETURNS pg_catalog.float8 AS 'MODULE_PATHNAME', 'sales_velocity_scalar' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sales_velocity(pg_catalog.float8, pg_catalog.float8, pg_catalog.numeric, pg_catalog.float8) IS 'sales velocity from its four factors: opportunities * hit_ratio * avg_deal_size / cycle_days; NULL when cycle_days = 0';
