/*
 * mrr_series.c - one customer's MRR per month (spec section 2.4, revenue),
 * the inner level of the two-level revenue aggregates:
 *
 *   mrr_series(start, end, monthly_amount)   from subscription rows
 *   mrr_series(month, mrr)                   from (month, MRR) rows
 *
 * both with GROUP BY customer id.  A customer's MRR in month m is the sum of
 * the monthly amounts of the subscriptions with month(start) <= m <
 * month(end) (end NULL: open), or the sum of the MRR rows of month m.
 *
 * The value is a list of change points (month, delta): the MRR of month m is
 * the sum of the deltas of the points with month <= m.  A subscription adds
 * two points (+amount at its start month, -amount at its end month), an MRR
 * row two (+mrr at its month, -mrr the month after), so the transition only
 * appends and the combine function concatenates; the final function sorts,
 * adds up the deltas of equal months and drops zeros.  That canonical form
 * is what is stored, sent and compared: the same for the same rows in any
 * order, serial, parallel or merged.  Its rules (mrr_series_broken): months
 * strictly increasing within years 1..9999, deltas non-zero, every running
 * sum (the MRR from that month on) >= 0.  The last running sum is the MRR of
 * every later month: > 0 while a subscription is open.
 *
 * Products (for the cross-sell rate): mrr_series(start, end, amount,
 * product) also keeps, per product, the months the customer pays for it.
 * A subscription with amount > 0, a month in [start, end) and a product
 * adds two product points (+1 paying subscription of the product at its
 * start month, -1 at its end month) keyed by the FNV-1a 64 hash of the
 * product's bytes; the series has the flag MRR_PRODUCTS.  The canonical form
 * keeps the MRR points first, then the product points by (key, month), equal
 * ones added up, zeros dropped.  Their rules: every running count of a
 * product >= 0, and the customer's MRR > 0 in every month a product is paid
 * for.  Only which months a product is paid for is read (by the cross-sell
 * rate), never its name: two products of one customer whose hashes collide
 * (probability below 10^-15 for a customer with 100 products) would count
 * as one.
 *
 * Memory: 24 bytes of header and 24 bytes per change point, about 72 bytes
 * for a customer with one open subscription (120 with its product).
 */
#include "revenue/revenue.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

StaticAssertDecl(sizeof(MrrPoint) == 24, "MrrPoint is 24 bytes");
StaticAssertDecl(offsetof(MrrSeries, points) == 24, "MrrSeries header is 24 bytes");
StaticAssertDecl(offsetof(MrrSeries, version) == VARHDRSZ, "the version follows the length word");

/* ---- months ---- */

int32
revenue_month(Datum d, TimeKind kind, FunctionCallInfo fcinfo, const char *fname, const char *argname)
{
	int64		us = kpi_time_usec(d, kind, fcinfo, fname, argname);
	int64		days = us / USECS_PER_DAY;
	int			y,
				m,
				dd;

	if (us % USECS_PER_DAY < 0)
		days--;
	j2date((int) (days + POSTGRES_EPOCH_JDATE), &y, &m, &dd);
	if (y < 1 || y > 9999)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s: %s must lie in the years 1 to 9999, got year %d", fname, argname, y),
				 errhint("Leave such rows out, e.g. WHERE %s BETWEEN '0001-01-01' AND '9999-12-31' (your column name).",
						 argname)));
	return (int32) y * 12 + (m - 1);
}

Datum
revenue_month_date(int32 month)
{
	return DateADTGetDatum(date2j(month / 12, month % 12 + 1, 1) - POSTGRES_EPOCH_JDATE);
}

void
revenue_append_month(StringInfo buf, int32 month)
{
	appendStringInfo(buf, "%04d-%02d", month / 12, month % 12 + 1);
}

int32
revenue_kv_month(KvParser *kv)
{
	/* 10000-01: where the MRR of a series ending in 9999-12 drops to 0 */
	int64		y = kpi_kv_number(kv, 1, 10000, "a year");
	int64		m;

	kpi_kv_char(kv, '-');
	m = kpi_kv_number(kv, 1, 12, "a month");
	if (y * 12 + m - 1 > REV_MAX_MONTH + 1)
		kpi_kv_fail(kv, "Months end with 10000-01");
	return (int32) (y * 12 + m - 1);
}

void
revenue_kv_decimal(KvParser *kv, int128 *v, int *scale)
{
	while (*kv->p == ' ')
		kv->p++;
	kpi_kv_decimal_value(kv, v, scale);
}

/* ---- the value ---- */

/* whether months [a, b) lie in one of the runs [rs[k], re[k]) (sorted, disjoint) */
static bool
in_runs(const int32 *rs, const int32 *re, int nr, int32 a, int32 b)
{
	int			lo = 0,
				hi = nr - 1,
				k = -1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (rs[mid] <= a)
			k = mid, lo = mid + 1;
		else
			hi = mid - 1;
	}
	return k >= 0 && a < re[k] && b <= re[k];
}

/*
 * The rules of the product points points[nmrr ..] of a canonical series:
 * ordered by (key, month), changes non-zero, each product's running count
 * >= 0, and the customer paying (MRR > 0) in every month a product is paid
 * for.
 */
static const char *
mrr_products_broken(const MrrSeries *s, int32 nmrr)
{
	int32	   *rs = palloc(sizeof(int32) * (nmrr + 1));
	int32	   *re = palloc(sizeof(int32) * (nmrr + 1));
	int			nr = 0;
	int128		level = 0;
	const char *bad = NULL;

	/* the runs of months with MRR > 0 (the MRR points are already checked) */
	for (int i = 0; i < nmrr; i++)
	{
		int128		prev = level;

		level += s->points[i].delta;
		if (prev == 0 && level > 0)
			rs[nr] = s->points[i].month;
		else if (prev > 0 && level == 0)
			re[nr++] = s->points[i].month;
	}
	if (level > 0)
		re[nr++] = REV_MAX_MONTH + 1;
	for (int i = nmrr; i < s->npoints && bad == NULL;)
	{
		uint64		key = mrr_point_key(&s->points[i]);
		int64		count = 0;
		int32		on = 0;
		int			j;

		if (i > nmrr && key <= mrr_point_key(&s->points[i - 1]))
			bad = "Product points must be ordered by key, then month.";
		for (j = i; bad == NULL && j < s->npoints && mrr_point_key(&s->points[j]) == key; j++)
		{
			const MrrPoint *p = &s->points[j];
			int64		prev = count;

			if (j > i && p->month <= s->points[j - 1].month)
				bad = "Product points must be ordered by key, then month.";
			else if (mrr_point_count(p) == 0)
				bad = "A change of a product's subscriptions must not be 0.";
			else if (pg_add_s64_overflow(count, mrr_point_count(p), &count) || count < 0)
				bad = "A product's paying subscriptions must never be negative.";
			else if (prev == 0 && count > 0)
				on = p->month;
			else if (prev > 0 && count == 0 && !in_runs(rs, re, nr, on, p->month))
				bad = "A product is paid for in a month without MRR.";
		}
		if (bad == NULL && count > 0 && !in_runs(rs, re, nr, on, REV_MAX_MONTH + 1))
			bad = "A product is paid for in a month without MRR.";
		i = j;
	}
	pfree(rs);
	pfree(re);
	return bad;
}

/*
 * Every rule an mrr_series keeps: NULL when s keeps them all, else the one
 * it breaks.  A state inside an aggregate may be unsorted (no MRR_SORTED
 * flag, room for more points); a finished value is canonical.
 */
static const char *
mrr_series_broken(const void *value)
{
	const MrrSeries *s = value;
	int128		level = 0;
	int32		nmrr;

	if (s->version != MRR_SERIES_VERSION)
		return "Unsupported format version.";
	if (s->flags & ~(MRR_SORTED | MRR_PRODUCTS))
		return "Unknown flag bits are set.";
	if (s->scale < 0 || s->scale > KPI_MAX_SCALE)
		return "Scale out of range.";
	if (s->npoints < 0 || s->capacity < s->npoints || VARSIZE(s) != MRR_SERIES_SIZE(s->capacity))
		return "Point count does not match the size.";
	if (s->skipped < 0)
		return "skipped must be non-negative.";
	for (int i = 0; i < s->npoints; i++)
	{
		const MrrPoint *p = &s->points[i];

		if (p->month < REV_MIN_MONTH || p->month > REV_MAX_MONTH + 1)
			return "A month lies outside the years 1 to 9999.";
		if (p->kind == MRR_POINT_MRR)
		{
			if (p->delta == KPI_INT128_MIN)
				return "A change of MRR is out of range.";
		}
		else if (p->kind == MRR_POINT_PRODUCT)
		{
			if (!(s->flags & MRR_PRODUCTS))
				return "Product points need a series built with a product column.";
			if (mrr_point_count(p) == PG_INT64_MIN)
				return "A change of a product's subscriptions is out of range.";
		}
		else
			return "Unknown kind of point.";
	}
	if (!(s->flags & MRR_SORTED))
		return NULL;
	/* points[nmrr ..] are product points (the kinds are checked above) */
	nmrr = mrr_series_nmrr(s);
	for (int i = 0; i < nmrr; i++)
	{
		const MrrPoint *p = &s->points[i];

		if (p->kind != MRR_POINT_MRR)
			return "MRR points must come before product points.";
		if (i > 0 && p->month <= s->points[i - 1].month)
			return "Months must be strictly increasing.";
		if (p->delta == 0)
			return "A change of MRR must not be 0.";
		if (__builtin_add_overflow(level, p->delta, &level) || level == KPI_INT128_MIN)
			return "MRR out of range.";
		if (level < 0)
			return "MRR must never be negative.";
	}
	if (s->capacity != s->npoints)
		return "A finished series has no room for more points.";
	if (nmrr < s->npoints)
		return mrr_products_broken(s, nmrr);
	return NULL;
}

static MrrSeries *
series_get(Datum d)
{
	MrrSeries  *s = kpi_stored(d, MRR_SERIES_VERSION, offsetof(MrrSeries, points), MRR_SERIES_TYPNAME);

	if (s->npoints < 0 || s->capacity < s->npoints || VARSIZE(s) != MRR_SERIES_SIZE(s->capacity))
		kpi_corrupt(MRR_SERIES_TYPNAME);
	return s;
}

static MrrSeries *
series_alloc(int32 capacity)
{
	MrrSeries  *s;

	if (capacity > (int32) ((MaxAllocSize - offsetof(MrrSeries, points)) / sizeof(MrrPoint)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("mrr_series: too many subscription rows for one customer (limit about 44 million)"),
				 errhint("Group by the customer id: mrr_series() holds ONE customer's MRR.")));
	s = palloc0(MRR_SERIES_SIZE(capacity));
	SET_VARSIZE(s, MRR_SERIES_SIZE(capacity));
	s->version = MRR_SERIES_VERSION;
	s->capacity = capacity;
	return s;
}

/* a copy of s with room for capacity points (>= npoints), flags and all */
static MrrSeries *
series_copy(const MrrSeries *s, int32 capacity)
{
	MrrSeries  *q = series_alloc(capacity);

	q->flags = s->flags;
	q->scale = s->scale;
	q->npoints = s->npoints;
	q->skipped = s->skipped;
	memcpy(q->points, s->points, sizeof(MrrPoint) * s->npoints);
	return q;
}

/* MRR points by month, then product points by (key, month) */
static int
point_cmp(const void *x, const void *y)
{
	const MrrPoint *a = x;
	const MrrPoint *b = y;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->kind == MRR_POINT_PRODUCT && mrr_point_key(a) != mrr_point_key(b))
		return mrr_point_key(a) < mrr_point_key(b) ? -1 : 1;
	return a->month < b->month ? -1 : a->month > b->month ? 1 : 0;
}

/*
 * The canonical form of s: sorted, equal months added up, zeros dropped,
 * no slack; a newly allocated value, its rules checked (a hand-made state
 * whose MRR would go negative is refused by fname).
 */
MrrSeries *
revenue_series_canonical(const MrrSeries *s, const char *fname)
{
	MrrPoint   *tmp = palloc(sizeof(MrrPoint) * Max(s->npoints, 1));
	int			n = 0;
	MrrSeries  *q;
	int			i = 0;
	int			nmrr;

	memcpy(tmp, s->points, sizeof(MrrPoint) * s->npoints);
	if (!(s->flags & MRR_SORTED))
		qsort(tmp, s->npoints, sizeof(MrrPoint), point_cmp);
	while (i < s->npoints && tmp[i].kind == MRR_POINT_MRR)
	{
		int32		month = tmp[i].month;
		int128		d = 0;

		for (; i < s->npoints && tmp[i].kind == MRR_POINT_MRR && tmp[i].month == month; i++)
			d = kpi_add128(d, tmp[i].delta);
		if (d != 0)
		{
			tmp[n].month = month;
			tmp[n].kind = MRR_POINT_MRR;
			tmp[n].delta = d;
			n++;
		}
	}
	nmrr = n;
	/* product points (the validator refuses them in a series without MRR_PRODUCTS) */
	while (i < s->npoints && (s->flags & MRR_PRODUCTS))
	{
		uint64		key = mrr_point_key(&tmp[i]);
		int32		month = tmp[i].month;
		int64		c = 0;

		for (; i < s->npoints && mrr_point_key(&tmp[i]) == key && tmp[i].month == month; i++)
			if (pg_add_s64_overflow(c, mrr_point_count(&tmp[i]), &c) || c == PG_INT64_MIN)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("%s: subscriptions of a product out of range", fname),
						 errdetail("A product's paying subscriptions in one month pass the bigint range.")));
		if (c != 0)
		{
			tmp[n].month = month;
			tmp[n].kind = MRR_POINT_PRODUCT;
			tmp[n].delta = mrr_product_delta(key, c);
			n++;
		}
	}
	q = series_alloc(n);
	q->flags = MRR_SORTED | (s->flags & MRR_PRODUCTS);
	q->scale = s->scale;
	q->npoints = n;
	q->skipped = s->skipped;
	memcpy(q->points, tmp, sizeof(MrrPoint) * n);
	pfree(tmp);
	/*
	 * Valid parts can add up to an MRR beyond 128 bits (found by the fuzzer:
	 * a series merged with itself): out of range (22003), not an invalid value
	 */
	{
		int128		level = 0;

		for (int k = 0; k < nmrr; k++)
			if (__builtin_add_overflow(level, q->points[k].delta, &level) || level == KPI_INT128_MIN)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("%s: MRR out of range for exact accumulation", fname),
						 errdetail("The MRR of a month passes the 128-bit range of exact sums."),
						 errhint("Round the amounts to the precision you need, e.g. round(monthly_amount, 2).")));
	}
	kpi_check_value(mrr_series_broken(q), fname, MRR_SERIES_TYPNAME);
	return q;
}

MrrSeries *
revenue_series_arg(Datum d, const char *fname)
{
	MrrSeries  *s = series_get(d);

	kpi_check_value(mrr_series_broken(s), fname, MRR_SERIES_TYPNAME);
	if (!(s->flags & MRR_SORTED))
		kpi_bad_value(fname, MRR_SERIES_TYPNAME, "The series is an unfinished aggregate state.");
	return s;
}

/*
 * The state argument 0 to append `more` points to, with the flags `flags`
 * added (MRR_PRODUCTS for the form with a product column): a new one for
 * NULL, in an aggregate the state itself while it has room, else a larger
 * copy.
 */
static MrrSeries *
series_state(FunctionCallInfo fcinfo, int more, bool inagg, uint8 flags)
{
	MrrSeries  *s;

	if (PG_ARGISNULL(0))
		s = series_alloc(Max(4, more));
	else
	{
		s = series_get(PG_GETARG_DATUM(0));
		if (!inagg || s->npoints + more > s->capacity ||
			(void *) s != DatumGetPointer(PG_GETARG_DATUM(0)))
		{
			kpi_check_value(mrr_series_broken(s), "mrr_series", MRR_SERIES_TYPNAME);
			s = series_copy(s, Max(s->npoints + more, s->capacity * 2));
		}
	}
	s->flags = (s->flags & ~MRR_SORTED) | flags;
	return s;
}

/*
 * Every delta is kept at the series' scale: the largest display scale of
 * every amount read (also of rows that add no month), so that the scale
 * does not depend on the order of the rows.
 */
static void
series_raise(MrrSeries *s, int scale)
{
	if (scale <= s->scale)
		return;
	for (int i = 0; i < s->npoints; i++)
		if (s->points[i].kind == MRR_POINT_MRR)
			s->points[i].delta = kpi_rescale(s->points[i].delta, s->scale, scale);
	s->scale = (int16) scale;
}

/* add delta v of scale vscale at month */
static void
series_push(MrrSeries *s, int32 month, int128 v, int vscale)
{
	MrrPoint   *p;

	series_raise(s, vscale);
	p = &s->points[s->npoints++];
	p->month = month;
	p->kind = MRR_POINT_MRR;
	p->delta = kpi_rescale(v, vscale, s->scale);
}

/* add count paying subscriptions of the product with key at month */
static void
series_push_product(MrrSeries *s, int32 month, uint64 key, int64 count)
{
	MrrPoint   *p = &s->points[s->npoints++];

	p->month = month;
	p->kind = MRR_POINT_PRODUCT;
	p->delta = mrr_product_delta(key, count);
}

/* the result of a transition: canonical when called outside an aggregate */
static Datum
series_result(MrrSeries *s, bool inagg)
{
	if (!inagg)
		PG_RETURN_POINTER(revenue_series_canonical(s, "mrr_series"));
	PG_RETURN_POINTER(s);
}

static char *
time_text(Datum d, TimeKind kind)
{
	return DatumGetCString(DirectFunctionCall1(kind == TIME_DATE ? date_out :
											   kind == TIME_TIMESTAMP ? timestamp_out : timestamptz_out, d));
}

/* the key of a product: FNV-1a 64 of its bytes */
static uint64
product_key(Datum d)
{
	text	   *t = DatumGetTextPP(d);

	return kpi_fnv1a64(KPI_FNV64_OFFSET, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

/*
 * (state, start T, end T, monthly_amount A [, product text]): one
 * subscription.  A row with a NULL start or amount is ignored; a NULL end
 * is an open subscription.  With a product column (products) the series is
 * flagged MRR_PRODUCTS and a row with a product adds its product points; a
 * row with a NULL product adds its MRR only.
 */
static Datum
series_accum(FunctionCallInfo fcinfo, TimeKind kind, KpiAmountType type, bool products)
{
	const char *fname = "mrr_series";
	bool		inagg = AggCheckCallContext(fcinfo, NULL) != 0;
	int128		v;
	int			scale;
	int32		sm;
	int32		em = 0;
	bool		open = PG_ARGISNULL(2);
	MrrSeries  *s;
	uint8		flags = products ? MRR_PRODUCTS : 0;
	bool		product = products && !PG_ARGISNULL(4);

	if (PG_ARGISNULL(1) || PG_ARGISNULL(3))
		return kpi_unchanged(fcinfo);
	kpi_amount_nonneg(PG_GETARG_DATUM(3), type, fname, "monthly_amount",
					  "Leave such rows out with WHERE monthly_amount >= 0 (your column name), or enter credits as contractions of a subscription.",
					  &v, &scale);
	sm = revenue_month(PG_GETARG_DATUM(1), kind, fcinfo, fname, "starts_at");
	if (!open)
	{
		int64		su = kpi_time_usec(PG_GETARG_DATUM(1), kind, fcinfo, fname, "starts_at");
		int64		eu = kpi_time_usec(PG_GETARG_DATUM(2), kind, fcinfo, fname, "ends_at");

		em = revenue_month(PG_GETARG_DATUM(2), kind, fcinfo, fname, "ends_at");
		if (eu < su)
		{
			if (kpi_invalid_rows == KPI_INVALID_SKIP)
			{
				s = series_state(fcinfo, 0, inagg, flags);
				if (s->skipped == PG_INT64_MAX)
					kpi_count_overflow(fname, "skipped would exceed the bigint range.");
				s->skipped++;
				return series_result(s, inagg);
			}
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: ends_at must not be before starts_at", fname),
					 errdetail("A subscription has starts_at = %s and ends_at = %s.",
							   time_text(PG_GETARG_DATUM(1), kind), time_text(PG_GETARG_DATUM(2), kind)),
					 errhint("Add WHERE ends_at IS NULL OR ends_at >= starts_at (your column names) to leave such "
							 "subscriptions out, fix their dates, or SET sales_kpi.invalid_rows = 'skip' to leave them out and count them.")));
		}
	}
	/* no month in [sm, em), or nothing to add: the state as it is (a new empty one for NULL) */
	if (v == 0 || (!open && em <= sm))
	{
		s = series_state(fcinfo, 0, inagg, flags);
		series_raise(s, scale);
		return series_result(s, inagg);
	}
	s = series_state(fcinfo, product ? 4 : 2, inagg, flags);
	series_push(s, sm, v, scale);
	if (!open)
		series_push(s, em, -v, scale);
	if (product)
	{
		uint64		key = product_key(PG_GETARG_DATUM(4));

		series_push_product(s, sm, key, 1);
		if (!open)
			series_push_product(s, em, key, -1);
	}
	return series_result(s, inagg);
}

static Datum
series_accum_sub(FunctionCallInfo fcinfo, TimeKind kind, KpiAmountType type)
{
	return series_accum(fcinfo, kind, type, false);
}

static Datum
series_accum_product(FunctionCallInfo fcinfo, TimeKind kind, KpiAmountType type)
{
	return series_accum(fcinfo, kind, type, true);
}

/* (state, month T, mrr A): the customer's MRR in one month (rows of a month add up) */
static Datum
series_accum_month(FunctionCallInfo fcinfo, TimeKind kind, KpiAmountType type)
{
	const char *fname = "mrr_series";
	bool		inagg = AggCheckCallContext(fcinfo, NULL) != 0;
	int128		v;
	int			scale;
	int32		m;
	MrrSeries  *s;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return kpi_unchanged(fcinfo);
	kpi_amount_nonneg(PG_GETARG_DATUM(2), type, fname, "mrr",
					  "Leave such rows out with WHERE mrr >= 0 (your column name).", &v, &scale);
	m = revenue_month(PG_GETARG_DATUM(1), kind, fcinfo, fname, "month");
	if (v == 0)
	{
		s = series_state(fcinfo, 0, inagg, 0);
		series_raise(s, scale);
		return series_result(s, inagg);
	}
	s = series_state(fcinfo, 2, inagg, 0);
	series_push(s, m, v, scale);
	series_push(s, m + 1, -v, scale);
	return series_result(s, inagg);
}

/* one entry point per time kind and amount type: suffix date|ts|tz, then n|f8|f4|i4|i8 */
#define SERIES_ENTRIES(T, KIND) \
	KPI_FUNCTION(mrr_series_sub_##T##_n, series_accum_sub, KIND, KPI_AMOUNT_NUMERIC); \
	KPI_FUNCTION(mrr_series_sub_##T##_f8, series_accum_sub, KIND, KPI_AMOUNT_FLOAT8); \
	KPI_FUNCTION(mrr_series_sub_##T##_f4, series_accum_sub, KIND, KPI_AMOUNT_FLOAT4); \
	KPI_FUNCTION(mrr_series_sub_##T##_i4, series_accum_sub, KIND, KPI_AMOUNT_INT4); \
	KPI_FUNCTION(mrr_series_sub_##T##_i8, series_accum_sub, KIND, KPI_AMOUNT_INT8); \
	KPI_FUNCTION(mrr_series_prod_##T##_n, series_accum_product, KIND, KPI_AMOUNT_NUMERIC); \
	KPI_FUNCTION(mrr_series_prod_##T##_f8, series_accum_product, KIND, KPI_AMOUNT_FLOAT8); \
	KPI_FUNCTION(mrr_series_prod_##T##_f4, series_accum_product, KIND, KPI_AMOUNT_FLOAT4); \
	KPI_FUNCTION(mrr_series_prod_##T##_i4, series_accum_product, KIND, KPI_AMOUNT_INT4); \
	KPI_FUNCTION(mrr_series_prod_##T##_i8, series_accum_product, KIND, KPI_AMOUNT_INT8); \
	KPI_FUNCTION(mrr_series_month_##T##_n, series_accum_month, KIND, KPI_AMOUNT_NUMERIC); \
	KPI_FUNCTION(mrr_series_month_##T##_f8, series_accum_month, KIND, KPI_AMOUNT_FLOAT8); \
	KPI_FUNCTION(mrr_series_month_##T##_f4, series_accum_month, KIND, KPI_AMOUNT_FLOAT4); \
	KPI_FUNCTION(mrr_series_month_##T##_i4, series_accum_month, KIND, KPI_AMOUNT_INT4); \
	KPI_FUNCTION(mrr_series_month_##T##_i8, series_accum_month, KIND, KPI_AMOUNT_INT8)

SERIES_ENTRIES(date, TIME_DATE);
SERIES_ENTRIES(ts, TIME_TIMESTAMP);
SERIES_ENTRIES(tz, TIME_TIMESTAMPTZ);

/* ---- combine and final ---- */

PG_FUNCTION_INFO_V1(mrr_series_combine);
PG_FUNCTION_INFO_V1(mrr_series_final);

/* partial states of one customer: their points concatenated */
Datum
mrr_series_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "mrr_series_combine";
	bool		inagg = AggCheckCallContext(fcinfo, NULL) != 0;
	MrrSeries  *a;
	MrrSeries  *b;
	int			scale;

	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	b = kpi_valid(series_get(PG_GETARG_DATUM(1)), mrr_series_broken, fname, MRR_SERIES_TYPNAME);
	if (PG_ARGISNULL(0))
		return series_result(series_copy(b, b->npoints), inagg);
	a = kpi_valid(series_get(PG_GETARG_DATUM(0)), mrr_series_broken, fname, MRR_SERIES_TYPNAME);
	if (a->npoints + b->npoints > a->capacity || !inagg ||
		(void *) a != DatumGetPointer(PG_GETARG_DATUM(0)))
		a = series_copy(a, Max(a->npoints + b->npoints, 4));
	scale = Max(a->scale, b->scale);
	series_raise(a, scale);
	for (int i = 0; i < b->npoints; i++)
	{
		a->points[a->npoints] = b->points[i];
		if (b->points[i].kind == MRR_POINT_MRR)
			a->points[a->npoints].delta = kpi_rescale(b->points[i].delta, b->scale, scale);
		a->npoints++;
	}
	/* products are known only when both parts were built with them */
	if (!(a->flags & b->flags & MRR_PRODUCTS))
	{
		int			n = 0;

		for (int i = 0; i < a->npoints; i++)
			if (a->points[i].kind == MRR_POINT_MRR)
				a->points[n++] = a->points[i];
		a->npoints = n;
		a->flags &= ~MRR_PRODUCTS;
	}
	if (pg_add_s64_overflow(a->skipped, b->skipped, &a->skipped))
		kpi_count_overflow(fname, "skipped would exceed the bigint range.");
	a->flags &= ~MRR_SORTED;
	return series_result(a, inagg);
}

/* the canonical form */
Datum
mrr_series_final(PG_FUNCTION_ARGS)
{
	MrrSeries  *s = kpi_valid(series_get(PG_GETARG_DATUM(0)), mrr_series_broken,
							  "mrr_series_final", MRR_SERIES_TYPNAME);

	PG_RETURN_POINTER(revenue_series_canonical(s, "mrr_series_final"));
}

/* ---- I/O ----
 *
 * text:   (version=1,scale=2,skipped=0,mrr=[(2024-01,100.00),(2024-03,0.00)])
 *         the MRR from each change month on (running sums, not deltas);
 *         a series built with products adds
 *         ,products=[(key,2024-01,1),(key,2024-03,0)]
 *         per product key (unsigned decimal) the paying subscriptions from
 *         each change month on, by key then month
 * binary: version, flags, scale, skipped, npoints (of MRR), then per point
 *         int32 month and int128 delta; with the flag MRR_PRODUCTS then
 *         int32 product points and per point int64 key, int32 month and
 *         int64 change of the count
 * Both are read into the canonical form only.
 */
PG_FUNCTION_INFO_V1(mrr_series_in);
PG_FUNCTION_INFO_V1(mrr_series_out);
PG_FUNCTION_INFO_V1(mrr_series_recv);
PG_FUNCTION_INFO_V1(mrr_series_send);

/* s, or a copy with twice its room when it is full (the text reader) */
static MrrSeries *
series_room(MrrSeries *s)
{
	MrrSeries  *q;

	if (s->npoints < s->capacity)
		return s;
	q = series_copy(s, s->capacity * 2);
	pfree(s);
	return q;
}

Datum
mrr_series_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	int64		scale;
	int64		skipped;
	MrrSeries  *s;
	int128		prev = 0;

	kpi_kv_begin(&kv, str, MRR_SERIES_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != MRR_SERIES_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	kpi_kv_key(&kv, "scale");
	scale = kpi_kv_number(&kv, 0, KPI_MAX_SCALE, "scale");
	skipped = kpi_kv_int64(&kv, "skipped", 0);
	s = series_alloc(8);
	s->scale = (int16) scale;
	s->skipped = skipped;
	kpi_kv_key(&kv, "mrr");
	kpi_kv_char(&kv, '[');
	if (!kpi_kv_peek(&kv, ']'))
	{
		do
		{
			int32		month;
			int128		level;
			int			sc;

			kpi_kv_char(&kv, '(');
			month = revenue_kv_month(&kv);
			kpi_kv_char(&kv, ',');
			revenue_kv_decimal(&kv, &level, &sc);
			kpi_kv_char(&kv, ')');
			if (sc > scale)
				kpi_kv_fail(&kv, "An MRR has more decimal places than the scale");
			if (level < 0)
				kpi_kv_fail(&kv, "MRR must not be negative");
			level = kpi_rescale(level, sc, (int) scale);
			s = series_room(s);
			s->points[s->npoints].month = month;
			s->points[s->npoints].kind = MRR_POINT_MRR;
			s->points[s->npoints].delta = level - prev;
			s->npoints++;
			prev = level;
		} while (kpi_kv_more(&kv));
	}
	kpi_kv_char(&kv, ']');
	s->flags = MRR_SORTED;
	if (kpi_kv_peek(&kv, ','))
	{
		uint64		prevkey = 0;
		int64		prevc = 0;
		bool		first = true;

		kpi_kv_key(&kv, "products");
		s->flags |= MRR_PRODUCTS;
		kpi_kv_char(&kv, '[');
		if (!kpi_kv_peek(&kv, ']'))
		{
			do
			{
				uint64		key;
				int32		month;
				int64		c;

				kpi_kv_char(&kv, '(');
				key = kpi_kv_uint64(&kv, "a product key");
				kpi_kv_char(&kv, ',');
				month = revenue_kv_month(&kv);
				kpi_kv_char(&kv, ',');
				c = kpi_kv_number(&kv, 0, PG_INT64_MAX, "a count of subscriptions");
				kpi_kv_char(&kv, ')');
				s = series_room(s);
				if (first || key != prevkey)
					prevc = 0;
				first = false;
				s->points[s->npoints].month = month;
				s->points[s->npoints].kind = MRR_POINT_PRODUCT;
				/* c - prevc cannot overflow: both lie in [0, INT64_MAX] */
				s->points[s->npoints].delta = mrr_product_delta(key, c - prevc);
				s->npoints++;
				prevkey = key;
				prevc = c;
			} while (kpi_kv_more(&kv));
		}
		kpi_kv_char(&kv, ']');
	}
	kpi_kv_end(&kv);
	/* the points as given: canonical means strictly increasing months and real changes */
	s->capacity = s->npoints;
	SET_VARSIZE(s, MRR_SERIES_SIZE(s->npoints));
	kpi_check_text(mrr_series_broken(s), MRR_SERIES_TYPNAME, str);
	PG_RETURN_POINTER(s);
}

/* a finished value as stored, or the canonical form of a state handed out by hand */
static MrrSeries *
series_finished(Datum d, const char *fname)
{
	MrrSeries  *s = series_get(d);

	if (s->flags & MRR_SORTED)
		return s;
	return revenue_series_canonical(kpi_valid(s, mrr_series_broken, fname, MRR_SERIES_TYPNAME), fname);
}

Datum
mrr_series_out(PG_FUNCTION_ARGS)
{
	MrrSeries  *s = series_finished(PG_GETARG_DATUM(0), "mrr_series_out");
	StringInfoData buf;
	int128		level = 0;
	int32		nmrr = mrr_series_nmrr(s);

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,scale=%d,skipped=" INT64_FORMAT ",mrr=[",
					 s->version, s->scale, s->skipped);
	for (int i = 0; i < nmrr; i++)
	{
		level += s->points[i].delta;
		appendStringInfoString(&buf, i ? ",(" : "(");
		revenue_append_month(&buf, s->points[i].month);
		appendStringInfoChar(&buf, ',');
		kpi_append_decimal(&buf, level, s->scale);
		appendStringInfoChar(&buf, ')');
	}
	appendStringInfoChar(&buf, ']');
	if (s->flags & MRR_PRODUCTS)
	{
		int64		c = 0;

		appendStringInfoString(&buf, ",products=[");
		for (int i = nmrr; i < s->npoints; i++)
		{
			const MrrPoint *p = &s->points[i];

			if (i == nmrr || mrr_point_key(p) != mrr_point_key(p - 1))
				c = 0;
			c += mrr_point_count(p);
			appendStringInfo(&buf, "%s(" UINT64_FORMAT ",", i > nmrr ? "," : "", mrr_point_key(p));
			revenue_append_month(&buf, p->month);
			appendStringInfo(&buf, "," INT64_FORMAT ")", c);
		}
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

Datum
mrr_series_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	MrrSeries  *s;
	int			flags;
	int			scale;
	int64		skipped;
	int32		n;

	if (pq_getmsgbyte(buf) != MRR_SERIES_VERSION)
		kpi_bad_binary(MRR_SERIES_TYPNAME, "Unsupported format version.");
	flags = pq_getmsgbyte(buf);
	if (flags != MRR_SORTED && flags != (MRR_SORTED | MRR_PRODUCTS))
		kpi_bad_binary(MRR_SERIES_TYPNAME, "Unknown flag bits are set, or the series is not canonical.");
	scale = pq_getmsgint(buf, 2);
	skipped = pq_getmsgint64(buf);
	n = pq_getmsgint(buf, 4);
	kpi_recv_count(buf, n, 20, MRR_SERIES_TYPNAME, "Point count does not match the data.");
	s = series_alloc(n);
	s->flags = flags;
	s->scale = (int16) scale;
	s->skipped = skipped;
	s->npoints = n;
	for (int i = 0; i < n; i++)
	{
		s->points[i].month = pq_getmsgint(buf, 4);
		s->points[i].kind = MRR_POINT_MRR;
		s->points[i].delta = kpi_recv_int128(buf, MRR_SERIES_TYPNAME);
	}
	/* product points: after the MRR points, counted against the bytes left */
	if (flags & MRR_PRODUCTS)
	{
		int32		np = pq_getmsgint(buf, 4);
		MrrSeries  *q;

		kpi_recv_count(buf, np, 20, MRR_SERIES_TYPNAME, "Product point count does not match the data.");
		if (np > (int32) ((MaxAllocSize - offsetof(MrrSeries, points)) / sizeof(MrrPoint)) - n)
			kpi_bad_binary(MRR_SERIES_TYPNAME, "Too many points.");
		q = series_copy(s, n + np);
		pfree(s);
		s = q;
		for (int i = n; i < n + np; i++)
		{
			uint64		key = (uint64) pq_getmsgint64(buf);

			s->points[i].month = pq_getmsgint(buf, 4);
			s->points[i].kind = MRR_POINT_PRODUCT;
			s->points[i].delta = mrr_product_delta(key, pq_getmsgint64(buf));
		}
		s->npoints = n + np;
	}
	kpi_recv_end(buf, MRR_SERIES_TYPNAME);
	kpi_check_binary(mrr_series_broken(s), MRR_SERIES_TYPNAME);
	PG_RETURN_POINTER(s);
}

Datum
mrr_series_send(PG_FUNCTION_ARGS)
{
	MrrSeries  *s = series_finished(PG_GETARG_DATUM(0), "mrr_series_send");
	StringInfoData buf;
	int32		nmrr = mrr_series_nmrr(s);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->flags);
	pq_sendint16(&buf, s->scale);
	pq_sendint64(&buf, s->skipped);
	pq_sendint32(&buf, nmrr);
	for (int i = 0; i < nmrr; i++)
	{
		pq_sendint32(&buf, s->points[i].month);
		kpi_send_int128(&buf, s->points[i].delta);
	}
	if (s->flags & MRR_PRODUCTS)
	{
		pq_sendint32(&buf, s->npoints - nmrr);
		for (int i = nmrr; i < s->npoints; i++)
		{
			pq_sendint64(&buf, (int64) mrr_point_key(&s->points[i]));
			pq_sendint32(&buf, s->points[i].month);
			pq_sendint64(&buf, mrr_point_count(&s->points[i]));
		}
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- readers ---- */

PG_FUNCTION_INFO_V1(mrr_series_mrr_at);
PG_FUNCTION_INFO_V1(mrr_series_first_month);
PG_FUNCTION_INFO_V1(mrr_series_skipped);

/* mrr_at(series, month date): the customer's MRR in the month of the date */
Datum
mrr_series_mrr_at(PG_FUNCTION_ARGS)
{
	MrrSeries  *s = revenue_series_arg(PG_GETARG_DATUM(0), "mrr_at");
	int32		m = revenue_month(PG_GETARG_DATUM(1), TIME_DATE, fcinfo, "mrr_at", "month");
	int128		level = 0;
	int32		nmrr = mrr_series_nmrr(s);

	for (int i = 0; i < nmrr && s->points[i].month <= m; i++)
		level += s->points[i].delta;
	PG_RETURN_DATUM(kpi_money_numeric(level, s->scale));
}

/* the first month with MRR > 0; NULL when there is none */
Datum
mrr_series_first_month(PG_FUNCTION_ARGS)
{
	MrrSeries  *s = revenue_series_arg(PG_GETARG_DATUM(0), "first_month");

	if (mrr_series_nmrr(s) == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(revenue_month_date(s->points[0].month));
}

Datum
mrr_series_skipped(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(series_get(PG_GETARG_DATUM(0))->skipped);
}
