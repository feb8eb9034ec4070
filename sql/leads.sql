-- Leads family (issue 14): activity_summary, response_time,
-- lead_velocity_rate, revenue_per_lead.  Hand-computed cases from the seeds
-- (100 calls -> 30 prospects -> 5 leads; a 42-hour response), plain-SQL
-- references on random dirty data, serial == parallel == merged states.
SET extra_float_digits = 0;

------------------------------------------------------------------------------
-- activity_summary: the seed's 100 calls -> 30 conversations -> 5 leads
------------------------------------------------------------------------------
CREATE TEMP TABLE seed_calls AS
SELECT i, 'call'::text AS t,
       CASE WHEN i <= 5 THEN 'lead' WHEN i <= 30 THEN 'conversation' WHEN i <= 40 THEN 'connected'
            WHEN i <= 70 THEN 'no_answer' END AS outcome
FROM generate_series(1, 100) i;
SELECT attempts(s), calls(s), emails(s), connected(s), conversations(s), leads(s),
       reach_ratio(s), connect_rate(s), lead_rate(s), conversation_lead_rate(s), call_share(s)
FROM (SELECT activity_summary(t, outcome) s FROM seed_calls) x;
SELECT * FROM activity_funnel((SELECT activity_summary(t, outcome) FROM seed_calls), ARRAY[0.30, 0.05]);
SELECT * FROM activity_funnel((SELECT activity_summary(t, outcome) FROM seed_calls));
SELECT count(*) AS rows_for_null FROM activity_funnel(NULL);
-- types: case-insensitive, e-mail, meetings, other; NULL type ignored; outcomes of meetings not read
SELECT activity_summary(t, o)::text
FROM (VALUES ('Call', 'Conversation'), ('E-Mail', NULL), ('email', 'LEAD'), ('meeting', 'whatever'),
             ('linkedin', 'lead'), (NULL, 'lead'), ('CALL', 'none')) v(t, o);
SELECT error_of($$SELECT activity_summary(t, o) FROM (VALUES ('call', 'reached')) v(t, o)$$);
SELECT error_of($$SELECT * FROM activity_funnel('(version=1,calls=1,emails=0,meetings=0,other=0,connected=0,conversations=0,leads=0)', ARRAY[0.3])$$);
SELECT error_of($$SELECT * FROM activity_funnel('(version=1,calls=1,emails=0,meetings=0,other=0,connected=0,conversations=0,leads=0)', ARRAY[0.3, 1.5])$$);
-- empty input: NULL summary, ratios NULL on an empty one
SELECT activity_summary(t, t) IS NULL AS empty_is_null FROM seed_calls WHERE false;
SELECT reach_ratio(s), call_share(s), attempts(s)
FROM (SELECT '(version=1,calls=0,emails=0,meetings=2,other=0,connected=0,conversations=0,leads=0)'::activity_summary s) x;

-- random dirty activity rows: plain-SQL reference per rep and month
SELECT setseed(0.14);
CREATE TABLE act AS
SELECT i AS id, 1 + (random() * 4)::int AS rep,
       timestamptz '2026-01-01 08:00+00' + random() * interval '120 days' AS at,
       (ARRAY['call', 'email', 'e-mail', 'meeting', 'CALL', 'sms', NULL])[1 + (random() * 6)::int] AS t,
       (ARRAY[NULL, 'none', 'no_answer', 'connected', 'conversation', 'lead', 'Lead'])[1 + (random() * 6)::int] AS o
FROM generate_series(1, 20000) i;
CREATE TEMP VIEW act_ref AS
SELECT rep, date_trunc('month', at, 'UTC') AS m,
       count(*) FILTER (WHERE lower(t) IN ('call', 'email', 'e-mail')) AS attempts,
       count(*) FILTER (WHERE lower(t) = 'call') AS calls,
       count(*) FILTER (WHERE lower(t) IN ('email', 'e-mail')) AS emails,
       count(*) FILTER (WHERE lower(t) = 'meeting') AS meetings,
       count(*) FILTER (WHERE t IS NOT NULL AND lower(t) NOT IN ('call', 'email', 'e-mail', 'meeting')) AS other,
       count(*) FILTER (WHERE lower(t) IN ('call', 'email', 'e-mail') AND lower(o) IN ('connected', 'conversation', 'lead')) AS connected,
       count(*) FILTER (WHERE lower(t) IN ('call', 'email', 'e-mail') AND lower(o) IN ('conversation', 'lead')) AS conversations,
       count(*) FILTER (WHERE lower(t) IN ('call', 'email', 'e-mail') AND lower(o) = 'lead') AS leads
FROM act GROUP BY 1, 2;
CREATE TEMP TABLE act_kpi AS
SELECT rep, date_trunc('month', at, 'UTC') AS m, activity_summary(t, o) AS s FROM act GROUP BY 1, 2;
SELECT count(*) AS groups,
       bool_and(attempts(k.s) = r.attempts AND calls(k.s) = r.calls AND emails(k.s) = r.emails
                AND meetings(k.s) = r.meetings AND other_activities(k.s) = r.other AND connected(k.s) = r.connected
                AND conversations(k.s) = r.conversations AND leads(k.s) = r.leads) AS counts_equal,
       bool_and(close_to(reach_ratio(k.s), r.conversations::float8 / nullif(r.attempts, 0))
                AND close_to(connect_rate(k.s), r.connected::float8 / nullif(r.attempts, 0))
                AND close_to(lead_rate(k.s), r.leads::float8 / nullif(r.attempts, 0))
                AND close_to(conversation_lead_rate(k.s), r.leads::float8 / nullif(r.conversations, 0))
                AND close_to(call_share(k.s), r.calls::float8 / nullif(r.attempts, 0))) AS ratios_equal
FROM act_kpi k JOIN act_ref r USING (rep, m);
-- per rep against the team benchmark: rollup of the per-rep months = one scan
SELECT bool_and(x.s = y.s) AS rollup_equals_scan
FROM (SELECT rep, rollup(s) s FROM act_kpi GROUP BY rep) x
JOIN (SELECT rep, activity_summary(t, o) s FROM act GROUP BY rep) y USING (rep);
SELECT (SELECT rollup(s) FROM act_kpi) = (SELECT activity_summary(t, o) FROM act) AS team_equal;
-- moving window (inverse transition) against the same frame recomputed
SELECT bool_and(w = r) AS moving_equal FROM (
  SELECT activity_summary(t, o) OVER (ORDER BY id ROWS BETWEEN 50 PRECEDING AND CURRENT ROW) AS w,
         (SELECT activity_summary(b.t, b.o) FROM act b WHERE b.id BETWEEN a.id - 50 AND a.id) AS r
  FROM act a WHERE id <= 400) z;
SELECT bool_and(w = r) AS moving_rollup_equal FROM (
  SELECT rollup(s) OVER (ORDER BY rep, m ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS w,
         (SELECT rollup(b.s) FROM (SELECT *, row_number() OVER (ORDER BY rep, m) AS n FROM act_kpi) b WHERE b.n BETWEEN a.n - 2 AND a.n) AS r
  FROM (SELECT *, row_number() OVER (ORDER BY rep, m) AS n FROM act_kpi) a) z;

------------------------------------------------------------------------------
-- response_time: the seed's 42-hour response, by hand
------------------------------------------------------------------------------
CREATE TEMP TABLE seed_leads AS
SELECT * FROM (VALUES
  (1, timestamptz '2026-01-05 09:00+00', timestamptz '2026-01-05 10:00+00'),   -- 1 hour
  (2, '2026-01-05 09:00+00', '2026-01-05 11:00+00'),                            -- 2 hours
  (3, '2026-01-05 09:00+00', '2026-01-07 03:00+00'),                            -- 42 hours
  (4, '2026-01-05 09:00+00', NULL),                                             -- unanswered: a miss
  (5, NULL, '2026-01-05 09:00+00')) v(id, created, responded);                  -- no lead: ignored
SELECT leads(r), answered_leads(r), unanswered_leads(r), within_sla(r), sla_share(r), sla(r),
       avg_response_days(r) * 24 AS avg_hours, median_response_days(r) * 24 AS median_hours,
       response_percentile_days(r, 0.9) * 24 AS p90_hours, skipped_rows(r)
FROM (SELECT response_time(created, responded, interval '24 hours') r FROM seed_leads) x;
-- exactly 42 hours with an SLA of 42 hours is within (<=)
SELECT within_sla(response_time(timestamp '2026-01-05 09:00', timestamp '2026-01-07 03:00', interval '42 hours'));
SELECT response_time(created, responded, interval '1 day')::text FROM seed_leads;
SELECT response_time(created::date, responded::date, interval '1 day')::text FROM seed_leads;
-- bad input: SLA <= 0, NULL SLA, responded before created, different SLAs merged
SELECT error_of($$SELECT response_time(created, responded, interval '0') FROM seed_leads$$);
SELECT error_of($$SELECT response_time(created, responded, interval '-1 hour') FROM seed_leads$$);
SELECT error_of($$SELECT response_time(created, responded, NULL) FROM seed_leads$$);
SELECT error_of($$SELECT response_time(responded, created, interval '1 hour') FROM seed_leads$$);
SELECT error_of($$SELECT rollup(r) FROM (SELECT response_time(created, responded, interval '1 hour') r FROM seed_leads
                                          UNION ALL SELECT response_time(created, responded, interval '2 hours') FROM seed_leads) x$$);
SELECT error_of($$SELECT response_percentile_days(response_time(created, responded, interval '1 hour'), 1.5) FROM seed_leads$$);
SET sales_kpi.invalid_rows = skip;
SELECT leads(r), answered_leads(r), skipped_rows(r)
FROM (SELECT response_time(responded, created, interval '1 hour') r FROM seed_leads) x;
RESET sales_kpi.invalid_rows;

-- random dirty leads: NULL created, unanswered, ties, responses before the
-- lead (left out with the documented WHERE); reference in plain SQL
SELECT setseed(0.1414);
CREATE TABLE leads_t AS
SELECT i AS id, 1 + (random() * 3)::int AS rep, (ARRAY['web', 'fair', 'referral'])[1 + (random() * 2)::int] AS source,
       c AS created,
       CASE WHEN random() < 0.15 THEN NULL
            WHEN random() < 0.05 THEN c - interval '1 hour'                      -- before the lead exists
            WHEN random() < 0.1 THEN c + interval '42 hours'                     -- ties
            ELSE c + random() * random() * interval '6 days' END AS responded
FROM (SELECT i, CASE WHEN random() < 0.03 THEN NULL
                     ELSE timestamptz '2026-01-01 00:00+00' + random() * interval '90 days' END AS c
      FROM generate_series(1, 30000) i) g;
CREATE TEMP VIEW leads_ok AS SELECT * FROM leads_t WHERE responded IS NULL OR responded >= created;
CREATE TEMP TABLE rt_ref AS
SELECT rep, source, count(*) FILTER (WHERE created IS NOT NULL) AS leads,
       count(responded) FILTER (WHERE created IS NOT NULL) AS answered,
       count(*) FILTER (WHERE responded - created <= interval '24 hours') AS within,
       avg(extract(epoch FROM responded - created)) / 86400 AS avg_days,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM responded - created)) / 86400 AS median_days,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM responded - created)) / 86400 AS p90_days
FROM leads_ok GROUP BY GROUPING SETS ((rep, source), ());
CREATE TEMP TABLE rt_kpi AS
SELECT rep, source, response_time(created, responded, interval '24 hours') AS r
FROM leads_ok GROUP BY GROUPING SETS ((rep, source), ());
SELECT count(*) AS groups,
       bool_and(leads(r) = k.leads AND answered_leads(r) = k.answered AND within_sla(r) = k.within) AS counts_equal,
       bool_and(close_to(sla_share(r), k.within::float8 / k.leads)) AS share_equal,
       bool_and(abs(avg_response_days(r) - k.avg_days) <= 1e-9 * k.avg_days) AS avg_equal,
       -- histogram: every value within 1/128 of itself, so the percentiles too
       bool_and(abs(median_response_days(r) - k.median_days) <= k.median_days / 128) AS median_within_resolution,
       bool_and(abs(response_percentile_days(r, 0.9) - k.p90_days) <= k.p90_days / 128) AS p90_within_resolution,
       max(abs(median_response_days(r) - k.median_days) / k.median_days) < 1.0 / 128 AS max_median_error_ok
FROM rt_kpi JOIN rt_ref k ON k.rep IS NOT DISTINCT FROM rt_kpi.rep AND k.source IS NOT DISTINCT FROM rt_kpi.source;
-- small groups: exact percentiles (at most 32 answered leads)
SELECT count(*) AS small_groups,
       bool_and(close_to(median_response_days(r), med) AND close_to(response_percentile_days(r, 0.9), p90)
                AND close_to(response_percentile_days(r, 0), p0) AND close_to(response_percentile_days(r, 1), p100)) AS exact_percentiles
FROM (SELECT id / 25 AS g, response_time(created, responded, interval '1 day') r,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM responded - created)) / 86400 AS med,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM responded - created)) / 86400 AS p90,
             percentile_cont(0) WITHIN GROUP (ORDER BY extract(epoch FROM responded - created)) / 86400 AS p0,
             percentile_cont(1) WITHIN GROUP (ORDER BY extract(epoch FROM responded - created)) / 86400 AS p100
      FROM leads_ok WHERE id <= 2500 GROUP BY 1) x WHERE answered_leads(r) > 0;
-- per rep from per-source states, and the team from per-rep states: equal to one scan
SELECT bool_and(x.r = y.r) AS rollup_per_rep_equal
FROM (SELECT rep, rollup(r) r FROM rt_kpi WHERE rep IS NOT NULL GROUP BY rep) x
JOIN (SELECT rep, response_time(created, responded, interval '24 hours') r FROM leads_ok GROUP BY rep) y USING (rep);
SELECT (SELECT rollup(r) FROM rt_kpi WHERE rep IS NOT NULL) = (SELECT r FROM rt_kpi WHERE rep IS NULL) AS team_equal;
-- merging across the 32-value boundary keeps the exact values only while <= 32
SELECT answered_leads(rollup(r)) AS n, rollup(r)::text LIKE '%exact=[]%' AS exact_dropped
FROM (SELECT response_time(created, responded, interval '1 day') r FROM leads_ok WHERE id <= 60 AND responded IS NOT NULL GROUP BY id % 3) x;
-- text round trip of every state; literal checks
SELECT bool_and(r::text::response_time = r) AS text_round_trip FROM rt_kpi;
SELECT error_of($$SELECT '(version=1,time=timestamptz,sla_us=0,leads=0,answered=0,within_sla=0,skipped=0,sum_us=0,hist=[],exact=[])'::response_time$$);
SELECT error_of($$SELECT '(version=1,time=timestamptz,sla_us=10,leads=1,answered=1,within_sla=1,skipped=0,sum_us=5,hist=[6:1],exact=[6])'::response_time$$);
SELECT error_of($$SELECT '(version=1,time=timestamptz,sla_us=10,leads=1,answered=2,within_sla=1,skipped=0,sum_us=5,hist=[5:2],exact=[5,5])'::response_time$$);
SELECT error_of($$SELECT '(version=1,time=timestamptz,sla_us=10,leads=2,answered=2,within_sla=1,skipped=0,sum_us=10,hist=[5:2],exact=[5,5])'::response_time$$);
SELECT '(version=1,time=date,sla_us=10,leads=3,answered=2,within_sla=2,skipped=1,sum_us=10,hist=[5:2],exact=[5,5])'::response_time;

------------------------------------------------------------------------------
-- lead velocity rate
------------------------------------------------------------------------------
SELECT lead_velocity_rate(30, 20) AS up_50_percent, lead_velocity_rate(15, 20) AS down_25_percent,
       lead_velocity_rate(5, 0) AS previous_zero;
SELECT error_of($$SELECT lead_velocity_rate(-1, 2)$$);
-- by hand: March 2026 (3 qualified) against February (2): +50%; January and April rows ignored
SELECT lead_velocity_rate(q, interval '1 month', date '2026-04-01')
FROM (VALUES (date '2026-01-31'), ('2026-02-01'), ('2026-02-28'), ('2026-03-01'), ('2026-03-15'), ('2026-03-31'),
             ('2026-04-01'), (NULL)) v(q);
SELECT lead_velocity_rate(q::timestamp, interval '1 month', timestamp '2026-04-01'),
       lead_velocity_rate(q::timestamptz, interval '1 month', timestamptz '2026-04-01 00:00+00')
FROM (VALUES (date '2026-02-01'), ('2026-02-28'), ('2026-03-01'), ('2026-03-15'), ('2026-03-31')) v(q);
SELECT error_of($$SELECT lead_velocity_rate(q, interval '1 month', e) FROM (VALUES (date '2026-03-01', date '2026-04-01'), ('2026-03-02', '2026-05-01')) v(q, e)$$);
SELECT error_of($$SELECT lead_velocity_rate(q, NULL, date '2026-04-01') FROM (VALUES (date '2026-03-01')) v(q)$$);
SELECT error_of($$SELECT lead_velocity_rate(q, interval '-1 month', date '2026-04-01') FROM (VALUES (date '2026-03-01')) v(q)$$);
SELECT error_of($$SELECT lead_velocity_final('{3,0,0,0,0,0,0,1,1}')$$);
-- random qualified_at per rep against plain SQL
SELECT setseed(0.2);
CREATE TABLE qual AS
SELECT i, 1 + (random() * 5)::int AS rep,
       CASE WHEN random() < 0.1 THEN NULL ELSE timestamptz '2025-10-01 00:00+00' + random() * interval '200 days' END AS qualified_at
FROM generate_series(1, 20000) i;
SELECT count(*) AS reps, bool_and(close_to(k, (cur - prev)::float8 / nullif(prev, 0))) AS lvr_equal
FROM (SELECT rep, lead_velocity_rate(qualified_at, interval '1 month', timestamptz '2026-03-01 00:00+00') AS k,
             -- calendar arithmetic as in SQL, in the session's time zone
             count(*) FILTER (WHERE qualified_at >= timestamptz '2026-03-01 00:00+00' - interval '1 month' AND qualified_at < '2026-03-01 00:00+00') AS cur,
             count(*) FILTER (WHERE qualified_at >= timestamptz '2026-03-01 00:00+00' - interval '2 months'
                                AND qualified_at < timestamptz '2026-03-01 00:00+00' - interval '1 month') AS prev
      FROM qual GROUP BY rep) x;
SELECT count(*) AS weeks, bool_and(close_to(k, (cur - prev)::float8 / nullif(prev, 0))) AS weekly_lvr_equal
FROM (SELECT lead_velocity_rate(qualified_at, interval '7 days', e) AS k,
             count(*) FILTER (WHERE qualified_at >= e - interval '7 days' AND qualified_at < e) AS cur,
             count(*) FILTER (WHERE qualified_at >= e - interval '14 days' AND qualified_at < e - interval '7 days') AS prev
      FROM qual, (SELECT timestamptz '2025-11-03 00:00+00' + k * interval '7 days' AS e FROM generate_series(0, 20) k) ends
      GROUP BY e) x;

------------------------------------------------------------------------------
-- revenue per lead: exact, as avg divides
------------------------------------------------------------------------------
SELECT revenue_per_lead(1000.00, 3) AS per_lead, revenue_per_lead(1000.00, 3) = (SELECT avg(x) FROM (VALUES (1000.00), (0), (0)) v(x)) AS as_avg,
       revenue_per_lead(5, 0) AS no_leads;

------------------------------------------------------------------------------
-- forced parallel: the same results as serial, plans with Partial Aggregate
------------------------------------------------------------------------------
CREATE TEMP TABLE serial_leads AS
SELECT (SELECT activity_summary(t, o)::text FROM act) AS a,
       (SELECT response_time(created, responded, interval '24 hours')::text FROM leads_ok) AS r,
       (SELECT string_agg(x::text, ';' ORDER BY rep) FROM (SELECT rep, response_time(created, responded, interval '2 hours') x FROM leads_ok GROUP BY rep) y) AS r_rep,
       (SELECT lead_velocity_rate(qualified_at, interval '1 month', timestamptz '2026-03-01 00:00+00')::text FROM qual) AS l;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT response_time(created, responded, interval '24 hours') FROM leads_ok;
EXPLAIN (COSTS OFF) SELECT activity_summary(t, o) FROM act;
EXPLAIN (COSTS OFF) SELECT lead_velocity_rate(qualified_at, interval '1 month', timestamptz '2026-03-01 00:00+00') FROM qual;
SELECT a = (SELECT activity_summary(t, o)::text FROM act) AS activity_parallel_equal,
       r = (SELECT response_time(created, responded, interval '24 hours')::text FROM leads_ok) AS response_parallel_equal,
       r_rep = (SELECT string_agg(x::text, ';' ORDER BY rep) FROM (SELECT rep, response_time(created, responded, interval '2 hours') x FROM leads_ok GROUP BY rep) y) AS response_rep_parallel_equal,
       l = (SELECT lead_velocity_rate(qualified_at, interval '1 month', timestamptz '2026-03-01 00:00+00')::text FROM qual) AS lvr_parallel_equal
FROM serial_leads;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
DROP VIEW leads_ok, act_ref;
DROP TABLE act, leads_t, qual;
