
------------------------------------------------------------------------------
-- equality of our types (issue 11)                          (src/kpi/equality.c)
-- = and <> on the canonical form (the binary send output, byte for byte) and a
-- default hash operator class, so DISTINCT, UNION, GROUP BY, hash joins and
-- hash aggregation work on every type.  New in 0.2.0: the upgrade script
-- includes this file as it is.
------------------------------------------------------------------------------
-- @foreach T = deal_summary | order_summary | stage_path | stage_funnel | stage_times | stage_history | activity_summary | response_time | lead_followup | followup_summary | rfm | bgnbd_model | gammagamma_model | mrr_series | revenue_summary
CREATE FUNCTION @T@_eq(@T@, @T@) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @T@_ne(@T@, @T@) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @T@_hash(@T@) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR = (
    LEFTARG = @T@, RIGHTARG = @T@, FUNCTION = @T@_eq,
    COMMUTATOR = =, NEGATOR = <>,
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR <> (
    LEFTARG = @T@, RIGHTARG = @T@, FUNCTION = @T@_ne,
    COMMUTATOR = <>, NEGATOR = =,
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @T@_hash_ops DEFAULT FOR TYPE @T@ USING hash AS
    OPERATOR 1 = (@T@, @T@),
    FUNCTION 1 @T@_hash(@T@);
COMMENT ON FUNCTION @T@_eq(@T@, @T@) IS 'equality of @T@ values: their canonical (binary send) forms are byte-equal; the function of operator =';
COMMENT ON FUNCTION @T@_ne(@T@, @T@) IS 'inequality of @T@ values: their canonical (binary send) forms differ; the function of operator <>';
COMMENT ON FUNCTION @T@_hash(@T@) IS 'hash of the canonical (binary send) form of a @T@ value; support function 1 of @T@_hash_ops';
COMMENT ON OPERATOR = (@T@, @T@) IS 'equal: the same stored form (summaries of the same rows are equal)';
COMMENT ON OPERATOR <> (@T@, @T@) IS 'not equal: different stored forms';
COMMENT ON OPERATOR CLASS @T@_hash_ops USING hash IS 'default hash operator class of @T@ (hash joins, hash aggregation, DISTINCT, UNION)';
COMMENT ON OPERATOR FAMILY @T@_hash_ops USING hash IS 'hash operator family of @T@';
-- @end
