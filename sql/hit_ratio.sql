-- hit_ratio(won) and hit_ratio(won, amount): hand-computed cases, edge cases,
-- the plain-SQL reference per group, and moving windows.

-- hand-computed: 2 won, 1 lost, 1 open -> 2/3
SELECT hit_ratio(w) FROM (VALUES (true), (false), (NULL), (true)) v(w);
-- open deals only, and no rows at all -> NULL (never 0)
SELECT hit_ratio(w) IS NULL AS only_open FROM (VALUES (NULL::boolean), (NULL)) v(w);
SELECT hit_ratio(w) IS NULL AS empty FROM (VALUES (true)) v(w) WHERE false;
-- all lost -> 0, all won -> 1
SELECT hit_ratio(w) FROM (VALUES (false), (false)) v(w);
SELECT hit_ratio(w) FROM (VALUES (true)) v(w);

-- weighted: won 100.50, lost 200 (+ an open 300 and a won without amount ignored) -> 100.5 / 300.5
SELECT hit_ratio(w, a) = 100.5::float8 / 300.5 AS weighted
FROM (VALUES (true, 100.50), (false, 200), (NULL, 300), (true, NULL)) v(w, a);
-- decided amount 0 -> NULL
SELECT hit_ratio(w, a) IS NULL AS zero_decided FROM (VALUES (true, 0), (false, 0.00)) v(w, a);

-- reference per rep (rep 16 has only open deals: NULL on both sides)
SELECT count(*) AS reps,
       bool_and(coalesce(close_to(ours, ref), false)) AS count_based,
       bool_and(coalesce(close_to(ours_w, ref_w), false)) AS amount_weighted,
       count(*) FILTER (WHERE ours IS NULL) AS null_groups
FROM (SELECT rep, hit_ratio(won) AS ours,
             (count(*) FILTER (WHERE won))::float8 / nullif(count(won), 0) AS ref,
             hit_ratio(won, amount) AS ours_w,
             (coalesce(sum(amount) FILTER (WHERE won AND amount IS NOT NULL), 0)
               / nullif(sum(amount) FILTER (WHERE won IS NOT NULL), 0))::float8 AS ref_w
      FROM deals GROUP BY rep) t;

-- moving windows (inverse transition) equal a recompute; a frame without a won
-- amount has a weighted ratio of 0 (the reference's empty sum is NULL: coalesce)
SELECT bool_and(coalesce(close_to(ours, ref), false)) AS rows_frame, bool_and(coalesce(close_to(ours_w, ref_w), false)) AS rows_frame_weighted
FROM (SELECT hit_ratio(won) OVER w AS ours,
             (count(*) FILTER (WHERE won) OVER w)::float8 / nullif(count(won) OVER w, 0) AS ref,
             hit_ratio(won, amount) OVER w AS ours_w,
             (coalesce(sum(amount) FILTER (WHERE won AND amount IS NOT NULL) OVER w, 0)
               / nullif(sum(amount) FILTER (WHERE won IS NOT NULL) OVER w, 0))::float8 AS ref_w
      FROM deals WINDOW w AS (ORDER BY id ROWS BETWEEN 25 PRECEDING AND CURRENT ROW)) t;
SELECT bool_and(coalesce(close_to(ours, ref), false)) AS range_90_days
FROM (SELECT hit_ratio(won) OVER w AS ours,
             (count(*) FILTER (WHERE won) OVER w)::float8 / nullif(count(won) OVER w, 0) AS ref
      FROM deals WINDOW w AS (ORDER BY created RANGE BETWEEN interval '90 days' PRECEDING AND CURRENT ROW)) t;

-- the state is checked: a forged state is rejected
SELECT hit_ratio_final('{1,2,3}'::bigint[]);
SELECT hit_ratio_final('{1,-2}'::bigint[]);
SELECT hit_ratio_combine('{1,2}', '{-1,0}');
-- amounts beyond 64 bits (the exact 128-bit decode path) still sum exactly
SELECT won_amount(deal_summary(a, true, date '2024-01-01', date '2024-01-02'))::text AS ours,
       sum(a)::text AS sql
FROM (VALUES (123456789012345678901234.5678::numeric), (9223372036854775807.01), (0.00001),
             (9223372036854775808), (99999999999999999.99999)) v(a);
SELECT hit_ratio(w, a) = 3e25::float8 / 4e25::float8 AS ratio_ok
FROM (VALUES (true, 1e25), (false, 1e25), (true, 2e25)) v(w, a);
