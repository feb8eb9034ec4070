/*
 * revenue_rows.c - the one-level convenience form of the revenue summary:
 *
 *   revenue_summary(customer_id bigint|text, starts_at T, ends_at T,
 *                   monthly_amount A, from_month date, to_month date)
 *
 * one aggregate over the raw subscription rows that groups by customer id
 * internally (as stage_history does for stage events), giving exactly the
 * revenue_summary of the two-level form (mrr_series per customer, then
 * revenue_summary over the series).
 *
 * The state is a bytea (a real type, so the aggregate is parallel safe and
 * Citus can push partial aggregation down; its text form is bytea's hex):
 *
 *   header   RowsHeader: magic, format version, flags (text ids), scale of
 *            the deltas, month range, records, bytes of records, skipped rows
 *   records  a RowRecord (id length, month, delta) then the id's bytes,
 *            padded to 8: two per subscription, +amount at its first month
 *            and -amount at its end month, as mrr_series() keeps them; a
 *            row that adds no month (amount 0, or starting and ending in one
 *            month) leaves a marker (month 0, delta 0), a row skipped under
 *            sales_kpi.invalid_rows = skip one of month 1, so that the
 *            customer is counted (and its skipped rows) as mrr_series() and
 *            revenue_summary() count it
 *
 * in the machine's byte order (a state is meant to travel between the nodes
 * of one cluster).  Every function that is handed a state validates it.  The
 * final function sorts the records by (id, month) and adds each customer's
 * series to a new summary with the code of the two-level form.  The state
 * holds every row (about 64 bytes per subscription with bigint ids) and is
 * limited to 1 GB: for larger data, and to run the per-customer level on
 * Citus shards, use the two-level form.
 */
#include "revenue/revenue.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#define ROWS_MAGIC 0x52565257	/* "RVRW" */
#define ROWS_VERSION 1
#define ROWS_TEXT_IDS 0x01
#define ROWS_MAX_ID 1024		/* bytes of a text customer id */
#define ROWS_FNAME "revenue_summary"
#define MARK_NO_MONTH 0			/* marker records (delta 0): a row adding no month */
#define MARK_SKIPPED 1			/* ... a row skipped */

typedef struct RowsHeader
{
	int32		vl_len_;
	uint32		magic;
	uint8		version;
	uint8		flags;
	int16		scale;
	int32		from_month;
	int32		nmonths;
	int32		pad;			/* 0 */
	int64		nrecords;
	int64		used;			/* bytes of records */
	int64		skipped;
} RowsHeader;

typedef struct RowRecord
{
	int128		delta;			/* at the state's scale */
	int32		month;
	int32		idlen;
	/* id bytes follow, padded to 8 */
} RowRecord;

StaticAssertDecl(sizeof(RowsHeader) == 48, "RowsHeader is 48 bytes");
StaticAssertDecl(sizeof(RowRecord) == 24, "RowRecord is 24 bytes");

#define ROWS_DATA(h) ((char *) (h) + sizeof(RowsHeader))
#define RECORD_SIZE(idlen) (sizeof(RowRecord) + MAXALIGN(idlen))
#define RECORD_ID(r) ((const char *) (r) + sizeof(RowRecord))

/* NULL when h is a consistent state, else the rule it breaks */
static const char *
rows_broken(const RowsHeader *h)
{
	const char *p;
	const char *end;
	int64		n = 0;

	if (VARSIZE(h) < sizeof(RowsHeader) || h->magic != ROWS_MAGIC || h->version != ROWS_VERSION)
		return "Not a revenue_summary state of this version.";
	if ((h->flags & ~ROWS_TEXT_IDS) || h->pad != 0)
		return "Unknown flag bits are set.";
	if (h->scale < 0 || h->scale > KPI_MAX_SCALE)
		return "Scale out of range.";
	if (h->nmonths < 1 || h->nmonths > 240 || h->from_month < REV_MIN_MONTH || h->from_month > REV_MAX_MONTH - h->nmonths + 1)
		return "Month range out of range.";
	if (h->used < 0 || h->used > (int64) (VARSIZE(h) - sizeof(RowsHeader)) || h->nrecords < 0 || h->skipped < 0)
		return "Sizes out of range.";
	p = ROWS_DATA(h);
	end = p + h->used;
	while (p < end)
	{
		const RowRecord *r = (const RowRecord *) p;

		if (end - p < (ptrdiff_t) sizeof(RowRecord))
			return "A record is cut short.";
		if ((h->flags & ROWS_TEXT_IDS) ? (r->idlen < 0 || r->idlen > ROWS_MAX_ID) : r->idlen != 8)
			return "A customer id has a wrong length.";
		if (end - p < (ptrdiff_t) RECORD_SIZE(r->idlen))
			return "A record is cut short.";
		if (r->delta == 0 ? (r->month != MARK_NO_MONTH && r->month != MARK_SKIPPED) :
			(r->month < REV_MIN_MONTH || r->month > REV_MAX_MONTH + 1 || r->delta == KPI_INT128_MIN))
			return "A record's month or MRR change is out of range.";
		p += RECORD_SIZE(r->idlen);
		n++;
	}
	if (n != h->nrecords)
		return "Record count does not match the records.";
	return NULL;
}

/* a state argument, every rule checked by fname */
static RowsHeader *
rows_arg(FunctionCallInfo fcinfo, int argno, const char *fname)
{
	bytea	   *b = PG_GETARG_BYTEA_P(argno);

	if (VARSIZE(b) < sizeof(RowsHeader))
		kpi_bad_state(fname, "Not a revenue_summary state.");
	kpi_check_state(rows_broken((RowsHeader *) b), fname);
	return (RowsHeader *) b;
}

static RowsHeader *
rows_alloc(Size capacity)
{
	Size		size = sizeof(RowsHeader) + capacity;
	RowsHeader *h;

	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("revenue_summary: too many subscription rows for the one-level form (limit 1 GB, about 16 million rows)"),
				 errhint("Use the two-level form: mrr_series(starts_at, ends_at, monthly_amount) per customer (GROUP BY customer id), "
						 "then revenue_summary(series, from_month, to_month) over the series.")));
	h = palloc0(size);
	SET_VARSIZE(h, size);
	h->magic = ROWS_MAGIC;
	h->version = ROWS_VERSION;
	return h;
}

/* a copy of h with room for at least more further bytes of records (slack zeroed) */
static RowsHeader *
rows_grow(const RowsHeader *h, Size more)
{
	Size		need = h->used + more;
	Size		cap = Max(need, Max((Size) 1024, 2 * (Size) h->used));
	RowsHeader *q;

	if (sizeof(RowsHeader) + cap > MaxAllocSize && sizeof(RowsHeader) + need <= MaxAllocSize)
		cap = MaxAllocSize - sizeof(RowsHeader);
	q = rows_alloc(cap);
	memcpy((char *) q + VARHDRSZ, (const char *) h + VARHDRSZ, sizeof(RowsHeader) - VARHDRSZ + h->used);
	return q;
}

/* every record's delta rescaled to scale (>= h->scale) */
static void
rows_raise(RowsHeader *h, int scale)
{
	char	   *p = ROWS_DATA(h);
	char	   *end = p + h->used;

	if (scale <= h->scale)
		return;
	while (p < end)
	{
		RowRecord  *r = (RowRecord *) p;

		r->delta = kpi_rescale(r->delta, h->scale, scale);
		p += RECORD_SIZE(r->idlen);
	}
	h->scale = (int16) scale;
}

static void
rows_append(RowsHeader *h, const char *id, int idlen, int32 month, int128 delta)
{
	RowRecord  *r = (RowRecord *) (ROWS_DATA(h) + h->used);

	memset(r, 0, RECORD_SIZE(idlen));
	r->delta = delta;
	r->month = month;
	r->idlen = idlen;
	memcpy((char *) r + sizeof(RowRecord), id, idlen);
	h->used += RECORD_SIZE(idlen);
	h->nrecords++;
}

/*
 * (state, customer_id, starts_at, ends_at, monthly_amount, from_month,
 * to_month): the rules of mrr_series() for the row, with the customer's id.
 */
static Datum
rows_accum(FunctionCallInfo fcinfo, bool text_ids, TimeKind kind, KpiAmountType type)
{
	const char *fname = ROWS_FNAME;
	bool		inagg = AggCheckCallContext(fcinfo, NULL) != 0;
	RowsHeader *h;
	int32		from,
				n;
	int64		idval;
	const char *id;
	int			idlen;
	int128		v;
	int			scale;
	int32		sm,
				em = 0;
	bool		open = PG_ARGISNULL(3);
	bool		adds;

	revenue_range_args(fcinfo, 5, fname, &from, &n);
	if (PG_ARGISNULL(0))
	{
		h = rows_alloc(1024);
		h->flags = text_ids ? ROWS_TEXT_IDS : 0;
		h->from_month = from;
		h->nmonths = n;
	}
	else
	{
		h = inagg ? (RowsHeader *) PG_GETARG_BYTEA_P(0) : rows_arg(fcinfo, 0, fname);
		if (!inagg || (void *) h != DatumGetPointer(PG_GETARG_DATUM(0)))
			h = rows_grow(h, 0);
		if (h->from_month != from || h->nmonths != n || ((h->flags & ROWS_TEXT_IDS) != 0) != text_ids)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: from_month, to_month and the customer id type must be the same in every row", fname)));
	}
	/* a row without a customer, a start or an amount is ignored */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(4))
		PG_RETURN_BYTEA_P(h);
	if (text_ids)
	{
		text	   *t = PG_GETARG_TEXT_PP(1);

		id = VARDATA_ANY(t);
		idlen = VARSIZE_ANY_EXHDR(t);
		if (idlen > ROWS_MAX_ID)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s: customer_id is %d bytes long, the limit is %d", fname, idlen, ROWS_MAX_ID),
					 errhint("Group by a shorter key, or use the two-level form (mrr_series per customer).")));
	}
	else
	{
		idval = PG_GETARG_INT64(1);
		id = (const char *) &idval;
		idlen = sizeof(int64);
	}
	kpi_amount_nonneg(PG_GETARG_DATUM(4), type, fname, "monthly_amount",
					  "Leave such rows out with WHERE monthly_amount >= 0 (your column name).", &v, &scale);
	sm = revenue_month(PG_GETARG_DATUM(2), kind, fcinfo, fname, "starts_at");
	if (!open)
	{
		em = revenue_month(PG_GETARG_DATUM(3), kind, fcinfo, fname, "ends_at");
		if (kpi_time_usec(PG_GETARG_DATUM(3), kind, fcinfo, fname, "ends_at") <
			kpi_time_usec(PG_GETARG_DATUM(2), kind, fcinfo, fname, "starts_at"))
		{
			if (kpi_invalid_rows == KPI_INVALID_SKIP)
			{
				if (h->skipped == PG_INT64_MAX)
					kpi_count_overflow(fname, "skipped would exceed the bigint range.");
				h->skipped++;
				if (h->used + RECORD_SIZE(idlen) > VARSIZE(h) - sizeof(RowsHeader))
					h = rows_grow(h, RECORD_SIZE(idlen));
				rows_append(h, id, idlen, MARK_SKIPPED, 0);
				PG_RETURN_BYTEA_P(h);
			}
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: ends_at must not be before starts_at", fname),
					 errhint("Add WHERE ends_at IS NULL OR ends_at >= starts_at (your column names) to leave such "
							 "subscriptions out, fix their dates, or SET sales_kpi.invalid_rows = 'skip' to leave them out and count them.")));
		}
	}
	/* the scale of every amount read, as mrr_series() */
	rows_raise(h, scale);
	adds = v != 0 && (open || em > sm);
	if (!adds)
	{
		if (h->used + RECORD_SIZE(idlen) > VARSIZE(h) - sizeof(RowsHeader))
			h = rows_grow(h, RECORD_SIZE(idlen));
		rows_append(h, id, idlen, MARK_NO_MONTH, 0);
		PG_RETURN_BYTEA_P(h);
	}
	if (h->used + 2 * RECORD_SIZE(idlen) > VARSIZE(h) - sizeof(RowsHeader))
		h = rows_grow(h, 2 * RECORD_SIZE(idlen));
	v = kpi_rescale(v, scale, h->scale);
	rows_append(h, id, idlen, sm, v);
	if (!open)
		rows_append(h, id, idlen, em, -v);
	PG_RETURN_BYTEA_P(h);
}

/* entry points: ids (i: bigint, t: text), time kind, amount type */
#define ROWS_ENTRIES(I, TEXT, T, KIND) \
	KPI_FUNCTION(revenue_rows_##I##_##T##_n, rows_accum, TEXT, KIND, KPI_AMOUNT_NUMERIC); \
	KPI_FUNCTION(revenue_rows_##I##_##T##_f8, rows_accum, TEXT, KIND, KPI_AMOUNT_FLOAT8); \
	KPI_FUNCTION(revenue_rows_##I##_##T##_f4, rows_accum, TEXT, KIND, KPI_AMOUNT_FLOAT4); \
	KPI_FUNCTION(revenue_rows_##I##_##T##_i4, rows_accum, TEXT, KIND, KPI_AMOUNT_INT4); \
	KPI_FUNCTION(revenue_rows_##I##_##T##_i8, rows_accum, TEXT, KIND, KPI_AMOUNT_INT8)

ROWS_ENTRIES(i, false, date, TIME_DATE);
ROWS_ENTRIES(i, false, ts, TIME_TIMESTAMP);
ROWS_ENTRIES(i, false, tz, TIME_TIMESTAMPTZ);
ROWS_ENTRIES(t, true, date, TIME_DATE);
ROWS_ENTRIES(t, true, ts, TIME_TIMESTAMP);
ROWS_ENTRIES(t, true, tz, TIME_TIMESTAMPTZ);

PG_FUNCTION_INFO_V1(revenue_rows_combine);
PG_FUNCTION_INFO_V1(revenue_rows_final);

/* partial states: their records concatenated */
Datum
revenue_rows_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "revenue_summary_rows_combine";
	RowsHeader *a;
	RowsHeader *b;
	RowsHeader *bb;
	bool		inagg = AggCheckCallContext(fcinfo, NULL) != 0;

	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	b = rows_arg(fcinfo, 1, fname);
	if (PG_ARGISNULL(0))
		PG_RETURN_BYTEA_P(rows_grow(b, 0));
	a = rows_arg(fcinfo, 0, fname);
	if (a->from_month != b->from_month || a->nmonths != b->nmonths || a->flags != b->flags)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: cannot merge states of different month ranges or customer id types", fname)));
	if (!inagg || (void *) a != DatumGetPointer(PG_GETARG_DATUM(0)) ||
		a->used + b->used > (int64) (VARSIZE(a) - sizeof(RowsHeader)))
		a = rows_grow(a, b->used);
	rows_raise(a, b->scale);
	if (b->scale < a->scale)
	{
		bb = rows_grow(b, 0);
		rows_raise(bb, a->scale);
		b = bb;
	}
	memcpy(ROWS_DATA(a) + a->used, ROWS_DATA(b), b->used);
	a->used += b->used;
	if (pg_add_s64_overflow(a->nrecords, b->nrecords, &a->nrecords) ||
		pg_add_s64_overflow(a->skipped, b->skipped, &a->skipped))
		kpi_count_overflow(fname, NULL);
	PG_RETURN_BYTEA_P(a);
}

static int
record_cmp(const void *x, const void *y)
{
	const RowRecord *a = *(const RowRecord *const *) x;
	const RowRecord *b = *(const RowRecord *const *) y;
	int			c;

	if (a->idlen != b->idlen)
		return a->idlen < b->idlen ? -1 : 1;
	c = memcmp(RECORD_ID(a), RECORD_ID(b), a->idlen);
	if (c != 0)
		return c;
	return a->month < b->month ? -1 : a->month > b->month ? 1 : 0;
}

/* the revenue_summary: each customer's series, as mrr_series() builds it, added */
Datum
revenue_rows_final(PG_FUNCTION_ARGS)
{
	const char *fname = "revenue_summary_rows_final";
	RowsHeader *h = rows_arg(fcinfo, 0, fname);
	void	   *summary = revenue_summary_new(h->from_month, h->nmonths);
	const RowRecord **recs;
	const char *p = ROWS_DATA(h);
	int64		n = h->nrecords;
	int64		maxrun = 0;
	MrrSeries  *ser;

	if (h->skipped > 0 && AggCheckCallContext(fcinfo, NULL) == AGG_CONTEXT_AGGREGATE)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("revenue_summary: " INT64_FORMAT " %s with ends_at before starts_at left out", h->skipped,
						h->skipped == 1 ? "subscription" : "subscriptions")));
	recs = palloc_extended(sizeof(RowRecord *) * Max(n, 1), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < n; i++)
	{
		recs[i] = (const RowRecord *) p;
		p += RECORD_SIZE(recs[i]->idlen);
	}
	qsort(recs, n, sizeof(RowRecord *), record_cmp);
	for (int64 i = 0, j; i < n; i = j)
	{
		for (j = i + 1; j < n && recs[j]->idlen == recs[i]->idlen &&
			 memcmp(RECORD_ID(recs[j]), RECORD_ID(recs[i]), recs[i]->idlen) == 0; j++)
			;
		maxrun = Max(maxrun, j - i);
	}
	if (maxrun > (int64) ((MaxAllocSize - offsetof(MrrSeries, points)) / sizeof(MrrPoint)))
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("revenue_summary: too many subscriptions for one customer")));
	ser = palloc0(MRR_SERIES_SIZE(Max(maxrun, 1)));
	for (int64 i = 0, j; i < n; i = j)
	{
		MrrSeries  *c;

		SET_VARSIZE(ser, MRR_SERIES_SIZE(Max(maxrun, 1)));
		ser->version = MRR_SERIES_VERSION;
		ser->flags = MRR_SORTED;	/* the records of a customer come sorted by month */
		ser->scale = h->scale;
		ser->capacity = (int32) Max(maxrun, 1);
		ser->npoints = 0;
		ser->skipped = 0;
		for (j = i; j < n && recs[j]->idlen == recs[i]->idlen &&
			 memcmp(RECORD_ID(recs[j]), RECORD_ID(recs[i]), recs[i]->idlen) == 0; j++)
		{
			if (recs[j]->delta == 0)
			{
				ser->skipped += recs[j]->month == MARK_SKIPPED;
				continue;
			}
			ser->points[ser->npoints].month = recs[j]->month;
			ser->points[ser->npoints].kind = MRR_POINT_MRR;
			ser->points[ser->npoints].delta = recs[j]->delta;
			ser->npoints++;
		}
		/* sorted, but equal months not yet added up: the canonical form */
		c = revenue_series_canonical(ser, fname);
		revenue_summary_add(summary, c);
		pfree(c);
	}
	pfree(recs);
	PG_RETURN_POINTER(summary);
}
