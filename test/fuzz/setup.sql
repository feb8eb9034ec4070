-- Set-up of test/t/io_fuzz.sh, run in the fuzz database after
-- CREATE EXTENSION sales_kpi:
--   * fz_seed_<type>: valid values of each type, built with the aggregates;
--     the fuzzer mutates their binary and text forms;
--   * fz_acc_<type> / fz_rt_<type>: where the mutants are loaded (accepted
--     ones stay there) and where their binary round trip is reloaded;
--   * fz_check(<type>): the oracle.  It is called on every accepted mutant and
--     reports each problem as a WARNING "FZBAD: ..." (tolerated oddities as
--     "FZNOTE: ..."); it catches every error itself, so an ERROR seen by the
--     driver after a check marker is a problem as well.
--   * fz_probe_<type>(): run once per run by the driver, same reporting.
SET client_min_messages = warning;

------------------------------------------------------------------------------
-- seeds
------------------------------------------------------------------------------
CREATE TABLE fz_seed_deal_summary (n int PRIMARY KEY, v deal_summary NOT NULL);
INSERT INTO fz_seed_deal_summary
SELECT 1, deal_summary(amount, won, created, closed)
FROM (VALUES (100.50, true, date '2024-01-01', date '2024-01-11'),
             (200, false, '2024-01-01', '2024-01-05'),
             (300.125, NULL, '2024-01-01', NULL)) v(amount, won, created, closed)
UNION ALL
-- one deal with nothing known: every money field empty
SELECT 2, deal_summary(NULL::numeric, NULL::boolean, NULL::date, NULL::date)
UNION ALL
-- the largest scale: storage scale 38, sums near the int128 limit
SELECT 3, deal_summary(amount, won, created, closed)
FROM (VALUES (1.5, true, timestamptz '2024-01-01 10:00+00', timestamptz '2024-03-01 12:30:00.000001+00'),
             (0.00000000000000000000000000000000000001, false, '2024-01-01', '2024-01-02'),
             (NULL, true, '2024-02-01', '2024-02-01'),
             (0, NULL, NULL, NULL)) v(amount, won, created, closed)
UNION ALL
-- big amounts at scale 0, several won deals with cycles
SELECT 4, deal_summary(amount, won, created, closed)
FROM (VALUES (12345678901234567890123456789, true, date '2020-01-01', date '2024-01-01'),
             (7, true, '2024-01-01', '2024-01-01'),
             (8, true, '2023-01-01', '2024-01-01'),
             (9, false, '2024-01-01', NULL),
             (10, NULL, NULL, NULL)) v(amount, won, created, closed)
UNION ALL
-- a merged summary (rollup of the above)
SELECT 5, rollup(s) FROM (
    SELECT deal_summary(amount, won, created, closed) s
    FROM (VALUES (1, 1.25, true, date '2024-01-01', date '2024-01-03'),
                 (1, 2, false, '2024-01-01', '2024-01-04'),
                 (2, 3.333, true, '2024-01-01', '2024-01-09'),
                 (2, 4, NULL, NULL, NULL)) v(g, amount, won, created, closed)
    GROUP BY g) x
UNION ALL
-- with win probabilities: the weighted pipeline
SELECT 6, deal_summary(amount, won, created, closed, probability)
FROM (VALUES (100.5, NULL::boolean, date '2024-01-01', NULL::date, 0.25),
             (40, NULL, '2024-01-01', NULL, 1),
             (7.125, NULL, NULL, NULL, 0.333),
             (9, true, '2024-01-01', '2024-01-02', 0.5),
             (3, NULL, NULL, NULL, NULL)) v(amount, won, created, closed, probability);

CREATE TABLE fz_seed_order_summary (n int PRIMARY KEY, v order_summary NOT NULL);
INSERT INTO fz_seed_order_summary
SELECT 1, rollup(s) FROM (
    SELECT order_summary(a, t) s
    FROM (VALUES (1, 10.5, date '2024-01-01'), (1, 20, '2024-03-01'), (2, 5, '2024-02-01')) v(c, a, t)
    GROUP BY c) x
UNION ALL
-- one customer, one order: lifespan 0
SELECT 2, order_summary(42, date '2024-05-05')
UNION ALL
-- zero revenue at scale 3
SELECT 3, rollup(s) FROM (
    SELECT order_summary(a, t) s
    FROM (VALUES (1, 0.000, timestamp '2024-01-01 08:00'), (1, 0, '2024-01-02'), (2, 0, '2024-01-03')) v(c, a, t)
    GROUP BY c) x
UNION ALL
-- negative revenue (credit notes)
SELECT 4, order_summary(a, t)
FROM (VALUES (-5.25, timestamptz '2024-01-01 00:00+00'), (1, '2024-06-01 00:00+00')) v(a, t)
UNION ALL
-- the extremes of the timestamp range
SELECT 5, order_summary(a, t)
FROM (VALUES (1, timestamp '4714-11-24 00:00:00 BC'), (2, timestamp '294276-12-31 23:59:59.999999')) v(a, t);

-- the stage lists the paths and funnels are built with
CREATE TABLE fz_stage_lists (n int PRIMARY KEY, stages text[] NOT NULL);
INSERT INTO fz_stage_lists VALUES
  (1, ARRAY['lead','qualified','won']),
  (2, ARRAY['lead','qualified','proposal','negotiation','won']),
  (3, ARRAY(SELECT 's' || g FROM generate_series(1, 64) g)),
  (4, ARRAY['a"b', 'c\d', 'é日本', '', 'x y,z]']);

CREATE TABLE fz_seed_stage_path (n int PRIMARY KEY, v stage_path NOT NULL);
INSERT INTO fz_seed_stage_path
SELECT 1, stage_path(s, t, ARRAY['lead','qualified','won'])
FROM (VALUES ('qualified', date '2024-01-02'), ('lead', '2024-01-01'), ('lost', '2024-01-03')) v(s, t)
UNION ALL
-- only a stage outside the list
SELECT 2, stage_path(s, t, ARRAY['lead','qualified','won'])
FROM (VALUES ('lost', timestamptz '2024-01-03 00:00+00')) v(s, t)
UNION ALL
-- many events, repeated stages and equal times
SELECT 3, stage_path(s, t, (SELECT stages FROM fz_stage_lists WHERE n = 2))
FROM (VALUES ('lead', timestamp '2024-01-01'), ('qualified', '2024-01-01'), ('lead', '2024-01-05'),
             ('proposal', '2024-01-03'), ('won', '2024-02-01'), ('negotiation', '2024-01-20'),
             ('lost', '2024-01-20'), ('proposal', '2024-01-03'), ('won', '4714-11-24 00:00:00 BC'),
             ('lead', '294276-12-31 23:59:59.999999')) v(s, t)
UNION ALL
-- 64 stages
SELECT 4, stage_path('s' || g, date '2024-01-01' + g, (SELECT stages FROM fz_stage_lists WHERE n = 3))
FROM generate_series(1, 64, 3) g
UNION ALL
-- odd stage names
SELECT 5, stage_path(s, t, (SELECT stages FROM fz_stage_lists WHERE n = 4))
FROM (VALUES ('', date '2024-01-02'), ('a"b', '2024-01-01'), ('x y,z]', '2024-01-03')) v(s, t)
UNION ALL
-- no events at all (only text input can make one)
SELECT 6, '(version=1,stages=3,hash=5,time=date,events=[])'::stage_path;

CREATE TABLE fz_seed_stage_funnel (n int PRIMARY KEY, v stage_funnel NOT NULL);
INSERT INTO fz_seed_stage_funnel
SELECT 1, stage_funnel(p, ARRAY['lead','qualified','won'], 'entered')
FROM (SELECT stage_path(s, t, ARRAY['lead','qualified','won']) p
      FROM (VALUES (1, 'qualified', date '2024-01-02'), (1, 'lead', '2024-01-01'), (1, 'lost', '2024-01-03'),
                   (2, 'lead', '2024-01-01'), (2, 'won', '2024-01-09'),
                   (3, 'lost', '2024-01-01')) v(d, s, t)
      GROUP BY d) x
UNION ALL
SELECT 2, stage_funnel(p, ARRAY['lead','qualified','won'], 'implied')
FROM (SELECT stage_path(s, t, ARRAY['lead','qualified','won']) p
      FROM (VALUES (1, 'qualified', date '2024-01-02'), (1, 'lead', '2024-01-01'),
                   (2, 'lead', '2024-01-01'), (2, 'won', '2024-01-09'),
                   (3, 'lead', '2024-01-01')) v(d, s, t)
      GROUP BY d) x
UNION ALL
SELECT 3, stage_funnel(p, (SELECT stages FROM fz_stage_lists WHERE n = 2), 'ordered')
FROM (SELECT stage_path(s, t, (SELECT stages FROM fz_stage_lists WHERE n = 2)) p
      FROM (VALUES (1, 'lead', date '2024-01-01'), (1, 'qualified', '2024-01-02'), (1, 'won', '2024-01-03'),
                   (2, 'qualified', '2024-01-01'), (2, 'lead', '2024-01-02'),
                   (3, 'lead', '2024-01-01'), (3, 'qualified', '2024-01-01'), (3, 'proposal', '2024-01-05')) v(d, s, t)
      GROUP BY d) x
UNION ALL
-- odd names: quotes, backslashes, multibyte, empty, separators
SELECT 4, stage_funnel(s, (SELECT stages FROM fz_stage_lists WHERE n = 4), 'entered')
FROM (VALUES ('a"b'), ('c\d'), ('é日本'), (''), ('x y,z]'), ('elsewhere')) v(s)
UNION ALL
-- 64 stages
SELECT 5, stage_funnel(s, (SELECT stages FROM fz_stage_lists WHERE n = 3))
FROM (SELECT 's' || (g % 64 + 1) s FROM generate_series(1, 100) g) v;


-- stage_times, built by the aggregates over per-deal paths
CREATE TABLE fz_seed_stage_times (n int PRIMARY KEY, v stage_times NOT NULL);
INSERT INTO fz_seed_stage_times
-- as_of and stale_after: exited and current deals, a re-entry, an outside
-- deal and one that did not exist yet at as_of
SELECT 1, stage_times(p, ARRAY['lead','qualified','won'], timestamptz '2024-01-20 00:00+00', interval '10 days')
FROM (SELECT stage_path(s, t, ARRAY['lead','qualified','won']) p
      FROM (VALUES (1, 'lead', timestamptz '2024-01-01 00:00+00'), (1, 'qualified', '2024-01-03 00:00+00'),
                   (1, 'won', '2024-01-10 00:00+00'),
                   (2, 'lead', '2024-01-02 00:00+00'), (2, 'qualified', '2024-01-05 00:00+00'),
                   (3, 'lost', '2024-01-02 00:00+00'),
                   (4, 'lead', '2024-01-01 00:00+00'), (4, 'qualified', '2024-01-02 00:00+00'),
                   (4, 'lead', '2024-01-04 06:00+00'), (4, 'lost', '2024-01-06 00:00+00'),
                   (5, 'lead', '2024-03-01 00:00+00')) v(d, s, t)
      GROUP BY d) x
UNION ALL
-- without as_of: open visits are current deals of unknown age
SELECT 2, stage_times(p, (SELECT stages FROM fz_stage_lists WHERE n = 2))
FROM (SELECT stage_path(s, t, (SELECT stages FROM fz_stage_lists WHERE n = 2)) p
      FROM (VALUES (1, 'lead', timestamp '2024-01-01'), (1, 'qualified', '2024-01-01'), (1, 'lead', '2024-01-05'),
                   (1, 'proposal', '2024-01-03'), (1, 'won', '2024-02-01'), (1, 'negotiation', '2024-01-20'),
                   (2, 'lead', '2024-01-01 08:00'), (2, 'proposal', '2024-01-01 08:00:00.000001'),
                   (3, 'negotiation', '2024-01-07'), (3, 'lost', '2024-01-09')) v(d, s, t)
      GROUP BY d) x
UNION ALL
-- as_of only, wall-clock timestamps
SELECT 3, stage_times(p, ARRAY['lead','qualified','won'], timestamp '2024-02-01 12:00')
FROM (SELECT stage_path(s, t, ARRAY['lead','qualified','won']) p
      FROM (VALUES (1, 'lead', timestamp '2024-01-01 09:00'), (1, 'qualified', '2024-01-15 17:30'),
                   (2, 'qualified', '2024-01-10'), (2, 'won', '2024-01-31'),
                   (3, 'lead', '2024-01-20'), (3, 'won', '2024-03-01')) v(d, s, t)
      GROUP BY d) x
UNION ALL
-- dates, with a date as_of and stale_after
SELECT 4, stage_times(p, (SELECT stages FROM fz_stage_lists WHERE n = 2), date '2024-03-01', interval '3 days')
FROM (SELECT stage_path(s, t, (SELECT stages FROM fz_stage_lists WHERE n = 2)) p
      FROM (VALUES (1, 'lead', date '2024-01-01'), (1, 'proposal', '2024-01-20'), (1, 'negotiation', '2024-02-28'),
                   (2, 'lead', '2024-02-01'), (2, 'qualified', '2024-02-02'), (2, 'won', '2024-02-10'),
                   (3, 'qualified', '2024-01-05'), (4, 'lead', '2024-01-01'), (4, 'lead', '2024-01-02')) v(d, s, t)
      GROUP BY d) x
UNION ALL
-- empty-ish: odd stage names, only an outside deal and a deal after as_of
SELECT 5, stage_times(p, (SELECT stages FROM fz_stage_lists WHERE n = 4), date '2024-01-10', interval '1 day')
FROM (SELECT stage_path(s, t, (SELECT stages FROM fz_stage_lists WHERE n = 4)) p
      FROM (VALUES (1, 'elsewhere', date '2024-01-02'), (2, 'a"b', '2024-01-11'), (2, '', '2024-01-12')) v(d, s, t)
      GROUP BY d) x
UNION ALL
-- no deal at all by as_of
SELECT 6, stage_times(p, ARRAY['lead','qualified','won'], timestamptz '2024-01-01 00:00+00')
FROM (SELECT stage_path('won', timestamptz '2024-06-01 00:00+00', ARRAY['lead','qualified','won']) p) x
UNION ALL
-- many histogram buckets: 300 deals with times spread from 1 us to 20 years
SELECT 7, stage_times(p, ARRAY['lead','qualified','won'], timestamptz '2100-01-01 00:00+00', interval '365 days')
FROM (SELECT stage_path(s, t, ARRAY['lead','qualified','won']) p
      FROM (SELECT g, 'lead' s, timestamptz '2000-01-01 00:00+00' t FROM generate_series(1, 300) g
            UNION ALL
            SELECT g, 'qualified', timestamptz '2000-01-01 00:00+00' + CASE WHEN g <= 60 THEN g * interval '1 microsecond'
                                                                       ELSE 1.07 ^ g * interval '1 second' END
            FROM generate_series(1, 300) g
            UNION ALL
            SELECT g, 'won', timestamptz '2030-01-01 00:00+00' + g * g * interval '1 minute'
            FROM generate_series(1, 300, 2) g
            UNION ALL
            SELECT g, 'lead', timestamptz '2031-01-01 00:00+00' FROM generate_series(2, 300, 4) g) v(g, s, t)
      GROUP BY g) x
UNION ALL
-- a rollup of two
SELECT 8, rollup(st) FROM (
    SELECT stage_times(p, ARRAY['lead','qualified','won'], timestamptz '2024-01-20 00:00+00', interval '10 days') st
    FROM (SELECT d % 2 AS part, stage_path(s, t, ARRAY['lead','qualified','won']) p
          FROM (VALUES (1, 'lead', timestamptz '2024-01-01 00:00+00'), (1, 'qualified', '2024-01-03 00:00+00'),
                       (2, 'lead', '2024-01-02 00:00+00'), (2, 'won', '2024-01-05 00:00+00'),
                       (3, 'qualified', '2024-01-02 00:00+00'), (3, 'lead', '2024-01-03 00:00+00'),
                       (4, 'lead', '2024-01-01 00:00+00'), (4, 'qualified', '2024-01-19 00:00+00')) v(d, s, t)
          GROUP BY d) y
    GROUP BY part) x
UNION ALL
-- 64 stages
SELECT 9, stage_times(p, (SELECT stages FROM fz_stage_lists WHERE n = 3))
FROM (SELECT stage_path('s' || (g % 64 + 1), date '2024-01-01' + g, (SELECT stages FROM fz_stage_lists WHERE n = 3)) p
      FROM generate_series(1, 150) g
      GROUP BY g % 5) x;

-- stage_history (the one-level form), built by the aggregate over raw rows
CREATE TABLE fz_seed_stage_history (n int PRIMARY KEY, v stage_history NOT NULL);
INSERT INTO fz_seed_stage_history
-- bigint ids, dates: a re-entry, equal times, a deal outside the list, a negative id
SELECT 1, stage_history(d, s, t, ARRAY['lead','qualified','won'])
FROM (VALUES (2::bigint, 'lead', date '2024-01-01'), (1, 'qualified', '2024-01-02'), (1, 'lead', '2024-01-01'),
             (1, 'lost', '2024-01-03'), (2, 'won', '2024-01-09'), (3, 'lost', '2024-01-01'),
             (-5, 'qualified', '2024-01-04'), (-5, 'lead', '2024-01-04')) v(d, s, t)
UNION ALL
-- text ids with quotes, backslashes, separators, multibyte, empty and blank; timestamptz
SELECT 2, stage_history(d, s, t, (SELECT stages FROM fz_stage_lists WHERE n = 2))
FROM (VALUES ('x"y', 'lead', timestamptz '2024-01-01 00:00+00'), ('x"y', 'proposal', '2024-01-03 12:00:00.000001+00'),
             ('a\b', 'qualified', '2024-01-02 00:00+00'), ('é日本😀', 'lead', '2024-01-01 00:00+00'),
             ('é日本😀', 'won', '2024-02-01 00:00+00'), ('', 'negotiation', '2024-01-20 00:00+00'),
             (' ', 'lost', '2024-01-20 00:00+00'), ('(1,2),"]', 'lead', '2024-01-05 00:00+00'),
             (E'line\nbreak', 'qualified', '2024-01-05 00:00+00'), ('17', 'lead', '2024-01-05 00:00+00')) v(d, s, t)
UNION ALL
-- bigint extremes of ids and times, odd stage names, timestamps
SELECT 3, stage_history(d, s, t, (SELECT stages FROM fz_stage_lists WHERE n = 4))
FROM (VALUES (9223372036854775807, 'a"b', timestamp '4714-11-24 00:00:00 BC'),
             (9223372036854775807, '', '294276-12-31 23:59:59.999999'),
             (-9223372036854775808, 'c\d', '2024-01-01'), (0, 'é日本', '2024-01-01'),
             (-1, 'x y,z]', '2024-01-01'), (-1, 'elsewhere', '2024-01-01')) v(d, s, t)
UNION ALL
-- empty-ish: one deal, one event outside the list
SELECT 4, stage_history('only', 'lost', date '2024-01-01', ARRAY['lead','qualified','won'])
UNION ALL
-- many events: 60 deals, 300 events in random order, timestamptz
SELECT 5, stage_history(d, s, t, (SELECT stages FROM fz_stage_lists WHERE n = 2))
FROM (SELECT g % 60 AS d,
             (ARRAY['lead','qualified','proposal','negotiation','won','lost'])[1 + (g * 7 / 5) % 6] AS s,
             timestamptz '2024-01-01 00:00+00' + (g * 37 % 101) * interval '1 hour' AS t
      FROM generate_series(1, 300) g ORDER BY md5(g::text)) v
UNION ALL
-- text ids, 64 stages, timestamps
SELECT 6, stage_history('deal-' || (g % 7), 's' || (g % 66 + 1), timestamp '2024-01-01' + g * interval '1 day',
                        (SELECT stages FROM fz_stage_lists WHERE n = 3))
FROM generate_series(1, 40) g
UNION ALL
-- text ids of 1024 bytes (the limit) and of one character, dates
SELECT 7, stage_history(d, s, t, ARRAY['lead','won'])
FROM (VALUES (repeat('é', 512), 'lead', date '2024-01-01'), (repeat('é', 512), 'won', '2024-01-02'),
             ('z', 'won', '2024-01-01')) v(d, s, t)
UNION ALL
-- no events at all (only the input functions can make one)
SELECT 8, '(version=1,time=timestamp,ids=bigint,stages=["lead"],events=[])'::stage_history;


-- issue 14: activity_summary and response_time
CREATE TABLE fz_seed_activity_summary (n int PRIMARY KEY, v activity_summary NOT NULL);
INSERT INTO fz_seed_activity_summary
SELECT 1, activity_summary(t, o)
FROM (VALUES ('call', 'lead'), ('call', 'conversation'), ('email', 'connected'), ('call', NULL),
             ('meeting', NULL), ('sms', 'lead')) v(t, o)
UNION ALL
SELECT 2, activity_summary('meeting', NULL);
CREATE TABLE fz_seed_response_time (n int PRIMARY KEY, v response_time NOT NULL);
INSERT INTO fz_seed_response_time
SELECT 1, response_time(c, r, interval '1 day')
FROM (VALUES (timestamptz '2024-01-01 10:00+00', timestamptz '2024-01-01 11:00+00'),
             ('2024-01-01 10:00+00', '2024-01-03 04:00+00'), ('2024-01-02 10:00+00', NULL)) v(c, r)
UNION ALL
-- beyond 32 answered leads: histogram only
SELECT 2, response_time(d, d + k * interval '37 minutes', interval '4 hours')
FROM (SELECT date '2024-01-01' + k AS d, k FROM generate_series(1, 60) k) g
UNION ALL
SELECT 3, response_time(date '2024-01-01', NULL::date, interval '1 hour');

CREATE TABLE fz_seed_lead_followup (n int PRIMARY KEY, v lead_followup NOT NULL);
INSERT INTO fz_seed_lead_followup
SELECT 1, lead_followup(timestamptz '2024-01-01 10:00+00', a, c)
FROM (VALUES (timestamptz '2023-12-31 10:00+00', true), ('2024-01-01 11:00+00', false), ('2024-01-01 12:00+00', NULL),
             ('2024-01-02 09:00+00', true), ('2024-01-02 09:00+00', false)) v(a, c)
UNION ALL
SELECT 2, lead_followup(date '2024-01-01', NULL::date, NULL);
CREATE TABLE fz_seed_followup_summary (n int PRIMARY KEY, v followup_summary NOT NULL);
INSERT INTO fz_seed_followup_summary
SELECT 1, followup_summary(v) FROM fz_seed_lead_followup WHERE n = 1
UNION ALL
SELECT 2, followup_summary(f) FROM (SELECT k, lead_followup(date '2024-01-01', date '2024-01-01' + (j % 3), j % 5 = 0) f
                                    FROM generate_series(1, 40) k, generate_series(1, k % 7) j GROUP BY k) x;

------------------------------------------------------------------------------
-- where mutants are loaded
------------------------------------------------------------------------------
-- mrr_series and revenue_summary (the revenue family), built by the aggregates
CREATE TABLE fz_subs (customer_id int, starts_at date, ends_at date, amount numeric);
INSERT INTO fz_subs VALUES
  (1, '2024-01-10', '2024-03-05', 100), (1, '2024-05-01', NULL, 120),
  (2, '2024-01-15', '2024-05-01', 50.25), (2, '2024-03-01', '2024-04-20', 30),
  (3, '2023-12-01', '2024-02-10', 200), (3, '2024-02-10', NULL, 150), (3, '2024-02-20', NULL, 80),
  (4, '2024-02-03', '2024-02-25', 500),
  (5, '2024-04-15', NULL, 0.00000000000000000000000000000000000001),
  (6, '2023-06-01', '2023-08-01', 70), (6, '2024-02-01', '2024-04-01', 12345678901234567890123456);
CREATE TABLE fz_seed_mrr_series (n int PRIMARY KEY, v mrr_series NOT NULL);
INSERT INTO fz_seed_mrr_series
SELECT customer_id, mrr_series(starts_at, ends_at, amount) FROM fz_subs GROUP BY customer_id
UNION ALL SELECT 10, mrr_series(m, v) FROM (VALUES (date '0001-01-01', 5), ('9999-12-01', 7)) x(m, v)
-- with products (for the cross-sell rate): a product per subscription, one NULL
UNION ALL SELECT 20 + customer_id, mrr_series(starts_at, ends_at, amount,
                 CASE WHEN starts_at < '2024-02-01' THEN 'A' WHEN customer_id = 3 AND amount = 80 THEN NULL ELSE 'B' || customer_id END)
FROM fz_subs GROUP BY customer_id;
CREATE TABLE fz_seed_revenue_summary (n int PRIMARY KEY, v revenue_summary NOT NULL);
INSERT INTO fz_seed_revenue_summary
SELECT 1, revenue_summary(v, '2024-01-01', '2024-04-01') FROM fz_seed_mrr_series WHERE n < 5
-- scale 38 (one customer; with larger amounts it would not fit 128 bits), one month
UNION ALL SELECT 2, revenue_summary(v, '2024-05-01', '2024-05-01') FROM fz_seed_mrr_series WHERE n = 5
UNION ALL SELECT 3, revenue_summary(v, '2023-11-01', '2024-05-01') FROM fz_seed_mrr_series WHERE n <> 5 AND n < 20
UNION ALL SELECT 4, revenue_summary(v, '2023-12-01', '2024-06-01') FROM fz_seed_mrr_series WHERE n > 20 AND n <> 25;

CREATE TABLE fz_acc_deal_summary (id int, v deal_summary);
CREATE TABLE fz_rt_deal_summary (id int, v deal_summary);
CREATE TABLE fz_acc_order_summary (id int, v order_summary);
CREATE TABLE fz_rt_order_summary (id int, v order_summary);
CREATE TABLE fz_acc_stage_path (id int, v stage_path);
CREATE TABLE fz_rt_stage_path (id int, v stage_path);
CREATE TABLE fz_acc_stage_funnel (id int, v stage_funnel);
CREATE TABLE fz_rt_stage_funnel (id int, v stage_funnel);
CREATE TABLE fz_acc_stage_times (id int, v stage_times);
CREATE TABLE fz_rt_stage_times (id int, v stage_times);
CREATE TABLE fz_acc_stage_history (id int, v stage_history);
CREATE TABLE fz_rt_stage_history (id int, v stage_history);
CREATE TABLE fz_acc_activity_summary (id int, v activity_summary);
CREATE TABLE fz_rt_activity_summary (id int, v activity_summary);
CREATE TABLE fz_acc_response_time (id int, v response_time);
CREATE TABLE fz_rt_response_time (id int, v response_time);
CREATE TABLE fz_acc_lead_followup (id int, v lead_followup);
CREATE TABLE fz_rt_lead_followup (id int, v lead_followup);
CREATE TABLE fz_acc_followup_summary (id int, v followup_summary);
CREATE TABLE fz_rt_followup_summary (id int, v followup_summary);
CREATE TABLE fz_acc_mrr_series (id int, v mrr_series);
CREATE TABLE fz_rt_mrr_series (id int, v mrr_series);
CREATE TABLE fz_acc_revenue_summary (id int, v revenue_summary);
CREATE TABLE fz_rt_revenue_summary (id int, v revenue_summary);

------------------------------------------------------------------------------
-- the oracle
------------------------------------------------------------------------------
CREATE FUNCTION fz_bad(ctx text, what text) RETURNS void LANGUAGE plpgsql AS
$$BEGIN RAISE WARNING 'FZBAD: %', CASE WHEN ctx = '' THEN '' ELSE '[' || ctx || '] ' END || replace(what, E'\n', '\n'); END$$;
CREATE FUNCTION fz_note(ctx text, what text) RETURNS void LANGUAGE plpgsql AS
$$BEGIN RAISE WARNING 'FZNOTE: %', CASE WHEN ctx = '' THEN '' ELSE '[' || ctx || '] ' END || replace(what, E'\n', '\n'); END$$;

-- a float8 KPI that must be NULL or a finite number in [lo, hi]
CREATE FUNCTION fz_in_range(x float8, lo float8, hi float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$SELECT x IS NULL OR (x <> 'NaN' AND x >= lo AND x <= hi)$$;

-- deal_summary ---------------------------------------------------------------
-- Shared by every fz_check: text output, parse back and round trip of a value
-- of any of our types.  t is its text (NULL when v is NULL or its output
-- failed: both reported), w the value parsed back (NULL when it did not parse).
CREATE FUNCTION fz_text_round_trip(v anyelement, ctx text, OUT t text, OUT w anyelement) LANGUAGE plpgsql AS $$
BEGIN
    -- an accepted mutant, and what the aggregates and merges make of it, is
    -- never NULL: a NULL would otherwise pass every check below unseen
    IF v IS NULL THEN
        PERFORM fz_bad(ctx, format('the %s value is NULL', pg_typeof(v)));
        RETURN;
    END IF;
    BEGIN
        t := v::text;
    EXCEPTION WHEN OTHERS THEN
        PERFORM fz_bad(ctx, format('text output fails: %s %s', SQLSTATE, SQLERRM));
        RETURN;
    END;
    BEGIN
        EXECUTE format('SELECT %L::%s', t, pg_typeof(v)) INTO w;
        IF w::text IS DISTINCT FROM t THEN
            PERFORM fz_bad(ctx, format('text round trip changes %s into %s', t, w::text));
        END IF;
    EXCEPTION WHEN OTHERS THEN
        PERFORM fz_bad(ctx, format('text output does not parse back: %s %s; value %s', SQLSTATE, SQLERRM, t));
        w := NULL;
    END;
END $$;

-- The accessors of a summary (its fz_kpis) must work, and give the same
-- results for the value parsed back from its text.
CREATE FUNCTION fz_check_kpis(v anyelement, w anyelement, t text, ctx text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ka text;
    kb text;
BEGIN
    BEGIN
        ka := fz_kpis(v);
        IF split_part(ka, '|', 1) <> '' THEN
            PERFORM fz_bad(ctx, format('%s KPIs %s; value %s', split_part(ka, '|', 1), substr(ka, strpos(ka, '|') + 1), t));
        END IF;
        IF w IS NOT NULL THEN
            kb := fz_kpis(w);
            IF kb IS DISTINCT FROM ka THEN
                PERFORM fz_bad(ctx, format('KPIs change over the text round trip: %s vs %s; value %s', ka, kb, t));
            END IF;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        PERFORM fz_bad(ctx, format('accessor fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

CREATE FUNCTION fz_kpis(v deal_summary) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    bad text := '';
BEGIN
    SELECT deals(v) AS d, won_deals(v) AS wd, lost_deals(v) AS ld, open_deals(v) AS od,
           won_amount(v) AS wa, lost_amount(v) AS la, open_amount(v) AS oa, weighted_pipeline(v) AS wp,
           hit_ratio(v) AS hr, avg_deal_size(v) AS ads, sales_cycle_days(v) AS scd INTO a;
    -- IS NOT FALSE: a count or amount is never NULL, a NULL one is a failure too
    IF (a.wd < 0 OR a.ld < 0 OR a.od < 0 OR a.wd + a.ld + a.od <> a.d) IS NOT FALSE THEN
        bad := bad || 'counts inconsistent or NULL; ';
    END IF;
    IF (a.wa < 0 OR a.la < 0 OR a.oa < 0) IS NOT FALSE OR a.wp < 0 OR a.ads < 0 THEN
        bad := bad || 'negative or NULL amount; ';
    END IF;
    IF (a.hr IS NULL) <> (a.wd + a.ld = 0) OR NOT fz_in_range(a.hr, 0, 1) THEN
        bad := bad || 'hit_ratio out of range; ';
    END IF;
    IF NOT fz_in_range(a.scd, 0, 'Infinity') OR a.scd = 'Infinity' THEN
        bad := bad || 'sales_cycle_days out of range; ';
    END IF;
    RETURN format('%s|deals=%s won=%s lost=%s open=%s won_amount=%s lost_amount=%s open_amount=%s weighted_pipeline=%s hit_ratio=%s avg_deal_size=%s sales_cycle_days=%s',
                  bad, a.d, a.wd, a.ld, a.od, a.wa, a.la, a.oa, a.wp, a.hr, a.ads, a.scd);
END $$;

CREATE FUNCTION fz_check(v deal_summary, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w deal_summary;
    x deal_summary;
    r text[];
    e text[];
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    -- these two read the raw int128 sums; an overflow error on extreme sums is tolerated
    BEGIN
        IF NOT fz_in_range(hit_ratio_by_amount(v), 0, 1) OR NOT fz_in_range(sales_velocity(v), 0, 'Infinity') THEN
            PERFORM fz_bad(ctx, format('hit_ratio_by_amount %s or sales_velocity %s out of range; value %s',
                                       hit_ratio_by_amount(v), sales_velocity(v), t));
        END IF;
    EXCEPTION
        WHEN numeric_value_out_of_range THEN
            PERFORM fz_note(ctx, format('hit_ratio_by_amount/sales_velocity: %s; value %s', SQLERRM, t));
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('hit_ratio_by_amount/sales_velocity fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
    IF ctx <> '' THEN
        RETURN;
    END IF;
    -- merging an accepted value must give a valid value (or an overflow error)
    BEGIN
        SELECT rollup(y) INTO x FROM (VALUES (v), (v)) s(y);
        PERFORM fz_check(x, 'rollup(v, v)');
        SELECT rollup(y) INTO x FROM (VALUES (v), ((SELECT f.v FROM fz_seed_deal_summary f WHERE f.n = 1))) s(y);
        PERFORM fz_check(x, 'rollup(v, seed)');
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        -- a mutant of another time kind than the seed: refusing to merge is right
        WHEN invalid_parameter_value THEN
            IF SQLERRM NOT LIKE '%different time kinds%' THEN
                PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
            END IF;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
    -- a moving window runs the inverse (un-merge) function on it: the result
    -- of every frame must equal the rollup of that frame computed afresh
    BEGIN
        SELECT array_agg(m::text ORDER BY i), array_agg((SELECT rollup(z) FROM unnest(ARRAY[p, y]) z)::text ORDER BY i)
          INTO r, e
        FROM (SELECT i, y,
                     rollup(y) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) m,
                     lag(y) OVER (ORDER BY i) p
              FROM (VALUES (1, (SELECT f.v FROM fz_seed_deal_summary f WHERE f.n = 5)), (2, v), (3, v),
                           (4, (SELECT f.v FROM fz_seed_deal_summary f WHERE f.n = 1)), (5, v)) s(i, y)) q;
        IF r IS DISTINCT FROM e THEN
            PERFORM fz_bad(ctx, format('moving-window rollup %s differs from fresh rollups %s; value %s', r, e, t));
        END IF;
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        WHEN invalid_parameter_value THEN
            IF SQLERRM NOT LIKE '%different time kinds%' THEN
                PERFORM fz_bad(ctx, format('moving-window rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
            END IF;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('moving-window rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

-- order_summary --------------------------------------------------------------
CREATE FUNCTION fz_kpis(v order_summary) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    bad text := '';
BEGIN
    SELECT customers(v) AS c, orders(v) AS o, revenue(v) AS rev, avg_purchase_value(v) AS apv,
           purchase_frequency(v, interval '1 month') AS pf, lifespan(v, interval '1 day') AS ls,
           clv(v) AS clv INTO a;
    IF (a.c < 0 OR a.o < a.c OR a.rev IS NULL) IS NOT FALSE THEN
        bad := bad || 'counts inconsistent or NULL; ';
    END IF;
    IF (a.clv IS NULL) <> (a.c = 0) OR (a.apv IS NULL) <> (a.o = 0) OR (a.ls IS NULL) <> (a.c = 0) THEN
        bad := bad || 'NULL KPIs inconsistent with the counts; ';
    END IF;
    IF NOT fz_in_range(a.ls, 0, 'Infinity') OR a.ls = 'Infinity' OR NOT fz_in_range(a.pf, 0, 'Infinity') THEN
        bad := bad || 'lifespan or purchase_frequency out of range; ';
    END IF;
    IF a.c > 0 AND a.clv IS DISTINCT FROM a.rev / a.c THEN
        bad := bad || 'clv is not revenue / customers; ';
    END IF;
    RETURN format('%s|customers=%s orders=%s revenue=%s avg_purchase_value=%s purchase_frequency=%s lifespan=%s clv=%s',
                  bad, a.c, a.o, a.rev, a.apv, a.pf, a.ls, a.clv);
END $$;

CREATE FUNCTION fz_check(v order_summary, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w order_summary;
    x order_summary;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' THEN
        RETURN;
    END IF;
    BEGIN
        SELECT rollup(y) INTO x FROM (VALUES (v), (v)) s(y);
        PERFORM fz_check(x, 'rollup(v, v)');
        SELECT rollup(y) INTO x FROM (VALUES ((SELECT f.v FROM fz_seed_order_summary f WHERE f.n = 1)), (v)) s(y);
        PERFORM fz_check(x, 'rollup(seed, v)');
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        -- a mutant of another time kind than the seed: refusing to merge is right
        WHEN invalid_parameter_value THEN
            IF SQLERRM NOT LIKE '%different time kinds%' THEN
                PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
            END IF;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

-- stage_funnel ---------------------------------------------------------------
CREATE FUNCTION fz_kpis(v stage_funnel) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r record;
    d bigint := deals(v);
    o bigint := outside_deals(v);
    mode text := substring(v::text FROM ',mode=([a-z]+),');
    prev bigint;
    first text;
    n int := 0;
    bad text := '';
    rows text := '';
BEGIN
    IF (o < 0 OR o > d) IS NOT FALSE THEN
        bad := bad || 'outside_deals out of range or NULL; ';
    END IF;
    FOR r IN SELECT * FROM stage_conversion(v) LOOP
        n := n + 1;
        rows := rows || format('(%s,%s,%s,%s,%s)', r.stage, r.position, r.reached, r.step_rate, r.cumulative_rate);
        IF r.position IS DISTINCT FROM n THEN
            bad := bad || 'positions not 1..n; ';
        END IF;
        IF (r.reached < 0 OR r.reached > d - o) IS NOT FALSE THEN
            bad := bad || format('reached(%s) out of range; ', r.stage);
        END IF;
        IF mode IN ('implied', 'ordered') AND (r.reached > prev OR NOT fz_in_range(r.step_rate, 0, 1)) THEN
            bad := bad || format('counts grow along an %s funnel; ', mode);
        END IF;
        IF reached(v, r.stage) IS DISTINCT FROM r.reached THEN
            bad := bad || format('reached(%s) differs from stage_conversion(); ', r.stage);
        END IF;
        IF n = 1 THEN
            first := r.stage;
        END IF;
        IF stage_conversion(v, first, r.stage) IS DISTINCT FROM r.cumulative_rate THEN
            bad := bad || format('stage_conversion(%s, %s) differs from the cumulative rate; ', first, r.stage);
        END IF;
        prev := r.reached;
    END LOOP;
    IF n < 1 OR n > 64 THEN
        bad := bad || 'number of stages out of range; ';
    END IF;
    RETURN format('%s|%s %s %s %s', bad, d, o, mode, rows);
END $$;

CREATE FUNCTION fz_check(v stage_funnel, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w stage_funnel;
    x stage_funnel;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' THEN
        RETURN;
    END IF;
    BEGIN
        SELECT rollup(y) INTO x FROM (VALUES (v), (v)) s(y);
        PERFORM fz_check(x, 'rollup(v, v)');
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        -- a mutant of another time kind than the seed: refusing to merge is right
        WHEN invalid_parameter_value THEN
            IF SQLERRM NOT LIKE '%different time kinds%' THEN
                PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
            END IF;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
    -- merging with a funnel of other stages or another mode must be refused cleanly
    FOR x IN SELECT f.v FROM fz_seed_stage_funnel f LOOP
        BEGIN
            PERFORM rollup(y) FROM (VALUES (x), (v)) s(y);
        EXCEPTION
            WHEN numeric_value_out_of_range OR invalid_parameter_value THEN NULL;
            WHEN OTHERS THEN
                PERFORM fz_bad(ctx, format('rollup with a seed fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
        END;
    END LOOP;
END $$;

-- stage_path -----------------------------------------------------------------
-- The funnels and the times in stage (without as_of; with a near as_of and
-- stale_after; with the last representable as_of) of a path over every known
-- stage list and mode; a path built with another stage list is refused with
-- "different stage list".
CREATE FUNCTION fz_kpis(v stage_path, ctx text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    l record;
    m text;
    f stage_funnel;
    st stage_times;
    kind text := substring(v::text FROM ',time=([a-z]+),');
    res text := '';
BEGIN
    FOR l IN SELECT n, stages FROM fz_stage_lists ORDER BY n LOOP
        FOREACH m IN ARRAY ARRAY['', '2024-01-05 00:00+00', '294276-12-31 23:59:59.999999+00'] LOOP
            BEGIN
                IF m = '' THEN
                    SELECT stage_times(y, l.stages) INTO st FROM (VALUES (v)) s(y);
                ELSE
                    EXECUTE format('SELECT stage_times(y, $1, %L::%s%s) FROM (VALUES ($2)) s(y)',
                                   m, kind, CASE WHEN m LIKE '2024%' THEN ', interval ''1 day''' ELSE '' END)
                        INTO st USING l.stages, v;
                END IF;
                PERFORM fz_check(st, ctx || format('stage_times(path, list %s, as_of %s)', l.n, m));
                res := res || format('%s/times %s=%s ', l.n, m, st::text);
            EXCEPTION WHEN OTHERS THEN
                IF SQLSTATE = '22023' AND SQLERRM LIKE '%different stage list%' THEN
                    res := res || format('%s/times %s=other-list ', l.n, m);
                ELSE
                    PERFORM fz_bad(ctx, format('stage_times(path, list %s, as_of %s) fails: %s %s; value %s',
                                               l.n, m, SQLSTATE, SQLERRM, v::text));
                END IF;
            END;
        END LOOP;
        FOREACH m IN ARRAY ARRAY['implied', 'entered', 'ordered'] LOOP
            BEGIN
                SELECT stage_funnel(y, l.stages, m) INTO f FROM (VALUES (v)) s(y);
                PERFORM fz_check(f, ctx || format('stage_funnel(path, list %s, %s)', l.n, m));
                res := res || format('%s/%s=%s ', l.n, m, f::text);
            EXCEPTION WHEN OTHERS THEN
                IF SQLSTATE = '22023' AND SQLERRM LIKE '%different stage list%' THEN
                    res := res || format('%s/%s=other-list ', l.n, m);
                ELSE
                    PERFORM fz_bad(ctx, format('stage_funnel(path, list %s, %s) fails: %s %s; value %s',
                                               l.n, m, SQLSTATE, SQLERRM, v::text));
                END IF;
            END;
        END LOOP;
    END LOOP;
    RETURN res;
END $$;

CREATE FUNCTION fz_check(v stage_path, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w stage_path;
    ka text;
    kb text;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    BEGIN
        ka := fz_kpis(v, ctx);
        IF w IS NOT NULL THEN
            kb := fz_kpis(w, ctx || 'reparsed: ');
            IF kb IS DISTINCT FROM ka THEN
                PERFORM fz_bad(ctx, format('funnels change over the text round trip: %s vs %s; value %s', ka, kb, t));
            END IF;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        PERFORM fz_bad(ctx, format('stage_funnel or stage_times(path) fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

-- stage_times ----------------------------------------------------------------
-- The tokens of the text output of a stage_times: quoted names, numbers and
-- the text between them; key names what a number is (the key before its '=',
-- 'bucket' or 'count' in a histogram), stage the 1-based stage it is in.
CREATE FUNCTION fz_times_tokens(t text, OUT i bigint, OUT tok text, OUT key text, OUT stage bigint)
RETURNS SETOF record LANGUAGE sql IMMUTABLE AS $$
    SELECT i, tok,
           CASE WHEN tok ~ '^-?[0-9]+$' THEN
                CASE WHEN prev ~ '[a-z_]+=$' THEN substring(prev FROM '([a-z_]+)=$')
                     WHEN prev ~ ':$' THEN 'count'
                     ELSE 'bucket' END END,
           count(*) FILTER (WHERE tok LIKE '"%') OVER (ORDER BY i)
    FROM (SELECT r.i, r.m[1] AS tok, lag(r.m[1]) OVER (ORDER BY r.i) AS prev
          FROM regexp_matches(t, '"(?:[^"\\]|\\.)*"|-?[0-9]+|[^"0-9-]+|.', 'g') WITH ORDINALITY r(m, i)) x
$$;

-- The text of a stage_times with every count and total multiplied by f: what
-- rollup() of f copies of it must give, but for the exact times (version 2),
-- left out here (fz_times_no_exact): input checks them against the histogram.
CREATE FUNCTION fz_times_no_exact(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT regexp_replace(t, ',exact=\[[-0-9,]*\]', '', 'g')
$$;
CREATE FUNCTION fz_times_scaled(t text, f int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(CASE WHEN key IN ('deals', 'outside', 'visits', 'exited', 'exited_us', 'current',
                                        'current_us', 'stale', 'count')
                           THEN (tok::numeric * f)::text ELSE tok END, '' ORDER BY i)
    FROM fz_times_tokens(fz_times_no_exact(t))
$$;

CREATE FUNCTION fz_kpis(v stage_times) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r record;
    a record;
    t text := v::text;
    has_as_of boolean := t !~ '^\(version=[0-9]+,time=[a-z]+,as_of=none,';
    has_stale boolean := t !~ '^\(version=[0-9]+,time=[a-z]+,as_of=[-0-9a-z]+,stale_after=none,';
    d bigint := deals(v);
    o bigint := outside_deals(v);
    names text[] := '{}';
    current_sum numeric := 0;
    n int := 0;
    bad text := '';
    rows text := '';
BEGIN
    IF (o < 0 OR o > d) IS NOT FALSE THEN
        bad := bad || 'outside_deals out of range or NULL; ';
    END IF;
    FOR r IN SELECT * FROM time_in_stage(v) LOOP
        n := n + 1;
        rows := rows || format('(%s,%s,%s,%s,%s,%s,%s,%s,%s)', r.stage, r.position, r.visits, r.exited_deals,
                               r.avg_days, r.median_days, r.current_deals, r.avg_current_days, r.stale_deals);
        IF r.position IS DISTINCT FROM n THEN
            bad := bad || 'positions not 1..n; ';
        END IF;
        IF r.stage = ANY (names) THEN
            bad := bad || format('duplicate stage %s; ', r.stage);
            CONTINUE;
        END IF;
        names := names || r.stage;
        IF (r.visits < 0 OR r.exited_deals < 0 OR r.current_deals < 0) IS NOT FALSE OR r.stale_deals < 0 THEN
            bad := bad || format('negative or NULL count in %s; ', r.stage);
        END IF;
        -- a deal back in a stage it left before is both exited and current there
        IF r.visits < r.exited_deals::numeric + r.current_deals
           OR r.exited_deals > d::numeric - o OR r.current_deals > d::numeric - o THEN
            bad := bad || format('exited + current of %s exceed its visits, or one of them the deals in the funnel; ', r.stage);
        END IF;
        IF (r.stale_deals IS NULL) = has_stale OR r.stale_deals > r.current_deals THEN
            bad := bad || format('stale_deals(%s) inconsistent; ', r.stage);
        END IF;
        IF (r.avg_days IS NULL) <> (r.exited_deals = 0) OR (r.median_days IS NULL) <> (r.exited_deals = 0)
           OR (r.avg_current_days IS NULL) <> (NOT has_as_of OR r.current_deals = 0) THEN
            bad := bad || format('NULL KPIs of %s inconsistent with the counts; ', r.stage);
        END IF;
        IF NOT fz_in_range(r.avg_days, 0, 'Infinity') OR r.avg_days = 'Infinity'
           OR NOT fz_in_range(r.median_days, 0, 'Infinity') OR r.median_days = 'Infinity'
           OR NOT fz_in_range(r.avg_current_days, 0, 'Infinity') OR r.avg_current_days = 'Infinity' THEN
            bad := bad || format('days of %s out of range; ', r.stage);
        END IF;
        -- the per-stage accessors agree with the rows
        SELECT visits(v, r.stage) AS vi, exited_deals(v, r.stage) AS ex, avg_days(v, r.stage) AS ad,
               median_days(v, r.stage) AS md, current_deals(v, r.stage) AS cu,
               avg_current_days(v, r.stage) AS acd, stale_deals(v, r.stage) AS st INTO a;
        IF (a.vi, a.ex, a.ad, a.md, a.cu, a.acd, a.st) IS DISTINCT FROM
           (r.visits, r.exited_deals, r.avg_days, r.median_days, r.current_deals, r.avg_current_days, r.stale_deals) THEN
            bad := bad || format('accessors of %s differ from time_in_stage(): %s; ', r.stage, a);
        END IF;
        current_sum := current_sum + r.current_deals;
    END LOOP;
    IF n < 1 OR n > 64 THEN
        bad := bad || 'number of stages out of range; ';
    END IF;
    IF current_sum > d::numeric - o THEN
        bad := bad || format('%s deals current but only %s in the funnel (a deal is current in one stage only); ',
                             current_sum, d::numeric - o);
    END IF;
    RETURN format('%s|%s %s %s', bad, d, o, rows);
END $$;

CREATE FUNCTION fz_check(v stage_times, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w stage_times;
    x stage_times;
    f stage_funnel;
    e text;
    r text[];
    q text[];
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' THEN
        RETURN;
    END IF;
    -- invariants the input does not check (yet): tolerated, counted
    BEGIN
        FOR e IN
            SELECT DISTINCT CASE WHEN s.cur = 0 THEN 'current_us without current deals'
                                 ELSE 'stale deals younger than stale_after (current_us < stale * (stale_after + 1))' END
            FROM (SELECT stage, max(tok::numeric) FILTER (WHERE key = 'current') cur,
                         max(tok::numeric) FILTER (WHERE key = 'current_us') cur_us,
                         max(tok::numeric) FILTER (WHERE key = 'stale') stale
                  FROM fz_times_tokens(t) WHERE stage > 0 GROUP BY stage) s,
                 (SELECT max(tok::numeric) FILTER (WHERE key = 'stale_after') sa FROM fz_times_tokens(t)) h
            WHERE (s.cur = 0 AND s.cur_us <> 0) OR s.cur_us < s.stale * (h.sa + 1)
            UNION ALL
            -- every deal in the funnel has exited or is in at least one stage
            SELECT 'deals in the funnel that are in no stage (sum of exited + current < deals - outside)'
            FROM (SELECT sum(tok::numeric) FILTER (WHERE key IN ('exited', 'current')) ec,
                         max(tok::numeric) FILTER (WHERE key = 'deals') - max(tok::numeric) FILTER (WHERE key = 'outside') f
                  FROM fz_times_tokens(t)) c
            WHERE c.ec < c.f
        LOOP
            PERFORM fz_note(ctx, format('stage_times: %s; value %s', e, t));
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        PERFORM fz_bad(ctx, format('cannot tokenize the text output: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
    -- merging with itself doubles every count and total, and keeps the rest
    BEGIN
        SELECT rollup(y) INTO x FROM (VALUES (v), (v)) s(y);
        IF fz_times_no_exact(x::text) IS DISTINCT FROM fz_times_scaled(t, 2) THEN
            PERFORM fz_bad(ctx, format('rollup(v, v) gives %s, not the counts doubled %s; value %s',
                                       x::text, fz_times_scaled(t, 2), t));
        END IF;
        PERFORM fz_check(x, 'rollup(v, v)');
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        -- a mutant of another time kind than the seed: refusing to merge is right
        WHEN invalid_parameter_value THEN
            IF SQLERRM NOT LIKE '%different time kinds%' THEN
                PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
            END IF;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
    -- merging with times of other stages, time type, as_of or stale_after must be refused cleanly
    FOR x IN SELECT s.v FROM fz_seed_stage_times s LOOP
        BEGIN
            PERFORM rollup(y) FROM (VALUES (x), (v)) s(y);
        EXCEPTION
            WHEN numeric_value_out_of_range OR invalid_parameter_value THEN NULL;
            WHEN OTHERS THEN
                PERFORM fz_bad(ctx, format('rollup with a seed fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
        END;
    END LOOP;
    -- stage_report() with the funnel seeds: refused for another stage list,
    -- else its time-in-stage columns are those of time_in_stage()
    FOR f IN SELECT s.v FROM fz_seed_stage_funnel s LOOP
        BEGIN
            SELECT array_agg(format('%s', (sr.stage, sr.position, sr.visits, sr.exited_deals, sr.avg_days,
                                           sr.median_days, sr.current_deals, sr.avg_current_days,
                                           sr.stale_deals)) ORDER BY sr.position)
              INTO r FROM stage_report(f, v) sr;
            SELECT array_agg(format('%s', ts) ORDER BY ts.position) INTO q FROM time_in_stage(v) ts;
            IF r IS DISTINCT FROM q THEN
                PERFORM fz_bad(ctx, format('stage_report(funnel, v) %s differs from time_in_stage(v) %s; value %s',
                                           r, q, t));
            END IF;
        EXCEPTION
            WHEN invalid_parameter_value THEN NULL;
            WHEN OTHERS THEN
                PERFORM fz_bad(ctx, format('stage_report with a seed funnel fails: %s %s; value %s',
                                           SQLSTATE, SQLERRM, t));
        END;
    END LOOP;
END $$;

-- stage_history ----------------------------------------------------------------
-- The events of a stage_history, read from its text output: i is the rank in
-- the output, id the deal id (unescaped text, or the bigint's digits).
CREATE FUNCTION fz_history_events(t text, OUT i bigint, OUT id text, OUT pos int, OUT ts bigint)
RETURNS SETOF record LANGUAGE sql IMMUTABLE AS $$
    SELECT r.i,
           CASE WHEN left(r.m[1], 1) = '"' THEN regexp_replace(substr(r.m[1], 2, length(r.m[1]) - 2), '\\(.)', '\1', 'g')
                ELSE r.m[1] END,
           r.m[2]::int, r.m[3]::bigint
    FROM regexp_matches(substring(t FROM '^\(version=1,time=[a-z]+,ids=[a-z]+,stages=\[(?:"(?:[^"\\]|\\.)*",?)*\],events=\[(.*)\]\)$'),
                        '\(("(?:[^"\\]|\\.)*"|-?[0-9]+),([0-9]+),(-?[0-9]+)\)', 'g') WITH ORDINALITY r(m, i)
$$;

-- an event's time (microseconds since 2000-01-01) as each time type, exactly;
-- NULL for a date when it is not at midnight
CREATE FUNCTION fz_us_timestamp(us bigint) RETURNS timestamp LANGUAGE sql IMMUTABLE AS
$$SELECT timestamp '2000-01-01' + (us / 86400000000) * interval '1 day' + (us % 86400000000) * interval '1 microsecond'$$;
CREATE FUNCTION fz_us_timestamptz(us bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE SET TimeZone = 'UTC' AS
$$SELECT timestamptz '2000-01-01 00:00+00' + (us / 86400000000) * interval '1 day' + (us % 86400000000) * interval '1 microsecond'$$;
CREATE FUNCTION fz_us_date(us bigint) RETURNS date LANGUAGE sql IMMUTABLE AS
$$SELECT CASE WHEN us % 86400000000 = 0 THEN date '2000-01-01' + (us / 86400000000)::int END$$;

-- the as_of values the readers are called with, per time type
CREATE FUNCTION fz_history_as_of(kind text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE kind WHEN 'date' THEN ARRAY['2024-01-05', '294276-12-30']
                     WHEN 'timestamp' THEN ARRAY['2024-01-05 06:00', '294276-12-31 23:59:59.999999']
                     ELSE ARRAY['2024-01-05 06:00+00', '294276-12-31 23:59:59.999999+00'] END
$$;

-- The readers of a history: events(), the funnels in every mode, the times
-- in stage without as_of, with as_of, and with as_of and stale_after.
CREATE FUNCTION fz_kpis(v stage_history) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    kind text := substring(v::text FROM '^\(version=[0-9]+,time=([a-z]+),');
    m text;
    a text;
    b text;
    bad text := '';
    res text := format('events=%s ', events(v));
BEGIN
    IF (events(v) < 0) IS NOT FALSE THEN
        bad := bad || 'negative or NULL events(); ';
    END IF;
    IF stage_funnel(v)::text IS DISTINCT FROM stage_funnel(v, 'implied')::text THEN
        bad := bad || 'stage_funnel(h) is not stage_funnel(h, ''implied''); ';
    END IF;
    res := res || format('implied=%s entered=%s ordered=%s times=%s ', stage_funnel(v, 'implied')::text,
                         stage_funnel(v, 'entered')::text, stage_funnel(v, 'ordered')::text, stage_times(v)::text);
    FOREACH m IN ARRAY fz_history_as_of(kind) LOOP
        EXECUTE format('SELECT stage_times($1, %L::%s)::text, stage_times($1, %L::%s, interval ''1 day'')::text',
                       m, kind, m, kind) INTO a, b USING v;
        res := res || format('times %s=%s stale=%s ', m, a, b);
    END LOOP;
    RETURN format('%s|%s', bad, res);
END $$;

-- Every reader's result is a valid value of its type (fz_check of a funnel
-- or times, without their merging checks).
CREATE FUNCTION fz_history_results(v stage_history, t text, ctx text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    kind text := substring(t FROM '^\(version=[0-9]+,time=([a-z]+),');
    m text;
    st stage_times;
BEGIN
    FOREACH m IN ARRAY ARRAY['implied', 'entered', 'ordered'] LOOP
        PERFORM fz_check(stage_funnel(v, m), ctx || format('stage_funnel(history, %s): ', m));
    END LOOP;
    PERFORM fz_check(stage_times(v), ctx || 'stage_times(history): ');
    FOREACH m IN ARRAY fz_history_as_of(kind) LOOP
        EXECUTE format('SELECT stage_times($1, %L::%s, interval ''1 day'')', m, kind) INTO st USING v;
        PERFORM fz_check(st, ctx || format('stage_times(history, %s, 1 day): ', m));
    END LOOP;
EXCEPTION WHEN OTHERS THEN
    PERFORM fz_bad(ctx, format('a reader fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
END $$;

-- The key property: the readers of a history give what the two-level form
-- gives over the same events (a stage_path per deal); and the aggregate over
-- the events rebuilds the very same value.  Returns the problems found.
CREATE FUNCTION fz_history_two_level(v stage_history, t text) RETURNS text LANGUAGE plpgsql SET TimeZone = 'UTC' AS $$
DECLARE
    kind text := substring(t FROM '^\(version=[0-9]+,time=([a-z]+),');
    bigint_ids boolean := t ~ '^\(version=[0-9]+,time=[a-z]+,ids=bigint,';
    as_of text[] := fz_history_as_of(kind);
    names text[];
    outside text;
    n int;
    ids text[];
    ps int[];
    tss bigint[];
    tk text;
    sorted boolean;
    r text;
    a text[];
    b text[];
    what text[] := ARRAY['stage_funnel(h, implied)', 'stage_funnel(h, entered)', 'stage_funnel(h, ordered)',
                         'stage_times(h)', format('stage_times(h, %s, 1 day)', as_of[1]),
                         format('stage_times(h, %s, 1 day)', as_of[2])];
    bad text := '';
BEGIN
    SELECT array_agg(stage ORDER BY position) INTO names FROM stage_conversion(stage_funnel(v));
    n := cardinality(names);
    outside := '#' || array_to_string(names, '');       -- longer than any name: in no list
    -- the text output, parsed: every event, in the canonical order
    SELECT array_agg(id ORDER BY i), array_agg(pos ORDER BY i), array_agg(ts ORDER BY i), bool_and(i = k)
      INTO ids, ps, tss, sorted
      FROM (SELECT i, id, pos, ts, row_number() OVER (ORDER BY CASE WHEN bigint_ids THEN id::numeric END,
                                                       octet_length(id), convert_to(id, 'UTF8'), ts, pos) AS k
            FROM fz_history_events(t)) e;
    IF coalesce(cardinality(ids), 0) IS DISTINCT FROM events(v) THEN
        RETURN format('%s events in the text output, events() says %s; ', coalesce(cardinality(ids), 0), events(v));
    END IF;
    IF ids IS NULL THEN
        IF deals(stage_funnel(v)) IS DISTINCT FROM 0 OR deals(stage_times(v)) IS DISTINCT FROM 0 THEN
            bad := bad || 'deals counted in a history without events; ';
        END IF;
        RETURN bad;
    END IF;
    IF NOT sorted OR EXISTS (SELECT FROM unnest(ps) p WHERE p < 0 OR p > n) THEN
        bad := bad || 'events not sorted by (deal, time, position) or positions out of range; ';
    END IF;
    -- the times as the history's own type, when they all are (a date at midnight)
    tk := CASE WHEN kind <> 'date' OR NOT EXISTS (SELECT FROM unnest(tss) x WHERE x % 86400000000 <> 0) THEN kind END;
    -- the aggregate over the events gives the same value
    IF tk IS NOT NULL THEN
        EXECUTE format('SELECT stage_history(e.id::%s, CASE WHEN e.pos = $3 THEN $4 ELSE $2[e.pos + 1] END, fz_us_%s(e.ts), $2)::text
                        FROM unnest($5, $6, $7) e(id, pos, ts)', CASE WHEN bigint_ids THEN 'bigint' ELSE 'text' END, tk)
            INTO r USING t, names, n, outside, ids, ps, tss;
        IF r IS DISTINCT FROM t THEN
            bad := bad || format('the aggregate over its events gives %s; ', r);
        END IF;
    END IF;
    -- the funnels and times in stage of a path per deal (as timestamps when
    -- the dates are not all at midnight: then only the funnels)
    EXECUTE format('WITH p AS MATERIALIZED (
                        SELECT stage_path(CASE WHEN e.pos = $3 THEN $4 ELSE $2[e.pos + 1] END, fz_us_%1$s(e.ts), $2) p
                        FROM unnest($5, $6, $7) e(id, pos, ts) GROUP BY e.id)
                    SELECT ARRAY[(SELECT stage_funnel(p, $2, ''implied'') FROM p)::text,
                                 (SELECT stage_funnel(p, $2, ''entered'') FROM p)::text,
                                 (SELECT stage_funnel(p, $2, ''ordered'') FROM p)::text%2$s]',
                   coalesce(tk, 'timestamp'),
                   CASE WHEN tk IS NOT NULL THEN
                       format(', (SELECT stage_times(p, $2) FROM p)::text,
                               (SELECT stage_times(p, $2, %1$L::%3$s, interval ''1 day'') FROM p)::text,
                               (SELECT stage_times(p, $2, %2$L::%3$s, interval ''1 day'') FROM p)::text',
                              as_of[1], as_of[2], kind) ELSE '' END)
        INTO a USING t, names, n, outside, ids, ps, tss;
    EXECUTE format('SELECT ARRAY[stage_funnel($1, ''implied'')::text, stage_funnel($1, ''entered'')::text,
                                 stage_funnel($1, ''ordered'')::text%s]',
                   CASE WHEN tk IS NOT NULL THEN
                       format(', stage_times($1)::text, stage_times($1, %1$L::%3$s, interval ''1 day'')::text,
                               stage_times($1, %2$L::%3$s, interval ''1 day'')::text', as_of[1], as_of[2], kind)
                   ELSE '' END)
        INTO b USING v;
    FOR k IN 1 .. cardinality(a) LOOP
        IF a[k] IS DISTINCT FROM b[k] THEN
            bad := bad || format('%s = %s, two-level %s; ', what[k], b[k], a[k]);
        END IF;
    END LOOP;
    -- same stage list (hash) as the two-level funnel: they merge
    BEGIN
        PERFORM rollup(y) FROM (VALUES (stage_funnel(v)), (a[1]::stage_funnel)) s(y);
    EXCEPTION WHEN numeric_value_out_of_range THEN NULL;
    END;
    RETURN bad;
END $$;

CREATE FUNCTION fz_check(v stage_history, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w stage_history;
    x stage_history;
    kind text;
    e text;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    -- the deal ids come from the input too: the output must be valid in the encoding
    BEGIN
        PERFORM convert_from(convert_to(t, 'UTF8'), 'UTF8');
    EXCEPTION WHEN OTHERS THEN
        PERFORM fz_bad(ctx, format('text output is not valid UTF8 (%s %s); value %s',
                                   SQLSTATE, SQLERRM, encode(textsend(t), 'escape')));
        RETURN;
    END;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' THEN
        RETURN;
    END IF;
    PERFORM fz_history_results(v, t, ctx);
    BEGIN
        e := fz_history_two_level(v, t);
        IF e <> '' THEN
            PERFORM fz_bad(ctx, format('%svalue %s', e, t));
        END IF;
    EXCEPTION WHEN OTHERS THEN
        PERFORM fz_bad(ctx, format('two-level comparison fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
    kind := substring(t FROM '^\(version=[0-9]+,time=([a-z]+),');
    BEGIN
        -- the final function keeps a sorted value as it is
        IF stage_history_final(v)::text IS DISTINCT FROM t THEN
            PERFORM fz_bad(ctx, format('stage_history_final(v) changes it into %s', stage_history_final(v)::text));
        END IF;
        -- merged with itself: every event twice, the same deals reached
        x := stage_history_final(stage_history_combine(v, v));
        PERFORM fz_check(x, 'final(combine(v, v)): ');
        IF events(x) IS DISTINCT FROM 2 * events(v)
           OR stage_funnel(x, 'entered')::text IS DISTINCT FROM stage_funnel(v, 'entered')::text
           OR stage_funnel(x, 'implied')::text IS DISTINCT FROM stage_funnel(v, 'implied')::text THEN
            PERFORM fz_bad(ctx, format('combine(v, v) gives %s; value %s', x::text, t));
        END IF;
        -- one more event through the transition function of its own type
        EXECUTE format('SELECT stage_history_final(stage_history_accum($1, %s, $2[1], %L::%s, $2))',
                       CASE WHEN t ~ '^\(version=[0-9]+,time=[a-z]+,ids=bigint,' THEN '42::bigint' ELSE '''42''::text' END,
                       (fz_history_as_of(kind))[1], kind)
            INTO x USING v, (SELECT array_agg(stage ORDER BY position) FROM stage_conversion(stage_funnel(v)));
        PERFORM fz_check(x, 'accum(v, one event): ');
        IF events(x) IS DISTINCT FROM events(v) + 1 THEN
            PERFORM fz_bad(ctx, format('accum(v, one event) gives %s; value %s', x::text, t));
        END IF;
    EXCEPTION WHEN OTHERS THEN
        PERFORM fz_bad(ctx, format('final/combine/accum fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
    -- merging with a history of other stages, time or id type must be refused cleanly
    FOR x IN SELECT s.v FROM fz_seed_stage_history s WHERE s.n <> 5 LOOP
        BEGIN
            PERFORM stage_history_final(stage_history_combine(x, v));
        EXCEPTION
            WHEN invalid_parameter_value THEN NULL;
            WHEN OTHERS THEN
                PERFORM fz_bad(ctx, format('combine with a seed fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
        END;
    END LOOP;
    -- an as_of of another time type is refused cleanly
    BEGIN
        IF kind = 'date' THEN
            PERFORM stage_times(v, timestamp '2024-01-01');
        ELSE
            PERFORM stage_times(v, date '2024-01-01');
        END IF;
        PERFORM fz_bad(ctx, format('stage_times(h, as_of) accepts an as_of of another type; value %s', t));
    EXCEPTION
        WHEN invalid_parameter_value THEN NULL;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('stage_times(h, as_of of another type) fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

-- Once per run: the transition function called directly on a history must
-- refuse an event of the other deal id type (its records would not fit); an
-- event of another time type is tolerated (as for stage_path), counted.
CREATE FUNCTION fz_probe_stage_history() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    h record;
    c record;
    x stage_history;
BEGIN
    FOR h IN SELECT format('(version=1,time=%s,ids=%s,stages=["a","b"],events=[(%s,0,0)])', k, i,
                           CASE i WHEN 'bigint' THEN '1' ELSE '"x"' END)::stage_history AS v, k, i
             FROM (VALUES ('date', 'bigint'), ('timestamptz', 'text')) s(k, i) LOOP
        FOR c IN SELECT k, i, CASE i WHEN 'bigint' THEN '255::bigint' ELSE 'repeat(''q'', 100)' END AS id
                 FROM (VALUES (h.k, h.i), (h.k, CASE h.i WHEN 'bigint' THEN 'text' ELSE 'bigint' END),
                              (CASE h.k WHEN 'date' THEN 'timestamp' ELSE 'date' END, h.i)) s(k, i) LOOP
            BEGIN
                EXECUTE format('SELECT stage_history_final(stage_history_accum(stage_history_accum($1, %s, ''a'', %L::%s, ''{a,b}''),
                                        %s, ''b'', %L::%s, ''{a,b}''))',
                               c.id, '2024-01-01', c.k, c.id, '2024-01-02', c.k) INTO x USING h.v;
                IF c.i <> h.i THEN
                    PERFORM fz_bad('probe', format('stage_history_accum(history of %s ids, a %s id) accepted: %s',
                                                   h.i, c.i, encode(textsend(x::text), 'escape')));
                ELSIF c.k <> h.k THEN
                    PERFORM fz_note('probe', format('stage_history_accum(history of %s times, a %s) accepted',
                                                    h.k, c.k));
                ELSE
                    PERFORM fz_check(x, 'probe: ');
                END IF;
            EXCEPTION WHEN OTHERS THEN
                -- refusing an event of another type is right (with any but an internal error)
                IF (c.i, c.k) = (h.i, h.k) OR SQLSTATE LIKE 'XX%' OR SQLSTATE LIKE '53%' THEN
                    PERFORM fz_bad('probe', format('stage_history_accum(history of %s times and %s ids, a %s and a %s id) '
                                                   'fails: %s %s', h.k, h.i, c.k, c.i, SQLSTATE, SQLERRM));
                END IF;
            END;
        END LOOP;
    END LOOP;
END $$;

-- binary round trip of the accepted values of one batch: fz_rt_<type> holds
-- what COPY TO / COPY FROM binary made of fz_acc_<type>
CREATE FUNCTION fz_rt_compare(typ text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN EXECUTE format(
        'SELECT a.id, a.v::text AS va, b.v::text AS vb, b.id IS NULL AS missing
         FROM fz_acc_%1$s a LEFT JOIN fz_rt_%1$s b USING (id)
         WHERE b.id IS NULL OR a.v::text IS DISTINCT FROM b.v::text', typ)
    LOOP
        PERFORM fz_bad(format('mutant %s', r.id),
                       CASE WHEN r.missing THEN 'lost in the binary round trip'
                            ELSE format('binary round trip changes %s into %s', r.va, r.vb) END);
    END LOOP;
END $$;

-- activity_summary (issue 14) ------------------------------------------------
CREATE FUNCTION fz_kpis(v activity_summary) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    bad text := '';
BEGIN
    SELECT attempts(v) AS at, calls(v) AS c, emails(v) AS e, connected(v) AS cn, conversations(v) AS cv,
           leads(v) AS l, reach_ratio(v) AS rr, lead_rate(v) AS lr, call_share(v) AS cs INTO a;
    IF (a.at <> a.c + a.e OR a.l > a.cv OR a.cv > a.cn OR a.cn > a.at) IS NOT FALSE THEN
        bad := bad || 'counts inconsistent or NULL; ';
    END IF;
    IF (a.rr IS NULL) <> (a.at = 0) OR NOT fz_in_range(a.rr, 0, 1) OR NOT fz_in_range(a.lr, 0, 1) OR NOT fz_in_range(a.cs, 0, 1) THEN
        bad := bad || 'ratios out of range; ';
    END IF;
    RETURN format('%s|attempts=%s calls=%s emails=%s connected=%s conversations=%s leads=%s reach=%s lead_rate=%s call_share=%s',
                  bad, a.at, a.c, a.e, a.cn, a.cv, a.l, a.rr, a.lr, a.cs);
END $$;

CREATE FUNCTION fz_check(v activity_summary, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w activity_summary;
    x activity_summary;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' THEN
        RETURN;
    END IF;
    BEGIN
        SELECT rollup(y) INTO x FROM (VALUES (v), (v)) s(y);
        PERFORM fz_check(x, 'rollup(v, v)');
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

-- response_time (issue 14) ---------------------------------------------------
CREATE FUNCTION fz_kpis(v response_time) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    bad text := '';
BEGIN
    SELECT leads(v) AS l, answered_leads(v) AS an, within_sla(v) AS w, sla_share(v) AS sh,
           avg_response_days(v) AS av, median_response_days(v) AS md, response_percentile_days(v, 0.9) AS p9,
           response_percentile_days(v, 0) AS p0, response_percentile_days(v, 1) AS p1 INTO a;
    IF (a.w > a.an OR a.an > a.l) IS NOT FALSE THEN
        bad := bad || 'counts inconsistent or NULL; ';
    END IF;
    IF (a.sh IS NULL) <> (a.l = 0) OR NOT fz_in_range(a.sh, 0, 1) OR (a.md IS NULL) <> (a.an = 0) THEN
        bad := bad || 'share or NULLs inconsistent; ';
    END IF;
    IF a.an > 0 AND NOT (a.p0 <= a.md AND a.md <= a.p9 AND a.p9 <= a.p1 AND a.p0 >= 0) THEN
        bad := bad || 'percentiles not ordered; ';
    END IF;
    RETURN format('%s|leads=%s answered=%s within=%s share=%s avg=%s median=%s p90=%s',
                  bad, a.l, a.an, a.w, a.sh, a.av, a.md, a.p9);
END $$;

CREATE FUNCTION fz_check(v response_time, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w response_time;
    x response_time;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' THEN
        RETURN;
    END IF;
    BEGIN
        SELECT rollup(y) INTO x FROM (VALUES (v), (v)) s(y);
        PERFORM fz_check(x, 'rollup(v, v)');
        SELECT rollup(y) INTO x FROM (VALUES ((SELECT f.v FROM fz_seed_response_time f WHERE f.n = 1)), (v)) s(y);
        PERFORM fz_check(x, 'rollup(seed, v)');
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        -- another SLA or time type than the seed: refusing to merge is right
        WHEN invalid_parameter_value THEN
            IF SQLERRM NOT LIKE '%cannot be mixed%' AND SQLERRM NOT LIKE '%SLA must be the same%' THEN
                PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
            END IF;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

-- lead_followup (issue 14) ---------------------------------------------------
CREATE FUNCTION fz_kpis(v lead_followup) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    bad text := '';
BEGIN
    SELECT attempts(v) AS n, attempts_to_contact(v) AS tc, max_attempts_per_day(v) AS md INTO a;
    IF (a.n < 0 OR a.md > a.n OR (a.n > 0 AND a.md < 1)) IS NOT FALSE OR a.tc > a.n OR a.tc < 1 THEN
        bad := bad || 'counts inconsistent; ';
    END IF;
    RETURN format('%s|attempts=%s to_contact=%s max_per_day=%s', bad, a.n, a.tc, a.md);
END $$;

CREATE FUNCTION fz_check(v lead_followup, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w lead_followup;
    x followup_summary;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' THEN
        RETURN;
    END IF;
    BEGIN
        SELECT followup_summary(y) INTO x FROM (VALUES (v), (v)) s(y);
        PERFORM fz_check(x, 'followup_summary(v, v)');
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('followup_summary fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

-- followup_summary (issue 14) ------------------------------------------------
CREATE FUNCTION fz_kpis(v followup_summary) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    bad text := '';
BEGIN
    SELECT leads(v) AS l, followed_up_leads(v) AS f, contacted_leads(v) AS c, never_followed_up_share(v) AS nv,
           avg_attempts_to_contact(v) AS at, abandoned_leads(v, 31) AS ab, over_contacted_leads(v, 1) AS oc INTO a;
    IF (a.c > a.f OR a.f > a.l OR a.ab > a.f - a.c OR a.oc > a.f) IS NOT FALSE OR a.at < 1 OR NOT fz_in_range(a.nv, 0, 1) THEN
        bad := bad || 'counts inconsistent; ';
    END IF;
    RETURN format('%s|leads=%s followed=%s contacted=%s never=%s avg_to_contact=%s abandoned=%s over=%s',
                  bad, a.l, a.f, a.c, a.nv, a.at, a.ab, a.oc);
END $$;

CREATE FUNCTION fz_check(v followup_summary, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w followup_summary;
    x followup_summary;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' THEN
        RETURN;
    END IF;
    BEGIN
        SELECT rollup(y) INTO x FROM (VALUES (v), (v)) s(y);
        PERFORM fz_check(x, 'rollup(v, v)');
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        WHEN invalid_parameter_value THEN
            IF SQLERRM NOT LIKE '%cannot be mixed%' THEN
                PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
            END IF;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

------------------------------------------------------------------------------
-- the models family (issue 15): rfm, clv_fit_state, bgnbd_model, gammagamma_model
------------------------------------------------------------------------------
CREATE TABLE fz_seed_rfm (n int PRIMARY KEY, v rfm NOT NULL);
CREATE AGGREGATE fz_rfm_state(int8, date, numeric, date, interval) (sfunc = rfm_accum, stype = rfm, combinefunc = rfm_combine);
INSERT INTO fz_seed_rfm
SELECT 1, rfm(1, d, a, date '1997-09-30', interval '1 week')
FROM (VALUES (date '1997-01-01', 29.33), ('1997-01-18', 29.73), ('1997-08-02', 14.96), ('1997-12-12', 26.48)) v(d, a)
UNION ALL
SELECT 2, rfm(7, date '2024-01-01', 5, date '2024-01-01', interval '1 day')
UNION ALL
-- a state, with its purchase days
SELECT 3, fz_rfm_state(2, d, a, date '2024-03-31', interval '1 day')
FROM (VALUES (date '2024-01-01', 1.5), ('2024-01-01', 2.25), ('2024-02-10', 0), ('2024-03-31', 7)) v(d, a)
UNION ALL
-- text id, timestamps, a month unit
SELECT 4, rfm('c-' || g, timestamp '2020-01-01 10:00' + g * interval '17 days', 3.125 * g, date '2021-01-01', interval '1 month')
FROM generate_series(1, 1) g
UNION ALL
SELECT 5, rfm(9, date '2000-01-01' + g * 3, g::numeric, date '2001-01-01', interval '1 week') FROM generate_series(0, 40) g;
CREATE TABLE fz_seed_clv_fit_state (n int PRIMARY KEY, v clv_fit_state NOT NULL);
CREATE AGGREGATE fz_bgnbd_state(int8, float8, float8) (sfunc = bgnbd_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine);
CREATE AGGREGATE fz_gg_state(int8, float8) (sfunc = gammagamma_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine);
INSERT INTO fz_seed_clv_fit_state
SELECT 1, fz_bgnbd_state(x, t_x, tt) FROM (VALUES (2, 30.43, 38.86), (1, 1.71, 38.86), (0, 0, 38.86), (0, 0, 38.86), (5, 20, 30)) v(x, t_x, tt)
UNION ALL
SELECT 2, fz_gg_state(x, m) FROM (VALUES (2, 22.35), (1, 11.77), (4, 40.5), (1, 0.01)) v(x, m)
UNION ALL
SELECT 3, '(version=1,kind=bgnbd,unit_us=604800000000,tuples=[])'::clv_fit_state;
CREATE TABLE fz_seed_bgnbd_model (n int PRIMARY KEY, v bgnbd_model NOT NULL);
INSERT INTO fz_seed_bgnbd_model
SELECT 1, bgnbd_fit(x, t_x, tt) FROM (VALUES (2, 30.43, 38.86), (1, 1.71, 38.86), (0, 0, 38.86), (0, 0, 30), (5, 20, 30), (3, 5, 30), (0, 0, 20)) v(x, t_x, tt)
UNION ALL
SELECT 2, bgnbd_model(0.243, 4.414, 0.793, 2.426);
CREATE TABLE fz_seed_gammagamma_model (n int PRIMARY KEY, v gammagamma_model NOT NULL);
INSERT INTO fz_seed_gammagamma_model
SELECT 1, gammagamma_fit(x, m) FROM (VALUES (2, 22.35), (1, 11.77), (4, 40.5), (1, 15), (3, 30), (2, 9)) v(x, m)
UNION ALL
SELECT 2, gammagamma_model(6.25, 3.74, 15.44);
-- where their mutants are loaded
CREATE TABLE fz_acc_rfm (id int, v rfm);
CREATE TABLE fz_rt_rfm (id int, v rfm);
CREATE TABLE fz_acc_clv_fit_state (id int, v clv_fit_state);
CREATE TABLE fz_rt_clv_fit_state (id int, v clv_fit_state);
CREATE TABLE fz_acc_bgnbd_model (id int, v bgnbd_model);
CREATE TABLE fz_rt_bgnbd_model (id int, v bgnbd_model);
CREATE TABLE fz_acc_gammagamma_model (id int, v gammagamma_model);
CREATE TABLE fz_rt_gammagamma_model (id int, v gammagamma_model);

-- a prediction that must be NULL or a finite number in [lo, hi]; an error of
-- class 22003 (the model cannot be evaluated in double precision) is allowed
CREATE FUNCTION fz_prediction(q text, lo float8, hi float8, OUT bad text, OUT val text) LANGUAGE plpgsql AS $$
DECLARE
    x float8;
BEGIN
    bad := '';
    EXECUTE q INTO x;
    val := x::text;
    IF NOT fz_in_range(x, lo, hi) OR x = 'Infinity' THEN
        bad := format('%s out of range: %s; ', q, x);
    END IF;
EXCEPTION
    WHEN numeric_value_out_of_range THEN val := 'out of range';
    WHEN invalid_parameter_value THEN val := 'refused';
END $$;

CREATE FUNCTION fz_kpis(v rfm) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    p record;
    e record;
    bad text := '';
    m bgnbd_model := bgnbd_model(0.243, 4.414, 0.793, 2.426);
BEGIN
    -- an aggregate state without a purchase (every order after the calibration
    -- end): rfm() finishes it as NULL, the readers and models refuse it (22023)
    IF v::text LIKE '%kind=state,%,purchases=0,%' THEN
        BEGIN
            PERFORM frequency(v);
            RETURN 'frequency() reads a state without purchases; |';
        EXCEPTION WHEN invalid_parameter_value THEN
            RETURN format('|no purchase end=%s unit=%s', calibration_end(v), time_unit(v));
        END;
    END IF;
    SELECT frequency(v) AS x, recency(v) AS t_x, customer_age(v) AS tt, mean_repeat_spend(v) AS ms,
           repeat_revenue(v) AS rr, first_purchase(v) AS fp, last_purchase(v) AS lp, calibration_end(v) AS ce,
           time_unit(v) AS u INTO a;
    IF (a.x < 0 OR a.t_x < 0 OR a.tt < a.t_x OR a.rr < 0 OR a.fp > a.lp OR a.lp > a.ce) IS NOT FALSE
       OR NOT fz_in_range(a.tt, 0, 1e300) THEN
        bad := bad || 'x, t_x, T or days inconsistent or NULL; ';
    END IF;
    IF (a.ms IS NULL) <> (a.x = 0) OR (a.x > 0 AND a.ms <> round(a.rr / a.x, 16) AND abs(a.ms - a.rr / a.x) > 1e-15) THEN
        bad := bad || 'mean_repeat_spend is not repeat_revenue / x; ';
    END IF;
    p := fz_prediction(format('SELECT bgnbd_p_alive(%L::bgnbd_model, %L::rfm)', m, v), 0, 1);
    e := fz_prediction(format('SELECT bgnbd_expected_purchases(%L::bgnbd_model, 10, %L::rfm)', m, v), 0, 1e300);
    RETURN format('%s%s%s|x=%s t_x=%s T=%s mean=%s repeat=%s first=%s last=%s end=%s unit=%s p_alive=%s expected=%s',
                  bad, p.bad, e.bad, a.x, a.t_x, a.tt, a.ms, a.rr, a.fp, a.lp, a.ce, a.u, p.val, e.val);
END $$;

CREATE FUNCTION fz_check(v rfm, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w rfm;
    x rfm;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' OR t NOT LIKE '%kind=state%' THEN
        RETURN;
    END IF;
    BEGIN
        x := rfm_combine(v, v);
        PERFORM fz_check(x, 'rfm_combine(v, v)');
        x := rfm_final(v);
        IF x IS NOT NULL THEN
            PERFORM fz_check(x, 'rfm_final(v)');
        END IF;
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('combine or final fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

-- the fit of a state: the same model from the value and from its text form
CREATE FUNCTION fz_kpis(v clv_fit_state) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    saved text := current_setting('client_min_messages');
    m text;
BEGIN
    PERFORM set_config('client_min_messages', 'error', true);
    IF v::text LIKE '%kind=bgnbd%' THEN
        m := bgnbd_fit_final(v)::text;
    ELSE
        m := gammagamma_fit_final(v)::text;
    END IF;
    PERFORM set_config('client_min_messages', saved, true);
    IF m LIKE '%NaN%' OR m LIKE '%Infinity%' THEN
        RETURN format('the fit is not finite; |model=%s', m);
    END IF;
    RETURN format('|model=%s', m);
EXCEPTION WHEN numeric_value_out_of_range THEN
    PERFORM set_config('client_min_messages', saved, true);
    RETURN '|model=out of range';
END $$;

CREATE FUNCTION fz_check(v clv_fit_state, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w clv_fit_state;
    x clv_fit_state;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' THEN
        RETURN;
    END IF;
    BEGIN
        x := clv_fit_combine(v, v);
        PERFORM fz_check(x, 'clv_fit_combine(v, v)');
    EXCEPTION
        WHEN program_limit_exceeded THEN NULL;
        WHEN invalid_parameter_value THEN
            IF SQLERRM NOT LIKE '%different time units%' THEN
                PERFORM fz_bad(ctx, format('combine fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
            END IF;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('combine fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

CREATE FUNCTION fz_kpis(v bgnbd_model) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    p record;
    e record;
    n record;
    bad text := '';
BEGIN
    SELECT r(v) AS r, alpha(v) AS al, a(v) AS a, b(v) AS b, log_likelihood(v) AS ll, customers(v) AS c,
           iterations(v) AS it, converged(v) AS cv INTO a;
    IF (a.r > 0 AND a.al > 0 AND a.a > 0 AND a.b > 0 AND a.c >= 0 AND a.it >= 0) IS NOT TRUE
       OR a.r = 'Infinity' OR (a.ll IS NULL) <> (a.c = 0) OR (a.cv IS NULL) <> (a.c = 0) THEN
        bad := bad || 'parameters or fit fields inconsistent; ';
    END IF;
    p := fz_prediction(format('SELECT bgnbd_p_alive(%L::bgnbd_model, 2, 30, 38)', v), 0, 1);
    e := fz_prediction(format('SELECT bgnbd_expected_purchases(%L::bgnbd_model, 39, 2, 30, 38)', v), 0, 1e300);
    n := fz_prediction(format('SELECT bgnbd_expected_purchases_new(%L::bgnbd_model, 39)', v), 0, 1e300);
    RETURN format('%s%s%s%s|r=%s alpha=%s a=%s b=%s ll=%s customers=%s iterations=%s converged=%s p_alive=%s expected=%s new=%s',
                  bad, p.bad, e.bad, n.bad, a.r, a.al, a.a, a.b, a.ll, a.c, a.it, a.cv, p.val, e.val, n.val);
END $$;

CREATE FUNCTION fz_check(v bgnbd_model, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w bgnbd_model;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NOT NULL THEN
        PERFORM fz_check_kpis(v, w, t, ctx);
    END IF;
END $$;

CREATE FUNCTION fz_kpis(v gammagamma_model) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    s record;
    z record;
    bad text := '';
BEGIN
    SELECT p(v) AS p, q(v) AS q, gamma(v) AS g, log_likelihood(v) AS ll, customers(v) AS c,
           iterations(v) AS it, converged(v) AS cv INTO a;
    IF (a.p > 0 AND a.q > 0 AND a.g > 0 AND a.c >= 0 AND a.it >= 0) IS NOT TRUE
       OR (a.ll IS NULL) <> (a.c = 0) OR (a.cv IS NULL) <> (a.c = 0) THEN
        bad := bad || 'parameters or fit fields inconsistent; ';
    END IF;
    s := fz_prediction(format('SELECT gammagamma_expected_spend(%L::gammagamma_model, 2, 20)', v), 0, 1e308);
    z := fz_prediction(format('SELECT gammagamma_expected_spend(%L::gammagamma_model, 0, 0)', v), 0, 1e308);
    RETURN format('%s%s%s|p=%s q=%s gamma=%s ll=%s customers=%s iterations=%s converged=%s spend=%s population=%s',
                  bad, s.bad, z.bad, a.p, a.q, a.g, a.ll, a.c, a.it, a.cv, s.val, z.val);
END $$;

CREATE FUNCTION fz_check(v gammagamma_model, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w gammagamma_model;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NOT NULL THEN
        PERFORM fz_check_kpis(v, w, t, ctx);
    END IF;
END $$;

-- mrr_series -----------------------------------------------------------------
CREATE FUNCTION fz_kpis(v mrr_series) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    bad text := '';
BEGIN
    SELECT first_month(v) AS f, mrr_at(v, '2024-02-01') AS m1, mrr_at(v, '9999-12-31') AS m2,
           mrr_at(v, '0001-01-01') AS m0, skipped_rows(v) AS sk INTO a;
    IF a.m1 < 0 OR a.m2 < 0 OR a.m0 < 0 OR a.m1 IS NULL OR a.sk < 0 THEN
        bad := bad || 'negative or NULL MRR; ';
    END IF;
    IF a.f IS NULL AND (a.m1 <> 0 OR a.m2 <> 0) THEN
        bad := bad || 'MRR without a first month; ';
    END IF;
    RETURN format('%s|first=%s mrr_2024_02=%s mrr_9999_12=%s skipped=%s', bad, a.f, a.m1, a.m2, a.sk);
END $$;

CREATE FUNCTION fz_check(v mrr_series, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w mrr_series;
    r revenue_summary;
BEGIN
    SELECT x.t, x.w INTO t, w FROM fz_text_round_trip(v, ctx) x;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF w IS NOT NULL AND w <> v THEN
        PERFORM fz_bad(ctx, format('text round trip is not equal (=): %s', t));
    END IF;
    IF ctx <> '' THEN
        RETURN;
    END IF;
    BEGIN
        -- the merged states of one customer, and a summary over it, are valid
        PERFORM fz_check(mrr_series_final(mrr_series_combine(v, v)), 'combine(v, v)');
        SELECT revenue_summary(y, '2023-12-01', '2024-06-01') INTO r FROM (VALUES (v), (v), ((SELECT f.v FROM fz_seed_mrr_series f WHERE f.n = 3))) s(y);
        PERFORM fz_check(r, 'revenue_summary(v, v, seed)');
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('combine or summary fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;

-- revenue_summary -------------------------------------------------------------
CREATE FUNCTION fz_kpis(v revenue_summary) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a record;
    bad text := '';
    f date;
    l date;
    mv text;
    co text;
BEGIN
    SELECT min(month), max(month), string_agg(x::text, ';' ORDER BY month) INTO f, l, mv FROM mrr_movements(v) x;
    SELECT string_agg(c::text, ';' ORDER BY cohort, months_since) INTO co FROM cohort_retention(v) c;
    SELECT nrr(v, f, l) AS nrr, grr(v, f, l) AS grr, gross_revenue_churn(v, f, l) AS gc, net_revenue_churn(v, f, l) AS nc,
           customer_churn_rate(v, f, l) AS cc, customer_retention_rate(v, f, l) AS cr, upsell_rate(v, f, l) AS up,
           quick_ratio(v, f, l) AS q, arpa(v, f, l) AS arpa, saas_ltv(v, f, l) AS ltv, new_customers(v, f, l) AS nw,
           series_count(v) AS sc, (kpis(v)).cross_sell_rate AS xs INTO a;
    BEGIN
        IF a.xs IS DISTINCT FROM cross_sell_rate(v, f, l) THEN
            bad := bad || 'kpis cross_sell_rate differs; ';
        END IF;
    EXCEPTION WHEN invalid_parameter_value THEN
        IF a.xs IS NOT NULL THEN
            bad := bad || 'cross_sell_rate refused with kpis giving a value; ';
        END IF;
    END;
    IF NOT fz_in_range(a.grr, 0, 1) OR NOT fz_in_range(a.cc, 0, 1) OR NOT fz_in_range(a.cr, 0, 1)
       OR NOT fz_in_range(a.up, 0, 1) OR NOT fz_in_range(a.xs, 0, 1) OR NOT fz_in_range(a.nrr, a.grr, 'Infinity') OR a.nrr = 'Infinity'
       OR NOT fz_in_range(a.gc, 0, 'Infinity') OR a.gc = 'Infinity' THEN
        bad := bad || 'ratio out of range; ';
    END IF;
    IF (SELECT bool_or(x.mrr < 0 OR x.customers < 0 OR x.customers > a.sc) FROM mrr_movements(v) x) THEN
        bad := bad || 'month out of range; ';
    END IF;
    RETURN format('%s|nrr=%s grr=%s gc=%s nc=%s cc=%s cr=%s up=%s xs=%s q=%s arpa=%s ltv=%s new=%s movements=%s cohorts=%s',
                  bad, a.nrr, a.grr, a.gc, a.nc, a.cc, a.cr, a.up, a.xs, a.q, a.arpa, a.ltv, a.nw, md5(mv), md5(co));
END $$;

CREATE FUNCTION fz_check(v revenue_summary, ctx text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w revenue_summary;
    x revenue_summary;
BEGIN
    SELECT r.t, r.w INTO t, w FROM fz_text_round_trip(v, ctx) r;
    IF t IS NULL THEN
        RETURN;
    END IF;
    PERFORM fz_check_kpis(v, w, t, ctx);
    IF ctx <> '' THEN
        RETURN;
    END IF;
    BEGIN
        SELECT rollup(y) INTO x FROM (VALUES (v), (v)) s(y);
        PERFORM fz_check(x, 'rollup(v, v)');
    EXCEPTION
        WHEN numeric_value_out_of_range THEN NULL;
        WHEN program_limit_exceeded THEN NULL;
        WHEN OTHERS THEN
            PERFORM fz_bad(ctx, format('rollup fails: %s %s; value %s', SQLSTATE, SQLERRM, t));
    END;
END $$;
