-- sales_kpi 0.1.0 -> 0.2.0 upgrade (ALTER EXTENSION sales_kpi UPDATE TO '0.2.0').
-- After it, a database equals a fresh 0.2.0 install (test/t/upgrade.sh compares
-- the catalogs) and every stored value of 0.1.0 reads back unchanged.  Built-in
-- objects are schema-qualified (pg_catalog), as in the install script.

\echo Use "ALTER EXTENSION sales_kpi UPDATE TO '0.2.0'" to load this file. \quit

-- issue 11: every amount type, sales velocity of the open deals, one
-- transition per aggregate (errors name it), deal_summary format 2 (time
-- kind, skipped rows) with a final function, churn state with skipped rows.
-- The same files the install script includes (CREATE OR REPLACE).
-- @include sql/include/deals_rows.sql
-- @include sql/include/churn_rows.sql
-- @include sql/include/customers_amounts.sql

------------------------------------------------------------------------------
-- stages family (issue 11: items 2, 3, 7, 12, 13, 14)        (src/stages/)
-- The C functions read every 0.1.0 value (stage_path 1, stage_funnel 1,
-- stage_times 1, text, binary and stored) and write the new formats; the
-- descriptions change with the rules.  Item 14 adds funnel_level() and makes
-- the one-level stage_times(history, as_of ...) take a NULL as_of (an error).
------------------------------------------------------------------------------
COMMENT ON TYPE stage_times IS 'time in stage across deals: per stage visits, exited deals (with closed visits) with their total closed time, exact per-deal totals up to 32 per stage and a histogram beyond (within 1/128) for the median, deals currently in it with the age of their visit at as_of; read with time_in_stage() or stage_report()';
COMMENT ON FUNCTION stage_conversion(stage_funnel) IS 'the funnel as rows: stage, position, reached, step_rate (reached(k)/reached(k-1)), cumulative_rate (reached(k)/reached(1)), win_probability (deals counted for k that entered the last stage / reached(k))';
COMMENT ON FUNCTION win_probability(stage_funnel, pg_catalog.text) IS 'win probability by stage: P(entered the last stage of the list | counted for this stage), a probability in every mode; NULL when no deal reached it, or for a version-1 funnel of mode entered (it lacks the count)';
COMMENT ON FUNCTION time_in_stage(stage_times) IS 'time in stage as rows: visits, exited_deals (deals with closed visits, also when back in the stage now) with avg_days and median_days of their total closed time, current_deals with avg_current_days (age at as_of), stale_deals';
COMMENT ON FUNCTION exited_deals(stage_times, pg_catalog.text) IS 'number of deals with closed visits to the stage (a deal back in it now counts too)';
COMMENT ON FUNCTION avg_days(stage_times, pg_catalog.text) IS 'average total days of closed visits to the stage (re-entries add up) per deal with closed visits; NULL when none';
COMMENT ON FUNCTION median_days(stage_times, pg_catalog.text) IS 'median total days of closed visits to the stage per deal with closed visits: exact while the stage has at most 32, else within 1/128; NULL when none';
COMMENT ON FUNCTION percentile_days(stage_times, pg_catalog.text, pg_catalog.float8) IS 'percentile (fraction 0..1, as percentile_cont) of the total days of closed visits to the stage per deal with closed visits: exact while the stage has at most 32, else within 1/128; fraction 0.5 is median_days; NULL when none';
CREATE FUNCTION funnel_level(path stage_path, stages pg_catalog.text[]) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'stage_funnel_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_level(path stage_path, stages pg_catalog.text[], mode pg_catalog.text) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'stage_funnel_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_level(stage_path, pg_catalog.text[]) IS 'a deal''s funnel level (mode implied): the number of its furthest stage of the list, 0 when none; the deals with level >= k are reached(k) of stage_funnel()';
COMMENT ON FUNCTION funnel_level(stage_path, pg_catalog.text[], pg_catalog.text) IS 'a deal''s funnel level in mode implied or ordered (the number of the furthest stage it counts for: the deals with level >= k are reached(k) of stage_funnel()) or entered (the number of its furthest stage entered); 0 when none';
-- @foreach T = timestamptz | timestamp | date
ALTER FUNCTION stage_times(stage_history, pg_catalog.@T@) CALLED ON NULL INPUT;
ALTER FUNCTION stage_times(stage_history, pg_catalog.@T@, pg_catalog.interval) CALLED ON NULL INPUT;
COMMENT ON FUNCTION stage_times(stage_history, pg_catalog.@T@) IS 'time in stage of a stage_history as of a time: the same result as the two-level stage_times(stage_path(...), stages, as_of); NULL history gives NULL, NULL as_of is an error as in the aggregate';
COMMENT ON FUNCTION stage_times(stage_history, pg_catalog.@T@, pg_catalog.interval) IS 'time in stage of a stage_history as of a time, with stale deals: the same result as the two-level stage_times(stage_path(...), stages, as_of, stale_after); NULL history gives NULL, NULL as_of or stale_after is an error as in the aggregate';
-- @end

------------------------------------------------------------------------------
-- revenue family (issue 13): new objects, the same file as the install script
------------------------------------------------------------------------------
-- @include sql/install/revenue.sql

------------------------------------------------------------------------------
-- leads and targets families (issue 14): new in 0.2.0
------------------------------------------------------------------------------
-- @include sql/install/leads.sql
-- @include sql/install/targets.sql

------------------------------------------------------------------------------
-- models family (issue 15): predictive CLV, new
------------------------------------------------------------------------------
-- @include sql/install/models.sql

------------------------------------------------------------------------------
-- reporting forms (issue 11): kpis(s) records and the casts to json/jsonb, new
------------------------------------------------------------------------------
-- @include sql/install/report.sql

------------------------------------------------------------------------------
-- equality of our types (issue 11): = and <>, hash operator classes, new
------------------------------------------------------------------------------
-- @include sql/install/operators.sql
