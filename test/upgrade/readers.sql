-- Upgrade test, part 2: every stored value, its text form and every reader of
-- it, one line per value, sorted.  Run before and after the upgrade (and on
-- the frozen values of earlier versions): the output must not change.
\pset format unaligned
\pset tuples_only on
\pset null '<null>'
-- forms=false leaves the text forms out (for values frozen in an older format)
\if :{?forms}
\else
\set forms true
\endif
SELECT id, 'deal_summary ' || c, (CASE WHEN :'forms' THEN v::text END), deals(v), won_deals(v), lost_deals(v), open_deals(v),
       won_amount(v), lost_amount(v), open_amount(v), weighted_pipeline(v), hit_ratio(v),
       hit_ratio_by_amount(v), avg_deal_size(v), sales_cycle_days(v)
FROM stored, LATERAL (VALUES ('ds', ds), ('dsp', dsp), ('ds_ts', ds_ts), ('ds_date', ds_date)) x(c, v)
ORDER BY id, c COLLATE "C";
SELECT id, 'order_summary', (CASE WHEN :'forms' THEN os::text END), customers(os), orders(os), revenue(os), avg_purchase_value(os),
       purchase_frequency(os, interval '1 month'), lifespan(os, interval '1 month'), clv(os)
FROM stored ORDER BY id;
SELECT id, 'stage_path ' || c, (CASE WHEN :'forms' THEN v::text END) FROM stored, LATERAL (VALUES ('sp', sp), ('sp_ts', sp_ts)) x(c, v)
ORDER BY id, c COLLATE "C";
SELECT 'funnel of stored paths', (stage_conversion(f)).* FROM (
  SELECT stage_funnel(sp, ARRAY['lead','qualified','proposal','won'], 'entered') f FROM stored) x;
SELECT id, 'stage_funnel ' || c, (CASE WHEN :'forms' THEN v::text END), deals(v), outside_deals(v), reached(v, 'proposal'),
       win_probability(v, 'qualified'), stage_conversion(v, 'lead', 'won')
FROM stored, LATERAL (VALUES ('sf', sf), ('sf_ordered', sf_ordered)) x(c, v) WHERE v IS NOT NULL
ORDER BY id, c COLLATE "C";
SELECT id, 'stage_conversion', (stage_conversion(sf_ordered)).* FROM stored WHERE sf_ordered IS NOT NULL;
SELECT id, 'stage_times', (CASE WHEN :'forms' THEN st::text END), deals(st), outside_deals(st), visits(st, 'lead'), avg_days(st, 'qualified'),
       median_days(st, 'qualified'), percentile_days(st, 'lead', 0.9), current_deals(st, 'proposal'),
       avg_current_days(st, 'proposal'), stale_deals(st, 'proposal'), exited_deals(st, 'lead')
FROM stored WHERE st IS NOT NULL;
SELECT id, 'time_in_stage', (time_in_stage(st)).* FROM stored WHERE st IS NOT NULL;
SELECT id, 'stage_report', (stage_report(sf, st)).* FROM stored WHERE st IS NOT NULL;
SELECT id, 'stage_history ' || c, (CASE WHEN :'forms' THEN v::text END), events(v),
       (SELECT array_agg(reached ORDER BY position) FROM stage_conversion(stage_funnel(v))) AS implied,
       (SELECT array_agg(reached ORDER BY position) FROM stage_conversion(stage_funnel(v, 'ordered'))) AS ordered
FROM stored, LATERAL (VALUES ('sh', sh), ('sh_text', sh_text)) x(c, v) WHERE v IS NOT NULL
ORDER BY id, c COLLATE "C";
SELECT id, 'stage_history times', (time_in_stage(stage_times(sh, date '2025-04-01'))).* FROM stored WHERE sh IS NOT NULL;
SELECT id, 'stage_history times', (time_in_stage(stage_times(sh_text, timestamp '2025-04-01', interval '5 days'))).* FROM stored WHERE sh IS NOT NULL;
SELECT rep, 'stored_mv', (CASE WHEN :'forms' THEN ds::text END), hr, hit_ratio(ds), weighted_pipeline(ds) FROM stored_mv ORDER BY rep;
SELECT 'rollup', deals(r), won_amount(r), weighted_pipeline(r), hit_ratio(r), sales_cycle_days(r), revenue(o), clv(o)
FROM (SELECT rollup(ds) r, rollup(os) o FROM stored) x;
