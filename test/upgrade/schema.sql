-- Upgrade test, part 1 (run on the OLD version): small CRM tables and one
-- stored value of every type of the extension, in a table and in a
-- materialized view.  Deterministic: no random().
CREATE TABLE up_deals AS
SELECT g AS id, g % 3 AS rep,
       CASE WHEN g % 7 = 0 THEN NULL ELSE round((g * 37 % 1000)::numeric + g % 10 / 10.0, g % 3) END AS amount,
       CASE WHEN g % 4 = 0 THEN NULL ELSE g % 5 > 1 END AS won,
       timestamptz '2025-01-01 00:00+00' + make_interval(days => g * 3, hours => g % 24) AS created,
       timestamptz '2025-01-01 00:00+00' + make_interval(days => g * 3 + g % 40, hours => g % 17) AS closed,
       CASE WHEN g % 5 = 0 THEN NULL ELSE (g % 11) / 10.0 END AS prob
FROM generate_series(1, 60) g;
CREATE TABLE up_orders AS
SELECT g AS id, g % 9 AS customer_id, round((g * 13 % 300)::numeric / 4, 2) AS amount,
       timestamptz '2025-01-01 00:00+00' + make_interval(days => g * 5) AS purchased_at
FROM generate_series(1, 80) g;
CREATE TABLE up_events AS
SELECT d AS deal_id, (ARRAY['lead','qualified','proposal','won','closed lost'])[1 + (d + k) % 5] AS stage,
       date '2025-01-01' + d * 2 + k * 3 AS entered_at
FROM generate_series(1, 30) d, generate_series(0, (d % 4)) k;

CREATE TABLE stored (
    id int PRIMARY KEY,
    ds deal_summary, dsp deal_summary, ds_ts deal_summary, ds_date deal_summary,
    os order_summary,
    sp stage_path, sp_ts stage_path,
    sf stage_funnel, sf_ordered stage_funnel,
    st stage_times,
    sh stage_history, sh_text stage_history
);
INSERT INTO stored (id, ds, dsp, ds_ts, ds_date, os)
SELECT rep,
       deal_summary(amount, won, created, closed),
       deal_summary(amount, won, created, closed, prob),
       deal_summary(amount, won, created::timestamp, closed::timestamp),
       deal_summary(amount, won, created::date, closed::date),
       (SELECT rollup(o) FROM (SELECT order_summary(amount, purchased_at) o FROM up_orders
                               WHERE customer_id % 3 = d.rep GROUP BY customer_id) c)
FROM up_deals d GROUP BY rep;
-- one stage path per deal, kept on the row of deal % 3; funnels and times of all
UPDATE stored s SET sp = p.sp, sp_ts = p.sp_ts
FROM (SELECT deal_id % 3 AS id, min(deal_id) AS deal_id FROM up_events GROUP BY 1) k,
     LATERAL (SELECT stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','won']) AS sp,
                     stage_path(stage, entered_at::timestamptz, ARRAY['lead','qualified','proposal','won']) AS sp_ts
              FROM up_events e WHERE e.deal_id = k.deal_id) p
WHERE s.id = k.id;
UPDATE stored SET
  sf = (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','won'])
        FROM (SELECT stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','won']) p FROM up_events GROUP BY deal_id) x),
  sf_ordered = (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','won'], 'ordered')
        FROM (SELECT stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','won']) p FROM up_events GROUP BY deal_id) x),
  st = (SELECT stage_times(p, ARRAY['lead','qualified','proposal','won'], date '2025-04-01', interval '10 days')
        FROM (SELECT stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','won']) p FROM up_events GROUP BY deal_id) x),
  sh = (SELECT stage_history(deal_id::bigint, stage, entered_at, ARRAY['lead','qualified','proposal','won']) FROM up_events WHERE deal_id % 3 = stored.id),
  sh_text = (SELECT stage_history('D-' || deal_id, stage, entered_at::timestamp, ARRAY['lead','qualified','proposal','won']) FROM up_events WHERE deal_id % 3 = stored.id)
WHERE id = 0;

CREATE MATERIALIZED VIEW stored_mv AS
SELECT rep, deal_summary(amount, won, created, closed, prob) AS ds, hit_ratio(won) AS hr
FROM up_deals GROUP BY rep;
