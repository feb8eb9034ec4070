
------------------------------------------------------------------------------
-- stages family: stage_path per deal, stage_funnel and stage_times across
-- deals, the one-level stage_history, and their readers   (src/stages/)
------------------------------------------------------------------------------

-- stage_path: one deal's events, the inner level of the two-level form
-- @type stage_path extended 'one deal''s stage history as (stage position, time) events, compact; input of stage_funnel()'

CREATE FUNCTION stage_path_combine(stage_path, stage_path) RETURNS stage_path
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stage_path_final(stage_path) RETURNS stage_path
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_path_combine(stage_path, stage_path) IS 'combine function of stage_path(): concatenates partial paths of one deal';
COMMENT ON FUNCTION stage_path_final(stage_path) IS 'final function of stage_path(): sorts events by (time, funnel position)';
-- @foreach T = timestamptz | timestamp | date
-- @and SFX = _tz | | _date
CREATE FUNCTION stage_path_accum(stage_path, pg_catalog.text, pg_catalog.@T@, pg_catalog.text[]) RETURNS stage_path
    AS 'MODULE_PATHNAME', 'stage_path_accum@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_path_accum(stage_path, pg_catalog.text, pg_catalog.@T@, pg_catalog.text[]) IS 'transition function of stage_path(): adds one stage event';
CREATE AGGREGATE stage_path(stage pg_catalog.text, entered_at pg_catalog.@T@, stages pg_catalog.text[]) (
    sfunc = stage_path_accum, stype = stage_path, combinefunc = stage_path_combine,
    finalfunc = stage_path_final, parallel = safe);
COMMENT ON AGGREGATE stage_path(pg_catalog.text, pg_catalog.@T@, pg_catalog.text[]) IS 'one deal''s path through the stage list from its stage-history rows (GROUP BY deal id); events with NULL stage or time ignored';
-- @end

-- stage_funnel: deals reaching each stage, in one of three counting modes
-- @type stage_funnel extended 'stage funnel: stage names, counting mode, deals reaching each stage; read with stage_conversion()'

CREATE FUNCTION stage_funnel_combine(stage_funnel, stage_funnel) RETURNS stage_funnel
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_funnel_combine(stage_funnel, stage_funnel) IS 'merges two funnels of the same stages and mode (combine function and rollup transition)';
-- @foreach IN = stage_path | pg_catalog.text
-- @and ARG = path | stage
-- @and KIND = path | stage
-- @and SHOWN = stage_path | pg_catalog.text
-- @and WHAT1 = counts one deal (mode implied) | counts one deal at its furthest stage (mode implied)
-- @and WHAT2 = counts one deal | counts one deal at its stage
-- @and AGG1 = funnel over per-deal stage paths, mode implied | funnel over a deals table, one row per deal at its furthest stage, mode implied
-- @and AGG2 = funnel over per-deal stage paths; mode implied, entered or ordered | funnel over a deals table, one row per deal at its stage; mode implied or entered
CREATE FUNCTION stage_funnel_@KIND@_accum(stage_funnel, @IN@, pg_catalog.text[]) RETURNS stage_funnel
    AS 'MODULE_PATHNAME', 'stage_funnel_@KIND@_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stage_funnel_@KIND@_accum(stage_funnel, @IN@, pg_catalog.text[], pg_catalog.text) RETURNS stage_funnel
    AS 'MODULE_PATHNAME', 'stage_funnel_@KIND@_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_funnel_@KIND@_accum(stage_funnel, @SHOWN@, pg_catalog.text[]) IS 'transition function of stage_funnel(@ARG@, stages): @WHAT1@';
COMMENT ON FUNCTION stage_funnel_@KIND@_accum(stage_funnel, @SHOWN@, pg_catalog.text[], pg_catalog.text) IS 'transition function of stage_funnel(@ARG@, stages, mode): @WHAT2@';
CREATE AGGREGATE stage_funnel(@ARG@ @IN@, stages pg_catalog.text[]) (
    sfunc = stage_funnel_@KIND@_accum, stype = stage_funnel, combinefunc = stage_funnel_combine, parallel = safe);
CREATE AGGREGATE stage_funnel(@ARG@ @IN@, stages pg_catalog.text[], mode pg_catalog.text) (
    sfunc = stage_funnel_@KIND@_accum, stype = stage_funnel, combinefunc = stage_funnel_combine, parallel = safe);
COMMENT ON AGGREGATE stage_funnel(@SHOWN@, pg_catalog.text[]) IS '@AGG1@';
COMMENT ON AGGREGATE stage_funnel(@SHOWN@, pg_catalog.text[], pg_catalog.text) IS '@AGG2@';
-- @end
CREATE AGGREGATE rollup(stage_funnel) (
    sfunc = stage_funnel_combine, stype = stage_funnel, combinefunc = stage_funnel_combine, parallel = safe);
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
CREATE FUNCTION win_probability(funnel stage_funnel, stage pg_catalog.text) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'stage_funnel_win_probability' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_conversion(stage_funnel, pg_catalog.text, pg_catalog.text) IS 'conversion between two stages: reached(to_stage) / reached(from_stage); NULL when reached(from_stage) = 0';
COMMENT ON FUNCTION stage_conversion(stage_funnel) IS 'the funnel as rows: stage, position, reached, step_rate (reached(k)/reached(k-1)), cumulative_rate (reached(k)/reached(1)), win_probability (deals counted for k that entered the last stage / reached(k))';
COMMENT ON FUNCTION win_probability(stage_funnel, pg_catalog.text) IS 'win probability by stage: P(entered the last stage of the list | counted for this stage), a probability in every mode; NULL when no deal reached it, or for a version-1 funnel of mode entered (it lacks the count)';
COMMENT ON FUNCTION reached(stage_funnel, pg_catalog.text) IS 'number of deals that reached the stage (per the funnel''s mode)';
COMMENT ON FUNCTION deals(stage_funnel) IS 'number of deals counted into the funnel, including those outside it';
COMMENT ON FUNCTION outside_deals(stage_funnel) IS 'number of deals that entered no stage of the list (e.g. only ''closed lost'')';
CREATE FUNCTION funnel_level(path stage_path, stages pg_catalog.text[]) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'stage_funnel_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_level(path stage_path, stages pg_catalog.text[], mode pg_catalog.text) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'stage_funnel_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_level(stage_path, pg_catalog.text[]) IS 'a deal''s funnel level (mode implied): the number of its furthest stage of the list, 0 when none; the deals with level >= k are reached(k) of stage_funnel()';
COMMENT ON FUNCTION funnel_level(stage_path, pg_catalog.text[], pg_catalog.text) IS 'a deal''s funnel level in mode implied or ordered (the number of the furthest stage it counts for: the deals with level >= k are reached(k) of stage_funnel()) or entered (the number of its furthest stage entered); 0 when none';

-- time in stage: stage_times across per-deal paths
-- @type stage_times extended 'time in stage across deals: per stage visits, exited deals (with closed visits) with their total closed time, exact per-deal totals up to 32 per stage and a histogram beyond (within 1/128) for the median, deals currently in it with the age of their visit at as_of; read with time_in_stage() or stage_report()'

CREATE FUNCTION stage_times_combine(stage_times, stage_times) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_combine(stage_times, stage_times) IS 'merges two stage_times of the same stages, as_of and stale_after (combine function and rollup transition)';
CREATE FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[]) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[]) IS 'transition function of stage_times(path, stages): counts one deal''s visits (no as_of)';
CREATE AGGREGATE stage_times(path stage_path, stages pg_catalog.text[]) (
    sfunc = stage_times_accum, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE stage_times(stage_path, pg_catalog.text[]) IS 'time in stage over per-deal stage paths, without as_of: open visits are counted as current deals, their age is not measured';
-- @foreach T = timestamptz | timestamp | date
-- @and SFX = _tz | _ts | _date
CREATE FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.@T@) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_accum@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.@T@) IS 'transition function of stage_times(path, stages, as_of): counts one deal''s visits up to as_of';
CREATE AGGREGATE stage_times(path stage_path, stages pg_catalog.text[], as_of pg_catalog.@T@) (
    sfunc = stage_times_accum, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE stage_times(stage_path, pg_catalog.text[], pg_catalog.@T@) IS 'time in stage over per-deal stage paths as of a time: events after as_of ignored, open visits measured to as_of';
CREATE FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.@T@, pg_catalog.interval) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_times_accum@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_times_accum(stage_times, stage_path, pg_catalog.text[], pg_catalog.@T@, pg_catalog.interval) IS 'transition function of stage_times(path, stages, as_of, stale_after): counts one deal''s visits up to as_of';
CREATE AGGREGATE stage_times(path stage_path, stages pg_catalog.text[], as_of pg_catalog.@T@, stale_after pg_catalog.interval) (
    sfunc = stage_times_accum, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE stage_times(stage_path, pg_catalog.text[], pg_catalog.@T@, pg_catalog.interval) IS 'time in stage over per-deal stage paths as of a time: events after as_of ignored, open visits measured to as_of and counted stale when older than stale_after';
-- @end
CREATE AGGREGATE rollup(stage_times) (
    sfunc = stage_times_combine, stype = stage_times, combinefunc = stage_times_combine, parallel = safe);
COMMENT ON AGGREGATE rollup(stage_times) IS 'merges stage_times of the same stages, as_of and stale_after; medians stay those of all deals';

CREATE FUNCTION time_in_stage(times stage_times,
    OUT stage pg_catalog.text, OUT "position" pg_catalog.int4, OUT visits pg_catalog.int8,
    OUT exited_deals pg_catalog.int8, OUT avg_days pg_catalog.float8, OUT median_days pg_catalog.float8,
    OUT current_deals pg_catalog.int8, OUT avg_current_days pg_catalog.float8, OUT stale_deals pg_catalog.int8)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'stage_times_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION time_in_stage(stage_times) IS 'time in stage as rows: visits, exited_deals (deals with closed visits, also when back in the stage now) with avg_days and median_days of their total closed time, current_deals with avg_current_days (age at as_of), stale_deals';
CREATE FUNCTION stage_report(funnel stage_funnel, times stage_times,
    OUT stage pg_catalog.text, OUT "position" pg_catalog.int4, OUT reached pg_catalog.int8,
    OUT step_rate pg_catalog.float8, OUT cumulative_rate pg_catalog.float8, OUT win_probability pg_catalog.float8,
    OUT visits pg_catalog.int8, OUT exited_deals pg_catalog.int8, OUT avg_days pg_catalog.float8,
    OUT median_days pg_catalog.float8, OUT current_deals pg_catalog.int8, OUT avg_current_days pg_catalog.float8,
    OUT stale_deals pg_catalog.int8)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'stage_report_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION stage_report(stage_funnel, stage_times) IS 'funnel and time in stage of the same stage list as one row per stage';
-- @foreach F = visits | exited_deals | current_deals | stale_deals
-- @and SYM = visits | exited | current | stale
-- @and C = number of visits to the stage (a visit is a maximal run of the stage in a deals history; re-entries are new visits), including open ones | number of deals with closed visits to the stage (a deal back in it now counts too) | number of deals whose open (last) visit is in the stage | number of deals in the stage whose open visit is older than stale_after; NULL without stale_after
CREATE FUNCTION @F@(times stage_times, stage pg_catalog.text) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_times_@SYM@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(stage_times, pg_catalog.text) IS '@C@';
-- @end
-- @foreach F = avg_days | median_days | avg_current_days
-- @and SYM = avg_days | median_days | current_days
-- @and C = average total days of closed visits to the stage (re-entries add up) per deal with closed visits; NULL when none | median total days of closed visits to the stage per deal with closed visits: exact while the stage has at most 32, else within 1/128; NULL when none | average age in days at as_of of the open visits in the stage; NULL without as_of or when no deal is in it
CREATE FUNCTION @F@(times stage_times, stage pg_catalog.text) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'stage_times_@SYM@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(stage_times, pg_catalog.text) IS '@C@';
-- @end
CREATE FUNCTION percentile_days(times stage_times, stage pg_catalog.text, fraction pg_catalog.float8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'stage_times_percentile_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION percentile_days(stage_times, pg_catalog.text, pg_catalog.float8) IS 'percentile (fraction 0..1, as percentile_cont) of the total days of closed visits to the stage per deal with closed visits: exact while the stage has at most 32, else within 1/128; fraction 0.5 is median_days; NULL when none';
-- @foreach F = deals | outside_deals
-- @and SYM = deals | outside
-- @and C = number of deals with an event at or before as_of, including those outside the stage list | number of deals that entered no stage of the list by as_of
CREATE FUNCTION @F@(times stage_times) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_times_@SYM@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(stage_times) IS '@C@';
-- @end

-- one-level form: stage_history over the raw stage-history rows
-- @type stage_history extended 'the stage events of many deals (deal id, stage position, time), for the one-level form: read with stage_funnel(history) and stage_times(history); grows with the input (limit 1 GB)'
CREATE FUNCTION stage_history_combine(stage_history, stage_history) RETURNS stage_history
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_combine(stage_history, stage_history) IS 'combine function of stage_history(): concatenates the events of two partial states';
CREATE FUNCTION stage_history_final(stage_history) RETURNS stage_history
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_final(stage_history) IS 'final function of stage_history(): a compact copy of the state';
-- @foreach ID = int8 | text
-- @and IDS = int | text
-- @and IDN = bigint | text
-- @foreach T = timestamptz | timestamp | date
-- @and SFX = _tz | _ts | _date
CREATE FUNCTION stage_history_accum(stage_history, pg_catalog.@ID@, pg_catalog.text, pg_catalog.@T@, pg_catalog.text[]) RETURNS stage_history
    AS 'MODULE_PATHNAME', 'stage_history_accum_@IDS@@SFX@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stage_history_accum(stage_history, pg_catalog.@ID@, pg_catalog.text, pg_catalog.@T@, pg_catalog.text[]) IS 'transition function of stage_history(): adds one stage event';
CREATE AGGREGATE stage_history(deal_id pg_catalog.@ID@, stage pg_catalog.text, entered_at pg_catalog.@T@, stages pg_catalog.text[]) (
    sfunc = stage_history_accum, stype = stage_history, combinefunc = stage_history_combine,
    finalfunc = stage_history_final, parallel = safe);
COMMENT ON AGGREGATE stage_history(pg_catalog.@ID@, pg_catalog.text, pg_catalog.@T@, pg_catalog.text[]) IS 'one-level form: collects the stage-history rows of many deals (@IDN@ ids), grouped by deal internally when read with stage_funnel() or stage_times(); events with a NULL deal, stage or time ignored';
-- @end
-- @end
CREATE FUNCTION stage_funnel(history stage_history) RETURNS stage_funnel
    AS 'MODULE_PATHNAME', 'stage_history_funnel' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stage_funnel(history stage_history, mode pg_catalog.text) RETURNS stage_funnel
    AS 'MODULE_PATHNAME', 'stage_history_funnel' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_funnel(stage_history) IS 'funnel (mode implied) of a stage_history, deal by deal: the same result as the two-level stage_funnel(stage_path(...))';
COMMENT ON FUNCTION stage_funnel(stage_history, pg_catalog.text) IS 'funnel of a stage_history in mode implied, entered or ordered: the same result as the two-level stage_funnel(stage_path(...), stages, mode)';
CREATE FUNCTION events(history stage_history) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'stage_history_events' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION events(stage_history) IS 'number of stage events held (rows with a deal, stage and time)';
CREATE FUNCTION stage_times(history stage_history) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_history_times' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stage_times(stage_history) IS 'time in stage of a stage_history without as_of: the same result as the two-level stage_times(stage_path(...), stages)';
-- @foreach T = timestamptz | timestamp | date
-- @and SFX = _tz | _ts | _date
CREATE FUNCTION stage_times(history stage_history, as_of pg_catalog.@T@) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_history_times@SFX@' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION stage_times(history stage_history, as_of pg_catalog.@T@, stale_after pg_catalog.interval) RETURNS stage_times
    AS 'MODULE_PATHNAME', 'stage_history_times@SFX@' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION stage_times(stage_history, pg_catalog.@T@) IS 'time in stage of a stage_history as of a time: the same result as the two-level stage_times(stage_path(...), stages, as_of); NULL history gives NULL, NULL as_of is an error as in the aggregate';
COMMENT ON FUNCTION stage_times(stage_history, pg_catalog.@T@, pg_catalog.interval) IS 'time in stage of a stage_history as of a time, with stale deals: the same result as the two-level stage_times(stage_path(...), stages, as_of, stale_after); NULL history gives NULL, NULL as_of or stale_after is an error as in the aggregate';
-- @end
