-- the rep dashboard: a deal_summary per rep, with the team benchmark beside it
SELECT rep, deals(s), hit_ratio(s), won_amount(s), avg_deal_size(s), sales_cycle_days(s), sales_velocity(s),
       hit_ratio(rollup(s) OVER ()) AS team_hit_ratio, sales_velocity(rollup(s) OVER ()) AS team_velocity
FROM (SELECT rep, deal_summary(amount, won, created, closed) AS s FROM deals GROUP BY rep) t;
