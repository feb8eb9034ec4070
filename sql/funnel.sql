-- stage funnels: hand-computed paths in every mode, ties, unknown stages,
-- re-entries, the one-level form, and the plain-SQL references.

CREATE TEMP TABLE h(deal int, stage text, t date);
INSERT INTO h VALUES
  -- deal 1: straight through to proposal
  (1, 'lead', '2024-01-01'), (1, 'qualified', '2024-01-03'), (1, 'proposal', '2024-01-05'),
  -- deal 2: skips qualified (implied counts it, entered and ordered do not)
  (2, 'lead', '2024-01-01'), (2, 'proposal', '2024-01-04'),
  -- deal 3: qualified before lead (ordered: lead only), plus an unknown stage
  (3, 'qualified', '2024-01-01'), (3, 'on hold', '2024-01-02'), (3, 'lead', '2024-01-03'),
  -- deal 4: lead and qualified on the same day (tie: taken in funnel order), then lost
  (4, 'qualified', '2024-01-02'), (4, 'lead', '2024-01-02'), (4, 'closed lost', '2024-01-09'),
  -- deal 5: only outside stages
  (5, 'closed lost', '2024-01-01'),
  -- deal 6: re-enters lead after qualified, then proposal, won
  (6, 'lead', '2024-01-01'), (6, 'qualified', '2024-01-02'), (6, 'lead', '2024-01-03'),
  (6, 'proposal', '2024-01-04'), (6, 'won', '2024-01-05'),
  -- NULL stage / NULL time are ignored
  (6, NULL, '2024-01-06'), (6, 'won', NULL);
CREATE TEMP TABLE paths AS
SELECT deal, stage_path(stage, t, ARRAY['lead','qualified','proposal','won']) AS p FROM h GROUP BY deal;
-- the paths, with their stage-list hash masked: hash_bytes_extended() reads the
-- names as native 32-bit words, so the value depends on the byte order; every
-- path of one stage list carries the same hash, another list another one
SELECT deal, regexp_replace(p::text, ',hash=-?[0-9]+,', ',hash=H,') AS p FROM paths ORDER BY deal;
SELECT count(DISTINCT substring(p::text FROM ',hash=(-?[0-9]+),')) AS hashes,
       count(*) FILTER (WHERE substring(p::text FROM ',hash=(-?[0-9]+),')
                              IS NOT DISTINCT FROM (SELECT substring(stage_path('lead', date '2024-01-01', ARRAY['lead','won'])::text
                                                                     FROM ',hash=(-?[0-9]+),'))) AS same_as_other_list
FROM paths;
-- implied: lead 5, qualified 5, proposal 3, won 1; entered: 5, 4, 3, 1; ordered: 5, 3, 2, 1
SELECT m.mode, f.*
FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode),
     LATERAL (SELECT (stage_conversion(stage_funnel(p, ARRAY['lead','qualified','proposal','won'], m.mode))).* FROM paths) f
ORDER BY m.mode COLLATE "C", f.position;
SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','won'], 'ordered') FROM paths;
SELECT stage_conversion(f, 'lead', 'won') AS lead_to_won, stage_conversion(f, 'qualified', 'proposal') AS q_to_p,
       reached(f, 'qualified'), deals(f), outside_deals(f)
FROM (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','won']) f FROM paths) x;
-- win probability by stage (ordered): lead 1/5, qualified 1/3, proposal 1/2, won 1
SELECT win_probability(f, 'lead') AS lead, win_probability(f, 'qualified') AS qualified,
       win_probability(f, 'proposal') AS proposal, win_probability(f, 'won') AS won
FROM (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','won'], 'ordered') f FROM paths) x;
-- reached(from) = 0 -> NULL
SELECT stage_conversion(f, 'x', 'lead') IS NULL AS zero_from
FROM (SELECT stage_funnel(p, ARRAY['x','lead','qualified','proposal','won'], 'entered') f
      FROM (SELECT stage_path(stage, t, ARRAY['x','lead','qualified','proposal','won']) p FROM h GROUP BY deal) y) z;

-- one-level form over a deals table (one row per deal at its furthest stage)
SELECT (stage_conversion(stage_funnel(s, ARRAY['lead','qualified','proposal','won']))).*
FROM (VALUES ('proposal'), ('lead'), ('won'), ('closed lost'), (NULL)) v(s);
SELECT (stage_conversion(stage_funnel(s, ARRAY['lead','qualified','proposal','won'], 'entered'))).reached
FROM (VALUES ('proposal'), ('lead'), ('won'), ('closed lost')) v(s);

-- random histories: every mode equals its plain-SQL reference
CREATE TEMP TABLE ev AS
SELECT deal_id, array_position(ARRAY['lead','qualified','proposal','negotiation','won'], stage) AS pos, entered_at AS t
FROM stage_events WHERE stage IS NOT NULL AND entered_at IS NOT NULL;
CREATE TEMP TABLE rpaths AS
SELECT deal_id, stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won']) p
FROM stage_events GROUP BY deal_id;
CREATE TEMP TABLE ours AS
SELECT m.mode, f.position, f.reached
FROM (VALUES ('implied'), ('entered'), ('ordered')) m(mode),
     LATERAL (SELECT (stage_conversion(stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], m.mode))).* FROM rpaths) f;
-- implied: furthest position per deal
CREATE TEMP TABLE ref AS
SELECT 'implied' AS mode, k AS position, count(*) FILTER (WHERE maxpos >= k) AS reached
FROM (SELECT deal_id, max(pos) maxpos FROM ev GROUP BY deal_id) d, generate_series(1, 5) k GROUP BY k
UNION ALL
-- entered: deals with at least one event of the stage
SELECT 'entered', k, count(DISTINCT deal_id) FILTER (WHERE pos = k) FROM ev, generate_series(1, 5) k GROUP BY k
UNION ALL
-- ordered: t1 = first time of stage 1, t(k) = first time of stage k at or after t(k-1)
SELECT 'ordered', k, count(t) FROM (
  WITH RECURSIVE r(deal_id, k, t) AS (
    SELECT deal_id, 1, min(t) FROM ev WHERE pos = 1 GROUP BY deal_id
    UNION ALL
    SELECT r.deal_id, r.k + 1, (SELECT min(e.t) FROM ev e WHERE e.deal_id = r.deal_id AND e.pos = r.k + 1 AND e.t >= r.t)
    FROM r WHERE r.k < 5 AND r.t IS NOT NULL)
  SELECT k, t FROM r) x RIGHT JOIN generate_series(1, 5) k USING (k) GROUP BY k;
SELECT (SELECT count(*) FROM ours) AS rows,
       (SELECT count(*) FROM ours o JOIN ref r USING (mode, position) WHERE o.reached = r.reached) AS equal_rows;
SELECT mode, array_agg(reached ORDER BY position) FROM ours GROUP BY mode ORDER BY mode COLLATE "C";
-- deals and outside: every deal with a usable event; outside = no in-list stage
SELECT deals(f) = (SELECT count(DISTINCT deal_id) FROM ev) AS deals,
       outside_deals(f) = (SELECT count(*) FROM (SELECT deal_id FROM ev GROUP BY deal_id HAVING count(pos) = 0) x) AS outside
FROM (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won']) f FROM rpaths) y;
-- rollup of per-group funnels equals the funnel of all paths
SELECT (SELECT rollup(f)::text FROM (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], 'ordered') f
                                     FROM rpaths GROUP BY deal_id % 4) x)
     = (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], 'ordered')::text FROM rpaths) AS rollup_equal;
