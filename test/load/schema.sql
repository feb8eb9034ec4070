-- The load test's database (test/load/run.sh): a CRM with deals, their stage
-- history and customers, seeded.  :deals deals over 50 reps.
CREATE EXTENSION IF NOT EXISTS sales_kpi;
SELECT setseed(0.2026);
CREATE TABLE deals (
    id bigserial PRIMARY KEY,
    rep int NOT NULL,
    amount numeric,
    won boolean,
    created timestamptz NOT NULL,
    closed timestamptz
);
INSERT INTO deals (rep, amount, won, created, closed)
SELECT g % 50,
       CASE WHEN g % 31 = 0 THEN NULL ELSE round((random() * 50000)::numeric, (g % 3)) END,
       w,
       c,
       CASE WHEN w IS NULL THEN NULL ELSE c + make_interval(days => (random() * 120)::int, secs => (random() * 86400)::int) END
FROM (SELECT g, CASE WHEN r < 0.35 THEN true WHEN r < 0.75 THEN false END AS w,
             timestamptz '2025-01-01 00:00+00' + make_interval(days => (random() * 600)::int, secs => (random() * 86400)::int) AS c
      FROM (SELECT g, random() AS r FROM generate_series(1, :deals) g) s) d;

CREATE TABLE deal_events (
    id bigserial PRIMARY KEY,
    deal_id bigint NOT NULL,
    stage text,
    at timestamptz
);
CREATE INDEX ON deal_events (deal_id);
-- three events per deal on average: in-list stages, an outside stage, a few NULLs, ties
INSERT INTO deal_events (deal_id, stage, at)
SELECT d.id,
       CASE WHEN r < 0.01 THEN NULL
            ELSE (ARRAY['lead','qualified','proposal','negotiation','won','lost'])[1 + (r * 6)::int % 6] END,
       d.created + make_interval(days => (random() * 60)::int)
FROM deals d, LATERAL (SELECT random() AS r FROM generate_series(1, 1 + (d.id % 5)::int)) e;

CREATE TABLE customers (
    id bigserial PRIMARY KEY,
    active_from date,
    active_until date
);
INSERT INTO customers (active_from, active_until)
SELECT CASE WHEN g % 101 = 0 THEN NULL ELSE f END,
       CASE WHEN random() < 0.4 THEN NULL ELSE f + (random() * 400)::int END
FROM (SELECT g, date '2024-06-01' + (random() * 600)::int AS f FROM generate_series(1, :deals / 4) g) s;
ANALYZE;
