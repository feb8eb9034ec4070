/*
 * response_time.c - response time of leads (spec section 2.3): from a lead's
 * creation to its first response, per rep and per source.
 *
 *   response_time(created, responded, sla)   the storable summary (aggregate)
 *   rollup(response_time)                     merges summaries
 *   accessors: leads, answered_leads, unanswered_leads, within_sla,
 *   sla_share, avg_response_days, median_response_days,
 *   response_percentile_days, skipped_rows, sla.
 *
 * A row with a NULL created is no lead and is ignored; a NULL responded is
 * a lead not answered (yet): it counts among the leads and is a miss for the
 * SLA share (spec: unanswered counts as a miss) but has no response time.  A
 * response is within the SLA when responded - created <= sla.  A response
 * before the lead was created is an error, or with sales_kpi.invalid_rows =
 * skip the row is left out and counted (skipped_rows).
 *
 * Averages are exact (integer microseconds summed in int128).  Medians and
 * percentiles are percentile_cont over the answered leads' response times:
 * exact while a summary has at most RT_EXACT_MAX (32) answered leads, else
 * from the mergeable histogram of kpi/hist.h (within 1/128), the same
 * resolution as time in stage.  The histogram is always kept and merges by
 * addition, so serial, parallel and rolled-up results are identical.
 */
#include "kpi/kpi.h"
#include "kpi/report.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include <math.h>

#define RT_VERSION 1
#define RT_TYPNAME "response_time"
#define RT_EXACT_MAX 32

typedef struct RtBucket
{
	int32		bucket;
	int32		unused;
	int64		count;
} RtBucket;

/*
 * response_time (version 1): the header, then capacity buckets of which the
 * first nbuckets are used (ascending bucket numbers, positive counts).
 * VARSIZE covers the capacity; the text and binary forms hold only the used
 * buckets.
 */
typedef struct ResponseTime
{
	int32		vl_len_;
	uint8		version;
	uint8		kind;			/* TimeKind of created/responded */
	uint8		flags;			/* reserved, 0 */
	uint8		unused;
	int32		nbuckets;
	int32		capacity;
	int64		sla_us;			/* > 0 */
	int64		leads;			/* rows with a created time (not skipped) */
	int64		answered;		/* of those, with a response */
	int64		within;			/* answered within the SLA */
	int64		skipped;		/* responses before creation left out */
	int128		sum_us;			/* sum of the answered leads' response times */
	uint64		exact[RT_EXACT_MAX];	/* ascending, while answered <= 32; zeros otherwise */
} ResponseTime;

#define RT_BUCKETS(r) ((RtBucket *) ((char *) (r) + sizeof(ResponseTime)))
#define RT_SIZE(cap) (sizeof(ResponseTime) + (Size) (cap) * sizeof(RtBucket))

StaticAssertDecl(sizeof(ResponseTime) % 8 == 0, "ResponseTime header must keep 8-byte alignment");
StaticAssertDecl(offsetof(ResponseTime, version) == VARHDRSZ, "the version follows the length word");

/*
 * Every invariant a response_time keeps, however it was made: NULL when r
 * keeps them all, else the one it breaks.  Text and binary input and every
 * function handed a value check through it.
 */
static const char *
rt_broken(const void *value)
{
	const ResponseTime *r = value;
	const RtBucket *bk = RT_BUCKETS(r);
	int128		lo = 0,
				hi = 0,
				total = 0;
	int64		sure_within = 0,
				maybe_within = 0;

	if (r->version != RT_VERSION)
		return "Unsupported format version.";
	if (r->flags != 0 || r->unused != 0)
		return "Unknown flag bits are set.";
	if (r->kind < TIME_DATE || r->kind > TIME_TIMESTAMPTZ)
		return "Unknown time kind.";
	if (r->sla_us <= 0)
		return "The SLA must be a positive number of microseconds.";
	if (r->nbuckets < 0 || r->nbuckets > r->capacity || VARSIZE(r) != RT_SIZE(r->capacity))
		return "The histogram's size does not match the value.";
	if (r->leads < 0 || r->answered < 0 || r->within < 0 || r->skipped < 0 ||
		r->answered > r->leads || r->within > r->answered)
		return "Counts must satisfy 0 <= within_sla <= answered <= leads and skipped >= 0.";
	if (r->sum_us < 0)
		return "The total response time must be non-negative.";
	for (int i = 0; i < r->nbuckets; i++)
	{
		uint64		low;
		uint64		top;

		if (bk[i].bucket < 0 || bk[i].bucket > KPI_HIST_MAX_BUCKET || bk[i].unused != 0 ||
			(i > 0 && bk[i].bucket <= bk[i - 1].bucket))
			return "Histogram buckets must be distinct, ascending and in range.";
		if (bk[i].count <= 0)
			return "Histogram counts must be positive.";
		low = kpi_hist_low(bk[i].bucket);
		top = low + kpi_hist_width(bk[i].bucket) - 1;
		total += bk[i].count;
		if (total > r->answered)
			return "The histogram must count the answered leads.";
		lo += (int128) bk[i].count * low;
		hi += (int128) bk[i].count * top;
		if (top <= (uint64) r->sla_us)
			sure_within += bk[i].count;
		if (low <= (uint64) r->sla_us)
			maybe_within += bk[i].count;
	}
	if (total != r->answered)
		return "The histogram must count the answered leads.";
	if (r->sum_us < lo || r->sum_us > hi)
		return "The total response time does not fit the histogram.";
	if (r->within < sure_within || r->within > maybe_within)
		return "The leads within the SLA do not fit the histogram.";
	if (r->answered <= RT_EXACT_MAX)
	{
		int128		sum = 0;
		int64		within = 0;
		int			b = 0;

		for (int i = 0; i < r->answered; i++)
		{
			int			hb = kpi_hist_bucket(r->exact[i]);
			int64		run = 0;

			if (i > 0 && r->exact[i] < r->exact[i - 1])
				return "Exact response times must be ascending.";
			if (b >= r->nbuckets || bk[b].bucket != hb)
				return "Exact response times do not match the histogram.";
			for (; i < r->answered && kpi_hist_bucket(r->exact[i]) == hb; i++, run++)
			{
				if (i > 0 && r->exact[i] < r->exact[i - 1])
					return "Exact response times must be ascending.";
				sum += r->exact[i];
				within += r->exact[i] <= (uint64) r->sla_us;
			}
			i--;
			if (run != bk[b].count)
				return "Exact response times do not match the histogram.";
			b++;
		}
		if (sum != r->sum_us)
			return "Exact response times must add up to the total response time.";
		if (within != r->within)
			return "The leads within the SLA must be those of the exact response times.";
		for (int i = (int) r->answered; i < RT_EXACT_MAX; i++)
			if (r->exact[i] != 0)
				return "Unused exact slots must be 0.";
	}
	else
		for (int i = 0; i < RT_EXACT_MAX; i++)
			if (r->exact[i] != 0)
				return "A value with more than 32 answered leads keeps no exact response times.";
	return NULL;
}

static ResponseTime *
rt_new(int capacity, TimeKind kind, int64 sla_us)
{
	ResponseTime *r = kpi_fixed_new(RT_VERSION, RT_SIZE(capacity));

	r->capacity = capacity;
	r->kind = (uint8) kind;
	r->sla_us = sla_us;
	return r;
}

/* d as a response_time, its size and version checked */
static ResponseTime *
rt_get(Datum d)
{
	ResponseTime *r = kpi_stored(d, RT_VERSION, sizeof(ResponseTime), RT_TYPNAME);

	if (r->capacity < 0 || (Size) r->capacity > MaxAllocSize / sizeof(RtBucket) ||
		VARSIZE(r) != RT_SIZE(r->capacity) || r->nbuckets < 0 || r->nbuckets > r->capacity)
		kpi_corrupt(RT_TYPNAME);
	return r;
}

/* d as a response_time with every invariant checked: fname refuses a broken one */
static ResponseTime *
rt_get_valid(Datum d, const char *fname)
{
	return kpi_valid(rt_get(d), rt_broken, fname, RT_TYPNAME);
}

/* add count values of bucket b; may return a new, larger value */
static ResponseTime *
rt_hist_add(ResponseTime *r, int b, int64 count)
{
	RtBucket   *bk = RT_BUCKETS(r);
	int			lo = 0,
				hi = r->nbuckets;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (bk[mid].bucket < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->nbuckets && bk[lo].bucket == b)
	{
		bk[lo].count += count;	/* fits: the caller checked answered */
		return r;
	}
	if (r->nbuckets == r->capacity)
	{
		int			cap = Max(8, r->capacity * 2);
		ResponseTime *q = palloc0(RT_SIZE(cap));

		memcpy(q, r, RT_SIZE(r->capacity));
		SET_VARSIZE(q, RT_SIZE(cap));
		q->capacity = cap;
		r = q;
		bk = RT_BUCKETS(r);
	}
	memmove(&bk[lo + 1], &bk[lo], sizeof(RtBucket) * (r->nbuckets - lo));
	bk[lo].bucket = b;
	bk[lo].unused = 0;
	bk[lo].count = count;
	r->nbuckets++;
	return r;
}

/* one answered lead with response time v */
static ResponseTime *
rt_add_value(ResponseTime *r, uint64 v)
{
	int64		n = r->answered;

	if (n < RT_EXACT_MAX)
	{
		int			i = (int) n;

		while (i > 0 && r->exact[i - 1] > v)
		{
			r->exact[i] = r->exact[i - 1];
			i--;
		}
		r->exact[i] = v;
	}
	else if (n == RT_EXACT_MAX)
		memset(r->exact, 0, sizeof(r->exact));
	r->answered++;
	r->within += v <= (uint64) r->sla_us;
	r->sum_us += v;
	return rt_hist_add(r, kpi_hist_bucket(v), 1);
}

static void
rt_same_kind(const ResponseTime *r, TimeKind kind, int64 sla_us, const char *fname)
{
	if (r->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: response times of %s and of %s cannot be mixed", fname,
						kpi_time_kind_names[r->kind], kpi_time_kind_names[kind])));
	if (r->sla_us != sla_us)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the SLA must be the same for every row and summary merged", fname),
				 errdetail("SLAs of " INT64_FORMAT " and " INT64_FORMAT " microseconds.", r->sla_us, sla_us),
				 errhint("Pass a constant SLA; summaries with different SLAs cannot be rolled up.")));
}

/* (state, created, responded, sla) */
static Datum
rt_accum(FunctionCallInfo fcinfo, TimeKind kind)
{
	const char *fname = "response_time";
	ResponseTime *r;
	int64		sla_us;
	int64		c,
				d = 0;
	bool		answered = !PG_ARGISNULL(2);

	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: sla must not be NULL", fname),
				 errhint("Pass the SLA interval, e.g. interval '1 hour'.")));
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	sla_us = kpi_interval_usec(PG_GETARG_DATUM(3), fname, "sla");
	c = kpi_time_usec(PG_GETARG_DATUM(1), kind, fcinfo, fname, "created");
	if (answered)
		d = kpi_time_usec(PG_GETARG_DATUM(2), kind, fcinfo, fname, "responded");
	if (PG_ARGISNULL(0))
		r = rt_new(8, kind, sla_us);
	else
	{
		r = kpi_writable(fcinfo, 0, rt_get(PG_GETARG_DATUM(0)));
		rt_same_kind(r, kind, sla_us, fname);
	}
	if (answered && d < c)
	{
		if (kpi_invalid_rows != KPI_INVALID_SKIP)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: responded is before created", fname),
					 errdetail("A lead created at %s was answered at %s.",
							   kind == TIME_DATE ? DatumGetCString(DirectFunctionCall1(date_out, PG_GETARG_DATUM(1)))
							   : DatumGetCString(DirectFunctionCall1(kind == TIME_TIMESTAMP ? timestamp_out : timestamptz_out, PG_GETARG_DATUM(1))),
							   kind == TIME_DATE ? DatumGetCString(DirectFunctionCall1(date_out, PG_GETARG_DATUM(2)))
							   : DatumGetCString(DirectFunctionCall1(kind == TIME_TIMESTAMP ? timestamp_out : timestamptz_out, PG_GETARG_DATUM(2)))),
					 errhint("Leave such rows out with WHERE responded_at IS NULL OR responded_at >= created_at, "
							 "or SET sales_kpi.invalid_rows = 'skip' to leave them out and count them.")));
		if (r->skipped == PG_INT64_MAX)
			kpi_count_overflow(fname, NULL);
		r->skipped++;
		PG_RETURN_POINTER(r);
	}
	if (r->leads == PG_INT64_MAX)
		kpi_count_overflow(fname, NULL);
	r->leads++;
	if (answered)
		r = rt_add_value(r, (uint64) d - (uint64) c);
	PG_RETURN_POINTER(r);
}

KPI_FUNCTION(response_time_accum_tz, rt_accum, TIME_TIMESTAMPTZ);
KPI_FUNCTION(response_time_accum_ts, rt_accum, TIME_TIMESTAMP);
KPI_FUNCTION(response_time_accum_date, rt_accum, TIME_DATE);

/* merge b into a (combine and rollup; strictness by hand: either may be NULL) */
PG_FUNCTION_INFO_V1(response_time_combine);
Datum
response_time_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "response_time_combine";
	ResponseTime *a,
			   *b,
			   *r;
	const RtBucket *ba,
			   *bb;
	int			ia = 0,
				ib = 0;
	int64		leads,
				answered,
				within,
				skipped;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(rt_get_valid(PG_GETARG_DATUM(0), fname));
	}
	b = rt_get_valid(PG_GETARG_DATUM(1), fname);
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(b);
	a = rt_get_valid(PG_GETARG_DATUM(0), fname);
	rt_same_kind(a, b->kind, b->sla_us, fname);
	if (pg_add_s64_overflow(a->leads, b->leads, &leads) ||
		pg_add_s64_overflow(a->answered, b->answered, &answered) ||
		pg_add_s64_overflow(a->within, b->within, &within) ||
		pg_add_s64_overflow(a->skipped, b->skipped, &skipped))
		kpi_count_overflow(fname, NULL);
	r = rt_new(a->nbuckets + b->nbuckets, a->kind, a->sla_us);
	r->leads = leads;
	r->answered = answered;
	r->within = within;
	r->skipped = skipped;
	r->sum_us = kpi_add128(a->sum_us, b->sum_us);
	ba = RT_BUCKETS(a);
	bb = RT_BUCKETS(b);
	while (ia < a->nbuckets || ib < b->nbuckets)
	{
		RtBucket   *o = &RT_BUCKETS(r)[r->nbuckets++];

		if (ib >= b->nbuckets || (ia < a->nbuckets && ba[ia].bucket < bb[ib].bucket))
			*o = ba[ia++];
		else if (ia >= a->nbuckets || bb[ib].bucket < ba[ia].bucket)
			*o = bb[ib++];
		else
		{
			*o = ba[ia++];
			o->count += bb[ib++].count;	/* fits: answered did */
		}
	}
	if (answered <= RT_EXACT_MAX)
	{
		int			xa = 0,
					xb = 0;

		for (int m = 0; m < answered; m++)
			r->exact[m] = (xb >= b->answered || (xa < a->answered && a->exact[xa] <= b->exact[xb]))
				? a->exact[xa++] : b->exact[xb++];
	}
	PG_RETURN_POINTER(r);
}

/* the final function: the summary; warns once per result when rows were skipped */
PG_FUNCTION_INFO_V1(response_time_final);
Datum
response_time_final(PG_FUNCTION_ARGS)
{
	ResponseTime *r = rt_get_valid(PG_GETARG_DATUM(0), "response_time");

	if (r->skipped > 0 && AggCheckCallContext(fcinfo, NULL) == AGG_CONTEXT_AGGREGATE)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("response_time: " INT64_FORMAT " %s answered before created left out",
						r->skipped, r->skipped == 1 ? "lead" : "leads"),
				 errdetail("sales_kpi.invalid_rows is skip: those rows count in no figure of the summary."),
				 errhint("skipped_rows(response_time) gives the count; WHERE responded_at < created_at finds the rows.")));
	PG_RETURN_POINTER(r);
}

/* ---- I/O ---- */

PG_FUNCTION_INFO_V1(response_time_in);
PG_FUNCTION_INFO_V1(response_time_out);
PG_FUNCTION_INFO_V1(response_time_recv);
PG_FUNCTION_INFO_V1(response_time_send);

/*
 * (version=1,time=timestamptz,sla_us=N,leads=N,answered=N,within_sla=N,
 *  skipped=N,sum_us=N,hist=[bucket:count,...],exact=[us,...])
 */
Datum
response_time_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	ResponseTime *r;
	int			nexact = 0;
	uint64		exact[RT_EXACT_MAX + 1];

	r = rt_new(8, TIME_TIMESTAMPTZ, 1);
	kpi_kv_begin(&kv, str, RT_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != RT_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	r->kind = (uint8) kpi_kv_time_kind(&kv);
	r->sla_us = kpi_kv_int64(&kv, "sla_us", 1);
	r->leads = kpi_kv_int64(&kv, "leads", 0);
	r->answered = kpi_kv_int64(&kv, "answered", 0);
	r->within = kpi_kv_int64(&kv, "within_sla", 0);
	r->skipped = kpi_kv_int64(&kv, "skipped", 0);
	r->sum_us = kpi_kv_micros(&kv, "sum_us", "Expected an integer number of microseconds");
	kpi_kv_key(&kv, "hist");
	kpi_kv_char(&kv, '[');
	if (!kpi_kv_peek(&kv, ']'))
	{
		do
		{
			int64		bucket = kpi_kv_number(&kv, 0, KPI_HIST_MAX_BUCKET, "a histogram bucket");
			int64		count;
			RtBucket   *bk;

			kpi_kv_char(&kv, ':');
			count = kpi_kv_number(&kv, 1, PG_INT64_MAX, "a histogram count");
			if (r->nbuckets == r->capacity)
			{
				ResponseTime *q = palloc0(RT_SIZE(r->capacity * 2));

				memcpy(q, r, RT_SIZE(r->capacity));
				q->capacity = r->capacity * 2;
				SET_VARSIZE(q, RT_SIZE(q->capacity));
				r = q;
			}
			bk = &RT_BUCKETS(r)[r->nbuckets++];
			bk->bucket = (int32) bucket;
			bk->count = count;
		} while (kpi_kv_more(&kv));
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_key(&kv, "exact");
	kpi_kv_char(&kv, '[');
	if (!kpi_kv_peek(&kv, ']'))
	{
		do
		{
			if (nexact == RT_EXACT_MAX)
				kpi_kv_fail(&kv, "Too many exact times");
			exact[nexact++] = kpi_kv_exact_usec(&kv);
		} while (kpi_kv_more(&kv));
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_end(&kv);
	if (nexact != (r->answered <= RT_EXACT_MAX ? r->answered : 0))
		kpi_bad_text(RT_TYPNAME, str, "The exact response times must be listed exactly while there are at most 32 answered leads.");
	memcpy(r->exact, exact, sizeof(uint64) * nexact);
	kpi_check_text(rt_broken(r), RT_TYPNAME, str);
	PG_RETURN_POINTER(r);
}

Datum
response_time_out(PG_FUNCTION_ARGS)
{
	ResponseTime *r = rt_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,time=%s,sla_us=" INT64_FORMAT ",leads=" INT64_FORMAT
					 ",answered=" INT64_FORMAT ",within_sla=" INT64_FORMAT ",skipped=" INT64_FORMAT ",sum_us=",
					 r->version, kpi_time_kind_names[r->kind], r->sla_us, r->leads, r->answered,
					 r->within, r->skipped);
	kpi_append_decimal(&buf, r->sum_us, 0);
	appendStringInfoString(&buf, ",hist=[");
	for (int i = 0; i < r->nbuckets; i++)
		appendStringInfo(&buf, "%s%d:" INT64_FORMAT, i ? "," : "", RT_BUCKETS(r)[i].bucket,
						 RT_BUCKETS(r)[i].count);
	appendStringInfoString(&buf, "],exact=[");
	if (r->answered <= RT_EXACT_MAX)
		for (int i = 0; i < r->answered; i++)
			appendStringInfo(&buf, "%s" UINT64_FORMAT, i ? "," : "", r->exact[i]);
	appendStringInfoString(&buf, "])");
	PG_RETURN_CSTRING(buf.data);
}

Datum
response_time_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	ResponseTime *r;
	int			version = pq_getmsgbyte(buf);
	int			kind,
				flags;
	int64		nbuckets;
	int			nexact;

	if (version != RT_VERSION)
		kpi_bad_binary(RT_TYPNAME, "Unsupported format version.");
	kind = pq_getmsgbyte(buf);
	flags = pq_getmsgbyte(buf);
	nbuckets = pq_getmsgint(buf, 4);
	if (nbuckets < 0 || nbuckets > KPI_HIST_MAX_BUCKET + 1)
		kpi_bad_binary(RT_TYPNAME, "Histogram size out of range.");
	r = rt_new((int) Max(nbuckets, 1), TIME_TIMESTAMPTZ, 1);
	r->kind = (uint8) kind;
	r->flags = (uint8) flags;
	r->sla_us = pq_getmsgint64(buf);
	r->leads = pq_getmsgint64(buf);
	r->answered = pq_getmsgint64(buf);
	r->within = pq_getmsgint64(buf);
	r->skipped = pq_getmsgint64(buf);
	r->sum_us = kpi_recv_int128(buf, RT_TYPNAME);
	kpi_recv_count(buf, nbuckets, 12, RT_TYPNAME, "More histogram buckets announced than sent.");
	for (int i = 0; i < nbuckets; i++)
	{
		RT_BUCKETS(r)[i].bucket = pq_getmsgint(buf, 4);
		RT_BUCKETS(r)[i].count = pq_getmsgint64(buf);
	}
	r->nbuckets = (int32) nbuckets;
	nexact = (r->answered >= 0 && r->answered <= RT_EXACT_MAX) ? (int) r->answered : 0;
	for (int i = 0; i < nexact; i++)
		r->exact[i] = (uint64) pq_getmsgint64(buf);
	kpi_recv_end(buf, RT_TYPNAME);
	kpi_check_binary(rt_broken(r), RT_TYPNAME);
	PG_RETURN_POINTER(r);
}

Datum
response_time_send(PG_FUNCTION_ARGS)
{
	ResponseTime *r = rt_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, r->version);
	pq_sendbyte(&buf, r->kind);
	pq_sendbyte(&buf, r->flags);
	pq_sendint32(&buf, r->nbuckets);
	pq_sendint64(&buf, r->sla_us);
	pq_sendint64(&buf, r->leads);
	pq_sendint64(&buf, r->answered);
	pq_sendint64(&buf, r->within);
	pq_sendint64(&buf, r->skipped);
	kpi_send_int128(&buf, r->sum_us);
	for (int i = 0; i < r->nbuckets; i++)
	{
		pq_sendint32(&buf, RT_BUCKETS(r)[i].bucket);
		pq_sendint64(&buf, RT_BUCKETS(r)[i].count);
	}
	if (r->answered <= RT_EXACT_MAX)
		for (int i = 0; i < r->answered; i++)
			pq_sendint64(&buf, (int64) r->exact[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- accessors ---- */

/* the response time at 0-based rank k among the answered leads */
static double
rt_rank_value(const ResponseTime *r, int64 k)
{
	int64		seen = 0;

	if (r->answered <= RT_EXACT_MAX)
		return (double) r->exact[k];
	for (int i = 0; i < r->nbuckets; i++)
	{
		seen += RT_BUCKETS(r)[i].count;
		if (k < seen)
			return kpi_hist_rep(RT_BUCKETS(r)[i].bucket);
	}
	/* cannot happen: validation ties the histogram to answered */
	elog(ERROR, "response_time: histogram shorter than its count");
	pg_unreachable();
}

/* percentile_cont(fraction) of the answered leads' response times, in days */
static double
rt_percentile_days(const ResponseTime *r, double fraction)
{
	int64		n = r->answered;
	double		pos = fraction * (double) (n - 1);
	int64		lo = pos >= (double) (n - 1) ? n - 1 : (int64) pos;
	double		vlo = rt_rank_value(r, lo);
	double		vhi = lo + 1 < n && pos > (double) lo ? rt_rank_value(r, lo + 1) : vlo;

	return (vlo + (pos - (double) lo) * (vhi - vlo)) / (double) KPI_USECS_PER_DAY;
}

#define RT_ARG(fname) rt_get_valid(PG_GETARG_DATUM(0), fname)

PG_FUNCTION_INFO_V1(response_time_leads);
PG_FUNCTION_INFO_V1(response_time_answered);
PG_FUNCTION_INFO_V1(response_time_unanswered);
PG_FUNCTION_INFO_V1(response_time_within_sla);
PG_FUNCTION_INFO_V1(response_time_skipped_rows);
PG_FUNCTION_INFO_V1(response_time_sla);
PG_FUNCTION_INFO_V1(response_time_sla_share);
PG_FUNCTION_INFO_V1(response_time_avg_days);
PG_FUNCTION_INFO_V1(response_time_median_days);
PG_FUNCTION_INFO_V1(response_time_percentile_days);

Datum
response_time_leads(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(RT_ARG("leads")->leads);
}

Datum
response_time_answered(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(RT_ARG("answered_leads")->answered);
}

Datum
response_time_unanswered(PG_FUNCTION_ARGS)
{
	ResponseTime *r = RT_ARG("unanswered_leads");

	PG_RETURN_INT64(r->leads - r->answered);
}

Datum
response_time_within_sla(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(RT_ARG("within_sla")->within);
}

Datum
response_time_skipped_rows(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(RT_ARG("skipped_rows")->skipped);
}

/* the SLA as an interval (microseconds) */
Datum
response_time_sla(PG_FUNCTION_ARGS)
{
	ResponseTime *r = RT_ARG("sla");
	Interval   *iv = palloc0(sizeof(Interval));

	iv->time = r->sla_us;
	PG_RETURN_INTERVAL_P(iv);
}

/* within / leads: an unanswered lead is a miss; NULL without leads */
Datum
response_time_sla_share(PG_FUNCTION_ARGS)
{
	ResponseTime *r = RT_ARG("sla_share");

	if (r->leads == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) r->within / (double) r->leads);
}

Datum
response_time_avg_days(PG_FUNCTION_ARGS)
{
	ResponseTime *r = RT_ARG("avg_response_days");

	if (r->answered == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) r->sum_us / (double) r->answered / (double) KPI_USECS_PER_DAY);
}

Datum
response_time_median_days(PG_FUNCTION_ARGS)
{
	ResponseTime *r = RT_ARG("median_response_days");

	if (r->answered == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rt_percentile_days(r, 0.5));
}

Datum
response_time_percentile_days(PG_FUNCTION_ARGS)
{
	ResponseTime *r = RT_ARG("response_percentile_days");
	double		fraction = PG_GETARG_FLOAT8(1);

	if (isnan(fraction) || fraction < 0.0 || fraction > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("response_percentile_days: fraction must be between 0 and 1, got %g", fraction),
				 errhint("Pass e.g. 0.9 for the 90th percentile.")));
	if (r->answered == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rt_percentile_days(r, fraction));
}

/* ---- kpis(response_time), response_time::json and ::jsonb (kpi/report.h) ---- */

/* the columns of response_time_kpis, in order; p90 is response_percentile_days(r, 0.9) */
static const char *const rt_columns[] = {
	"leads", "answered_leads", "unanswered_leads", "within_sla", "sla", "sla_share",
	"avg_response_days", "median_response_days", "p90_response_days", "skipped_rows"
};

static void
rt_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	/* read (and validate) once: the accessors read the same copy */
	Datum		r = PointerGetDatum(RT_ARG("kpis"));

	(void) desc;
	values[0] = kpi_report_call(response_time_leads, r, &nulls[0]);
	values[1] = kpi_report_call(response_time_answered, r, &nulls[1]);
	values[2] = kpi_report_call(response_time_unanswered, r, &nulls[2]);
	values[3] = kpi_report_call(response_time_within_sla, r, &nulls[3]);
	values[4] = kpi_report_call(response_time_sla, r, &nulls[4]);
	values[5] = kpi_report_call(response_time_sla_share, r, &nulls[5]);
	values[6] = kpi_report_call(response_time_avg_days, r, &nulls[6]);
	values[7] = kpi_report_call(response_time_median_days, r, &nulls[7]);
	values[8] = kpi_report_call2(response_time_percentile_days, r, Float8GetDatum(0.9), &nulls[8]);
	values[9] = kpi_report_call(response_time_skipped_rows, r, &nulls[9]);
}

KPI_REPORT_FUNCTIONS(response_time, "response_time_kpis", rt_columns, rt_fill);
