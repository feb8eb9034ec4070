/*
 * targets.c - targets, pacing and forecast (spec section 2.5).
 *
 *   attainment(actual, target)                       actual / target
 *   period_elapsed(start, end, as_of [, weights])    expected share of the period's target by as_of
 *   pacing(actual, target, start, end, as_of [, weights])
 *                                                    projected attainment at the end of the period
 *   split_target(annual [, weights])                 rows (month, target), exact, summing to annual
 *   pipeline_coverage(open_pipeline, remaining_target)
 *   open_at(created, closed, as_of)                  was the deal open at as_of?
 *
 * Weights are numeric[]: one per calendar month of the period (pacing,
 * period_elapsed: the period must be exactly that many months from its
 * start) or per part of the split; none negative, their sum positive.
 */
#include "kpi/kpi.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#define TARGETS_MAX_PARTS 1000

/* a time argument as text, for messages */
static char *
targets_time_text(Datum d, TimeKind kind)
{
	if (kind == TIME_DATE)
		return DatumGetCString(DirectFunctionCall1(date_out, d));
	if (kind == TIME_TIMESTAMP)
		return DatumGetCString(DirectFunctionCall1(timestamp_out, d));
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, d));
}

/* the weights argument: n >= 1 non-negative numerics with a positive sum, exact */
static int
targets_weights(ArrayType *a, const char *fname, int128 **out, int *out_scale)
{
	Datum	   *el;
	bool	   *nulls;
	int			n;
	int128	   *w;
	int		   *sc;
	int			maxsc = 0;
	int128		sum = 0;

	deconstruct_array(a, NUMERICOID, -1, false, TYPALIGN_INT, &el, &nulls, &n);
	if (ARR_NDIM(a) > 1 || n < 1 || n > TARGETS_MAX_PARTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: weights must be a one-dimensional array of 1 to %d elements, got %d",
						fname, TARGETS_MAX_PARTS, n),
				 errhint("Pass one weight per month, e.g. ARRAY[8,8,9,9,8,7,6,6,9,10,10,10].")));
	w = palloc(sizeof(int128) * n);
	sc = palloc(sizeof(int) * n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: weight %d is NULL", fname, i + 1),
					 errhint("Give every month a weight (0 for a month without target).")));
		kpi_numeric_nonneg(el[i], NULL, fname, "a weight",
						   "Weights must be 0 or positive, e.g. ARRAY[1,1,2] gives the last month twice the others.",
						   &w[i], &sc[i]);
		maxsc = Max(maxsc, sc[i]);
	}
	for (int i = 0; i < n; i++)
	{
		w[i] = kpi_rescale(w[i], sc[i], maxsc);
		sum = kpi_add128(sum, w[i]);
	}
	if (sum == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: weights sum to 0", fname),
				 errhint("Give at least one month a positive weight.")));
	*out = w;
	*out_scale = maxsc;
	return n;
}

/* t + months calendar months, in microseconds of the same kind */
static int64
targets_plus_months(int64 t, TimeKind kind, int months)
{
	Interval	iv;

	memset(&iv, 0, sizeof(iv));
	iv.month = months;
	if (kind == TIME_TIMESTAMPTZ)
		return DatumGetInt64(DirectFunctionCall2(timestamptz_pl_interval, Int64GetDatum(t), IntervalPGetDatum(&iv)));
	return DatumGetInt64(DirectFunctionCall2(timestamp_pl_interval, Int64GetDatum(t), IntervalPGetDatum(&iv)));
}

/*
 * The share of the period [start, end) elapsed at as_of: linear in time, or
 * with weights by calendar month (the months before as_of's with their
 * weights, as_of's month linearly).  Arguments 0, 1, 2 of fcinfo from
 * argument first on; weights argument wargno (or -1).
 */
static double
targets_elapsed(FunctionCallInfo fcinfo, int first, int wargno, TimeKind kind, const char *fname)
{
	int64		s = kpi_time_usec(PG_GETARG_DATUM(first), kind, fcinfo, fname, "period_start");
	int64		e = kpi_time_usec(PG_GETARG_DATUM(first + 1), kind, fcinfo, fname, "period_end");
	int64		t = kpi_time_usec(PG_GETARG_DATUM(first + 2), kind, fcinfo, fname, "as_of");
	int128	   *w;
	int			wsc,
				n;
	int128		before = 0,
				total = 0;
	int64		lo,
				hi;

	if (s >= e)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: period_end must be after period_start", fname),
				 errdetail("The period runs from %s to %s.", targets_time_text(PG_GETARG_DATUM(first), kind),
						   targets_time_text(PG_GETARG_DATUM(first + 1), kind))));
	if (t < s || t > e)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: as_of %s is outside the period", fname, targets_time_text(PG_GETARG_DATUM(first + 2), kind)),
				 errdetail("The period runs from %s to %s.", targets_time_text(PG_GETARG_DATUM(first), kind),
						   targets_time_text(PG_GETARG_DATUM(first + 1), kind)),
				 errhint("Pass an as_of between period_start and period_end, e.g. LEAST(now(), period_end).")));
	if (wargno < 0)
		/* in int128: e - s passes the int64 range for periods of ~292,000 years */
		return (double) ((int128) t - s) / (double) ((int128) e - s);

	n = targets_weights(PG_GETARG_ARRAYTYPE_P(wargno), fname, &w, &wsc);
	if (targets_plus_months(s, kind, n) != e)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %d weights need a period of exactly %d months", fname, n, n),
				 errdetail("The period runs from %s to %s.", targets_time_text(PG_GETARG_DATUM(first), kind),
						   targets_time_text(PG_GETARG_DATUM(first + 1), kind)),
				 errhint("Pass one weight per calendar month of the period, with period_end = period_start + n months.")));
	for (int i = 0; i < n; i++)
		total += w[i];
	if (t == e)
		return 1.0;
	lo = s;
	for (int i = 0; i < n; i++)
	{
		hi = targets_plus_months(s, kind, i + 1);
		if (t < hi)
			return ((double) before + (double) w[i] * ((double) ((int128) t - lo) / (double) ((int128) hi - lo))) /
				(double) total;
		before += w[i];
		lo = hi;
	}
	return 1.0;
}

/* a target argument as a double: NULL (false) when 0, error when negative */
static bool
targets_target(FunctionCallInfo fcinfo, int argno, const char *fname, double *out)
{
	int128		v;
	int			sc;

	kpi_numeric_nonneg(PG_GETARG_DATUM(argno), fcinfo, fname, "target",
					   "A target is 0 or positive; leave rows without a target out with WHERE target > 0.", &v, &sc);
	if (v == 0)
		return false;
	*out = kpi_money_double(v, sc);
	return true;
}

static double
targets_amount(FunctionCallInfo fcinfo, int argno, const char *fname, const char *argname)
{
	int128		v;
	int			sc;

	kpi_numeric_decode(PG_GETARG_DATUM(argno), fcinfo, fname, argname, &v, &sc);
	return kpi_money_double(v, sc);
}

/* attainment(actual, target): actual / target; NULL when target = 0 */
PG_FUNCTION_INFO_V1(targets_attainment);
Datum
targets_attainment(PG_FUNCTION_ARGS)
{
	double		target;
	double		actual = targets_amount(fcinfo, 0, "attainment", "actual");

	if (!targets_target(fcinfo, 1, "attainment", &target))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(actual / target);
}

/* period_elapsed(start, end, as_of [, weights]) */
static Datum
targets_period_elapsed(FunctionCallInfo fcinfo, TimeKind kind, bool weighted)
{
	PG_RETURN_FLOAT8(targets_elapsed(fcinfo, 0, weighted ? 3 : -1, kind, "period_elapsed"));
}

KPI_FUNCTION(period_elapsed_tz, targets_period_elapsed, TIME_TIMESTAMPTZ, false);
KPI_FUNCTION(period_elapsed_ts, targets_period_elapsed, TIME_TIMESTAMP, false);
KPI_FUNCTION(period_elapsed_date, targets_period_elapsed, TIME_DATE, false);
KPI_FUNCTION(period_elapsed_w_tz, targets_period_elapsed, TIME_TIMESTAMPTZ, true);
KPI_FUNCTION(period_elapsed_w_ts, targets_period_elapsed, TIME_TIMESTAMP, true);
KPI_FUNCTION(period_elapsed_w_date, targets_period_elapsed, TIME_DATE, true);

/*
 * pacing(actual, target, start, end, as_of [, weights]): the attainment at
 * the end of the period if the run rate so far continues, actual / elapsed /
 * target; NULL when nothing of the period has elapsed or target = 0.
 */
static Datum
targets_pacing(FunctionCallInfo fcinfo, TimeKind kind, bool weighted)
{
	const char *fname = "pacing";
	double		actual = targets_amount(fcinfo, 0, fname, "actual");
	double		target;
	bool		has_target = targets_target(fcinfo, 1, fname, &target);
	double		elapsed = targets_elapsed(fcinfo, 2, weighted ? 5 : -1, kind, fname);

	if (!has_target || elapsed <= 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(actual / elapsed / target);
}

KPI_FUNCTION(pacing_tz, targets_pacing, TIME_TIMESTAMPTZ, false);
KPI_FUNCTION(pacing_ts, targets_pacing, TIME_TIMESTAMP, false);
KPI_FUNCTION(pacing_date, targets_pacing, TIME_DATE, false);
KPI_FUNCTION(pacing_w_tz, targets_pacing, TIME_TIMESTAMPTZ, true);
KPI_FUNCTION(pacing_w_ts, targets_pacing, TIME_TIMESTAMP, true);
KPI_FUNCTION(pacing_w_date, targets_pacing, TIME_DATE, true);

/*
 * split_target(annual [, weights]): rows (month, target), month 1..n, the
 * targets at the annual target's display scale, proportional to the weights
 * (default 12 equal), by the largest remainder: every month gets the floor
 * of its exact share in units of that scale, and the units left over go one
 * each to the months with the largest remainders (ties: the earlier month).
 * The months sum exactly to the annual target.
 */
PG_FUNCTION_INFO_V1(split_target);
Datum
split_target(PG_FUNCTION_ARGS)
{
	const char *fname = "split_target";
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int128		v;
	int			scale;
	int128	   *w;
	int			wsc;
	int			n;
	int128		W = 0,
				left;
	int128	   *q;
	int128	   *rem;
	bool	   *extra;

	kpi_numeric_nonneg(PG_GETARG_DATUM(0), fcinfo, fname, "annual",
					   "A target is 0 or positive.", &v, &scale);
	if (PG_NARGS() > 1)
		n = targets_weights(PG_GETARG_ARRAYTYPE_P(1), fname, &w, &wsc);
	else
	{
		n = 12;
		w = palloc(sizeof(int128) * n);
		for (int i = 0; i < n; i++)
			w[i] = 1;
	}
	for (int i = 0; i < n; i++)
		W += w[i];
	q = palloc(sizeof(int128) * n);
	rem = palloc(sizeof(int128) * n);
	extra = palloc0(sizeof(bool) * n);
	left = v;
	for (int i = 0; i < n; i++)
	{
		int128		p;

		if (__builtin_mul_overflow(v, w[i], &p))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s: annual target times a weight is out of range", fname),
					 errhint("Use weights with fewer digits, e.g. percentages rounded to 0.01.")));
		q[i] = p / W;
		rem[i] = p % W;
		left -= q[i];
	}
	/* 0 <= left < n: give one unit each to the largest remainders */
	for (int128 k = 0; k < left; k++)
	{
		int			best = -1;

		for (int i = 0; i < n; i++)
			if (!extra[i] && (best < 0 || rem[i] > rem[best]))
				best = i;
		extra[best] = true;
		q[best] += 1;
	}
	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < n; i++)
	{
		Datum		vals[2];
		bool		nulls[2] = {false, false};

		vals[0] = Int32GetDatum(i + 1);
		vals[1] = kpi_money_numeric(q[i], scale);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, vals, nulls);
	}
	return (Datum) 0;
}

/* pipeline_coverage(open, remaining): open / remaining; NULL when remaining <= 0 (met) */
PG_FUNCTION_INFO_V1(pipeline_coverage);
Datum
pipeline_coverage(PG_FUNCTION_ARGS)
{
	int128		o,
				r;
	int			so,
				sr;

	kpi_numeric_nonneg(PG_GETARG_DATUM(0), fcinfo, "pipeline_coverage", "open_pipeline",
					   "The open pipeline is a sum of open amounts; leave negative amounts out with WHERE amount >= 0.", &o, &so);
	kpi_numeric_decode(PG_GETARG_DATUM(1), fcinfo, "pipeline_coverage", "remaining_target", &r, &sr);
	if (r <= 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(kpi_money_double(o, so) / kpi_money_double(r, sr));
}

/*
 * open_at(created, closed, as_of): created <= as_of and (closed IS NULL or
 * closed > as_of).  NULL when created or as_of is NULL.  closed before
 * created is an error, or NULL (left out) with sales_kpi.invalid_rows = skip.
 */
static Datum
targets_open_at(FunctionCallInfo fcinfo, TimeKind kind)
{
	const char *fname = "open_at";
	int64		c,
				a,
				x;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	c = kpi_time_usec(PG_GETARG_DATUM(0), kind, fcinfo, fname, "created");
	a = kpi_time_usec(PG_GETARG_DATUM(2), kind, fcinfo, fname, "as_of");
	if (PG_ARGISNULL(1))
		PG_RETURN_BOOL(c <= a);
	x = kpi_time_usec(PG_GETARG_DATUM(1), kind, fcinfo, fname, "closed");
	if (x < c)
	{
		if (kpi_invalid_rows == KPI_INVALID_SKIP)
			PG_RETURN_NULL();
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: closed is before created", fname),
				 errdetail("A deal created at %s was closed at %s.", targets_time_text(PG_GETARG_DATUM(0), kind),
						   targets_time_text(PG_GETARG_DATUM(1), kind)),
				 errhint("Leave such rows out with WHERE closed_at IS NULL OR closed_at >= created_at, "
						 "or SET sales_kpi.invalid_rows = 'skip' (open_at is then NULL for them).")));
	}
	PG_RETURN_BOOL(c <= a && x > a);
}

KPI_FUNCTION(open_at_tz, targets_open_at, TIME_TIMESTAMPTZ);
KPI_FUNCTION(open_at_ts, targets_open_at, TIME_TIMESTAMP);
KPI_FUNCTION(open_at_date, targets_open_at, TIME_DATE);
