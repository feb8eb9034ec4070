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
 * State: int8[6] = {has_period, p0, p1, at_start, churned, skipped}
 * (microseconds; skipped: rows with active_until before active_from left
 * out under sales_kpi.invalid_rows = skip).  0.1.0's state had the first
 * five: such a state (a database between installing this library and ALTER
 * EXTENSION UPDATE) is read as one with skipped = 0.
 * The period is carried in the state so that combining states of different
 * periods is detected instead of silently adding them.
 */
#include "kpi/kpi.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

enum
{
	CH_HAS, CH_P0, CH_P1, CH_START, CH_CHURNED, CH_SKIPPED, CH_N
};

#define CH_N_V1 CH_SKIPPED		/* the elements of 0.1.0's state */

/*
 * The rules of a churn state (NULL when it keeps them): has_period is 0 or 1;
 * without a period everything is 0 (no row without a period counts); with
 * one, [p0, p1) is a non-empty range of timestamps and 0 <= churned <=
 * at_start.
 */
static const char *
churn_rules(const int64 *c)
{
	if (c[CH_HAS] != 0 && c[CH_HAS] != 1)
		return psprintf("has_period must be 0 or 1, got " INT64_FORMAT ".", c[CH_HAS]);
	if (c[CH_HAS] == 0)
	{
		if (c[CH_P0] != 0 || c[CH_P1] != 0 || c[CH_START] != 0 || c[CH_CHURNED] != 0)
			return psprintf("A state without a period must be all zeros, got p0 = " INT64_FORMAT ", p1 = " INT64_FORMAT
							", at_start = " INT64_FORMAT ", churned = " INT64_FORMAT ".",
							c[CH_P0], c[CH_P1], c[CH_START], c[CH_CHURNED]);
		return NULL;
	}
	if (!IS_VALID_TIMESTAMP(c[CH_P0]) || !IS_VALID_TIMESTAMP(c[CH_P1]) || c[CH_P0] >= c[CH_P1])
		return psprintf("The period must be microseconds p0 < p1 within the timestamp range, got p0 = " INT64_FORMAT
						", p1 = " INT64_FORMAT ".", c[CH_P0], c[CH_P1]);
	if (c[CH_START] < 0 || c[CH_CHURNED] < 0 || c[CH_CHURNED] > c[CH_START])
		return psprintf("Counts must satisfy 0 <= churned <= at_start, got at_start = " INT64_FORMAT
						", churned = " INT64_FORMAT ".", c[CH_START], c[CH_CHURNED]);
	return NULL;
}

/* the rules of the current state: those of 0.1.0's, and skipped */
static const char *
churn_rules_v2(const int64 *c)
{
	const char *broken = churn_rules(c);

	if (broken)
		return broken;
	if (c[CH_SKIPPED] < 0 || (c[CH_HAS] == 0 && c[CH_SKIPPED] != 0))
		return psprintf("skipped must be non-negative (0 without a period), got " INT64_FORMAT ".", c[CH_SKIPPED]);
	return NULL;
}

/*
 * The churn state argument argno, checked: a 0.1.0 state of five elements
 * comes back as a new state of six (skipped 0).
 */
static ArrayType *
churn_state(FunctionCallInfo fcinfo, int argno, bool inplace, const char *fname)
{
	ArrayType  *raw;

	/*
	 * The transition functions are not strict (a row with NULL arguments is
	 * still read), so a direct call can pass a NULL state: the aggregates
	 * never do (their initcond is set).
	 */
	if (PG_ARGISNULL(argno))
		kpi_bad_state(fname, "The state must not be NULL.");
	raw = PG_GETARG_ARRAYTYPE_P(argno);

	if (ARR_NDIM(raw) == 1 && ARR_DIMS(raw)[0] == CH_N_V1)
	{
		ArrayType  *old = kpi_int8_state(fcinfo, argno, CH_N_V1, false, churn_rules, fname);
		const int64 *c = (const int64 *) ARR_DATA_PTR(old);
		Datum		d[CH_N];

		for (int i = 0; i < CH_N_V1; i++)
			d[i] = Int64GetDatum(c[i]);
		d[CH_SKIPPED] = Int64GetDatum(0);
		return construct_array(d, CH_N, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	}
	return kpi_int8_state(fcinfo, argno, CH_N, inplace, churn_rules_v2, fname);
}

static void
churn_period_mismatch(const char *fname)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the period must be the same for every row of a group", fname),
			 errhint("Group by the period, e.g. GROUP BY p0, p1, when computing churn for several periods.")));
}

/* (state, active_from, active_until, period_start, period_end) */
static Datum
churn_accum_common(FunctionCallInfo fcinfo, TimeKind kind, const char *fname)
{
	ArrayType  *a = churn_state(fcinfo, 0, true, fname);
	int64	   *c = (int64 *) ARR_DATA_PTR(a);
	int64		p0,
				p1,
				from;
	bool		active_at_start;
	bool		churned = false;

	/* no period: the row says nothing about any period */
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_ARRAYTYPE_P(a);
	p0 = kpi_time_usec(PG_GETARG_DATUM(3), kind, fcinfo, fname, "period_start");
	p1 = kpi_time_usec(PG_GETARG_DATUM(4), kind, fcinfo, fname, "period_end");
	if (p0 >= p1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: period_start must be before period_end", fname),
				 errhint("The period is [period_start, period_end), e.g. ('2024-01-01', '2024-02-01') for January.")));
	if (c[CH_HAS] == 0)
	{
		c[CH_HAS] = 1;
		c[CH_P0] = p0;
		c[CH_P1] = p1;
	}
	else if (c[CH_P0] != p0 || c[CH_P1] != p1)
		churn_period_mismatch(fname);

	/* a customer without a start is ignored */
	if (PG_ARGISNULL(1))
		PG_RETURN_ARRAYTYPE_P(a);
	from = kpi_time_usec(PG_GETARG_DATUM(1), kind, fcinfo, fname, "active_from");
	if (PG_ARGISNULL(2))
		active_at_start = from <= p0;
	else
	{
		int64		until = kpi_time_usec(PG_GETARG_DATUM(2), kind, fcinfo, fname, "active_until");

		if (until < from)
		{
			if (kpi_invalid_rows == KPI_INVALID_SKIP)
			{
				/* skipped <= rows with a period: fits as at_start does */
				if (c[CH_SKIPPED] == PG_INT64_MAX)
					kpi_count_overflow(fname, "skipped would exceed the bigint range.");
				c[CH_SKIPPED]++;
				PG_RETURN_ARRAYTYPE_P(a);
			}
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: active_until must not be before active_from", fname),
					 errdetail("A customer has active_from = %s and active_until = %s.",
							   DatumGetCString(DirectFunctionCall1(kind == TIME_DATE ? date_out : timestamp_out,
																   PG_GETARG_DATUM(1))),
							   DatumGetCString(DirectFunctionCall1(kind == TIME_DATE ? date_out : timestamp_out,
																   PG_GETARG_DATUM(2)))),
					 errhint("Add WHERE active_until IS NULL OR active_until >= active_from (your column names) to leave such "
							 "customers out, fix their dates, or SET sales_kpi.invalid_rows = 'skip' to leave them out and count them.")));
		}
		active_at_start = from <= p0 && until > p0;
		churned = active_at_start && until <= p1;
	}
	if (active_at_start)
	{
		/* churned <= at_start: if at_start can take one more, so can churned */
		if (c[CH_START] == PG_INT64_MAX)
			kpi_count_overflow(fname, "at_start would exceed the bigint range.");
		c[CH_START]++;
		if (churned)
			c[CH_CHURNED]++;
	}
	PG_RETURN_ARRAYTYPE_P(a);
}

/* timestamp and timestamptz share one C function (both are int64 microseconds) */
KPI_FUNCTION(churn_accum, churn_accum_common, TIME_TIMESTAMP, "churn_rate");
KPI_FUNCTION(churn_accum_date, churn_accum_common, TIME_DATE, "churn_rate");
KPI_FUNCTION(retention_accum, churn_accum_common, TIME_TIMESTAMP, "retention_rate");
KPI_FUNCTION(retention_accum_date, churn_accum_common, TIME_DATE, "retention_rate");
KPI_FUNCTION(churn_skipped_accum, churn_accum_common, TIME_TIMESTAMP, "churn_skipped_rows");
KPI_FUNCTION(churn_skipped_accum_date, churn_accum_common, TIME_DATE, "churn_skipped_rows");

PG_FUNCTION_INFO_V1(churn_combine);
PG_FUNCTION_INFO_V1(churn_rate_final);
PG_FUNCTION_INFO_V1(retention_rate_final);

Datum
churn_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "churn_combine";
	ArrayType  *a = churn_state(fcinfo, 0, true, fname);
	ArrayType  *b = churn_state(fcinfo, 1, false, fname);
	int64	   *ca = (int64 *) ARR_DATA_PTR(a);
	int64	   *cb = (int64 *) ARR_DATA_PTR(b);
	int64		start,
				churned,
				skipped;

	if (cb[CH_HAS] == 0)
		PG_RETURN_ARRAYTYPE_P(a);
	if (ca[CH_HAS] != 0 && (ca[CH_P0] != cb[CH_P0] || ca[CH_P1] != cb[CH_P1]))
		churn_period_mismatch(fname);
	/* churned <= at_start in both: if the at_start sum fits, so does churned's */
	if (pg_add_s64_overflow(ca[CH_START], cb[CH_START], &start))
		kpi_count_overflow(fname,
						   psprintf("at_start " INT64_FORMAT " + " INT64_FORMAT " would exceed the bigint range.",
									ca[CH_START], cb[CH_START]));
	churned = ca[CH_CHURNED] + cb[CH_CHURNED];
	if (pg_add_s64_overflow(ca[CH_SKIPPED], cb[CH_SKIPPED], &skipped))
		kpi_count_overflow(fname, "skipped would exceed the bigint range.");
	ca[CH_SKIPPED] = skipped;
	ca[CH_HAS] = 1;
	ca[CH_P0] = cb[CH_P0];
	ca[CH_P1] = cb[CH_P1];
	ca[CH_START] = start;
	ca[CH_CHURNED] = churned;
	PG_RETURN_ARRAYTYPE_P(a);
}

/* The counts of a valid state; false when nobody was active at the start. */
static bool
churn_state_counts(FunctionCallInfo fcinfo, const char *fname, const char *agg, int64 *start, int64 *churned)
{
	ArrayType  *a = churn_state(fcinfo, 0, false, fname);
	int64	   *c = (int64 *) ARR_DATA_PTR(a);

	/* once per result (not in window functions, not on a direct call) */
	if (c[CH_SKIPPED] > 0 && AggCheckCallContext(fcinfo, NULL) == AGG_CONTEXT_AGGREGATE)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("%s: " INT64_FORMAT " %s with active_until before active_from left out", agg,
						c[CH_SKIPPED], c[CH_SKIPPED] == 1 ? "customer" : "customers"),
				 errdetail("sales_kpi.invalid_rows is skip: those rows are in no count of the result."),
				 errhint("WHERE active_until < active_from finds the rows.")));

	*start = c[CH_START];
	*churned = c[CH_CHURNED];
	return *start != 0;
}

Datum
churn_rate_final(PG_FUNCTION_ARGS)
{
	int64		start,
				churned;

	if (!churn_state_counts(fcinfo, "churn_rate_final", "churn_rate", &start, &churned))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) churned / (double) start);
}

Datum
retention_rate_final(PG_FUNCTION_ARGS)
{
	int64		start,
				churned;

	if (!churn_state_counts(fcinfo, "retention_rate_final", "retention_rate", &start, &churned))
		PG_RETURN_NULL();
	/* computed from counts, not as 1 - churn, so it is exact to the last bit */
	PG_RETURN_FLOAT8((double) (start - churned) / (double) start);
}

/*
 * churn_skipped_rows(): the rows left out of churn_rate and retention_rate
 * over the same rows (sales_kpi.invalid_rows = skip; always 0 under error),
 * the count their WARNING announces.  No WARNING of its own.
 */
PG_FUNCTION_INFO_V1(churn_skipped_rows_final);

Datum
churn_skipped_rows_final(PG_FUNCTION_ARGS)
{
	ArrayType  *a = churn_state(fcinfo, 0, false, "churn_skipped_rows_final");

	PG_RETURN_INT64(((int64 *) ARR_DATA_PTR(a))[CH_SKIPPED]);
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
