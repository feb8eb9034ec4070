/*
 * deal_summary.c - the deal summary type and the deal KPIs read from it.
 *
 * One fixed-size value holds everything the deal KPIs of spec section 2.1
 * need: counts, exact money sums and the summed sales cycle.  It is the
 * transition state of sales_velocity(), hit_ratio(won, amount) and
 * deal_summary(), the value rollup() merges, and a storable SQL type.
 *
 * Money sums are int128 at the summary's storage scale.  Each sum also
 * tracks its display scale (the largest dscale among its rows) and how many
 * rows have that scale, exactly as PostgreSQL's numeric avg does, so sums and
 * averages equal numeric sum()/avg() to the last digit and the inverse
 * transition knows when it cannot be exact (it then returns NULL and the
 * executor recomputes the window frame).
 */
#include "kpi/kpi.h"

#include <math.h>

#include "common/int.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#define DS_VERSION 1
#define DS_TYPNAME "deal_summary"

typedef struct MoneySum
{
	int128		sum;			/* at the summary's storage scale */
	int64		n;				/* rows summed */
	int64		scale_n;		/* rows whose dscale equals scale */
	int16		scale;			/* display scale: largest dscale of the rows */
	int16		pad[3];
} MoneySum;

typedef struct DealSummary
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;			/* reserved, 0 */
	int16		scale;			/* storage scale of every MoneySum.sum */
	int64		deals;			/* every row */
	int64		won;			/* won = true */
	int64		lost;			/* won = false */
	MoneySum	won_amt;
	MoneySum	lost_amt;
	MoneySum	open_amt;
	MoneySum	weighted;		/* sum of amount * probability over open deals */
	int128		cycle_us;		/* sum of closed - created over won deals */
	int64		cycle_n;
} DealSummary;

#define NMONEY 4

static inline MoneySum *
ds_money(DealSummary *s, int i)
{
	return i == 0 ? &s->won_amt : i == 1 ? &s->lost_amt : i == 2 ? &s->open_amt : &s->weighted;
}

static const char *const money_names[NMONEY] = {"won_amount", "lost_amount", "open_amount", "weighted_pipeline"};

/* the longest sales cycle of one deal: from the first to the last timestamp */
#define DS_MAX_CYCLE_US ((int128) END_TIMESTAMP - 1 - MIN_TIMESTAMP)

/* 10^(storage scale - display scale of m), both at most KPI_MAX_SCALE */
static int128
money_factor(const DealSummary *s, const MoneySum *m)
{
	int128		p10 = 1;

	for (int k = m->scale; k < s->scale; k++)
		p10 *= 10;
	return p10;
}

/* m->sum at its own display scale (it is stored at the summary's scale) */
static int128
money_display(const DealSummary *s, const MoneySum *m)
{
	return m->sum / money_factor(s, m);
}

static char *
money_text(const DealSummary *s, const MoneySum *m)
{
	StringInfoData buf;

	initStringInfo(&buf);
	kpi_append_decimal(&buf, money_display(s, m), m->scale);
	return buf.data;
}

/*
 * Every invariant a deal_summary keeps, however it was made: NULL when s
 * keeps them all, else the one it breaks.  Text and binary input (which are
 * untrusted), the combine functions (on their arguments) and the inverse
 * transitions (on their result) all check through this one function.
 */
static const char *
ds_broken(const DealSummary *s)
{
	if (s->version != DS_VERSION)
		return "Unsupported format version.";
	if (s->flags != 0)
		return "Unknown flag bits are set.";
	if (s->scale < 0 || s->scale > KPI_MAX_SCALE)
		return "Storage scale out of range.";
	if (s->deals < 0 || s->won < 0 || s->lost < 0 || s->won > s->deals ||
		s->lost > s->deals - s->won)
		return "Counts must be non-negative and won + lost must not exceed deals.";
	if (s->cycle_n < 0 || s->cycle_n > s->won || s->cycle_us < 0 ||
		(s->cycle_n == 0 && s->cycle_us != 0))
		return "The sales cycle count must be between 0 and won, and its sum non-negative (0 when the count is 0).";
	for (int i = 0; i < NMONEY; i++)
	{
		const MoneySum *m = ds_money((DealSummary *) s, i);
		int64		limit = i == 0 ? s->won : i == 1 ? s->lost : s->deals - s->won - s->lost;

		/* the weighted sum also counts toward open deals only */

		if (m->n < 0 || m->n > limit)
			return "An amount count exceeds the number of deals of its kind.";
		if (m->scale < 0 || m->scale > s->scale || m->scale_n < 0 || m->scale_n > m->n ||
			(m->n > 0 && m->scale_n == 0) || (m->n == 0 && (m->sum != 0 || m->scale != 0 || m->scale_n != 0)))
			return "An amount's display scale or its count is inconsistent.";
		if (m->sum < 0)
			return "Amount sums must not be negative.";
		if (m->sum % money_factor(s, m) != 0)
			return "An amount sum has more digits than its display scale.";
	}
	/* amount * probability of open deals with an amount, probability in [0, 1] */
	if (s->weighted.n > s->open_amt.n)
		return psprintf("The weighted pipeline counts more deals (" INT64_FORMAT ") than the open deals with an amount ("
						INT64_FORMAT ").", s->weighted.n, s->open_amt.n);
	if (s->weighted.sum > s->open_amt.sum)
		return psprintf("The weighted pipeline (%s) exceeds the open amount (%s): probabilities are at most 1.",
						money_text(s, &s->weighted), money_text(s, &s->open_amt));
	if (s->cycle_us > (int128) s->cycle_n * DS_MAX_CYCLE_US)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		kpi_append_decimal(&buf, s->cycle_us, 0);
		return psprintf("The summed sales cycle (%s microseconds) is longer than " INT64_FORMAT
						" deals can take within the timestamp range.", buf.data, s->cycle_n);
	}
	return NULL;
}

/* The value of d, its size and version checked (for trusted callers). */
static DealSummary *
ds_get(Datum d)
{
	DealSummary *s = (DealSummary *) PG_DETOAST_DATUM(d);

	if (VARSIZE(s) != sizeof(DealSummary) || s->version != DS_VERSION)
		kpi_bad_value("sales_kpi", DS_TYPNAME, "Wrong size or format version.");
	return s;
}

/* The value of d with every invariant checked: fname refuses a broken one. */
static DealSummary *
ds_get_valid(Datum d, const char *fname)
{
	DealSummary *s = ds_get(d);
	const char *broken = ds_broken(s);

	if (broken)
		kpi_bad_value(fname, DS_TYPNAME, broken);
	return s;
}

static DealSummary *
ds_new(void)
{
	DealSummary *s = palloc0(sizeof(DealSummary));

	SET_VARSIZE(s, sizeof(DealSummary));
	s->version = DS_VERSION;
	return s;
}

/* The state to update: a new one for NULL, else a writable one. */
static DealSummary *
ds_state(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		return ds_new();
	return kpi_writable(fcinfo, argno, ds_get(PG_GETARG_DATUM(argno)));
}

/* Raise the storage scale of s to at least scale. */
static void
ds_raise_scale(DealSummary *s, int scale)
{
	int128	   *sums[NMONEY];

	for (int i = 0; i < NMONEY; i++)
		sums[i] = &ds_money(s, i)->sum;
	kpi_raise_scale(&s->scale, sums, NMONEY, scale);
}

/*
 * Add (sign = 1) or remove (sign = -1) one amount of the given dscale.
 * Returns false when a removal leaves the display scale uncertain.
 */
static bool
money_step(DealSummary *s, MoneySum *m, int128 v, int dscale, int sign)
{
	ds_raise_scale(s, dscale);
	v = kpi_rescale(v, dscale, s->scale);
	if (sign > 0)
	{
		m->sum = kpi_add128(m->sum, v);
		m->n++;
		if (dscale > m->scale || m->n == 1)
		{
			m->scale = (int16) dscale;
			m->scale_n = 1;
		}
		else if (dscale == m->scale)
			m->scale_n++;
		return true;
	}
	if (m->n <= 0)
		return false;
	if (dscale == m->scale)
	{
		if (m->scale_n > 1 || m->scale == 0)
			m->scale_n--;
		else if (m->n == 1)
			m->scale = 0, m->scale_n = 0;
		else
			return false;
	}
	m->sum -= v;
	m->n--;
	if (m->n == 0)
		m->scale = 0, m->scale_n = 0;
	return true;
}

/*
 * Where a transition function finds its arguments (argument numbers, 0 =
 * not an argument of this function), and whether its times are dates.
 */
typedef struct DsArgs
{
	int			amount;
	int			won;
	int			created;
	int			closed;
	int			prob;
	bool		is_date;
} DsArgs;

/* argument argno is passed to this function and not NULL */
static inline bool
ds_has(FunctionCallInfo fcinfo, int argno)
{
	return argno != 0 && argno < PG_NARGS() && !PG_ARGISNULL(argno);
}

static int64
ds_time(FunctionCallInfo fcinfo, const DsArgs *a, int argno, const char *fname, const char *argname)
{
	return a->is_date ? kpi_date_usec(PG_GETARG_DATUM(argno), fcinfo, fname, argname)
		: kpi_timestamp_usec(PG_GETARG_DATUM(argno), fcinfo, fname, argname);
}

/* A non-NULL probability argument, decoded and checked to lie in [0, 1]. */
static void
ds_probability(FunctionCallInfo fcinfo, const DsArgs *a, const char *fname, int128 *p, int *pscale)
{
	Datum		probd = PG_GETARG_DATUM(a->prob);

	kpi_numeric_decode(probd, fcinfo, fname, "probability", p, pscale);
	if (*p < 0 || *p > kpi_rescale(1, 0, *pscale))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: probability must be between 0 and 1, got %s", kpi_caller(fcinfo, fname),
						DatumGetCString(DirectFunctionCall1(numeric_out, probd))),
				 errhint("Pass a fraction, e.g. 0.25 for 25%%.")));
}

/* A non-NULL amount argument, decoded and checked to be non-negative. */
static void
ds_amount(FunctionCallInfo fcinfo, const DsArgs *a, const char *fname, int128 *v, int *dscale)
{
	Datum		amount = PG_GETARG_DATUM(a->amount);

	kpi_numeric_decode(amount, fcinfo, fname, "amount", v, dscale);
	if (*v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: amount must not be negative, got %s", kpi_caller(fcinfo, fname),
						DatumGetCString(DirectFunctionCall1(numeric_out, amount))),
				 errhint("Deal amounts are values of deals; filter out or fix credit notes and corrections.")));
}

/*
 * Add (sign = 1) or remove (sign = -1) one deal row.  Any argument may be
 * NULL or absent: won NULL = open deal; amount NULL = in no money KPI;
 * created/closed NULL = not in the sales cycle; probability NULL = not in the
 * weighted pipeline.  The amount and the probability are checked whenever
 * they are given, whether or not the row uses them; the dates only for a
 * decided deal (an open deal's dates are not used).  Returns false when a
 * removal cannot be exact.
 */
static bool
ds_row(DealSummary *s, int sign, FunctionCallInfo fcinfo, const DsArgs *a, const char *fname)
{
	bool		won_null = !ds_has(fcinfo, a->won);
	bool		won = !won_null && PG_GETARG_BOOL(a->won);
	bool		has_amount = ds_has(fcinfo, a->amount);
	bool		has_prob = ds_has(fcinfo, a->prob);
	int128		v = 0,
				p = 0;
	int			dscale = 0,
				pscale = 0;

	if (has_amount)
		ds_amount(fcinfo, a, fname, &v, &dscale);
	if (has_prob)
		ds_probability(fcinfo, a, fname, &p, &pscale);

	/* every other count is at most deals: if deals takes one more row, they do */
	if (sign > 0 && s->deals == PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: count out of range", kpi_caller(fcinfo, fname)),
				 errdetail("The summary already holds " INT64_FORMAT " deals.", s->deals)));
	s->deals += sign;
	if (!won_null)
	{
		if (won)
			s->won += sign;
		else
			s->lost += sign;
	}
	if (has_amount)
	{
		MoneySum   *m = won_null ? &s->open_amt : won ? &s->won_amt : &s->lost_amt;

		if (!money_step(s, m, v, dscale, sign))
			return false;

		/* weighted pipeline: amount * probability of open deals, exact */
		if (won_null && has_prob)
		{
			int128		w;

			if (dscale + pscale > KPI_MAX_SCALE || __builtin_mul_overflow(v, p, &w))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("%s: amount * probability out of range for exact accumulation", kpi_caller(fcinfo, fname)),
						 errhint("Round the probability, e.g. round(probability, 4).")));
			if (!money_step(s, &s->weighted, w, dscale + pscale, sign))
				return false;
		}
	}
	if (!won_null && ds_has(fcinfo, a->created) && ds_has(fcinfo, a->closed))
	{
		int64		created = ds_time(fcinfo, a, a->created, fname, "created");
		int64		closed = ds_time(fcinfo, a, a->closed, fname, "closed");

		if (closed < created)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: closed must not be before created", kpi_caller(fcinfo, fname)),
					 errdetail("A decided deal was closed %.6f days before it was created.",
							   ((double) created - (double) closed) / KPI_USECS_PER_DAY),
					 errhint("Fix the deal's dates, or pass NULL as closed to leave it out of the sales cycle.")));
		if (won)
		{
			s->cycle_us += sign * ((int128) closed - (int128) created);
			s->cycle_n += sign;
		}
	}
	if (s->deals < 0 || s->won < 0 || s->lost < 0 || s->cycle_n < 0)
		return false;
	return true;
}

/*
 * One transition.  A removal that cannot be exact, or that would leave a
 * summary no set of rows gives (a row removed that was never added, such as
 * a larger amount or a longer cycle than the summary holds), returns NULL:
 * the executor then recomputes the window frame.
 */
static Datum
ds_accum(FunctionCallInfo fcinfo, int sign, const DsArgs *a, const char *fname)
{
	DealSummary *s;

	if (sign < 0 && PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = ds_state(fcinfo, 0);
	if (!ds_row(s, sign, fcinfo, a, fname) || (sign < 0 && ds_broken(s)))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
}

/*
 * The transition functions, forward and inverse, of every aggregate whose
 * state is a deal_summary.  Timestamp and timestamptz share one C function
 * (both are int64 microseconds); dates have their own.
 */
#define DS_TRANSITION(name, ...) \
	PG_FUNCTION_INFO_V1(name); \
	Datum name(PG_FUNCTION_ARGS) \
	{ \
		static const DsArgs a = {__VA_ARGS__}; \
		return ds_accum(fcinfo, 1, &a, #name); \
	} \
	PG_FUNCTION_INFO_V1(name##_inv); \
	Datum name##_inv(PG_FUNCTION_ARGS) \
	{ \
		static const DsArgs a = {__VA_ARGS__}; \
		return ds_accum(fcinfo, -1, &a, #name); \
	}

/* (amount, won, created, closed [, probability]) */
DS_TRANSITION(deal_summary_accum, .amount = 1,.won = 2,.created = 3,.closed = 4,.prob = 5)
DS_TRANSITION(deal_summary_accum_date, .amount = 1,.won = 2,.created = 3,.closed = 4,.prob = 5,.is_date = true)
/* hit_ratio(won, amount) */
DS_TRANSITION(deal_summary_won_accum, .won = 1,.amount = 2)
/* avg_deal_size(amount, won) */
DS_TRANSITION(deal_summary_amount_accum, .amount = 1,.won = 2)
/* sales_cycle_days(created, closed, won) */
DS_TRANSITION(deal_summary_cycle_accum, .created = 1,.closed = 2,.won = 3)
DS_TRANSITION(deal_summary_cycle_accum_date, .created = 1,.closed = 2,.won = 3,.is_date = true)
/* weighted_pipeline(amount, probability): every row counts as open */
DS_TRANSITION(deal_summary_weighted_accum, .amount = 1,.prob = 2)

/*
 * Merge (sign = 1) or un-merge (sign = -1) summary b into a.  Returns false
 * when un-merging leaves a display scale uncertain.
 */
static bool
ds_merge(DealSummary *a, const DealSummary *b, int sign)
{
	ds_raise_scale(a, b->scale);
	if (pg_add_s64_overflow(a->deals, sign * b->deals, &a->deals) ||
		pg_add_s64_overflow(a->won, sign * b->won, &a->won) ||
		pg_add_s64_overflow(a->lost, sign * b->lost, &a->lost) ||
		pg_add_s64_overflow(a->cycle_n, sign * b->cycle_n, &a->cycle_n))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("deal_summary: count out of range")));
	a->cycle_us = kpi_add128(a->cycle_us, sign * b->cycle_us);
	for (int i = 0; i < NMONEY; i++)
	{
		MoneySum   *ma = ds_money(a, i);
		const MoneySum *mb = ds_money((DealSummary *) b, i);
		int128		v = kpi_rescale(mb->sum, b->scale, a->scale);

		if (mb->n == 0)
			continue;
		if (sign > 0)
		{
			if (ma->n == 0 || mb->scale > ma->scale)
				ma->scale = mb->scale, ma->scale_n = mb->scale_n;
			else if (mb->scale == ma->scale)
				ma->scale_n += mb->scale_n;
			ma->sum = kpi_add128(ma->sum, v);
			ma->n += mb->n;
		}
		else
		{
			if (mb->scale > ma->scale || mb->n > ma->n)
				return false;
			if (mb->scale == ma->scale)
			{
				if (ma->n == mb->n)
					ma->scale = 0, ma->scale_n = 0;
				else if (ma->scale_n > mb->scale_n || ma->scale == 0)
					ma->scale_n -= mb->scale_n;
				else
					return false;
			}
			ma->sum -= v;
			ma->n -= mb->n;
		}
	}
	if (a->deals < 0 || a->won < 0 || a->lost < 0 || a->cycle_n < 0)
		return false;
	return true;
}

PG_FUNCTION_INFO_V1(deal_summary_combine);
PG_FUNCTION_INFO_V1(deal_summary_combine_inv);

/*
 * Both arguments of the combine functions are checked for every invariant:
 * they are anyone's values (rollup() runs over stored summaries).
 */
Datum
deal_summary_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "deal_summary_combine";
	DealSummary *a;

	if (!PG_ARGISNULL(0))
		ds_get_valid(PG_GETARG_DATUM(0), fname);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	a = ds_state(fcinfo, 0);
	ds_merge(a, ds_get_valid(PG_GETARG_DATUM(1), fname), 1);
	PG_RETURN_POINTER(a);
}

/*
 * Un-merge b from a.  NULL (recompute the frame) when that cannot be exact,
 * or when b holds more than a (it was never merged into a): the result would
 * be no summary of any rows.
 */
Datum
deal_summary_combine_inv(PG_FUNCTION_ARGS)
{
	const char *fname = "deal_summary_combine_inv";
	DealSummary *a;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	ds_get_valid(PG_GETARG_DATUM(0), fname);
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	a = ds_state(fcinfo, 0);
	if (!ds_merge(a, ds_get_valid(PG_GETARG_DATUM(1), fname), -1) || ds_broken(a))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(a);
}

/* ---- text and binary I/O ---- */

PG_FUNCTION_INFO_V1(deal_summary_in);
PG_FUNCTION_INFO_V1(deal_summary_out);
PG_FUNCTION_INFO_V1(deal_summary_recv);
PG_FUNCTION_INFO_V1(deal_summary_send);

Datum
deal_summary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	DealSummary *s = ds_new();
	KvParser	kv;
	int128		sums[NMONEY];
	int			scales[NMONEY];
	const char *bad;

	kv_begin(&kv, str, DS_TYPNAME);
	if (kv_int64(&kv, "version", 0) != DS_VERSION)
		kv_fail(&kv, "Unsupported format version");
	s->deals = kv_int64(&kv, "deals", 0);
	s->won = kv_int64(&kv, "won", 0);
	s->lost = kv_int64(&kv, "lost", 0);
	for (int i = 0; i < NMONEY; i++)
	{
		char		key[32];
		MoneySum   *m = ds_money(s, i);

		kv_decimal(&kv, money_names[i], &sums[i], &scales[i]);
		snprintf(key, sizeof(key), "%s_n", money_names[i]);
		m->n = kv_int64(&kv, key, 0);
		snprintf(key, sizeof(key), "%s_scale_n", money_names[i]);
		m->scale_n = kv_int64(&kv, key, 0);
		m->scale = (int16) scales[i];
		if (scales[i] > s->scale)
			s->scale = (int16) scales[i];
	}
	for (int i = 0; i < NMONEY; i++)
		ds_money(s, i)->sum = kpi_rescale(sums[i], scales[i], s->scale);
	{
		int			cycle_scale;

		kv_decimal(&kv, "cycle_us", &s->cycle_us, &cycle_scale);
		if (cycle_scale != 0)
			kv_fail(&kv, "cycle_us must be a whole number of microseconds");
	}
	s->cycle_n = kv_int64(&kv, "cycle_n", 0);
	kv_end(&kv);
	bad = ds_broken(s);
	if (bad)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type " DS_TYPNAME ": \"%s\"", str),
				 errdetail("%s", bad)));
	PG_RETURN_POINTER(s);
}

Datum
deal_summary_out(PG_FUNCTION_ARGS)
{
	DealSummary *s = ds_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,deals=" INT64_FORMAT ",won=" INT64_FORMAT ",lost=" INT64_FORMAT,
					 s->version, s->deals, s->won, s->lost);
	for (int i = 0; i < NMONEY; i++)
	{
		MoneySum   *m = ds_money(s, i);

		appendStringInfo(&buf, ",%s=", money_names[i]);
		kpi_append_decimal(&buf, money_display(s, m), m->scale);
		appendStringInfo(&buf, ",%s_n=" INT64_FORMAT ",%s_scale_n=" INT64_FORMAT,
						 money_names[i], m->n, money_names[i], m->scale_n);
	}
	/* the summed cycle is an int128: one deal fits in int64, a sum may not */
	appendStringInfoString(&buf, ",cycle_us=");
	kpi_append_decimal(&buf, s->cycle_us, 0);
	appendStringInfo(&buf, ",cycle_n=" INT64_FORMAT ")", s->cycle_n);
	PG_RETURN_CSTRING(buf.data);
}

Datum
deal_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	DealSummary *s = ds_new();
	const char *bad;

	s->version = pq_getmsgbyte(buf);
	if (s->version != DS_VERSION)
		kpi_bad_binary(DS_TYPNAME, "Unsupported format version.");
	s->flags = pq_getmsgbyte(buf);
	s->scale = pq_getmsgint(buf, 2);
	s->deals = pq_getmsgint64(buf);
	s->won = pq_getmsgint64(buf);
	s->lost = pq_getmsgint64(buf);
	for (int i = 0; i < NMONEY; i++)
	{
		MoneySum   *m = ds_money(s, i);

		m->sum = kpi_recv_int128(buf, DS_TYPNAME);
		m->n = pq_getmsgint64(buf);
		m->scale_n = pq_getmsgint64(buf);
		m->scale = pq_getmsgint(buf, 2);
	}
	s->cycle_us = kpi_recv_int128(buf, DS_TYPNAME);
	s->cycle_n = pq_getmsgint64(buf);
	kpi_recv_end(buf, DS_TYPNAME);
	bad = ds_broken(s);
	if (bad)
		kpi_bad_binary(DS_TYPNAME, bad);
	PG_RETURN_POINTER(s);
}

Datum
deal_summary_send(PG_FUNCTION_ARGS)
{
	DealSummary *s = ds_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->flags);
	pq_sendint16(&buf, s->scale);
	pq_sendint64(&buf, s->deals);
	pq_sendint64(&buf, s->won);
	pq_sendint64(&buf, s->lost);
	for (int i = 0; i < NMONEY; i++)
	{
		MoneySum   *m = ds_money(s, i);

		kpi_send_int128(&buf, m->sum);
		pq_sendint64(&buf, m->n);
		pq_sendint64(&buf, m->scale_n);
		pq_sendint16(&buf, m->scale);
	}
	kpi_send_int128(&buf, s->cycle_us);
	pq_sendint64(&buf, s->cycle_n);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- accessors (also the final functions of the aggregates) ---- */

static Datum
money_numeric(const DealSummary *s, const MoneySum *m)
{
	return kpi_money_numeric(money_display(s, m), m->scale);
}

static double
ds_hit_ratio(const DealSummary *s, bool *isnull)
{
	*isnull = (s->won + s->lost == 0);
	return *isnull ? 0 : (double) s->won / (double) (s->won + s->lost);
}

static double
ds_cycle_days(const DealSummary *s, bool *isnull)
{
	*isnull = (s->cycle_n == 0);
	return *isnull ? 0 : (double) s->cycle_us / (double) s->cycle_n / (double) KPI_USECS_PER_DAY;
}

PG_FUNCTION_INFO_V1(deal_summary_deals);
PG_FUNCTION_INFO_V1(deal_summary_won);
PG_FUNCTION_INFO_V1(deal_summary_lost);
PG_FUNCTION_INFO_V1(deal_summary_open);
PG_FUNCTION_INFO_V1(deal_summary_won_amount);
PG_FUNCTION_INFO_V1(deal_summary_lost_amount);
PG_FUNCTION_INFO_V1(deal_summary_open_amount);
PG_FUNCTION_INFO_V1(deal_summary_weighted_pipeline);
PG_FUNCTION_INFO_V1(deal_summary_hit_ratio);
PG_FUNCTION_INFO_V1(deal_summary_hit_ratio_by_amount);
PG_FUNCTION_INFO_V1(deal_summary_avg_deal_size);
PG_FUNCTION_INFO_V1(deal_summary_sales_cycle_days);
PG_FUNCTION_INFO_V1(deal_summary_sales_velocity);

Datum
deal_summary_deals(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(ds_get(PG_GETARG_DATUM(0))->deals);
}

Datum
deal_summary_won(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(ds_get(PG_GETARG_DATUM(0))->won);
}

Datum
deal_summary_lost(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(ds_get(PG_GETARG_DATUM(0))->lost);
}

Datum
deal_summary_open(PG_FUNCTION_ARGS)
{
	DealSummary *s = ds_get(PG_GETARG_DATUM(0));

	PG_RETURN_INT64(s->deals - s->won - s->lost);
}

/* Sums of amounts: 0 when no row had an amount, like coalesce(sum(x), 0). */
Datum
deal_summary_won_amount(PG_FUNCTION_ARGS)
{
	DealSummary *s = ds_get(PG_GETARG_DATUM(0));

	PG_RETURN_DATUM(money_numeric(s, &s->won_amt));
}

Datum
deal_summary_lost_amount(PG_FUNCTION_ARGS)
{
	DealSummary *s = ds_get(PG_GETARG_DATUM(0));

	PG_RETURN_DATUM(money_numeric(s, &s->lost_amt));
}

Datum
deal_summary_open_amount(PG_FUNCTION_ARGS)
{
	DealSummary *s = ds_get(PG_GETARG_DATUM(0));

	PG_RETURN_DATUM(money_numeric(s, &s->open_amt));
}

/* sum of amount * probability; NULL when no row had both */
Datum
deal_summary_weighted_pipeline(PG_FUNCTION_ARGS)
{
	DealSummary *s = ds_get(PG_GETARG_DATUM(0));

	if (s->weighted.n == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(money_numeric(s, &s->weighted));
}

Datum
deal_summary_hit_ratio(PG_FUNCTION_ARGS)
{
	bool		isnull;
	double		r = ds_hit_ratio(ds_get(PG_GETARG_DATUM(0)), &isnull);

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r);
}

/* sum(amount of won) / sum(amount of decided); NULL when that is 0 */
Datum
deal_summary_hit_ratio_by_amount(PG_FUNCTION_ARGS)
{
	DealSummary *s = ds_get(PG_GETARG_DATUM(0));
	int128		decided;

	/* the two sums are each in range; their total may not be */
	if (__builtin_add_overflow(s->won_amt.sum, s->lost_amt.sum, &decided))
		PG_RETURN_FLOAT8((double) s->won_amt.sum /
						 ((double) s->won_amt.sum + (double) s->lost_amt.sum));
	if (decided == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) s->won_amt.sum / (double) decided);
}

/* numeric avg of the amounts of won deals, equal to avg(amount) */
Datum
deal_summary_avg_deal_size(PG_FUNCTION_ARGS)
{
	DealSummary *s = ds_get(PG_GETARG_DATUM(0));

	if (s->won_amt.n == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, money_numeric(s, &s->won_amt),
										NumericGetDatum(int64_to_numeric(s->won_amt.n))));
}

Datum
deal_summary_sales_cycle_days(PG_FUNCTION_ARGS)
{
	bool		isnull;
	double		d = ds_cycle_days(ds_get(PG_GETARG_DATUM(0)), &isnull);

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(d);
}

/* opportunities * hit_ratio * avg_deal_size / sales_cycle_days */
Datum
deal_summary_sales_velocity(PG_FUNCTION_ARGS)
{
	DealSummary *s = ds_get(PG_GETARG_DATUM(0));
	bool		n1,
				n2;
	double		hr = ds_hit_ratio(s, &n1);
	double		days = ds_cycle_days(s, &n2);
	double		avg;

	if (n1 || n2 || s->won_amt.n == 0 || days == 0.0)
		PG_RETURN_NULL();
	avg = kpi_money_double(s->won_amt.sum, s->scale) / (double) s->won_amt.n;
	PG_RETURN_FLOAT8((double) s->deals * hr * avg / days);
}

/* ---- scalar form ---- */

PG_FUNCTION_INFO_V1(sales_velocity_scalar);

Datum
sales_velocity_scalar(PG_FUNCTION_ARGS)
{
	double		opps = PG_GETARG_FLOAT8(0);
	double		hr = PG_GETARG_FLOAT8(1);
	int128		avg;
	int			avg_scale;
	double		days = PG_GETARG_FLOAT8(3);
	double		v;

	if (isnan(opps) || isinf(opps) || opps < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sales_velocity: opportunities must be a finite non-negative number, got %g", opps)));
	kpi_check_ratio(hr, "sales_velocity", "hit_ratio");
	kpi_numeric_decode(PG_GETARG_DATUM(2), NULL, "sales_velocity", "avg_deal_size", &avg, &avg_scale);
	if (avg < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sales_velocity: avg_deal_size must not be negative, got %s",
						DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(2))))));
	if (isnan(days) || isinf(days) || days < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sales_velocity: cycle_days must be a finite non-negative number, got %g", days)));
	if (days == 0.0)
		PG_RETURN_NULL();
	v = opps * hr * kpi_money_double(avg, avg_scale) / days;
	if (isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sales_velocity: result out of range for double precision"),
				 errdetail("opportunities = %g, hit_ratio = %g, avg_deal_size = %s, cycle_days = %g.", opps, hr,
						   DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(2))), days)));
	PG_RETURN_FLOAT8(v);
}
