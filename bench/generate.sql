-- Benchmark data: seeded and reproducible. psql variables: deals, reps.
-- deals: :deals rows over :reps reps and two years; stage_events: ~3 per deal;
-- orders: :deals / 2 rows.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT setseed(0.5) \gset
DROP TABLE IF EXISTS deals, stage_events, orders, leads, subscriptions CASCADE;
CREATE UNLOGGED TABLE deals AS
SELECT g AS deal_id, (g % :reps) AS rep_id,
       round((500 + random() * 99500)::numeric, 2) AS amount,
       CASE WHEN r < 0.28 THEN true WHEN r < 0.85 THEN false END AS won,
       created_at,
       CASE WHEN r < 0.85 THEN created_at + make_interval(days => (5 + random() * 120)::int) END AS closed_at,
       round(random()::numeric, 2) AS probability
FROM (SELECT g, random() AS r,
             timestamptz '2024-11-01 00:00+00' + make_interval(secs => random() * 730 * 86400) AS created_at
      FROM generate_series(1, :deals) g) s;
-- stage history: each deal walks the funnel up to its furthest stage (1 + deal_id % 5), one
-- stage a week; every 20th deal (one that reached negotiation) goes back to qualified
-- 40 days in: a loop, so time in stage has re-entries.  Last event before 2026-12-11.
CREATE UNLOGGED TABLE stage_events AS
SELECT d.deal_id, st.stage, d.created_at + make_interval(days => k * 7 + (d.deal_id % 5)) AS entered_at
FROM (SELECT deal_id, created_at, 1 + (deal_id * 2654435761 % 5)::int AS furthest FROM deals) d,
     LATERAL generate_series(1, d.furthest) k,
     LATERAL (SELECT (ARRAY['lead','qualified','proposal','negotiation','won'])[k] AS stage) st
UNION ALL
SELECT deal_id, 'qualified', created_at + interval '40 days' FROM deals WHERE deal_id % 20 = 3;
CREATE UNLOGGED TABLE orders AS
SELECT g AS order_id, 1 + (g::bigint * 7919 % (:deals / 10)) AS customer_id,
       round((5 + random() * 495)::numeric, 2) AS amount,
       timestamptz '2024-11-01 00:00+00' + make_interval(secs => random() * 730 * 86400) AS purchased_at
FROM generate_series(1, :deals / 2) g;
-- leads (issue 14): :deals / 2 rows; 15% never answered, responses from minutes
-- to days; 40% qualified within 60 days
CREATE UNLOGGED TABLE leads AS
SELECT g AS lead_id, (g % :reps) AS rep_id, created_at,
       CASE WHEN random() < 0.85 THEN created_at + make_interval(secs => random() * random() * 5 * 86400) END AS responded_at,
       CASE WHEN random() < 0.4 THEN created_at + make_interval(secs => random() * 60 * 86400) END AS qualified_at
FROM (SELECT g, timestamptz '2024-11-01 00:00+00' + make_interval(secs => random() * 730 * 86400) AS created_at
      FROM generate_series(1, :deals / 2) g) s;
-- subscriptions (revenue family): :subs rows (default :deals / 10) of :subs / 5
-- customers over 36 months (2024-01 .. 2026-12); 40% open, the others 1..24
-- months long; amounts 10.00 .. 500.00.
\if :{?subs}
\else
SELECT :deals / 10 AS subs \gset
\endif
CREATE UNLOGGED TABLE subscriptions AS
SELECT g AS subscription_id, 1 + (g::bigint * 7919 % greatest(1, :subs / 5)) AS customer_id, st AS started_at,
       CASE WHEN random() < 0.4 THEN NULL ELSE st + (30 + random() * 700)::int END AS ended_at,
       round((10 + random() * 490)::numeric, 2) AS monthly_amount
FROM (SELECT g, date '2024-01-01' + (random() * 1095)::int AS st FROM generate_series(1, :subs) g) x;
-- stored daily per-rep summaries (the dashboard-from-summaries case)
CREATE MATERIALIZED VIEW daily_rep AS
SELECT rep_id, created_at::date AS day, deal_summary(amount, won, created_at, closed_at, probability) AS s
FROM deals GROUP BY rep_id, created_at::date;
VACUUM ANALYZE deals, stage_events, orders, daily_rep, leads, subscriptions;
