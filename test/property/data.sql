-- Random data of the property tests (test/property/run.sh), from a pinned
-- seed (:seed, in [-1, 1]) for :groups groups.  Every group has its own
-- character (g % 10), so that edge cases occur in every run:
--   0 only open deals          1 no amounts (all NULL)     2 huge amounts (up to 1e22)
--   3 tiny amounts (1e-6)      4 zero amounts              5 ties: equal times
--   6..9 mixed: NULLs, open deals, every scale 0..6
-- Groups with no rows at all occur too (0 to 7 deals per group), and every
-- table has its NULLs.
SET client_min_messages = warning;
SELECT setseed(:seed);

CREATE TABLE p_deals AS
SELECT row_number() OVER (ORDER BY g, k) AS id, g, k,
       CASE WHEN g % 10 = 1 OR r1 < 0.05 THEN NULL
            WHEN g % 10 = 2 THEN round((r2 * 1e22)::numeric, (k % 3)::int)
            WHEN g % 10 = 3 THEN round((r2 * 0.00001)::numeric, 6)
            WHEN g % 10 = 4 THEN 0::numeric
            ELSE round((r2 * 100000)::numeric, (k % 7)::int) END AS amount,
       CASE WHEN g % 10 = 0 THEN NULL WHEN r3 < 0.35 THEN true WHEN r3 < 0.75 THEN false END AS won,
       created, closed_offset,
       CASE WHEN r4 < 0.1 THEN NULL ELSE round(r4::numeric, (k % 4)::int) END AS prob
FROM (SELECT g, k, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
             CASE WHEN g % 10 = 5 THEN timestamptz '2025-03-01 00:00+00'
                  WHEN random() < 0.03 THEN NULL
                  ELSE timestamptz '2024-01-01 00:00+00' + make_interval(hours => (random() * 12000)::int) END AS created,
             CASE WHEN g % 10 = 5 THEN interval '5 days'
                  ELSE make_interval(hours => (random() * 3000)::int, secs => (random() * 3600)::int) END AS closed_offset
      FROM generate_series(1, :groups) g, LATERAL generate_series(1, (random() * 7.99 + (g * 0))::int) k) s;
-- closed: NULL for most open deals and sometimes for decided ones; never before created
ALTER TABLE p_deals ADD COLUMN closed timestamptz;
UPDATE p_deals SET closed = CASE WHEN won IS NULL AND id % 3 <> 0 THEN NULL
                                 WHEN id % 37 = 0 THEN NULL
                                 ELSE created + closed_offset END;
ALTER TABLE p_deals DROP COLUMN closed_offset;
-- the partition of the merge checks
ALTER TABLE p_deals ADD COLUMN part int;
UPDATE p_deals SET part = (id * 7919) % 3;

-- customers: one churn period per group (a month, p0 cycling over three years)
CREATE TABLE p_customers AS
SELECT g, c, CASE WHEN random() < 0.03 THEN NULL ELSE f END AS active_from,
       CASE WHEN random() < 0.4 THEN NULL ELSE f + (random() * 400)::int END AS active_until,
       (date '2023-01-01' + ((g % 36) || ' months')::interval)::date AS p0
FROM (SELECT g, c, date '2022-06-01' + (random() * 1100)::int AS f
      FROM generate_series(1, :groups) g, LATERAL generate_series(1, (random() * 9 + (g * 0))::int) c) s;

-- orders of the groups' customers (amounts of any sign: refunds), NULLs, ties
CREATE TABLE p_orders AS
SELECT g, g * 100 + c AS customer_id,
       CASE WHEN random() < 0.04 THEN NULL
            WHEN g % 10 = 2 THEN round((random() * 1e20)::numeric, 2)
            WHEN g % 10 = 3 THEN round((random() * 0.0001)::numeric, 6)
            ELSE round(((random() - 0.1) * 1000)::numeric, (c % 5)::int) END AS amount,
       CASE WHEN random() < 0.02 THEN NULL
            WHEN g % 10 = 5 THEN timestamptz '2025-01-01 00:00+00'
            ELSE timestamptz '2024-01-01 00:00+00' + make_interval(days => (random() * 700)::int, secs => (random() * 86400)::int) END AS at
FROM generate_series(1, :groups) g, LATERAL generate_series(1, (random() * 4 + (g * 0))::int) c,
     LATERAL generate_series(1, (random() * 4 + 1 + (c * 0))::int) o;

-- stage history of the groups' deals: in-list and outside stages, NULLs,
-- re-entries, ties (6-hour steps, equal instants)
CREATE TABLE p_events AS
SELECT d.g, d.id AS deal_id,
       CASE WHEN r < 0.03 THEN NULL
            ELSE (ARRAY['lead','qualified','proposal','negotiation','won','closed lost','on hold'])[1 + (r * 7)::int % 7] END AS stage,
       CASE WHEN random() < 0.02 THEN NULL
            ELSE timestamptz '2026-01-01 00:00+00' + make_interval(hours => 6 * (random() * 120)::int) END AS at
FROM p_deals d, LATERAL (SELECT random() AS r FROM generate_series(1, (random() * 6 + (d.id * 0))::int)) e;

ANALYZE p_deals, p_customers, p_orders, p_events;
SELECT (SELECT count(DISTINCT g) FROM p_deals) AS groups_with_deals, (SELECT count(*) FROM p_deals) AS deals,
       (SELECT count(*) FROM p_customers) AS customers, (SELECT count(*) FROM p_orders) AS orders,
       (SELECT count(*) FROM p_events) AS events;
