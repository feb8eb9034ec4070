-- revenue family (issue 13) against the plain-SQL reference an analyst
-- writes (a month spine, a join per month and lag()), on random
-- subscriptions with NULLs, ties, zero amounts, mixed scales, same-month
-- starts and ends, open ends and history before the range; serial,
-- forced-parallel and merged partial states.
SELECT setseed(0.1313);
CREATE TABLE rr_subs AS
SELECT CASE WHEN random() < 0.01 THEN NULL ELSE (random() * 300)::int END AS customer_id,
       s AS starts_at,
       CASE WHEN random() < 0.3 THEN NULL ELSE s + (random() * 500)::int END AS ends_at,
       CASE WHEN random() < 0.02 THEN NULL
            WHEN random() < 0.05 THEN 0
            WHEN random() < 0.5 THEN (random() * 200)::int
            ELSE round((random() * 300)::numeric, 2) END AS monthly_amount
FROM (SELECT CASE WHEN random() < 0.02 THEN NULL
                  ELSE date '2023-01-01' + (random() * 1000)::int / 10 * 10 END AS s   -- ties
      FROM generate_series(1, 1200)) g;
ANALYZE rr_subs;

-- the range: 2024-01 .. 2025-06; the spine starts a month earlier
CREATE TABLE rr_spine AS SELECT generate_series(date '2023-12-01', date '2025-06-01', interval '1 month')::date AS m;
CREATE TABLE rr_level AS
SELECT c.customer_id, sp.m,
       coalesce(sum(s.monthly_amount), 0) AS mrr
FROM (SELECT DISTINCT customer_id FROM rr_subs WHERE customer_id IS NOT NULL) c
CROSS JOIN rr_spine sp
LEFT JOIN rr_subs s ON s.customer_id = c.customer_id AND s.starts_at IS NOT NULL AND s.monthly_amount IS NOT NULL
     AND date_trunc('month', s.starts_at) <= sp.m AND (s.ends_at IS NULL OR date_trunc('month', s.ends_at) > sp.m)
GROUP BY c.customer_id, sp.m;
CREATE TABLE rr_first AS
SELECT customer_id, min(date_trunc('month', starts_at))::date AS first_m
FROM rr_subs
WHERE customer_id IS NOT NULL AND monthly_amount > 0 AND starts_at IS NOT NULL
  AND (ends_at IS NULL OR date_trunc('month', ends_at) > date_trunc('month', starts_at))
GROUP BY customer_id;
CREATE TABLE rr_mv AS
SELECT l.customer_id, l.m, l.mrr, lag(l.mrr) OVER (PARTITION BY l.customer_id ORDER BY l.m) AS prev, f.first_m
FROM rr_level l LEFT JOIN rr_first f USING (customer_id);
CREATE TABLE rr_ref AS
SELECT m AS month, sum(mrr) AS mrr, count(*) FILTER (WHERE mrr > 0) AS customers,
       coalesce(sum(mrr) FILTER (WHERE prev = 0 AND mrr > 0 AND first_m = m), 0) AS new_mrr,
       coalesce(sum(mrr - prev) FILTER (WHERE prev > 0 AND mrr > prev), 0) AS expansion_mrr,
       coalesce(sum(prev - mrr) FILTER (WHERE mrr > 0 AND mrr < prev), 0) AS contraction_mrr,
       coalesce(sum(prev) FILTER (WHERE prev > 0 AND mrr = 0), 0) AS churned_mrr,
       coalesce(sum(mrr) FILTER (WHERE prev = 0 AND mrr > 0 AND first_m < m), 0) AS reactivation_mrr,
       count(*) FILTER (WHERE prev = 0 AND mrr > 0 AND first_m = m) AS new_customers,
       count(*) FILTER (WHERE prev > 0 AND mrr > prev) AS expansion_customers,
       count(*) FILTER (WHERE mrr > 0 AND mrr < prev) AS contraction_customers,
       count(*) FILTER (WHERE prev > 0 AND mrr = 0) AS churned_customers,
       count(*) FILTER (WHERE prev = 0 AND mrr > 0 AND first_m < m) AS reactivated_customers
FROM rr_mv WHERE m >= '2024-01-01' GROUP BY m;

-- the two-level form
CREATE TABLE rr_series AS
SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount) AS s FROM rr_subs WHERE customer_id IS NOT NULL GROUP BY customer_id;
CREATE TABLE rr_sum AS SELECT revenue_summary(s, '2024-01-01', '2025-06-01') AS r FROM rr_series;

CREATE VIEW rr_got AS
SELECT month, mrr, customers, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr,
       new_customers, expansion_customers, contraction_customers, churned_customers, reactivated_customers
FROM mrr_movements((SELECT r FROM rr_sum));
-- every month's movements exact in money and counts: no row differs either way
SELECT (SELECT count(*) FROM rr_ref) AS months,
       (SELECT count(*) FROM (SELECT * FROM rr_ref EXCEPT SELECT * FROM rr_got) x) AS missing,
       (SELECT count(*) FROM (SELECT * FROM rr_got EXCEPT SELECT * FROM rr_ref) x) AS unexpected,
       (SELECT count(*) FROM rr_ref WHERE new_customers > 0) > 5 AND (SELECT count(*) FROM rr_ref WHERE reactivated_customers > 0) > 5
       AND (SELECT count(*) FROM rr_ref WHERE contraction_customers > 0) > 5 AS every_movement_occurs;
-- the identity, exact in every month (the first against the spine's month before)
SELECT bool_and(mrr = prev + new_mrr + expansion_mrr + reactivation_mrr - contraction_mrr - churned_mrr) AS identity_every_month, count(*) AS months
FROM (SELECT g.*, coalesce(lag(g.mrr) OVER (ORDER BY g.month), (SELECT sum(mrr) FROM rr_level WHERE m = '2023-12-01')) AS prev FROM rr_got g) x;

-- every pair of months (i <= j): NRR, GRR, customer churn, upsell against the reference
CREATE TABLE rr_pairs AS
SELECT a.m AS i, b.m AS j, sum(a.mrr) AS start_mrr, count(*) AS start_customers,
       sum(b.mrr) AS retained, sum(least(a.mrr, b.mrr)) AS capped,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM rr_mv k WHERE k.customer_id = a.customer_id AND k.m > a.m AND k.m <= b.m AND k.prev > 0 AND k.mrr = 0)) AS churned,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM rr_mv k WHERE k.customer_id = a.customer_id AND k.m > a.m AND k.m <= b.m AND k.prev > 0 AND k.mrr > k.prev)) AS upsold
FROM rr_level a JOIN rr_level b ON b.customer_id = a.customer_id AND b.m >= a.m
WHERE a.m >= '2024-01-01' AND a.mrr > 0
GROUP BY a.m, b.m;
SELECT count(*) AS pairs,
       bool_and(close_to(nrr(r, i, j), (retained / start_mrr)::float8)) AS nrr,
       bool_and(close_to(grr(r, i, j), (capped / start_mrr)::float8)) AS grr,
       bool_and(close_to(customer_churn_rate(r, i, j), churned::float8 / start_customers)) AS customer_churn,
       bool_and(close_to(customer_retention_rate(r, i, j), (start_customers - churned)::float8 / start_customers)) AS customer_retention,
       bool_and(close_to(upsell_rate(r, i, j), upsold::float8 / start_customers)) AS upsell,
       count(*) FILTER (WHERE retained > capped) > 10 AND count(*) FILTER (WHERE churned > 0) > 10 AS nontrivial
FROM rr_pairs, rr_sum;
-- revenue churn and quick ratio over every pair, from the reference movements
SELECT count(*) AS pairs,
       bool_and(close_to(gross_revenue_churn(r, p.i, p.j), ((SELECT coalesce(sum(churned_mrr + contraction_mrr), 0) FROM rr_ref WHERE month > p.i AND month <= p.j) / p.start_mrr)::float8)) AS gross_churn,
       bool_and(close_to(net_revenue_churn(r, p.i, p.j), ((SELECT coalesce(sum(churned_mrr + contraction_mrr - expansion_mrr - reactivation_mrr), 0) FROM rr_ref WHERE month > p.i AND month <= p.j) / p.start_mrr)::float8)) AS net_churn,
       bool_and(close_to(quick_ratio(r, p.i, p.j), (SELECT (sum(new_mrr + expansion_mrr + reactivation_mrr) / nullif(sum(churned_mrr + contraction_mrr), 0))::float8 FROM rr_ref WHERE month > p.i AND month <= p.j))) AS quick_ratio,
       bool_and(arpa(r, p.i, p.j) = (SELECT sum(mrr) / sum(customers) FROM rr_ref WHERE month >= p.i AND month <= p.j)) AS arpa_exact
FROM rr_pairs p, rr_sum WHERE p.i = p.j OR p.j = '2025-06-01' OR p.i = '2024-01-01';
-- the cohort matrix
CREATE TABLE rr_cohorts AS
SELECT f.first_m AS cohort, ((extract(year FROM l.m) - extract(year FROM f.first_m)) * 12 + extract(month FROM l.m) - extract(month FROM f.first_m))::int AS months_since,
       count(*) FILTER (WHERE l.mrr > 0) AS customers, sum(l.mrr) AS mrr
FROM rr_first f JOIN rr_level l ON l.customer_id = f.customer_id AND l.m >= f.first_m
WHERE f.first_m >= '2024-01-01' AND f.first_m <= '2025-06-01'
GROUP BY 1, 2;
SELECT count(*) AS cells,
       (SELECT count(*) FROM (SELECT cohort, months_since, customers, mrr FROM rr_cohorts
                              EXCEPT SELECT cohort, months_since, customers, mrr FROM cohort_retention((SELECT r FROM rr_sum))) x) AS missing,
       (SELECT count(*) FROM (SELECT cohort, months_since, customers, mrr FROM cohort_retention((SELECT r FROM rr_sum))
                              EXCEPT SELECT cohort, months_since, customers, mrr FROM rr_cohorts) x) AS unexpected
FROM rr_cohorts;

-- (month, MRR) rows of the same levels, over the whole history (the data starts in 2023-01), give the same summary
CREATE TABLE rr_level_all AS
SELECT c.customer_id, sp.m, coalesce(sum(s.monthly_amount), 0) AS mrr
FROM (SELECT DISTINCT customer_id FROM rr_subs WHERE customer_id IS NOT NULL) c
CROSS JOIN (SELECT generate_series(date '2023-01-01', date '2025-06-01', interval '1 month')::date AS m) sp
LEFT JOIN rr_subs s ON s.customer_id = c.customer_id AND s.starts_at IS NOT NULL AND s.monthly_amount IS NOT NULL
     AND date_trunc('month', s.starts_at) <= sp.m AND (s.ends_at IS NULL OR date_trunc('month', s.ends_at) > sp.m)
GROUP BY c.customer_id, sp.m;
-- (the display scale may differ: the subscriptions' series carry the scale of every amount read)
CREATE TABLE rr_sum_rows AS SELECT revenue_summary(s, '2024-01-01', '2025-06-01') AS r
FROM (SELECT customer_id, mrr_series(m, mrr) s FROM rr_level_all GROUP BY customer_id) x;
SELECT (SELECT count(*) FROM (SELECT * FROM mrr_movements((SELECT r FROM rr_sum_rows)) EXCEPT SELECT * FROM mrr_movements((SELECT r FROM rr_sum))) x) AS movements_differ,
       (SELECT count(*) FROM (SELECT * FROM cohort_retention((SELECT r FROM rr_sum_rows)) EXCEPT SELECT * FROM cohort_retention((SELECT r FROM rr_sum))) x) AS cohorts_differ,
       (SELECT nrr(r, '2024-01-01', '2025-06-01') FROM rr_sum_rows) = (SELECT nrr(r, '2024-01-01', '2025-06-01') FROM rr_sum) AS nrr_equal;

-- rollup of partial summaries over disjoint customer sets equals the whole
SELECT (SELECT rollup(p) FROM (SELECT revenue_summary(s, '2024-01-01', '2025-06-01') p FROM rr_series GROUP BY customer_id % 7) x)
       = (SELECT r FROM rr_sum) AS rollup_equal;
-- merged partial mrr_series states (the combine function) equal the serial ones
SELECT bool_and(a.s = b.s) AS combine_equal, count(*) AS customers
FROM rr_series a
JOIN (SELECT customer_id, mrr_series_final(mrr_series_combine(mrr_series_combine(NULL, p1), p2)) AS s
      FROM (SELECT customer_id,
                   mrr_series(starts_at, ends_at, monthly_amount) FILTER (WHERE starts_at < '2024-03-01') AS p1,
                   mrr_series(starts_at, ends_at, monthly_amount) FILTER (WHERE NOT starts_at < '2024-03-01') AS p2
            FROM rr_subs WHERE customer_id IS NOT NULL GROUP BY customer_id) y) b USING (customer_id)
WHERE b.s IS NOT NULL;

-- the one-level form (grouping by customer id inside) gives the same value,
-- with bigint and with text ids, and with timestamptz times
SELECT (SELECT revenue_summary(customer_id, starts_at, ends_at, monthly_amount, '2024-01-01', '2025-06-01') FROM rr_subs)
       = (SELECT r FROM rr_sum) AS one_level_equal,
       (SELECT revenue_summary('c-' || customer_id, starts_at, ends_at, monthly_amount, '2024-01-01', '2025-06-01') FROM rr_subs)
       = (SELECT r FROM rr_sum) AS one_level_text_ids_equal,
       (SELECT revenue_summary(customer_id, starts_at::timestamptz, ends_at::timestamptz, monthly_amount::float8, '2024-01-01', '2025-06-01') FROM rr_subs WHERE monthly_amount = round(monthly_amount))
       = (SELECT revenue_summary(s, '2024-01-01', '2025-06-01') FROM (SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount::float8) s
                                                                      FROM rr_subs WHERE monthly_amount = round(monthly_amount) AND customer_id IS NOT NULL GROUP BY 1) x) AS one_level_tz_float_equal;

-- forced parallel: Partial Aggregate in both levels, and the same summary
CREATE TABLE rr_big AS SELECT customer_id + 1000 * k AS customer_id, starts_at, ends_at, monthly_amount
FROM rr_subs, generate_series(0, 9) k WHERE customer_id IS NOT NULL;
ANALYZE rr_big;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE rr_serial AS
SELECT revenue_summary(s, '2024-01-01', '2025-06-01') AS r
FROM (SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount) s FROM rr_big GROUP BY customer_id) x;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount) FROM rr_big GROUP BY customer_id;
SELECT bool_and(a.s = b.s) AS parallel_series_equal, count(*) AS customers
FROM (SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount) s FROM rr_big GROUP BY customer_id) a
JOIN (SELECT customer_id, s FROM (SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount) s FROM rr_big GROUP BY customer_id) z) b USING (customer_id);
CREATE TABLE rr_big_series AS SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount) s FROM rr_big GROUP BY customer_id;
ANALYZE rr_big_series;
EXPLAIN (COSTS OFF) SELECT revenue_summary(s, '2024-01-01', '2025-06-01') FROM rr_big_series;
SELECT (SELECT revenue_summary(s, '2024-01-01', '2025-06-01') FROM rr_big_series) = (SELECT r FROM rr_serial) AS parallel_equal,
       (SELECT revenue_summary(s, '2024-01-01', '2025-06-01')
          FROM (SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount) s FROM rr_big GROUP BY customer_id) x) = (SELECT r FROM rr_serial) AS parallel_two_level_equal;
EXPLAIN (COSTS OFF) SELECT revenue_summary(customer_id, starts_at, ends_at, monthly_amount, '2024-01-01', '2025-06-01') FROM rr_big;
SELECT (SELECT revenue_summary(customer_id, starts_at, ends_at, monthly_amount, '2024-01-01', '2025-06-01') FROM rr_big)
       = (SELECT r FROM rr_serial) AS parallel_one_level_equal;
RESET enable_hashagg;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
-- ten copies of every customer: every MRR and count ten times the original
SELECT bool_and(b.mrr = 10 * a.mrr AND b.customers = 10 * a.customers AND b.churned_mrr = 10 * a.churned_mrr
                AND b.reactivated_customers = 10 * a.reactivated_customers) AS scaled
FROM rr_got a JOIN mrr_movements((SELECT r FROM rr_serial)) b USING (month);

-- cross-sell (products) against the plain-SQL reference: the same random
-- subscriptions with a product each (NULL in 5%), the months each product is
-- paid for (amount > 0) from a spine, and per customer paying in month i the
-- first later month it pays for a product it did not pay for in i
CREATE TABLE rr_psubs AS
SELECT *, CASE WHEN random() < 0.05 THEN NULL ELSE (ARRAY['crm', 'mail', 'voip', 'sms'])[1 + floor(random() * 4)::int] END AS product
FROM rr_subs;
CREATE TABLE rr_ppaid AS
SELECT DISTINCT s.customer_id, s.product, sp.m
FROM rr_psubs s JOIN rr_spine sp ON date_trunc('month', s.starts_at) <= sp.m AND (s.ends_at IS NULL OR date_trunc('month', s.ends_at) > sp.m)
WHERE s.customer_id IS NOT NULL AND s.product IS NOT NULL AND s.monthly_amount > 0;
CREATE TABLE rr_cross AS
SELECT a.customer_id, a.m AS i, min(k.m) AS x
FROM rr_level a JOIN rr_ppaid k ON k.customer_id = a.customer_id AND k.m > a.m
WHERE a.m >= '2024-01-01' AND a.mrr > 0
  AND NOT EXISTS (SELECT 1 FROM rr_ppaid q WHERE q.customer_id = a.customer_id AND q.product = k.product AND q.m = a.m)
GROUP BY a.customer_id, a.m;
CREATE TABLE rr_pseries AS
SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount, product) AS s FROM rr_psubs WHERE customer_id IS NOT NULL GROUP BY customer_id;
CREATE TABLE rr_psum AS SELECT revenue_summary(s, '2024-01-01', '2025-06-01') AS r FROM rr_pseries;
SELECT count(*) AS pairs,
       bool_and(cross_sell_rate(r, p.i, p.j) IS NOT NULL
                AND close_to(cross_sell_rate(r, p.i, p.j), (SELECT count(*) FROM rr_cross c WHERE c.i = p.i AND c.x <= p.j)::float8 / p.start_customers)) AS cross_sell,
       count(*) FILTER (WHERE (SELECT count(*) FROM rr_cross c WHERE c.i = p.i AND c.x <= p.j) > 0) > 100 AS nontrivial
FROM rr_pairs p, rr_psum;
-- the products change nothing else: the movements and every other cell are those of rr_sum
SELECT (SELECT count(*) FROM (SELECT * FROM mrr_movements((SELECT r FROM rr_psum)) EXCEPT SELECT * FROM mrr_movements((SELECT r FROM rr_sum))) x) AS movements_differ,
       (SELECT nrr(r, '2024-01-01', '2025-06-01') FROM rr_psum) = (SELECT nrr(r, '2024-01-01', '2025-06-01') FROM rr_sum) AS nrr_equal,
       (SELECT bool_and(mrr_at(a.s, '2025-01-01') = mrr_at(b.s, '2025-01-01')) FROM rr_pseries a JOIN rr_series b USING (customer_id)) AS mrr_equal;
-- rollup over disjoint customer sets, and forced parallel: the same summary
SELECT (SELECT rollup(p) FROM (SELECT revenue_summary(s, '2024-01-01', '2025-06-01') p FROM rr_pseries GROUP BY customer_id % 7) x)
       = (SELECT r FROM rr_psum) AS products_rollup_equal;
CREATE TABLE rr_pbig AS SELECT customer_id + 1000 * k AS customer_id, starts_at, ends_at, monthly_amount, product
FROM rr_psubs, generate_series(0, 9) k WHERE customer_id IS NOT NULL;
ANALYZE rr_pbig;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE rr_pserial AS
SELECT revenue_summary(s, '2024-01-01', '2025-06-01') AS r
FROM (SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount, product) s FROM rr_pbig GROUP BY customer_id) x;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount, product) FROM rr_pbig GROUP BY customer_id;
SELECT (SELECT revenue_summary(s, '2024-01-01', '2025-06-01')
          FROM (SELECT customer_id, mrr_series(starts_at, ends_at, monthly_amount, product) s FROM rr_pbig GROUP BY customer_id) x)
       = (SELECT r FROM rr_pserial) AS products_parallel_equal,
       (SELECT cross_sell_rate(r, '2024-01-01', '2025-06-01') FROM rr_pserial) = (SELECT cross_sell_rate(r, '2024-01-01', '2025-06-01') FROM rr_psum) AS ten_copies_same_rate;
RESET enable_hashagg;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
