
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

CREATE FUNCTION deal_summary_combine(deal_summary, deal_summary)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_combine_inv(deal_summary, deal_summary)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_combine(deal_summary, deal_summary) IS 'merges two deal summaries exactly (combine function and rollup transition)';
COMMENT ON FUNCTION deal_summary_combine_inv(deal_summary, deal_summary) IS 'removes a merged deal summary (rollup over moving windows); NULL when not exactly invertible';

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
-- @foreach F = hit_ratio | hit_ratio_by_amount | sales_cycle_days
-- @and C = won / (won + lost); NULL when no deal is decided | amount-weighted hit ratio: won amount / decided amount; NULL when the decided amount is 0 | average days from created to closed over won deals; NULL when none
CREATE FUNCTION @F@(deal_summary) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'deal_summary_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(deal_summary) IS '@C@';
-- @end

-- the aggregates over deal rows, their transitions, rollup and the accessors
-- of 0.2.0 (also run by the upgrade from 0.1.0, hence CREATE OR REPLACE)
-- @include sql/include/deals_rows.sql

-- sales_velocity from its four factors (cohort velocity)
CREATE FUNCTION sales_velocity(opportunities pg_catalog.float8, hit_ratio pg_catalog.float8, avg_deal_size pg_catalog.numeric, cycle_days pg_catalog.float8)
    RETURNS pg_catalog.float8 AS 'MODULE_PATHNAME', 'sales_velocity_scalar' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sales_velocity(pg_catalog.float8, pg_catalog.float8, pg_catalog.numeric, pg_catalog.float8) IS 'sales velocity from its four factors: opportunities * hit_ratio * avg_deal_size / cycle_days; NULL when cycle_days = 0';
