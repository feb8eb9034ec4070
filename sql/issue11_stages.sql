-- issue 11, stages family: one section per item, each failing on 0.1.0, and
-- the revised rules against plain-SQL references on random data
-- (stage_events of setup.sql), serial, forced-parallel and merged.

CREATE TEMP TABLE i11_paths AS
SELECT deal_id, stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won']) AS p
FROM stage_events GROUP BY deal_id;
-- the reference events: positions 1..5, outside stages 6, as of 2024-02-15
CREATE TEMP VIEW i11_visits AS
WITH e AS (SELECT deal_id, entered_at AS d,
                  coalesce(array_position(ARRAY['lead','qualified','proposal','negotiation','won'], stage), 6) AS pos
           FROM stage_events WHERE stage IS NOT NULL AND entered_at IS NOT NULL AND entered_at <= date '2024-02-15'),
     o AS (SELECT *, lag(pos) OVER (PARTITION BY deal_id ORDER BY d, pos) AS prev FROM e),
     v AS (SELECT deal_id, pos, d AS start, lead(d) OVER (PARTITION BY deal_id ORDER BY d, pos) AS next_start
           FROM o WHERE prev IS DISTINCT FROM pos)
SELECT deal_id, pos, count(*) AS visits, sum(next_start - start) FILTER (WHERE next_start IS NOT NULL) AS closed_d,
       bool_or(next_start IS NULL) AS is_current
FROM v WHERE pos <= 5 GROUP BY deal_id, pos;

-- item 3: closed visits are kept when the deal is back in the stage now
-- (Toolkit case: 24 h in 'three', then 'four', back in 'three': 0.1.0 said
-- exited 0, avg NULL)
SELECT stage, visits, exited_deals, avg_days, median_days, current_deals, avg_current_days
FROM (SELECT stage_times(p, ARRAY['one','two','three','four'], timestamptz '2024-01-06 00:00+00') s
      FROM (SELECT stage_path(stage, at, ARRAY['one','two','three','four']) p
            FROM (VALUES (1, 'one', timestamptz '2024-01-01 00:00+00'), (1, 'three', '2024-01-02 00:00+00'),
                         (1, 'four', '2024-01-03 00:00+00'), (1, 'three', '2024-01-05 00:00+00')) h(deal, stage, at)
            GROUP BY deal) x) y, time_in_stage(s);
-- random histories: exited deals = deals with a closed visit; avg and median
-- of their total closed time; serial, forced-parallel and merged
CREATE TEMP TABLE i11_times_ref AS
SELECT k AS position, count(*) FILTER (WHERE closed_d IS NOT NULL) AS exited_deals,
       avg(closed_d) FILTER (WHERE closed_d IS NOT NULL) AS avg_days,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY closed_d) FILTER (WHERE closed_d IS NOT NULL) AS median_days,
       count(*) FILTER (WHERE is_current) AS current_deals,
       count(*) FILTER (WHERE closed_d IS NOT NULL AND is_current) AS back_in_stage
FROM generate_series(1, 5) k LEFT JOIN i11_visits ON pos = k GROUP BY k;
SELECT sum(back_in_stage) > 0 AS has_deals_back_in_a_stage FROM i11_times_ref;
CREATE TEMP TABLE i11_times AS
SELECT 'serial' AS how, stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], date '2024-02-15') AS s FROM i11_paths;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
INSERT INTO i11_times
SELECT 'parallel', stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], date '2024-02-15') FROM i11_paths;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
INSERT INTO i11_times
SELECT 'merged', rollup(s) FROM (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], date '2024-02-15') s
                                 FROM i11_paths GROUP BY deal_id % 7) x;
INSERT INTO i11_times
SELECT 'one-level', stage_times(stage_history(deal_id::bigint, stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won']), date '2024-02-15')
FROM stage_events;
SELECT how, count(*) FILTER (WHERE t.exited_deals = r.exited_deals AND t.current_deals = r.current_deals
                               AND abs(t.avg_days - r.avg_days) <= 1e-9 * r.avg_days
                               AND abs(t.median_days - r.median_days) <= r.median_days / 128) AS stages_equal,
       count(DISTINCT s::text) AS values
FROM i11_times, time_in_stage(s) t JOIN i11_times_ref r USING (position) GROUP BY how ORDER BY how;
SELECT count(DISTINCT s::text) AS identical_values FROM i11_times;

-- item 2: win_probability in mode entered is P(entered the last stage |
-- entered k) (0.1.0: reached(last) / reached(k), e.g. 2 below)
SELECT stage, reached, win_probability
FROM stage_conversion((SELECT stage_funnel(p, ARRAY['a','b','won'], 'entered')
                       FROM (SELECT stage_path(stage, at, ARRAY['a','b','won']) p
                             FROM (VALUES (1, 'a', date '2024-01-01'), (2, 'won', '2024-01-01'), (3, 'won', '2024-01-01'),
                                          (4, 'b', '2024-01-01')) h(deal, stage, at) GROUP BY deal) x));
-- random histories: every mode against the reference, serial, forced-parallel, merged, one-level
CREATE TEMP VIEW i11_entered AS
SELECT deal_id, array_agg(DISTINCT pos) AS ps FROM i11_visits GROUP BY deal_id;
CREATE TEMP TABLE i11_funnels AS
SELECT m.mode, 'serial' AS how, (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], m.mode) FROM i11_paths) AS f
FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode);
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
INSERT INTO i11_funnels
SELECT m.mode, 'parallel', (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], m.mode) FROM i11_paths)
FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode);
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
INSERT INTO i11_funnels
SELECT m.mode, 'merged', (SELECT rollup(f) FROM (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], m.mode) f
                                                 FROM i11_paths GROUP BY deal_id % 5) x)
FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode);
INSERT INTO i11_funnels
SELECT m.mode, 'one-level', (SELECT stage_funnel(stage_history(deal_id::bigint, stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won']), m.mode)
                             FROM stage_events)
FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode);
SELECT mode, count(DISTINCT f::text) AS identical_values FROM i11_funnels GROUP BY mode ORDER BY mode;
-- the reference (as_of-free: all events): entered = deals that entered k and
-- the last stage / deals that entered k; implied = deals at the last stage /
-- deals at k or later; ordered: reached(last) / reached(k) (a deal that
-- passed the last stage in order passed every stage)
CREATE TEMP VIEW i11_all AS
SELECT deal_id, array_agg(DISTINCT coalesce(array_position(ARRAY['lead','qualified','proposal','negotiation','won'], stage), 6)) AS ps
FROM stage_events WHERE stage IS NOT NULL AND entered_at IS NOT NULL GROUP BY deal_id;
SELECT m.mode, c.stage,
       bool_and(c.win_probability IS NOT DISTINCT FROM
                CASE m.mode
                  WHEN 'entered' THEN (SELECT count(*) FILTER (WHERE c.position = ANY (ps) AND 5 = ANY (ps))::float8
                                              / nullif(count(*) FILTER (WHERE c.position = ANY (ps)), 0) FROM i11_all)
                  WHEN 'implied' THEN (SELECT count(*) FILTER (WHERE 5 = ANY (ps))::float8
                                              / nullif(count(*) FILTER (WHERE (SELECT max(x) FROM unnest(ps) x WHERE x <= 5) >= c.position), 0) FROM i11_all)
                  ELSE reached(i.f, 'won')::float8 / nullif(c.reached, 0) END) AS equal,
       max(c.win_probability) <= 1 AS a_probability
FROM i11_funnels i, LATERAL (SELECT i.mode) m(mode), stage_conversion(i.f) c
GROUP BY m.mode, c.stage, c.position ORDER BY m.mode, c.position;
-- stage_report carries the same win_probability
SELECT bool_and(r.win_probability IS NOT DISTINCT FROM c.win_probability) AS report_equal
FROM i11_funnels i, stage_conversion(i.f) c,
     stage_report(i.f, (SELECT s FROM i11_times WHERE how = 'serial')) r
WHERE i.how = 'serial' AND r.position = c.position;
-- a version-1 funnel of mode entered does not know the counts: NULL, and it is written as version 1 again
SELECT win_probability(f, 'a') AS v1_entered, (SELECT win_probability FROM stage_conversion(f) LIMIT 1) AS v1_row, f::text
FROM (SELECT '(version=1,mode=entered,deals=3,outside=0,stages=["a":2,"won":1])'::stage_funnel f) x;
SELECT win_probability('(version=1,mode=implied,deals=3,outside=0,stages=["a":3,"won":1])'::stage_funnel, 'a') AS v1_implied;

-- item 12: exact medians and percentiles while a stage has at most 32 values
-- (an exact 14-day median printed 14.018 in 0.1.0)
SELECT median_days(s, 'a') AS median, percentile_days(s, 'a', 0.9) AS p90
FROM (SELECT stage_times(p, ARRAY['a','b']) s
      FROM (SELECT stage_path(st, date '2024-01-01' + CASE WHEN st = 'a' THEN 0 ELSE 14 END, ARRAY['a','b']) p
            FROM (VALUES ('a'), ('b')) e(st), generate_series(1, 3) g GROUP BY g) x) y;
-- small random groups: median and percentiles equal percentile_cont exactly
-- (the p90 up to float rounding: it is interpolated in microseconds),
-- directly and merged while the merge stays within 32; past 32 within 1/128
CREATE TEMP TABLE i11_small AS
SELECT deal_id % 40 AS grp, deal_id % 2 AS half, p FROM i11_paths;
SELECT count(*) AS checks,
       count(*) FILTER (WHERE o.median_days = r.median_days) AS medians_exact,
       count(*) FILTER (WHERE abs(percentile_days(o.s, o.stage, 0.9) - r.p90) <= 1e-12 * r.p90) AS p90_exact,
       count(*) FILTER (WHERE m.median_days = r.median_days) AS merged_exact
FROM (SELECT grp, s, t.stage, t.position, t.median_days
      FROM (SELECT grp, stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], date '2024-02-15') s FROM i11_small GROUP BY grp) x,
           time_in_stage(s) t) o
JOIN (SELECT grp, t.position, t.median_days
      FROM (SELECT grp, rollup(s) s FROM (SELECT grp, half, stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], date '2024-02-15') s
                                           FROM i11_small GROUP BY grp, half) y GROUP BY grp) x,
           time_in_stage(s) t) m USING (grp, position)
JOIN (SELECT i.deal_id % 40 AS grp, pos AS position,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY closed_d) / 1.0 AS median_days,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY closed_d) AS p90
      FROM i11_visits i WHERE closed_d IS NOT NULL GROUP BY 1, 2) r USING (grp, position);
-- past 32: the histogram (within 1/128), the same serially and merged
SELECT count(*) AS checks, bool_and(abs(t.median_days - r.median_days) <= r.median_days / 128) AS within_1_128
FROM i11_times i, time_in_stage(i.s) t JOIN i11_times_ref r USING (position) WHERE r.exited_deals > 32;
-- stored forms: the exact values are part of the text form (version 2), and version 1 still reads (histogram)
SELECT s::text FROM (SELECT stage_times(p, ARRAY['a','b']) s
                     FROM (SELECT stage_path(st, date '2024-01-01' + CASE WHEN st = 'a' THEN 0 ELSE g END, ARRAY['a','b']) p
                           FROM (VALUES ('a'), ('b')) e(st), generate_series(1, 2) g GROUP BY g) x) y;
SELECT median_days('(version=1,time=date,as_of=none,stale_after=none,deals=1,outside=0,stages=[("a",visits=1,exited=1,exited_us=1209600000000,current=0,current_us=0,stale=0,hist=[2246:1]),("b",visits=1,exited=0,exited_us=0,current=1,current_us=0,stale=0,hist=[])])'::stage_times, 'a') AS v1_median;
SELECT error_of(format('SELECT %L::stage_times', lit)) AS bad_exact
FROM (VALUES
  ('(version=2,time=date,as_of=none,stale_after=none,deals=1,outside=0,stages=[("a",visits=1,exited=1,exited_us=1209600000000,current=0,current_us=0,stale=0,hist=[2246:1],exact=[])])'),
  ('(version=2,time=date,as_of=none,stale_after=none,deals=1,outside=0,stages=[("a",visits=1,exited=1,exited_us=1209600000000,current=0,current_us=0,stale=0,hist=[2246:1],exact=[1209600000001])])'),
  ('(version=2,time=date,as_of=none,stale_after=none,deals=1,outside=0,stages=[("a",visits=1,exited=1,exited_us=1,current=0,current_us=0,stale=0,hist=[1:1],exact=[2])])')
) v(lit);

-- item 7: the stage-list hash is byte-order independent (FNV-1a 64 over each
-- name's length and bytes): these values are the same on every platform
SELECT stage_path('lead', date '2024-01-01', ARRAY['lead','won'])::text AS portable;
SELECT substring(stage_path('x', date '2024-01-01', ARRAY['lead','qualified','proposal','negotiation','won'])::text FROM 'hash=(-?[0-9]+)') AS hash5;
-- a version-1 path still reads and is kept as version 1; it is accepted by a
-- list only where its hash is the native legacy hash of the list (the frozen
-- 0.1.0 paths of test/t/upgrade.sh are read so), else refused
SELECT p::text = p::text::stage_path::text AS v1_round_trip, substring(p::text FROM '^\(version=([0-9])') AS version
FROM (SELECT regexp_replace(stage_path('lead', date '2024-01-01', ARRAY['lead','won'])::text, 'version=2,stages=2,hash=-?[0-9]+',
                            'version=1,stages=2,hash=1') AS t) x, LATERAL (SELECT t::stage_path AS p) y;
SELECT error_of($$SELECT stage_funnel('(version=1,stages=2,hash=1,time=date,events=[0@0])'::stage_path, ARRAY['lead','won'])$$) AS v1_wrong_hash;
