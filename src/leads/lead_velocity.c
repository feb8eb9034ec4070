/*
 * lead_velocity.c - lead velocity rate and revenue per lead (spec 2.3).
 *
 *   lead_velocity_rate(current bigint, previous bigint)     scalar
 *   lead_velocity_rate(qualified_at, period, period_end)    aggregate
 *   revenue_per_lead(revenue numeric, leads bigint)         scalar
 *
 * Lead velocity rate = (qualified leads in the last complete period - in the
 * period before) / (the period before); previous period 0 -> NULL.  The
 * aggregate counts qualified_at in [period_end - period, period_end)
 * (current) and [period_end - 2 * period, period_end - period) (previous),
 * with calendar arithmetic (period_end - interval '1 month' is the same day a
 * month earlier, as in SQL); other rows and NULL qualified_at are ignored.
 *
 * State int8[9] = {kind, end, months, days, usecs, b_cur, b_prev, current,
 * previous}: kind 0 (no row yet, all zeros) or the TimeKind; end, b_cur,
 * b_prev in microseconds; months/days/usecs the period.  The boundaries are
 * computed once, from the first row, and every row and every merged state
 * must have the same period and end.  Counts are invertible: moving windows.
 */
#include "kpi/kpi.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

enum
{
	LV_KIND, LV_END, LV_MONTHS, LV_DAYS, LV_USECS, LV_BCUR, LV_BPREV, LV_CUR, LV_PREV, LV_N
};

static const char *
lv_rules(const int64 *c)
{
	if (c[LV_KIND] == 0)
	{
		for (int i = 1; i < LV_N; i++)
			if (c[i] != 0)
				return "A state without rows must be all zeros.";
		return NULL;
	}
	if (c[LV_KIND] < TIME_DATE || c[LV_KIND] > TIME_TIMESTAMPTZ)
		return psprintf("Unknown time kind " INT64_FORMAT ".", c[LV_KIND]);
	if (c[LV_MONTHS] < PG_INT32_MIN || c[LV_MONTHS] > PG_INT32_MAX ||
		c[LV_DAYS] < PG_INT32_MIN || c[LV_DAYS] > PG_INT32_MAX)
		return "The period's months and days must fit in integer.";
	if (!(c[LV_BPREV] < c[LV_BCUR] && c[LV_BCUR] < c[LV_END]))
		return "The period boundaries must satisfy previous start < current start < end.";
	if (c[LV_CUR] < 0 || c[LV_PREV] < 0)
		return "Counts must be non-negative.";
	return NULL;
}

static int64
lv_minus(int64 end, TimeKind kind, const Interval *iv)
{
	Datum		r;

	if (kind == TIME_TIMESTAMPTZ)
		r = DirectFunctionCall2(timestamptz_mi_interval, Int64GetDatum(end), IntervalPGetDatum(iv));
	else
		r = DirectFunctionCall2(timestamp_mi_interval, Int64GetDatum(end), IntervalPGetDatum(iv));
	return DatumGetInt64(r);
}

/* (state, qualified_at, period, period_end), sign 1 add, -1 remove */
static Datum
lv_step(FunctionCallInfo fcinfo, TimeKind kind, int sign)
{
	const char *fname = "lead_velocity_rate";
	ArrayType  *a;
	int64	   *c;
	Interval   *iv;
	int64		end,
				t;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: period and period_end must not be NULL", fname),
				 errhint("Pass e.g. interval '1 month' and the end of the last complete month, date_trunc('month', now()).")));
	/* the aggregate starts from its initcond: a NULL state is a hand-made call */
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: invalid aggregate state", fname),
				 errdetail("The state is NULL.")));
	a = kpi_int8_state(fcinfo, 0, LV_N, true, lv_rules, fname);
	c = (int64 *) ARR_DATA_PTR(a);
	if (PG_ARGISNULL(1))
		PG_RETURN_ARRAYTYPE_P(a);
	iv = PG_GETARG_INTERVAL_P(2);
	end = kpi_time_usec(PG_GETARG_DATUM(3), kind, fcinfo, fname, "period_end");
	if (c[LV_KIND] == 0)
	{
		Interval	twice;

		(void) kpi_interval_usec(PG_GETARG_DATUM(2), fname, "period");
		if (iv->month < 0 || iv->day < 0 || iv->time < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: period must have no negative part, got %s", fname,
							DatumGetCString(DirectFunctionCall1(interval_out, PG_GETARG_DATUM(2)))),
					 errhint("Pass the length of one period, e.g. interval '1 month'.")));
		if (pg_mul_s32_overflow(iv->month, 2, &twice.month) ||
			pg_mul_s32_overflow(iv->day, 2, &twice.day) ||
			pg_mul_s64_overflow(iv->time, 2, &twice.time))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("%s: period out of range", fname)));
		c[LV_KIND] = kind;
		c[LV_END] = end;
		c[LV_MONTHS] = iv->month;
		c[LV_DAYS] = iv->day;
		c[LV_USECS] = iv->time;
		c[LV_BCUR] = lv_minus(end, kind, iv);
		c[LV_BPREV] = lv_minus(end, kind, &twice);
		if (!(c[LV_BPREV] < c[LV_BCUR] && c[LV_BCUR] < c[LV_END]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the period gives empty periods before period_end", fname)));
	}
	else if (c[LV_KIND] != kind || c[LV_END] != end || c[LV_MONTHS] != iv->month ||
			 c[LV_DAYS] != iv->day || c[LV_USECS] != iv->time)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: period and period_end must be the same for every row", fname),
				 errhint("Pass constants, e.g. interval '1 month' and date_trunc('month', now()).")));
	t = kpi_time_usec(PG_GETARG_DATUM(1), kind, fcinfo, fname, "qualified_at");
	if (t >= c[LV_BPREV] && t < c[LV_END])
	{
		int			i = t >= c[LV_BCUR] ? LV_CUR : LV_PREV;

		if (sign < 0 && c[i] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lead_velocity_rate_accum_inv: state would become negative")));
		if (sign > 0 && c[i] == PG_INT64_MAX)
			kpi_count_overflow(fname, NULL);
		c[i] += sign;
	}
	PG_RETURN_ARRAYTYPE_P(a);
}

KPI_FUNCTION(lead_velocity_accum_tz, lv_step, TIME_TIMESTAMPTZ, 1);
KPI_FUNCTION(lead_velocity_accum_ts, lv_step, TIME_TIMESTAMP, 1);
KPI_FUNCTION(lead_velocity_accum_date, lv_step, TIME_DATE, 1);
KPI_FUNCTION(lead_velocity_accum_tz_inv, lv_step, TIME_TIMESTAMPTZ, -1);
KPI_FUNCTION(lead_velocity_accum_ts_inv, lv_step, TIME_TIMESTAMP, -1);
KPI_FUNCTION(lead_velocity_accum_date_inv, lv_step, TIME_DATE, -1);

PG_FUNCTION_INFO_V1(lead_velocity_combine);
Datum
lead_velocity_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "lead_velocity_combine";
	ArrayType  *a = kpi_int8_state(fcinfo, 0, LV_N, true, lv_rules, fname);
	ArrayType  *b = kpi_int8_state(fcinfo, 1, LV_N, false, lv_rules, fname);
	int64	   *ca = (int64 *) ARR_DATA_PTR(a);
	int64	   *cb = (int64 *) ARR_DATA_PTR(b);

	if (cb[LV_KIND] == 0)
		PG_RETURN_ARRAYTYPE_P(a);
	if (ca[LV_KIND] == 0)
	{
		memcpy(ca, cb, sizeof(int64) * LV_N);
		PG_RETURN_ARRAYTYPE_P(a);
	}
	for (int i = 0; i < LV_CUR; i++)
		if (ca[i] != cb[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: states of different periods cannot be merged", fname)));
	if (pg_add_s64_overflow(ca[LV_CUR], cb[LV_CUR], &ca[LV_CUR]) ||
		pg_add_s64_overflow(ca[LV_PREV], cb[LV_PREV], &ca[LV_PREV]))
		kpi_count_overflow(fname, NULL);
	PG_RETURN_ARRAYTYPE_P(a);
}

static bool
lv_rate(int64 current, int64 previous, double *out)
{
	if (previous == 0)
		return false;
	*out = ((double) current - (double) previous) / (double) previous;
	return true;
}

PG_FUNCTION_INFO_V1(lead_velocity_final);
Datum
lead_velocity_final(PG_FUNCTION_ARGS)
{
	ArrayType  *a = kpi_int8_state(fcinfo, 0, LV_N, false, lv_rules, "lead_velocity_final");
	int64	   *c = (int64 *) ARR_DATA_PTR(a);
	double		r;

	if (c[LV_KIND] == 0 || !lv_rate(c[LV_CUR], c[LV_PREV], &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r);
}

PG_FUNCTION_INFO_V1(lead_velocity_rate_counts);
Datum
lead_velocity_rate_counts(PG_FUNCTION_ARGS)
{
	int64		cur = PG_GETARG_INT64(0);
	int64		prev = PG_GETARG_INT64(1);
	double		r;

	if (cur < 0 || prev < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lead_velocity_rate: counts must be non-negative, got current = " INT64_FORMAT
						" and previous = " INT64_FORMAT, cur, prev)));
	if (!lv_rate(cur, prev, &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r);
}

/* revenue / leads, exact as numeric division (avg's rule); NULL when leads = 0 */
PG_FUNCTION_INFO_V1(revenue_per_lead);
Datum
revenue_per_lead(PG_FUNCTION_ARGS)
{
	int128		v;
	int			scale;
	int64		n = PG_GETARG_INT64(1);

	kpi_numeric_decode(PG_GETARG_DATUM(0), fcinfo, "revenue_per_lead", "revenue", &v, &scale);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revenue_per_lead: leads must be non-negative, got " INT64_FORMAT, n)));
	if (n == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(kpi_money_avg(v, scale, n));
}
