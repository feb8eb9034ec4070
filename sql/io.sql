-- Our types are storable: exact text round trips, binary COPY round trips,
-- and untrusted text input is validated.

CREATE TABLE summaries AS
SELECT rep, deal_summary(amount, won, created, closed) AS ds,
       (SELECT rollup(s) FROM (SELECT order_summary(amount, purchased_at) s FROM orders WHERE customer_id % 17 = rep GROUP BY customer_id) c) AS os,
       (SELECT stage_funnel(p, ARRAY['lead','qualified','proposal','negotiation','won'], 'entered')
          FROM (SELECT stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won']) p
                FROM stage_events WHERE deal_id % 17 = rep GROUP BY deal_id) x) AS sf,
       (SELECT stage_path(stage, entered_at, ARRAY['lead','qualified','proposal','negotiation','won'])
          FROM stage_events WHERE deal_id = rep + 1) AS sp
FROM deals GROUP BY rep;

-- text round trip: text -> value -> text is the identity, and the KPIs survive
SELECT count(*) AS n,
       bool_and(coalesce(ds::text::deal_summary::text = ds::text, false)) AS deal_summary_text,
       bool_and(coalesce(os::text::order_summary::text = os::text, false)) AS order_summary_text,
       bool_and(coalesce(sf::text::stage_funnel::text = sf::text, false)) AS stage_funnel_text,
       bool_and(coalesce(sp::text::stage_path::text = sp::text, false)) AS stage_path_text,
       bool_and(coalesce(avg_deal_size(ds::text::deal_summary) IS NOT DISTINCT FROM avg_deal_size(ds), false)) AS kpi_after_text
FROM summaries;

-- binary COPY round trip, on the client side (no superuser, no server file):
-- through a file of this run's own (mktemp), removed afterwards
\set copy_file `mktemp -t sales_kpi_io.XXXXXXXX`
\setenv SALES_KPI_COPY_FILE :copy_file
COPY summaries TO STDOUT WITH (FORMAT binary) \g :copy_file
CREATE TABLE summaries2 (LIKE summaries);
\copy summaries2 FROM PROGRAM 'cat "$SALES_KPI_COPY_FILE"' WITH (FORMAT binary)
\! rm -f "$SALES_KPI_COPY_FILE"
SELECT count(*) AS n,
       bool_and(coalesce(a.ds::text = b.ds::text AND a.os::text = b.os::text AND a.sf::text = b.sf::text
                AND a.sp::text IS NOT DISTINCT FROM b.sp::text, false)) AS binary_round_trip
FROM summaries a JOIN summaries2 b USING (rep);
-- a materialized view of summaries reads back the same KPIs
CREATE MATERIALIZED VIEW mv AS SELECT rep, ds FROM summaries;
SELECT bool_and(coalesce(close_to(hit_ratio(m.ds), hit_ratio(s.ds)), false)) AS matview FROM mv m JOIN summaries s USING (rep);

-- a readable literal
SELECT '(version=1,deals=3,won=1,lost=1,won_amount=100.50,won_amount_n=1,won_amount_scale_n=1,lost_amount=200,lost_amount_n=1,lost_amount_scale_n=1,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=864000000000,cycle_n=1)'::deal_summary AS literal;

-- malformed literals: each is rejected with a message saying what is wrong
SELECT error_of(format('SELECT %L::deal_summary', lit)) AS deal_summary_errors
FROM (VALUES
  (''), ('()'), ('garbage'),
  ('(version=2,deals=0,won=0,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0)'),
  ('(version=1,deals=1,won=2,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0)'),
  ('(version=1,deals=-1,won=0,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0)'),
  ('(version=1,deals=1,won=1,lost=0,won_amount=-5,won_amount_n=1,won_amount_scale_n=1,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0)'),
  ('(version=1,deals=1,won=1,lost=0,won_amount=5,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0)'),
  ('(version=1,deals=1,won=1,lost=0,won_amount=5,won_amount_n=1,won_amount_scale_n=1,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=10,cycle_n=0)'),
  ('(version=1,deals=1,won=1,lost=0,won_amount=5,won_amount_n=1,won_amount_scale_n=1,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0) junk'),
  ('(version=1,deals=1,won=1,lost=0,won_amount=5,won_amount_n=1,won_amount_scale_n=1,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0'),
  ('(version=1,deals=99999999999999999999,won=0,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0)'),
  ('(version=1,won=0,deals=0,lost=0,won_amount=0,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0)'),
  ('(version=1,deals=0,won=0,lost=0,won_amount=1.,won_amount_n=0,won_amount_scale_n=0,lost_amount=0,lost_amount_n=0,lost_amount_scale_n=0,open_amount=0,open_amount_n=0,open_amount_scale_n=0,weighted_pipeline=0,weighted_pipeline_n=0,weighted_pipeline_scale_n=0,cycle_us=0,cycle_n=0)')
) v(lit);
SELECT error_of(format('SELECT %L::order_summary', lit)) AS order_summary_errors
FROM (VALUES
  ('(version=1,customers=1,orders=0,revenue=0,lifespan_us=0,first_sum_us=0,first_us=0,last_us=0)'),
  ('(version=1,customers=1,orders=1,revenue=5,lifespan_us=10,first_sum_us=0,first_us=0,last_us=5)'),
  ('(version=1,customers=1,orders=1,revenue=5,lifespan_us=0,first_sum_us=10,first_us=10,last_us=5)'),
  ('(version=1,customers=0,orders=0,revenue=5,lifespan_us=0,first_sum_us=0,first_us=0,last_us=0)'),
  ('(version=1,customers=1,orders=1,revenue=5,lifespan_us=0,first_sum_us=9223372036854775807,first_us=9223372036854775807,last_us=9223372036854775807)'),
  ('(version=1,customers=2,orders=2,revenue=5,lifespan_us=0,first_sum_us=100,first_us=0,last_us=10)'),
  ('(version=1,customers=1,orders=1,revenue=5,lifespan_us=0,first_us=0,last_us=0)')
) v(lit);
SELECT error_of(format('SELECT %L::stage_funnel', lit)) AS stage_funnel_errors
FROM (VALUES
  ('(version=1,mode=sideways,deals=1,outside=0,stages=["a":1])'),
  ('(version=1,mode=implied,deals=1,outside=0,stages=["a":1,"b":2])'),
  ('(version=1,mode=implied,deals=1,outside=2,stages=["a":0])'),
  ('(version=1,mode=entered,deals=3,outside=0,stages=["a":1,"a":1])'),
  ('(version=1,mode=entered,deals=3,outside=0,stages=["a:1])'),
  ('(version=1,mode=entered,deals=3,outside=0,stages=[])')
) v(lit);
SELECT error_of(format('SELECT %L::stage_path', lit)) AS stage_path_errors
FROM (VALUES
  ('(version=1,stages=2,hash=5,time=date,events=[3@0])'),
  ('(version=1,stages=0,hash=5,time=date,events=[])'),
  ('(version=1,stages=2,hash=5,time=date,events=[0@9223372036854775807])'),
  ('(version=1,stages=2,hash=5,time=date,events=[0@])'),
  ('(version=1,stages=2,hash=5,time=date,events=[0@1,1@0]')
) v(lit);
-- a valid path literal is sorted on input
SELECT '(version=1,stages=2,hash=5,time=date,events=[1@20,0@10,2@10])'::stage_path;
-- stage_times: malformed or inconsistent literals are refused
SELECT error_of(format('SELECT %L::stage_times', lit)) AS stage_times_errors
FROM (VALUES
  -- histogram does not count the exited deals
  ('(version=1,time=date,as_of=none,stale_after=none,deals=1,outside=0,stages=[("a",visits=1,exited=1,exited_us=5,current=0,current_us=0,stale=0,hist=[])])'),
  -- total time outside what its histogram allows
  ('(version=1,time=date,as_of=none,stale_after=none,deals=1,outside=0,stages=[("a",visits=1,exited=1,exited_us=500,current=0,current_us=0,stale=0,hist=[5:1])])'),
  -- buckets out of order, bucket out of range, zero count
  ('(version=1,time=date,as_of=none,stale_after=none,deals=2,outside=0,stages=[("a",visits=2,exited=2,exited_us=10,current=0,current_us=0,stale=0,hist=[6:1,4:1])])'),
  ('(version=1,time=date,as_of=none,stale_after=none,deals=1,outside=0,stages=[("a",visits=1,exited=1,exited_us=5,current=0,current_us=0,stale=0,hist=[9999:1])])'),
  ('(version=1,time=date,as_of=none,stale_after=none,deals=1,outside=0,stages=[("a",visits=1,exited=1,exited_us=5,current=0,current_us=0,stale=0,hist=[5:0])])'),
  -- more current deals than deals, stale without stale_after, stale_after without as_of
  ('(version=1,time=date,as_of=0,stale_after=none,deals=1,outside=0,stages=[("a",visits=2,exited=0,exited_us=0,current=1,current_us=0,stale=0,hist=[]),("b",visits=1,exited=0,exited_us=0,current=1,current_us=0,stale=0,hist=[])])'),
  ('(version=1,time=date,as_of=0,stale_after=none,deals=1,outside=0,stages=[("a",visits=1,exited=0,exited_us=0,current=1,current_us=9,stale=1,hist=[])])'),
  ('(version=1,time=date,as_of=none,stale_after=5,deals=1,outside=0,stages=[("a",visits=1,exited=0,exited_us=0,current=1,current_us=0,stale=0,hist=[])])'),
  -- unknown time type, duplicate stage, negative time
  ('(version=1,time=hours,as_of=none,stale_after=none,deals=0,outside=0,stages=[("a",visits=0,exited=0,exited_us=0,current=0,current_us=0,stale=0,hist=[])])'),
  ('(version=1,time=date,as_of=none,stale_after=none,deals=0,outside=0,stages=[("a",visits=0,exited=0,exited_us=0,current=0,current_us=0,stale=0,hist=[]),("a",visits=0,exited=0,exited_us=0,current=0,current_us=0,stale=0,hist=[])])'),
  ('(version=1,time=date,as_of=0,stale_after=none,deals=1,outside=0,stages=[("a",visits=1,exited=0,exited_us=0,current=1,current_us=-1,stale=0,hist=[])])')
) v(lit);
-- a consistent literal is accepted and reads back
SELECT '(version=1,time=date,as_of=0,stale_after=none,deals=2,outside=0,stages=[("a",visits=3,exited=1,exited_us=5,current=1,current_us=7,stale=0,hist=[5:1])])'::stage_times;
