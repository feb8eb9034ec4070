-- Forced parallel query: the plan has Partial Aggregate and every aggregate
-- gives exactly the serial result.

CREATE TABLE big_deals AS SELECT d.* FROM deals d, generate_series(1, 4) k;
CREATE TABLE big_events AS SELECT e.* FROM stage_events e;
CREATE TABLE big_paths AS
SELECT deal_id, stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won']) AS p
FROM stage_events, generate_series(1, 10) k GROUP BY deal_id, k;
ANALYZE big_deals, big_events, big_paths, customers, orders;

-- serial results first
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS
SELECT (SELECT hit_ratio(won)::text FROM big_deals) AS hr,
       (SELECT hit_ratio(won, amount)::text FROM big_deals) AS hrw,
       (SELECT sales_velocity(amount, won, created, closed)::text FROM big_deals) AS sv,
       (SELECT deal_summary(amount, won, created, closed)::text FROM big_deals) AS ds,
       (SELECT string_agg(s::text, ';' ORDER BY rep) FROM (SELECT rep, deal_summary(amount, won, created, closed) s FROM big_deals GROUP BY rep) x) AS ds_by_rep,
       (SELECT deal_summary(amount, won, created, closed, prob)::text FROM big_deals) AS ds_prob,
       (SELECT avg_deal_size(amount, won)::text || sales_cycle_days(created, closed, won)::text || weighted_pipeline(amount, prob)::text FROM big_deals) AS standalone,
       (SELECT churn_rate(active_from, active_until, date '2024-01-01', date '2024-04-01')::text FROM customers) AS churn,
       (SELECT order_summary(amount, purchased_at)::text FROM orders) AS os,
       (SELECT rollup(s)::text FROM (SELECT customer_id, order_summary(amount, purchased_at) s FROM orders GROUP BY customer_id) x) AS os_rollup,
       (SELECT stage_funnel(stage, ARRAY['lead','qualified','proposal','negotiation','won'])::text FROM big_events) AS funnel,
       (SELECT stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won'])::text FROM big_events) AS path,
       (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], date '2024-02-15', interval '7 days')::text FROM big_paths) AS times,
       (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], 'ordered')::text FROM big_paths) AS funnel_paths,
       (SELECT stage_history(deal_id::bigint, stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won'])::text FROM big_events) AS history;

-- now force parallel plans
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF) SELECT hit_ratio(won) FROM big_deals;
EXPLAIN (COSTS OFF) SELECT deal_summary(amount, won, created, closed) FROM big_deals;
EXPLAIN (COSTS OFF) SELECT churn_rate(active_from, active_until, date '2024-01-01', date '2024-04-01') FROM customers;
EXPLAIN (COSTS OFF) SELECT stage_funnel(stage, ARRAY['lead','won']) FROM big_events;
EXPLAIN (COSTS OFF) SELECT stage_path(stage, entered_at, ARRAY['lead','won']) FROM big_events;
EXPLAIN (COSTS OFF) SELECT order_summary(amount, purchased_at) FROM orders;
EXPLAIN (COSTS OFF) SELECT stage_times(p, ARRAY['lead','won'], date '2024-02-15') FROM big_paths;
EXPLAIN (COSTS OFF) SELECT stage_history(deal_id::bigint, stage, entered_at, ARRAY['lead','won']) FROM big_events;

SELECT hr = (SELECT hit_ratio(won)::text FROM big_deals) AS hit_ratio,
       hrw = (SELECT hit_ratio(won, amount)::text FROM big_deals) AS hit_ratio_weighted,
       sv = (SELECT sales_velocity(amount, won, created, closed)::text FROM big_deals) AS sales_velocity,
       ds = (SELECT deal_summary(amount, won, created, closed)::text FROM big_deals) AS deal_summary,
       ds_by_rep = (SELECT string_agg(s::text, ';' ORDER BY rep) FROM (SELECT rep, deal_summary(amount, won, created, closed) s FROM big_deals GROUP BY rep) x) AS deal_summary_by_rep,
       ds_prob = (SELECT deal_summary(amount, won, created, closed, prob)::text FROM big_deals) AS deal_summary_prob,
       standalone = (SELECT avg_deal_size(amount, won)::text || sales_cycle_days(created, closed, won)::text || weighted_pipeline(amount, prob)::text FROM big_deals) AS standalone,
       churn = (SELECT churn_rate(active_from, active_until, date '2024-01-01', date '2024-04-01')::text FROM customers) AS churn,
       os = (SELECT order_summary(amount, purchased_at)::text FROM orders) AS order_summary,
       os_rollup = (SELECT rollup(s)::text FROM (SELECT customer_id, order_summary(amount, purchased_at) s FROM orders GROUP BY customer_id) x) AS order_rollup,
       funnel = (SELECT stage_funnel(stage, ARRAY['lead','qualified','proposal','negotiation','won'])::text FROM big_events) AS funnel,
       path = (SELECT stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won'])::text FROM big_events) AS path,
       times = (SELECT stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], date '2024-02-15', interval '7 days')::text FROM big_paths) AS time_in_stage,
       funnel_paths = (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], 'ordered')::text FROM big_paths) AS funnel_paths,
       history = (SELECT stage_history(deal_id::bigint, stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won'])::text FROM big_events) AS stage_history
FROM serial;
RESET ALL;
