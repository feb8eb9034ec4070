-- issue 11, item 10: = and <> and hashing on every type, on the canonical form
-- (the binary send output).  Each type's table holds, per group, the same
-- rows summarised in two ways (way 1 directly, way 2 in another order or as a
-- rollup of parts), and for the summaries also random subsets (way 3).  The
-- expectations are computed independently: two values are equal iff their
-- text forms (an exact round trip) are equal.  Every statement here failed on
-- 0.1.0 with "could not identify an equality operator".

-- two small cases by hand
CREATE TEMP TABLE eq_hand AS
SELECT (SELECT deal_summary(a, w, c, c + 3) FROM (VALUES (10.5, true, date '2024-01-01'), (20, false, '2024-01-02'), (7, NULL, '2024-01-03')) v(a, w, c)) AS s1,
       (SELECT deal_summary(a, w, c, c + 3 ORDER BY a DESC) FROM (VALUES (10.5, true, date '2024-01-01'), (20, false, '2024-01-02'), (7, NULL, '2024-01-03')) v(a, w, c)) AS s2,
       (SELECT rollup(s) FROM (SELECT deal_summary(a, w, c, c + 3) s FROM (VALUES (10.5, true, date '2024-01-01'), (20, false, '2024-01-02'), (7, NULL, '2024-01-03')) v(a, w, c) GROUP BY a > 10) x) AS s3,
       (SELECT deal_summary(a, w, c, c + 3) FROM (VALUES (10.5, true, date '2024-01-01'), (20, true, '2024-01-02'), (7, NULL, '2024-01-03')) v(a, w, c)) AS s4;
SELECT s1 = s2 AS reordered, s1 = s3 AS rolled_up, s1 <> s3 AS rolled_up_ne, s1 = s4 AS other, s1 <> s4 AS other_ne,
       s1 = NULL::deal_summary AS with_null
FROM eq_hand;
SELECT count(*) AS "values", (SELECT count(*) FROM (SELECT DISTINCT s FROM eq_hand, LATERAL (VALUES (s1), (s2), (s3), (s4)) v(s)) d) AS "distinct"
FROM eq_hand, LATERAL (VALUES (s1), (s2), (s3), (s4)) v(s);
-- there is no ordering: count(DISTINCT s) needs one
SELECT error_of($$SELECT count(DISTINCT s1) FROM eq_hand$$);
-- equality is equality of the stored form: the same amount at another display
-- scale is another value (its text differs too)
SELECT won_amount(a), won_amount(b), a = b AS equal, a::text = b::text AS same_text,
       won_amount(a) = won_amount(b) AS same_amount
FROM (SELECT deal_summary(5.0, true, date '2024-01-01', date '2024-01-02') a,
             deal_summary(5.00, true, date '2024-01-01', date '2024-01-02') b) x;

-- the values of every type: (grp, way, v)
CREATE TEMP TABLE eq_deal_summary AS
SELECT rep AS grp, 1 AS way, deal_summary(amount, won, created, closed ORDER BY id) AS v FROM deals GROUP BY rep
UNION ALL
SELECT grp, 2, rollup(s ORDER BY part DESC) FROM (
  SELECT rep AS grp, id % 5 AS part, deal_summary(amount, won, created, closed ORDER BY id DESC) AS s
  FROM deals GROUP BY rep, id % 5) p GROUP BY grp
UNION ALL
SELECT -1, 3, deal_summary(amount, won, created, closed) FROM deals, generate_series(2, 7) k
GROUP BY k, id % k HAVING id % k < 3;
-- order_summary: per customer, then rolled up (way 2: a rollup of rollups of parts)
CREATE TEMP TABLE eq_customers AS
SELECT customer_id, order_summary(amount, purchased_at ORDER BY id) AS s,
       order_summary(amount, purchased_at ORDER BY id DESC) AS s_desc
FROM orders GROUP BY customer_id;
CREATE TEMP TABLE eq_order_summary AS
SELECT customer_id % 20 AS grp, 1 AS way, rollup(s ORDER BY customer_id) AS v FROM eq_customers GROUP BY 1
UNION ALL
SELECT grp, 2, rollup(r ORDER BY part DESC) FROM (
  SELECT customer_id % 20 AS grp, customer_id % 60 AS part, rollup(s_desc ORDER BY customer_id DESC) AS r
  FROM eq_customers GROUP BY 1, 2) c GROUP BY grp
UNION ALL
SELECT -1, 3, rollup(s) FROM eq_customers, generate_series(2, 7) k
GROUP BY k, customer_id % k HAVING customer_id % k < 3
UNION ALL
SELECT -2, 3, s FROM eq_customers WHERE customer_id < 40;
CREATE TEMP TABLE eq_stage_path AS
SELECT deal_id AS grp, 1 AS way, stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won'] ORDER BY entered_at, stage) AS v
FROM stage_events WHERE deal_id <= 200 GROUP BY deal_id
UNION ALL
SELECT deal_id, 2, stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won'] ORDER BY entered_at DESC, stage DESC)
FROM stage_events WHERE deal_id <= 200 GROUP BY deal_id;
CREATE TEMP TABLE eq_paths AS
SELECT grp AS deal_id, v AS p FROM eq_stage_path WHERE way = 1;
CREATE TEMP TABLE eq_stage_funnel AS
SELECT deal_id % 8 AS grp, 1 AS way, stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], 'ordered' ORDER BY deal_id) AS v
FROM eq_paths GROUP BY 1
UNION ALL
SELECT grp, 2, rollup(f ORDER BY part DESC) FROM (
  SELECT deal_id % 8 AS grp, deal_id % 24 AS part, stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], 'ordered' ORDER BY deal_id DESC) AS f
  FROM eq_paths GROUP BY 1, 2) x GROUP BY grp;
CREATE TEMP TABLE eq_stage_times AS
SELECT deal_id % 8 AS grp, 1 AS way, stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], date '2024-02-15' ORDER BY deal_id) AS v
FROM eq_paths GROUP BY 1
UNION ALL
SELECT grp, 2, rollup(t ORDER BY part DESC) FROM (
  SELECT deal_id % 8 AS grp, deal_id % 24 AS part, stage_times(p, ARRAY['lead','qualified','proposal','negotiation','won'], date '2024-02-15' ORDER BY deal_id DESC) AS t
  FROM eq_paths GROUP BY 1, 2) x GROUP BY grp;
CREATE TEMP TABLE eq_stage_history AS
SELECT deal_id % 8 AS grp, 1 AS way, stage_history(deal_id, stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won'] ORDER BY deal_id, entered_at) AS v
FROM stage_events GROUP BY 1
UNION ALL
SELECT deal_id % 8, 2, stage_history(deal_id, stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won'] ORDER BY entered_at DESC, stage, deal_id DESC)
FROM stage_events GROUP BY 1;

-- each check of a table against the text forms
CREATE FUNCTION eq_check(tab text) RETURNS TABLE (
    "values" bigint, distinct_values bigint, two_ways_equal boolean, agrees_with_text boolean,
    distinct_ok boolean, union_ok boolean, group_by_ok boolean, hash_join_ok boolean)
LANGUAGE plpgsql AS $$
DECLARE expected_groups text; groups text; n_text bigint; n bigint; j bigint; jt bigint;
BEGIN
    -- (a NULL value is one group, as for DISTINCT)
    EXECUTE format('SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT v::text FROM %1$I) d) FROM %1$I', tab) INTO "values", n_text;
    distinct_values := n_text;
    -- the two constructions of each group are equal (and not unequal)
    EXECUTE format('SELECT bool_and(a.v = b.v AND NOT a.v <> b.v) AND count(*) > 0 FROM %1$I a JOIN %1$I b
                    ON a.grp = b.grp AND a.way = 1 AND b.way = 2', tab) INTO two_ways_equal;
    -- = and <> agree with the text forms over all pairs
    EXECUTE format('SELECT bool_and((a.v = b.v) = (a.v::text = b.v::text) AND (a.v <> b.v) = (a.v::text <> b.v::text))
                    FROM %1$I a, %1$I b', tab) INTO agrees_with_text;
    EXECUTE format('SELECT count(*) FROM (SELECT DISTINCT v FROM %I) d', tab) INTO n;
    distinct_ok := n = n_text;
    EXECUTE format('SELECT count(*) FROM (SELECT v FROM %1$I WHERE way = 1 UNION SELECT v FROM %1$I WHERE way <> 1) u', tab) INTO n;
    union_ok := n = n_text;
    EXECUTE format('SELECT string_agg(coalesce(v::text, ''NULL'') || %2$L || n, %3$L ORDER BY v::text COLLATE "C" NULLS FIRST)
                    FROM (SELECT v, count(*) AS n FROM %1$I GROUP BY v) g', tab, '#', ',') INTO groups;
    EXECUTE format('SELECT string_agg(coalesce(t, ''NULL'') || %2$L || n, %3$L ORDER BY t COLLATE "C" NULLS FIRST)
                    FROM (SELECT v::text AS t, count(*) AS n FROM %1$I GROUP BY 1) g', tab, '#', ',') INTO expected_groups;
    group_by_ok := groups = expected_groups;
    EXECUTE format('SELECT count(*) FROM %1$I a JOIN %1$I b ON a.v = b.v', tab) INTO j;
    EXECUTE format('SELECT count(*) FROM %1$I a JOIN %1$I b ON a.v::text = b.v::text', tab) INTO jt;
    hash_join_ok := j = jt;
    RETURN NEXT;
END $$;

-- the hash nodes of a query's plan
CREATE FUNCTION eq_hash_nodes(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE l text; nodes text[] := '{}';
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        l := substring(l FROM '^[ ->]*([A-Za-z ]*[A-Za-z])');
        IF l LIKE '%Hash%' AND l NOT LIKE '%Cond%' THEN nodes := nodes || l; END IF;
    END LOOP;
    RETURN array_to_string(nodes, ', ');
END $$;

SET enable_mergejoin = off;
SET enable_nestloop = off;
SELECT t AS type, c.*
FROM unnest(ARRAY['deal_summary','order_summary','stage_path','stage_funnel','stage_times','stage_history']) WITH ORDINALITY u(t, o),
     LATERAL eq_check('eq_' || t) c
ORDER BY o;
SELECT t AS type,
       eq_hash_nodes(format('SELECT count(*) FROM %1$I a JOIN %1$I b ON a.v = b.v', 'eq_' || t)) AS "join",
       eq_hash_nodes(format('SELECT v, count(*) FROM %I GROUP BY v', 'eq_' || t)) AS group_by,
       eq_hash_nodes(format('SELECT DISTINCT v FROM %I', 'eq_' || t)) AS "distinct",
       eq_hash_nodes(format('SELECT v FROM %1$I WHERE way = 1 UNION SELECT v FROM %1$I', 'eq_' || t)) AS "union"
FROM unnest(ARRAY['deal_summary','order_summary','stage_path','stage_funnel','stage_times','stage_history']) WITH ORDINALITY u(t, o)
ORDER BY o;
RESET enable_mergejoin;
RESET enable_nestloop;

-- the operators and operator classes in the catalog
SELECT o.oid::regoperator AS operator, o.oprcanhash AS hashes, o.oprcom::regoperator AS commutator,
       o.oprnegate::regoperator AS negator, o.oprrest AS restrict, o.oprjoin AS "join"
FROM pg_operator o
WHERE o.oprleft IN ('deal_summary'::regtype, 'order_summary'::regtype, 'stage_path'::regtype,
                    'stage_funnel'::regtype, 'stage_times'::regtype, 'stage_history'::regtype)
ORDER BY o.oid::regoperator::text COLLATE "C";
SELECT c.opcname, c.opcintype::regtype, c.opcdefault, obj_description(c.oid, 'pg_opclass') IS NOT NULL AS commented
FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod
WHERE am.amname = 'hash' AND c.opcname LIKE '%\_hash\_ops' AND c.opcintype IN
      ('deal_summary'::regtype, 'order_summary'::regtype, 'stage_path'::regtype,
       'stage_funnel'::regtype, 'stage_times'::regtype, 'stage_history'::regtype)
ORDER BY 1;

DROP FUNCTION eq_check(text);
DROP FUNCTION eq_hash_nodes(text);
