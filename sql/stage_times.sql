-- time in stage: a hand-computed history, then random histories (ties,
-- re-entries, unknown stages, NULLs) against a plain-SQL reference built
-- with lag()/lead(), in all three time types, plus rollup and I/O.

CREATE TEMP TABLE th(deal int, stage text, at timestamptz);
INSERT INTO th VALUES
  -- deal 1: lead 2d, qualified 1d, back to lead 6d, qualified 10d, won since Jan 20
  (1, 'lead', '2026-01-01'), (1, 'qualified', '2026-01-03'), (1, 'lead', '2026-01-04'),
  (1, 'qualified', '2026-01-10'), (1, 'won', '2026-01-20'),
  -- deal 2: lead recorded twice in a row (one visit of 4d), qualified since Jan 5
  (2, 'lead', '2026-01-01'), (2, 'lead', '2026-01-02'), (2, 'qualified', '2026-01-05'),
  -- deal 3: lead and qualified at the same instant (lead gets 0d), qualified 7d, then lost
  (3, 'qualified', '2026-01-01'), (3, 'lead', '2026-01-01'), (3, 'closed lost', '2026-01-08'),
  -- deal 4: only an outside stage; deal 5: NULLs only (ignored)
  (4, 'junk', '2026-01-01'), (5, NULL, '2026-01-01'), (5, 'lead', NULL),
  -- deal 6: first event after the as_of used below (did not exist yet)
  (6, 'lead', '2026-03-01');
CREATE TEMP TABLE tpaths AS
SELECT deal, stage_path(stage, at, ARRAY['lead','qualified','won']) AS p FROM th GROUP BY deal;

-- as of Feb 1, stale after 20 days:
-- lead: visits 2+1+1 = 4; exited deals 1, 2, 3 with 8, 4, 0 days (avg 4, median 4)
-- qualified: visits 4; exited deals 1 (11d) and 3 (7d): avg 9, median 9; deal 2 current 27d, stale
-- won: visits 1; deal 1 current 12d, not stale
SELECT stage, position, visits, exited_deals, avg_days, round(median_days::numeric, 2) AS median_days,
       current_deals, avg_current_days, stale_deals
FROM (SELECT stage_times(p, ARRAY['lead','qualified','won'], timestamptz '2026-02-01', interval '20 days') s FROM tpaths) x,
     time_in_stage(s);
SELECT deals(s), outside_deals(s), visits(s, 'lead'), exited_deals(s, 'qualified'), avg_days(s, 'qualified'),
       round(median_days(s, 'lead')::numeric, 2) AS median_lead, current_deals(s, 'qualified'),
       avg_current_days(s, 'won'), stale_deals(s, 'qualified')
FROM (SELECT stage_times(p, ARRAY['lead','qualified','won'], timestamptz '2026-02-01', interval '20 days') s FROM tpaths) x;
-- the medians are the exact values 4 and 9 (few values: kept exactly)
SELECT abs(median_days(s, 'lead') - 4) <= 4 / 128.0 AS lead_ok, abs(median_days(s, 'qualified') - 9) <= 9 / 128.0 AS q_ok
FROM (SELECT stage_times(p, ARRAY['lead','qualified','won'], timestamptz '2026-02-01') s FROM tpaths) x;
-- as of Jan 6 (later events unknown): deal 1 is back in lead since Jan 4 (its
-- earlier closed 2 days there still count: lead exited 3 deals with 2, 4 and 0
-- days, avg 2; spec revision 2), deal 2 in qualified since Jan 5, deal 3 in
-- qualified since Jan 1
SELECT stage, visits, exited_deals, avg_days, current_deals, avg_current_days, stale_deals
FROM (SELECT stage_times(p, ARRAY['lead','qualified','won'], timestamptz '2026-01-06') s FROM tpaths) x,
     time_in_stage(s);
-- without as_of: open visits are counted as current, their age is not measured
SELECT stage, visits, exited_deals, current_deals, avg_current_days, stale_deals
FROM (SELECT stage_times(p, ARRAY['lead','qualified','won']) s FROM tpaths) x, time_in_stage(s);
-- funnel and time in stage in one report
SELECT r.* FROM (SELECT stage_funnel(p, ARRAY['lead','qualified','won'], 'ordered') f,
                        stage_times(p, ARRAY['lead','qualified','won'], timestamptz '2026-02-01', interval '20 days') s
                 FROM tpaths) x, stage_report(f, s) r;
-- an open visit is never a zero: a deal whose only event is at as_of is current with age 0,
-- and exited/avg stay empty
SELECT stage, visits, exited_deals, avg_days, median_days, current_deals, avg_current_days
FROM (SELECT stage_times(p, ARRAY['lead','won'], timestamptz '2026-01-01') AS s
      FROM (SELECT stage_path('lead', timestamptz '2026-01-01', ARRAY['lead','won']) AS p) y) x, time_in_stage(s);
-- empty input: NULL
SELECT stage_times(p, ARRAY['lead','qualified','won']) IS NULL AS empty_is_null FROM tpaths WHERE false;

-- ---- random histories against the plain-SQL reference ----
-- events of 400 deals over 30 days at 6-hour steps: many ties, re-entries,
-- stages outside the list, NULL stages and times
SELECT setseed(0.4242);
CREATE TEMP TABLE rev AS
SELECT 1 + (random() * 399)::int AS deal,
       CASE WHEN r < 0.03 THEN NULL
            ELSE (ARRAY['lead','qualified','proposal','negotiation','won','closed lost','on hold'])[1 + (r * 7)::int % 7] END AS stage,
       CASE WHEN random() < 0.02 THEN NULL
            ELSE timestamptz '2026-01-01 00:00+00' + make_interval(hours => 6 * (random() * 120)::int) END AS at
FROM (SELECT random() AS r FROM generate_series(1, 2500)) s;
SELECT count(*) AS events, count(DISTINCT deal) AS deals,
       count(*) - count(DISTINCT (deal, stage, at)) AS duplicate_events,
       (SELECT count(*) FROM (SELECT deal, at FROM rev GROUP BY deal, at HAVING count(DISTINCT stage) > 1) x) AS tied_instants
FROM rev;

-- the reference: time in stage from lag/lead over each deal's events, as of
-- :as_of, stale after :stale; positions 1..5, outside stages 6
CREATE FUNCTION ref_times(as_of timestamptz, stale interval)
RETURNS TABLE("position" int, visits bigint, exited_deals bigint, avg_days numeric, median_days float8,
              current_deals bigint, avg_current_days numeric, stale_deals bigint)
LANGUAGE sql AS $$
  WITH e AS (
    SELECT deal, at, coalesce(array_position(ARRAY['lead','qualified','proposal','negotiation','won'], stage), 6) AS pos
    FROM rev WHERE stage IS NOT NULL AND at IS NOT NULL AND at <= as_of),
  o AS (SELECT deal, at, pos, lag(pos) OVER (PARTITION BY deal ORDER BY at, pos) AS prev FROM e),
  v AS (SELECT deal, pos, at AS start, lead(at) OVER (PARTITION BY deal ORDER BY at, pos) AS next_start
        FROM o WHERE prev IS DISTINCT FROM pos),
  d AS (SELECT deal, pos, count(*) AS visits,
               sum(extract(epoch FROM next_start - start)) FILTER (WHERE next_start IS NOT NULL) AS closed_s,
               bool_or(next_start IS NULL) AS is_current,
               max(extract(epoch FROM as_of - start)) FILTER (WHERE next_start IS NULL) AS age_s
        FROM v WHERE pos <= 5 GROUP BY deal, pos)
  SELECT k, coalesce(sum(d.visits), 0)::bigint,
         count(*) FILTER (WHERE closed_s IS NOT NULL),
         avg(closed_s / 86400) FILTER (WHERE closed_s IS NOT NULL),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY closed_s::float8 / 86400) FILTER (WHERE closed_s IS NOT NULL),
         count(*) FILTER (WHERE is_current),
         avg(age_s / 86400) FILTER (WHERE is_current),
         count(*) FILTER (WHERE is_current AND age_s > extract(epoch FROM stale))
  FROM generate_series(1, 5) k LEFT JOIN d ON d.pos = k GROUP BY k ORDER BY k
$$;

CREATE TEMP TABLE rpaths_tz AS
SELECT deal, stage_path(stage, at, ARRAY['lead','qualified','proposal','negotiation','won']) AS p FROM rev GROUP BY deal;
-- three snapshots: early (many open visits), middle, after the last event
CREATE TEMP TABLE cmp AS
SELECT a.as_of, o.position, o.visits = r.visits AS visits, o.exited_deals = r.exited_deals AS exited,
       o.current_deals = r.current_deals AS current, o.stale_deals = r.stale_deals AS stale,
       (o.avg_days IS NULL AND r.avg_days IS NULL) OR abs(o.avg_days - r.avg_days::float8) <= 1e-12 * r.avg_days::float8 AS avg,
       (o.avg_current_days IS NULL AND r.avg_current_days IS NULL)
         OR abs(o.avg_current_days - r.avg_current_days::float8) <= 1e-12 * r.avg_current_days::float8 AS avg_current,
       (o.median_days IS NULL AND r.median_days IS NULL) OR abs(o.median_days - r.median_days) <= r.median_days / 128 AS median,
       o.median_days = r.median_days AS median_exact
FROM (VALUES (timestamptz '2026-01-08 00:00+00'), (timestamptz '2026-01-16 12:00+00'), (timestamptz '2026-03-01 00:00+00')) a(as_of),
     LATERAL (SELECT t.* FROM (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], a.as_of, interval '5 days') s
                              FROM rpaths_tz) x, time_in_stage(s) t) o
     JOIN LATERAL ref_times(a.as_of, interval '5 days') r USING (position);
SELECT count(*) AS rows, count(*) FILTER (WHERE visits AND exited AND current AND stale AND avg AND avg_current AND median) AS equal,
       count(*) FILTER (WHERE median_exact) AS medians_exact
FROM cmp;
-- the reference is not trivial: re-entries, open visits and stale deals occur
SELECT sum(visits) - sum(exited_deals) - sum(current_deals) AS reentries, sum(current_deals) AS current,
       sum(stale_deals) AS stale, sum(exited_deals) AS exited
FROM ref_times(timestamptz '2026-01-16 12:00+00', interval '5 days');
-- deals and outside: deals with a usable event by as_of, and those with no list stage
SELECT deals(s) = (SELECT count(DISTINCT deal) FROM rev WHERE stage IS NOT NULL AND at <= '2026-01-16 12:00+00') AS deals,
       outside_deals(s) = (SELECT count(*) FROM (SELECT deal FROM rev WHERE stage IS NOT NULL AND at <= '2026-01-16 12:00+00'
                                                GROUP BY deal HAVING bool_and(stage NOT IN ('lead','qualified','proposal','negotiation','won'))) x) AS outside
FROM (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-01-16 12:00+00') s FROM rpaths_tz) x;

-- timestamp (wall clock) and date events give the same answers as the reference
CREATE TEMP TABLE cmp_types AS
SELECT 'timestamp' AS kind, o.position, o.visits, o.exited_deals, o.current_deals, o.stale_deals, o.avg_days, o.median_days, o.avg_current_days
FROM (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamp '2026-01-16 12:00', interval '5 days') s
      FROM (SELECT stage_path(stage, (at AT TIME ZONE 'UTC'), ARRAY['lead','qualified','proposal','negotiation','won']) p FROM rev GROUP BY deal) y) x,
     time_in_stage(s) o;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE o.visits = r.visits AND o.exited_deals = r.exited_deals AND o.current_deals = r.current_deals
                          AND o.stale_deals = r.stale_deals
                          AND coalesce(abs(o.avg_days - r.avg_days::float8) <= 1e-12 * r.avg_days::float8, o.avg_days IS NULL AND r.avg_days IS NULL)
                          AND coalesce(abs(o.median_days - r.median_days) <= r.median_days / 128, o.median_days IS NULL AND r.median_days IS NULL)
                          AND coalesce(abs(o.avg_current_days - r.avg_current_days::float8) <= 1e-12 * r.avg_current_days::float8,
                                       o.avg_current_days IS NULL AND r.avg_current_days IS NULL)) AS equal
FROM cmp_types o JOIN ref_times(timestamptz '2026-01-16 12:00+00', interval '5 days') r USING (position);
-- date events: the reference on whole days
CREATE TEMP TABLE rev_d AS SELECT deal, stage, (at AT TIME ZONE 'UTC')::date AS d FROM rev;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE o.visits = r.visits AND o.exited_deals = r.exited_deals AND o.current_deals = r.current_deals
                          AND o.stale_deals = r.stale_deals
                          AND coalesce(abs(o.avg_days - r.avg_days::float8) <= 1e-12 * r.avg_days::float8, o.avg_days IS NULL AND r.avg_days IS NULL)
                          AND coalesce(abs(o.median_days - r.median_days) <= r.median_days / 128, o.median_days IS NULL AND r.median_days IS NULL)
                          AND coalesce(abs(o.avg_current_days - r.avg_current_days::float8) <= 1e-12 * r.avg_current_days::float8,
                                       o.avg_current_days IS NULL AND r.avg_current_days IS NULL)) AS equal
FROM (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], date '2026-01-20', interval '3 days') s
      FROM (SELECT stage_path(stage, d, ARRAY['lead','qualified','proposal','negotiation','won']) p FROM rev_d GROUP BY deal) y) x,
     time_in_stage(s) o
JOIN (WITH e AS (SELECT deal, d, coalesce(array_position(ARRAY['lead','qualified','proposal','negotiation','won'], stage), 6) AS pos
                 FROM rev_d WHERE stage IS NOT NULL AND d IS NOT NULL AND d <= date '2026-01-20'),
           o AS (SELECT deal, d, pos, lag(pos) OVER (PARTITION BY deal ORDER BY d, pos) AS prev FROM e),
           v AS (SELECT deal, pos, d AS start, lead(d) OVER (PARTITION BY deal ORDER BY d, pos) AS next_start FROM o WHERE prev IS DISTINCT FROM pos),
           dd AS (SELECT deal, pos, count(*) AS visits, sum(next_start - start) FILTER (WHERE next_start IS NOT NULL) AS closed_d,
                         bool_or(next_start IS NULL) AS is_current, max(date '2026-01-20' - start) FILTER (WHERE next_start IS NULL) AS age_d
                  FROM v WHERE pos <= 5 GROUP BY deal, pos)
      SELECT k AS position, coalesce(sum(dd.visits), 0) AS visits, count(*) FILTER (WHERE closed_d IS NOT NULL) AS exited_deals,
             avg(closed_d) FILTER (WHERE closed_d IS NOT NULL) AS avg_days,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY closed_d) FILTER (WHERE closed_d IS NOT NULL) AS median_days,
             count(*) FILTER (WHERE is_current) AS current_deals, avg(age_d) FILTER (WHERE is_current) AS avg_current_days,
             count(*) FILTER (WHERE is_current AND age_d > 3) AS stale_deals
      FROM generate_series(1, 5) k LEFT JOIN dd ON dd.pos = k GROUP BY k) r USING (position);

-- ---- merging: rollup of partial states equals the direct aggregate, exactly ----
SELECT (SELECT rollup(s)::text FROM (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-01-16 12:00+00', interval '5 days') s
                                     FROM rpaths_tz GROUP BY deal % 5) x)
     = (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-01-16 12:00+00', interval '5 days')::text
        FROM rpaths_tz) AS rollup_equal,
       (SELECT rollup(s)::text FROM (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won']) s
                                     FROM rpaths_tz GROUP BY deal % 3) x)
     = (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'])::text FROM rpaths_tz) AS rollup_no_as_of_equal;
-- the median after merging is the median of all deals (per-part medians are not averaged)
SELECT median_days(rollup(s), 'qualified') = (SELECT median_days(stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-03-01 00:00+00'), 'qualified') FROM rpaths_tz) AS merged_median
FROM (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-03-01 00:00+00') s
      FROM rpaths_tz GROUP BY deal % 2) x;

-- ---- histogram resolution (33 deals: past the 32 exact values): values below
-- 128 us are exact, above within 1/128 ----
SELECT v AS usec, median_days(s, 'a') * 86400e6 AS represented,
       abs(median_days(s, 'a') * 86400e6 - v) <= v / 128.0 AS within_1_128
FROM (VALUES (0::bigint), (1), (127), (128), (129), (1000), (86400000000), (86400000000 * 365 + 12345)) t(v),
     LATERAL (SELECT stage_times(p, ARRAY['a','b']) s
              FROM (SELECT stage_path(st, timestamp '2026-01-01' + make_interval(secs => (CASE WHEN st = 'a' THEN 0 ELSE v END) / 1e6), ARRAY['a','b']) p
                    FROM (VALUES ('a'), ('b')) e(st), generate_series(1, 33) g(deal) GROUP BY deal) y) x;

-- ---- text and binary round trip, storable ----
CREATE TEMP TABLE stored AS
SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-01-16 12:00+00', interval '5 days') s FROM rpaths_tz;
SELECT s::text::stage_times::text = s::text AS text_round_trip FROM stored;
-- binary COPY on the client side (no superuser, no server file), through a
-- file of this run's own (mktemp), removed afterwards
\set copy_file `mktemp -t sales_kpi_stage_times.XXXXXXXX`
\setenv SALES_KPI_COPY_FILE :copy_file
COPY stored TO STDOUT WITH (FORMAT binary) \g :copy_file
CREATE TEMP TABLE stored2 (s stage_times);
\copy stored2 FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
\! rm -f "$SALES_KPI_COPY_FILE"
SELECT (SELECT s::text FROM stored) = (SELECT s::text FROM stored2) AS binary_round_trip;
CREATE TABLE times_paths AS SELECT * FROM rpaths_tz;
CREATE MATERIALIZED VIEW times_mv AS
SELECT deal % 2 AS part, stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-01-16 12:00+00', interval '5 days') s
FROM times_paths GROUP BY 1;
SELECT rollup(s)::text = (SELECT s::text FROM stored) AS from_matview FROM times_mv;
DROP MATERIALIZED VIEW times_mv;
DROP TABLE times_paths;

-- ---- one-level form: stage_history groups by deal internally and gives
-- exactly the two-level results, for bigint and text deal ids ----
CREATE TEMP TABLE hist1 AS
SELECT stage_history(deal::bigint, stage, at, ARRAY['lead','qualified','proposal','negotiation','won']) AS h FROM rev;
CREATE TEMP TABLE hist1t AS
SELECT stage_history('deal-' || deal, stage, at, ARRAY['lead','qualified','proposal','negotiation','won']) AS h FROM rev;
SELECT events(h) = (SELECT count(*) FROM rev WHERE stage IS NOT NULL AND at IS NOT NULL) AS all_events FROM hist1;
SELECT m.mode,
       (SELECT stage_funnel(h, m.mode)::text FROM hist1)
         = (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], m.mode)::text FROM rpaths_tz) AS bigint_ids,
       (SELECT stage_funnel(h, m.mode)::text FROM hist1t)
         = (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], m.mode)::text FROM rpaths_tz) AS text_ids
FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode);
SELECT (SELECT stage_funnel(h)::text FROM hist1) = (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'])::text FROM rpaths_tz) AS default_mode,
       (SELECT stage_times(h, timestamptz '2026-01-16 12:00+00', interval '5 days')::text FROM hist1)
         = (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-01-16 12:00+00', interval '5 days')::text FROM rpaths_tz) AS times_bigint,
       (SELECT stage_times(h, timestamptz '2026-01-16 12:00+00')::text FROM hist1t)
         = (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-01-16 12:00+00')::text FROM rpaths_tz) AS times_text,
       (SELECT stage_times(h)::text FROM hist1)
         = (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'])::text FROM rpaths_tz) AS times_no_as_of;
-- the one-level report in one statement
SELECT r.stage, r.reached, r.visits, r.exited_deals, r.current_deals, r.stale_deals
FROM hist1, stage_report(stage_funnel(h, 'ordered'), stage_times(h, timestamptz '2026-01-16 12:00+00', interval '5 days')) r;
-- partial states merge (forced parallel below) and text / binary round trips
SELECT h::text::stage_history::text = h::text AS text_round_trip FROM hist1t;
SELECT '(version=1,time=date,ids=text,stages=["a","b"],events=[("x\"y",1,86400000000),("x\"y",0,0),("z",2,0)])'::stage_history;
SELECT (stage_conversion(stage_funnel('(version=1,time=date,ids=text,stages=["a","b"],events=[("x\"y",1,86400000000),("x\"y",0,0),("z",2,0)])'::stage_history, 'ordered'))).*;
\set copy_file `mktemp -t sales_kpi_stage_history.XXXXXXXX`
\setenv SALES_KPI_COPY_FILE :copy_file
COPY hist1t TO STDOUT WITH (FORMAT binary) \g :copy_file
CREATE TEMP TABLE hist1t_copy (h stage_history);
\copy hist1t_copy FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
\! rm -f "$SALES_KPI_COPY_FILE"
SELECT (SELECT h::text FROM hist1t) = (SELECT h::text FROM hist1t_copy) AS binary_round_trip;
-- bad input
SELECT error_of(format('SELECT %L::stage_history', lit)) AS stage_history_errors
FROM (VALUES
  ('(version=1,time=date,ids=uuid,stages=["a"],events=[])'),
  ('(version=1,time=date,ids=bigint,stages=["a","a"],events=[])'),
  ('(version=1,time=date,ids=bigint,stages=["a"],events=[(1,2,0)])'),
  ('(version=1,time=date,ids=bigint,stages=["a"],events=[("x",0,0)])'),
  ('(version=1,time=date,ids=text,stages=["a"],events=[(1,0,0)])'),
  ('(version=1,time=date,ids=bigint,stages=["a"],events=[(1,0,9223372036854775807)])')
) v(lit);
SELECT error_of($$SELECT stage_times(h, timestamp '2026-01-16 12:00') FROM hist1$$);
SELECT error_of($$SELECT stage_history(d, 'a', now(), ARRAY['a']) FROM (VALUES (repeat('x', 2000))) v(d)$$);
SELECT error_of($$SELECT stage_history(d, 'a', now(), CASE WHEN d = 1 THEN ARRAY['a'] ELSE ARRAY['b'] END) FROM (VALUES (1::bigint), (2)) v(d)$$);
-- the value is canonical: events sorted by (deal, time, position) whatever the row order
SELECT (SELECT stage_history(deal::bigint, stage, at, ARRAY['lead','won'] ORDER BY random())::text FROM rev)
     = (SELECT stage_history(deal::bigint, stage, at, ARRAY['lead','won'] ORDER BY at DESC)::text FROM rev) AS canonical;

-- percentiles of the exited deals' times, as percentile_cont over the
-- histogram's representatives (0.5 is the median)
SELECT p AS fraction,
       abs(percentile_days(s, 'qualified', p) - r) <= r / 128 AS within_1_128,
       percentile_days(s, 'qualified', 0.5) = median_days(s, 'qualified') AS median_consistent
FROM (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], timestamptz '2026-03-01 00:00+00') s FROM rpaths_tz) x,
     (VALUES (0.0), (0.1), (0.25), (0.5), (0.9), (1.0)) f(p),
     LATERAL (SELECT percentile_cont(p) WITHIN GROUP (ORDER BY closed_s / 86400) AS r
              FROM (WITH e AS (SELECT deal, at, coalesce(array_position(ARRAY['lead','qualified','proposal','negotiation','won'], stage), 6) AS pos
                               FROM rev WHERE stage IS NOT NULL AND at IS NOT NULL),
                         o AS (SELECT deal, at, pos, lag(pos) OVER (PARTITION BY deal ORDER BY at, pos) AS prev FROM e),
                         v AS (SELECT deal, pos, at AS start, lead(at) OVER (PARTITION BY deal ORDER BY at, pos) AS next_start
                               FROM o WHERE prev IS DISTINCT FROM pos)
                    SELECT deal, sum(extract(epoch FROM next_start - start))::float8 AS closed_s
                    FROM v WHERE pos = 2 GROUP BY deal HAVING bool_or(next_start IS NOT NULL)) d) ref;
SELECT error_of($$SELECT percentile_days(s, 'lead', 1.5) FROM stored$$);
-- called outside an aggregate, the support functions also return canonical values
SELECT stage_history_combine('(version=1,time=date,ids=bigint,stages=["a"],events=[(2,0,0)])'::stage_history,
                             '(version=1,time=date,ids=bigint,stages=["a"],events=[(1,0,0)])'::stage_history)::text AS combined;
-- many small groups in a hash aggregate (plain states) and one large group
-- (an expanded state) give the same funnels as the two-level form
SET enable_sort = off;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE f1::text = f2::text) AS equal
FROM (SELECT deal % 97 AS g, stage_funnel(stage_history(deal::bigint, stage, at, ARRAY['lead','qualified','proposal','negotiation','won']), 'ordered') AS f1
      FROM rev GROUP BY 1) a
JOIN (SELECT g, stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], 'ordered') AS f2
      FROM (SELECT deal % 97 AS g, stage_path(stage, at, ARRAY['lead','qualified','proposal','negotiation','won']) AS p FROM rev GROUP BY deal) y
      GROUP BY 1) b USING (g);
RESET enable_sort;
SELECT stage_funnel(stage_history(d::bigint, 'lead', timestamptz '2026-01-01' + d * interval '1 second', ARRAY['lead']))::text AS big
FROM generate_series(1, 20000) d;
