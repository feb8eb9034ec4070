/*
 * order_summary.c - customer lifetime value from order rows (spec section
 * 2.4, strength 2), in two levels so that it scales out by customer:
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
 *
 * Revenue is an exact sum (money.h) whose storage scale is its display scale:
 * the summary never removes orders, so it needs no count of the rows of that
 * scale.
 */
#include "kpi/kpi.h"
#include "kpi/report.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

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

StaticAssertDecl(offsetof(OrderSummary, version) == VARHDRSZ, "the version follows the length word");

/*
 * Every invariant an order_summary keeps, however it was made: NULL when s
 * keeps them all, else the one it breaks.  Text and binary input and the
 * merge functions (on their arguments) check through this one function.
 */
static const char *
os_broken(const void *value)
{
	const OrderSummary *s = value;

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

/* The value of d, its size and version checked (its invariants hold: input checks them). */
#define os_get(d) ((OrderSummary *) kpi_fixed_get(d, OS_VERSION, sizeof(OrderSummary), OS_TYPNAME))

/* The value of d with every invariant checked: fname refuses a broken one. */
#define os_get_valid(d, fname) ((OrderSummary *) kpi_valid(os_get(d), os_broken, fname, OS_TYPNAME))

/* The state to update: a new one for NULL, else a writable one. */
#define os_state(fcinfo, argno) \
	((OrderSummary *) kpi_fixed_state(fcinfo, argno, OS_VERSION, sizeof(OrderSummary), OS_TYPNAME))

/* revenue += v of the given scale, exactly */
static void
os_add_revenue(OrderSummary *s, int128 v, int scale)
{
	int128	   *const sums[1] = {&s->revenue};

	s->revenue = kpi_add128(s->revenue, kpi_money_align(&s->scale, sums, 1, v, scale));
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
os_accum(FunctionCallInfo fcinfo, TimeKind kind, KpiAmountType type)
{
	OrderSummary *s;
	int128		v;
	int			scale;
	int64		t;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return kpi_unchanged(fcinfo);
	kpi_amount_decode(PG_GETARG_DATUM(1), type, "order_summary", "amount", &v, &scale);
	t = kpi_time_usec(PG_GETARG_DATUM(2), kind, fcinfo, "order_summary", "purchased_at");
	s = os_state(fcinfo, 0);
	os_one_customer(s, "order_summary");
	if (s->customers == 0)
	{
		s->customers = 1;
		s->first_us = s->last_us = t;
	}
	if (s->orders == PG_INT64_MAX)
		kpi_count_overflow(OS_TYPNAME, psprintf("The summary already holds " INT64_FORMAT " orders.", s->orders));
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

/* timestamp and timestamptz share one C function (both are int64 microseconds) */
/* one per time type (timestamp and timestamptz share one) and amount type (suffix n, f8, f4, i4, i8) */
KPI_FUNCTION(order_summary_accum, os_accum, TIME_TIMESTAMP, KPI_AMOUNT_NUMERIC);
KPI_FUNCTION(order_summary_accum_date, os_accum, TIME_DATE, KPI_AMOUNT_NUMERIC);
KPI_FUNCTION(order_summary_accum_f8, os_accum, TIME_TIMESTAMP, KPI_AMOUNT_FLOAT8);
KPI_FUNCTION(order_summary_accum_date_f8, os_accum, TIME_DATE, KPI_AMOUNT_FLOAT8);
KPI_FUNCTION(order_summary_accum_f4, os_accum, TIME_TIMESTAMP, KPI_AMOUNT_FLOAT4);
KPI_FUNCTION(order_summary_accum_date_f4, os_accum, TIME_DATE, KPI_AMOUNT_FLOAT4);
KPI_FUNCTION(order_summary_accum_i4, os_accum, TIME_TIMESTAMP, KPI_AMOUNT_INT4);
KPI_FUNCTION(order_summary_accum_date_i4, os_accum, TIME_DATE, KPI_AMOUNT_INT4);
KPI_FUNCTION(order_summary_accum_i8, os_accum, TIME_TIMESTAMP, KPI_AMOUNT_INT8);
KPI_FUNCTION(order_summary_accum_date_i8, os_accum, TIME_DATE, KPI_AMOUNT_INT8);

/* ---- merging ---- */

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
		/* an empty summary merged into nothing is that summary, not NULL */
		if (PG_ARGISNULL(0) && !PG_ARGISNULL(1))
			PG_RETURN_POINTER(os_get(PG_GETARG_DATUM(1)));
		return kpi_unchanged(fcinfo);
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
		kpi_count_overflow(OS_TYPNAME, NULL);
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

KPI_FUNCTION(order_summary_combine, os_merge, true);
KPI_FUNCTION(order_summary_rollup, os_merge, false);

/* ---- I/O ---- */

PG_FUNCTION_INFO_V1(order_summary_in);
PG_FUNCTION_INFO_V1(order_summary_out);
PG_FUNCTION_INFO_V1(order_summary_recv);
PG_FUNCTION_INFO_V1(order_summary_send);

Datum
order_summary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	OrderSummary *s = kpi_fixed_new(OS_VERSION, sizeof(OrderSummary));
	KvParser	kv;
	int			sc;

	kpi_kv_begin(&kv, str, OS_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != OS_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	s->customers = kpi_kv_int64(&kv, "customers", 0);
	s->orders = kpi_kv_int64(&kv, "orders", 0);
	kpi_kv_decimal(&kv, "revenue", &s->revenue, &sc);
	s->scale = (int16) sc;
	s->lifespan_us = kpi_kv_micros(&kv, "lifespan_us", NULL);
	s->first_sum_us = kpi_kv_micros(&kv, "first_sum_us", NULL);
	s->first_us = kpi_kv_int64(&kv, "first_us", PG_INT64_MIN);
	s->last_us = kpi_kv_int64(&kv, "last_us", PG_INT64_MIN);
	kpi_kv_end(&kv);
	kpi_check_text(os_broken(s), OS_TYPNAME, str);
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
	OrderSummary *s = kpi_fixed_new(OS_VERSION, sizeof(OrderSummary));

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
	kpi_check_binary(os_broken(s), OS_TYPNAME);
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
	PG_RETURN_DATUM(kpi_money_avg(s->revenue, s->scale, s->orders));
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
	PG_RETURN_DATUM(kpi_money_avg(s->revenue, s->scale, s->customers));
}

/* ---- kpis(order_summary), order_summary::json and ::jsonb (kpi/report.h) ---- */

static const char *const os_columns[] = {
	"customers", "orders", "revenue", "avg_purchase_value", "clv",
	"purchase_frequency_per_day", "lifespan_days"
};

static void
os_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	Datum		s = PG_GETARG_DATUM(0);
	Interval   *day = palloc0(sizeof(Interval));

	day->day = 1;

	(void) desc;
	(void) os_get(s);
	values[0] = kpi_report_call(order_summary_customers, s, &nulls[0]);
	values[1] = kpi_report_call(order_summary_orders, s, &nulls[1]);
	values[2] = kpi_report_call(order_summary_revenue, s, &nulls[2]);
	values[3] = kpi_report_call(order_summary_avg_purchase_value, s, &nulls[3]);
	values[4] = kpi_report_call(order_summary_clv, s, &nulls[4]);
	values[5] = kpi_report_call2(order_summary_purchase_frequency, s, IntervalPGetDatum(day), &nulls[5]);
	values[6] = kpi_report_call2(order_summary_lifespan, s, IntervalPGetDatum(day), &nulls[6]);
}

KPI_REPORT_FUNCTIONS(order_summary, "order_summary_kpis", os_columns, os_fill);
