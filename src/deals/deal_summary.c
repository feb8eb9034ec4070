/*
 * deal_summary.c - the deal summary type and the deal KPIs read from it.
 *
 * One fixed-size value holds everything the deal KPIs of spec section 2.1
 * need: counts, exact money sums and the summed sales cycle.  It is the
 * transition state of sales_velocity(), hit_ratio(won, amount) and
 * deal_summary(), the value rollup() merges, and a storable SQL type.  The
 * hit ratios read from it are in hit_ratio.c, sales velocity in velocity.c.
 *
 * Money sums are int128 at the summary's storage scale.  Each sum also
 * tracks its display scale (the largest dscale among its rows) and how many
 * rows have that scale, exactly as PostgreSQL's numeric avg does (a
 * KpiMoneySum, money.h), so sums and averages equal numeric sum()/avg() to
 * the last digit and the inverse transition knows when it cannot be exact (it
 * then returns NULL and the executor recomputes the window frame).
 */
#include "kpi/kpi.h"
#include "deals/deals.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

StaticAssertDecl(offsetof(DealSummary, version) == VARHDRSZ, "the version follows the length word");

#define NMONEY 4

static inline KpiMoneySum *
ds_money(DealSummary *s, int i)
{
	return i == 0 ? &s->won_amt : i == 1 ? &s->lost_amt : i == 2 ? &s->open_amt : &s->weighted;
}

static const char *const money_names[NMONEY] = {"won_amount", "lost_amount", "open_amount", "weighted_pipeline"};

/* the longest sales cycle of one deal: from the first to the last timestamp */
#define DS_MAX_CYCLE_US ((int128) END_TIMESTAMP - 1 - MIN_TIMESTAMP)

/*
 * Every invariant a deal_summary keeps, however it was made: NULL when s
 * keeps them all, else the one it breaks.  Text and binary input (which are
 * untrusted), the combine functions (on their arguments) and the inverse
 * transitions (on their result) all check through this one function.
 */
static const char *
ds_broken(const void *value)
{
	const DealSummary *s = value;

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
		const KpiMoneySum *m = ds_money((DealSummary *) s, i);
		int64		limit = i == 0 ? s->won : i == 1 ? s->lost : s->deals - s->won - s->lost;
		const char *broken;

		/* the weighted sum also counts toward open deals only */

		if (m->n < 0 || m->n > limit)
			return "An amount count exceeds the number of deals of its kind.";
		if ((broken = kpi_moneysum_broken(m, s->scale)) != NULL)
			return broken;
	}
	/* amount * probability of open deals with an amount, probability in [0, 1] */
	if (s->weighted.n > s->open_amt.n)
		return psprintf("The weighted pipeline counts more deals (" INT64_FORMAT ") than the open deals with an amount ("
						INT64_FORMAT ").", s->weighted.n, s->open_amt.n);
	if (s->weighted.sum > s->open_amt.sum)
		return psprintf("The weighted pipeline (%s) exceeds the open amount (%s): probabilities are at most 1.",
						kpi_moneysum_text(&s->weighted, s->scale), kpi_moneysum_text(&s->open_amt, s->scale));
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

DealSummary *
deals_get(Datum d)
{
	return kpi_fixed_get(d, DS_VERSION, sizeof(DealSummary), DS_TYPNAME);
}

/* The value of d with every invariant checked: fname refuses a broken one. */
#define ds_get_valid(d, fname) ((DealSummary *) kpi_valid(deals_get(d), ds_broken, fname, DS_TYPNAME))

/* The state to update: a new one for NULL, else a writable one. */
#define ds_state(fcinfo, argno) \
	((DealSummary *) kpi_fixed_state(fcinfo, argno, DS_VERSION, sizeof(DealSummary), DS_TYPNAME))

/* Raise the storage scale of s to at least scale. */
static void
ds_raise_scale(DealSummary *s, int scale)
{
	int128	   *const sums[NMONEY] = {&s->won_amt.sum, &s->lost_amt.sum, &s->open_amt.sum, &s->weighted.sum};

	kpi_money_raise(&s->scale, sums, NMONEY, scale);
}

/* v of scale vscale at the storage scale of s, raising that first if need be */
static int128
ds_align(DealSummary *s, int128 v, int vscale)
{
	ds_raise_scale(s, vscale);
	return kpi_rescale(v, vscale, s->scale);
}

/* ---- transition ---- */

/* argument argno is passed to this function and not NULL */
static inline bool
ds_has(FunctionCallInfo fcinfo, int argno)
{
	return argno != 0 && argno < PG_NARGS() && !PG_ARGISNULL(argno);
}

static int64
ds_time(FunctionCallInfo fcinfo, const DsArgs *a, int argno, const char *fname, const char *argname)
{
	return kpi_time_usec(PG_GETARG_DATUM(argno), a->is_date ? TIME_DATE : TIME_TIMESTAMP,
						 fcinfo, fname, argname);
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
		kpi_numeric_nonneg(PG_GETARG_DATUM(a->amount), fcinfo, fname, "amount",
						   "Deal amounts are values of deals; filter out or fix credit notes and corrections.",
						   &v, &dscale);
	if (has_prob)
		ds_probability(fcinfo, a, fname, &p, &pscale);

	/* every other count is at most deals: if deals takes one more row, they do */
	if (sign > 0 && s->deals == PG_INT64_MAX)
		kpi_count_overflow(kpi_caller(fcinfo, fname),
						   psprintf("The summary already holds " INT64_FORMAT " deals.", s->deals));
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
		KpiMoneySum *m = won_null ? &s->open_amt : won ? &s->won_amt : &s->lost_amt;

		if (!kpi_moneysum_step(m, ds_align(s, v, dscale), dscale, sign))
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
			if (!kpi_moneysum_step(&s->weighted, ds_align(s, w, dscale + pscale), dscale + pscale, sign))
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
Datum
deals_accum(FunctionCallInfo fcinfo, int sign, const DsArgs *a, const char *fname)
{
	DealSummary *s;

	if (sign < 0 && PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = ds_state(fcinfo, 0);
	if (!ds_row(s, sign, fcinfo, a, fname) || (sign < 0 && ds_broken(s)))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
}

/* (amount, won, created, closed [, probability]) */
DS_TRANSITION(deal_summary_accum, .amount = 1,.won = 2,.created = 3,.closed = 4,.prob = 5);
DS_TRANSITION(deal_summary_accum_date, .amount = 1,.won = 2,.created = 3,.closed = 4,.prob = 5,.is_date = true);
/* avg_deal_size(amount, won) */
DS_TRANSITION(deal_summary_amount_accum, .amount = 1,.won = 2);
/* sales_cycle_days(created, closed, won) */
DS_TRANSITION(deal_summary_cycle_accum, .created = 1,.closed = 2,.won = 3);
DS_TRANSITION(deal_summary_cycle_accum_date, .created = 1,.closed = 2,.won = 3,.is_date = true);
/* weighted_pipeline(amount, probability): every row counts as open */
DS_TRANSITION(deal_summary_weighted_accum, .amount = 1,.prob = 2);

/* ---- combine ---- */

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
		kpi_count_overflow(DS_TYPNAME, NULL);
	a->cycle_us = kpi_add128(a->cycle_us, sign * b->cycle_us);
	for (int i = 0; i < NMONEY; i++)
	{
		const KpiMoneySum *mb = ds_money((DealSummary *) b, i);

		if (!kpi_moneysum_merge(ds_money(a, i), mb, kpi_rescale(mb->sum, b->scale, a->scale), sign))
			return false;
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
		return kpi_unchanged(fcinfo);
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
	DealSummary *s = kpi_fixed_new(DS_VERSION, sizeof(DealSummary));
	KvParser	kv;
	int128		sums[NMONEY];
	int			scales[NMONEY];

	kpi_kv_begin(&kv, str, DS_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != DS_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	s->deals = kpi_kv_int64(&kv, "deals", 0);
	s->won = kpi_kv_int64(&kv, "won", 0);
	s->lost = kpi_kv_int64(&kv, "lost", 0);
	for (int i = 0; i < NMONEY; i++)
	{
		char		key[32];
		KpiMoneySum *m = ds_money(s, i);

		kpi_kv_decimal(&kv, money_names[i], &sums[i], &scales[i]);
		snprintf(key, sizeof(key), "%s_n", money_names[i]);
		m->n = kpi_kv_int64(&kv, key, 0);
		snprintf(key, sizeof(key), "%s_scale_n", money_names[i]);
		m->scale_n = kpi_kv_int64(&kv, key, 0);
		m->scale = (int16) scales[i];
		if (scales[i] > s->scale)
			s->scale = (int16) scales[i];
	}
	for (int i = 0; i < NMONEY; i++)
		ds_money(s, i)->sum = kpi_rescale(sums[i], scales[i], s->scale);
	s->cycle_us = kpi_kv_micros(&kv, "cycle_us", NULL);
	s->cycle_n = kpi_kv_int64(&kv, "cycle_n", 0);
	kpi_kv_end(&kv);
	kpi_check_text(ds_broken(s), DS_TYPNAME, str);
	PG_RETURN_POINTER(s);
}

Datum
deal_summary_out(PG_FUNCTION_ARGS)
{
	DealSummary *s = deals_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,deals=" INT64_FORMAT ",won=" INT64_FORMAT ",lost=" INT64_FORMAT,
					 s->version, s->deals, s->won, s->lost);
	for (int i = 0; i < NMONEY; i++)
	{
		KpiMoneySum *m = ds_money(s, i);

		appendStringInfo(&buf, ",%s=", money_names[i]);
		kpi_append_decimal(&buf, kpi_moneysum_value(m, s->scale), m->scale);
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
	DealSummary *s = kpi_fixed_new(DS_VERSION, sizeof(DealSummary));

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
		KpiMoneySum *m = ds_money(s, i);

		m->sum = kpi_recv_int128(buf, DS_TYPNAME);
		m->n = pq_getmsgint64(buf);
		m->scale_n = pq_getmsgint64(buf);
		m->scale = pq_getmsgint(buf, 2);
	}
	s->cycle_us = kpi_recv_int128(buf, DS_TYPNAME);
	s->cycle_n = pq_getmsgint64(buf);
	kpi_recv_end(buf, DS_TYPNAME);
	kpi_check_binary(ds_broken(s), DS_TYPNAME);
	PG_RETURN_POINTER(s);
}

Datum
deal_summary_send(PG_FUNCTION_ARGS)
{
	DealSummary *s = deals_get(PG_GETARG_DATUM(0));
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
		KpiMoneySum *m = ds_money(s, i);

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

bool
deals_cycle_days(const DealSummary *s, double *days)
{
	if (s->cycle_n == 0)
		return false;
	*days = (double) s->cycle_us / (double) s->cycle_n / (double) KPI_USECS_PER_DAY;
	return true;
}

PG_FUNCTION_INFO_V1(deal_summary_deals);
PG_FUNCTION_INFO_V1(deal_summary_won);
PG_FUNCTION_INFO_V1(deal_summary_lost);
PG_FUNCTION_INFO_V1(deal_summary_open);
PG_FUNCTION_INFO_V1(deal_summary_weighted_pipeline);
PG_FUNCTION_INFO_V1(deal_summary_avg_deal_size);
PG_FUNCTION_INFO_V1(deal_summary_sales_cycle_days);

Datum
deal_summary_deals(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(deals_get(PG_GETARG_DATUM(0))->deals);
}

Datum
deal_summary_won(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(deals_get(PG_GETARG_DATUM(0))->won);
}

Datum
deal_summary_lost(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(deals_get(PG_GETARG_DATUM(0))->lost);
}

Datum
deal_summary_open(PG_FUNCTION_ARGS)
{
	DealSummary *s = deals_get(PG_GETARG_DATUM(0));

	PG_RETURN_INT64(s->deals - s->won - s->lost);
}

/* Sum i of amounts (ds_money): 0 when no row had an amount, like coalesce(sum(x), 0). */
static Datum
ds_amount(FunctionCallInfo fcinfo, int i)
{
	DealSummary *s = deals_get(PG_GETARG_DATUM(0));

	PG_RETURN_DATUM(kpi_moneysum_numeric(ds_money(s, i), s->scale));
}

KPI_FUNCTION(deal_summary_won_amount, ds_amount, 0);
KPI_FUNCTION(deal_summary_lost_amount, ds_amount, 1);
KPI_FUNCTION(deal_summary_open_amount, ds_amount, 2);

/* sum of amount * probability; NULL when no row had both */
Datum
deal_summary_weighted_pipeline(PG_FUNCTION_ARGS)
{
	DealSummary *s = deals_get(PG_GETARG_DATUM(0));

	if (s->weighted.n == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(kpi_moneysum_numeric(&s->weighted, s->scale));
}

/* numeric avg of the amounts of won deals, equal to avg(amount) */
Datum
deal_summary_avg_deal_size(PG_FUNCTION_ARGS)
{
	DealSummary *s = deals_get(PG_GETARG_DATUM(0));

	if (s->won_amt.n == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(kpi_money_avg(kpi_moneysum_value(&s->won_amt, s->scale), s->won_amt.scale,
								  s->won_amt.n));
}

Datum
deal_summary_sales_cycle_days(PG_FUNCTION_ARGS)
{
	double		d;

	if (!deals_cycle_days(deals_get(PG_GETARG_DATUM(0)), &d))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(d);
}
