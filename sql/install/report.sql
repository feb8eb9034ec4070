
------------------------------------------------------------------------------
-- reporting forms of the summary types (issue 11)    (src/kpi/report.c and
-- the *_kpis code of each family)
-- kpis(s): every accessor of a summary in one record, SELECT (kpis(s)).*;
-- s::json and s::jsonb: the same record as a JSON object, which to_json(),
-- to_jsonb() and row_to_json() also use for columns of these types.  New in
-- 0.2.0: the upgrade script includes this file as it is.
------------------------------------------------------------------------------
CREATE TYPE deal_summary_kpis AS (
    deals pg_catalog.int8, won_deals pg_catalog.int8, lost_deals pg_catalog.int8, open_deals pg_catalog.int8,
    won_amount pg_catalog.numeric, lost_amount pg_catalog.numeric, open_amount pg_catalog.numeric,
    weighted_pipeline pg_catalog.numeric, avg_deal_size pg_catalog.numeric, hit_ratio pg_catalog.float8,
    hit_ratio_by_amount pg_catalog.float8, sales_cycle_days pg_catalog.float8, sales_velocity pg_catalog.float8,
    skipped_rows pg_catalog.int8);
COMMENT ON TYPE deal_summary_kpis IS 'every accessor of a deal_summary, one column each (the result of kpis(deal_summary))';

CREATE TYPE order_summary_kpis AS (
    customers pg_catalog.int8, orders pg_catalog.int8, revenue pg_catalog.numeric,
    avg_purchase_value pg_catalog.numeric, clv pg_catalog.numeric,
    purchase_frequency_per_day pg_catalog.float8, lifespan_days pg_catalog.float8);
COMMENT ON TYPE order_summary_kpis IS 'every accessor of an order_summary, one column each (purchase_frequency and lifespan per day; the result of kpis(order_summary))';

CREATE TYPE stage_funnel_stage AS (
    stage pg_catalog.text, "position" pg_catalog.int4, reached pg_catalog.int8,
    step_rate pg_catalog.float8, cumulative_rate pg_catalog.float8, win_probability pg_catalog.float8);
COMMENT ON TYPE stage_funnel_stage IS 'one stage of a funnel, as a row of stage_conversion(funnel)';
CREATE TYPE stage_funnel_kpis AS (
    mode pg_catalog.text, deals pg_catalog.int8, outside_deals pg_catalog.int8, stages stage_funnel_stage[]);
COMMENT ON TYPE stage_funnel_kpis IS 'a stage_funnel as one record: counting mode, deals, deals outside the list, and a stage_funnel_stage per stage (the result of kpis(stage_funnel))';

CREATE TYPE stage_times_stage AS (
    stage pg_catalog.text, "position" pg_catalog.int4, visits pg_catalog.int8, exited_deals pg_catalog.int8,
    avg_days pg_catalog.float8, median_days pg_catalog.float8, current_deals pg_catalog.int8,
    avg_current_days pg_catalog.float8, stale_deals pg_catalog.int8);
COMMENT ON TYPE stage_times_stage IS 'time in one stage, as a row of time_in_stage(times)';
CREATE TYPE stage_times_kpis AS (
    deals pg_catalog.int8, outside_deals pg_catalog.int8, stages stage_times_stage[]);
COMMENT ON TYPE stage_times_kpis IS 'a stage_times as one record: deals, deals outside the list, and a stage_times_stage per stage (the result of kpis(stage_times))';

CREATE TYPE stage_history_kpis AS (
    events pg_catalog.int8, deals pg_catalog.int8, stages pg_catalog.text[],
    time_type pg_catalog.text, id_type pg_catalog.text);
COMMENT ON TYPE stage_history_kpis IS 'a stage_history as one record: events, deals, the stage list, the SQL types of its times and deal ids (NULL time type while empty); its funnels and times come from stage_funnel(history) and stage_times(history)';

-- the leads family (src/leads/): activity_summary, response_time,
-- lead_followup, followup_summary
CREATE TYPE activity_funnel_step AS (
    step pg_catalog.text, "position" pg_catalog.int4, count pg_catalog.int8,
    step_rate pg_catalog.float8, cumulative_rate pg_catalog.float8);
COMMENT ON TYPE activity_funnel_step IS 'one step of the activity funnel (attempts, conversations, leads), as a row of activity_funnel(summary) without targets (so without target_rate)';
CREATE TYPE activity_summary_kpis AS (
    attempts pg_catalog.int8, calls pg_catalog.int8, emails pg_catalog.int8, meetings pg_catalog.int8,
    other_activities pg_catalog.int8, connected pg_catalog.int8, conversations pg_catalog.int8,
    leads pg_catalog.int8, reach_ratio pg_catalog.float8, connect_rate pg_catalog.float8,
    lead_rate pg_catalog.float8, conversation_lead_rate pg_catalog.float8, call_share pg_catalog.float8,
    funnel activity_funnel_step[]);
COMMENT ON TYPE activity_summary_kpis IS 'every accessor of an activity_summary, one column each, and its funnel as an activity_funnel_step per step (the result of kpis(activity_summary))';

CREATE TYPE response_time_kpis AS (
    leads pg_catalog.int8, answered_leads pg_catalog.int8, unanswered_leads pg_catalog.int8,
    within_sla pg_catalog.int8, sla pg_catalog.interval, sla_share pg_catalog.float8,
    avg_response_days pg_catalog.float8, median_response_days pg_catalog.float8,
    p90_response_days pg_catalog.float8, skipped_rows pg_catalog.int8);
COMMENT ON TYPE response_time_kpis IS 'every accessor of a response_time, one column each, p90_response_days = response_percentile_days(r, 0.9) (the result of kpis(response_time))';

CREATE TYPE lead_followup_kpis AS (
    attempts pg_catalog.int8, attempts_to_contact pg_catalog.int8, max_attempts_per_day pg_catalog.int8);
COMMENT ON TYPE lead_followup_kpis IS 'every accessor of one lead''s lead_followup, one column each (the result of kpis(lead_followup))';

CREATE TYPE followup_summary_kpis AS (
    leads pg_catalog.int8, followed_up_leads pg_catalog.int8, contacted_leads pg_catalog.int8,
    prior_activities pg_catalog.int8, never_followed_up_share pg_catalog.float8,
    avg_attempts_to_contact pg_catalog.float8, avg_days_to_first_attempt pg_catalog.float8,
    avg_days_to_first_contact pg_catalog.float8, over_contacted_leads pg_catalog.int8);
COMMENT ON TYPE followup_summary_kpis IS 'every accessor of a followup_summary that needs no argument, one column each, and over_contacted_leads(s) at its default of 4 a day; abandoned_leads/abandoned_share need max_attempts and are not included (the result of kpis(followup_summary))';

-- the models family (src/models/): rfm, bgnbd_model, gammagamma_model (not
-- clv_fit_state: an aggregate state, not a report).  Dates and the time unit
-- keep their SQL types (the JSON form prints them as strings).
CREATE TYPE rfm_kpis AS (
    frequency pg_catalog.int8, recency pg_catalog.float8, customer_age pg_catalog.float8,
    mean_repeat_spend pg_catalog.numeric, repeat_revenue pg_catalog.numeric,
    first_purchase pg_catalog.date, last_purchase pg_catalog.date, calibration_end pg_catalog.date,
    time_unit pg_catalog.interval);
COMMENT ON TYPE rfm_kpis IS 'every accessor of an rfm, one column each: x, t_x and T in its time unit, exact repeat spend, the days and the unit as date and interval (the result of kpis(rfm))';

CREATE TYPE bgnbd_model_kpis AS (
    r pg_catalog.float8, alpha pg_catalog.float8, a pg_catalog.float8, b pg_catalog.float8,
    log_likelihood pg_catalog.float8, customers pg_catalog.int8, iterations pg_catalog.int8,
    converged pg_catalog.bool, time_unit pg_catalog.interval);
COMMENT ON TYPE bgnbd_model_kpis IS 'every accessor of a bgnbd_model, one column each: the parameters and the fit''s log-likelihood, customers, iterations, convergence and time unit (NULL log-likelihood, convergence and time unit for a model made from parameters; the result of kpis(bgnbd_model))';

CREATE TYPE gammagamma_model_kpis AS (
    p pg_catalog.float8, q pg_catalog.float8, gamma pg_catalog.float8,
    log_likelihood pg_catalog.float8, customers pg_catalog.int8, iterations pg_catalog.int8,
    converged pg_catalog.bool);
COMMENT ON TYPE gammagamma_model_kpis IS 'every accessor of a gammagamma_model, one column each: the parameters and the fit''s log-likelihood, repeat buyers, iterations and convergence (NULL log-likelihood and convergence for a model made from parameters; the result of kpis(gammagamma_model))';

-- the revenue family (src/revenue/): revenue_summary
CREATE TYPE mrr_movement AS (
    month pg_catalog.date, mrr pg_catalog.numeric, arr pg_catalog.numeric, customers pg_catalog.int8,
    new_mrr pg_catalog.numeric, expansion_mrr pg_catalog.numeric, contraction_mrr pg_catalog.numeric,
    churned_mrr pg_catalog.numeric, reactivation_mrr pg_catalog.numeric,
    new_customers pg_catalog.int8, expansion_customers pg_catalog.int8, contraction_customers pg_catalog.int8,
    churned_customers pg_catalog.int8, reactivated_customers pg_catalog.int8,
    net_new_mrr pg_catalog.numeric, quick_ratio pg_catalog.float8);
COMMENT ON TYPE mrr_movement IS 'one month of the MRR waterfall, as a row of mrr_movements(summary)';
CREATE TYPE revenue_cohort AS (
    cohort pg_catalog.date, months_since pg_catalog.int4, cohort_customers pg_catalog.int8,
    customers pg_catalog.int8, customer_retention pg_catalog.float8,
    cohort_mrr pg_catalog.numeric, mrr pg_catalog.numeric, mrr_retention pg_catalog.float8);
COMMENT ON TYPE revenue_cohort IS 'one cell of the cohort matrix, as a row of cohort_retention(summary)';
CREATE TYPE revenue_summary_kpis AS (
    from_month pg_catalog.date, to_month pg_catalog.date, series_count pg_catalog.int8, skipped_rows pg_catalog.int8,
    customers pg_catalog.int8, mrr pg_catalog.numeric, arr pg_catalog.numeric, arpa pg_catalog.numeric,
    period_arpa pg_catalog.numeric, new_customers pg_catalog.int8,
    gross_revenue_churn pg_catalog.float8, net_revenue_churn pg_catalog.float8, nrr pg_catalog.float8, grr pg_catalog.float8,
    customer_churn_rate pg_catalog.float8, customer_retention_rate pg_catalog.float8, upsell_rate pg_catalog.float8,
    quick_ratio pg_catalog.float8, saas_ltv pg_catalog.numeric, cross_sell_rate pg_catalog.float8,
    movements mrr_movement[], cohorts revenue_cohort[]);
COMMENT ON TYPE revenue_summary_kpis IS 'a revenue_summary as one record: its first and last month, series_count and skipped_rows; paying_customers, mrr, arr and arpa of the last month (to_month); arpa (as period_arpa), new_customers and the period ratios and saas_ltv over the whole range (from_month, to_month); cross_sell_rate over the same range (NULL when the series were built without a product column); the months as mrr_movement[] (the rows of mrr_movements) and the cohort matrix as revenue_cohort[] (the rows of cohort_retention) (the result of kpis(revenue_summary))';

-- @foreach T = deal_summary | order_summary | stage_funnel | stage_times | stage_history | activity_summary | response_time | lead_followup | followup_summary | revenue_summary | rfm | bgnbd_model | gammagamma_model
CREATE FUNCTION kpis(@T@) RETURNS @T@_kpis
    AS 'MODULE_PATHNAME', '@T@_kpis' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpis(@T@) IS 'every accessor of a @T@ in one record (SELECT (kpis(s)).*), for reporting tools';
CREATE FUNCTION @T@_json(@T@) RETURNS pg_catalog.json
    AS 'MODULE_PATHNAME', '@T@_json' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @T@_json(@T@) IS 'the JSON form of a @T@: kpis(s) as a JSON object; the function of the cast to json';
CREATE FUNCTION @T@_jsonb(@T@) RETURNS pg_catalog.jsonb
    AS 'MODULE_PATHNAME', '@T@_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @T@_jsonb(@T@) IS 'the JSON form of a @T@: kpis(s) as a jsonb object; the function of the cast to jsonb';
CREATE CAST (@T@ AS pg_catalog.json) WITH FUNCTION @T@_json(@T@);
COMMENT ON CAST (@T@ AS pg_catalog.json) IS 'the JSON form of a @T@ (also used by to_json, to_jsonb and row_to_json)';
CREATE CAST (@T@ AS pg_catalog.jsonb) WITH FUNCTION @T@_jsonb(@T@);
COMMENT ON CAST (@T@ AS pg_catalog.jsonb) IS 'the JSON form of a @T@ as jsonb';
-- @end
