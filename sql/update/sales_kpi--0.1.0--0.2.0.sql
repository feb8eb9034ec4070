-- sales_kpi 0.1.0 -> 0.2.0 upgrade (ALTER EXTENSION sales_kpi UPDATE TO '0.2.0').
-- After it, a database equals a fresh 0.2.0 install (test/t/upgrade.sh compares
-- the catalogs) and every stored value of 0.1.0 reads back unchanged.  Built-in
-- objects are schema-qualified (pg_catalog), as in the install script.

\echo Use "ALTER EXTENSION sales_kpi UPDATE TO '0.2.0'" to load this file. \quit

-- issue 11: every amount type, sales velocity of the open deals, one
-- transition per aggregate (errors name it), deal_summary format 2 (time
-- kind, skipped rows) with a final function, churn state with skipped rows.
-- The same files the install script includes (CREATE OR REPLACE).
-- @include sql/include/deals_rows.sql
-- @include sql/include/churn_rows.sql
-- @include sql/include/customers_amounts.sql
