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

#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

StaticAssertDecl(offsetof(DealSummary, version) == VARHDRSZ, "the version follows the length word");

/*
 * Format version 1 (0.1.0) had the same layout with flags (always 0) where
 * time_kind is and the padding where skipped is: a version 1 value is read
 * by copying it and setting those two fields.
 */
#define DS_V1_SIZE 216
StaticAssertDecl(offsetof(DealSummary, skipped) == DS_V1_SIZE, "version 2 extends the version 1 layout");

/* text names of the time kinds, indexed by time_kind */
static const char *const ds_kind_names[] = {"none", "date", "timestamp", "timestamptz", "unknown"};

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
	if (s->time_kind > DS_TIME_UNKNOWN)
		return "Unknown time kind.";
	/* the counts first: the checks below add them (no overflow once these hold) */
	if (s->deals < 0 || s->won < 0 || s->lost < 0 || s->won > s->deals ||
		s->lost > s->deals - s->won)
		return "Counts must be non-negative and won + lost must not exceed deals.";
	if (s->skipped < 0 || s->skipped > s->won + s->lost)
		return "The skipped rows must be between 0 and the decided deals.";
	if (s->time_rows < 0 || s->time_rows > s->deals)
		return "The rows with a time must be between 0 and deals.";
	if (s->time_kind != DS_TIME_UNKNOWN &&
		((s->time_kind == DS_TIME_NONE) != (s->time_rows == 0) || s->cycle_n > s->time_rows - s->skipped))
		return "A summary has a time kind exactly when it has rows with a time, and its sales cycle and skipped rows are among them.";
	if (s->scale < 0 || s->scale > KPI_MAX_SCALE)
		return "Storage scale out of range.";
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
	struct varlena *v = PG_DETOAST_DATUM(d);
	DealSummary *s;

	if (VARSIZE(v) < DS_V1_SIZE)
		kpi_corrupt(DS_TYPNAME);
	if (((DealSummary *) v)->version == DS_VERSION && VARSIZE(v) == sizeof(DealSummary))
		return (DealSummary *) v;
	if (((DealSummary *) v)->version != 1 || VARSIZE(v) != DS_V1_SIZE)
		kpi_corrupt(DS_TYPNAME);
	/* version 1, written by 0.1.0: flags were 0, the time kind was not recorded */
	s = palloc0(sizeof(DealSummary));
	memcpy(s, v, offsetof(DealSummary, skipped));
	SET_VARSIZE(s, sizeof(DealSummary));
	s->version = DS_VERSION;
	s->time_kind = s->time_kind == 0 ? DS_TIME_UNKNOWN : 0xFF;	/* 0xFF: broken, ds_broken says so */
	return s;
}

/* The value of d with every invariant checked: fname refuses a broken one. */
#define ds_get_valid(d, fname) ((DealSummary *) kpi_valid(deals_get(d), ds_broken, fname, DS_TYPNAME))

/* The state to update: a new one for NULL, else a writable one. */
#define ds_state(fcinfo, argno) \
	((DealSummary *) (PG_ARGISNULL(argno) ? kpi_fixed_new(DS_VERSION, sizeof(DealSummary)) : \
					  kpi_writable(fcinfo, argno, deals_get(PG_GETARG_DATUM(argno)))))

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

/*
 * The time kind of this transition's times.  The transitions of 0.1.0's
 * catalog (still called between installing this library and ALTER EXTENSION
 * UPDATE) served timestamp and timestamptz with one symbol: for them the
 * argument type is looked up when the executor provides it, else the kind
 * is unknown.
 */
static int
ds_kind(FunctionCallInfo fcinfo, const DsArgs *a)
{
	Oid			t;

	if (a->kind != DS_TIME_UNKNOWN)
		return a->kind;
	t = fcinfo->flinfo ? get_fn_expr_argtype(fcinfo->flinfo, a->created) : InvalidOid;
	return t == TIMESTAMPTZOID ? TIME_TIMESTAMPTZ : t == TIMESTAMPOID ? TIME_TIMESTAMP : DS_TIME_UNKNOWN;
}

static int64
ds_time(FunctionCallInfo fcinfo, const DsArgs *a, int argno, const char *argname)
{
	return kpi_time_usec(PG_GETARG_DATUM(argno), a->kind == TIME_DATE ? TIME_DATE : TIME_TIMESTAMP,
						 fcinfo, a->fname, argname);
}

/* a time argument as text, for error details */
static char *
ds_time_text(FunctionCallInfo fcinfo, int argno, int kind)
{
	Datum		d = PG_GETARG_DATUM(argno);

	return DatumGetCString(kind == TIME_DATE ? DirectFunctionCall1(date_out, d) :
						   kind == TIME_TIMESTAMP ? DirectFunctionCall1(timestamp_out, d) :
						   DirectFunctionCall1(timestamptz_out, d));
}

/* A non-NULL probability argument, decoded and checked to lie in [0, 1]. */
static void
ds_probability(FunctionCallInfo fcinfo, const DsArgs *a, int128 *p, int *pscale)
{
	Datum		probd = PG_GETARG_DATUM(a->prob);

	kpi_amount_decode(probd, a->prob_type, a->fname, "probability", p, pscale);
	if (*p < 0 || *p > kpi_rescale(1, 0, *pscale))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: probability must be between 0 and 1, got %s", a->fname,
						DatumGetCString(DirectFunctionCall1(numeric_out, kpi_amount_numeric(probd, a->prob_type)))),
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
ds_row(DealSummary *s, int sign, FunctionCallInfo fcinfo, const DsArgs *a)
{
	const char *fname = a->fname;
	bool		won_null = !ds_has(fcinfo, a->won);
	bool		won = !won_null && PG_GETARG_BOOL(a->won);
	bool		has_amount = ds_has(fcinfo, a->amount);
	bool		has_prob = ds_has(fcinfo, a->prob);
	int128		v = 0,
				p = 0;
	int			dscale = 0,
				pscale = 0;

	if (has_amount)
		kpi_amount_nonneg(PG_GETARG_DATUM(a->amount), a->amount_type, fname, "amount",
						  "Deal amounts are values of deals; filter out or fix credit notes and corrections.",
						  &v, &dscale);
	if (has_prob)
		ds_probability(fcinfo, a, &p, &pscale);

	/* every other count is at most deals: if deals takes one more row, they do */
	if (sign > 0 && s->deals == PG_INT64_MAX)
		kpi_count_overflow(fname,
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
						 errmsg("%s: amount * probability out of range for exact accumulation", fname),
						 errhint("Round the probability, e.g. round(probability, 4).")));
			if (!kpi_moneysum_step(&s->weighted, ds_align(s, w, dscale + pscale), dscale + pscale, sign))
				return false;
		}
	}
	/* a row with a time gives the summary its time kind */
	if (ds_has(fcinfo, a->created) || ds_has(fcinfo, a->closed))
	{
		if (s->time_kind == DS_TIME_NONE)
			s->time_kind = ds_kind(fcinfo, a);
		s->time_rows += sign;
		if (s->time_rows < 0)
			return false;
		if (s->time_rows == 0 && s->time_kind != DS_TIME_UNKNOWN)
			s->time_kind = DS_TIME_NONE;
	}
	if (!won_null && ds_has(fcinfo, a->created) && ds_has(fcinfo, a->closed))
	{
		int64		created = ds_time(fcinfo, a, a->created, "created");
		int64		closed = ds_time(fcinfo, a, a->closed, "closed");

		if (closed < created)
		{
			int			kind = ds_kind(fcinfo, a);

			if (kpi_invalid_rows == KPI_INVALID_SKIP)
			{
				/* the deal counts everywhere but in the sales cycle */
				s->skipped += sign;
				return s->skipped >= 0;
			}
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: closed must not be before created", fname),
					 kind == DS_TIME_UNKNOWN ?
					 errdetail("A %s deal was closed %.6f days before it was created.", won ? "won" : "lost",
							   ((double) created - (double) closed) / KPI_USECS_PER_DAY) :
					 errdetail("A %s deal has created = %s and closed = %s (%.6f days earlier).", won ? "won" : "lost",
							   ds_time_text(fcinfo, a->created, kind), ds_time_text(fcinfo, a->closed, kind),
							   ((double) created - (double) closed) / KPI_USECS_PER_DAY),
					 errhint("Add WHERE closed_at >= created_at (your column names) to leave such deals out, fix their dates, "
							 "or SET sales_kpi.invalid_rows = 'skip' to leave them out of the sales cycle and count them.")));
		}
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
deals_accum(FunctionCallInfo fcinfo, int sign, const DsArgs *a)
{
	DealSummary *s;

	if (sign < 0 && PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = ds_state(fcinfo, 0);
	if (!ds_row(s, sign, fcinfo, a) || (sign < 0 && ds_broken(s)))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
}

/*
 * The transitions.  Each serves one SQL aggregate (named in its errors), for
 * one time type (suffix tz, ts, date) and one amount type (suffix n, f8,
 * f4, i4, i8: numeric, float8, float4, int4, int8); pf8 marks a float8
 * probability (numeric otherwise).
 */
#define DS_ROW_ARGS .amount = 1,.won = 2,.created = 3,.closed = 4,.prob = 5

/* deal_summary(amount, won, created, closed [, probability]) */
DS_TRANSITION_AMOUNTS(deal_summary_accum_tz, .fname = "deal_summary", DS_ROW_ARGS,.kind = TIME_TIMESTAMPTZ);
DS_TRANSITION_AMOUNTS(deal_summary_accum_ts, .fname = "deal_summary", DS_ROW_ARGS,.kind = TIME_TIMESTAMP);
DS_TRANSITION_AMOUNTS(deal_summary_accum_date, .fname = "deal_summary", DS_ROW_ARGS,.kind = TIME_DATE);
DS_TRANSITION_AMOUNTS(deal_summary_accum_pf8_tz, .fname = "deal_summary", DS_ROW_ARGS,.kind = TIME_TIMESTAMPTZ,
					  .prob_type = KPI_AMOUNT_FLOAT8);
DS_TRANSITION_AMOUNTS(deal_summary_accum_pf8_ts, .fname = "deal_summary", DS_ROW_ARGS,.kind = TIME_TIMESTAMP,
					  .prob_type = KPI_AMOUNT_FLOAT8);
DS_TRANSITION_AMOUNTS(deal_summary_accum_pf8_date, .fname = "deal_summary", DS_ROW_ARGS,.kind = TIME_DATE,
					  .prob_type = KPI_AMOUNT_FLOAT8);
/* sales_velocity(amount, won, created, closed) */
DS_TRANSITION_AMOUNTS(sales_velocity_accum_tz, .fname = "sales_velocity", DS_ROW_ARGS,.kind = TIME_TIMESTAMPTZ);
DS_TRANSITION_AMOUNTS(sales_velocity_accum_ts, .fname = "sales_velocity", DS_ROW_ARGS,.kind = TIME_TIMESTAMP);
DS_TRANSITION_AMOUNTS(sales_velocity_accum_date, .fname = "sales_velocity", DS_ROW_ARGS,.kind = TIME_DATE);
/* avg_deal_size(amount, won) */
DS_TRANSITION_AMOUNTS(deal_summary_amount_accum, .fname = "avg_deal_size",.amount = 1,.won = 2);
/* weighted_pipeline(amount, probability): every row counts as open */
DS_TRANSITION_AMOUNTS(deal_summary_weighted_accum, .fname = "weighted_pipeline",.amount = 1,.prob = 2);
DS_TRANSITION_AMOUNTS(deal_summary_weighted_accum_pf8, .fname = "weighted_pipeline",.amount = 1,.prob = 2,
					  .prob_type = KPI_AMOUNT_FLOAT8);
/* sales_cycle_days(created, closed, won) */
DS_TRANSITION(deal_summary_cycle_accum_tz, .fname = "sales_cycle_days",.created = 1,.closed = 2,.won = 3,.kind = TIME_TIMESTAMPTZ);
DS_TRANSITION(deal_summary_cycle_accum_ts, .fname = "sales_cycle_days",.created = 1,.closed = 2,.won = 3,.kind = TIME_TIMESTAMP);
DS_TRANSITION(deal_summary_cycle_accum_date, .fname = "sales_cycle_days",.created = 1,.closed = 2,.won = 3,.kind = TIME_DATE);

/*
 * The symbols of 0.1.0's catalog, called by a database between installing
 * this library and ALTER EXTENSION sales_kpi UPDATE: numeric amounts, one
 * symbol for timestamp and timestamptz (the kind is looked up, ds_kind);
 * deal_summary_cycle_accum_date is above, hit_ratio(won, amount)'s in hit_ratio.c.
 * The update points every function at the symbols above.
 */
DS_TRANSITION(deal_summary_accum, .fname = "deal_summary", DS_ROW_ARGS,.kind = DS_TIME_UNKNOWN);
DS_TRANSITION(deal_summary_accum_date, .fname = "deal_summary", DS_ROW_ARGS,.kind = TIME_DATE);
DS_TRANSITION(deal_summary_amount_accum, .fname = "avg_deal_size",.amount = 1,.won = 2);
DS_TRANSITION(deal_summary_weighted_accum, .fname = "weighted_pipeline",.amount = 1,.prob = 2);
DS_TRANSITION(deal_summary_cycle_accum, .fname = "sales_cycle_days",.created = 1,.closed = 2,.won = 3,.kind = DS_TIME_UNKNOWN);

/* ---- combine ---- */

/*
 * Merge (sign = 1) or un-merge (sign = -1) summary b into a.  Returns false
 * when un-merging leaves a display scale uncertain.
 */
static bool
ds_merge(DealSummary *a, const DealSummary *b, int sign, const char *fname)
{
	bool		a_real = a->time_kind != DS_TIME_NONE && a->time_kind != DS_TIME_UNKNOWN;
	bool		b_real = b->time_kind != DS_TIME_NONE && b->time_kind != DS_TIME_UNKNOWN;

	/* wall-clock and absolute durations do not add up */
	if (a_real && b_real && a->time_kind != b->time_kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: cannot merge deal summaries of different time kinds", fname),
				 errdetail("One summary was built from %s times, the other from %s times.",
						   ds_kind_names[a->time_kind], ds_kind_names[b->time_kind]),
				 errhint("Build every summary from times of one type, e.g. deal_summary(amount, won, created_at::timestamptz, closed_at::timestamptz).")));
	/* unknown (a 0.1.0 summary) is contagious: the merged kind is not known either */
	if (a->time_kind == DS_TIME_UNKNOWN || b->time_kind == DS_TIME_UNKNOWN)
		a->time_kind = DS_TIME_UNKNOWN;
	else if (!a_real)
		a->time_kind = b->time_kind;
	ds_raise_scale(a, b->scale);
	if (pg_add_s64_overflow(a->deals, sign * b->deals, &a->deals) ||
		pg_add_s64_overflow(a->won, sign * b->won, &a->won) ||
		pg_add_s64_overflow(a->lost, sign * b->lost, &a->lost) ||
		pg_add_s64_overflow(a->cycle_n, sign * b->cycle_n, &a->cycle_n) ||
		pg_add_s64_overflow(a->skipped, sign * b->skipped, &a->skipped) ||
		pg_add_s64_overflow(a->time_rows, sign * b->time_rows, &a->time_rows))
		kpi_count_overflow(DS_TYPNAME, NULL);
	a->cycle_us = kpi_add128(a->cycle_us, sign * b->cycle_us);
	for (int i = 0; i < NMONEY; i++)
	{
		const KpiMoneySum *mb = ds_money((DealSummary *) b, i);

		if (!kpi_moneysum_merge(ds_money(a, i), mb, kpi_rescale(mb->sum, b->scale, a->scale), sign))
			return false;
	}
	if (a->deals < 0 || a->won < 0 || a->lost < 0 || a->cycle_n < 0 || a->skipped < 0 || a->time_rows < 0)
		return false;
	/* un-merged: the kind holds while rows with a time remain */
	if (a->time_rows == 0 && a->time_kind != DS_TIME_UNKNOWN)
		a->time_kind = DS_TIME_NONE;
	return true;
}

/*
 * Both arguments of the combine functions are checked for every invariant:
 * they are anyone's values (rollup() runs over stored summaries).  fname:
 * deal_summary_combine, the combine function of every deal aggregate, or
 * rollup, whose transition is deal_summary_rollup.
 */
static Datum
ds_combine(FunctionCallInfo fcinfo, const char *fname)
{
	DealSummary *a;

	if (!PG_ARGISNULL(0))
		ds_get_valid(PG_GETARG_DATUM(0), fname);
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	a = ds_state(fcinfo, 0);
	ds_merge(a, ds_get_valid(PG_GETARG_DATUM(1), fname), 1, fname);
	PG_RETURN_POINTER(a);
}

KPI_FUNCTION(deal_summary_combine, ds_combine, "deal_summary_combine");
KPI_FUNCTION(deal_summary_rollup, ds_combine, "rollup");

PG_FUNCTION_INFO_V1(deal_summary_combine_inv);

/*
 * Un-merge b from a (the inverse transition of rollup).  NULL (recompute the
 * frame) when that cannot be exact, or when b holds more than a (it was
 * never merged into a): the result would be no summary of any rows.
 */
Datum
deal_summary_combine_inv(PG_FUNCTION_ARGS)
{
	const char *fname = "rollup";
	DealSummary *a;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	ds_get_valid(PG_GETARG_DATUM(0), fname);
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	a = ds_state(fcinfo, 0);
	/* what a summary of unknown kind leaves behind is not known: recompute */
	if (a->time_kind == DS_TIME_UNKNOWN || deals_get(PG_GETARG_DATUM(1))->time_kind == DS_TIME_UNKNOWN)
		PG_RETURN_NULL();
	if (!ds_merge(a, ds_get_valid(PG_GETARG_DATUM(1), fname), -1, fname) || ds_broken(a))
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

	int64		version;

	kpi_kv_begin(&kv, str, DS_TYPNAME);
	version = kpi_kv_int64(&kv, "version", 0);
	if (version != DS_VERSION && version != 1)
		kpi_kv_fail(&kv, "Unsupported format version");
	/* version 1 (0.1.0) did not record the time kind */
	s->time_kind = version == 1 ? DS_TIME_UNKNOWN :
		kpi_kv_word(&kv, "time", ds_kind_names, lengthof(ds_kind_names),
					"Expected time none, date, timestamp, timestamptz or unknown");
	if (version == DS_VERSION)
		s->time_rows = kpi_kv_int64(&kv, "time_rows", 0);
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
	if (version == DS_VERSION)
		s->skipped = kpi_kv_int64(&kv, "skipped", 0);
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
	appendStringInfo(&buf, "(version=%d,time=%s,time_rows=" INT64_FORMAT ",deals=" INT64_FORMAT ",won=" INT64_FORMAT
					 ",lost=" INT64_FORMAT, s->version, ds_kind_names[s->time_kind], s->time_rows, s->deals, s->won, s->lost);
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
	appendStringInfo(&buf, ",cycle_n=" INT64_FORMAT ",skipped=" INT64_FORMAT ")", s->cycle_n, s->skipped);
	PG_RETURN_CSTRING(buf.data);
}

Datum
deal_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	DealSummary *s = kpi_fixed_new(DS_VERSION, sizeof(DealSummary));

	int			version = pq_getmsgbyte(buf);

	if (version != DS_VERSION && version != 1)
		kpi_bad_binary(DS_TYPNAME, "Unsupported format version.");
	s->time_kind = pq_getmsgbyte(buf);
	/* version 1 (0.1.0): a flags byte, always 0, and no time kind */
	if (version == 1)
	{
		if (s->time_kind != 0)
			kpi_bad_binary(DS_TYPNAME, "Unknown flag bits are set.");
		s->time_kind = DS_TIME_UNKNOWN;
	}
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
	if (version == DS_VERSION)
	{
		s->skipped = pq_getmsgint64(buf);
		s->time_rows = pq_getmsgint64(buf);
	}
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
	pq_sendbyte(&buf, s->time_kind);
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
	pq_sendint64(&buf, s->skipped);
	pq_sendint64(&buf, s->time_rows);
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
PG_FUNCTION_INFO_V1(deal_summary_skipped_rows);
PG_FUNCTION_INFO_V1(deal_summary_final);

/*
 * The final functions of the aggregates over deal rows announce the rows
 * left out (sales_kpi.invalid_rows = skip) once per result.  Not in window
 * functions, whose final function runs once per row (read skipped_rows()
 * there), and not when the accessor is called on a stored summary.
 */
void
deals_warn_skipped(FunctionCallInfo fcinfo, const DealSummary *s, const char *fname)
{
	if (s->skipped > 0 && AggCheckCallContext(fcinfo, NULL) == AGG_CONTEXT_AGGREGATE)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("%s: " INT64_FORMAT " decided %s closed before created left out of the sales cycle",
						fname, s->skipped, s->skipped == 1 ? "deal" : "deals"),
				 errdetail("sales_kpi.invalid_rows is skip: those deals count in every other KPI of the result."),
				 errhint("skipped_rows(deal_summary) gives the count; WHERE closed_at < created_at finds the rows.")));
}

Datum
deal_summary_skipped_rows(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(deals_get(PG_GETARG_DATUM(0))->skipped);
}

/* the final function of deal_summary(): the summary itself */
Datum
deal_summary_final(PG_FUNCTION_ARGS)
{
	deals_warn_skipped(fcinfo, deals_get(PG_GETARG_DATUM(0)), "deal_summary");
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

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
	DealSummary *s = deals_get(PG_GETARG_DATUM(0));

	deals_warn_skipped(fcinfo, s, "sales_cycle_days");
	if (!deals_cycle_days(s, &d))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(d);
}
