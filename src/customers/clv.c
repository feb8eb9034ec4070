/*
 * clv.c - customer lifetime value (spec section 2.4, strengths 1 and 2).
 *
 * Scalar forms:
 *   clv(avg_purchase_value, purchases_per_period, retention_periods) = product
 *   clv(arpa, churn_rate) = arpa / churn_rate            (churn 0 -> NULL)
 *
 * From order rows, in two levels (so that it scales out by customer):
 *   order_summary(amount, purchased_at)  per customer (GROUP BY customer id)
 *   rollup(order_summary)                across customers
 * and accessors: customers, orders, revenue, avg_purchase_value,
 * purchase_frequency, lifespan, clv (historic: revenue per customer).
 *
 * Purchase frequency is a rate per customer-period of observation: orders
 * divided by the sum over customers of (end of observation - their first
 * purchase), the end being the latest purchase in the summary.  Customers who
 * joined late are observed for less time, so a growing customer base does not
 * dilute the rate (which dividing by one common window would).
 */
#include "kpi/kpi.h"

#include <math.h>

#include "common/int.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/numeric.h"

#define OS_VERSION 1
#define OS_TYPNAME "order_summary"

typedef struct OrderSummary
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;			/* reserved, 0 */
	int16		scale;			/* display scale of revenue: max dscale */
	int64		customers;
	int64		orders;
	int128		revenue;		/* at scale */
	int128		lifespan_us;	/* sum over customers of last - first */
	int128		first_sum_us;	/* sum over customers of their first purchase */
	int64		first_us;		/* earliest purchase */
	int64		last_us;		/* latest purchase */
} OrderSummary;

/* ---- scalar forms ---- */

static void
check_nonneg_numeric(Datum d, const char *fname, const char *argname)
{
	int128		v;
	int			sc;

	kpi_numeric_decode(d, NULL, fname, argname, &v, &sc);
	if (v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must not be negative, got %s", fname, argname,
						DatumGetCString(DirectFunctionCall1(numeric_out, d)))));
}

PG_FUNCTION_INFO_V1(clv_scalar);
PG_FUNCTION_INFO_V1(clv_saas);

Datum
clv_scalar(PG_FUNCTION_ARGS)
{
	check_nonneg_numeric(PG_GETARG_DATUM(0), "clv", "avg_purchase_value");
	check_nonneg_numeric(PG_GETARG_DATUM(1), "clv", "purchases_per_period");
	check_nonneg_numeric(PG_GETARG_DATUM(2), "clv", "retention_periods");
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_mul,
										DirectFunctionCall2(numeric_mul, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)),
										PG_GETARG_DATUM(2)));
}

Datum
clv_saas(PG_FUNCTION_ARGS)
{
	double		churn = PG_GETARG_FLOAT8(1);

	check_nonneg_numeric(PG_GETARG_DATUM(0), "clv", "arpa");
	kpi_check_ratio(churn, "clv", "churn_rate");
	if (churn == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, PG_GETARG_DATUM(0),
										DirectFunctionCall1(float8_numeric, Float8GetDatum(churn))));
}

/* ---- order_summary ---- */

/* text: the input string to quote; NULL for binary input */
static void
os_fail(const char *detail, const char *text)
{
	if (text == NULL)
		kpi_bad_binary(OS_TYPNAME, detail);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type " OS_TYPNAME ": \"%s\"", text),
			 errdetail("%s", detail)));
}

/*
 * Every invariant an order_summary keeps, however it was made: NULL when s
 * keeps them all, else the one it breaks.  Text and binary input and the
 * merge functions (on their arguments) check through this one function.
 */
static const char *
os_broken(const OrderSummary *s)
{
	if (s->version != OS_VERSION)
		return "Unsupported format version.";
	if (s->flags != 0)
		return "Unknown flag bits are set.";
	if (s->scale < 0 || s->scale > KPI_MAX_SCALE)
		return "Scale out of range.";
	if (s->customers < 0 || s->orders < s->customers)
		return "Counts must be non-negative and every customer has at least one order.";
	if (s->customers == 0 &&
		(s->orders != 0 || s->revenue != 0 || s->lifespan_us != 0 || s->first_sum_us != 0 ||
		 s->first_us != 0 || s->last_us != 0))
		return "An empty summary must have all fields 0.";
	if (s->customers > 0)
	{
		if (!IS_VALID_TIMESTAMP(s->first_us) || !IS_VALID_TIMESTAMP(s->last_us))
			return "Purchase times must be finite timestamps.";
		if (s->first_us > s->last_us || s->lifespan_us < 0 ||
			s->lifespan_us > (int128) s->customers * ((int128) s->last_us - s->first_us))
			return "Lifespans must lie between 0 and the span from first to last purchase.";
		if (s->customers == 1 && s->lifespan_us != (int128) s->last_us - s->first_us)
			return "A one-customer summary's lifespan must equal last minus first purchase.";
		if (s->first_sum_us < (int128) s->customers * s->first_us ||
			s->first_sum_us > (int128) s->customers * s->last_us ||
			(s->customers == 1 && s->first_sum_us != s->first_us))
			return "The sum of first purchases must lie between customers times the first and the last purchase.";
	}
	return NULL;
}

/* The value of d, its size and version checked (for trusted callers). */
static OrderSummary *
os_get(Datum d)
{
	OrderSummary *s = (OrderSummary *) PG_DETOAST_DATUM(d);

	if (VARSIZE(s) != sizeof(OrderSummary) || s->version != OS_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid " OS_TYPNAME " value"),
				 errdetail("Wrong size or format version.")));
	return s;
}

/* The value of d with every invariant checked: fname refuses a broken one. */
static OrderSummary *
os_get_valid(Datum d, const char *fname)
{
	OrderSummary *s = os_get(d);
	const char *broken = os_broken(s);

	if (broken)
		kpi_bad_value(fname, OS_TYPNAME, broken);
	return s;
}

static OrderSummary *
os_new(void)
{
	OrderSummary *s = palloc0(sizeof(OrderSummary));

	SET_VARSIZE(s, sizeof(OrderSummary));
	s->version = OS_VERSION;
	return s;
}

/* The state to update: a new one for NULL, else a writable one. */
static OrderSummary *
os_state(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		return os_new();
	return kpi_writable(fcinfo, argno, os_get(PG_GETARG_DATUM(argno)));
}

static void
os_add_revenue(OrderSummary *s, int128 v, int scale)
{
	int128	   *f = &s->revenue;

	kpi_money_align(&s->scale, &f, 1, &v, scale);
	s->revenue = kpi_add128(s->revenue, v);
}

static void
os_one_customer(const OrderSummary *s, const char *fname)
{
	if (s->customers > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: an order_summary of %lld customers cannot take more orders of one customer",
						fname, (long long) s->customers),
				 errhint("Build order_summary(amount, purchased_at) per customer (GROUP BY the customer id) and merge customers with rollup().")));
}

/* (state, amount numeric, purchased_at): one order of the group's customer */
static Datum
os_accum_common(FunctionCallInfo fcinfo, bool is_date)
{
	OrderSummary *s;
	int128		v;
	int			scale;
	int64		t;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	kpi_numeric_decode(PG_GETARG_DATUM(1), fcinfo, "order_summary", "amount", &v, &scale);
	t = is_date ? kpi_date_usec(PG_GETARG_DATUM(2), fcinfo, "order_summary", "purchased_at")
		: kpi_timestamp_usec(PG_GETARG_DATUM(2), fcinfo, "order_summary", "purchased_at");
	s = os_state(fcinfo, 0);
	os_one_customer(s, "order_summary");
	if (s->customers == 0)
	{
		s->customers = 1;
		s->first_us = s->last_us = t;
	}
	if (s->orders == PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("order_summary: count out of range"),
				 errdetail("The summary already holds " INT64_FORMAT " orders.", s->orders)));
	s->orders++;
	os_add_revenue(s, v, scale);
	if (t < s->first_us)
		s->first_us = t;
	if (t > s->last_us)
		s->last_us = t;
	s->lifespan_us = (int128) s->last_us - s->first_us;
	s->first_sum_us = s->first_us;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(order_summary_accum);
PG_FUNCTION_INFO_V1(order_summary_accum_date);
PG_FUNCTION_INFO_V1(order_summary_combine);
PG_FUNCTION_INFO_V1(order_summary_rollup);

Datum
order_summary_accum(PG_FUNCTION_ARGS)
{
	return os_accum_common(fcinfo, false);
}

Datum
order_summary_accum_date(PG_FUNCTION_ARGS)
{
	return os_accum_common(fcinfo, true);
}

/*
 * Merge b into a.  same_customer: both are partial states of one customer
 * (the combine function of order_summary()); otherwise they are disjoint
 * sets of customers (rollup()).
 */
static Datum
os_merge(FunctionCallInfo fcinfo, bool same_customer)
{
	const char *fname = same_customer ? "order_summary_combine" : "order_summary_rollup";
	OrderSummary *a;
	OrderSummary *b;

	/* both arguments are anyone's values: every invariant is checked */
	if (!PG_ARGISNULL(0))
		os_get_valid(PG_GETARG_DATUM(0), fname);
	if (PG_ARGISNULL(1) || os_get_valid(PG_GETARG_DATUM(1), fname)->customers == 0)
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	a = os_state(fcinfo, 0);
	b = os_get(PG_GETARG_DATUM(1));
	if (same_customer)
	{
		os_one_customer(a, "order_summary");
		os_one_customer(b, "order_summary");
	}
	if (a->customers == 0)
	{
		a->first_us = b->first_us;
		a->last_us = b->last_us;
	}
	/*
	 * orders >= customers in both: if the orders add up, so do the
	 * customers; the int128 sums are bounded by customers times the
	 * timestamp range, so they cannot overflow either.
	 */
	if (pg_add_s64_overflow(a->orders, b->orders, &a->orders))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("order_summary: count out of range")));
	os_add_revenue(a, b->revenue, b->scale);
	a->first_us = Min(a->first_us, b->first_us);
	a->last_us = Max(a->last_us, b->last_us);
	if (same_customer)
	{
		a->customers = 1;
		a->lifespan_us = (int128) a->last_us - a->first_us;
		a->first_sum_us = a->first_us;
	}
	else
	{
		a->customers += b->customers;
		a->lifespan_us = kpi_add128(a->lifespan_us, b->lifespan_us);
		a->first_sum_us = kpi_add128(a->first_sum_us, b->first_sum_us);
	}
	PG_RETURN_POINTER(a);
}

Datum
order_summary_combine(PG_FUNCTION_ARGS)
{
	return os_merge(fcinfo, true);
}

Datum
order_summary_rollup(PG_FUNCTION_ARGS)
{
	return os_merge(fcinfo, false);
}

/* ---- I/O ---- */

PG_FUNCTION_INFO_V1(order_summary_in);
PG_FUNCTION_INFO_V1(order_summary_out);
PG_FUNCTION_INFO_V1(order_summary_recv);
PG_FUNCTION_INFO_V1(order_summary_send);

Datum
order_summary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	OrderSummary *s = os_new();
	KvParser	kv;
	int			sc;
	const char *bad;

	kv_begin(&kv, str, OS_TYPNAME);
	if (kv_int64(&kv, "version", 0) != OS_VERSION)
		kv_fail(&kv, "Unsupported format version");
	s->customers = kv_int64(&kv, "customers", 0);
	s->orders = kv_int64(&kv, "orders", 0);
	kv_decimal(&kv, "revenue", &s->revenue, &sc);
	s->scale = (int16) sc;
	kv_decimal(&kv, "lifespan_us", &s->lifespan_us, &sc);
	if (sc != 0)
		kv_fail(&kv, "lifespan_us must be a whole number of microseconds");
	kv_decimal(&kv, "first_sum_us", &s->first_sum_us, &sc);
	if (sc != 0)
		kv_fail(&kv, "first_sum_us must be a whole number of microseconds");
	s->first_us = kv_int64(&kv, "first_us", PG_INT64_MIN);
	s->last_us = kv_int64(&kv, "last_us", PG_INT64_MIN);
	kv_end(&kv);
	bad = os_broken(s);
	if (bad)
		os_fail(bad, str);
	PG_RETURN_POINTER(s);
}

Datum
order_summary_out(PG_FUNCTION_ARGS)
{
	OrderSummary *s = os_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,customers=" INT64_FORMAT ",orders=" INT64_FORMAT ",revenue=",
					 s->version, s->customers, s->orders);
	kpi_append_decimal(&buf, s->revenue, s->scale);
	appendStringInfoString(&buf, ",lifespan_us=");
	kpi_append_decimal(&buf, s->lifespan_us, 0);
	appendStringInfoString(&buf, ",first_sum_us=");
	kpi_append_decimal(&buf, s->first_sum_us, 0);
	appendStringInfo(&buf, ",first_us=" INT64_FORMAT ",last_us=" INT64_FORMAT ")",
					 s->first_us, s->last_us);
	PG_RETURN_CSTRING(buf.data);
}

Datum
order_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	OrderSummary *s = os_new();
	const char *bad;

	s->version = pq_getmsgbyte(buf);
	if (s->version != OS_VERSION)
		kpi_bad_binary(OS_TYPNAME, "Unsupported format version.");
	s->flags = pq_getmsgbyte(buf);
	s->scale = pq_getmsgint(buf, 2);
	s->customers = pq_getmsgint64(buf);
	s->orders = pq_getmsgint64(buf);
	s->revenue = kpi_recv_int128(buf, OS_TYPNAME);
	s->lifespan_us = kpi_recv_int128(buf, OS_TYPNAME);
	s->first_sum_us = kpi_recv_int128(buf, OS_TYPNAME);
	s->first_us = pq_getmsgint64(buf);
	s->last_us = pq_getmsgint64(buf);
	kpi_recv_end(buf, OS_TYPNAME);
	bad = os_broken(s);
	if (bad)
		os_fail(bad, NULL);
	PG_RETURN_POINTER(s);
}

Datum
order_summary_send(PG_FUNCTION_ARGS)
{
	OrderSummary *s = os_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->flags);
	pq_sendint16(&buf, s->scale);
	pq_sendint64(&buf, s->customers);
	pq_sendint64(&buf, s->orders);
	kpi_send_int128(&buf, s->revenue);
	kpi_send_int128(&buf, s->lifespan_us);
	kpi_send_int128(&buf, s->first_sum_us);
	pq_sendint64(&buf, s->first_us);
	pq_sendint64(&buf, s->last_us);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- accessors ---- */

PG_FUNCTION_INFO_V1(order_summary_customers);
PG_FUNCTION_INFO_V1(order_summary_orders);
PG_FUNCTION_INFO_V1(order_summary_revenue);
PG_FUNCTION_INFO_V1(order_summary_avg_purchase_value);
PG_FUNCTION_INFO_V1(order_summary_purchase_frequency);
PG_FUNCTION_INFO_V1(order_summary_lifespan);
PG_FUNCTION_INFO_V1(order_summary_clv);

Datum
order_summary_customers(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(os_get(PG_GETARG_DATUM(0))->customers);
}

Datum
order_summary_orders(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(os_get(PG_GETARG_DATUM(0))->orders);
}

Datum
order_summary_revenue(PG_FUNCTION_ARGS)
{
	OrderSummary *s = os_get(PG_GETARG_DATUM(0));

	PG_RETURN_DATUM(kpi_money_numeric(s->revenue, s->scale));
}

/* revenue / orders, equal to avg(amount) over the orders */
Datum
order_summary_avg_purchase_value(PG_FUNCTION_ARGS)
{
	OrderSummary *s = os_get(PG_GETARG_DATUM(0));

	if (s->orders == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, kpi_money_numeric(s->revenue, s->scale),
										NumericGetDatum(int64_to_numeric(s->orders))));
}

/*
 * Orders per customer per period: orders / exposure, where exposure is the
 * sum over customers of (latest purchase in the summary - the customer's
 * first purchase).  No exposure (every customer bought once, at the end) ->
 * NULL.
 */
Datum
order_summary_purchase_frequency(PG_FUNCTION_ARGS)
{
	OrderSummary *s = os_get(PG_GETARG_DATUM(0));
	int64		period = kpi_interval_usec(PG_GETARG_DATUM(1), "purchase_frequency", "period");
	int128		exposure = (int128) s->customers * s->last_us - s->first_sum_us;

	if (s->customers == 0 || exposure <= 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) s->orders / ((double) exposure / (double) period));
}

/* average over customers of (last purchase - first purchase), in periods */
Datum
order_summary_lifespan(PG_FUNCTION_ARGS)
{
	OrderSummary *s = os_get(PG_GETARG_DATUM(0));
	int64		period = kpi_interval_usec(PG_GETARG_DATUM(1), "lifespan", "period");

	if (s->customers == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) s->lifespan_us / (double) s->customers / (double) period);
}

/* historic CLV: revenue per customer, exact */
Datum
order_summary_clv(PG_FUNCTION_ARGS)
{
	OrderSummary *s = os_get(PG_GETARG_DATUM(0));

	if (s->customers == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, kpi_money_numeric(s->revenue, s->scale),
										NumericGetDatum(int64_to_numeric(s->customers))));
}
