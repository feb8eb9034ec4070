-- clv: the scalar forms, and order_summary per customer rolled up across
-- customers, against the plain-SQL references on the same rows.

SELECT clv(50.25, 2, 12) AS textbook, clv(100, 0.05) AS saas, clv(100, 0) IS NULL AS zero_churn;

-- one customer: 10.5 on Jan 1 and 20 on Mar 1 (60 days)
SELECT customers(s), orders(s), revenue(s), avg_purchase_value(s), lifespan(s, interval '1 day'), clv(s)
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
), l2 AS (SELECT avg(lifespan_days) AS lifespan_days FROM l)
SELECT customers(s) = r.customers AS customers, orders(s) = r.orders AS orders,
       revenue(s) = r.revenue AND revenue(s)::text = r.revenue::text AS revenue,
       avg_purchase_value(s) = r.apv AND avg_purchase_value(s)::text = r.apv::text AS avg_purchase_value,
       clv(s) = r.revenue / r.customers AS historic_clv,
       close_to(lifespan(s, interval '1 day'), l2.lifespan_days) AS lifespan,
       close_to(purchase_frequency(s, interval '30 days'),
                r.orders::float8 / r.customers / (extract(epoch FROM r.window)::float8 / (30 * 86400))) AS frequency,
       close_to(purchase_frequency(s, interval '1 month'), purchase_frequency(s, interval '30 days')) AS month_is_30_days
FROM (SELECT rollup(s) s FROM per_customer) x, r, l2;
-- any partition of the customers rolls up to the same summary
SELECT (SELECT rollup(s)::text FROM per_customer)
     = (SELECT rollup(s)::text FROM (SELECT rollup(s) s FROM per_customer GROUP BY customer_id % 5) y) AS rollup_partition;
-- no orders -> NULL summary; a customer with only NULL amounts is left out
SELECT order_summary(a, t) IS NULL AS empty FROM (VALUES (NULL::numeric, date '2024-01-01')) v(a, t);
-- order_summary of several customers cannot take one customer's orders
SELECT error_of($$SELECT order_summary_combine(rollup(s), rollup(s)) FROM per_customer$$);
