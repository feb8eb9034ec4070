-- Follow-up per lead (issue 14): lead_followup per lead, followup_summary
-- across leads.  A hand-computed case and plain-SQL references on random
-- dirty data (leads without activities, activities before the lead existed,
-- ties, many attempts in one day), serial == parallel == rolled up.
SET extra_float_digits = 0;

-- by hand: A (6 attempts, 5 of them on 5 January, contact on the 6th; one
-- call before the lead existed), B (no activity), C (2 unanswered attempts),
-- D (a contact and an unanswered attempt at the same instant)
CREATE TEMP TABLE fl_leads (id text, created timestamp);
INSERT INTO fl_leads VALUES ('A', '2026-01-05 09:00'), ('B', '2026-01-05 09:00'), ('C', '2026-01-05 09:00'), ('D', '2026-01-05 09:00');
CREATE TEMP TABLE fl_acts (lead text, at timestamp, contacted boolean);
INSERT INTO fl_acts VALUES
  ('A', '2026-01-04 15:00', true),
  ('A', '2026-01-05 10:00', false), ('A', '2026-01-05 11:00', false), ('A', '2026-01-05 12:00', NULL),
  ('A', '2026-01-05 13:00', false), ('A', '2026-01-05 14:00', false), ('A', '2026-01-06 09:00', true),
  ('C', '2026-01-06 09:00', false), ('C', '2026-01-08 09:00', false),
  ('D', '2026-01-05 09:30', false), ('D', '2026-01-05 09:30', true);
CREATE TEMP TABLE fl AS
SELECT l.id, lead_followup(l.created, a.at, a.contacted) AS f
FROM fl_leads l LEFT JOIN fl_acts a ON a.lead = l.id GROUP BY l.id;
SELECT id, attempts(f), attempts_to_contact(f), max_attempts_per_day(f), f::text FROM fl ORDER BY id;
SELECT leads(s), followed_up_leads(s), contacted_leads(s), prior_activities(s), never_followed_up_share(s),
       avg_attempts_to_contact(s), avg_days_to_first_attempt(s) * 24 AS hours_to_first_attempt,
       avg_days_to_first_contact(s) * 24 AS hours_to_first_contact,
       abandoned_leads(s, 1) AS abandoned_1, abandoned_leads(s, 2) AS abandoned_2, abandoned_share(s, 2),
       over_contacted_leads(s) AS over_4_a_day, over_contacted_leads(s, 5) AS over_5_a_day
FROM (SELECT followup_summary(f) s FROM fl) x;
-- the same with dates and timestamptz
SELECT leads(followup_summary(f)), contacted_leads(followup_summary(f))
FROM (SELECT l.id, lead_followup(l.created::date, a.at::date, a.contacted) f FROM fl_leads l LEFT JOIN fl_acts a ON a.lead = l.id GROUP BY l.id) x;
SELECT over_contacted_leads(followup_summary(f))
FROM (SELECT l.id, lead_followup(l.created::timestamptz, a.at::timestamptz, a.contacted) f FROM fl_leads l LEFT JOIN fl_acts a ON a.lead = l.id GROUP BY l.id) x;
-- bad input
SELECT error_of($$SELECT lead_followup(c, a, true) FROM (VALUES (timestamp '2026-01-01', timestamp '2026-01-02'), ('2026-01-03', '2026-01-04')) v(c, a)$$);
SELECT error_of($$SELECT abandoned_leads(followup_summary(f), 0) FROM fl$$);
SELECT error_of($$SELECT over_contacted_leads(followup_summary(f), 32) FROM fl$$);
SELECT error_of($$SELECT '(version=1,time=timestamp,created=100,prior=0,activities=[50:0])'::lead_followup$$);
SELECT error_of($$SELECT '(version=1,time=timestamp,created=100,prior=0,activities=[300:0,200:1])'::lead_followup$$);
SELECT followup_summary(f) IS NULL AS empty_is_null FROM fl WHERE false;

-- random dirty leads and activities against plain SQL
SELECT setseed(0.31);
CREATE TABLE r_leads AS
SELECT i AS id, 1 + (random() * 3)::int AS rep,
       CASE WHEN random() < 0.02 THEN NULL ELSE timestamptz '2026-02-01 00:00+00' + random() * interval '60 days' END AS created
FROM generate_series(1, 3000) i;
CREATE TABLE r_acts AS
SELECT l.id AS lead_id, l.created + (random() * 10 - 1) * interval '1 day' * random() AS at,   -- some before the lead
       CASE WHEN random() < 0.1 THEN NULL ELSE random() < 0.25 END AS contacted
FROM r_leads l, generate_series(1, (random() * 9)::int) k
WHERE l.id % 7 <> 0;                                                                           -- leads without activities
INSERT INTO r_acts SELECT lead_id, at, NOT contacted FROM r_acts WHERE lead_id % 11 = 0;       -- ties
INSERT INTO r_acts SELECT lead_id, at + k * interval '5 minutes', false FROM r_acts, generate_series(1, 5) k
WHERE lead_id % 13 = 0 AND contacted;                                                          -- many in one day
CREATE TEMP TABLE r_fl AS
SELECT l.id, l.rep, lead_followup(l.created, a.at, a.contacted) AS f
FROM r_leads l LEFT JOIN r_acts a ON a.lead_id = l.id GROUP BY l.id, l.rep;
CREATE TEMP TABLE r_ref AS
SELECT l.id, l.rep, l.created,
       count(a.at) FILTER (WHERE a.at >= l.created) AS attempts,
       count(a.at) FILTER (WHERE a.at < l.created) AS prior,
       min(a.at) FILTER (WHERE a.at >= l.created) AS first_attempt,
       min(a.at) FILTER (WHERE a.at >= l.created AND a.contacted) AS first_contact
FROM r_leads l LEFT JOIN r_acts a ON a.lead_id = l.id WHERE l.created IS NOT NULL GROUP BY l.id, l.rep, l.created;
ALTER TABLE r_ref ADD COLUMN to_contact bigint, ADD COLUMN max_day bigint;
UPDATE r_ref r SET to_contact = x.n + 1
FROM (SELECT r2.id, count(a.at) AS n FROM r_ref r2
      LEFT JOIN r_acts a ON a.lead_id = r2.id AND a.at >= r2.created AND a.at < r2.first_contact
      WHERE r2.first_contact IS NOT NULL GROUP BY r2.id) x
WHERE x.id = r.id;
UPDATE r_ref r SET max_day = x.m
FROM (SELECT id, max(n) AS m FROM (SELECT r2.id, count(*) AS n FROM r_ref r2 JOIN r_acts a ON a.lead_id = r2.id AND a.at >= r2.created
                                   GROUP BY r2.id, date_trunc('day', a.at AT TIME ZONE 'UTC')) d GROUP BY id) x
WHERE x.id = r.id;
UPDATE r_ref SET max_day = 0 WHERE max_day IS NULL;
SELECT count(*) AS leads,
       bool_and(attempts(f) = r.attempts AND attempts_to_contact(f) IS NOT DISTINCT FROM r.to_contact
                AND max_attempts_per_day(f) = r.max_day) AS per_lead_equal
FROM r_fl JOIN r_ref r USING (id);
SELECT count(*) AS reps,
       bool_and(leads(s) = x.leads AND followed_up_leads(s) = x.followed AND contacted_leads(s) = x.contacted
                AND prior_activities(s) = x.prior) AS counts_equal,
       bool_and(close_to(never_followed_up_share(s), x.never) AND close_to(avg_attempts_to_contact(s), x.avg_to_contact)
                AND close_to(avg_days_to_first_attempt(s), x.d_attempt) AND close_to(avg_days_to_first_contact(s), x.d_contact)) AS ratios_equal,
       bool_and(abandoned_leads(s, 3) = x.abandoned_3 AND close_to(abandoned_share(s, 3), x.abandoned_3::float8 / x.leads)
                AND over_contacted_leads(s) = x.over_4 AND over_contacted_leads(s, 2) = x.over_2) AS distributions_equal
FROM (SELECT rep, followup_summary(f) s FROM r_fl GROUP BY rep) k
JOIN (SELECT rep, count(*) AS leads, count(first_attempt) AS followed, count(first_contact) AS contacted, sum(prior) AS prior,
             count(*) FILTER (WHERE first_attempt IS NULL)::float8 / count(*) AS never,
             avg(to_contact)::float8 AS avg_to_contact,
             (avg(extract(epoch FROM first_attempt - created)) / 86400)::float8 AS d_attempt,
             (avg(extract(epoch FROM first_contact - created)) / 86400)::float8 AS d_contact,
             count(*) FILTER (WHERE first_contact IS NULL AND attempts BETWEEN 1 AND 3) AS abandoned_3,
             count(*) FILTER (WHERE max_day > 4) AS over_4, count(*) FILTER (WHERE max_day > 2) AS over_2
      FROM r_ref GROUP BY rep) x USING (rep);
-- the team benchmark from the reps, moving windows of rollup, text round trips
SELECT (SELECT rollup(s) FROM (SELECT rep, followup_summary(f) s FROM r_fl GROUP BY rep) y) = (SELECT followup_summary(f) FROM r_fl) AS team_equal;
SELECT bool_and(w = r) AS moving_rollup_equal FROM (
  SELECT rollup(s) OVER (ORDER BY g ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS w,
         (SELECT rollup(b.s) FROM (SELECT id / 100 AS g, followup_summary(f) s FROM r_fl GROUP BY 1) b WHERE b.g BETWEEN a.g - 2 AND a.g) AS r
  FROM (SELECT id / 100 AS g, followup_summary(f) s FROM r_fl GROUP BY 1) a) z;
SELECT bool_and(f::text::lead_followup = f) AS lead_text_round_trip FROM r_fl WHERE f IS NOT NULL;
SELECT (SELECT followup_summary(f) FROM r_fl)::text::followup_summary = (SELECT followup_summary(f) FROM r_fl) AS summary_text_round_trip;
-- forced parallel: per lead partial states merged (combine), and the outer summary
CREATE TEMP TABLE fl_serial AS
SELECT (SELECT string_agg(f::text, ';' ORDER BY lead_id) FROM (SELECT lead_id, lead_followup(timestamptz '2026-01-01 00:00+00', at, contacted) f FROM r_acts GROUP BY lead_id) x) AS per_lead,
       (SELECT lead_followup(timestamptz '2026-01-01 00:00+00', at, contacted)::text FROM r_acts WHERE lead_id < 400) AS one_lead,
       (SELECT followup_summary(f)::text FROM r_fl) AS summary;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT lead_followup(timestamptz '2026-01-01 00:00+00', at, contacted) FROM r_acts;
SELECT per_lead = (SELECT string_agg(f::text, ';' ORDER BY lead_id) FROM (SELECT lead_id, lead_followup(timestamptz '2026-01-01 00:00+00', at, contacted) f FROM r_acts GROUP BY lead_id) x) AS per_lead_parallel_equal,
       one_lead = (SELECT lead_followup(timestamptz '2026-01-01 00:00+00', at, contacted)::text FROM r_acts WHERE lead_id < 400) AS merged_partials_equal,
       summary = (SELECT followup_summary(f)::text FROM r_fl) AS summary_parallel_equal
FROM fl_serial;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
DROP TABLE r_leads, r_acts;
