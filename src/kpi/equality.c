/*
 * equality.c - equality and hashing of our types on their canonical form
 * (issue 11): the operators = and <> and the hash operator classes that let
 * DISTINCT, UNION, GROUP BY, hash joins and hash aggregation work on
 * deal_summary, order_summary, stage_path, stage_funnel, stage_times and
 * stage_history.
 *
 * The canonical form of a value is its binary send output: the versioned
 * wire form in network byte order.  Two values are equal when those bytes
 * are equal, one mechanism for every type.  Equality is thus equality of the
 * stored form: two summaries of the same rows are equal (every aggregate is
 * order- and plan-independent), while values that differ only in a stored
 * display scale (amounts 5.0 and 5.00) or in their format version differ, as
 * their text forms do.
 *
 * Each type has thin entry points of its own (KPI_EQUALITY below) that call
 * its send function directly: no lookup, no fn_extra, no fn_expr, so they
 * work wherever the executor calls them (Citus resets fn_extra per row).
 */
#include "kpi/kpi.h"

#include "common/hashfn.h"

/* the canonical form of a value: its send function's output */
static bytea *
kpi_canonical(PGFunction send, Datum value)
{
	return DatumGetByteaPP(DirectFunctionCall1(send, value));
}

static bool
kpi_canonical_eq(PGFunction send, Datum a, Datum b)
{
	bytea	   *x = kpi_canonical(send, a);
	bytea	   *y = kpi_canonical(send, b);
	Size		len = VARSIZE_ANY_EXHDR(x);
	bool		eq;

	eq = len == VARSIZE_ANY_EXHDR(y) && memcmp(VARDATA_ANY(x), VARDATA_ANY(y), len) == 0;
	pfree(x);
	pfree(y);
	return eq;
}

static uint32
kpi_canonical_hash(PGFunction send, Datum a)
{
	bytea	   *x = kpi_canonical(send, a);
	uint32		h;

	h = DatumGetUInt32(hash_any((const unsigned char *) VARDATA_ANY(x), (int) VARSIZE_ANY_EXHDR(x)));
	pfree(x);
	return h;
}

/* TYPE_eq, TYPE_ne and TYPE_hash on the canonical form given by SEND */
#define KPI_EQUALITY(type, send) \
	extern PGDLLEXPORT Datum send(PG_FUNCTION_ARGS); \
	PG_FUNCTION_INFO_V1(type##_eq); \
	Datum \
	type##_eq(PG_FUNCTION_ARGS) \
	{ \
		PG_RETURN_BOOL(kpi_canonical_eq(send, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1))); \
	} \
	PG_FUNCTION_INFO_V1(type##_ne); \
	Datum \
	type##_ne(PG_FUNCTION_ARGS) \
	{ \
		PG_RETURN_BOOL(!kpi_canonical_eq(send, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1))); \
	} \
	PG_FUNCTION_INFO_V1(type##_hash); \
	Datum \
	type##_hash(PG_FUNCTION_ARGS) \
	{ \
		PG_RETURN_UINT32(kpi_canonical_hash(send, PG_GETARG_DATUM(0))); \
	} \
	extern int no_such_variable

KPI_EQUALITY(deal_summary, deal_summary_send);
KPI_EQUALITY(order_summary, order_summary_send);
KPI_EQUALITY(stage_path, stage_path_send);
KPI_EQUALITY(stage_funnel, stage_funnel_send);
KPI_EQUALITY(stage_times, stage_times_send);
KPI_EQUALITY(stage_history, stage_history_send);
/* issue 14 (leads family) */
KPI_EQUALITY(activity_summary, activity_summary_send);
KPI_EQUALITY(response_time, response_time_send);
KPI_EQUALITY(lead_followup, lead_followup_send);
KPI_EQUALITY(followup_summary, followup_summary_send);
/* issue 15 (models family) */
KPI_EQUALITY(rfm, rfm_send);
KPI_EQUALITY(bgnbd_model, bgnbd_model_send);
KPI_EQUALITY(gammagamma_model, gammagamma_model_send);
KPI_EQUALITY(mrr_series, mrr_series_send);
KPI_EQUALITY(revenue_summary, revenue_summary_send);
