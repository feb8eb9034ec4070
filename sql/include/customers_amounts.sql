-- 0.2.0: amounts of every type (spec 2.1: double precision, real, integer,
-- bigint besides numeric; a float is taken at its ::numeric value) for the
-- scalar CLV forms and order_summary; the textbook CLV from its own parts.
-- Included by sql/install/customers.sql and by the upgrade from 0.1.0.
-- @foreach A = float8 | float4 | int4 | int8
-- @and AS = f8 | f4 | i4 | i8
CREATE OR REPLACE FUNCTION clv(avg_purchase_value pg_catalog.@A@, purchases_per_period pg_catalog.numeric, retention_periods pg_catalog.numeric)
    RETURNS pg_catalog.numeric AS 'MODULE_PATHNAME', 'clv_scalar_@AS@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION clv(arpa pg_catalog.@A@, churn_rate pg_catalog.float8)
    RETURNS pg_catalog.numeric AS 'MODULE_PATHNAME', 'clv_saas_@AS@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(pg_catalog.@A@, pg_catalog.numeric, pg_catalog.numeric) IS 'textbook CLV: avg_purchase_value (taken at its ::numeric value) * purchases_per_period * retention_periods (exact numeric)';
COMMENT ON FUNCTION clv(pg_catalog.@A@, pg_catalog.float8) IS 'SaaS CLV: arpa (taken at its ::numeric value) / churn_rate; NULL when churn_rate = 0';
-- @end
CREATE OR REPLACE FUNCTION clv(avg_purchase_value pg_catalog.numeric, purchases_per_period pg_catalog.float8, retention_periods pg_catalog.float8)
    RETURNS pg_catalog.numeric AS 'MODULE_PATHNAME', 'clv_parts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(pg_catalog.numeric, pg_catalog.float8, pg_catalog.float8) IS 'textbook CLV from its parts, e.g. clv(avg_purchase_value(s), purchase_frequency(s, p), lifespan(s, p)): the float8 factors at their ::numeric value, the product exact';

-- @foreach A = float8 | float4 | int4 | int8
-- @and AS = f8 | f4 | i4 | i8
-- @foreach T = timestamptz | timestamp | date
-- @and SFX = | | _date
CREATE OR REPLACE FUNCTION order_summary_accum(order_summary, pg_catalog.@A@, pg_catalog.@T@) RETURNS order_summary
    AS 'MODULE_PATHNAME', 'order_summary_accum@SFX@_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION order_summary_accum(order_summary, pg_catalog.@A@, pg_catalog.@T@) IS 'transition function of order_summary(): adds one order of the group''s customer';
CREATE OR REPLACE AGGREGATE order_summary(amount pg_catalog.@A@, purchased_at pg_catalog.@T@) (
    sfunc = order_summary_accum, stype = order_summary, combinefunc = order_summary_combine, parallel = safe);
COMMENT ON AGGREGATE order_summary(pg_catalog.@A@, pg_catalog.@T@) IS 'order summary of ONE customer''s orders (use GROUP BY customer id); rows with NULL amount or time ignored';
-- @end
-- @end
