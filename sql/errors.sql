-- Bad input never gives a silently wrong number: each case raises an error
-- with a proper SQLSTATE and a message naming the argument and the value.

-- amounts: NaN, infinity, negative
SELECT error_of($$SELECT hit_ratio(true, 'NaN'::numeric)$$);
SELECT error_of($$SELECT deal_summary('Infinity'::numeric, true, date '2024-01-01', date '2024-01-02')$$);
SELECT error_of($$SELECT sales_velocity(-5, true, date '2024-01-01', date '2024-01-02')$$);
-- amounts beyond exact 128-bit accumulation
SELECT error_of($$SELECT hit_ratio(true, 1e40)$$);
SELECT error_of($$SELECT hit_ratio(true, a) FROM (VALUES (9e37), (9e37)) v(a)$$);
-- closed before created, infinite times
SELECT error_of($$SELECT sales_velocity(1, true, date '2024-01-10', date '2024-01-01')$$);
SELECT error_of($$SELECT sales_velocity(1, false, timestamptz 'infinity', now())$$);
SELECT error_of($$SELECT deal_summary(1, true, date '2024-01-01', date 'infinity')$$);
-- an open deal with dates in any order is fine (its dates are not used)
SELECT deals(deal_summary(1, NULL, date '2024-01-10', date '2024-01-01'));
-- scalar sales_velocity: hit ratio outside [0, 1], negative cycle
SELECT error_of($$SELECT sales_velocity(10, 1.5, 100, 10)$$);
SELECT error_of($$SELECT sales_velocity(10, 0.5, 100, -1)$$);
SELECT error_of($$SELECT sales_velocity(-1, 0.5, 100, 10)$$);
-- churn: period reversed, period changing within a group, until before from, inconsistent counts
SELECT error_of($$SELECT churn_rate(date '2024-01-01', NULL, date '2024-02-01', date '2024-01-01')$$);
SELECT error_of($$SELECT churn_rate(f, NULL, p, date '2024-03-01') FROM (VALUES (date '2023-01-01', date '2024-01-01'), ('2023-01-01', '2024-02-01')) v(f, p)$$);
SELECT error_of($$SELECT churn_rate(date '2024-01-05', date '2024-01-01', date '2024-01-01', date '2024-02-01')$$);
SELECT error_of($$SELECT churn_rate(-1, 5)$$);
SELECT error_of($$SELECT churn_rate(10, 20, 5)$$);
SELECT error_of($$SELECT retention_rate(10, 5, 8)$$);
-- clv: negative inputs, churn outside [0, 1]
SELECT error_of($$SELECT clv(-1, 2, 3)$$);
SELECT error_of($$SELECT clv(100, 1.5)$$);
SELECT error_of($$SELECT clv(100, 'NaN'::float8)$$);
SELECT error_of($$SELECT lifespan(order_summary(1, date '2024-01-01'), interval '0 days')$$);
-- funnels: empty list, NULL in the list, duplicates, NULL list, unknown mode,
-- ordered on a deals table, unknown stage in an accessor, changing list
SELECT error_of($$SELECT stage_funnel('lead', ARRAY[]::text[])$$);
SELECT error_of($$SELECT stage_funnel('lead', ARRAY['lead', NULL])$$);
SELECT error_of($$SELECT stage_funnel('lead', ARRAY['lead', 'won', 'lead'])$$);
SELECT error_of($$SELECT stage_funnel('lead', NULL::text[])$$);
SELECT error_of($$SELECT stage_funnel('lead', ARRAY['lead','won'], 'sideways')$$);
SELECT error_of($$SELECT stage_funnel('lead', ARRAY['lead','won'], 'ordered')$$);
SELECT error_of($$SELECT stage_conversion(stage_funnel('lead', ARRAY['lead','won']), 'lead', 'lost')$$);
SELECT error_of($$SELECT stage_funnel(s, l) FROM (VALUES ('lead', ARRAY['lead','won']), ('won', ARRAY['lead','qualified','won'])) v(s, l)$$);
SELECT error_of($$SELECT stage_funnel(p, ARRAY['lead','qualified']) FROM (SELECT stage_path('lead', date '2024-01-01', ARRAY['lead','won']) p) x$$);
SELECT error_of($$SELECT rollup(f) FROM (SELECT stage_funnel('lead', ARRAY['a','lead']) UNION ALL SELECT stage_funnel('lead', ARRAY['lead','b'])) v(f)$$);
SELECT error_of($$SELECT rollup(f) FROM (SELECT stage_funnel('lead', ARRAY['lead','b'], 'entered') UNION ALL SELECT stage_funnel('lead', ARRAY['lead','b'])) v(f)$$);
-- a forged path that claims more stages than the funnel is rejected
SELECT error_of($$SELECT stage_funnel('(version=1,stages=2,hash=5,time=date,events=[1@0])'::stage_path, ARRAY['lead','won'])$$);
SELECT error_of($$SELECT stage_path('lead', date '2024-01-01', (SELECT array_agg('s' || g) FROM generate_series(1, 65) g))$$);
-- exact sums stay within +-(2^127 - 1), so every stored value prints as text that reads back
SELECT error_of($$SELECT order_summary(a, date '2024-01-01') FROM (VALUES (-85070591730234615865843651857942052864::numeric), (-85070591730234615865843651857942052864)) x(a)$$);
SELECT order_summary(a, date '2024-01-01')::text::order_summary IS NOT NULL AS largest_negative_reads_back
FROM (VALUES (-85070591730234615865843651857942052864::numeric), (-85070591730234615865843651857942052863)) x(a);

-- time in stage: as_of of another time type than the events, NULL or changing
-- as_of / stale_after, a path of another stage list, bad stale_after, merging
-- states measured at different times
CREATE TEMP TABLE ep AS
SELECT deal, stage_path(s, t, ARRAY['lead','won']) AS p
FROM (VALUES (1, 'lead', timestamptz '2024-01-01'), (1, 'won', timestamptz '2024-01-05'), (2, 'lead', timestamptz '2024-01-02')) v(deal, s, t)
GROUP BY deal;
SELECT error_of($$SELECT stage_times(p, ARRAY['lead','won'], timestamp '2024-02-01') FROM ep$$);
SELECT error_of($$SELECT stage_times(p, ARRAY['lead','won'], date '2024-02-01') FROM ep$$);
SELECT error_of($$SELECT stage_times(p, ARRAY['lead','won'], NULL::timestamptz) FROM ep$$);
SELECT error_of($$SELECT stage_times(p, ARRAY['lead','won'], timestamptz '2024-02-01', NULL) FROM ep$$);
SELECT error_of($$SELECT stage_times(p, ARRAY['lead','won'], timestamptz '2024-02-01' + deal * interval '1 day') FROM ep$$);
SELECT error_of($$SELECT stage_times(p, ARRAY['lead','won'], timestamptz '2024-02-01', interval '-3 days') FROM ep$$);
SELECT error_of($$SELECT stage_times(p, ARRAY['lead','won'], timestamptz 'infinity') FROM ep$$);
SELECT error_of($$SELECT stage_times(p, ARRAY['lead','qualified','won']) FROM ep$$);
SELECT error_of($$SELECT rollup(s) FROM (SELECT stage_times(p, ARRAY['lead','won'], timestamptz '2024-02-01' + deal * interval '1 day') s FROM ep GROUP BY deal) x$$);
SELECT error_of($$SELECT time_in_stage(s) FROM (SELECT stage_times(p, ARRAY['lead','won']) s FROM ep) x, LATERAL avg_days(s, 'negotiation')$$);
SELECT error_of($$SELECT stage_report(f, s) FROM (SELECT stage_funnel(p, ARRAY['lead','won']) f FROM ep) x,
                   (SELECT stage_times(p, ARRAY['a','b']) s FROM (SELECT stage_path('a', now(), ARRAY['a','b']) p) z) y$$);
-- a transition state passed by hand must match the call's id and time types
SELECT error_of($$SELECT stage_history_accum('(version=1,time=date,ids=bigint,stages=["a","b"],events=[(1,0,0)])'::stage_history,
                                             'abc'::text, 'a', date '2024-01-01', ARRAY['a','b'])$$);
SELECT error_of($$SELECT stage_path_accum(p, 'a', timestamptz '2024-01-02', ARRAY['a'])
                  FROM (SELECT stage_path('a', date '2024-01-01', ARRAY['a']) AS p) x$$);
-- an interval beyond 64-bit microseconds is refused, not wrapped
SELECT error_of($$SELECT stage_times(p, ARRAY['a'], timestamptz '2026-02-01', interval '300000 years')
                  FROM (SELECT stage_path('a', timestamptz '2026-01-01', ARRAY['a']) AS p) x$$);
