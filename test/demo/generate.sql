-- Sample CRM for the sales_kpi demo: sales reps, deals with their stage
-- history, and subscription customers with their orders.
--
--   psql -v scale=1 -v seed=42 -f test/demo/generate.sql
--
-- scale 1 = 20 reps in 3 teams, ~20,000 deals over two years, ~2,000
-- customers with ~14,000 orders.  The data is deterministic: every random
-- number is a hash of (row key, stream, seed), and "today" is fixed at
-- 2026-11-01 00:00 UTC, so the same scale and seed give the same rows on any
-- machine and any day.

\if :{?scale}
\else
\set scale 1
\endif
\if :{?seed}
\else
\set seed 42
\endif

SET client_min_messages = warning;
-- day arithmetic on timestamptz depends on the time zone: fix it
SET TimeZone = 'UTC';

DROP TABLE IF EXISTS subscriptions, annual_targets, activities, leads, orders, customers, deal_stage_history, deals, reps;

-- Pseudo-random numbers: pg_temp.u(key, stream) is uniform in [0, 1),
-- pg_temp.n(key, stream) standard normal (Box-Muller); both pure functions
-- of their arguments and the seed.
SELECT format($f$
CREATE FUNCTION pg_temp.u(k bigint, stream int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
'SELECT ((hashint8extended(k, %1$s::bigint * 1000 + stream) >> 11) & 9007199254740991)::float8 / 9007199254740992.0'
$f$, :seed::bigint) \gexec
CREATE FUNCTION pg_temp.n(k bigint, stream int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
'SELECT sqrt(-2 * ln(1 - pg_temp.u(k, stream))) * cos(2 * pi() * pg_temp.u(k, stream + 500))';

CREATE TEMP TABLE demo_param AS
SELECT timestamptz '2026-11-01 00:00+00' AS today,
       timestamptz '2024-11-01 00:00+00' AS t0,          -- two years of history
       greatest(20, round(20000 * :scale::numeric))::int AS n_deals,
       greatest(20, round(2000 * :scale::numeric))::int AS n_customers;

------------------------------------------------------------------------------
-- reps: 20 reps in 3 teams.  Each team sells a different deal size and cycle;
-- each rep has a skill (win probability 17%..43%, spread evenly over the reps in a
-- seed-dependent order), a cycle length (20..120 days) and a deal volume.
------------------------------------------------------------------------------
CREATE TABLE reps (rep_id int PRIMARY KEY, name text NOT NULL, team text NOT NULL);
CREATE TEMP TABLE rep_param AS
WITH r AS (
  SELECT i AS rep_id,
         (ARRAY['Anna Berg','Ben Carter','Chloe Dubois','David Eriksen','Emma Fischer',
                'Felix Gruber','Greta Hansen','Hugo Ibsen','Ida Jensen','Jonas Keller',
                'Klara Lund','Lars Meyer','Maja Nilsen','Noah Olsen','Olivia Petit',
                'Paul Quist','Rosa Schmidt','Sven Torres','Tara Weber','Yusuf Zimmer'])[i] AS name,
         (ARRAY['Enterprise','Mid-Market','SMB'])[1 + (i - 1) % 3] AS team,
         rank() OVER (ORDER BY pg_temp.u(i, 1)) AS skill_rank
  FROM generate_series(1, 20) i
)
SELECT r.*,
       0.17 + 0.26 * (skill_rank - 1) / 19.0 AS p_win,
       -- cycle: Enterprise 70..120 days, Mid-Market 40..80, SMB 20..50
       CASE team WHEN 'Enterprise' THEN 70 + 50 * pg_temp.u(rep_id, 2)
                 WHEN 'Mid-Market' THEN 40 + 40 * pg_temp.u(rep_id, 2)
                 ELSE 20 + 30 * pg_temp.u(rep_id, 2) END AS cycle_days,
       -- median deal size
       CASE team WHEN 'Enterprise' THEN 40000 WHEN 'Mid-Market' THEN 12000 ELSE 4000 END
         * (0.75 + 0.5 * pg_temp.u(rep_id, 3)) AS median_amount,
       -- share of the deals
       CASE team WHEN 'Enterprise' THEN 0.5 WHEN 'Mid-Market' THEN 1.0 ELSE 1.6 END
         * (0.7 + 0.6 * pg_temp.u(rep_id, 4)) AS volume
FROM r;
ALTER TABLE rep_param ADD COLUMN cum_hi float8, ADD COLUMN cum_lo float8;
UPDATE rep_param p SET cum_hi = c.hi, cum_lo = c.hi - p.volume / c.total
FROM (SELECT rep_id, sum(volume) OVER (ORDER BY rep_id) / sum(volume) OVER () AS hi,
             sum(volume) OVER () AS total FROM rep_param) c
WHERE c.rep_id = p.rep_id;
UPDATE rep_param SET cum_hi = 1 WHERE rep_id = 20;   -- no float gap at the top
INSERT INTO reps SELECT rep_id, name, team FROM rep_param ORDER BY rep_id;

------------------------------------------------------------------------------
-- deals: each deal is planned to its end (won, or lost at some stage), then
-- cut at "today": a deal whose end lies after today is open.
--   stages: lead -> qualified -> proposal -> negotiation -> won
--   lost deals die at lead 35%, qualified 30%, proposal 20%, negotiation 15%
--   some deals skip a stage, ~5% go back one stage once (a loop)
------------------------------------------------------------------------------
CREATE TEMP TABLE plan AS
WITH g AS (
  SELECT i::bigint AS deal_id,
         -- created: more deals lately (the business grows), office hours
         p.t0 + floor(730 * pg_temp.u(i, 11) ^ 0.8) * interval '1 day'
              + (8 * 3600 + floor(10 * 3600 * pg_temp.u(i, 12))) * interval '1 second' AS created_at,
         pg_temp.u(i, 10) AS u_rep
  FROM demo_param p, generate_series(1, p.n_deals) i
), d AS (
  SELECT g.deal_id, r.rep_id, g.created_at,
         r.median_amount * exp(0.7 * pg_temp.n(g.deal_id, 13)) AS raw_amount,
         pg_temp.n(g.deal_id, 13) AS z_amount,
         r.p_win,
         -- planned days from created to the end of the funnel
         r.cycle_days * exp(0.35 * pg_temp.n(g.deal_id, 14)) AS dur,
         -- stage segment weights lead->qualified->proposal->negotiation->won
         0.15 * (0.6 + 0.8 * pg_temp.u(g.deal_id, 15)) AS w1,
         0.25 * (0.6 + 0.8 * pg_temp.u(g.deal_id, 16)) AS w2,
         0.30 * (0.6 + 0.8 * pg_temp.u(g.deal_id, 17)) AS w3,
         0.30 * (0.6 + 0.8 * pg_temp.u(g.deal_id, 18)) AS w4
  FROM g JOIN rep_param r ON g.u_rep >= r.cum_lo AND g.u_rep < r.cum_hi
), a AS (
  -- log-normal amount, squeezed smoothly into 1,000 .. 200,000 (no pile-up at the bounds)
  SELECT d.*, round((s / (1 + (s / 200000) ^ 4) ^ 0.25)::numeric, 2) AS amount
  FROM (SELECT d.*, (raw_amount ^ 4 + 1000.0 ^ 4) ^ 0.25 AS s FROM d) d
), w AS (
  SELECT a.*,
         -- the rep's bigger deals are harder to win, the smaller ones easier
         pg_temp.u(deal_id, 19) < p_win * greatest(0.6, least(1.4, 1 - 0.15 * z_amount)) AS will_win,
         pg_temp.u(deal_id, 20) AS u_death,
         w1 + w2 + w3 + w4 AS wsum
  FROM a
)
SELECT deal_id, rep_id, created_at, amount, will_win,
       CASE WHEN will_win THEN 5
            WHEN u_death < 0.35 THEN 1 WHEN u_death < 0.65 THEN 2
            WHEN u_death < 0.85 THEN 3 ELSE 4 END AS last_pos,
       created_at + dur * (w1) / wsum * interval '1 day' AS t2,
       created_at + dur * (w1 + w2) / wsum * interval '1 day' AS t3,
       created_at + dur * (w1 + w2 + w3) / wsum * interval '1 day' AS t4,
       created_at + dur * interval '1 day' AS t5,
       pg_temp.u(deal_id, 21) AS u_lost_at,
       -- a lost deal goes stale before the rep marks it lost: exponential, mean 45 days
       -45 * ln(1 - pg_temp.u(deal_id, 23)) AS stale_days,
       -- loops: 9% of the deals that get that far go back one stage once,
       -- proposal -> qualified (loop 3) or negotiation -> proposal (loop 4)
       CASE WHEN pg_temp.u(deal_id, 22) >= 0.09 THEN 0
            WHEN pg_temp.u(deal_id, 24) < 0.5 THEN 3 ELSE 4 END AS loop_at,
       -- how the deal entered the funnel: 3% come from partners already
       -- qualified (no lead stage), 6% are fast-tracked from lead straight to
       -- proposal (no qualified stage), the rest go through every stage
       CASE WHEN pg_temp.u(deal_id, 25) < 0.03 THEN 'partner'
            WHEN pg_temp.u(deal_id, 25) < 0.09 THEN 'fast' ELSE 'normal' END AS entry
FROM w;
UPDATE plan SET entry = 'normal'
WHERE (entry = 'partner' AND last_pos < 2) OR (entry = 'fast' AND last_pos < 3);
UPDATE plan SET t2 = created_at WHERE entry = 'partner';
-- end of the deal: won at t5, or lost 30%..100% into the segment after its
-- last stage, plus the stale time
ALTER TABLE plan ADD COLUMN t_end timestamptz;
UPDATE plan SET t_end = CASE WHEN will_win THEN t5 ELSE
    (ARRAY[created_at, t2, t3, t4])[last_pos]
    + (0.3 + 0.7 * u_lost_at) * ((ARRAY[t2, t3, t4, t5])[last_pos] - (ARRAY[created_at, t2, t3, t4])[last_pos])
    + stale_days * interval '1 day' END;
-- a loop needs the deal to have reached that stage; t_next = when it moves on
ALTER TABLE plan ADD COLUMN t_next timestamptz;
UPDATE plan SET loop_at = CASE WHEN last_pos >= 4 THEN loop_at WHEN last_pos = 3 THEN 3 ELSE 0 END
WHERE loop_at > 0;
UPDATE plan SET t_next = CASE WHEN loop_at = 3 AND last_pos >= 4 THEN t4 ELSE t_end END
WHERE loop_at > 0;

CREATE TABLE deal_stage_history (deal_id bigint NOT NULL, stage text NOT NULL, entered_at timestamptz NOT NULL);
INSERT INTO deal_stage_history
SELECT p.deal_id, e.stage, date_trunc('second', e.t)
FROM plan p CROSS JOIN demo_param dp
CROSS JOIN LATERAL (VALUES
    ('lead', CASE WHEN p.entry <> 'partner' THEN p.created_at END),
    ('qualified', CASE WHEN p.last_pos >= 2 AND p.entry <> 'fast' THEN p.t2 END),
    ('proposal', CASE WHEN p.last_pos >= 3 THEN p.t3 END),
    -- loop 3: back to qualified, then proposal again, before the next step
    ('qualified', CASE WHEN p.loop_at = 3 THEN p.t3 + 0.3 * (p.t_next - p.t3) END),
    ('proposal', CASE WHEN p.loop_at = 3 THEN p.t3 + 0.6 * (p.t_next - p.t3) END),
    ('negotiation', CASE WHEN p.last_pos >= 4 THEN p.t4 END),
    -- loop 4: back to proposal, then negotiation again
    ('proposal', CASE WHEN p.loop_at = 4 THEN p.t4 + 0.3 * (p.t_next - p.t4) END),
    ('negotiation', CASE WHEN p.loop_at = 4 THEN p.t4 + 0.6 * (p.t_next - p.t4) END),
    ('won', CASE WHEN p.will_win THEN p.t_end END),
    ('closed lost', CASE WHEN NOT p.will_win THEN p.t_end END)
) e(stage, t)
WHERE e.t < dp.today
ORDER BY p.deal_id, e.t;

CREATE TABLE deals (
    deal_id bigint PRIMARY KEY,
    rep_id int NOT NULL REFERENCES reps,
    amount numeric(12,2) NOT NULL,
    created_at timestamptz NOT NULL,
    closed_at timestamptz,          -- NULL while open
    won boolean,                    -- NULL = open
    stage text NOT NULL             -- the furthest stage reached
);
INSERT INTO deals
SELECT p.deal_id, p.rep_id, p.amount, date_trunc('second', p.created_at),
       CASE WHEN p.t_end < dp.today THEN date_trunc('second', p.t_end) END,
       CASE WHEN p.t_end < dp.today THEN p.will_win END,
       (ARRAY['lead','qualified','proposal','negotiation','won'])[f.furthest]
FROM plan p CROSS JOIN demo_param dp
JOIN (SELECT deal_id, max(array_position(ARRAY['lead','qualified','proposal','negotiation','won'], stage)) AS furthest
      FROM deal_stage_history GROUP BY deal_id) f USING (deal_id)
ORDER BY p.deal_id;
CREATE INDEX ON deal_stage_history (deal_id, entered_at);
CREATE INDEX ON deals (rep_id);

------------------------------------------------------------------------------
-- customers: subscriptions starting over the two years (more lately), each
-- with a monthly churn hazard of 2%..4% (smaller for bigger accounts);
-- active_until NULL = still active today.
------------------------------------------------------------------------------
CREATE TABLE customers (
    customer_id bigint PRIMARY KEY,
    active_from date NOT NULL,
    active_until date,
    mrr numeric(10,2) NOT NULL
);
INSERT INTO customers
SELECT c.customer_id, c.active_from,
       CASE WHEN c.active_from + c.life_days < p.today::date THEN c.active_from + c.life_days END,
       c.mrr
FROM demo_param p,
LATERAL (
  SELECT x.customer_id, x.active_from, x.mrr,
         -- exponential lifetime in months, hazard 4% at MRR 29 .. 2% at MRR 5000
         greatest(1, round(-ln(1 - pg_temp.u(x.customer_id, 33))
             / (0.04 - 0.02 * ln(x.mrr / 29) / ln(5000 / 29.0)) * 30.44))::int AS life_days
  FROM (
    SELECT i::bigint AS customer_id,
           p.t0::date + floor(730 * pg_temp.u(i, 31) ^ 0.85)::int AS active_from,
           round(least(5000, greatest(29, 250 * exp(0.9 * pg_temp.n(i, 32))))::numeric, 2) AS mrr
    FROM generate_series(1, p.n_customers) i
  ) x
) c
ORDER BY c.customer_id;

------------------------------------------------------------------------------
-- orders: repeat purchases while the customer is active, every 15..90 days on
-- average, basket size log-normal around a per-customer median.
------------------------------------------------------------------------------
CREATE TABLE orders (
    order_id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers,
    amount numeric(10,2) NOT NULL,
    purchased_at timestamptz NOT NULL
);
INSERT INTO orders
SELECT row_number() OVER (ORDER BY o.purchased_at, o.customer_id), o.customer_id, o.amount, o.purchased_at
FROM (
  SELECT c.customer_id,
         round(greatest(5, c.basket * exp(0.5 * pg_temp.n(c.customer_id * 1000 + k, 43)))::numeric, 2) AS amount,
         date_trunc('second', c.active_from::timestamptz
             + (k * c.gap + CASE WHEN k = 0 THEN 0 ELSE c.gap * (pg_temp.u(c.customer_id * 1000 + k, 44) - 0.5) END)
               * interval '1 day'
             + (9 * 3600 + floor(12 * 3600 * pg_temp.u(c.customer_id * 1000 + k, 45))) * interval '1 second') AS purchased_at,
         c.ends
  FROM (
    SELECT cu.customer_id, cu.active_from,
           coalesce(cu.active_until::timestamptz, p.today) AS ends,
           15 + 75 * pg_temp.u(cu.customer_id, 41) AS gap,
           60 * exp(1.2 * pg_temp.u(cu.customer_id, 42)) * (0.5 + cu.mrr / 500) AS basket
    FROM customers cu, demo_param p
  ) c,
  LATERAL generate_series(0, floor((c.ends::date - c.active_from) / c.gap)::int) k
) o
WHERE o.purchased_at < o.ends;

------------------------------------------------------------------------------
-- issue 14: leads, activities and annual targets.
-- leads: over the last year (more lately), from four sources; 30% become
-- sales-qualified within 3..40 days.  activities: per lead 0..6 attempts
-- (calls 65%, e-mails 35%), the first after a rep-dependent delay (median
-- 1..10 hours), then every 1..3 days -- or every 1..2 hours for the reps who
-- hammer the phone (rep_id % 7 = 0); outcomes as the seed's "100 calls ->
-- 30 prospects -> 5 leads": lead 5%, conversation 25%, connected 12%; a
-- meeting on qualification; 3% of the leads had an outbound call two days
-- before they became a lead (dirty data the follow-up counts as prior).
-- Activities after today are not known yet.  annual_targets: per rep and
-- 2026, 115% of the rep's won revenue of the 12 months to 2025-11-01,
-- rounded to 1,000.  deals get an expected close date.
------------------------------------------------------------------------------
ALTER TABLE deals ADD COLUMN expected_close date;
UPDATE deals d SET expected_close = CASE
    WHEN d.closed_at IS NOT NULL THEN d.closed_at::date
    WHEN d.created_at + (30 + 90 * pg_temp.u(d.deal_id, 61)) * interval '1 day' > p.today
        THEN (d.created_at + (30 + 90 * pg_temp.u(d.deal_id, 61)) * interval '1 day')::date
    ELSE (p.today + (3 + 80 * pg_temp.u(d.deal_id, 62)) * interval '1 day')::date END
FROM demo_param p;

CREATE TABLE leads (
    lead_id bigint PRIMARY KEY,
    rep_id int NOT NULL REFERENCES reps,
    source text NOT NULL,
    created_at timestamptz NOT NULL,
    qualified_at timestamptz          -- NULL: not (yet) sales-qualified
);
INSERT INTO leads
SELECT l.lead_id, l.rep_id, l.source, l.created_at,
       CASE WHEN pg_temp.u(l.lead_id, 73) < 0.30
                 AND l.created_at + (3 + 37 * pg_temp.u(l.lead_id, 74)) * interval '1 day' < p.today
            THEN date_trunc('second', l.created_at + (3 + 37 * pg_temp.u(l.lead_id, 74)) * interval '1 day') END
FROM demo_param p,
LATERAL (SELECT i::bigint AS lead_id, 1 + floor(20 * pg_temp.u(i, 70))::int AS rep_id,
                (ARRAY['web','fair','referral','outbound'])[1 + floor(4 * pg_temp.u(i, 71))::int] AS source,
                date_trunc('second', p.today - 365 * (1 - pg_temp.u(i, 72) ^ 0.8) * interval '1 day') AS created_at
         FROM generate_series(1, greatest(50, round(3 * p.n_deals / 10.0))::int) i) l;

CREATE TABLE activities (
    activity_id bigint PRIMARY KEY,
    lead_id bigint NOT NULL REFERENCES leads,
    rep_id int NOT NULL REFERENCES reps,
    type text NOT NULL,               -- call, email, meeting
    at timestamptz NOT NULL,
    outcome text                      -- NULL, no_answer, connected, conversation, lead
);
INSERT INTO activities
SELECT row_number() OVER (ORDER BY a.at, a.lead_id, a.k), a.lead_id, a.rep_id, a.type, a.at, a.outcome
FROM (
  SELECT l.lead_id, l.rep_id, k,
         CASE WHEN pg_temp.u(l.lead_id * 10 + k, 81) < 0.65 THEN 'call' ELSE 'email' END AS type,
         date_trunc('second', l.created_at
             + (1 + 9 * pg_temp.u(l.rep_id, 80)) * exp(0.8 * pg_temp.n(l.lead_id, 82)) * interval '1 hour'
             + (k - 1) * CASE WHEN l.rep_id % 7 = 0 THEN (1 + pg_temp.u(l.lead_id * 10 + k, 83)) * interval '1 hour'
                              ELSE (1 + 2 * pg_temp.u(l.lead_id * 10 + k, 83)) * interval '1 day' END) AS at,
         CASE WHEN pg_temp.u(l.lead_id * 10 + k, 84) < 0.05 THEN 'lead'
              WHEN pg_temp.u(l.lead_id * 10 + k, 84) < 0.30 THEN 'conversation'
              WHEN pg_temp.u(l.lead_id * 10 + k, 84) < 0.42 THEN 'connected'
              ELSE 'no_answer' END AS outcome
  FROM leads l, LATERAL generate_series(1, floor(7 * pg_temp.u(l.lead_id, 85))::int) k
  UNION ALL
  SELECT lead_id, rep_id, 10, 'meeting', qualified_at, NULL FROM leads WHERE qualified_at IS NOT NULL
  UNION ALL
  SELECT lead_id, rep_id, 0, 'call', created_at - interval '2 days', 'no_answer' FROM leads
  WHERE pg_temp.u(lead_id, 86) < 0.03
) a CROSS JOIN demo_param p
WHERE a.at < p.today;

CREATE TABLE annual_targets (rep_id int REFERENCES reps, year int, annual numeric(14,2), PRIMARY KEY (rep_id, year));
INSERT INTO annual_targets
SELECT r.rep_id, 2026, greatest(10000, round(1.15 * coalesce(sum(d.amount) FILTER (
           WHERE d.won AND d.closed_at >= '2024-11-01' AND d.closed_at < '2025-11-01'), 0), -3))
FROM reps r LEFT JOIN deals d USING (rep_id) GROUP BY r.rep_id;

------------------------------------------------------------------------------
-- subscriptions (revenue family): each customer's plan over its active time,
-- and the billing events a subscription table shows: a plan change (25% of
-- customers: upgrade x1.5 or downgrade x0.7), an add-on (30%, 20% of the
-- plan), and a comeback after churning (20% of the churned customers, 2..8
-- months later, open).  ended_at NULL = still running.
------------------------------------------------------------------------------
CREATE TABLE subscriptions (
    subscription_id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers,
    product text NOT NULL,
    started_at date NOT NULL,
    ended_at date,
    monthly_amount numeric(10,2) NOT NULL
);
INSERT INTO subscriptions
SELECT row_number() OVER (ORDER BY x.customer_id, x.started_at, x.product), x.*
FROM (
  WITH c AS (
    SELECT cu.*, p.today::date AS today,
           pg_temp.u(cu.customer_id, 51) < 0.25 AS changes,
           cu.active_from + 90 + floor(310 * pg_temp.u(cu.customer_id, 52))::int AS change_at,
           CASE WHEN pg_temp.u(cu.customer_id, 53) < 0.7 THEN 1.5 ELSE 0.7 END AS factor,
           pg_temp.u(cu.customer_id, 54) < 0.30 AS addon,
           cu.active_from + 30 + floor(270 * pg_temp.u(cu.customer_id, 55))::int AS addon_at,
           pg_temp.u(cu.customer_id, 56) < 0.20 AS comes_back,
           cu.active_until + 60 + floor(180 * pg_temp.u(cu.customer_id, 57))::int AS back_at
    FROM customers cu, demo_param p
  )
  -- the plan, up to the plan change when there is one before the end
  SELECT customer_id, 'plan' AS product, active_from AS started_at,
         CASE WHEN changes AND change_at < coalesce(active_until, today) THEN change_at ELSE active_until END AS ended_at,
         mrr AS monthly_amount
  FROM c
  UNION ALL
  SELECT customer_id, 'plan', change_at, active_until, round(mrr * factor, 2)
  FROM c WHERE changes AND change_at < coalesce(active_until, today)
  UNION ALL
  SELECT customer_id, 'add-on', addon_at, active_until, round(mrr * 0.2, 2)
  FROM c WHERE addon AND addon_at < coalesce(active_until, today)
  UNION ALL
  SELECT customer_id, 'plan', back_at, NULL, mrr
  FROM c WHERE comes_back AND active_until IS NOT NULL AND back_at < today
) x;

ANALYZE reps, deals, deal_stage_history, customers, orders, leads, activities, annual_targets, subscriptions;

SELECT (SELECT count(*) FROM reps) AS reps,
       (SELECT count(*) FROM deals) AS deals,
       (SELECT count(*) FROM deal_stage_history) AS stage_events,
       (SELECT count(*) FROM customers) AS customers,
       (SELECT count(*) FROM orders) AS orders,
       (SELECT count(*) FROM leads) AS leads,
       (SELECT count(*) FROM activities) AS activities,
       (SELECT count(*) FROM subscriptions) AS subscriptions
\gset demo_
\echo generated :demo_reps reps, :demo_deals deals, :demo_stage_events stage events, :demo_customers customers, :demo_orders orders, :demo_leads leads, :demo_activities activities, :demo_subscriptions subscriptions (scale :scale, seed :seed)
