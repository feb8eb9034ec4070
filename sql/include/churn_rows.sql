-- churn_rate / retention_rate over customer rows, for each time type; each
-- aggregate has its own transition (errors name it).  The state is
-- {has_period, p0, p1, at_start, churned, skipped}.  Included by
-- sql/install/customers.sql and by the upgrade from 0.1.0 (CREATE OR REPLACE).
-- @foreach T = timestamptz | timestamp | date
-- @and SFX = | | _date
CREATE OR REPLACE FUNCTION churn_accum(pg_catalog.int8[], pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@)
    RETURNS pg_catalog.int8[] AS 'MODULE_PATHNAME', 'churn_accum@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION churn_accum(pg_catalog.int8[], pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@) IS 'transition function of churn_rate; state {has_period, p0, p1, at_start, churned, skipped}';
CREATE OR REPLACE FUNCTION retention_accum(pg_catalog.int8[], pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@)
    RETURNS pg_catalog.int8[] AS 'MODULE_PATHNAME', 'retention_accum@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION retention_accum(pg_catalog.int8[], pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@) IS 'transition function of retention_rate; state {has_period, p0, p1, at_start, churned, skipped}';
CREATE OR REPLACE AGGREGATE churn_rate(active_from pg_catalog.@T@, active_until pg_catalog.@T@, period_start pg_catalog.@T@, period_end pg_catalog.@T@) (
    sfunc = churn_accum, stype = pg_catalog.int8[], initcond = '{0,0,0,0,0,0}',
    combinefunc = churn_combine, finalfunc = churn_rate_final, parallel = safe);
CREATE OR REPLACE AGGREGATE retention_rate(active_from pg_catalog.@T@, active_until pg_catalog.@T@, period_start pg_catalog.@T@, period_end pg_catalog.@T@) (
    sfunc = retention_accum, stype = pg_catalog.int8[], initcond = '{0,0,0,0,0,0}',
    combinefunc = churn_combine, finalfunc = retention_rate_final, parallel = safe);
COMMENT ON AGGREGATE churn_rate(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@) IS 'customer churn for [period_start, period_end): of the customers active at period_start, the share whose active_until falls in (period_start, period_end]; NULL when none active';
COMMENT ON AGGREGATE retention_rate(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@) IS 'customer retention for the period: 1 - churn_rate over the same customers; NULL when none active at period_start';
-- @end
-- churn_skipped_rows: the count of the rows churn_rate and retention_rate
-- left out under sales_kpi.invalid_rows = skip (new in 0.2.0)
CREATE OR REPLACE FUNCTION churn_skipped_rows_final(pg_catalog.int8[]) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churn_skipped_rows_final(pg_catalog.int8[]) IS 'final function of churn_skipped_rows: the skipped count of a churn state';
-- @foreach T = timestamptz | timestamp | date
-- @and SFX = | | _date
CREATE OR REPLACE FUNCTION churn_skipped_accum(pg_catalog.int8[], pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@)
    RETURNS pg_catalog.int8[] AS 'MODULE_PATHNAME', 'churn_skipped_accum@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION churn_skipped_accum(pg_catalog.int8[], pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@) IS 'transition function of churn_skipped_rows; the state of churn_rate';
CREATE OR REPLACE AGGREGATE churn_skipped_rows(active_from pg_catalog.@T@, active_until pg_catalog.@T@, period_start pg_catalog.@T@, period_end pg_catalog.@T@) (
    sfunc = churn_skipped_accum, stype = pg_catalog.int8[], initcond = '{0,0,0,0,0,0}',
    combinefunc = churn_combine, finalfunc = churn_skipped_rows_final, parallel = safe);
COMMENT ON AGGREGATE churn_skipped_rows(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.@T@) IS 'rows that churn_rate and retention_rate over the same rows leave out (active_until before active_from, under sales_kpi.invalid_rows = skip; 0 under error)';
-- @end
