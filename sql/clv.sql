-- clv: the scalar forms, and order_summary per customer rolled up across
-- customers, against the plain-SQL references on the same rows.

SELECT clv(50.25, 2, 12) AS textbook, clv(100, 0.05) AS saas, clv(100, 0) IS NULL AS zero_churn;

-- one customer: 10.5 on Jan 1 and 20 on Mar 1 (60 days): 2 orders in 60 days
SELECT customers(s), orders(s), revenue(s), avg_purchase_value(s), lifespan(s, interval '1 day'), clv(s),
       purchase_frequency(s, interval '30 days') AS per_30_days
FROM (SELECT order_summary(a, t) s FROM (VALUES (10.5, date '2024-01-01'), (20, '2024-03-01'), (NULL, '2024-05-01')) v(a, t)) x;

-- all customers: two levels vs the reference
CREATE TEMP TABLE per_customer AS
SELECT customer_id, order_summary(amount, purchased_at) AS s FROM orders GROUP BY customer_id;
WITH r AS (
  SELECT count(DISTINCT customer_id) AS customers, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS apv,
         (max(purchased_at) - min(purchased_at)) AS window
  FROM orders WHERE amount IS NOT NULL
), l AS (
  SELECT extract(epoch FROM max(purchased_at) - min(purchased_at))::float8 / 86400 AS lifespan_days
  FROM orders WHERE amount IS NOT NULL GROUP BY customer_id
), l2 AS (SELECT avg(lifespan_days) AS lifespan_days FROM l),
-- exposure: each customer observed from their first purchase to the last purchase of all
e AS (
  SELECT sum(extract(epoch FROM (SELECT max(purchased_at) FROM orders WHERE amount IS NOT NULL) - first))::float8 AS exposure_s
  FROM (SELECT min(purchased_at) AS first FROM orders WHERE amount IS NOT NULL GROUP BY customer_id) f
)
SELECT customers(s) = r.customers AS customers, orders(s) = r.orders AS orders,
       revenue(s) = r.revenue AND revenue(s)::text = r.revenue::text AS revenue,
       avg_purchase_value(s) = r.apv AND avg_purchase_value(s)::text = r.apv::text AS avg_purchase_value,
       clv(s) = r.revenue / r.customers AS historic_clv,
       close_to(lifespan(s, interval '1 day'), l2.lifespan_days) AS lifespan,
       close_to(purchase_frequency(s, interval '30 days'), r.orders / (e.exposure_s / (30 * 86400))) AS frequency,
       close_to(purchase_frequency(s, interval '1 month'), purchase_frequency(s, interval '30 days')) AS month_is_30_days
FROM (SELECT rollup(s) s FROM per_customer) x, r, l2, e;
-- two customers: A buys on days 0 and 100, B on days 50 and 100; exposure 100 + 50 days,
-- 4 orders -> 4 / 150 per day = 0.8 per 30 days; lifespan (100 + 50) / 2 = 75 days
SELECT purchase_frequency(s, interval '30 days') AS per_30_days, lifespan(s, interval '1 day') AS lifespan_days
FROM (SELECT rollup(o) s FROM (SELECT order_summary(a, t) o FROM (VALUES
  ('A', 1, date '2024-01-01'), ('A', 1, date '2024-04-10'), ('B', 1, date '2024-02-20'), ('B', 1, date '2024-04-10')) v(c, a, t)
  GROUP BY c) x) y;
-- any partition of the customers rolls up to the same summary
SELECT (SELECT rollup(s)::text FROM per_customer)
     = (SELECT rollup(s)::text FROM (SELECT rollup(s) s FROM per_customer GROUP BY customer_id % 5) y) AS rollup_partition;
-- no orders -> NULL summary; a customer with only NULL amounts is left out
SELECT order_summary(a, t) IS NULL AS empty FROM (VALUES (NULL::numeric, date '2024-01-01')) v(a, t);
-- order_summary of several customers cannot take one customer's orders
SELECT error_of($$SELECT order_summary_combine(rollup(s), rollup(s)) FROM per_customer$$);
