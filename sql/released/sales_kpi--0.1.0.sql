-- sales_kpi 0.1.0: sales KPIs as SQL aggregates, functions and summary types.
-- Built-in types are schema-qualified (pg_catalog) so the script is immune to
-- a hostile search_path; our own objects live in the extension's schema.

\echo Use "CREATE EXTENSION sales_kpi" to load this file. \quit

------------------------------------------------------------------------------
-- hit_ratio(won boolean): won / (won + lost); NULL (open) ignored
------------------------------------------------------------------------------
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

------------------------------------------------------------------------------
-- deal_summary: the deal KPIs' state, a storable summary type
------------------------------------------------------------------------------
CREATE TYPE deal_summary;
CREATE FUNCTION deal_summary_in(pg_catalog.cstring) RETURNS deal_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION deal_summary_out(deal_summary) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION deal_summary_recv(pg_catalog.internal) RETURNS deal_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION deal_summary_send(deal_summary) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE deal_summary (
    input = deal_summary_in, output = deal_summary_out,
    receive = deal_summary_recv, send = deal_summary_send,
    internallength = variable, alignment = double, storage = plain);

COMMENT ON TYPE deal_summary IS 'summary of deal rows: counts, exact money sums and sales cycle; read KPIs with accessors, merge with rollup()';
COMMENT ON FUNCTION deal_summary_in(pg_catalog.cstring) IS 'text input of deal_summary (validated)';
COMMENT ON FUNCTION deal_summary_out(deal_summary) IS 'text output of deal_summary';
COMMENT ON FUNCTION deal_summary_recv(pg_catalog.internal) IS 'binary input of deal_summary (versioned, validated)';
COMMENT ON FUNCTION deal_summary_send(deal_summary) IS 'binary output of deal_summary (versioned)';

-- transition functions: (state, amount, won, created, closed) for each time type
CREATE FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_date_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_won_accum(deal_summary, pg_catalog.bool, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_won_accum_inv(deal_summary, pg_catalog.bool, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_combine(deal_summary, deal_summary)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_combine_inv(deal_summary, deal_summary)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz) IS 'transition function: adds one deal row (amount, won, created, closed) to a deal_summary';
COMMENT ON FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp) IS 'transition function: adds one deal row (amount, won, created, closed) to a deal_summary';
COMMENT ON FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date) IS 'transition function: adds one deal row (amount, won, created, closed) to a deal_summary';
COMMENT ON FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz) IS 'inverse transition: removes one deal row (moving windows); NULL when not exactly invertible';
COMMENT ON FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp) IS 'inverse transition: removes one deal row (moving windows); NULL when not exactly invertible';
COMMENT ON FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date) IS 'inverse transition: removes one deal row (moving windows); NULL when not exactly invertible';
COMMENT ON FUNCTION deal_summary_won_accum(deal_summary, pg_catalog.bool, pg_catalog.numeric) IS 'transition function of hit_ratio(won, amount)';
COMMENT ON FUNCTION deal_summary_won_accum_inv(deal_summary, pg_catalog.bool, pg_catalog.numeric) IS 'inverse transition of hit_ratio(won, amount) for moving windows';
COMMENT ON FUNCTION deal_summary_combine(deal_summary, deal_summary) IS 'merges two deal summaries exactly (combine function and rollup transition)';
COMMENT ON FUNCTION deal_summary_combine_inv(deal_summary, deal_summary) IS 'removes a merged deal summary (rollup over moving windows); NULL when not exactly invertible';

-- accessors (also the final functions)
CREATE FUNCTION deals(deal_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'deal_summary_deals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION won_deals(deal_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'deal_summary_won' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION lost_deals(deal_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'deal_summary_lost' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION open_deals(deal_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'deal_summary_open' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION won_amount(deal_summary) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'deal_summary_won_amount' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION lost_amount(deal_summary) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'deal_summary_lost_amount' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION open_amount(deal_summary) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'deal_summary_open_amount' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hit_ratio(deal_summary) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'deal_summary_hit_ratio' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hit_ratio_by_amount(deal_summary) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'deal_summary_hit_ratio_by_amount' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION avg_deal_size(deal_summary) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'deal_summary_avg_deal_size' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sales_cycle_days(deal_summary) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'deal_summary_sales_cycle_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sales_velocity(deal_summary) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'deal_summary_sales_velocity' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION deals(deal_summary) IS 'number of deal rows in the summary (open and decided)';
COMMENT ON FUNCTION won_deals(deal_summary) IS 'number of won deals (won = true)';
COMMENT ON FUNCTION lost_deals(deal_summary) IS 'number of lost deals (won = false)';
COMMENT ON FUNCTION open_deals(deal_summary) IS 'number of open deals (won IS NULL)';
COMMENT ON FUNCTION won_amount(deal_summary) IS 'exact sum of the amounts of won deals (0 when none)';
COMMENT ON FUNCTION lost_amount(deal_summary) IS 'exact sum of the amounts of lost deals (0 when none)';
COMMENT ON FUNCTION open_amount(deal_summary) IS 'open pipeline: exact sum of the amounts of open deals (0 when none)';
COMMENT ON FUNCTION hit_ratio(deal_summary) IS 'won / (won + lost); NULL when no deal is decided';
COMMENT ON FUNCTION hit_ratio_by_amount(deal_summary) IS 'amount-weighted hit ratio: won amount / decided amount; NULL when the decided amount is 0';
COMMENT ON FUNCTION avg_deal_size(deal_summary) IS 'exact average amount of won deals, equal to avg(amount) over them; NULL when none';
COMMENT ON FUNCTION sales_cycle_days(deal_summary) IS 'average days from created to closed over won deals; NULL when none';
COMMENT ON FUNCTION sales_velocity(deal_summary) IS 'expected revenue per day: deals * hit_ratio * avg_deal_size / sales_cycle_days; NULL when a factor is undefined or the cycle is 0';

CREATE AGGREGATE deal_summary(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.timestamptz, closed pg_catalog.timestamptz) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary,
    parallel = safe);
CREATE AGGREGATE deal_summary(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.timestamp, closed pg_catalog.timestamp) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary,
    parallel = safe);
CREATE AGGREGATE deal_summary(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.date, closed pg_catalog.date) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary,
    parallel = safe);
CREATE AGGREGATE rollup(deal_summary) (
    sfunc = deal_summary_combine, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_combine, minvfunc = deal_summary_combine_inv, mstype = deal_summary,
    parallel = safe);

COMMENT ON AGGREGATE deal_summary(pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz) IS 'deal summary of deal rows (amount, won, created, closed): read every deal KPI from it with accessors';
COMMENT ON AGGREGATE deal_summary(pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp) IS 'deal summary of deal rows (amount, won, created, closed): read every deal KPI from it with accessors';
COMMENT ON AGGREGATE deal_summary(pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date) IS 'deal summary of deal rows (amount, won, created, closed): read every deal KPI from it with accessors';
COMMENT ON AGGREGATE rollup(deal_summary) IS 'merges deal summaries exactly (e.g. daily summaries into a quarter, or OVER () as the team benchmark)';

-- deal_summary with a win probability, and the standalone deal aggregates
CREATE FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_cycle_accum(deal_summary, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_cycle_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_cycle_accum_inv(deal_summary, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_cycle_accum_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.numeric) IS 'transition function: adds one deal row (amount, won, created, closed, probability) to a deal_summary';
COMMENT ON FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.numeric) IS 'inverse transition: removes one deal row with probability (moving windows); NULL when not exactly invertible';
COMMENT ON FUNCTION deal_summary_cycle_accum(deal_summary, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.bool) IS 'transition function of sales_cycle_days(created, closed, won)';
COMMENT ON FUNCTION deal_summary_cycle_accum_inv(deal_summary, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.bool) IS 'inverse transition of sales_cycle_days(created, closed, won) for moving windows';
CREATE AGGREGATE deal_summary(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.timestamptz, closed pg_catalog.timestamptz, probability pg_catalog.numeric) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary,
    parallel = safe);
COMMENT ON AGGREGATE deal_summary(pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.numeric) IS 'deal summary with win probabilities: adds the weighted pipeline (sum of amount * probability over open deals)';
CREATE AGGREGATE sales_cycle_days(created pg_catalog.timestamptz, closed pg_catalog.timestamptz, won pg_catalog.bool) (
    sfunc = deal_summary_cycle_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = sales_cycle_days,
    msfunc = deal_summary_cycle_accum, minvfunc = deal_summary_cycle_accum_inv, mstype = deal_summary, mfinalfunc = sales_cycle_days,
    parallel = safe);
COMMENT ON AGGREGATE sales_cycle_days(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.bool) IS 'average days from created to closed over won deals; NULL when none';

CREATE FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_cycle_accum(deal_summary, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_cycle_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_cycle_accum_inv(deal_summary, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_cycle_accum_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.numeric) IS 'transition function: adds one deal row (amount, won, created, closed, probability) to a deal_summary';
COMMENT ON FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.numeric) IS 'inverse transition: removes one deal row with probability (moving windows); NULL when not exactly invertible';
COMMENT ON FUNCTION deal_summary_cycle_accum(deal_summary, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.bool) IS 'transition function of sales_cycle_days(created, closed, won)';
COMMENT ON FUNCTION deal_summary_cycle_accum_inv(deal_summary, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.bool) IS 'inverse transition of sales_cycle_days(created, closed, won) for moving windows';
CREATE AGGREGATE deal_summary(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.timestamp, closed pg_catalog.timestamp, probability pg_catalog.numeric) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary,
    parallel = safe);
COMMENT ON AGGREGATE deal_summary(pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.numeric) IS 'deal summary with win probabilities: adds the weighted pipeline (sum of amount * probability over open deals)';
CREATE AGGREGATE sales_cycle_days(created pg_catalog.timestamp, closed pg_catalog.timestamp, won pg_catalog.bool) (
    sfunc = deal_summary_cycle_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = sales_cycle_days,
    msfunc = deal_summary_cycle_accum, minvfunc = deal_summary_cycle_accum_inv, mstype = deal_summary, mfinalfunc = sales_cycle_days,
    parallel = safe);
COMMENT ON AGGREGATE sales_cycle_days(pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.bool) IS 'average days from created to closed over won deals; NULL when none';

CREATE FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_accum_date_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_cycle_accum(deal_summary, pg_catalog.date, pg_catalog.date, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_cycle_accum_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_cycle_accum_inv(deal_summary, pg_catalog.date, pg_catalog.date, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME', 'deal_summary_cycle_accum_date_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date, pg_catalog.numeric) IS 'transition function: adds one deal row (amount, won, created, closed, probability) to a deal_summary';
COMMENT ON FUNCTION deal_summary_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date, pg_catalog.numeric) IS 'inverse transition: removes one deal row with probability (moving windows); NULL when not exactly invertible';
COMMENT ON FUNCTION deal_summary_cycle_accum(deal_summary, pg_catalog.date, pg_catalog.date, pg_catalog.bool) IS 'transition function of sales_cycle_days(created, closed, won)';
COMMENT ON FUNCTION deal_summary_cycle_accum_inv(deal_summary, pg_catalog.date, pg_catalog.date, pg_catalog.bool) IS 'inverse transition of sales_cycle_days(created, closed, won) for moving windows';
CREATE AGGREGATE deal_summary(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.date, closed pg_catalog.date, probability pg_catalog.numeric) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary,
    parallel = safe);
COMMENT ON AGGREGATE deal_summary(pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date, pg_catalog.numeric) IS 'deal summary with win probabilities: adds the weighted pipeline (sum of amount * probability over open deals)';
CREATE AGGREGATE sales_cycle_days(created pg_catalog.date, closed pg_catalog.date, won pg_catalog.bool) (
    sfunc = deal_summary_cycle_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = sales_cycle_days,
    msfunc = deal_summary_cycle_accum, minvfunc = deal_summary_cycle_accum_inv, mstype = deal_summary, mfinalfunc = sales_cycle_days,
    parallel = safe);
COMMENT ON AGGREGATE sales_cycle_days(pg_catalog.date, pg_catalog.date, pg_catalog.bool) IS 'average days from created to closed over won deals; NULL when none';

CREATE FUNCTION deal_summary_amount_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_amount_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_weighted_accum(deal_summary, pg_catalog.numeric, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION deal_summary_weighted_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.numeric)
    RETURNS deal_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION weighted_pipeline(deal_summary) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'deal_summary_weighted_pipeline' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION deal_summary_amount_accum(deal_summary, pg_catalog.numeric, pg_catalog.bool) IS 'transition function of avg_deal_size(amount, won)';
COMMENT ON FUNCTION deal_summary_amount_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.bool) IS 'inverse transition of avg_deal_size(amount, won) for moving windows';
COMMENT ON FUNCTION deal_summary_weighted_accum(deal_summary, pg_catalog.numeric, pg_catalog.numeric) IS 'transition function of weighted_pipeline(amount, probability)';
COMMENT ON FUNCTION deal_summary_weighted_accum_inv(deal_summary, pg_catalog.numeric, pg_catalog.numeric) IS 'inverse transition of weighted_pipeline(amount, probability) for moving windows';
COMMENT ON FUNCTION weighted_pipeline(deal_summary) IS 'exact sum of amount * probability over open deals; NULL when no open deal had both';
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

-- sales_velocity(amount, won, created, closed)
CREATE AGGREGATE sales_velocity(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.timestamptz, closed pg_catalog.timestamptz) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = sales_velocity,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary, mfinalfunc = sales_velocity,
    parallel = safe);
CREATE AGGREGATE sales_velocity(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.timestamp, closed pg_catalog.timestamp) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = sales_velocity,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary, mfinalfunc = sales_velocity,
    parallel = safe);
CREATE AGGREGATE sales_velocity(amount pg_catalog.numeric, won pg_catalog.bool, created pg_catalog.date, closed pg_catalog.date) (
    sfunc = deal_summary_accum, stype = deal_summary, combinefunc = deal_summary_combine, finalfunc = sales_velocity,
    msfunc = deal_summary_accum, minvfunc = deal_summary_accum_inv, mstype = deal_summary, mfinalfunc = sales_velocity,
    parallel = safe);
CREATE FUNCTION sales_velocity(opportunities pg_catalog.float8, hit_ratio pg_catalog.float8, avg_deal_size pg_catalog.numeric, cycle_days pg_catalog.float8)
    RETURNS pg_catalog.float8 AS 'MODULE_PATHNAME', 'sales_velocity_scalar' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON AGGREGATE sales_velocity(pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz) IS 'sales velocity (revenue per day): opportunities * hit_ratio * avg_deal_size / sales_cycle_days over the rows; NULL when a factor is undefined';
COMMENT ON AGGREGATE sales_velocity(pg_catalog.numeric, pg_catalog.bool, pg_catalog.timestamp, pg_catalog.timestamp) IS 'sales velocity (revenue per day): opportunities * hit_ratio * avg_deal_size / sales_cycle_days over the rows; NULL when a factor is undefined';
COMMENT ON AGGREGATE sales_velocity(pg_catalog.numeric, pg_catalog.bool, pg_catalog.date, pg_catalog.date) IS 'sales velocity (revenue per day): opportunities * hit_ratio * avg_deal_size / sales_cycle_days over the rows; NULL when a factor is undefined';
COMMENT ON FUNCTION sales_velocity(pg_catalog.float8, pg_catalog.float8, pg_catalog.numeric, pg_catalog.float8) IS 'sales velocity from its four factors: opportunities * hit_ratio * avg_deal_size / cycle_days; NULL when cycle_days = 0';

-- hit_ratio(won, amount): amount-weighted
CREATE AGGREGATE hit_ratio(won pg_catalog.bool, amount pg_catalog.numeric) (
    sfunc = deal_summary_won_accum, stype = deal_summary, combinefunc = deal_summary_combine,
    finalfunc = hit_ratio_by_amount,
    msfunc = deal_summary_won_accum, minvfunc = deal_summary_won_accum_inv, mstype = deal_summary,
    mfinalfunc = hit_ratio_by_amount,
    parallel = safe);
COMMENT ON AGGREGATE hit_ratio(pg_catalog.bool, pg_catalog.numeric) IS 'amount-weighted hit ratio: sum(amount of won) / sum(amount of decided), exact sums; rows with NULL won or amount ignored; NULL when the decided amount is 0';

------------------------------------------------------------------------------
-- churn_rate / retention_rate
------------------------------------------------------------------------------
CREATE FUNCTION churn_accum(pg_catalog.int8[], pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz)
    RETURNS pg_catalog.int8[] AS 'MODULE_PATHNAME', 'churn_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION churn_accum(pg_catalog.int8[], pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.timestamp)
    RETURNS pg_catalog.int8[] AS 'MODULE_PATHNAME', 'churn_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION churn_accum(pg_catalog.int8[], pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date)
    RETURNS pg_catalog.int8[] AS 'MODULE_PATHNAME', 'churn_accum_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION churn_combine(pg_catalog.int8[], pg_catalog.int8[]) RETURNS pg_catalog.int8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION churn_rate_final(pg_catalog.int8[]) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_rate_final(pg_catalog.int8[]) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION churn_accum(pg_catalog.int8[], pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz) IS 'transition function of churn_rate/retention_rate; state {has_period, p0, p1, at_start, churned}';
COMMENT ON FUNCTION churn_accum(pg_catalog.int8[], pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.timestamp) IS 'transition function of churn_rate/retention_rate; state {has_period, p0, p1, at_start, churned}';
COMMENT ON FUNCTION churn_accum(pg_catalog.int8[], pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS 'transition function of churn_rate/retention_rate; state {has_period, p0, p1, at_start, churned}';
COMMENT ON FUNCTION churn_combine(pg_catalog.int8[], pg_catalog.int8[]) IS 'combine function of churn_rate/retention_rate; the periods must match';
COMMENT ON FUNCTION churn_rate_final(pg_catalog.int8[]) IS 'final function of churn_rate: churned / active at period start';
COMMENT ON FUNCTION retention_rate_final(pg_catalog.int8[]) IS 'final function of retention_rate: (active at start - churned) / active at start';

CREATE AGGREGATE churn_rate(active_from pg_catalog.timestamptz, active_until pg_catalog.timestamptz, period_start pg_catalog.timestamptz, period_end pg_catalog.timestamptz) (
    sfunc = churn_accum, stype = pg_catalog.int8[], initcond = '{0,0,0,0,0}',
    combinefunc = churn_combine, finalfunc = churn_rate_final, parallel = safe);
CREATE AGGREGATE churn_rate(active_from pg_catalog.timestamp, active_until pg_catalog.timestamp, period_start pg_catalog.timestamp, period_end pg_catalog.timestamp) (
    sfunc = churn_accum, stype = pg_catalog.int8[], initcond = '{0,0,0,0,0}',
    combinefunc = churn_combine, finalfunc = churn_rate_final, parallel = safe);
CREATE AGGREGATE churn_rate(active_from pg_catalog.date, active_until pg_catalog.date, period_start pg_catalog.date, period_end pg_catalog.date) (
    sfunc = churn_accum, stype = pg_catalog.int8[], initcond = '{0,0,0,0,0}',
    combinefunc = churn_combine, finalfunc = churn_rate_final, parallel = safe);
CREATE AGGREGATE retention_rate(active_from pg_catalog.timestamptz, active_until pg_catalog.timestamptz, period_start pg_catalog.timestamptz, period_end pg_catalog.timestamptz) (
    sfunc = churn_accum, stype = pg_catalog.int8[], initcond = '{0,0,0,0,0}',
    combinefunc = churn_combine, finalfunc = retention_rate_final, parallel = safe);
CREATE AGGREGATE retention_rate(active_from pg_catalog.timestamp, active_until pg_catalog.timestamp, period_start pg_catalog.timestamp, period_end pg_catalog.timestamp) (
    sfunc = churn_accum, stype = pg_catalog.int8[], initcond = '{0,0,0,0,0}',
    combinefunc = churn_combine, finalfunc = retention_rate_final, parallel = safe);
CREATE AGGREGATE retention_rate(active_from pg_catalog.date, active_until pg_catalog.date, period_start pg_catalog.date, period_end pg_catalog.date) (
    sfunc = churn_accum, stype = pg_catalog.int8[], initcond = '{0,0,0,0,0}',
    combinefunc = churn_combine, finalfunc = retention_rate_final, parallel = safe);

COMMENT ON AGGREGATE churn_rate(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz) IS 'customer churn for [period_start, period_end): of the customers active at period_start, the share whose active_until falls in (period_start, period_end]; NULL when none active';
COMMENT ON AGGREGATE churn_rate(pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.timestamp) IS 'customer churn for [period_start, period_end): of the customers active at period_start, the share whose active_until falls in (period_start, period_end]; NULL when none active';
COMMENT ON AGGREGATE churn_rate(pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS 'customer churn for [period_start, period_end): of the customers active at period_start, the share whose active_until falls in (period_start, period_end]; NULL when none active';
COMMENT ON AGGREGATE retention_rate(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz) IS 'customer retention for the period: 1 - churn_rate over the same customers; NULL when none active at period_start';
COMMENT ON AGGREGATE retention_rate(pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.timestamp) IS 'customer retention for the period: 1 - churn_rate over the same customers; NULL when none active at period_start';
COMMENT ON AGGREGATE retention_rate(pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS 'customer retention for the period: 1 - churn_rate over the same customers; NULL when none active at period_start';

CREATE FUNCTION churn_rate(customers_start pg_catalog.int8, customers_end pg_catalog.int8, customers_new pg_catalog.int8 DEFAULT 0)
    RETURNS pg_catalog.float8 AS 'MODULE_PATHNAME', 'churn_rate_counts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_rate(customers_start pg_catalog.int8, customers_end pg_catalog.int8, customers_new pg_catalog.int8 DEFAULT 0)
    RETURNS pg_catalog.float8 AS 'MODULE_PATHNAME', 'retention_rate_counts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churn_rate(pg_catalog.int8, pg_catalog.int8, pg_catalog.int8) IS 'churn from counts: (start - (end - new)) / start; NULL when start = 0';
COMMENT ON FUNCTION retention_rate(pg_catalog.int8, pg_catalog.int8, pg_catalog.int8) IS 'retention from counts: (end - new) / start; NULL when start = 0';

------------------------------------------------------------------------------
-- clv
------------------------------------------------------------------------------
CREATE FUNCTION clv(avg_purchase_value pg_catalog.numeric, purchases_per_period pg_catalog.numeric, retention_periods pg_catalog.numeric)
    RETURNS pg_catalog.numeric AS 'MODULE_PATHNAME', 'clv_scalar' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv(arpa pg_catalog.numeric, churn_rate pg_catalog.float8)
    RETURNS pg_catalog.numeric AS 'MODULE_PATHNAME', 'clv_saas' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric) IS 'textbook CLV: avg_purchase_value * purchases_per_period * retention_periods (exact numeric)';
COMMENT ON FUNCTION clv(pg_catalog.numeric, pg_catalog.float8) IS 'SaaS CLV: arpa / churn_rate; NULL when churn_rate = 0';

CREATE TYPE order_summary;
CREATE FUNCTION order_summary_in(pg_catalog.cstring) RETURNS order_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION order_summary_out(order_summary) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION order_summary_recv(pg_catalog.internal) RETURNS order_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION order_summary_send(order_summary) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE order_summary (
    input = order_summary_in, output = order_summary_out,
    receive = order_summary_recv, send = order_summary_send,
    internallength = variable, alignment = double, storage = plain);
COMMENT ON TYPE order_summary IS 'summary of order rows: customers, orders, exact revenue, summed customer lifespans; build per customer, merge with rollup()';
COMMENT ON FUNCTION order_summary_in(pg_catalog.cstring) IS 'text input of order_summary (validated)';
COMMENT ON FUNCTION order_summary_out(order_summary) IS 'text output of order_summary';
COMMENT ON FUNCTION order_summary_recv(pg_catalog.internal) IS 'binary input of order_summary (versioned, validated)';
COMMENT ON FUNCTION order_summary_send(order_summary) IS 'binary output of order_summary (versioned)';

CREATE FUNCTION order_summary_accum(order_summary, pg_catalog.numeric, pg_catalog.timestamptz) RETURNS order_summary
    AS 'MODULE_PATHNAME', 'order_summary_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION order_summary_accum(order_summary, pg_catalog.numeric, pg_catalog.timestamp) RETURNS order_summary
    AS 'MODULE_PATHNAME', 'order_summary_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION order_summary_accum(order_summary, pg_catalog.numeric, pg_catalog.date) RETURNS order_summary
    AS 'MODULE_PATHNAME', 'order_summary_accum_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION order_summary_combine(order_summary, order_summary) RETURNS order_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION order_summary_rollup(order_summary, order_summary) RETURNS order_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION order_summary_accum(order_summary, pg_catalog.numeric, pg_catalog.timestamptz) IS 'transition function of order_summary(): adds one order of the group''s customer';
COMMENT ON FUNCTION order_summary_accum(order_summary, pg_catalog.numeric, pg_catalog.timestamp) IS 'transition function of order_summary(): adds one order of the group''s customer';
COMMENT ON FUNCTION order_summary_accum(order_summary, pg_catalog.numeric, pg_catalog.date) IS 'transition function of order_summary(): adds one order of the group''s customer';
COMMENT ON FUNCTION order_summary_combine(order_summary, order_summary) IS 'combine function of order_summary(): merges partial states of one customer';
COMMENT ON FUNCTION order_summary_rollup(order_summary, order_summary) IS 'merges order summaries of different customers (rollup transition and combine)';

CREATE AGGREGATE order_summary(amount pg_catalog.numeric, purchased_at pg_catalog.timestamptz) (
    sfunc = order_summary_accum, stype = order_summary, combinefunc = order_summary_combine, parallel = safe);
CREATE AGGREGATE order_summary(amount pg_catalog.numeric, purchased_at pg_catalog.timestamp) (
    sfunc = order_summary_accum, stype = order_summary, combinefunc = order_summary_combine, parallel = safe);
CREATE AGGREGATE order_summary(amount pg_catalog.numeric, purchased_at pg_catalog.date) (
    sfunc = order_summary_accum, stype = order_summary, combinefunc = order_summary_combine, parallel = safe);
CREATE AGGREGATE rollup(order_summary) (
    sfunc = order_summary_rollup, stype = order_summary, combinefunc = order_summary_rollup, parallel = safe);
COMMENT ON AGGREGATE order_summary(pg_catalog.numeric, pg_catalog.timestamptz) IS 'order summary of ONE customer''s orders (use GROUP BY customer id); rows with NULL amount or time ignored';
COMMENT ON AGGREGATE order_summary(pg_catalog.numeric, pg_catalog.timestamp) IS 'order summary of ONE customer''s orders (use GROUP BY customer id); rows with NULL amount or time ignored';
COMMENT ON AGGREGATE order_summary(pg_catalog.numeric, pg_catalog.date) IS 'order summary of ONE customer''s orders (use GROUP BY customer id); rows with NULL amount or time ignored';
COMMENT ON AGGREGATE rollup(order_summary) IS 'merges per-customer order summaries into one summary of all those customers';

CREATE FUNCTION customers(order_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'order_summary_customers' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION orders(order_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'order_summary_orders' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION revenue(order_summary) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'order_summary_revenue' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION avg_purchase_value(order_summary) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'order_summary_avg_purchase_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION purchase_frequency(order_summary, period pg_catalog.interval) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'order_summary_purchase_frequency' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION lifespan(order_summary, period pg_catalog.interval) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'order_summary_lifespan' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv(order_summary) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'order_summary_clv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION customers(order_summary) IS 'number of customers in the order summary';
COMMENT ON FUNCTION orders(order_summary) IS 'number of orders in the order summary';
COMMENT ON FUNCTION revenue(order_summary) IS 'exact sum of order amounts';
COMMENT ON FUNCTION avg_purchase_value(order_summary) IS 'revenue / orders, equal to avg(amount); NULL without orders';
COMMENT ON FUNCTION purchase_frequency(order_summary, pg_catalog.interval) IS 'orders per customer per period over the window from first to last purchase; NULL when the window is empty';
COMMENT ON FUNCTION lifespan(order_summary, pg_catalog.interval) IS 'average observed customer lifespan (last - first purchase) in periods';
COMMENT ON FUNCTION clv(order_summary) IS 'historic CLV: revenue per customer (exact numeric); NULL without customers';

------------------------------------------------------------------------------
-- stage funnels: stage_path per deal, stage_funnel across deals
------------------------------------------------------------------------------
CREATE TYPE stage_path;
CREATE FUNCTION stage_path_in(pg_catalog.cstring) RETURNS stage_path
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_path_out(stage_path) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_path_recv(pg_catalog.internal) RETURNS stage_path
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_path_send(stage_path) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE stage_path (
    input = stage_path_in, output = stage_path_out,
    receive = stage_path_recv, send = stage_path_send,
    internallength = variable, alignment = double, storage = extended);
COMMENT ON TYPE stage_path IS 'one deal''s stage history as (stage position, time) events, compact; input of stage_funnel()';
COMMENT ON FUNCTION stage_path_in(pg_catalog.cstring) IS 'text input of stage_path (validated)';
COMMENT ON FUNCTION stage_path_out(stage_path) IS 'text output of stage_path';
COMMENT ON FUNCTION stage_path_recv(pg_catalog.internal) IS 'binary input of stage_path (versioned, validated)';
COMMENT ON FUNCTION stage_path_send(stage_path) IS 'binary output of stage_path (versioned)';

CREATE FUNCTION stage_path_accum(stage_path, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text[]) RETURNS stage_path
    AS 'MODULE_PATHNAME', 'stage_path_accum_tz' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stage_path_accum(stage_path, pg_catalog.text, pg_catalog.timestamp, pg_catalog.text[]) RETURNS stage_path
    AS 'MODULE_PATHNAME', 'stage_path_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stage_path_accum(stage_path, pg_catalog.text, pg_catalog.date, pg_catalog.text[]) RETURNS stage_path
    AS 'MODULE_PATHNAME', 'stage_path_accum_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stage_path_combine(stage_path, stage_path) RETURNS stage_path
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stage_path_final(stage_path) RETURNS stage_path
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_path_accum(stage_path, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text[]) IS 'transition function of stage_path(): adds one stage event';
COMMENT ON FUNCTION stage_path_accum(stage_path, pg_catalog.text, pg_catalog.timestamp, pg_catalog.text[]) IS 'transition function of stage_path(): adds one stage event';
COMMENT ON FUNCTION stage_path_accum(stage_path, pg_catalog.text, pg_catalog.date, pg_catalog.text[]) IS 'transition function of stage_path(): adds one stage event';
COMMENT ON FUNCTION stage_path_combine(stage_path, stage_path) IS 'combine function of stage_path(): concatenates partial paths of one deal';
COMMENT ON FUNCTION stage_path_final(stage_path) IS 'final function of stage_path(): sorts events by (time, funnel position)';

CREATE AGGREGATE stage_path(stage pg_catalog.text, entered_at pg_catalog.timestamptz, stages pg_catalog.text[]) (
    sfunc = stage_path_accum, stype = stage_path, combinefunc = stage_path_combine,
    finalfunc = stage_path_final, parallel = safe);
CREATE AGGREGATE stage_path(stage pg_catalog.text, entered_at pg_catalog.timestamp, stages pg_catalog.text[]) (
    sfunc = stage_path_accum, stype = stage_path, combinefunc = stage_path_combine,
    finalfunc = stage_path_final, parallel = safe);
CREATE AGGREGATE stage_path(stage pg_catalog.text, entered_at pg_catalog.date, stages pg_catalog.text[]) (
    sfunc = stage_path_accum, stype = stage_path, combinefunc = stage_path_combine,
    finalfunc = stage_path_final, parallel = safe);
COMMENT ON AGGREGATE stage_path(pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text[]) IS 'one deal''s path through the stage list from its stage-history rows (GROUP BY deal id); events with NULL stage or time ignored';
COMMENT ON AGGREGATE stage_path(pg_catalog.text, pg_catalog.timestamp, pg_catalog.text[]) IS 'one deal''s path through the stage list from its stage-history rows (GROUP BY deal id); events with NULL stage or time ignored';
COMMENT ON AGGREGATE stage_path(pg_catalog.text, pg_catalog.date, pg_catalog.text[]) IS 'one deal''s path through the stage list from its stage-history rows (GROUP BY deal id); events with NULL stage or time ignored';

CREATE TYPE stage_funnel;
CREATE FUNCTION stage_funnel_in(pg_catalog.cstring) RETURNS stage_funnel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_funnel_out(stage_funnel) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_funnel_recv(pg_catalog.internal) RETURNS stage_funnel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_funnel_send(stage_funnel) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE stage_funnel (
    input = stage_funnel_in, output = stage_funnel_out,
    receive = stage_funnel_recv, send = stage_funnel_send,
    internallength = variable, alignment = double, storage = extended);
COMMENT ON TYPE stage_funnel IS 'stage funnel: stage names, counting mode, deals reaching each stage; read with stage_conversion()';
COMMENT ON FUNCTION stage_funnel_in(pg_catalog.cstring) IS 'text input of stage_funnel (validated)';
COMMENT ON FUNCTION stage_funnel_out(stage_funnel) IS 'text output of stage_funnel';
COMMENT ON FUNCTION stage_funnel_recv(pg_catalog.internal) IS 'binary input of stage_funnel (versioned, validated)';
COMMENT ON FUNCTION stage_funnel_send(stage_funnel) IS 'binary output of stage_funnel (versioned)';

CREATE FUNCTION stage_funnel_path_accum(stage_funnel, stage_path, pg_catalog.text[]) RETURNS stage_funnel
    AS 'MODULE_PATHNAME', 'stage_funnel_path_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stage_funnel_path_accum(stage_funnel, stage_path, pg_catalog.text[], pg_catalog.text) RETURNS stage_funnel
    AS 'MODULE_PATHNAME', 'stage_funnel_path_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stage_funnel_stage_accum(stage_funnel, pg_catalog.text, pg_catalog.text[]) RETURNS stage_funnel
    AS 'MODULE_PATHNAME', 'stage_funnel_stage_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stage_funnel_stage_accum(stage_funnel, pg_catalog.text, pg_catalog.text[], pg_catalog.text) RETURNS stage_funnel
    AS 'MODULE_PATHNAME', 'stage_funnel_stage_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stage_funnel_combine(stage_funnel, stage_funnel) RETURNS stage_funnel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_funnel_path_accum(stage_funnel, stage_path, pg_catalog.text[]) IS 'transition function of stage_funnel(path, stages): counts one deal (mode implied)';
COMMENT ON FUNCTION stage_funnel_path_accum(stage_funnel, stage_path, pg_catalog.text[], pg_catalog.text) IS 'transition function of stage_funnel(path, stages, mode): counts one deal';
COMMENT ON FUNCTION stage_funnel_stage_accum(stage_funnel, pg_catalog.text, pg_catalog.text[]) IS 'transition function of stage_funnel(stage, stages): counts one deal at its furthest stage (mode implied)';
COMMENT ON FUNCTION stage_funnel_stage_accum(stage_funnel, pg_catalog.text, pg_catalog.text[], pg_catalog.text) IS 'transition function of stage_funnel(stage, stages, mode): counts one deal at its stage';
COMMENT ON FUNCTION stage_funnel_combine(stage_funnel, stage_funnel) IS 'merges two funnels of the same stages and mode (combine function and rollup transition)';

CREATE AGGREGATE stage_funnel(path stage_path, stages pg_catalog.text[]) (
    sfunc = stage_funnel_path_accum, stype = stage_funnel, combinefunc = stage_funnel_combine, parallel = safe);
CREATE AGGREGATE stage_funnel(path stage_path, stages pg_catalog.text[], mode pg_catalog.text) (
    sfunc = stage_funnel_path_accum, stype = stage_funnel, combinefunc = stage_funnel_combine, parallel = safe);
CREATE AGGREGATE stage_funnel(stage pg_catalog.text, stages pg_catalog.text[]) (
    sfunc = stage_funnel_stage_accum, stype = stage_funnel, combinefunc = stage_funnel_combine, parallel = safe);
CREATE AGGREGATE stage_funnel(stage pg_catalog.text, stages pg_catalog.text[], mode pg_catalog.text) (
    sfunc = stage_funnel_stage_accum, stype = stage_funnel, combinefunc = stage_funnel_combine, parallel = safe);
CREATE AGGREGATE rollup(stage_funnel) (
    sfunc = stage_funnel_combine, stype = stage_funnel, combinefunc = stage_funnel_combine, parallel = safe);
COMMENT ON AGGREGATE stage_funnel(stage_path, pg_catalog.text[]) IS 'funnel over per-deal stage paths, mode implied';
COMMENT ON AGGREGATE stage_funnel(stage_path, pg_catalog.text[], pg_catalog.text) IS 'funnel over per-deal stage paths; mode implied, entered or ordered';
COMMENT ON AGGREGATE stage_funnel(pg_catalog.text, pg_catalog.text[]) IS 'funnel over a deals table, one row per deal at its furthest stage, mode implied';
COMMENT ON AGGREGATE stage_funnel(pg_catalog.text, pg_catalog.text[], pg_catalog.text) IS 'funnel over a deals table, one row per deal at its stage; mode implied or entered';
COMMENT ON AGGREGATE rollup(stage_funnel) IS 'merges funnels of the same stages and mode';

CREATE FUNCTION stage_conversion(funnel stage_funnel, from_stage pg_catalog.text, to_stage pg_catalog.text) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'stage_funnel_conversion' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_conversion(funnel stage_funnel,
    OUT stage pg_catalog.text, OUT "position" pg_catalog.int4, OUT reached pg_catalog.int8,
    OUT step_rate pg_catalog.float8, OUT cumulative_rate pg_catalog.float8, OUT win_probability pg_catalog.float8)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'stage_funnel_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
CREATE FUNCTION reached(funnel stage_funnel, stage pg_catalog.text) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_funnel_reached' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION deals(funnel stage_funnel) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_funnel_deals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION outside_deals(funnel stage_funnel) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_funnel_outside' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_conversion(stage_funnel, pg_catalog.text, pg_catalog.text) IS 'conversion between two stages: reached(to_stage) / reached(from_stage); NULL when reached(from_stage) = 0';
COMMENT ON FUNCTION stage_conversion(stage_funnel) IS 'the funnel as rows: stage, position, reached, step_rate (reached(k)/reached(k-1)), cumulative_rate (reached(k)/reached(1)), win_probability (reached(last)/reached(k))';
CREATE FUNCTION win_probability(funnel stage_funnel, stage pg_catalog.text) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'stage_funnel_win_probability' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION win_probability(stage_funnel, pg_catalog.text) IS 'win probability by stage: P(reaching the last stage of the list | reached this stage) = reached(last) / reached(stage); NULL when no deal reached it';
COMMENT ON FUNCTION reached(stage_funnel, pg_catalog.text) IS 'number of deals that reached the stage (per the funnel''s mode)';
COMMENT ON FUNCTION deals(stage_funnel) IS 'number of deals counted into the funnel, including those outside it';
COMMENT ON FUNCTION outside_deals(stage_funnel) IS 'number of deals that entered no stage of the list (e.g. only ''closed lost'')';

-- time in stage: stage_times across per-deal paths
CREATE TYPE stage_times;
CREATE FUNCTION stage_times_in(pg_catalog.cstring) RETURNS stage_times
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_times_out(stage_times) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_times_recv(pg_catalog.internal) RETURNS stage_times
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_times_send(stage_times) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE stage_times (
    input = stage_times_in, output = stage_times_out,
    receive = stage_times_recv, send = stage_times_send,
    internallength = variable, alignment = double, storage = extended);
COMMENT ON TYPE stage_times IS 'time in stage across deals: per stage visits, exited deals with their total time (exact) and a histogram for the median (within 1/128), deals currently in it with the age of their visit at as_of; read with time_in_stage() or stage_report()';
COMMENT ON FUNCTION stage_times_in(pg_catalog.cstring) IS 'text input of stage_times (validated)';
COMMENT ON FUNCTION stage_times_out(stage_times) IS 'text output of stage_times';
COMMENT ON FUNCTION stage_times_recv(pg_catalog.internal) IS 'binary input of stage_times (versioned, validated)';
COMMENT ON FUNCTION stage_times_send(stage_times) IS 'binary output of stage_times (versioned)';

CREATE FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[]) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[]) IS 'transition function of stage_times(path, stages): counts one deal''s visits (no as_of)';
CREATE FUNCTION stage_times_combine(stage_times, stage_times) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_combine(stage_times, stage_times) IS 'merges two stage_times of the same stages, as_of and stale_after (combine function and rollup transition)';
CREATE AGGREGATE stage_times(path stage_path, stages pg_catalog.text[]) (
    sfunc = stage_times_accum, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE stage_times(stage_path, pg_catalog.text[]) IS 'time in stage over per-deal stage paths, without as_of: open visits are counted as current deals, their age is not measured';
CREATE FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.timestamptz) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_accum_tz' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.timestamptz) IS 'transition function of stage_times(path, stages, as_of): counts one deal''s visits up to as_of';
CREATE AGGREGATE stage_times(path stage_path, stages pg_catalog.text[], as_of pg_catalog.timestamptz) (
    sfunc = stage_times_accum, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE stage_times(stage_path, pg_catalog.text[], pg_catalog.timestamptz) IS 'time in stage over per-deal stage paths as of a time: events after as_of ignored, open visits measured to as_of';
CREATE FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.interval) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_accum_tz' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.interval) IS 'transition function of stage_times(path, stages, as_of, stale_after): counts one deal''s visits up to as_of';
CREATE AGGREGATE stage_times(path stage_path, stages pg_catalog.text[], as_of pg_catalog.timestamptz, stale_after pg_catalog.interval) (
    sfunc = stage_times_accum, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE stage_times(stage_path, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.interval) IS 'time in stage over per-deal stage paths as of a time: events after as_of ignored, open visits measured to as_of and counted stale when older than stale_after';
CREATE FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.timestamp) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_accum_ts' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.timestamp) IS 'transition function of stage_times(path, stages, as_of): counts one deal''s visits up to as_of';
CREATE AGGREGATE stage_times(path stage_path, stages pg_catalog.text[], as_of pg_catalog.timestamp) (
    sfunc = stage_times_accum, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE stage_times(stage_path, pg_catalog.text[], pg_catalog.timestamp) IS 'time in stage over per-deal stage paths as of a time: events after as_of ignored, open visits measured to as_of';
CREATE FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.timestamp, pg_catalog.interval) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_accum_ts' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.timestamp, pg_catalog.interval) IS 'transition function of stage_times(path, stages, as_of, stale_after): counts one deal''s visits up to as_of';
CREATE AGGREGATE stage_times(path stage_path, stages pg_catalog.text[], as_of pg_catalog.timestamp, stale_after pg_catalog.interval) (
    sfunc = stage_times_accum, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE stage_times(stage_path, pg_catalog.text[], pg_catalog.timestamp, pg_catalog.interval) IS 'time in stage over per-deal stage paths as of a time: events after as_of ignored, open visits measured to as_of and counted stale when older than stale_after';
CREATE FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.date) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_accum_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.date) IS 'transition function of stage_times(path, stages, as_of): counts one deal''s visits up to as_of';
CREATE AGGREGATE stage_times(path stage_path, stages pg_catalog.text[], as_of pg_catalog.date) (
    sfunc = stage_times_accum, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE stage_times(stage_path, pg_catalog.text[], pg_catalog.date) IS 'time in stage over per-deal stage paths as of a time: events after as_of ignored, open visits measured to as_of';
CREATE FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.date, pg_catalog.interval) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_accum_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.date, pg_catalog.interval) IS 'transition function of stage_times(path, stages, as_of, stale_after): counts one deal''s visits up to as_of';
CREATE AGGREGATE stage_times(path stage_path, stages pg_catalog.text[], as_of pg_catalog.date, stale_after pg_catalog.interval) (
    sfunc = stage_times_accum, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE stage_times(stage_path, pg_catalog.text[], pg_catalog.date, pg_catalog.interval) IS 'time in stage over per-deal stage paths as of a time: events after as_of ignored, open visits measured to as_of and counted stale when older than stale_after';
CREATE AGGREGATE rollup(stage_times) (
    sfunc = stage_times_combine, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE rollup(stage_times) IS 'merges stage_times of the same stages, as_of and stale_after; medians stay those of all deals';

CREATE FUNCTION time_in_stage(times stage_times,
    OUT stage pg_catalog.text, OUT "position" pg_catalog.int4, OUT visits pg_catalog.int8,
    OUT exited_deals pg_catalog.int8, OUT avg_days pg_catalog.float8, OUT median_days pg_catalog.float8,
    OUT current_deals pg_catalog.int8, OUT avg_current_days pg_catalog.float8, OUT stale_deals pg_catalog.int8)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'stage_times_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION time_in_stage(stage_times) IS 'time in stage as rows: visits, exited_deals with avg_days and median_days of their total time in the stage, current_deals with avg_current_days (age at as_of), stale_deals';
CREATE FUNCTION stage_report(funnel stage_funnel, times stage_times,
    OUT stage pg_catalog.text, OUT "position" pg_catalog.int4, OUT reached pg_catalog.int8,
    OUT step_rate pg_catalog.float8, OUT cumulative_rate pg_catalog.float8, OUT win_probability pg_catalog.float8,
    OUT visits pg_catalog.int8, OUT exited_deals pg_catalog.int8, OUT avg_days pg_catalog.float8,
    OUT median_days pg_catalog.float8, OUT current_deals pg_catalog.int8, OUT avg_current_days pg_catalog.float8,
    OUT stale_deals pg_catalog.int8)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'stage_report_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION stage_report(stage_funnel, stage_times) IS 'funnel and time in stage of the same stage list as one row per stage';
CREATE FUNCTION visits(times stage_times, stage pg_catalog.text) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_times_visits' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION visits(stage_times, pg_catalog.text) IS 'number of visits to the stage (a visit is a maximal run of the stage in a deals history; re-entries are new visits), including open ones';
CREATE FUNCTION exited_deals(times stage_times, stage pg_catalog.text) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_times_exited' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION exited_deals(stage_times, pg_catalog.text) IS 'number of deals that visited the stage and are no longer in it';
CREATE FUNCTION avg_days(times stage_times, stage pg_catalog.text) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'stage_times_avg_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION avg_days(stage_times, pg_catalog.text) IS 'average total days in the stage (re-entries add up) of the deals that exited it; NULL when none did';
CREATE FUNCTION median_days(times stage_times, stage pg_catalog.text) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'stage_times_median_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION median_days(stage_times, pg_catalog.text) IS 'median total days in the stage of the deals that exited it, within 1/128 of the exact median; NULL when none did';
CREATE FUNCTION percentile_days(times stage_times, stage pg_catalog.text, fraction pg_catalog.float8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'stage_times_percentile_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION percentile_days(stage_times, pg_catalog.text, pg_catalog.float8) IS 'percentile (fraction 0..1, as percentile_cont) of the total days in the stage of the deals that exited it, within 1/128; fraction 0.5 is median_days; NULL when none did';
CREATE FUNCTION current_deals(times stage_times, stage pg_catalog.text) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_times_current' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION current_deals(stage_times, pg_catalog.text) IS 'number of deals whose open (last) visit is in the stage';
CREATE FUNCTION avg_current_days(times stage_times, stage pg_catalog.text) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'stage_times_current_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION avg_current_days(stage_times, pg_catalog.text) IS 'average age in days at as_of of the open visits in the stage; NULL without as_of or when no deal is in it';
CREATE FUNCTION stale_deals(times stage_times, stage pg_catalog.text) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_times_stale' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stale_deals(stage_times, pg_catalog.text) IS 'number of deals in the stage whose open visit is older than stale_after; NULL without stale_after';
CREATE FUNCTION deals(times stage_times) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_times_deals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION deals(stage_times) IS 'number of deals with an event at or before as_of, including those outside the stage list';
CREATE FUNCTION outside_deals(times stage_times) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_times_outside' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION outside_deals(stage_times) IS 'number of deals that entered no stage of the list by as_of';

-- one-level form: stage_history over the raw stage-history rows
CREATE TYPE stage_history;
CREATE FUNCTION stage_history_in(pg_catalog.cstring) RETURNS stage_history
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_history_out(stage_history) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_history_recv(pg_catalog.internal) RETURNS stage_history
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_history_send(stage_history) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE stage_history (
    input = stage_history_in, output = stage_history_out,
    receive = stage_history_recv, send = stage_history_send,
    internallength = variable, alignment = double, storage = extended);
COMMENT ON TYPE stage_history IS 'the stage events of many deals (deal id, stage position, time), for the one-level form: read with stage_funnel(history) and stage_times(history); grows with the input (limit 1 GB)';
COMMENT ON FUNCTION stage_history_in(pg_catalog.cstring) IS 'text input of stage_history (validated)';
COMMENT ON FUNCTION stage_history_out(stage_history) IS 'text output of stage_history';
COMMENT ON FUNCTION stage_history_recv(pg_catalog.internal) IS 'binary input of stage_history (versioned, validated)';
COMMENT ON FUNCTION stage_history_send(stage_history) IS 'binary output of stage_history (versioned)';
CREATE FUNCTION stage_history_combine(stage_history, stage_history) RETURNS stage_history
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_combine(stage_history, stage_history) IS 'combine function of stage_history(): concatenates the events of two partial states';
CREATE FUNCTION stage_history_final(stage_history) RETURNS stage_history
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_final(stage_history) IS 'final function of stage_history(): a compact copy of the state';
CREATE FUNCTION stage_history_accum(stage_history, pg_catalog.int8, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text[]) RETURNS stage_history
    AS 'MODULE_PATHNAME', 'stage_history_accum_int_tz' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_accum(stage_history, pg_catalog.int8, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text[]) IS 'transition function of stage_history(): adds one stage event';
CREATE AGGREGATE stage_history(deal_id pg_catalog.int8, stage pg_catalog.text, entered_at pg_catalog.timestamptz, stages pg_catalog.text[]) (
    sfunc = stage_history_accum, stype = stage_history, combinefunc = stage_history_combine,
    finalfunc = stage_history_final, parallel = safe);
COMMENT ON AGGREGATE stage_history(pg_catalog.int8, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text[]) IS 'one-level form: collects the stage-history rows of many deals (bigint ids), grouped by deal internally when read with stage_funnel() or stage_times(); events with a NULL deal, stage or time ignored';
CREATE FUNCTION stage_history_accum(stage_history, pg_catalog.int8, pg_catalog.text, pg_catalog.timestamp, pg_catalog.text[]) RETURNS stage_history
    AS 'MODULE_PATHNAME', 'stage_history_accum_int_ts' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_accum(stage_history, pg_catalog.int8, pg_catalog.text, pg_catalog.timestamp, pg_catalog.text[]) IS 'transition function of stage_history(): adds one stage event';
CREATE AGGREGATE stage_history(deal_id pg_catalog.int8, stage pg_catalog.text, entered_at pg_catalog.timestamp, stages pg_catalog.text[]) (
    sfunc = stage_history_accum, stype = stage_history, combinefunc = stage_history_combine,
    finalfunc = stage_history_final, parallel = safe);
COMMENT ON AGGREGATE stage_history(pg_catalog.int8, pg_catalog.text, pg_catalog.timestamp, pg_catalog.text[]) IS 'one-level form: collects the stage-history rows of many deals (bigint ids), grouped by deal internally when read with stage_funnel() or stage_times(); events with a NULL deal, stage or time ignored';
CREATE FUNCTION stage_history_accum(stage_history, pg_catalog.int8, pg_catalog.text, pg_catalog.date, pg_catalog.text[]) RETURNS stage_history
    AS 'MODULE_PATHNAME', 'stage_history_accum_int_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_accum(stage_history, pg_catalog.int8, pg_catalog.text, pg_catalog.date, pg_catalog.text[]) IS 'transition function of stage_history(): adds one stage event';
CREATE AGGREGATE stage_history(deal_id pg_catalog.int8, stage pg_catalog.text, entered_at pg_catalog.date, stages pg_catalog.text[]) (
    sfunc = stage_history_accum, stype = stage_history, combinefunc = stage_history_combine,
    finalfunc = stage_history_final, parallel = safe);
COMMENT ON AGGREGATE stage_history(pg_catalog.int8, pg_catalog.text, pg_catalog.date, pg_catalog.text[]) IS 'one-level form: collects the stage-history rows of many deals (bigint ids), grouped by deal internally when read with stage_funnel() or stage_times(); events with a NULL deal, stage or time ignored';
CREATE FUNCTION stage_history_accum(stage_history, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text[]) RETURNS stage_history
    AS 'MODULE_PATHNAME', 'stage_history_accum_text_tz' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_accum(stage_history, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text[]) IS 'transition function of stage_history(): adds one stage event';
CREATE AGGREGATE stage_history(deal_id pg_catalog.text, stage pg_catalog.text, entered_at pg_catalog.timestamptz, stages pg_catalog.text[]) (
    sfunc = stage_history_accum, stype = stage_history, combinefunc = stage_history_combine,
    finalfunc = stage_history_final, parallel = safe);
COMMENT ON AGGREGATE stage_history(pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text[]) IS 'one-level form: collects the stage-history rows of many deals (text ids), grouped by deal internally when read with stage_funnel() or stage_times(); events with a NULL deal, stage or time ignored';
CREATE FUNCTION stage_history_accum(stage_history, pg_catalog.text, pg_catalog.text, pg_catalog.timestamp, pg_catalog.text[]) RETURNS stage_history
    AS 'MODULE_PATHNAME', 'stage_history_accum_text_ts' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_accum(stage_history, pg_catalog.text, pg_catalog.text, pg_catalog.timestamp, pg_catalog.text[]) IS 'transition function of stage_history(): adds one stage event';
CREATE AGGREGATE stage_history(deal_id pg_catalog.text, stage pg_catalog.text, entered_at pg_catalog.timestamp, stages pg_catalog.text[]) (
    sfunc = stage_history_accum, stype = stage_history, combinefunc = stage_history_combine,
    finalfunc = stage_history_final, parallel = safe);
COMMENT ON AGGREGATE stage_history(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp, pg_catalog.text[]) IS 'one-level form: collects the stage-history rows of many deals (text ids), grouped by deal internally when read with stage_funnel() or stage_times(); events with a NULL deal, stage or time ignored';
CREATE FUNCTION stage_history_accum(stage_history, pg_catalog.text, pg_catalog.text, pg_catalog.date, pg_catalog.text[]) RETURNS stage_history
    AS 'MODULE_PATHNAME', 'stage_history_accum_text_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_accum(stage_history, pg_catalog.text, pg_catalog.text, pg_catalog.date, pg_catalog.text[]) IS 'transition function of stage_history(): adds one stage event';
CREATE AGGREGATE stage_history(deal_id pg_catalog.text, stage pg_catalog.text, entered_at pg_catalog.date, stages pg_catalog.text[]) (
    sfunc = stage_history_accum, stype = stage_history, combinefunc = stage_history_combine,
    finalfunc = stage_history_final, parallel = safe);
COMMENT ON AGGREGATE stage_history(pg_catalog.text, pg_catalog.text, pg_catalog.date, pg_catalog.text[]) IS 'one-level form: collects the stage-history rows of many deals (text ids), grouped by deal internally when read with stage_funnel() or stage_times(); events with a NULL deal, stage or time ignored';
CREATE FUNCTION stage_funnel(history stage_history) RETURNS stage_funnel
    AS 'MODULE_PATHNAME', 'stage_history_funnel' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_funnel(history stage_history, mode pg_catalog.text) RETURNS stage_funnel
    AS 'MODULE_PATHNAME', 'stage_history_funnel' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_funnel(stage_history) IS 'funnel (mode implied) of a stage_history, deal by deal: the same result as the two-level stage_funnel(stage_path(...))';
COMMENT ON FUNCTION stage_funnel(stage_history, pg_catalog.text) IS 'funnel of a stage_history in mode implied, entered or ordered: the same result as the two-level stage_funnel(stage_path(...), stages, mode)';
CREATE FUNCTION stage_times(history stage_history) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_history_times' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_times(stage_history) IS 'time in stage of a stage_history without as_of: the same result as the two-level stage_times(stage_path(...), stages)';
CREATE FUNCTION events(history stage_history) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_history_events' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION events(stage_history) IS 'number of stage events held (rows with a deal, stage and time)';
CREATE FUNCTION stage_times(history stage_history, as_of pg_catalog.timestamptz) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_history_times_tz' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_times(history stage_history, as_of pg_catalog.timestamptz, stale_after pg_catalog.interval) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_history_times_tz' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_times(stage_history, pg_catalog.timestamptz) IS 'time in stage of a stage_history as of a time: the same result as the two-level stage_times(stage_path(...), stages, as_of)';
COMMENT ON FUNCTION stage_times(stage_history, pg_catalog.timestamptz, pg_catalog.interval) IS 'time in stage of a stage_history as of a time, with stale deals: the same result as the two-level stage_times(stage_path(...), stages, as_of, stale_after)';
CREATE FUNCTION stage_times(history stage_history, as_of pg_catalog.timestamp) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_history_times_ts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_times(history stage_history, as_of pg_catalog.timestamp, stale_after pg_catalog.interval) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_history_times_ts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_times(stage_history, pg_catalog.timestamp) IS 'time in stage of a stage_history as of a time: the same result as the two-level stage_times(stage_path(...), stages, as_of)';
COMMENT ON FUNCTION stage_times(stage_history, pg_catalog.timestamp, pg_catalog.interval) IS 'time in stage of a stage_history as of a time, with stale deals: the same result as the two-level stage_times(stage_path(...), stages, as_of, stale_after)';
CREATE FUNCTION stage_times(history stage_history, as_of pg_catalog.date) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_history_times_date' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_times(history stage_history, as_of pg_catalog.date, stale_after pg_catalog.interval) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_history_times_date' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_times(stage_history, pg_catalog.date) IS 'time in stage of a stage_history as of a time: the same result as the two-level stage_times(stage_path(...), stages, as_of)';
COMMENT ON FUNCTION stage_times(stage_history, pg_catalog.date, pg_catalog.interval) IS 'time in stage of a stage_history as of a time, with stale deals: the same result as the two-level stage_times(stage_path(...), stages, as_of, stale_after)';
