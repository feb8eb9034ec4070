
------------------------------------------------------------------------------
-- customers family: churn_rate, retention_rate, clv, the order_summary type
-- (src/customers/)
------------------------------------------------------------------------------

-- churn_rate / retention_rate over customer rows, for each time type
CREATE FUNCTION churn_combine(pg_catalog.int8[], pg_catalog.int8[]) RETURNS pg_catalog.int8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION churn_rate_final(pg_catalog.int8[]) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_rate_final(pg_catalog.int8[]) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churn_combine(pg_catalog.int8[], pg_catalog.int8[]) IS 'combine function of churn_rate/retention_rate; the periods must match';
COMMENT ON FUNCTION churn_rate_final(pg_catalog.int8[]) IS 'final function of churn_rate: churned / active at period start';
COMMENT ON FUNCTION retention_rate_final(pg_catalog.int8[]) IS 'final function of retention_rate: (active at start - churned) / active at start';

-- the aggregates and their transitions (also run by the upgrade from 0.1.0)
-- @include sql/include/churn_rows.sql

-- the seeds' scalar forms on counts
CREATE FUNCTION churn_rate(customers_start pg_catalog.int8, customers_end pg_catalog.int8, customers_new pg_catalog.int8 DEFAULT 0)
    RETURNS pg_catalog.float8 AS 'MODULE_PATHNAME', 'churn_rate_counts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_rate(customers_start pg_catalog.int8, customers_end pg_catalog.int8, customers_new pg_catalog.int8 DEFAULT 0)
    RETURNS pg_catalog.float8 AS 'MODULE_PATHNAME', 'retention_rate_counts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churn_rate(pg_catalog.int8, pg_catalog.int8, pg_catalog.int8) IS 'churn from counts: (start - (end - new)) / start; NULL when start = 0';
COMMENT ON FUNCTION retention_rate(pg_catalog.int8, pg_catalog.int8, pg_catalog.int8) IS 'retention from counts: (end - new) / start; NULL when start = 0';

-- clv: the textbook and SaaS scalar forms
CREATE FUNCTION clv(avg_purchase_value pg_catalog.numeric, purchases_per_period pg_catalog.numeric, retention_periods pg_catalog.numeric)
    RETURNS pg_catalog.numeric AS 'MODULE_PATHNAME', 'clv_scalar' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv(arpa pg_catalog.numeric, churn_rate pg_catalog.float8)
    RETURNS pg_catalog.numeric AS 'MODULE_PATHNAME', 'clv_saas' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric) IS 'textbook CLV: avg_purchase_value * purchases_per_period * retention_periods (exact numeric)';
COMMENT ON FUNCTION clv(pg_catalog.numeric, pg_catalog.float8) IS 'SaaS CLV: arpa / churn_rate; NULL when churn_rate = 0';

-- order_summary: historic CLV from order rows, per customer then rolled up
-- @type order_summary plain 'summary of order rows: customers, orders, exact revenue, summed customer lifespans; build per customer, merge with rollup()'

CREATE FUNCTION order_summary_combine(order_summary, order_summary) RETURNS order_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION order_summary_rollup(order_summary, order_summary) RETURNS order_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION order_summary_combine(order_summary, order_summary) IS 'combine function of order_summary(): merges partial states of one customer';
COMMENT ON FUNCTION order_summary_rollup(order_summary, order_summary) IS 'merges order summaries of different customers (rollup transition and combine)';
-- @foreach T = timestamptz | timestamp | date
-- @and SFX = | | _date
CREATE FUNCTION order_summary_accum(order_summary, pg_catalog.numeric, pg_catalog.@T@) RETURNS order_summary
    AS 'MODULE_PATHNAME', 'order_summary_accum@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION order_summary_accum(order_summary, pg_catalog.numeric, pg_catalog.@T@) IS 'transition function of order_summary(): adds one order of the group''s customer';
CREATE AGGREGATE order_summary(amount pg_catalog.numeric, purchased_at pg_catalog.@T@) (
    sfunc = order_summary_accum, stype = order_summary, combinefunc = order_summary_combine, parallel = safe);
COMMENT ON AGGREGATE order_summary(pg_catalog.numeric, pg_catalog.@T@) IS 'order summary of ONE customer''s orders (use GROUP BY customer id); rows with NULL amount or time ignored';
-- @end
CREATE AGGREGATE rollup(order_summary) (
    sfunc = order_summary_rollup, stype = order_summary, combinefunc = order_summary_rollup, parallel = safe);
COMMENT ON AGGREGATE rollup(order_summary) IS 'merges per-customer order summaries into one summary of all those customers';

-- @foreach F = customers | orders
-- @and C = number of customers in the order summary | number of orders in the order summary
CREATE FUNCTION @F@(order_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'order_summary_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(order_summary) IS '@C@';
-- @end
-- @foreach F = revenue | avg_purchase_value | clv
-- @and C = exact sum of order amounts | revenue / orders, equal to avg(amount); NULL without orders | historic CLV: revenue per customer (exact numeric); NULL without customers
CREATE FUNCTION @F@(order_summary) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'order_summary_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(order_summary) IS '@C@';
-- @end
-- @foreach F = purchase_frequency | lifespan
-- @and C = orders per customer per period over the window from first to last purchase; NULL when the window is empty | average observed customer lifespan (last - first purchase) in periods
CREATE FUNCTION @F@(order_summary, period pg_catalog.interval) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'order_summary_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(order_summary, pg_catalog.interval) IS '@C@';
-- @end

-- amounts of every type, the textbook CLV from its parts (also run by the upgrade)
-- @include sql/include/customers_amounts.sql
