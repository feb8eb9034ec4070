-- issue 11, stages family, items 13 and 14: each section fails on the code
-- before them (no NOTICE, no funnel_level, stage_times(history, NULL) NULL).

-- the NOTICEs are the point of item 13: shown whatever the session default
SET client_min_messages = notice;
CREATE TEMP TABLE i13_hist AS
SELECT * FROM (VALUES (1, 'Lead', date '2024-01-01'), (1, 'Won', date '2024-01-05'),
                      (2, 'Lead', date '2024-01-02'), (3, 'closed lost', date '2024-01-03')) h(deal, stage, at);

-- item 13: a stage list in lower case against 'Lead' data: every deal is
-- outside; one NOTICE per result, naming the list
SELECT stage, reached FROM (SELECT stage_funnel(p, ARRAY['lead','won']) f
    FROM (SELECT stage_path(stage, at, ARRAY['lead','won']) p FROM i13_hist GROUP BY deal) x) y,
    stage_conversion(f);
SELECT stage, visits FROM (SELECT stage_times(p, ARRAY['lead','won'], date '2024-02-01') t
    FROM (SELECT stage_path(stage, at, ARRAY['lead','won']) p FROM i13_hist GROUP BY deal) x) y,
    time_in_stage(t);
SELECT deals(stage_funnel(h)), outside_deals(stage_funnel(h, 'ordered'))
FROM (SELECT stage_history(deal, stage, at, ARRAY['lead','won']) h FROM i13_hist) x;
SELECT deals(stage_times(h, date '2024-02-01'))
FROM (SELECT stage_history(deal, stage, at, ARRAY['lead','won']) h FROM i13_hist) x;
SELECT count(*) AS report_rows
FROM (SELECT stage_history(deal, stage, at, ARRAY['lead','won']) h FROM i13_hist) x,
     stage_report(stage_funnel(h), stage_times(h));
-- names that need quoting are shown as in an array literal; one deal: singular
SELECT count(*) FROM stage_conversion('(version=2,mode=implied,deals=1,outside=1,stages=["closed lost":0:0,"x,y":0:0])'::stage_funnel);
-- no NOTICE: the right case, an empty funnel, or only some deals outside
SELECT stage, reached FROM (SELECT stage_funnel(p, ARRAY['Lead','Won']) f
    FROM (SELECT stage_path(stage, at, ARRAY['Lead','Won']) p FROM i13_hist GROUP BY deal) x) y,
    stage_conversion(f);
SELECT count(*) FROM stage_conversion('(version=2,mode=implied,deals=0,outside=0,stages=["a":0:0])'::stage_funnel);
SELECT count(*) FROM time_in_stage((SELECT stage_times(p, ARRAY['Lead'])
    FROM (SELECT stage_path(stage, at, ARRAY['Lead']) p FROM i13_hist WHERE deal IN (2, 3) GROUP BY deal) x));

-- item 14a: funnel_level, by hand.  Deal 1: lead, proposal (implied 3,
-- ordered 1, entered 3); deal 2: qualified then lead (ordered 1: lead came
-- after qualified); deal 3: lead, qualified, proposal on one day (ordered 3);
-- deal 4: outside only (0); deal 5: proposal then lead, qualified (ordered 2)
CREATE TEMP TABLE i14_paths AS
SELECT deal, stage_path(stage, at, ARRAY['lead','qualified','proposal']) p
FROM (VALUES (1, 'lead', date '2024-01-01'), (1, 'proposal', '2024-01-03'),
             (2, 'qualified', '2024-01-01'), (2, 'lead', '2024-01-02'),
             (3, 'proposal', '2024-01-01'), (3, 'lead', '2024-01-01'), (3, 'qualified', '2024-01-01'),
             (4, 'on hold', '2024-01-01'),
             (5, 'proposal', '2024-01-01'), (5, 'lead', '2024-01-02'), (5, 'qualified', '2024-01-03')) h(deal, stage, at)
GROUP BY deal;
SELECT deal, funnel_level(p, ARRAY['lead','qualified','proposal']) AS implied,
       funnel_level(p, ARRAY['lead','qualified','proposal'], 'entered') AS entered,
       funnel_level(p, ARRAY['lead','qualified','proposal'], 'ordered') AS ordered
FROM i14_paths ORDER BY deal;
SELECT funnel_level(NULL, ARRAY['a']) IS NULL AS null_path,
       funnel_level(p, ARRAY['lead','qualified','proposal'], NULL) IS NULL AS null_mode
FROM i14_paths WHERE deal = 1;
SELECT error_of($$SELECT funnel_level(p, ARRAY['lead','won']) FROM i14_paths$$);
SELECT error_of($$SELECT funnel_level(p, ARRAY['lead','qualified','proposal'], 'furthest') FROM i14_paths$$);
SELECT provolatile, proisstrict, proparallel FROM pg_proc WHERE proname = 'funnel_level' ORDER BY pronargs;

-- item 14a on random data: count(level >= k) = reached(k) in modes implied
-- and ordered; in mode entered the level is the furthest stage entered, so
-- count(level >= k) is implied's reached(k) and count(level = n) entered's
-- reached(n); ties, re-entries and stages outside the list included
SELECT setseed(0.1314);
CREATE TEMP TABLE i14_events AS
SELECT 1 + (random() * 399)::int AS deal,
       (ARRAY['a','b','c','d','e','x','y'])[1 + floor(random() * 7)::int] AS stage,
       date '2024-01-01' + (random() * 20)::int AS at
FROM generate_series(1, 1600);
CREATE TEMP TABLE i14_rand AS
SELECT deal, stage_path(stage, at, ARRAY['a','b','c','d','e']) p FROM i14_events GROUP BY deal;
CREATE TEMP TABLE i14_check AS
SELECT m, k, (SELECT count(*) FILTER (WHERE funnel_level(p, ARRAY['a','b','c','d','e'], m) >= k) FROM i14_rand) AS by_level,
       (SELECT count(*) FILTER (WHERE funnel_level(p, ARRAY['a','b','c','d','e'], m) = k) FROM i14_rand) AS at_level,
       (SELECT reached(stage_funnel(p, ARRAY['a','b','c','d','e'], m), (ARRAY['a','b','c','d','e'])[k]) FROM i14_rand) AS reached,
       (SELECT reached(stage_funnel(p, ARRAY['a','b','c','d','e'], 'implied'), (ARRAY['a','b','c','d','e'])[k]) FROM i14_rand) AS reached_implied
FROM unnest(ARRAY['implied','entered','ordered']) m, generate_series(1, 5) k;
SELECT m, bool_and(by_level = reached) FILTER (WHERE m <> 'entered') AS levels_give_reached,
       bool_and(by_level = reached_implied) AS entered_is_furthest,
       bool_and(at_level = reached) FILTER (WHERE m = 'entered' AND k = 5) AS entered_last,
       count(DISTINCT by_level) > 2 AS varied
FROM i14_check GROUP BY m ORDER BY m;
-- ordered differs from implied on this data; ordered level 0 = no 'a' entered
SELECT (SELECT sum(by_level) FROM i14_check WHERE m = 'ordered') < (SELECT sum(by_level) FROM i14_check WHERE m = 'implied') AS ordered_lower,
       (SELECT count(*) FILTER (WHERE funnel_level(p, ARRAY['a','b','c','d','e'], 'ordered') = 0) FROM i14_rand)
       = (SELECT count(DISTINCT deal) FROM i14_events) - (SELECT count(DISTINCT deal) FROM i14_events WHERE stage = 'a') AS zero_without_a;

-- item 14b: a NULL as_of (or stale_after) in the one-level stage_times is
-- the error of the aggregate (same SQLSTATE and message); a NULL history is NULL
CREATE TEMP TABLE i14_h AS
SELECT stage_history(deal, stage, at, ARRAY['Lead','Won']) h FROM i13_hist;
SELECT error_of($$SELECT stage_times(p, ARRAY['Lead','Won'], NULL::date)
                  FROM (SELECT stage_path(stage, at, ARRAY['Lead','Won']) p FROM i13_hist GROUP BY deal) x$$) AS aggregate,
       error_of($$SELECT stage_times(h, NULL::date) FROM i14_h$$) AS one_level;
SELECT error_of($$SELECT stage_times(h, NULL::timestamptz, interval '1 day') FROM i14_h$$);
SELECT error_of($$SELECT stage_times(h, date '2024-02-01', NULL) FROM i14_h$$) AS one_level,
       error_of($$SELECT stage_times(p, ARRAY['Lead','Won'], date '2024-02-01', NULL)
                  FROM (SELECT stage_path(stage, at, ARRAY['Lead','Won']) p FROM i13_hist GROUP BY deal) x$$) AS aggregate;
SELECT stage_times(NULL::stage_history, date '2024-02-01') IS NULL AS null_history,
       stage_times(NULL::stage_history, NULL::date, NULL) IS NULL AS all_null;
SELECT deals(stage_times(h, date '2024-02-01', interval '1 day')) FROM i14_h;
SELECT proname, proisstrict, count(*) FROM pg_proc WHERE proname = 'stage_times' AND prokind = 'f'
GROUP BY 1, 2 ORDER BY 2;
