-- Set-up of test/fuzz/state_fuzz.py (run after test/fuzz/setup.sql, whose
-- seeds and fz_kpis() readers it reuses): the oracle of the state fuzzer.
--
-- Every mutant is one call of a function of the extension with hand-made
-- arguments (bigint[] states, values of our types, extreme numbers, times and
-- stage lists), wrapped in the check of its result type: sf_run() executes
-- it and answers
--   'V'                 the call returned a valid result (or NULL);
--   'E:<sqlstate>:msg'  the call raised an error (the driver judges the SQLSTATE);
--   'B:<problem>'       the call returned an invalid result.
SET client_min_messages = warning;

-- a ratio: NULL or a number in [0, 1]
CREATE FUNCTION sf_ratio(x float8) RETURNS text LANGUAGE sql IMMUTABLE AS
$$SELECT CASE WHEN x IS NULL OR (x <> 'NaN' AND x >= 0 AND x <= 1) THEN NULL
              ELSE 'ratio outside [0, 1]: ' || x END$$;
-- a non-negative finite number (days, rates, velocities)
CREATE FUNCTION sf_nonneg(x float8) RETURNS text LANGUAGE sql IMMUTABLE AS
$$SELECT CASE WHEN x IS NULL OR (x <> 'NaN' AND x >= 0 AND x < 'Infinity') THEN NULL
              ELSE 'not a non-negative finite number: ' || x END$$;
-- a count
CREATE FUNCTION sf_count(x bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$SELECT CASE WHEN x IS NULL OR x >= 0 THEN NULL ELSE 'negative count: ' || x END$$;
-- an amount of deals (never negative) / of orders (any sign), never NaN or infinite
CREATE FUNCTION sf_money(x numeric) RETURNS text LANGUAGE sql IMMUTABLE AS
$$SELECT CASE WHEN x IS NULL OR (x <> 'NaN' AND x >= 0 AND x < 'Infinity') THEN NULL
              ELSE 'not a non-negative amount: ' || x END$$;
CREATE FUNCTION sf_numeric(x numeric) RETURNS text LANGUAGE sql IMMUTABLE AS
$$SELECT CASE WHEN x IS NULL OR (x <> 'NaN' AND x > '-Infinity' AND x < 'Infinity') THEN NULL
              ELSE 'not a finite number: ' || x END$$;
-- a finite number of any sign (a log-likelihood; lead velocity, attainment, pacing)
CREATE FUNCTION sf_finite(x float8) RETURNS text LANGUAGE sql IMMUTABLE AS
$$SELECT CASE WHEN x IS NULL OR (x <> 'NaN' AND x > '-Infinity' AND x < 'Infinity') THEN NULL
              ELSE 'not a finite number: ' || x END$$;
CREATE FUNCTION sf_any(x anyelement) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT NULL::text$$;
-- the state of lead_velocity_rate(qualified_at, period, period_end): nine
-- values, counts >= 0, and the final function reads it (a rate >= -1)
CREATE FUNCTION sf_lv_state(s bigint[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r float8;
BEGIN
    IF s IS NULL THEN
        RETURN NULL;
    END IF;
    IF array_ndims(s) IS DISTINCT FROM 1 OR cardinality(s) <> 9 OR array_position(s, NULL) IS NOT NULL THEN
        RETURN 'lead_velocity_rate state of another shape: ' || s::text;
    END IF;
    IF s[array_lower(s, 1) + 7] < 0 OR s[array_lower(s, 1) + 8] < 0 THEN
        RETURN 'invalid lead_velocity_rate state: ' || s::text;
    END IF;
    r := lead_velocity_final(s);
    IF r < -1 OR r = 'NaN' OR r = 'Infinity' THEN
        RETURN 'lead velocity rate out of range: ' || r;
    END IF;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RETURN format('the final function refuses the state %s: %s %s', s, SQLSTATE, SQLERRM);
END $$;

-- the {won, lost} state of hit_ratio: two counts >= 0, and the final
-- function reads it
CREATE FUNCTION sf_hit_state(s bigint[]) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF s IS NULL THEN
        RETURN NULL;
    END IF;
    IF array_ndims(s) IS DISTINCT FROM 1 OR cardinality(s) <> 2 OR array_position(s, NULL) IS NOT NULL THEN
        RETURN 'hit_ratio state of another shape: ' || s::text;
    END IF;
    IF s[array_lower(s, 1)] < 0 OR s[array_lower(s, 1) + 1] < 0 THEN
        RETURN 'invalid hit_ratio state: ' || s::text;
    END IF;
    RETURN sf_ratio(hit_ratio_final(s));
EXCEPTION WHEN OTHERS THEN
    RETURN format('the final function refuses the state %s: %s %s', s, SQLSTATE, SQLERRM);
END $$;

-- the {has_period, p0, p1, at_start, churned} state of churn_rate
CREATE FUNCTION sf_churn_state(s bigint[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c bigint[];
BEGIN
    IF s IS NULL THEN
        RETURN NULL;
    END IF;
    -- {has_period, p0, p1, at_start, churned, skipped}; functions return this
    -- shape of 0.2.0 (0.1.0's had no skipped count)
    IF array_ndims(s) IS DISTINCT FROM 1 OR cardinality(s) <> 6 OR array_position(s, NULL) IS NOT NULL THEN
        RETURN 'churn state of another shape: ' || s::text;
    END IF;
    c := ARRAY(SELECT unnest(s));
    IF c[1] NOT IN (0, 1) OR c[4] < 0 OR c[5] < 0 OR c[5] > c[4] OR c[6] < 0
       OR (c[1] = 0 AND (c[2] <> 0 OR c[3] <> 0 OR c[4] <> 0 OR c[5] <> 0 OR c[6] <> 0))
       OR (c[1] = 1 AND c[2] >= c[3]) THEN
        RETURN 'invalid churn state: ' || s::text;
    END IF;
    RETURN coalesce(sf_ratio(churn_rate_final(s)), sf_ratio(retention_rate_final(s)));
EXCEPTION WHEN OTHERS THEN
    RETURN format('the final functions refuse the state %s: %s %s', s, SQLSTATE, SQLERRM);
END $$;

-- a value of one of our types: its text form reads back to the same value,
-- and its readers (fz_kpis() of test/fuzz/setup.sql) find nothing wrong
CREATE FUNCTION sf_value(v anyelement) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    t text;
    w text;
    k text;
BEGIN
    IF v IS NULL THEN
        RETURN NULL;
    END IF;
    t := v::text;
    BEGIN
        EXECUTE format('SELECT (%L::%s)::text', t, pg_typeof(v)) INTO w;
    EXCEPTION WHEN OTHERS THEN
        RETURN format('its text form does not read back: %s %s; value %s', SQLSTATE, SQLERRM, left(t, 300));
    END;
    IF w IS DISTINCT FROM t THEN
        RETURN format('its text form reads back as another value: %s -> %s', left(t, 300), left(w, 300));
    END IF;
    BEGIN
        IF pg_typeof(v) = 'stage_path'::regtype THEN
            k := sf_path_readers(t::stage_path);
        ELSE
            EXECUTE format('SELECT split_part(fz_kpis(%L::%s), ''|'', 1)', t, pg_typeof(v)) INTO k;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        RETURN format('a reader of the value fails: %s %s; value %s', SQLSTATE, SQLERRM, left(t, 300));
    END;
    IF k <> '' THEN
        RETURN format('its readers: %s; value %s', k, left(t, 300));
    END IF;
    RETURN NULL;
END $$;

-- a stage_path: stage_path_final() keeps it, and it makes a valid funnel and
-- time in stage with the stage lists of the seeds (or is refused as of
-- another stage list)
CREATE FUNCTION sf_path_readers(v stage_path) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    l record;
    f stage_funnel;
    st stage_times;
    k text := '';
BEGIN
    IF stage_path_final(v)::text IS DISTINCT FROM v::text THEN
        RETURN 'stage_path_final changes it';
    END IF;
    FOR l IN SELECT stages FROM fz_stage_lists ORDER BY n LOOP
        BEGIN
            SELECT stage_funnel(y, l.stages, 'ordered'), stage_times(y, l.stages) INTO f, st FROM (VALUES (v)) s(y);
            k := k || split_part(fz_kpis(f), '|', 1) || split_part(fz_kpis(st), '|', 1);
        EXCEPTION WHEN OTHERS THEN
            IF NOT (SQLSTATE = '22023' AND SQLERRM LIKE '%different stage list%') THEN
                RAISE;
            END IF;
        END;
    END LOOP;
    RETURN k;
END $$;

-- the rows of stage_conversion(), time_in_stage() and stage_report(): every
-- number non-negative (rates of an entered-mode funnel may exceed 1)
CREATE FUNCTION sf_rows(rows jsonb[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    k text;
    x jsonb;
BEGIN
    FOREACH r IN ARRAY coalesce(rows, '{}') LOOP
        FOR k, x IN SELECT * FROM jsonb_each(r) LOOP
            CONTINUE WHEN jsonb_typeof(x) = 'null' OR k IN ('stage', 'step');
            -- the revenue readers' month columns are dates (valid ones: the type
            -- says so); split_target's month is a number, checked below
            IF k IN ('month', 'cohort') AND NOT (k = 'month' AND jsonb_typeof(x) = 'number') THEN
                IF jsonb_typeof(x) <> 'string' OR (x #>> '{}')::date IS NULL THEN
                    RETURN format('column %s is %s', k, x);
                END IF;
                CONTINUE;
            END IF;
            IF jsonb_typeof(x) <> 'number' THEN
                RETURN format('column %s is %s', k, x);
            END IF;
            -- net new MRR is negative when MRR shrinks
            IF x::text::numeric < 0 AND k <> 'net_new_mrr' THEN
                RETURN format('column %s is negative: %s', k, x);
            END IF;
        END LOOP;
    END LOOP;
    RETURN NULL;
END $$;

-- Runs one mutant: q is a SELECT of one text column, the check of the call.
CREATE FUNCTION sf_run(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    EXECUTE q INTO r;
    RETURN CASE WHEN r IS NULL THEN 'V' ELSE 'B:' || r END;
EXCEPTION WHEN OTHERS THEN
    RETURN 'E:' || SQLSTATE || ':' || replace(SQLERRM, E'\n', ' ');
END $$;

-- Runs a batch of mutants; returns one row per mutant that is not plainly
-- valid (the driver counts the others).
CREATE FUNCTION sf_batch(ids int[], qs text[], OUT id int, OUT res text) RETURNS SETOF record LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. cardinality(ids) LOOP
        id := ids[i];
        res := sf_run(qs[i]);
        IF res <> 'V' THEN
            RETURN NEXT;
        END IF;
    END LOOP;
END $$;

-- Candidate values of our types (extremes of the seeds' text forms, made by
-- the driver); those the input functions accept become the pool.
CREATE TABLE sf_pool (typ text, n int, v text, PRIMARY KEY (typ, n));
CREATE FUNCTION sf_accepts(typ text, v text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT %L::%s', v, typ);
    RETURN true;
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END $$;

-- Aggregates over hand-made states: the combine and inverse functions called
-- by the executor, which updates states in place (the direct calls above
-- copy them first)
CREATE AGGREGATE sf_hit_merge(bigint[]) (sfunc = hit_ratio_combine, stype = bigint[], initcond = '{0,0}');
CREATE AGGREGATE sf_hit_merge_final(bigint[]) (sfunc = hit_ratio_combine, stype = bigint[], initcond = '{0,0}',
                                               finalfunc = hit_ratio_final);
CREATE AGGREGATE sf_churn_merge(bigint[]) (sfunc = churn_combine, stype = bigint[], initcond = '{0,0,0,0,0,0}');
-- hit_ratio from a state that starts at the edge of the bigint range
CREATE AGGREGATE sf_hit_from_max(boolean) (sfunc = hit_ratio_accum, stype = bigint[],
                                           initcond = '{9223372036854775806,9223372036854775806}', finalfunc = hit_ratio_final,
                                           msfunc = hit_ratio_accum, minvfunc = hit_ratio_accum_inv, mstype = bigint[],
                                           minitcond = '{9223372036854775806,9223372036854775806}', mfinalfunc = hit_ratio_final);
CREATE AGGREGATE sf_hit_from_zero_inv(boolean) (sfunc = hit_ratio_accum_inv, stype = bigint[], initcond = '{0,0}',
                                                finalfunc = hit_ratio_final);
-- a moving window whose inverse removes states merged earlier
CREATE AGGREGATE sf_deal_rollup_win(deal_summary) (sfunc = deal_summary_combine, stype = deal_summary,
                                                   msfunc = deal_summary_combine, minvfunc = deal_summary_combine_inv,
                                                   mstype = deal_summary);
