-- Upgrade test, part 3: a description of every object of the extension and
-- its definition, one sorted line each, independent of OIDs.  An updated
-- database must print exactly what a fresh install prints.
\pset format unaligned
\pset tuples_only on
WITH members AS (
    SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE e.extname = 'sales_kpi' AND d.deptype = 'e'
)
SELECT line FROM (
  -- every member object, with its comment
  SELECT pg_describe_object(classid, objid, 0) || ' | ' || coalesce(obj_description(objid, classid::regclass::text), '<no comment>') AS line
  FROM members
  UNION ALL
  -- functions and aggregates: signature and every property
  SELECT 'proc ' || p.oid::regprocedure::text || ' returns ' || pg_get_function_result(p.oid)
         || ' | args ' || pg_get_function_arguments(p.oid)
         || ' | kind=' || p.prokind::text || ' lang=' || l.lanname || ' src=' || p.prosrc || ' bin=' || coalesce(p.probin, '')
         || ' strict=' || p.proisstrict || ' volatile=' || p.provolatile::text || ' parallel=' || p.proparallel::text
         || ' secdef=' || p.prosecdef || ' leakproof=' || p.proleakproof || ' setof=' || p.proretset
         || ' cost=' || p.procost || ' rows=' || p.prorows || ' config=' || coalesce(p.proconfig::text, '')
  FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
  JOIN pg_language l ON l.oid = p.prolang
  UNION ALL
  SELECT 'aggregate ' || a.aggfnoid::regprocedure::text
         || ' kind=' || a.aggkind::text || ' direct=' || a.aggnumdirectargs
         || ' trans=' || a.aggtransfn::regprocedure::text || ' final=' || a.aggfinalfn::text
         || ' combine=' || a.aggcombinefn::text || ' serial=' || a.aggserialfn::text || ' deserial=' || a.aggdeserialfn::text
         || ' mtrans=' || a.aggmtransfn::text || ' minv=' || a.aggminvtransfn::text || ' mfinal=' || a.aggmfinalfn::text
         || ' finalextra=' || a.aggfinalextra || ' mfinalextra=' || a.aggmfinalextra
         || ' finalmodify=' || a.aggfinalmodify::text || ' mfinalmodify=' || a.aggmfinalmodify::text
         || ' sortop=' || a.aggsortop::regoperator::text
         || ' stype=' || a.aggtranstype::regtype::text || ' sspace=' || a.aggtransspace
         || ' mstype=' || a.aggmtranstype::regtype::text || ' msspace=' || a.aggmtransspace
         || ' init=' || coalesce(a.agginitval, '<null>') || ' minit=' || coalesce(a.aggminitval, '<null>')
  FROM members m JOIN pg_aggregate a ON m.classid = 'pg_proc'::regclass AND a.aggfnoid = m.objid
  UNION ALL
  SELECT 'type ' || t.oid::regtype::text || ' len=' || t.typlen || ' byval=' || t.typbyval || ' type=' || t.typtype::text
         || ' category=' || t.typcategory::text || ' preferred=' || t.typispreferred || ' delim=' || t.typdelim::text
         || ' in=' || t.typinput::text || ' out=' || t.typoutput::text || ' recv=' || t.typreceive::text
         || ' send=' || t.typsend::text || ' modin=' || t.typmodin::text || ' modout=' || t.typmodout::text
         || ' analyze=' || t.typanalyze::text || ' subscript=' || t.typsubscript::text
         || ' elem=' || t.typelem::regtype::text || ' array=' || t.typarray::regtype::text
         || ' align=' || t.typalign::text || ' storage=' || t.typstorage::text || ' collation=' || t.typcollation
         || ' default=' || coalesce(t.typdefault, '<null>')
  FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
  UNION ALL
  -- the columns of composite types (in order, with their types)
  SELECT 'columns ' || t.oid::regtype::text || ' ' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
  FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
  JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
  GROUP BY t.oid
  UNION ALL
  SELECT 'operator ' || o.oid::regoperator::text || ' code=' || o.oprcode::text || ' result=' || o.oprresult::regtype::text
         || ' com=' || o.oprcom::regoperator::text || ' negate=' || o.oprnegate::regoperator::text
         || ' rest=' || o.oprrest::text || ' join=' || o.oprjoin::text
         || ' hashes=' || o.oprcanhash || ' merges=' || o.oprcanmerge
  FROM members m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
  UNION ALL
  SELECT 'opclass ' || am.amname || ' ' || c.opcname || ' for ' || c.opcintype::regtype::text || ' default=' || c.opcdefault
         || ' family=' || f.opfname
         || ' ops=' || coalesce((SELECT string_agg(ao.amopstrategy || ':' || ao.amopopr::regoperator::text, ',' ORDER BY ao.amopstrategy)
                                 FROM pg_amop ao WHERE ao.amopfamily = c.opcfamily), '')
         || ' procs=' || coalesce((SELECT string_agg(ap.amprocnum || ':' || ap.amproc::regprocedure::text, ',' ORDER BY ap.amprocnum)
                                   FROM pg_amproc ap WHERE ap.amprocfamily = c.opcfamily), '')
  FROM members m JOIN pg_opclass c ON m.classid = 'pg_opclass'::regclass AND c.oid = m.objid
  JOIN pg_am am ON am.oid = c.opcmethod JOIN pg_opfamily f ON f.oid = c.opcfamily
  UNION ALL
  SELECT 'cast ' || k.castsource::regtype::text || ' -> ' || k.casttarget::regtype::text || ' func=' || CASE WHEN k.castfunc = 0 THEN '-' ELSE k.castfunc::regprocedure::text END
         || ' context=' || k.castcontext::text || ' method=' || k.castmethod::text
  FROM members m JOIN pg_cast k ON m.classid = 'pg_cast'::regclass AND k.oid = m.objid
  UNION ALL
  -- privileges (a trusted extension's objects are owned by the installing user)
  SELECT 'acl ' || p.oid::regprocedure::text || ' ' || coalesce(p.proacl::text, '<default>')
  FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
  WHERE p.proacl IS NOT NULL
) x ORDER BY line COLLATE "C";
-- the extension itself
SELECT 'extension ' || extname || ' version=' || extversion || ' relocatable=' || extrelocatable
       || ' schema=' || extnamespace::regnamespace::text || ' config=' || coalesce(extconfig::text, '<none>')
FROM pg_extension WHERE extname = 'sales_kpi';
