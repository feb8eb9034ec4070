------------------------------------------------------------------------------
-- leads family (issue 14): activity_summary (reach ratio, activity funnel,
-- calls / e-mails / meetings), response_time (SLA share, average, median,
-- p90), lead_velocity_rate, revenue_per_lead                  (src/leads/)
-- New in 0.2.0: the upgrade script includes this file as it is.
------------------------------------------------------------------------------

-- activity_summary: counters of activity rows
-- @type activity_summary plain 'summary of activity rows: calls, e-mails, meetings, other activities and the outbound funnel attempts -> connected -> conversations -> leads; read with accessors, merge with rollup()'

CREATE FUNCTION activity_summary_accum(activity_summary, pg_catalog.text, pg_catalog.text) RETURNS activity_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_summary_accum_inv(activity_summary, pg_catalog.text, pg_catalog.text) RETURNS activity_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_summary_combine(activity_summary, activity_summary) RETURNS activity_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_summary_combine_inv(activity_summary, activity_summary) RETURNS activity_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION activity_summary_accum(activity_summary, pg_catalog.text, pg_catalog.text) IS 'transition function of activity_summary(activity_type, outcome): adds one activity row';
COMMENT ON FUNCTION activity_summary_accum_inv(activity_summary, pg_catalog.text, pg_catalog.text) IS 'inverse transition of activity_summary(activity_type, outcome): removes one activity row (moving windows)';
COMMENT ON FUNCTION activity_summary_combine(activity_summary, activity_summary) IS 'merges two activity summaries (combine function and rollup transition)';
COMMENT ON FUNCTION activity_summary_combine_inv(activity_summary, activity_summary) IS 'removes a merged activity summary (rollup over moving windows); NULL when it is not a part';
CREATE AGGREGATE activity_summary(activity_type pg_catalog.text, outcome pg_catalog.text) (
    sfunc = activity_summary_accum, stype = activity_summary, combinefunc = activity_summary_combine,
    msfunc = activity_summary_accum, minvfunc = activity_summary_accum_inv, mstype = activity_summary,
    parallel = safe);
COMMENT ON AGGREGATE activity_summary(pg_catalog.text, pg_catalog.text) IS 'activity summary of activity rows: type call, email/e-mail, meeting or other (NULL type: row ignored); outcome of calls and e-mails NULL/none/no_answer, connected, conversation or lead (each implies the ones before; anything else is an error)';
CREATE AGGREGATE rollup(activity_summary) (
    sfunc = activity_summary_combine, stype = activity_summary, combinefunc = activity_summary_combine,
    msfunc = activity_summary_combine, minvfunc = activity_summary_combine_inv, mstype = activity_summary,
    parallel = safe);
COMMENT ON AGGREGATE rollup(activity_summary) IS 'merges activity summaries exactly (e.g. per-rep summaries into the team benchmark)';

-- @foreach F = attempts | calls | emails | meetings | other_activities | connected | conversations | leads
-- @and C = outbound attempts: calls + e-mails | activities of type call | activities of type email or e-mail | activities of type meeting | activities of another type (outside the funnel) | attempts that reached someone (outcome connected, conversation or lead) | attempts that reached a decision maker (outcome conversation or lead) | attempts that produced a lead (outcome lead)
CREATE FUNCTION @F@(activity_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'activity_summary_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(activity_summary) IS '@C@';
-- @end
-- @foreach F = reach_ratio | connect_rate | lead_rate | conversation_lead_rate | call_share
-- @and C = contact / reach ratio: conversations / attempts; NULL without attempts | connected / attempts; NULL without attempts | leads / attempts; NULL without attempts | leads / conversations; NULL without conversations | calls versus e-mails: calls / (calls + e-mails); NULL without attempts
CREATE FUNCTION @F@(activity_summary) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'activity_summary_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(activity_summary) IS '@C@';
-- @end
CREATE FUNCTION activity_funnel(summary activity_summary, targets pg_catalog.float8[] DEFAULT NULL,
    OUT step pg_catalog.text, OUT "position" pg_catalog.int4, OUT count pg_catalog.int8,
    OUT step_rate pg_catalog.float8, OUT cumulative_rate pg_catalog.float8, OUT target_rate pg_catalog.float8)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'activity_summary_funnel' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 3;
COMMENT ON FUNCTION activity_funnel(activity_summary, pg_catalog.float8[]) IS 'the activity funnel as rows attempts, conversations, leads: count, step_rate (count / the step before), cumulative_rate (count / attempts) and target_rate from targets = ARRAY[conversations per attempt, leads per attempt] (e.g. ARRAY[0.30, 0.05]); no rows for a NULL summary';

-- response_time: lead created -> first response, against an SLA
-- @type response_time extended 'response time of leads: leads, answered, within the SLA (unanswered = a miss), exact total, exact response times up to 32 and a histogram beyond (within 1/128) for median and percentiles; merge with rollup()'

CREATE FUNCTION response_time_combine(response_time, response_time) RETURNS response_time
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION response_time_final(response_time) RETURNS response_time
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION response_time_combine(response_time, response_time) IS 'merges two response-time summaries exactly (combine function and rollup transition); their SLA and time type must match';
COMMENT ON FUNCTION response_time_final(response_time) IS 'final function of response_time(): the summary; warns once per result when rows were skipped';
-- @foreach T = timestamptz | timestamp | date
-- @and TS = tz | ts | date
CREATE FUNCTION response_time_accum(response_time, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.interval) RETURNS response_time
    AS 'MODULE_PATHNAME', 'response_time_accum_@TS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION response_time_accum(response_time, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.interval) IS 'transition function of response_time(created, responded, sla): adds one lead';
CREATE AGGREGATE response_time(created pg_catalog.@T@, responded pg_catalog.@T@, sla pg_catalog.interval) (
    sfunc = response_time_accum, stype = response_time, combinefunc = response_time_combine,
    finalfunc = response_time_final, parallel = safe);
COMMENT ON AGGREGATE response_time(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.interval) IS 'response-time summary of lead rows: created (NULL: row ignored), responded (NULL: unanswered, a miss), sla (a positive interval, the same for every row); responded before created is an error (or skipped and counted with sales_kpi.invalid_rows = skip)';
-- @end
CREATE AGGREGATE rollup(response_time) (
    sfunc = response_time_combine, stype = response_time, combinefunc = response_time_combine, parallel = safe);
COMMENT ON AGGREGATE rollup(response_time) IS 'merges response-time summaries exactly (e.g. per source into per rep, or the team benchmark); SLA and time type must match';

-- @foreach F = leads | answered_leads | unanswered_leads | within_sla | skipped_rows
-- @and SYM = leads | answered | unanswered | within_sla | skipped_rows
-- @and C = leads in the summary (rows with a created time) | leads with a response | leads without a response (misses of the SLA) | leads answered within the SLA (response time <= sla) | leads answered before they were created, left out (sales_kpi.invalid_rows = skip); 0 otherwise
CREATE FUNCTION @F@(response_time) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'response_time_@SYM@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(response_time) IS '@C@';
-- @end
-- @foreach F = sla_share | avg_response_days | median_response_days
-- @and SYM = sla_share | avg_days | median_days
-- @and C = share of leads answered within the SLA: within_sla / leads (unanswered = a miss); NULL without leads | average response time in days over answered leads (exact total); NULL when none | median response time in days over answered leads, as percentile_cont(0.5): exact up to 32 answered leads, else within 1/128; NULL when none
CREATE FUNCTION @F@(response_time) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'response_time_@SYM@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(response_time) IS '@C@';
-- @end
CREATE FUNCTION response_percentile_days(response_time, fraction pg_catalog.float8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'response_time_percentile_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION response_percentile_days(response_time, pg_catalog.float8) IS 'percentile (fraction 0..1, as percentile_cont) of the answered leads'' response times in days, e.g. 0.9 for p90: exact up to 32 answered leads, else within 1/128; NULL when none';
CREATE FUNCTION sla(response_time) RETURNS pg_catalog.interval
    AS 'MODULE_PATHNAME', 'response_time_sla' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sla(response_time) IS 'the SLA of the summary as an interval (of microseconds: a month counts 30 days)';

-- lead velocity rate
CREATE FUNCTION lead_velocity_rate(current_period pg_catalog.int8, previous_period pg_catalog.int8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'lead_velocity_rate_counts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lead_velocity_rate(pg_catalog.int8, pg_catalog.int8) IS 'lead velocity rate from counts: (current - previous) / previous; NULL when previous = 0';
CREATE FUNCTION lead_velocity_combine(pg_catalog.int8[], pg_catalog.int8[]) RETURNS pg_catalog.int8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION lead_velocity_final(pg_catalog.int8[]) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lead_velocity_combine(pg_catalog.int8[], pg_catalog.int8[]) IS 'combine function of lead_velocity_rate(qualified_at, period, period_end): adds the counts; period and end must match';
COMMENT ON FUNCTION lead_velocity_final(pg_catalog.int8[]) IS 'final function of lead_velocity_rate(qualified_at, period, period_end): (current - previous) / previous; NULL when previous = 0';
-- @foreach T = timestamptz | timestamp | date
-- @and TS = tz | ts | date
CREATE FUNCTION lead_velocity_accum(pg_catalog.int8[], pg_catalog.@T@, pg_catalog.interval, pg_catalog.@T@) RETURNS pg_catalog.int8[]
    AS 'MODULE_PATHNAME', 'lead_velocity_accum_@TS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION lead_velocity_accum_inv(pg_catalog.int8[], pg_catalog.@T@, pg_catalog.interval, pg_catalog.@T@) RETURNS pg_catalog.int8[]
    AS 'MODULE_PATHNAME', 'lead_velocity_accum_@TS@_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION lead_velocity_accum(pg_catalog.int8[], pg_catalog.@T@, pg_catalog.interval, pg_catalog.@T@) IS 'transition function of lead_velocity_rate(qualified_at, period, period_end); state {kind, end, months, days, usecs, current start, previous start, current, previous}';
COMMENT ON FUNCTION lead_velocity_accum_inv(pg_catalog.int8[], pg_catalog.@T@, pg_catalog.interval, pg_catalog.@T@) IS 'inverse transition of lead_velocity_rate(qualified_at, period, period_end) for moving windows';
CREATE AGGREGATE lead_velocity_rate(qualified_at pg_catalog.@T@, period pg_catalog.interval, period_end pg_catalog.@T@) (
    sfunc = lead_velocity_accum, stype = pg_catalog.int8[], initcond = '{0,0,0,0,0,0,0,0,0}',
    combinefunc = lead_velocity_combine, finalfunc = lead_velocity_final,
    msfunc = lead_velocity_accum, minvfunc = lead_velocity_accum_inv, mstype = pg_catalog.int8[],
    minitcond = '{0,0,0,0,0,0,0,0,0}', mfinalfunc = lead_velocity_final,
    parallel = safe);
COMMENT ON AGGREGATE lead_velocity_rate(pg_catalog.@T@, pg_catalog.interval, pg_catalog.@T@) IS 'lead velocity rate: (qualified in [end - period, end) - qualified in [end - 2 period, end - period)) / the latter; NULL when the previous period has none; NULL qualified_at ignored, period and end constant';
-- @end

CREATE FUNCTION revenue_per_lead(revenue pg_catalog.numeric, leads pg_catalog.int8) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'revenue_per_lead' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_per_lead(pg_catalog.numeric, pg_catalog.int8) IS 'revenue per lead: revenue / leads, exact as numeric avg divides; NULL when leads = 0';

-- follow-up per lead: lead_followup per lead (GROUP BY lead id), then followup_summary across leads
-- @type lead_followup extended 'follow-up of one lead: its created time, its activities at or after it (time, contacted) sorted, and the activities before it; build per lead, summarise with followup_summary()'
-- @type followup_summary plain 'follow-up across leads: leads followed up and contacted, exact sums of attempts until contact and of the delays to the first attempt and contact, and the distributions of unanswered attempts and of attempts per day; merge with rollup()'

CREATE FUNCTION lead_followup_combine(lead_followup, lead_followup) RETURNS lead_followup
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION lead_followup_combine(lead_followup, lead_followup) IS 'combine function of lead_followup(): merges partial states of one lead (the created times must match)';
-- @foreach T = timestamptz | timestamp | date
-- @and TS = tz | ts | date
CREATE FUNCTION lead_followup_accum(lead_followup, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool) RETURNS lead_followup
    AS 'MODULE_PATHNAME', 'lead_followup_accum_@TS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION lead_followup_accum(lead_followup, pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool) IS 'transition function of lead_followup(created, activity_at, contacted): adds one activity of the group''s lead';
CREATE AGGREGATE lead_followup(created pg_catalog.@T@, activity_at pg_catalog.@T@, contacted pg_catalog.bool) (
    sfunc = lead_followup_accum, stype = lead_followup, combinefunc = lead_followup_combine, parallel = safe);
COMMENT ON AGGREGATE lead_followup(pg_catalog.@T@, pg_catalog.@T@, pg_catalog.bool) IS 'follow-up of ONE lead (GROUP BY lead id) from its activity rows joined to it: created (NULL: row ignored; the same on every row), activity_at (NULL: no activity, e.g. LEFT JOIN), contacted (NULL = false); activities before created are counted as prior, not as attempts';
-- @end
-- @foreach F = attempts | attempts_to_contact | max_attempts_per_day
-- @and SYM = attempts | attempts_to_contact | max_per_day
-- @and C = the lead''s follow-up attempts: its activities at or after created | attempts until the first contact: 1 + the attempts strictly before the first contacted one; NULL when never contacted | the most attempts on one calendar day (UTC days for timestamptz)
CREATE FUNCTION @F@(lead_followup) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'lead_followup_@SYM@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(lead_followup) IS '@C@';
-- @end

CREATE FUNCTION followup_summary_accum(followup_summary, lead_followup) RETURNS followup_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION followup_summary_combine(followup_summary, followup_summary) RETURNS followup_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION followup_summary_combine_inv(followup_summary, followup_summary) RETURNS followup_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION followup_summary_accum(followup_summary, lead_followup) IS 'transition function of followup_summary(lead_followup): adds one lead';
COMMENT ON FUNCTION followup_summary_combine(followup_summary, followup_summary) IS 'merges two follow-up summaries exactly (combine function and rollup transition)';
COMMENT ON FUNCTION followup_summary_combine_inv(followup_summary, followup_summary) IS 'removes a merged follow-up summary (rollup over moving windows); NULL when it is not a part';
CREATE AGGREGATE followup_summary(lead_followup) (
    sfunc = followup_summary_accum, stype = followup_summary, combinefunc = followup_summary_combine, parallel = safe);
COMMENT ON AGGREGATE followup_summary(lead_followup) IS 'follow-up across leads from their per-lead lead_followup values (NULL ignored)';
CREATE AGGREGATE rollup(followup_summary) (
    sfunc = followup_summary_combine, stype = followup_summary, combinefunc = followup_summary_combine,
    msfunc = followup_summary_combine, minvfunc = followup_summary_combine_inv, mstype = followup_summary,
    parallel = safe);
COMMENT ON AGGREGATE rollup(followup_summary) IS 'merges follow-up summaries exactly (e.g. per rep into the team benchmark)';
-- @foreach F = leads | followed_up_leads | contacted_leads | prior_activities
-- @and SYM = leads | followed_up | contacted | prior
-- @and C = leads in the follow-up summary | leads with at least one attempt | leads with at least one contact | activities before their lead was created (not attempts)
CREATE FUNCTION @F@(followup_summary) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'followup_summary_@SYM@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(followup_summary) IS '@C@';
-- @end
-- @foreach F = never_followed_up_share | avg_attempts_to_contact | avg_days_to_first_attempt | avg_days_to_first_contact
-- @and SYM = never_share | avg_attempts | avg_first_attempt | avg_first_contact
-- @and C = share of leads never followed up (no attempt); NULL without leads | average attempts until the first contact over contacted leads; NULL when none | average days from lead created to the first attempt over followed-up leads; NULL when none | average days from lead created to the first contact over contacted leads; NULL when none
CREATE FUNCTION @F@(followup_summary) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'followup_summary_@SYM@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(followup_summary) IS '@C@';
-- @end
CREATE FUNCTION abandoned_leads(followup_summary, max_attempts pg_catalog.int4) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'followup_summary_abandoned' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION abandoned_share(followup_summary, max_attempts pg_catalog.int4) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'followup_summary_abandoned_share' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION over_contacted_leads(followup_summary, max_per_day pg_catalog.int4 DEFAULT 4) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'followup_summary_over_contacted' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION abandoned_leads(followup_summary, pg_catalog.int4) IS 'leads abandoned after at most max_attempts (1..31) unanswered attempts: followed up but never contacted, with 1 to max_attempts attempts';
COMMENT ON FUNCTION abandoned_share(followup_summary, pg_catalog.int4) IS 'abandoned_leads(summary, max_attempts) / leads; NULL without leads';
COMMENT ON FUNCTION over_contacted_leads(followup_summary, pg_catalog.int4) IS 'leads with more than max_per_day (1..31, default 4) attempts on one calendar day (UTC days for timestamptz)';
