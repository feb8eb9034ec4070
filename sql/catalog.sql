-- Catalog rules of the extension: every aggregate is parallel safe with a
-- combine function and a real (non-internal) state type; every object has a
-- comment; nothing is SECURITY DEFINER; installs safely in another schema.

CREATE TEMP VIEW ext_objects AS
SELECT d.classid::regclass AS catalog, d.objid
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
WHERE e.extname = 'sales_kpi' AND d.deptype = 'e';

-- every aggregate, with its combine function and state type
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggcombinefn <> 0 AS has_combine,
       a.aggtranstype::regtype AS state_type, p.proparallel AS parallel, a.aggminvtransfn <> 0 AS moving
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE a.aggfnoid IN (SELECT objid FROM ext_objects WHERE catalog = 'pg_proc'::regclass)
ORDER BY a.aggfnoid::regprocedure::text COLLATE "C";
SELECT count(*) AS violations FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE a.aggfnoid IN (SELECT objid FROM ext_objects WHERE catalog = 'pg_proc'::regclass)
  AND (a.aggcombinefn = 0 OR a.aggtranstype = 'internal'::regtype OR p.proparallel <> 's');

-- every function and type has a comment; no SECURITY DEFINER; all parallel safe
-- (the implicit array types are extension members from PostgreSQL 17 on: not counted)
SELECT count(*) FILTER (WHERE obj_description(objid, catalog::text) IS NULL) AS uncommented,
       count(*) AS objects
FROM ext_objects WHERE catalog IN ('pg_proc'::regclass, 'pg_type'::regclass)
  AND NOT (catalog = 'pg_type'::regclass AND objid IN (SELECT oid FROM pg_type WHERE typcategory = 'A'));
SELECT count(*) FILTER (WHERE prosecdef) AS security_definer, count(*) FILTER (WHERE proparallel <> 's') AS not_parallel_safe
FROM pg_proc WHERE oid IN (SELECT objid FROM ext_objects WHERE catalog = 'pg_proc'::regclass);

-- install into another schema of another database under a hostile search_path
\set regressdb :DBNAME
CREATE DATABASE sales_kpi_schema_test;
\c sales_kpi_schema_test
CREATE SCHEMA kpi;
CREATE SCHEMA evil;
CREATE FUNCTION evil.numeric_div(numeric, numeric) RETURNS numeric LANGUAGE sql AS 'SELECT 42::numeric';
-- a look-alike of the record type of the JSON form: the casts must not find it
CREATE TYPE evil.deal_summary_kpis AS (deals text);
SET search_path = evil, public;
CREATE EXTENSION sales_kpi SCHEMA kpi;
SELECT kpi.hit_ratio(w), kpi.avg_deal_size(kpi.deal_summary(a, w, c, d))
FROM (VALUES (true, 10.0, date '2024-01-01', date '2024-01-03'), (false, 20, '2024-01-01', '2024-01-03'), (true, 20, '2024-01-01', '2024-01-05')) v(w, a, c, d);
-- the reporting forms find their record types in the extension's schema
SELECT (kpi.kpis(s)).deals, s::json ->> 'won_amount' AS won_amount, to_jsonb(s) -> 'deals' AS deals_jsonb
FROM (SELECT kpi.deal_summary(a, w, c, d) s
      FROM (VALUES (true, 10.0, date '2024-01-01', date '2024-01-03'), (false, 20, '2024-01-01', '2024-01-03')) v(w, a, c, d)) x;
ALTER EXTENSION sales_kpi SET SCHEMA public;
SELECT public.hit_ratio(w) FROM (VALUES (true), (false)) v(w);
-- and follow it when it moves
SELECT s::jsonb ->> 'won_deals' AS won_deals, (public.kpis(s)).hit_ratio
FROM (SELECT public.deal_summary(a, w, c, d) s
      FROM (VALUES (true, 10.0, date '2024-01-01', date '2024-01-03'), (false, 20, '2024-01-01', '2024-01-03')) v(w, a, c, d)) x;
-- a reporting type that no longer matches the library (altered, or a
-- half-finished upgrade): an error with its errcode and hint, never shifted columns
CREATE TABLE report_mismatch AS
SELECT public.revenue_summary(s, '2024-01-01', '2024-02-01') AS r
FROM (SELECT public.mrr_series(date '2024-01-01', NULL::date, 5) s) x;
BEGIN;
ALTER TYPE public.revenue_summary_kpis RENAME ATTRIBUTE mrr TO mrr_renamed;
DO $$ BEGIN PERFORM (public.kpis(r)).series_count FROM report_mismatch;
EXCEPTION WHEN object_not_in_prerequisite_state THEN RAISE NOTICE '55000: %', SQLERRM; END $$;
ROLLBACK;
BEGIN;
ALTER TYPE public.mrr_movement ADD ATTRIBUTE extra int;
DO $$ BEGIN PERFORM (public.kpis(r)).series_count FROM report_mismatch;
EXCEPTION WHEN object_not_in_prerequisite_state THEN RAISE NOTICE '55000: %', SQLERRM; END $$;
ROLLBACK;
SELECT (public.kpis(r)).series_count AS after_rollback FROM report_mismatch;
DROP TABLE report_mismatch;
DROP EXTENSION sales_kpi;
\c :regressdb
DROP DATABASE sales_kpi_schema_test;
