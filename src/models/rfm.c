/*
 * rfm.c - the RFM summary of one customer's orders, the input of the BG/NBD
 * and Gamma-Gamma models (spec section 2.4, clv strength 3):
 *
 *   rfm(customer_id, purchased_at, amount, calibration_end, unit)
 *
 * per customer (GROUP BY the customer id).  x is the number of repeat
 * purchases, t_x the time from the first to the last purchase, T the time
 * from the first purchase to the calibration end, all in the caller's unit;
 * the mean repeat spend is the exact mean over the repeat purchases.
 *
 * The papers' rules: a purchase is a day with orders (several orders on one
 * day are one purchase, their amounts summed), times are days, the first
 * purchase is left out of the spend mean, and the calibration end is
 * inclusive (orders on that day count; later ones are ignored).
 *
 * The customer id is an argument so that a query that forgets the GROUP BY
 * fails instead of silently treating all orders as one customer: the state
 * remembers the id (a bigint as it is, a text by a 64-bit hash) and refuses
 * orders of another.
 *
 * The state is an rfm value with the customer's distinct purchase days
 * (RFM_F_STATE), ascending, in an array with room to grow (doubling); the
 * final function drops them.  Amounts are exact sums (money.h).
 */
#include "models/models.h"

#include "common/hashfn.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#define RFM_MIN_CAP 8

/* days from first to last as periods of unit_us */
static double
rfm_periods(int64 days, int64 unit_us)
{
	return (double) ((int128) days * KPI_USECS_PER_DAY) / (double) unit_us;
}

/*
 * Every invariant an rfm keeps: NULL when s keeps them, else the one it
 * breaks.  Text and binary input and every function handed an rfm check
 * through this one function.
 */
static const char *
rfm_broken(const void *value)
{
	const Rfm  *s = value;
	bool		state = (s->flags & RFM_F_STATE) != 0;

	if (s->version != RFM_VERSION)
		return "Unsupported format version.";
	if ((s->flags & ~RFM_F_STATE) != 0)
		return "Unknown flag bits are set.";
	if (s->scale < 0 || s->scale > KPI_MAX_SCALE)
		return "Scale out of range.";
	if (s->unit_us <= 0)
		return "The time unit must be positive.";
	if (s->end_day < (int32) (MIN_TIMESTAMP / USECS_PER_DAY) || s->end_day >= (int32) (END_TIMESTAMP / USECS_PER_DAY))
		return "The calibration end is out of range.";
	if (s->purchases < 0)
		return "The number of purchases must not be negative.";
	if (!state && s->purchases == 0)
		return "A summary has at least one purchase.";
	if (s->purchases == 0)
	{
		if (s->first_day != 0 || s->last_day != 0 || s->first_amount != 0 || s->total_amount != 0)
			return "A state without purchases must have its days and amounts 0.";
	}
	else
	{
		if (s->first_day > s->last_day || s->last_day > s->end_day ||
			s->first_day < (int32) (MIN_TIMESTAMP / USECS_PER_DAY))
			return "Purchase days must satisfy first <= last <= calibration end.";
		if ((s->first_day == s->last_day) != (s->purchases == 1) ||
			s->purchases - 1 > (int64) s->last_day - s->first_day)
			return "The number of purchases must fit between the first and last purchase days.";
		if (s->first_amount < 0 || s->total_amount < s->first_amount)
			return "Amounts must be non-negative and the total at least the first purchase's.";
		if (s->purchases == 1 && s->total_amount != s->first_amount)
			return "With one purchase the total amount is the first purchase's.";
	}
	if (!state)
	{
		if (s->cap != 0 || VARSIZE(s) != RFM_HEADER)
			return "A summary carries no purchase days.";
		return NULL;
	}
	if (s->cap < s->purchases || VARSIZE(s) != RFM_HEADER + (Size) s->cap * sizeof(int32))
		return "The purchase days do not fit the value.";
	if (s->purchases > 0 && (s->days[0] != s->first_day || s->days[s->purchases - 1] != s->last_day))
		return "The purchase days must start at the first and end at the last purchase.";
	for (int64 i = 1; i < s->purchases; i++)
		if (s->days[i] <= s->days[i - 1])
			return "The purchase days must be distinct and ascending.";
	return NULL;
}

/* size and version checked; the invariants are the caller's business */
static Rfm *
rfm_stored(Datum d)
{
	Rfm		   *s = kpi_stored(d, RFM_VERSION, RFM_HEADER, RFM_TYPNAME);

	if (VARSIZE(s) != RFM_HEADER + (Size) Max(s->cap, 0) * sizeof(int32))
		kpi_corrupt(RFM_TYPNAME);
	return s;
}

Rfm *
models_rfm_get(Datum d, const char *fname)
{
	return kpi_valid(rfm_stored(d), rfm_broken, fname, RFM_TYPNAME);
}

/*
 * An rfm argument of a reader, model or fit: valid and with a purchase.  An
 * aggregate state without one (every order after the calibration end, found
 * by the state fuzzer when rfm_accum is called by hand) is what rfm()
 * finishes as NULL; its x, t_x and T do not exist.
 */
Rfm *
models_rfm_reader(Datum d, const char *fname)
{
	Rfm		   *s = models_rfm_get(d, fname);

	if (s->purchases == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the rfm state has no purchase in the calibration period", fname),
				 errdetail("Every order of the customer falls after the calibration end; rfm() gives NULL for such a customer."),
				 errhint("Read the result of the rfm() aggregate, not a state of its transition function.")));
	return s;
}

int64
models_rfm_x(const Rfm *s)
{
	return s->purchases - 1;
}

double
models_rfm_t_x(const Rfm *s)
{
	return rfm_periods((int64) s->last_day - s->first_day, s->unit_us);
}

double
models_rfm_T(const Rfm *s)
{
	return rfm_periods((int64) s->end_day - s->first_day, s->unit_us);
}

double
models_rfm_mean_spend(const Rfm *s)
{
	/* exactly mean_repeat_spend(r)::float8: the exact mean, then rounded once */
	if (s->purchases <= 1)
		return 0;
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8,
											  kpi_money_avg(s->total_amount - s->first_amount, s->scale, s->purchases - 1)));
}

/* a new state with room for cap days */
static Rfm *
rfm_new(int32 cap)
{
	Rfm		   *s = kpi_fixed_new(RFM_VERSION, RFM_HEADER + (Size) cap * sizeof(int32));

	s->flags = RFM_F_STATE;
	s->cap = cap;
	return s;
}

/* s with room for need days: s itself, or a copy with twice the room */
static Rfm *
rfm_room(Rfm *s, int64 need)
{
	Rfm		   *n;
	int64		cap = Max(s->cap, RFM_MIN_CAP);

	if (need <= s->cap)
		return s;
	while (cap < need)
		cap *= 2;
	if (cap > (int64) ((MaxAllocSize - RFM_HEADER) / sizeof(int32)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("rfm: too many purchase days for one customer (" INT64_FORMAT ")", need),
				 errhint("Build rfm() per customer (GROUP BY the customer id).")));
	n = rfm_new((int32) cap);
	memcpy(n, s, RFM_HEADER);
	SET_VARSIZE(n, RFM_HEADER + (Size) cap * sizeof(int32));
	n->cap = (int32) cap;
	memcpy(n->days, s->days, (Size) s->purchases * sizeof(int32));
	return n;
}

/* the same customer, calibration end and unit, else an error naming fname */
static void
rfm_same(const Rfm *s, uint64 customer, int32 end_day, int64 unit_us, const char *fname)
{
	if (s->customer != customer)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: orders of more than one customer in one group", fname),
				 errdetail("rfm() summarises the orders of one customer."),
				 errhint("Add GROUP BY the customer id, e.g. SELECT customer_id, rfm(customer_id, ...) FROM orders GROUP BY customer_id.")));
	if (s->end_day != end_day || s->unit_us != unit_us)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: calibration_end and unit must be the same for every order of a customer", fname),
				 errhint("Pass constants for calibration_end and unit.")));
}

/* amount v at scale on day; days after the calibration end are ignored by the caller */
static Rfm *
rfm_add_day(Rfm *s, int32 day, int128 v, int scale, int64 count)
{
	int128	   *const sums[2] = {&s->first_amount, &s->total_amount};
	int64		lo = 0,
				hi = s->purchases;

	v = kpi_money_align(&s->scale, sums, 2, v, scale);
	/* binary search for day; orders usually come in time order: try the end first */
	if (hi > 0 && s->days[hi - 1] < day)
		lo = hi;
	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (s->days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	s->total_amount = kpi_add128(s->total_amount, v);
	if (lo < s->purchases && s->days[lo] == day)
	{
		if (lo == 0)
			s->first_amount = kpi_add128(s->first_amount, v);
	}
	else
	{
		s = rfm_room(s, s->purchases + 1);
		memmove(s->days + lo + 1, s->days + lo, (Size) (s->purchases - lo) * sizeof(int32));
		s->days[lo] = day;
		s->purchases++;
		if (lo == 0)
			s->first_amount = v;
		s->first_day = s->days[0];
		s->last_day = s->days[s->purchases - 1];
	}
	(void) count;
	return s;
}

typedef enum RfmIdKind
{
	RFM_ID_INT8 = 1,
	RFM_ID_TEXT = 2
} RfmIdKind;

static uint64
rfm_customer(Datum id, RfmIdKind kind)
{
	if (kind == RFM_ID_INT8)
		return (uint64) DatumGetInt64(id);
	else
	{
		text	   *t = DatumGetTextPP(id);

		return DatumGetUInt64(hash_any_extended((const unsigned char *) VARDATA_ANY(t),
												(int) VARSIZE_ANY_EXHDR(t), 0));
	}
}

/* the day of a date or timestamp argument (a timestamp's calendar date) */
static int32
rfm_day(FunctionCallInfo fcinfo, int argno, TimeKind kind, const char *argname)
{
	int64		us = kpi_time_usec(PG_GETARG_DATUM(argno), kind, fcinfo, "rfm", argname);
	int64		day = us / KPI_USECS_PER_DAY;

	if (us < 0 && us % KPI_USECS_PER_DAY != 0)
		day--;
	return (int32) day;
}

/* (state, customer_id, purchased_at, amount, calibration_end date, unit interval) */
static Datum
rfm_accum(FunctionCallInfo fcinfo, RfmIdKind idkind, TimeKind kind, KpiAmountType type)
{
	Rfm		   *s;
	uint64		customer;
	int32		day,
				end_day;
	int64		unit_us;
	int128		v;
	int			scale;

	if (PG_ARGISNULL(4) || PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("rfm: %s must not be NULL", PG_ARGISNULL(4) ? "calibration_end" : "unit"),
				 errhint("Pass the last day of the calibration period and the time unit, e.g. date '1997-09-30', interval '1 week'.")));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		return kpi_unchanged(fcinfo);
	customer = rfm_customer(PG_GETARG_DATUM(1), idkind);
	day = rfm_day(fcinfo, 2, kind, "purchased_at");
	end_day = rfm_day(fcinfo, 4, TIME_DATE, "calibration_end");
	unit_us = kpi_interval_usec(PG_GETARG_DATUM(5), "rfm", "unit");
	kpi_amount_nonneg(PG_GETARG_DATUM(3), type, "rfm", "amount",
					  "Leave refunds out (WHERE amount >= 0) or net them into the order they refund.",
					  &v, &scale);
	if (PG_ARGISNULL(0))
	{
		s = rfm_new(RFM_MIN_CAP);
		s->customer = customer;
		s->end_day = end_day;
		s->unit_us = unit_us;
	}
	else
	{
		s = rfm_stored(PG_GETARG_DATUM(0));
		if (!(s->flags & RFM_F_STATE) || s->cap < s->purchases)
			kpi_bad_value("rfm", RFM_TYPNAME, "The state must carry its purchase days.");
		s = kpi_writable(fcinfo, 0, s);
		rfm_same(s, customer, end_day, unit_us, "rfm");
	}
	if (day <= end_day)
		s = rfm_add_day(s, day, v, scale, 1);
	PG_RETURN_POINTER(s);
}

KPI_FUNCTION(rfm_accum_i8_date_n, rfm_accum, RFM_ID_INT8, TIME_DATE, KPI_AMOUNT_NUMERIC);
KPI_FUNCTION(rfm_accum_i8_date_f8, rfm_accum, RFM_ID_INT8, TIME_DATE, KPI_AMOUNT_FLOAT8);
KPI_FUNCTION(rfm_accum_i8_date_i4, rfm_accum, RFM_ID_INT8, TIME_DATE, KPI_AMOUNT_INT4);
KPI_FUNCTION(rfm_accum_i8_date_i8, rfm_accum, RFM_ID_INT8, TIME_DATE, KPI_AMOUNT_INT8);
KPI_FUNCTION(rfm_accum_i8_ts_n, rfm_accum, RFM_ID_INT8, TIME_TIMESTAMP, KPI_AMOUNT_NUMERIC);
KPI_FUNCTION(rfm_accum_i8_ts_f8, rfm_accum, RFM_ID_INT8, TIME_TIMESTAMP, KPI_AMOUNT_FLOAT8);
KPI_FUNCTION(rfm_accum_i8_ts_i4, rfm_accum, RFM_ID_INT8, TIME_TIMESTAMP, KPI_AMOUNT_INT4);
KPI_FUNCTION(rfm_accum_i8_ts_i8, rfm_accum, RFM_ID_INT8, TIME_TIMESTAMP, KPI_AMOUNT_INT8);
KPI_FUNCTION(rfm_accum_text_date_n, rfm_accum, RFM_ID_TEXT, TIME_DATE, KPI_AMOUNT_NUMERIC);
KPI_FUNCTION(rfm_accum_text_date_f8, rfm_accum, RFM_ID_TEXT, TIME_DATE, KPI_AMOUNT_FLOAT8);
KPI_FUNCTION(rfm_accum_text_date_i4, rfm_accum, RFM_ID_TEXT, TIME_DATE, KPI_AMOUNT_INT4);
KPI_FUNCTION(rfm_accum_text_date_i8, rfm_accum, RFM_ID_TEXT, TIME_DATE, KPI_AMOUNT_INT8);
KPI_FUNCTION(rfm_accum_text_ts_n, rfm_accum, RFM_ID_TEXT, TIME_TIMESTAMP, KPI_AMOUNT_NUMERIC);
KPI_FUNCTION(rfm_accum_text_ts_f8, rfm_accum, RFM_ID_TEXT, TIME_TIMESTAMP, KPI_AMOUNT_FLOAT8);
KPI_FUNCTION(rfm_accum_text_ts_i4, rfm_accum, RFM_ID_TEXT, TIME_TIMESTAMP, KPI_AMOUNT_INT4);
KPI_FUNCTION(rfm_accum_text_ts_i8, rfm_accum, RFM_ID_TEXT, TIME_TIMESTAMP, KPI_AMOUNT_INT8);

/* combine: partial states of one customer (the days of b merged into a) */
PG_FUNCTION_INFO_V1(rfm_combine);
Datum
rfm_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "rfm_combine";
	Rfm		   *a;
	Rfm		   *b;
	Rfm		   *m;
	int64		i = 0,
				j = 0,
				k = 0;
	int128		bfirst;
	int128		btotal;

	if (!PG_ARGISNULL(0))
	{
		a = models_rfm_get(PG_GETARG_DATUM(0), fname);
		if (!(a->flags & RFM_F_STATE))
			kpi_bad_value(fname, RFM_TYPNAME, "Only states (with their purchase days) can be combined.");
	}
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	b = models_rfm_get(PG_GETARG_DATUM(1), fname);
	if (!(b->flags & RFM_F_STATE))
		kpi_bad_value(fname, RFM_TYPNAME, "Only states (with their purchase days) can be combined.");
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(b);
	a = models_rfm_get(PG_GETARG_DATUM(0), fname);
	rfm_same(a, b->customer, b->end_day, b->unit_us, "rfm");

	m = rfm_new((int32) Max(a->purchases + b->purchases, RFM_MIN_CAP));
	memcpy(m, a, RFM_HEADER);
	SET_VARSIZE(m, RFM_HEADER + (Size) Max(a->purchases + b->purchases, RFM_MIN_CAP) * sizeof(int32));
	m->cap = (int32) Max(a->purchases + b->purchases, RFM_MIN_CAP);
	{
		int128	   *const sums[2] = {&m->first_amount, &m->total_amount};

		bfirst = kpi_money_align(&m->scale, sums, 2, b->first_amount, b->scale);
		btotal = kpi_money_align(&m->scale, sums, 2, b->total_amount, b->scale);
	}
	while (i < a->purchases || j < b->purchases)
	{
		if (j >= b->purchases || (i < a->purchases && a->days[i] < b->days[j]))
			m->days[k++] = a->days[i++];
		else if (i >= a->purchases || b->days[j] < a->days[i])
			m->days[k++] = b->days[j++];
		else
		{
			m->days[k++] = a->days[i++];
			j++;
		}
	}
	m->total_amount = kpi_add128(m->total_amount, btotal);
	if (b->purchases > 0)
	{
		if (a->purchases == 0 || b->first_day < a->first_day)
			m->first_amount = bfirst;
		else if (b->first_day == a->first_day)
			m->first_amount = kpi_add128(m->first_amount, bfirst);
	}
	m->purchases = k;
	if (k > 0)
	{
		m->first_day = m->days[0];
		m->last_day = m->days[k - 1];
	}
	PG_RETURN_POINTER(m);
}

/* final: the summary without its days; NULL when no order fell in the calibration period */
PG_FUNCTION_INFO_V1(rfm_final);
Datum
rfm_final(PG_FUNCTION_ARGS)
{
	Rfm		   *s;
	Rfm		   *r;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = models_rfm_get(PG_GETARG_DATUM(0), "rfm_final");
	if (s->purchases == 0)
		PG_RETURN_NULL();
	r = kpi_fixed_new(RFM_VERSION, RFM_HEADER);
	memcpy(r, s, RFM_HEADER);
	SET_VARSIZE(r, RFM_HEADER);
	r->flags = 0;
	r->cap = 0;
	PG_RETURN_POINTER(r);
}

/* ---- I/O ---- */

PG_FUNCTION_INFO_V1(rfm_in);
PG_FUNCTION_INFO_V1(rfm_out);
PG_FUNCTION_INFO_V1(rfm_recv);
PG_FUNCTION_INFO_V1(rfm_send);

static const char *const rfm_kinds[] = {"summary", "state"};

/*
 * (version=1,kind=summary|state,customer=N,end=D,unit_us=N,first=D,last=D,
 *  purchases=N,first_amount=M,total_amount=M,days=[D,...])
 * days are days since 2000-01-01; days=[] in a summary.
 */
Datum
rfm_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	Rfm			h;
	Rfm		   *s;
	int32	   *days = NULL;
	int64		ndays = 0,
				room = 0;
	int			sc1,
				sc2;

	memset(&h, 0, sizeof(h));
	kpi_kv_begin(&kv, str, RFM_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != RFM_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	h.version = RFM_VERSION;
	h.flags = kpi_kv_word(&kv, "kind", rfm_kinds, 2, "Expected kind summary or state") == 1 ? RFM_F_STATE : 0;
	h.customer = (uint64) kpi_kv_int64(&kv, "customer", PG_INT64_MIN);
	h.end_day = (int32) kpi_kv_int64(&kv, "end", PG_INT32_MIN);
	h.unit_us = kpi_kv_int64(&kv, "unit_us", PG_INT64_MIN);
	h.first_day = (int32) kpi_kv_int64(&kv, "first", PG_INT32_MIN);
	h.last_day = (int32) kpi_kv_int64(&kv, "last", PG_INT32_MIN);
	h.purchases = kpi_kv_int64(&kv, "purchases", PG_INT64_MIN);
	kpi_kv_decimal(&kv, "first_amount", &h.first_amount, &sc1);
	kpi_kv_decimal(&kv, "total_amount", &h.total_amount, &sc2);
	h.scale = (int16) Max(sc1, sc2);
	h.first_amount = kpi_rescale(h.first_amount, sc1, h.scale);
	h.total_amount = kpi_rescale(h.total_amount, sc2, h.scale);
	kpi_kv_key(&kv, "days");
	kpi_kv_char(&kv, '[');
	if (!kpi_kv_peek(&kv, ']'))
	{
		do
		{
			if (ndays == room)
			{
				room = room ? room * 2 : 16;
				if (room > (int64) ((MaxAllocSize - RFM_HEADER) / sizeof(int32)))
					kpi_kv_fail(&kv, "Too many days");
				days = days ? repalloc(days, room * sizeof(int32)) : palloc(room * sizeof(int32));
			}
			days[ndays++] = (int32) kpi_kv_number(&kv, PG_INT32_MIN, PG_INT32_MAX, "day");
		} while (kpi_kv_more(&kv));
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_end(&kv);
	if (h.end_day < PG_INT32_MIN + 1 || h.first_day < PG_INT32_MIN + 1)
		kpi_kv_fail(&kv, "Day out of range");
	if (h.flags & RFM_F_STATE)
	{
		h.cap = (int32) Max(ndays, 1);
		if (ndays != h.purchases)
			kpi_bad_text(RFM_TYPNAME, str, "The number of days must equal purchases.");
	}
	else if (ndays != 0)
		kpi_bad_text(RFM_TYPNAME, str, "A summary carries no purchase days.");
	s = palloc0(RFM_HEADER + (Size) h.cap * sizeof(int32));
	memcpy(s, &h, RFM_HEADER);
	SET_VARSIZE(s, RFM_HEADER + (Size) h.cap * sizeof(int32));
	if (ndays > 0)
		memcpy(s->days, days, (Size) ndays * sizeof(int32));
	kpi_check_text(rfm_broken(s), RFM_TYPNAME, str);
	PG_RETURN_POINTER(s);
}

Datum
rfm_out(PG_FUNCTION_ARGS)
{
	Rfm		   *s = rfm_stored(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,kind=%s,customer=" INT64_FORMAT ",end=%d,unit_us=" INT64_FORMAT
					 ",first=%d,last=%d,purchases=" INT64_FORMAT ",first_amount=",
					 s->version, rfm_kinds[(s->flags & RFM_F_STATE) ? 1 : 0], (int64) s->customer,
					 s->end_day, s->unit_us, s->first_day, s->last_day, s->purchases);
	kpi_append_decimal(&buf, s->first_amount, s->scale);
	appendStringInfoString(&buf, ",total_amount=");
	kpi_append_decimal(&buf, s->total_amount, s->scale);
	appendStringInfoString(&buf, ",days=[");
	if (s->flags & RFM_F_STATE)
		for (int64 i = 0; i < Min(s->purchases, (int64) s->cap); i++)
			appendStringInfo(&buf, "%s%d", i ? "," : "", s->days[i]);
	appendStringInfoString(&buf, "])");
	PG_RETURN_CSTRING(buf.data);
}

Datum
rfm_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Rfm			h;
	Rfm		   *s;
	int64		ndays;

	memset(&h, 0, sizeof(h));
	h.version = pq_getmsgbyte(buf);
	if (h.version != RFM_VERSION)
		kpi_bad_binary(RFM_TYPNAME, "Unsupported format version.");
	h.flags = pq_getmsgbyte(buf);
	h.scale = pq_getmsgint(buf, 2);
	h.customer = (uint64) pq_getmsgint64(buf);
	h.end_day = pq_getmsgint(buf, 4);
	h.unit_us = pq_getmsgint64(buf);
	h.first_day = pq_getmsgint(buf, 4);
	h.last_day = pq_getmsgint(buf, 4);
	h.purchases = pq_getmsgint64(buf);
	h.first_amount = kpi_recv_int128(buf, RFM_TYPNAME);
	h.total_amount = kpi_recv_int128(buf, RFM_TYPNAME);
	ndays = pq_getmsgint64(buf);
	kpi_recv_count(buf, ndays, 4, RFM_TYPNAME, "The number of days does not match the message.");
	if (h.flags & RFM_F_STATE)
	{
		if (ndays != h.purchases)
			kpi_bad_binary(RFM_TYPNAME, "The number of days must equal purchases.");
		h.cap = (int32) Max(ndays, 1);
	}
	else if (ndays != 0)
		kpi_bad_binary(RFM_TYPNAME, "A summary carries no purchase days.");
	s = palloc0(RFM_HEADER + (Size) h.cap * sizeof(int32));
	memcpy(s, &h, RFM_HEADER);
	SET_VARSIZE(s, RFM_HEADER + (Size) h.cap * sizeof(int32));
	for (int64 i = 0; i < ndays; i++)
		s->days[i] = pq_getmsgint(buf, 4);
	kpi_recv_end(buf, RFM_TYPNAME);
	kpi_check_binary(rfm_broken(s), RFM_TYPNAME);
	PG_RETURN_POINTER(s);
}

Datum
rfm_send(PG_FUNCTION_ARGS)
{
	Rfm		   *s = rfm_stored(PG_GETARG_DATUM(0));
	StringInfoData buf;
	int64		ndays = (s->flags & RFM_F_STATE) ? Min(s->purchases, (int64) s->cap) : 0;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->flags);
	pq_sendint16(&buf, s->scale);
	pq_sendint64(&buf, (int64) s->customer);
	pq_sendint32(&buf, s->end_day);
	pq_sendint64(&buf, s->unit_us);
	pq_sendint32(&buf, s->first_day);
	pq_sendint32(&buf, s->last_day);
	pq_sendint64(&buf, s->purchases);
	kpi_send_int128(&buf, s->first_amount);
	kpi_send_int128(&buf, s->total_amount);
	pq_sendint64(&buf, ndays);
	for (int64 i = 0; i < ndays; i++)
		pq_sendint32(&buf, s->days[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- accessors ---- */

PG_FUNCTION_INFO_V1(rfm_frequency);
PG_FUNCTION_INFO_V1(rfm_recency);
PG_FUNCTION_INFO_V1(rfm_customer_age);
PG_FUNCTION_INFO_V1(rfm_mean_repeat_spend);
PG_FUNCTION_INFO_V1(rfm_repeat_revenue);
PG_FUNCTION_INFO_V1(rfm_first_purchase);
PG_FUNCTION_INFO_V1(rfm_last_purchase);
PG_FUNCTION_INFO_V1(rfm_calibration_end);
PG_FUNCTION_INFO_V1(rfm_time_unit);

Datum
rfm_frequency(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(models_rfm_x(models_rfm_reader(PG_GETARG_DATUM(0), "frequency")));
}

Datum
rfm_recency(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(models_rfm_t_x(models_rfm_reader(PG_GETARG_DATUM(0), "recency")));
}

Datum
rfm_customer_age(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(models_rfm_T(models_rfm_reader(PG_GETARG_DATUM(0), "customer_age")));
}

/* exact mean of the repeat purchases' amounts; NULL without repeat purchases */
Datum
rfm_mean_repeat_spend(PG_FUNCTION_ARGS)
{
	Rfm		   *s = models_rfm_reader(PG_GETARG_DATUM(0), "mean_repeat_spend");

	if (s->purchases <= 1)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(kpi_money_avg(s->total_amount - s->first_amount, s->scale, s->purchases - 1));
}

Datum
rfm_repeat_revenue(PG_FUNCTION_ARGS)
{
	Rfm		   *s = models_rfm_reader(PG_GETARG_DATUM(0), "repeat_revenue");

	PG_RETURN_DATUM(kpi_money_numeric(s->total_amount - s->first_amount, s->scale));
}

Datum
rfm_first_purchase(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(models_rfm_reader(PG_GETARG_DATUM(0), "first_purchase")->first_day);
}

Datum
rfm_last_purchase(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(models_rfm_reader(PG_GETARG_DATUM(0), "last_purchase")->last_day);
}

Datum
rfm_calibration_end(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(models_rfm_get(PG_GETARG_DATUM(0), "calibration_end")->end_day);
}

Datum
rfm_time_unit(PG_FUNCTION_ARGS)
{
	PG_RETURN_INTERVAL_P(models_unit_interval(models_rfm_get(PG_GETARG_DATUM(0), "time_unit")->unit_us));
}

/* a time unit of microseconds as an interval: days and time (a month is 30 days) */
Interval *
models_unit_interval(int64 unit_us)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->time = unit_us % KPI_USECS_PER_DAY;
	iv->day = (int32) (unit_us / KPI_USECS_PER_DAY);
	return iv;
}
