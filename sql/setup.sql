-- Shared fixtures of the regression suite: the extension, comparison helpers
-- and deterministic random tables (NULLs, open deals, mixed scales, ties).
CREATE EXTENSION sales_kpi;

-- equal within a relative 1e-12; NULL equals NULL, and NULL on one side only is
-- false (never NULL: the assertions aggregate it, and bool_and skips NULLs)
CREATE FUNCTION close_to(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN a IS NULL AND b IS NULL
               ELSE abs(a - b) <= 1e-12 * greatest(abs(a), abs(b), 1e-300) END $$;

-- the SQLSTATE, message and detail of a statement's error
CREATE FUNCTION error_of(q text) RETURNS text LANGUAGE plpgsql AS
$$ DECLARE d text;
   BEGIN EXECUTE q; RETURN 'no error';
   EXCEPTION WHEN OTHERS THEN
     GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
     RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' | ' || nullif(d, ''), '');
   END $$;

SELECT setseed(0.4242);

-- 3000 deals over 17 reps; rep 16 has only open deals, rep 15 none with amounts
CREATE TABLE deals AS
SELECT id, rep, amount, won, created,
       CASE WHEN won IS NULL AND id % 2 = 0 THEN NULL
            WHEN id % 41 = 0 THEN NULL
            ELSE created + make_interval(days => (random() * 120)::int, secs => (random() * 86400)::int) END AS closed
FROM (
  SELECT g AS id, g % 17 AS rep,
         CASE WHEN g % 23 = 0 OR g % 17 = 15 THEN NULL
              ELSE round((random() * 100000)::numeric, g % 4) END AS amount,
         CASE WHEN g % 17 = 16 THEN NULL
              WHEN r < 0.3 THEN true WHEN r < 0.75 THEN false END AS won,
         timestamptz '2024-01-01 00:00+00' + make_interval(days => (random() * 700)::int, secs => (random() * 86400)::int) AS created
  FROM (SELECT g, random() AS r FROM generate_series(1, 3000) g) s
) d;

-- 1200 customers: some still active, some without start
CREATE TABLE customers AS
SELECT g AS id,
       CASE WHEN g % 97 = 0 THEN NULL ELSE f END AS active_from,
       CASE WHEN random() < 0.4 THEN NULL ELSE f + (random() * 500)::int END AS active_until
FROM (SELECT g, date '2023-01-01' + (random() * 700)::int AS f FROM generate_series(1, 1200) g) s;

-- 4000 orders of 500 customers, amounts with 0..2 decimals, some NULL
CREATE TABLE orders AS
SELECT g AS id, 1 + (random() * 499)::int AS customer_id,
       CASE WHEN g % 53 = 0 THEN NULL ELSE round((random() * 500)::numeric, g % 3) END AS amount,
       timestamptz '2024-01-01 00:00+00' + make_interval(days => (random() * 600)::int) AS purchased_at
FROM generate_series(1, 4000) g;

-- stage history of 600 deals: in-list stages, unknown stages, ties (dates), re-entries, NULLs
CREATE TABLE stage_events AS
SELECT 1 + (random() * 599)::int AS deal_id,
       CASE WHEN r < 0.02 THEN NULL
            ELSE (ARRAY['lead','qualified','proposal','negotiation','won','closed lost','on hold'])[1 + (r * 7)::int % 7] END AS stage,
       CASE WHEN random() < 0.01 THEN NULL ELSE date '2024-01-01' + (random() * 60)::int END AS entered_at
FROM (SELECT random() AS r FROM generate_series(1, 3000)) s;

-- win probabilities (deterministic, no random() so the tables above keep their values)
ALTER TABLE deals ADD COLUMN prob numeric;
UPDATE deals SET prob = CASE WHEN id % 11 = 0 THEN NULL ELSE round(((id * 7919) % 101) / 100.0, 1 + id % 3) END;

SELECT count(*) AS deals, count(won) AS decided, count(amount) AS with_amount, count(prob) AS with_prob FROM deals;
