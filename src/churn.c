/*
 * churn.c - churn_rate and retention_rate (spec section 2.4).
 *
 * Aggregate over customers for a period [p0, p1):
 *   at_start = customers with active_from <= p0 and (active_until IS NULL or
 *              active_until > p0)
 *   churned  = those of them with active_until in (p0, p1]
 *   churn_rate = churned / at_start, retention_rate = 1 - churn_rate.
 * Customers who join and leave inside the period are not in at_start.
 *
 * State: int8[5] = {has_period, p0, p1, at_start, churned} (microseconds).
 * The period is carried in the state so that combining states of different
 * periods is detected instead of silently adding them.
 */
#include "sales_kpi.h"

#include "common/int.h"
#include "utils/array.h"

enum
{
	CH_HAS, CH_P0, CH_P1, CH_START, CH_CHURNED, CH_N
};

static void
churn_check_state(const int64 *c, const char *fname)
{
	if ((c[CH_HAS] != 0 && c[CH_HAS] != 1) || c[CH_START] < 0 || c[CH_CHURNED] < 0 ||
		c[CH_CHURNED] > c[CH_START] ||
		(c[CH_HAS] == 0 && (c[CH_P0] | c[CH_P1] | c[CH_START] | c[CH_CHURNED]) != 0) ||
		(c[CH_HAS] == 1 && c[CH_P0] >= c[CH_P1]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: invalid aggregate state", fname),
				 errdetail("Expected {has_period, p0, p1, at_start, churned} with 0 <= churned <= at_start and p0 < p1.")));
}

static void
churn_period_mismatch(const char *fname)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the period must be the same for every row of a group", fname),
			 errhint("Group by the period, e.g. GROUP BY p0, p1, when computing churn for several periods.")));
}

static Datum
churn_accum_common(FunctionCallInfo fcinfo, bool is_date, const char *fname)
{
	ArrayType  *a = kpi_int8_state(fcinfo, 0, CH_N, true, fname);
	int64	   *c = (int64 *) ARR_DATA_PTR(a);
	int64		(*conv) (Datum, FunctionCallInfo, const char *, const char *) =
		is_date ? kpi_date_usec : kpi_timestamp_usec;
	int64		p0,
				p1,
				from;

	/* no period: the row says nothing about any period */
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_ARRAYTYPE_P(a);
	p0 = conv(PG_GETARG_DATUM(3), fcinfo, fname, "period_start");
	p1 = conv(PG_GETARG_DATUM(4), fcinfo, fname, "period_end");
	if (p0 >= p1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: period_start must be before period_end", kpi_caller(fcinfo, fname)),
				 errhint("The period is [period_start, period_end), e.g. ('2024-01-01', '2024-02-01') for January.")));
	if (c[CH_HAS] == 0)
	{
		c[CH_HAS] = 1;
		c[CH_P0] = p0;
		c[CH_P1] = p1;
	}
	else if (c[CH_P0] != p0 || c[CH_P1] != p1)
		churn_period_mismatch(kpi_caller(fcinfo, fname));

	/* a customer without a start is ignored */
	if (PG_ARGISNULL(1))
		PG_RETURN_ARRAYTYPE_P(a);
	from = conv(PG_GETARG_DATUM(1), fcinfo, fname, "active_from");
	if (PG_ARGISNULL(2))
	{
		if (from <= p0)
			c[CH_START]++;
	}
	else
	{
		int64		until = conv(PG_GETARG_DATUM(2), fcinfo, fname, "active_until");

		if (until < from)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: active_until must not be before active_from", kpi_caller(fcinfo, fname)),
					 errhint("Fix the customer's dates; use NULL as active_until for a customer who is still active.")));
		if (from <= p0 && until > p0)
		{
			c[CH_START]++;
			if (until <= p1)
				c[CH_CHURNED]++;
		}
	}
	PG_RETURN_ARRAYTYPE_P(a);
}

PG_FUNCTION_INFO_V1(churn_accum);
PG_FUNCTION_INFO_V1(churn_accum_date);
PG_FUNCTION_INFO_V1(churn_combine);
PG_FUNCTION_INFO_V1(churn_rate_final);
PG_FUNCTION_INFO_V1(retention_rate_final);

Datum
churn_accum(PG_FUNCTION_ARGS)
{
	return churn_accum_common(fcinfo, false, "churn_rate");
}

Datum
churn_accum_date(PG_FUNCTION_ARGS)
{
	return churn_accum_common(fcinfo, true, "churn_rate");
}

Datum
churn_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *a = kpi_int8_state(fcinfo, 0, CH_N, true, "churn_combine");
	ArrayType  *b = kpi_int8_state(fcinfo, 1, CH_N, false, "churn_combine");
	int64	   *ca = (int64 *) ARR_DATA_PTR(a);
	int64	   *cb = (int64 *) ARR_DATA_PTR(b);

	churn_check_state(ca, "churn_combine");
	churn_check_state(cb, "churn_combine");
	if (cb[CH_HAS] == 0)
		PG_RETURN_ARRAYTYPE_P(a);
	if (ca[CH_HAS] == 0)
	{
		ca[CH_HAS] = 1;
		ca[CH_P0] = cb[CH_P0];
		ca[CH_P1] = cb[CH_P1];
	}
	else if (ca[CH_P0] != cb[CH_P0] || ca[CH_P1] != cb[CH_P1])
		churn_period_mismatch("churn_combine");
	if (pg_add_s64_overflow(ca[CH_START], cb[CH_START], &ca[CH_START]) ||
		pg_add_s64_overflow(ca[CH_CHURNED], cb[CH_CHURNED], &ca[CH_CHURNED]))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("churn_combine: count out of range")));
	PG_RETURN_ARRAYTYPE_P(a);
}

static bool
churn_ratio(FunctionCallInfo fcinfo, const char *fname, double *r)
{
	ArrayType  *a = kpi_int8_state(fcinfo, 0, CH_N, false, fname);
	int64	   *c = (int64 *) ARR_DATA_PTR(a);

	churn_check_state(c, fname);
	if (c[CH_START] == 0)
		return false;
	*r = (double) c[CH_CHURNED] / (double) c[CH_START];
	return true;
}

Datum
churn_rate_final(PG_FUNCTION_ARGS)
{
	double		r;

	if (!churn_ratio(fcinfo, "churn_rate", &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r);
}

Datum
retention_rate_final(PG_FUNCTION_ARGS)
{
	double		r;
	ArrayType  *a;
	int64	   *c;

	if (!churn_ratio(fcinfo, "retention_rate", &r))
		PG_RETURN_NULL();
	/* computed from counts, not as 1 - r, so it is exact to the last bit */
	a = kpi_int8_state(fcinfo, 0, CH_N, false, "retention_rate");
	c = (int64 *) ARR_DATA_PTR(a);
	PG_RETURN_FLOAT8((double) (c[CH_START] - c[CH_CHURNED]) / (double) c[CH_START]);
}

/* ---- the seeds' scalar forms on counts ---- */

static bool
churn_counts(FunctionCallInfo fcinfo, const char *fname, int64 *start, int64 *retained)
{
	int64		s = PG_GETARG_INT64(0);
	int64		e = PG_GETARG_INT64(1);
	int64		n = PG_GETARG_INT64(2);

	if (s < 0 || e < 0 || n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: customer counts must not be negative, got customers_start=" INT64_FORMAT
						", customers_end=" INT64_FORMAT ", customers_new=" INT64_FORMAT, fname, s, e, n)));
	if (n > e || e - n > s)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: inconsistent customer counts: customers_start=" INT64_FORMAT
						", customers_end=" INT64_FORMAT ", customers_new=" INT64_FORMAT, fname, s, e, n),
				 errdetail("Retained customers (customers_end - customers_new) must be between 0 and customers_start."),
				 errhint("customers_new counts the customers gained in the period who are still there at its end.")));
	if (s == 0)
		return false;
	*start = s;
	*retained = e - n;
	return true;
}

PG_FUNCTION_INFO_V1(churn_rate_counts);
PG_FUNCTION_INFO_V1(retention_rate_counts);

Datum
churn_rate_counts(PG_FUNCTION_ARGS)
{
	int64		s,
				r;

	if (!churn_counts(fcinfo, "churn_rate", &s, &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) (s - r) / (double) s);
}

Datum
retention_rate_counts(PG_FUNCTION_ARGS)
{
	int64		s,
				r;

	if (!churn_counts(fcinfo, "retention_rate", &s, &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) r / (double) s);
}
