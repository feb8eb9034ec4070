------------------------------------------------------------------------------
-- models family: predictive CLV (spec 2.4, clv strength 3)      (src/models/)
-- rfm() per customer, bgnbd_fit() and gammagamma_fit() over rfm rows, the
-- storable models and their predictions.  New in 0.2.0: the upgrade script
-- includes this file as it is.
------------------------------------------------------------------------------

-- rfm: one customer's orders as (x, t_x, T, mean repeat spend)
-- @type rfm extended 'RFM summary of one customer''s orders for BG/NBD and Gamma-Gamma: x repeat purchase days, t_x, T in a time unit, exact repeat spend; as an aggregate state it also carries the purchase days'
CREATE FUNCTION rfm_combine(rfm, rfm) RETURNS rfm
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_final(rfm) RETURNS rfm
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_combine(rfm, rfm) IS 'combine function of rfm(): merges the purchase days of partial states of one customer';
COMMENT ON FUNCTION rfm_final(rfm) IS 'final function of rfm(): the summary without its purchase days; NULL when no order falls in the calibration period';
-- @foreach ID = int8 | text
-- @and IDS = i8 | text
-- @foreach T = date | timestamp
-- @and TS = date | ts
-- @foreach A = numeric | float8 | int4 | int8
-- @and AS = n | f8 | i4 | i8
CREATE FUNCTION rfm_accum(rfm, pg_catalog.@ID@, pg_catalog.@T@, pg_catalog.@A@, pg_catalog.date, pg_catalog.interval) RETURNS rfm
    AS 'MODULE_PATHNAME', 'rfm_accum_@IDS@_@TS@_@AS@' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_accum(rfm, pg_catalog.@ID@, pg_catalog.@T@, pg_catalog.@A@, pg_catalog.date, pg_catalog.interval) IS 'transition function of rfm(): adds one order of the group''s customer (refuses another customer)';
CREATE AGGREGATE rfm(customer_id pg_catalog.@ID@, purchased_at pg_catalog.@T@, amount pg_catalog.@A@, calibration_end pg_catalog.date, unit pg_catalog.interval) (
    sfunc = rfm_accum, stype = rfm, combinefunc = rfm_combine, finalfunc = rfm_final, parallel = safe);
COMMENT ON AGGREGATE rfm(pg_catalog.@ID@, pg_catalog.@T@, pg_catalog.@A@, pg_catalog.date, pg_catalog.interval) IS 'RFM summary of ONE customer''s orders (GROUP BY customer id; orders of another customer are an error): purchases are days (same-day orders summed), orders after calibration_end ignored, times in unit; rows with NULL id, time or amount ignored';
-- @end
-- @end
-- @end

CREATE FUNCTION frequency(rfm) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'rfm_frequency' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION recency(rfm) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'rfm_recency' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION customer_age(rfm) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'rfm_customer_age' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean_repeat_spend(rfm) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'rfm_mean_repeat_spend' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION repeat_revenue(rfm) RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'rfm_repeat_revenue' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION first_purchase(rfm) RETURNS pg_catalog.date
    AS 'MODULE_PATHNAME', 'rfm_first_purchase' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION last_purchase(rfm) RETURNS pg_catalog.date
    AS 'MODULE_PATHNAME', 'rfm_last_purchase' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calibration_end(rfm) RETURNS pg_catalog.date
    AS 'MODULE_PATHNAME', 'rfm_calibration_end' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION time_unit(rfm) RETURNS pg_catalog.interval
    AS 'MODULE_PATHNAME', 'rfm_time_unit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION frequency(rfm) IS 'x: the number of repeat purchases (distinct purchase days after the first) in the calibration period';
COMMENT ON FUNCTION recency(rfm) IS 't_x: time from the first to the last purchase, in the rfm''s unit';
COMMENT ON FUNCTION customer_age(rfm) IS 'T: time from the first purchase to the calibration end, in the rfm''s unit';
COMMENT ON FUNCTION mean_repeat_spend(rfm) IS 'exact mean amount of the repeat purchases (the first purchase excluded, same-day orders summed); NULL when x = 0';
COMMENT ON FUNCTION repeat_revenue(rfm) IS 'exact sum of the amounts of the repeat purchases (all but the first purchase day)';
COMMENT ON FUNCTION first_purchase(rfm) IS 'the day of the first purchase';
COMMENT ON FUNCTION last_purchase(rfm) IS 'the day of the last purchase in the calibration period';
COMMENT ON FUNCTION calibration_end(rfm) IS 'the last day of the calibration period (inclusive)';
COMMENT ON FUNCTION time_unit(rfm) IS 'the time unit of t_x and T (as days and time: a month is 30 days)';

-- the fitting state, shared by bgnbd_fit() and gammagamma_fit()
-- @type clv_fit_state extended 'state of bgnbd_fit()/gammagamma_fit(): the customers'' (x, t_x, T) or (x, mean spend) tuples with weights, identical ones merged'
CREATE FUNCTION clv_fit_combine(clv_fit_state, clv_fit_state) RETURNS clv_fit_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION clv_fit_combine(clv_fit_state, clv_fit_state) IS 'combine function of bgnbd_fit() and gammagamma_fit(): the tuples of both states, identical ones merged';

-- BG/NBD
-- @type bgnbd_model plain 'a BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005): r, alpha, a, b, and from a fit its log-likelihood, customers, iterations, convergence and time unit'
CREATE FUNCTION bgnbd_fit_final(clv_fit_state) RETURNS bgnbd_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_final(clv_fit_state) IS 'final function of bgnbd_fit(): maximum-likelihood fit (Nelder-Mead on log-parameters, several starts and restarts); NULL without customers';
CREATE FUNCTION bgnbd_fit_accum(clv_fit_state, rfm) RETURNS clv_fit_state
    AS 'MODULE_PATHNAME', 'bgnbd_fit_accum_rfm' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bgnbd_fit_accum(clv_fit_state, rfm, pg_catalog.int8) RETURNS clv_fit_state
    AS 'MODULE_PATHNAME', 'bgnbd_fit_accum_rfm_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bgnbd_fit_accum(clv_fit_state, pg_catalog.int8, pg_catalog.float8, pg_catalog.float8) RETURNS clv_fit_state
    AS 'MODULE_PATHNAME', 'bgnbd_fit_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bgnbd_fit_accum(clv_fit_state, pg_catalog.int8, pg_catalog.float8, pg_catalog.float8, pg_catalog.int8) RETURNS clv_fit_state
    AS 'MODULE_PATHNAME', 'bgnbd_fit_accum_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_accum(clv_fit_state, rfm) IS 'transition function of bgnbd_fit(rfm): adds one customer';
COMMENT ON FUNCTION bgnbd_fit_accum(clv_fit_state, rfm, pg_catalog.int8) IS 'transition function of bgnbd_fit(rfm, weight): adds weight identical customers';
COMMENT ON FUNCTION bgnbd_fit_accum(clv_fit_state, pg_catalog.int8, pg_catalog.float8, pg_catalog.float8) IS 'transition function of bgnbd_fit(x, t_x, T): adds one customer';
COMMENT ON FUNCTION bgnbd_fit_accum(clv_fit_state, pg_catalog.int8, pg_catalog.float8, pg_catalog.float8, pg_catalog.int8) IS 'transition function of bgnbd_fit(x, t_x, T, weight): adds weight identical customers';
CREATE AGGREGATE bgnbd_fit(rfm) (
    sfunc = bgnbd_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine, finalfunc = bgnbd_fit_final, parallel = safe);
CREATE AGGREGATE bgnbd_fit(rfm, weight pg_catalog.int8) (
    sfunc = bgnbd_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine, finalfunc = bgnbd_fit_final, parallel = safe);
CREATE AGGREGATE bgnbd_fit(x pg_catalog.int8, t_x pg_catalog.float8, "T" pg_catalog.float8) (
    sfunc = bgnbd_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine, finalfunc = bgnbd_fit_final, parallel = safe);
CREATE AGGREGATE bgnbd_fit(x pg_catalog.int8, t_x pg_catalog.float8, "T" pg_catalog.float8, weight pg_catalog.int8) (
    sfunc = bgnbd_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine, finalfunc = bgnbd_fit_final, parallel = safe);
COMMENT ON AGGREGATE bgnbd_fit(rfm) IS 'fits the BG/NBD model by maximum likelihood over one rfm row per customer; NULL rows ignored; NULL without customers';
COMMENT ON AGGREGATE bgnbd_fit(rfm, pg_catalog.int8) IS 'fits the BG/NBD model over rfm rows each standing for weight identical customers (the same model as the rows repeated); weight 0 or NULL rows ignored';
COMMENT ON AGGREGATE bgnbd_fit(pg_catalog.int8, pg_catalog.float8, pg_catalog.float8) IS 'fits the BG/NBD model over (x, t_x, T) rows, one per customer; rows with a NULL ignored';
COMMENT ON AGGREGATE bgnbd_fit(pg_catalog.int8, pg_catalog.float8, pg_catalog.float8, pg_catalog.int8) IS 'fits the BG/NBD model over (x, t_x, T) rows each standing for weight identical customers';

CREATE FUNCTION bgnbd_model(r pg_catalog.float8, alpha pg_catalog.float8, a pg_catalog.float8, b pg_catalog.float8) RETURNS bgnbd_model
    AS 'MODULE_PATHNAME', 'bgnbd_model_make' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_model(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.float8) IS 'a BG/NBD model from known parameters (not fitted: no log-likelihood, any time unit)';
-- @foreach F = r | alpha | a | b
-- @and C = r: shape of the gamma distribution of purchase rates | alpha: scale of the gamma distribution of purchase rates (in time units) | a: first shape of the beta distribution of dropout probabilities | b: second shape of the beta distribution of dropout probabilities
CREATE FUNCTION @F@(bgnbd_model) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'bgnbd_model_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(bgnbd_model) IS 'BG/NBD parameter @C@';
-- @end

CREATE FUNCTION bgnbd_expected_purchases(model bgnbd_model, t pg_catalog.float8, x pg_catalog.int8, t_x pg_catalog.float8, "T" pg_catalog.float8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_expected_purchases(model bgnbd_model, t pg_catalog.float8, customer rfm) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_rfm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_expected_purchases_new(model bgnbd_model, t pg_catalog.float8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_p_alive(model bgnbd_model, x pg_catalog.int8, t_x pg_catalog.float8, "T" pg_catalog.float8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_p_alive(model bgnbd_model, customer rfm) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'bgnbd_p_alive_rfm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_expected_purchases(bgnbd_model, pg_catalog.float8, pg_catalog.int8, pg_catalog.float8, pg_catalog.float8) IS 'BG/NBD expected purchases in the next t time units of a customer with x repeat purchases, the last at t_x, observed for T (FHL 2005 eq. 10)';
COMMENT ON FUNCTION bgnbd_expected_purchases(bgnbd_model, pg_catalog.float8, rfm) IS 'BG/NBD expected purchases in the next t time units of the rfm''s customer (the rfm in the model''s unit)';
COMMENT ON FUNCTION bgnbd_expected_purchases_new(bgnbd_model, pg_catalog.float8) IS 'BG/NBD expected repeat purchases within t time units of a new customer''s first purchase (FHL 2005 eq. 9)';
COMMENT ON FUNCTION bgnbd_p_alive(bgnbd_model, pg_catalog.int8, pg_catalog.float8, pg_catalog.float8) IS 'BG/NBD probability that the customer is still alive at T (computed in log space; 1 when x = 0)';
COMMENT ON FUNCTION bgnbd_p_alive(bgnbd_model, rfm) IS 'BG/NBD probability that the rfm''s customer is still alive at the calibration end';

-- Gamma-Gamma
-- @type gammagamma_model plain 'a Gamma-Gamma model of spend per purchase (Fader & Hardie 2013): p, q, gamma, and from a fit its log-likelihood, repeat buyers, iterations and convergence'
CREATE FUNCTION gammagamma_fit_final(clv_fit_state) RETURNS gammagamma_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_final(clv_fit_state) IS 'final function of gammagamma_fit(): maximum-likelihood fit (Nelder-Mead on log-parameters, several starts and restarts); NULL without repeat buyers';
CREATE FUNCTION gammagamma_fit_accum(clv_fit_state, rfm) RETURNS clv_fit_state
    AS 'MODULE_PATHNAME', 'gammagamma_fit_accum_rfm' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION gammagamma_fit_accum(clv_fit_state, rfm, pg_catalog.int8) RETURNS clv_fit_state
    AS 'MODULE_PATHNAME', 'gammagamma_fit_accum_rfm_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION gammagamma_fit_accum(clv_fit_state, pg_catalog.int8, pg_catalog.float8) RETURNS clv_fit_state
    AS 'MODULE_PATHNAME', 'gammagamma_fit_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION gammagamma_fit_accum(clv_fit_state, pg_catalog.int8, pg_catalog.float8, pg_catalog.int8) RETURNS clv_fit_state
    AS 'MODULE_PATHNAME', 'gammagamma_fit_accum_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_accum(clv_fit_state, rfm) IS 'transition function of gammagamma_fit(rfm): adds one customer (customers without repeat purchases ignored)';
COMMENT ON FUNCTION gammagamma_fit_accum(clv_fit_state, rfm, pg_catalog.int8) IS 'transition function of gammagamma_fit(rfm, weight): adds weight identical customers';
COMMENT ON FUNCTION gammagamma_fit_accum(clv_fit_state, pg_catalog.int8, pg_catalog.float8) IS 'transition function of gammagamma_fit(x, mean_spend): adds one customer (x = 0 ignored)';
COMMENT ON FUNCTION gammagamma_fit_accum(clv_fit_state, pg_catalog.int8, pg_catalog.float8, pg_catalog.int8) IS 'transition function of gammagamma_fit(x, mean_spend, weight): adds weight identical customers';
CREATE AGGREGATE gammagamma_fit(rfm) (
    sfunc = gammagamma_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine, finalfunc = gammagamma_fit_final, parallel = safe);
CREATE AGGREGATE gammagamma_fit(rfm, weight pg_catalog.int8) (
    sfunc = gammagamma_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine, finalfunc = gammagamma_fit_final, parallel = safe);
CREATE AGGREGATE gammagamma_fit(x pg_catalog.int8, mean_spend pg_catalog.float8) (
    sfunc = gammagamma_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine, finalfunc = gammagamma_fit_final, parallel = safe);
CREATE AGGREGATE gammagamma_fit(x pg_catalog.int8, mean_spend pg_catalog.float8, weight pg_catalog.int8) (
    sfunc = gammagamma_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine, finalfunc = gammagamma_fit_final, parallel = safe);
COMMENT ON AGGREGATE gammagamma_fit(rfm) IS 'fits the Gamma-Gamma spend model by maximum likelihood over the repeat buyers (x > 0) of one rfm row per customer';
COMMENT ON AGGREGATE gammagamma_fit(rfm, pg_catalog.int8) IS 'fits the Gamma-Gamma spend model over rfm rows each standing for weight identical customers';
COMMENT ON AGGREGATE gammagamma_fit(pg_catalog.int8, pg_catalog.float8) IS 'fits the Gamma-Gamma spend model over (x, mean repeat spend) rows; rows with x = 0 ignored';
COMMENT ON AGGREGATE gammagamma_fit(pg_catalog.int8, pg_catalog.float8, pg_catalog.int8) IS 'fits the Gamma-Gamma spend model over (x, mean repeat spend) rows each standing for weight identical customers';

CREATE FUNCTION gammagamma_model(p pg_catalog.float8, q pg_catalog.float8, gamma pg_catalog.float8) RETURNS gammagamma_model
    AS 'MODULE_PATHNAME', 'gammagamma_model_make' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_model(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8) IS 'a Gamma-Gamma model from known parameters (not fitted: no log-likelihood)';
-- @foreach F = p | q | gamma
-- @and C = p: shape of the gamma distribution of a customer''s purchase amounts | q: shape of the gamma distribution of its rate across customers | gamma: scale of the gamma distribution of its rate across customers (in money)
CREATE FUNCTION @F@(gammagamma_model) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'gammagamma_model_@F@' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @F@(gammagamma_model) IS 'Gamma-Gamma parameter @C@';
-- @end
CREATE FUNCTION gammagamma_expected_spend(model gammagamma_model, x pg_catalog.int8, mean_spend pg_catalog.float8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gammagamma_expected_spend(model gammagamma_model, customer rfm) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'gammagamma_expected_spend_rfm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_expected_spend(gammagamma_model, pg_catalog.int8, pg_catalog.float8) IS 'Gamma-Gamma expected mean spend per purchase of a customer with x repeat purchases of mean mean_spend: p (gamma + mean_spend x) / (p x + q - 1); x = 0 gives the population mean; NULL when the mean is not finite (p x + q <= 1)';
COMMENT ON FUNCTION gammagamma_expected_spend(gammagamma_model, rfm) IS 'Gamma-Gamma expected mean spend per purchase of the rfm''s customer; NULL when the mean is not finite';

-- the accessors every fitted model has
-- @foreach M = bgnbd_model | gammagamma_model
CREATE FUNCTION log_likelihood(@M@) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', '@M@_log_likelihood' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION customers(@M@) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', '@M@_customers' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION iterations(@M@) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', '@M@_iterations' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION converged(@M@) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', '@M@_converged' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION log_likelihood(@M@) IS 'the maximised log-likelihood of the fit; NULL for a model made from parameters';
COMMENT ON FUNCTION customers(@M@) IS 'the number of customers the model was fitted on (0 for a model made from parameters)';
COMMENT ON FUNCTION iterations(@M@) IS 'the optimiser''s iterations in the fit (0 for a model made from parameters)';
COMMENT ON FUNCTION converged(@M@) IS 'whether the fit met the optimiser''s tolerances; NULL for a model made from parameters';
-- @end
CREATE FUNCTION time_unit(bgnbd_model) RETURNS pg_catalog.interval
    AS 'MODULE_PATHNAME', 'bgnbd_model_time_unit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION time_unit(bgnbd_model) IS 'the time unit of the rfm values the model was fitted on (t, t_x and T of its predictions are in it); NULL for a model made from parameters (any unit)';

-- predictive CLV
CREATE FUNCTION predicted_clv(purchases bgnbd_model, spend gammagamma_model, x pg_catalog.int8, t_x pg_catalog.float8, "T" pg_catalog.float8, mean_spend pg_catalog.float8, horizon pg_catalog.int4, discount_rate pg_catalog.float8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION predicted_clv(purchases bgnbd_model, spend gammagamma_model, customer rfm, horizon pg_catalog.int4, discount_rate pg_catalog.float8) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'predicted_clv_rfm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predicted_clv(bgnbd_model, gammagamma_model, pg_catalog.int8, pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.int4, pg_catalog.float8) IS 'predictive CLV: Gamma-Gamma expected spend times the sum over the next horizon periods k of the BG/NBD expected purchases in period k / (1 + discount_rate)^k; NULL when the spend has no finite mean';
COMMENT ON FUNCTION predicted_clv(bgnbd_model, gammagamma_model, rfm, pg_catalog.int4, pg_catalog.float8) IS 'predictive CLV of the rfm''s customer over the next horizon periods of its unit, discounted per period; NULL when the spend has no finite mean';
