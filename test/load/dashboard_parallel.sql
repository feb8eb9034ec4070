-- the same dashboard and a quarter of one rep, in forced-parallel plans
BEGIN;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SELECT rep, hit_ratio(s), won_amount(s), hit_ratio(rollup(s) OVER ()) AS team_hit_ratio
FROM (SELECT rep, deal_summary(amount, won, created, closed) AS s FROM deals GROUP BY rep) t;
SELECT hit_ratio(won), hit_ratio(won, amount), avg_deal_size(amount, won) FROM deals;
END;
