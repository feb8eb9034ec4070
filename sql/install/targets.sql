------------------------------------------------------------------------------
-- targets family (issue 14): attainment, pacing, split_target, forecast
-- (pipeline_coverage, open_at; the weighted pipeline is weighted_pipeline()
-- of the deals family, grouped by close month and rep)      (src/targets/)
-- New in 0.2.0: the upgrade script includes this file as it is.
------------------------------------------------------------------------------

CREATE FUNCTION attainment(actual pg_catalog.numeric, target pg_catalog.numeric) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'targets_attainment' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION attainment(pg_catalog.numeric, pg_catalog.numeric) IS 'target attainment: actual / target; NULL when target = 0; a negative target is an error';

-- @foreach T = timestamptz | timestamp | date
-- @and TS = tz | ts | date
CREATE FUNCTION period_elapsed(period_start pg_catalog.@T@, period_end pg_catalog.@T@, as_of pg_catalog.@T@) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'period_elapsed_@TS@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION period_elapsed(period_start pg_catalog.@T@, period_end pg_catalog.@T@, as_of pg_catalog.@T@, weights pg_catalog.numeric[]) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'period_elapsed_w_@TS@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pacing(actual pg_catalog.numeric, target pg_catalog.numeric, period_start pg_catalog.@T@, period_end pg_catalog.@T@, as_of pg_catalog.@T@) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'pacing_@TS@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pacing(actual pg_catalog.numeric, target pg_catalog.numeric, period_start pg_catalog.@T@, period_end pg_catalog.@T@, as_of pg_catalog.@T@, weights pg_catalog.numeric[]) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'pacing_w_@TS@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION open_at(created pg_catalog.@T@, closed pg_catalog.@T@, as_of pg_catalog.@T@) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'open_at_@TS@' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION period_elapsed(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@) IS 'share of the period [period_start, period_end] elapsed at as_of, linear in time; as_of outside the period is an error';
COMMENT ON FUNCTION period_elapsed(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.numeric[]) IS 'share of the period''s target expected by as_of with seasonal weights, one per calendar month of the period (full months by weight, as_of''s month linearly); the period must be exactly that many months';
COMMENT ON FUNCTION pacing(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@) IS 'pacing: projected end-of-period attainment at the linear run rate, actual / period_elapsed / target; NULL at the period start or when target = 0';
COMMENT ON FUNCTION pacing(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.numeric[]) IS 'pacing with seasonal weights per calendar month: actual / period_elapsed(start, end, as_of, weights) / target; NULL when nothing is expected yet or target = 0';
COMMENT ON FUNCTION open_at(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@) IS 'whether a deal was open at as_of: created <= as_of and (closed IS NULL or closed > as_of); NULL when created or as_of is NULL; closed before created is an error (NULL with sales_kpi.invalid_rows = skip)';
-- @end

CREATE FUNCTION split_target(annual pg_catalog.numeric, OUT month pg_catalog.int4, OUT target pg_catalog.numeric)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'split_target' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 12;
CREATE FUNCTION split_target(annual pg_catalog.numeric, weights pg_catalog.numeric[], OUT month pg_catalog.int4, OUT target pg_catalog.numeric)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'split_target' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 12;
COMMENT ON FUNCTION split_target(pg_catalog.numeric) IS 'splits an annual target into 12 equal monthly targets at its scale, by the largest remainder: the months sum exactly to the annual target';
COMMENT ON FUNCTION split_target(pg_catalog.numeric, pg_catalog.numeric[]) IS 'splits a target into one part per weight (month 1..n) proportionally, at the target''s scale, by the largest remainder (ties: the earlier month): the parts sum exactly to the target; weights non-negative with a positive sum';

CREATE FUNCTION pipeline_coverage(open_pipeline pg_catalog.numeric, remaining_target pg_catalog.numeric) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'pipeline_coverage' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pipeline_coverage(pg_catalog.numeric, pg_catalog.numeric) IS 'pipeline coverage: open pipeline / remaining target; NULL when the remaining target is 0 or less (target met)';
