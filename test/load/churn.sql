-- churn and retention of a month
\set m random(0, 11)
SELECT churn_rate(active_from, active_until, date '2025-01-01' + :m * interval '1 month', date '2025-02-01' + :m * interval '1 month'),
       retention_rate(active_from, active_until, date '2025-01-01' + :m * interval '1 month', date '2025-02-01' + :m * interval '1 month')
FROM customers;
