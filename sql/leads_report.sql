-- kpis(s) and the JSON form (s::json, s::jsonb) of the leads family's
-- summaries (issue 11 item 11 for issue 14's types): activity_summary,
-- response_time, lead_followup, followup_summary.  The reference for every
-- column is the accessor of the same name called on its own (for the
-- activity funnel: the rows of activity_funnel()); random dirty data.
SET extra_float_digits = 0;
SELECT setseed(0.1111);

-- activity_summary per rep and week: dirty types and outcomes
CREATE TEMP TABLE lr_act AS
SELECT 1 + (random() * 5)::int AS rep,
       date_trunc('week', timestamptz '2026-01-01 00:00+00' + random() * interval '60 days', 'UTC') AS wk,
       (ARRAY['call', 'email', 'E-Mail', 'meeting', 'sms', NULL])[1 + (random() * 5)::int] AS t,
       (ARRAY[NULL, 'none', 'no_answer', 'connected', 'conversation', 'LEAD'])[1 + (random() * 5)::int] AS o
FROM generate_series(1, 5000);
CREATE TEMP TABLE lr_as AS
SELECT rep, wk, activity_summary(t, o) AS s FROM lr_act GROUP BY 1, 2
UNION ALL SELECT 0, NULL, activity_summary(t, o) FROM lr_act WHERE t = 'meeting';  -- no attempts: ratios NULL
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (k).attempts = attempts(s) AND (k).calls = calls(s) AND (k).emails = emails(s)
           AND (k).meetings = meetings(s) AND (k).other_activities = other_activities(s)
           AND (k).connected = connected(s) AND (k).conversations = conversations(s) AND (k).leads = leads(s)
           AND (k).reach_ratio IS NOT DISTINCT FROM reach_ratio(s) AND (k).connect_rate IS NOT DISTINCT FROM connect_rate(s)
           AND (k).lead_rate IS NOT DISTINCT FROM lead_rate(s)
           AND (k).conversation_lead_rate IS NOT DISTINCT FROM conversation_lead_rate(s)
           AND (k).call_share IS NOT DISTINCT FROM call_share(s)
           AND (k).funnel = (SELECT array_agg(ROW(f.step, f.position, f.count, f.step_rate, f.cumulative_rate)::activity_funnel_step
                                              ORDER BY f.position) FROM activity_funnel(s) f)) AS equal,
       count(*) FILTER (WHERE (k).reach_ratio IS NULL) AS without_attempts
FROM (SELECT s, kpis(s) AS k FROM lr_as) x;
-- by hand: the seed's 100 calls -> 30 conversations -> 5 leads
SELECT (kpis(s)).*
FROM (SELECT activity_summary('call', CASE WHEN i <= 5 THEN 'lead' WHEN i <= 30 THEN 'conversation'
                                           WHEN i <= 40 THEN 'connected' END) s
      FROM generate_series(1, 100) i) x;
SELECT s::json
FROM (SELECT activity_summary('call', CASE WHEN i <= 5 THEN 'lead' WHEN i <= 30 THEN 'conversation' END) s
      FROM generate_series(1, 100) i) x;

-- response_time per rep: unanswered leads, NULL created (ignored), more
-- than 32 answered (histogram) and a few (exact), responses before the lead
-- (skipped and counted)
CREATE TEMP TABLE lr_leads AS
SELECT 1 + (random() * 3)::int AS rep, c AS created,
       CASE WHEN random() < 0.2 THEN NULL ELSE c + random() * interval '5 days' - interval '2 hours' END AS responded
FROM (SELECT CASE WHEN random() < 0.05 THEN NULL
                  ELSE timestamptz '2026-01-01 00:00+00' + random() * interval '90 days' END AS c
      FROM generate_series(1, 3000)) g;
INSERT INTO lr_leads SELECT 9, timestamptz '2026-02-01 00:00+00', timestamptz '2026-02-01 00:00+00' + i * interval '7 hours'
FROM generate_series(1, 5) i;
SET sales_kpi.invalid_rows = skip;
CREATE TEMP TABLE lr_rt AS
SELECT rep, response_time(created, responded, interval '1 day') AS s FROM lr_leads GROUP BY rep;
RESET sales_kpi.invalid_rows;
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (k).leads = leads(s) AND (k).answered_leads = answered_leads(s)
           AND (k).unanswered_leads = unanswered_leads(s) AND (k).within_sla = within_sla(s) AND (k).sla = sla(s)
           AND (k).sla_share IS NOT DISTINCT FROM sla_share(s)
           AND (k).avg_response_days IS NOT DISTINCT FROM avg_response_days(s)
           AND (k).median_response_days IS NOT DISTINCT FROM median_response_days(s)
           AND (k).p90_response_days IS NOT DISTINCT FROM response_percentile_days(s, 0.9)
           AND (k).skipped_rows = skipped_rows(s)) AS equal,
       sum((k).skipped_rows) > 0 AS some_skipped, bool_or((k).answered_leads <= 32) AS some_exact,
       bool_or((k).answered_leads > 32) AS some_histogram
FROM (SELECT s, kpis(s) AS k FROM lr_rt) x;
-- by hand: rep 9, responses after 7, 14, 21, 28, 35 hours, SLA one day
SELECT (kpis(s)).* FROM lr_rt WHERE rep = 9;
SELECT s::json FROM lr_rt WHERE rep = 9;

-- follow-up: lead_followup per lead (activities before the lead, none at
-- all, never contacted, many on one day), then followup_summary per rep
CREATE TEMP TABLE lr_fu_leads AS
SELECT i AS lead, 1 + i % 4 AS rep, timestamptz '2026-01-01 00:00+00' + random() * interval '30 days' AS created
FROM generate_series(1, 400) i;
CREATE TEMP TABLE lr_fu_acts AS
SELECT l.lead, l.created + (random() * 10 - 1) * interval '1 day' AS at, random() < 0.15 AS contacted
FROM lr_fu_leads l, generate_series(1, (random() * 8)::int)
UNION ALL
SELECT lead, created + i * interval '10 minutes', false FROM lr_fu_leads, generate_series(1, 6) i WHERE lead % 37 = 0;
CREATE TEMP TABLE lr_lf AS
SELECT l.lead, l.rep, lead_followup(l.created, a.at, a.contacted) AS f
FROM lr_fu_leads l LEFT JOIN lr_fu_acts a USING (lead) GROUP BY l.lead, l.rep;
SELECT count(*) AS leads,
       count(*) FILTER (WHERE (k).attempts = attempts(f)
           AND (k).attempts_to_contact IS NOT DISTINCT FROM attempts_to_contact(f)
           AND (k).max_attempts_per_day = max_attempts_per_day(f)) AS equal,
       count(*) FILTER (WHERE (k).attempts_to_contact IS NULL) AS never_contacted,
       count(*) FILTER (WHERE (k).attempts = 0) AS not_followed_up
FROM (SELECT f, kpis(f) AS k FROM lr_lf) x;
CREATE TEMP TABLE lr_fs AS SELECT rep, followup_summary(f) AS s FROM lr_lf GROUP BY rep
UNION ALL SELECT 0, followup_summary(f) FROM lr_lf WHERE attempts(f) = 0;  -- nobody followed up: averages NULL
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (k).leads = leads(s) AND (k).followed_up_leads = followed_up_leads(s)
           AND (k).contacted_leads = contacted_leads(s) AND (k).prior_activities = prior_activities(s)
           AND (k).never_followed_up_share IS NOT DISTINCT FROM never_followed_up_share(s)
           AND (k).avg_attempts_to_contact IS NOT DISTINCT FROM avg_attempts_to_contact(s)
           AND (k).avg_days_to_first_attempt IS NOT DISTINCT FROM avg_days_to_first_attempt(s)
           AND (k).avg_days_to_first_contact IS NOT DISTINCT FROM avg_days_to_first_contact(s)
           AND (k).over_contacted_leads = over_contacted_leads(s)
           AND (k).over_contacted_leads = over_contacted_leads(s, 4)) AS equal,
       sum((k).over_contacted_leads) AS over_contacted, count(*) FILTER (WHERE (k).avg_attempts_to_contact IS NULL) AS none_contacted
FROM (SELECT s, kpis(s) AS k FROM lr_fs) x;
-- and the same counts in plain SQL over all leads
SELECT (kpis(rollup(s))).leads, (kpis(rollup(s))).over_contacted_leads FROM lr_fs WHERE rep > 0;
SELECT count(*) AS leads,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM lr_fu_acts a WHERE a.lead = l.lead AND a.at >= l.created
                                      GROUP BY date_trunc('day', a.at, 'UTC') HAVING count(*) > 4)) AS over_contacted
FROM lr_fu_leads l;

-- the JSON form of all four: a key per column of the composite, the same
-- values (counts keep their digits; floats print as float8 does; the
-- funnel is an array of objects), and json, jsonb, to_json and to_jsonb agree
CREATE TEMP TABLE lr_all AS
SELECT 'activity_summary_kpis' AS typ, s::json AS j, s::jsonb AS jb, to_json(s) AS tj, to_jsonb(s) AS tjb, to_jsonb(kpis(s)) AS ref
FROM lr_as
UNION ALL SELECT 'response_time_kpis', s::json, s::jsonb, to_json(s), to_jsonb(s), to_jsonb(kpis(s)) FROM lr_rt
UNION ALL SELECT 'lead_followup_kpis', f::json, f::jsonb, to_json(f), to_jsonb(f), to_jsonb(kpis(f)) FROM lr_lf
UNION ALL SELECT 'followup_summary_kpis', s::json, s::jsonb, to_json(s), to_jsonb(s), to_jsonb(kpis(s)) FROM lr_fs;
SELECT typ, count(*) AS values,
       count(*) FILTER (WHERE (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(jb) k)
               = (SELECT array_agg(attname::text ORDER BY attname::text) FROM pg_attribute
                  WHERE attrelid = typ::regclass AND attnum > 0)
           AND j::jsonb = jb AND tj::jsonb = jb AND tjb = jb AND jb = ref) AS equal
FROM lr_all GROUP BY typ ORDER BY typ;
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (s::json) ->> 'attempts' = attempts(s)::text
           AND (s::json) ->> 'reach_ratio' IS NOT DISTINCT FROM reach_ratio(s)::text
           AND (s::json) -> 'funnel' -> 2 ->> 'count' = leads(s)::text
           AND (s::json) -> 'funnel' -> 1 ->> 'step_rate' IS NOT DISTINCT FROM
               (SELECT step_rate::text FROM activity_funnel(s) WHERE step = 'conversations')) AS json_text_equal
FROM lr_as;
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (s::json) ->> 'within_sla' = within_sla(s)::text AND (s::json) ->> 'sla' = sla(s)::text
           AND (s::json) ->> 'p90_response_days' IS NOT DISTINCT FROM response_percentile_days(s, 0.9)::text
           AND (s::json) ->> 'avg_response_days' IS NOT DISTINCT FROM avg_response_days(s)::text) AS json_text_equal
FROM lr_rt;
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE (s::json) ->> 'prior_activities' = prior_activities(s)::text
           AND (s::json) ->> 'avg_days_to_first_contact' IS NOT DISTINCT FROM avg_days_to_first_contact(s)::text) AS json_text_equal
FROM lr_fs;
-- a row holding summaries nests their objects
SELECT row_to_json(x) FROM (SELECT rep, s FROM lr_rt WHERE rep = 9) x;

-- NULL in, NULL out: aggregates over no rows
SELECT kpis(s) IS NULL AS record_null, s::json IS NULL AS json_null, s::jsonb IS NULL AS jsonb_null
FROM (SELECT activity_summary(t, o) s FROM lr_act WHERE false) x;
SELECT kpis(s) IS NULL AS record_null, s::json IS NULL AS json_null, s::jsonb IS NULL AS jsonb_null
FROM (SELECT response_time(created, responded, interval '1 day') s FROM lr_leads WHERE false) x;
SELECT kpis(f) IS NULL AS record_null, f::json IS NULL AS json_null, f::jsonb IS NULL AS jsonb_null
FROM (SELECT lead_followup(created, created, true) f FROM lr_fu_leads WHERE false) x;
SELECT kpis(s) IS NULL AS record_null, s::json IS NULL AS json_null, s::jsonb IS NULL AS jsonb_null
FROM (SELECT followup_summary(f) s FROM lr_lf WHERE false) x;
