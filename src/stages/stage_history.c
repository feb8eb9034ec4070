/*
 * stage_history.c - the one-level convenience form of the stage funnels and
 * time in stage (spec section 2.2): one aggregate over the raw stage-history
 * rows, grouping by deal id internally.
 *
 *   stage_history(deal_id bigint|text, stage, entered_at, stages)  -> stage_history
 *   stage_funnel(history [, mode])                               -> stage_funnel
 *   stage_times(history [, as_of [, stale_after]])               -> stage_times
 *
 * The state keeps every event (deal id, stage position, time), so it grows
 * with the input (about 24 bytes per event for bigint ids) and is limited to
 * 1 GB; the reading functions sort the events by (deal id, time, position)
 * and feed each deal's path to exactly the code the two-level form uses, so
 * both forms give identical results.  For large histories, and to push the
 * per-deal work down on Citus, use the two-level form (stage_path per deal).
 */
#include "kpi/kpi.h"
#include "stages/stages.h"
#include "kpi/report.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#define HISTORY_VERSION 1
#define HISTORY_SORTED 0x01		/* flags: records sorted by (deal, time, position) */
#define HISTORY_TEXT_IDS 0x08	/* flags: deal ids are text (else bigint) */
#define HISTORY_MAX_ID 1024		/* bytes of a text deal id */

/*
 * stage_history: header, the stage names (NUL-ended, padded to 8 bytes),
 * then `used` bytes of event records out of `capacity`.  A record is a
 * HistEvent followed by the id's bytes, padded to 8 bytes.  VARSIZE covers
 * the capacity, so an aggregate's state grows in place.
 */
typedef struct StageHistory
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;			/* HISTORY_SORTED; bits 1-2: TimeKind (as stage_path); HISTORY_TEXT_IDS */
	int16		nstages;
	int32		namelen;		/* bytes of the names, padded */
	int64		nevents;
	int64		used;			/* bytes of records */
	int64		capacity;		/* bytes for records */
	uint64		stages_hash;
} StageHistory;

typedef struct HistEvent
{
	int64		ts;
	int16		pos;
	uint16		idlen;
	int32		unused;
	/* id bytes follow */
} HistEvent;

/* with bigint ids every record is exactly this, so they sort as an array */
typedef struct HistEventInt
{
	int64		ts;
	int16		pos;
	uint16		idlen;			/* 8 */
	int32		unused;
	int64		id;
} HistEventInt;

#define HIST_ID_OFFSET 16

StaticAssertDecl(sizeof(HistEvent) == HIST_ID_OFFSET, "HistEvent header size");
StaticAssertDecl(sizeof(HistEventInt) == MAXALIGN(HIST_ID_OFFSET + sizeof(int64)), "HistEventInt record size");

static inline int
hist_int_cmp(const HistEventInt *a, const HistEventInt *b)
{
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return (int) a->pos - (int) b->pos;
}

#define ST_SORT sort_hist_int
#define ST_ELEMENT_TYPE HistEventInt
#define ST_COMPARE(a, b) hist_int_cmp(a, b)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"
#define HISTORY_NAMES(h) ((char *) (h) + sizeof(StageHistory))
#define HISTORY_RECORDS(h) (HISTORY_NAMES(h) + (h)->namelen)
#define HISTORY_SIZE(namelen, cap) (sizeof(StageHistory) + (Size) (namelen) + (Size) (cap))
#define HISTORY_KIND(h) ((TimeKind) (((h)->flags & PATH_KIND_MASK) >> PATH_KIND_SHIFT))
#define RECORD_SIZE(idlen) MAXALIGN(HIST_ID_OFFSET + (idlen))

StaticAssertDecl(sizeof(StageHistory) % 8 == 0, "StageHistory header must keep 8-byte alignment");
StaticAssertDecl(offsetof(StageHistory, version) == VARHDRSZ, "the version follows the length word");

static StageHistory *history_sorted(const StageHistory *h);

static void
history_too_big(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("stage_history: too many events for the one-level form (limit 1 GB, about 40 million events)"),
			 errhint("Use the two-level form: stage_path(stage, entered_at, stages) per deal (GROUP BY deal id), "
					 "then stage_funnel() or stage_times() over the paths.")));
}

/*
 * A new value with room for capacity bytes of records.  The record area is
 * zeroed only with zero_records: callers that fill it, or states that live
 * only inside an aggregate, skip that (it is most of the cost of growing).
 */
static StageHistory *
history_alloc(int namelen, Size capacity, bool zero_records)
{
	Size		size = HISTORY_SIZE(namelen, capacity);
	StageHistory *h;

	if (size > MaxAllocSize)
		history_too_big();
	h = palloc_extended(size, zero_records ? MCXT_ALLOC_ZERO : 0);
	if (!zero_records)
		memset(h, 0, sizeof(StageHistory) + namelen);
	SET_VARSIZE(h, size);
	h->version = HISTORY_VERSION;
	h->namelen = namelen;
	h->capacity = capacity;
	return h;
}

/* A new, empty history of the stages of sl with room for capacity bytes of records. */
static StageHistory *
history_new(const StageList *sl, int flags, Size capacity, const char *fname)
{
	StageHistory *h = history_alloc((int) MAXALIGN(stages_stored_size(sl, fname)), capacity, true);

	h->nstages = sl->nstages;
	h->stages_hash = sl->hash;
	h->flags = flags;
	stages_store(sl, HISTORY_NAMES(h));
	return h;
}

/* a stage_history argument, its size and version checked (its invariants hold: input checks them) */
static StageHistory *
history_get(Datum d)
{
	StageHistory *h = kpi_stored(d, HISTORY_VERSION, sizeof(StageHistory), "stage_history");

	if (h->nstages < 1 || h->nstages > STAGES_MAX || h->namelen < 0 ||
		h->used < 0 || h->used > h->capacity || h->nevents < 0 ||
		VARSIZE(h) != HISTORY_SIZE(h->namelen, h->capacity))
		kpi_corrupt("stage_history");
	return h;
}

/*
 * A copy with room for capacity bytes of records (>= used); the slack is
 * zeroed unless the copy stays inside an aggregate (inagg), so that no
 * uninitialised bytes can ever be stored or sent.
 */
static StageHistory *
history_copy(const StageHistory *h, Size capacity, bool inagg)
{
	StageHistory *q = history_alloc(h->namelen, capacity, false);

	memcpy((char *) q + VARHDRSZ, (const char *) h + VARHDRSZ,
		   sizeof(StageHistory) - VARHDRSZ + h->namelen);
	q->capacity = capacity;
	memcpy(HISTORY_RECORDS(q), HISTORY_RECORDS(h), h->used);
	if (!inagg)
		memset(HISTORY_RECORDS(q) + h->used, 0, capacity - h->used);
	return q;
}

/* Double the room, but not beyond the 1 GB limit while need still fits. */
static Size
history_next_capacity(const StageHistory *h, Size need)
{
	Size		limit = MaxAllocSize - sizeof(StageHistory) - h->namelen;
	Size		cap = Max(need, Max(1024, (Size) h->capacity * 2));

	if (cap > limit && need <= limit)
		cap = limit;
	return cap;
}

/* Make room for more bytes; in an aggregate the state grows in place. */
static StageHistory *
history_reserve(FunctionCallInfo fcinfo, StageHistory *h, int argno, Size more)
{
	Size		need = h->used + more;
	bool		inagg = AggCheckCallContext(fcinfo, NULL) != 0;

	if (need <= (Size) h->capacity && (inagg || (void *) h != DatumGetPointer(PG_GETARG_DATUM(argno))))
		return h;
	return history_copy(h, history_next_capacity(h, need), inagg);
}

/*
 * Inside an aggregate a large state is an expanded object: a header in the
 * aggregate's memory holding the flat value with slack, grown with repalloc
 * (for large values realloc can move pages instead of copying them).  The
 * executor then keeps the same object from row to row instead of copying
 * the whole state each time it grows; wherever the value leaves the
 * aggregate it is flattened to the plain varlena, without slack.  Small
 * states stay plain values: an expanded object needs a memory context of
 * its own, and a hash aggregate with many groups sums the memory of every
 * context on every new group (quadratic in the number of groups).
 */
#define HISTORY_EXPAND_AT ((Size) 64 * 1024)	/* bytes of records */
typedef struct ExpandedHistory
{
	ExpandedObjectHeader hdr;
	StageHistory *h;			/* flat, with slack, in hdr.eoh_context */
} ExpandedHistory;

static Size
eh_get_flat_size(ExpandedObjectHeader *eohptr)
{
	const StageHistory *h = ((ExpandedHistory *) eohptr)->h;

	return HISTORY_SIZE(h->namelen, Max(h->used, 8));
}

static void
eh_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	const StageHistory *h = ((ExpandedHistory *) eohptr)->h;
	StageHistory *r = (StageHistory *) result;
	Size		cap = Max(h->used, 8);

	Assert(allocated_size == HISTORY_SIZE(h->namelen, cap));
	memcpy(r, h, sizeof(StageHistory) + h->namelen);
	r->capacity = cap;
	memcpy(HISTORY_RECORDS(r), HISTORY_RECORDS(h), h->used);
	memset(HISTORY_RECORDS(r) + h->used, 0, cap - h->used);
	SET_VARSIZE(r, allocated_size);
}

static const ExpandedObjectMethods eh_methods = {eh_get_flat_size, eh_flatten_into};

/* A new expanded state in the aggregate's context, starting as a copy of init. */
static ExpandedHistory *
eh_new(MemoryContext aggcontext, const StageHistory *init)
{
	MemoryContext ctx = AllocSetContextCreate(aggcontext, "stage_history", ALLOCSET_DEFAULT_SIZES);
	ExpandedHistory *eh = MemoryContextAlloc(ctx, sizeof(ExpandedHistory));
	MemoryContext old;

	EOH_init_header(&eh->hdr, &eh_methods, ctx);
	old = MemoryContextSwitchTo(ctx);
	eh->h = history_copy(init, Max((Size) init->used, 1024), true);
	MemoryContextSwitchTo(old);
	return eh;
}

/* Argument 0 as our read-write expanded state, or NULL when it is not one. */
static ExpandedHistory *
eh_of_arg(FunctionCallInfo fcinfo)
{
	Datum		d = PG_GETARG_DATUM(0);

	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
	{
		ExpandedHistory *eh = (ExpandedHistory *) DatumGetEOHP(d);

		if (eh->hdr.eoh_methods == &eh_methods)
			return eh;
	}
	return NULL;
}

static void
eh_reserve(ExpandedHistory *eh, Size more)
{
	StageHistory *h = eh->h;
	Size		need = h->used + more;
	Size		cap;
	Size		size;

	if (need <= (Size) h->capacity)
		return;
	cap = history_next_capacity(h, need);
	size = HISTORY_SIZE(h->namelen, cap);
	if (size > MaxAllocSize)
		history_too_big();
	h = repalloc(h, size);
	h->capacity = cap;
	SET_VARSIZE(h, size);
	eh->h = h;
}

static void
history_append(StageHistory *h, int64 ts, int pos, const char *id, int idlen)
{
	HistEvent  *e = (HistEvent *) (HISTORY_RECORDS(h) + h->used);

	memset(e, 0, RECORD_SIZE(idlen));
	e->ts = ts;
	e->pos = (int16) pos;
	e->idlen = (uint16) idlen;
	memcpy((char *) e + HIST_ID_OFFSET, id, idlen);
	/*
	 * Input that arrives in (deal, time, position) order, e.g. from a table
	 * clustered by deal, keeps bigint-id histories sorted: nothing to sort.
	 */
	if ((h->flags & HISTORY_SORTED) &&
		((h->flags & HISTORY_TEXT_IDS) ||
		 (h->nevents > 0 && hist_int_cmp((const HistEventInt *) e - 1, (const HistEventInt *) e) > 0)))
		h->flags &= ~HISTORY_SORTED;
	h->used += RECORD_SIZE(idlen);
	h->nevents++;
}

/* ---- transition ---- */

/* (state, deal_id bigint|text, stage text, entered_at T, stages text[]) */
static Datum
history_accum(FunctionCallInfo fcinfo, bool text_ids, TimeKind kind)
{
	const char *fname = "stage_history";
	const StageList *sl;
	StageHistory *h = NULL;
	text	   *stage;
	int64		idval;
	const char *id;
	int			idlen;
	int64		t;
	int			pos;
	MemoryContext aggcontext;
	bool		inagg;
	ExpandedHistory *eh = NULL;

	sl = stages_get(fcinfo, 4, PG_ARGISNULL(0), fname);
	/* an event without a deal, a stage or a time is ignored */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		return kpi_unchanged(fcinfo);
	if (text_ids)
	{
		text	   *tid = PG_GETARG_TEXT_PP(1);

		id = VARDATA_ANY(tid);
		idlen = VARSIZE_ANY_EXHDR(tid);
		if (idlen > HISTORY_MAX_ID)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s: deal_id is %d bytes long, the limit is %d", fname, idlen, HISTORY_MAX_ID),
					 errhint("Group by a shorter key, or use the two-level form (stage_path per deal).")));
	}
	else
	{
		idval = PG_GETARG_INT64(1);
		id = (const char *) &idval;
		idlen = sizeof(int64);
	}
	stage = PG_GETARG_TEXT_PP(2);
	t = kpi_time_usec(PG_GETARG_DATUM(3), kind, fcinfo, fname, "entered_at");
	pos = stages_position(sl, VARDATA_ANY(stage), VARSIZE_ANY_EXHDR(stage));
	inagg = AggCheckCallContext(fcinfo, &aggcontext) != 0;
	if (PG_ARGISNULL(0))
		h = history_new(sl, (kind << PATH_KIND_SHIFT) | (text_ids ? HISTORY_TEXT_IDS : 0) | HISTORY_SORTED,
						256, fname);
	else if (inagg && (eh = eh_of_arg(fcinfo)) != NULL)
		h = eh->h;
	else
		h = history_get(PG_GETARG_DATUM(0));
	/* a state passed in by hand must be of this call's id and time types */
	if (((h->flags & HISTORY_TEXT_IDS) != 0) != text_ids || HISTORY_KIND(h) != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the state holds %s ids and %s times, this row has %s and %s", fname,
						(h->flags & HISTORY_TEXT_IDS) ? "text" : "bigint", kpi_time_kind_names[HISTORY_KIND(h)],
						text_ids ? "text" : "bigint", kpi_time_kind_names[kind])));
	/* a state stored by 0.1.0 carries the legacy hash of its list */
	if ((h->stages_hash != sl->hash && h->stages_hash != sl->legacy_hash) || h->nstages != sl->nstages)
		stages_changed(fname);
	/* a plain state that outgrows HISTORY_EXPAND_AT becomes an expanded one */
	if (!eh && inagg && h->used + RECORD_SIZE(idlen) > (Size) h->capacity &&
		(Size) h->capacity >= HISTORY_EXPAND_AT)
		eh = eh_new(aggcontext, h);
	if (eh)
	{
		eh_reserve(eh, RECORD_SIZE(idlen));
		history_append(eh->h, t, pos, id, idlen);
		PG_RETURN_DATUM(EOHPGetRWDatum(&eh->hdr));
	}
	h = history_reserve(fcinfo, h, 0, RECORD_SIZE(idlen));
	history_append(h, t, pos, id, idlen);
	/* outside an aggregate the result is a finished, canonical value */
	if (!inagg)
		PG_RETURN_POINTER(history_sorted(h));
	PG_RETURN_POINTER(h);
}

KPI_FUNCTION(stage_history_accum_int_date, history_accum, false, TIME_DATE);
KPI_FUNCTION(stage_history_accum_int_ts, history_accum, false, TIME_TIMESTAMP);
KPI_FUNCTION(stage_history_accum_int_tz, history_accum, false, TIME_TIMESTAMPTZ);
KPI_FUNCTION(stage_history_accum_text_date, history_accum, true, TIME_DATE);
KPI_FUNCTION(stage_history_accum_text_ts, history_accum, true, TIME_TIMESTAMP);
KPI_FUNCTION(stage_history_accum_text_tz, history_accum, true, TIME_TIMESTAMPTZ);

/* ---- combine ---- */

PG_FUNCTION_INFO_V1(stage_history_combine);

Datum
stage_history_combine(PG_FUNCTION_ARGS)
{
	StageHistory *a;
	StageHistory *b;
	MemoryContext aggcontext;
	bool		inagg;
	ExpandedHistory *eh = NULL;

	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	b = history_get(PG_GETARG_DATUM(1));
	inagg = AggCheckCallContext(fcinfo, &aggcontext) != 0;
	if (PG_ARGISNULL(0))
	{
		if (!inagg)
			PG_RETURN_POINTER(history_sorted(b));
		if ((Size) b->used >= HISTORY_EXPAND_AT)
			PG_RETURN_DATUM(EOHPGetRWDatum(&eh_new(aggcontext, b)->hdr));
		PG_RETURN_POINTER(history_copy(b, Max(b->used, 8), true));
	}
	if (inagg && (eh = eh_of_arg(fcinfo)) != NULL)
		a = eh->h;
	else
		a = history_get(PG_GETARG_DATUM(0));
	/* by the names: a state stored by 0.1.0 carries the legacy hash */
	if (a->nstages != b->nstages || a->namelen != b->namelen ||
		memcmp(HISTORY_NAMES(a), HISTORY_NAMES(b), a->namelen) != 0)
		stages_changed("stage_history");
	if ((a->flags & ~HISTORY_SORTED) != (b->flags & ~HISTORY_SORTED))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stage_history: cannot merge histories of different deal id or time types")));
	if (!eh && inagg && (Size) (a->used + b->used) >= HISTORY_EXPAND_AT)
		eh = eh_new(aggcontext, a);
	if (eh)
	{
		eh_reserve(eh, b->used);
		a = eh->h;
	}
	else
		a = history_reserve(fcinfo, a, 0, b->used);
	memcpy(HISTORY_RECORDS(a) + a->used, HISTORY_RECORDS(b), b->used);
	a->used += b->used;
	a->nevents += b->nevents;
	a->flags &= ~HISTORY_SORTED;
	if (eh)
		PG_RETURN_DATUM(EOHPGetRWDatum(&eh->hdr));
	if (!inagg)
		PG_RETURN_POINTER(history_sorted(a));
	PG_RETURN_POINTER(a);
}

/* ---- final: the canonical, sorted form ---- */

static int
record_cmp(const void *x, const void *y)
{
	const HistEvent *a = *(HistEvent *const *) x;
	const HistEvent *b = *(HistEvent *const *) y;
	int			c;

	if (a->idlen != b->idlen)
		return a->idlen < b->idlen ? -1 : 1;
	c = memcmp((const char *) a + HIST_ID_OFFSET, (const char *) b + HIST_ID_OFFSET, a->idlen);
	if (c != 0)
		return c;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return (int) a->pos - (int) b->pos;
}

static bool
same_deal(const HistEvent *a, const HistEvent *b)
{
	return a->idlen == b->idlen &&
		memcmp((const char *) a + HIST_ID_OFFSET, (const char *) b + HIST_ID_OFFSET, a->idlen) == 0;
}

/*
 * A compact copy with the records sorted by (deal, time, position): the
 * canonical form, the same whatever order the rows came in (serial,
 * parallel or merged), and ready to be read deal by deal.
 */
static StageHistory *
history_sorted(const StageHistory *h)
{
	StageHistory *q = history_alloc(h->namelen, Max(h->used, 8), false);
	HistEvent **ev;
	const char *rec = HISTORY_RECORDS(h);
	char	   *dst = HISTORY_RECORDS(q);

	memcpy((char *) q + VARHDRSZ, (const char *) h + VARHDRSZ,
		   sizeof(StageHistory) - VARHDRSZ + h->namelen);
	q->capacity = Max(h->used, 8);
	memset(dst + h->used, 0, q->capacity - h->used);
	if (!(h->flags & HISTORY_TEXT_IDS))
	{
		/* fixed-size records: sort a copy of the array in place */
		memcpy(dst, rec, h->used);
		if (!(h->flags & HISTORY_SORTED))
			sort_hist_int((HistEventInt *) dst, h->nevents);
	}
	else if (h->nevents > 0)
	{
		ev = palloc_extended(sizeof(HistEvent *) * h->nevents, MCXT_ALLOC_HUGE);
		for (int64 i = 0; i < h->nevents; i++)
		{
			ev[i] = (HistEvent *) rec;
			rec += RECORD_SIZE(ev[i]->idlen);
		}
		if (!(h->flags & HISTORY_SORTED))
			qsort(ev, h->nevents, sizeof(HistEvent *), record_cmp);
		for (int64 i = 0; i < h->nevents; i++)
		{
			Size		sz = RECORD_SIZE(ev[i]->idlen);

			memcpy(dst, ev[i], sz);
			dst += sz;
		}
		pfree(ev);
	}
	q->flags |= HISTORY_SORTED;
	return q;
}

PG_FUNCTION_INFO_V1(stage_history_final);

/*
 * final function: the sorted, compact form.  The aggregate's expanded state
 * is read where it is (bigint ids are sorted in place, which leaves the
 * state's value unchanged), so the events are copied once.
 */
Datum
stage_history_final(PG_FUNCTION_ARGS)
{
	Datum		d = PG_GETARG_DATUM(0);

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedHistory *eh = (ExpandedHistory *) DatumGetEOHP(d);

		if (eh->hdr.eoh_methods == &eh_methods)
		{
			StageHistory *h = eh->h;
			Size		size;
			void	   *flat;

			if (h->flags & HISTORY_TEXT_IDS)
				PG_RETURN_POINTER(history_sorted(h));
			if (!(h->flags & HISTORY_SORTED))
			{
				sort_hist_int((HistEventInt *) HISTORY_RECORDS(h), h->nevents);
				h->flags |= HISTORY_SORTED;
			}
			size = eh_get_flat_size(&eh->hdr);
			flat = palloc(size);
			eh_flatten_into(&eh->hdr, flat, size);
			PG_RETURN_POINTER(flat);
		}
	}
	PG_RETURN_POINTER(history_sorted(history_get(d)));
}

/* ---- I/O ---- */

/*
 * text: (version=1,time=timestamptz,ids=bigint,stages=["lead","won"],
 *        events=[(17,0,123),...])   with ids=text: ("deal-17",0,123)
 * binary: version, flags, nstages, names, nevents, then per event
 *         bigint id | (int16 length, bytes), int16 position, int64 time
 */
static const char *const id_types[] = {"bigint", "text"};	/* by HISTORY_TEXT_IDS */

PG_FUNCTION_INFO_V1(stage_history_in);
PG_FUNCTION_INFO_V1(stage_history_out);
PG_FUNCTION_INFO_V1(stage_history_recv);
PG_FUNCTION_INFO_V1(stage_history_send);

/*
 * A new, empty history of the names read by an input function; *broken: the
 * rule the names break (a duplicate), else NULL.
 */
static StageHistory *
history_from_names(const char *const *names, int n, int flags, const char **broken)
{
	StageList	sl;

	stages_from_names(&sl, names, n);
	*broken = stages_duplicate(&sl);
	return history_new(&sl, flags, 256, "stage_history");
}

static StageHistory *
history_grow(StageHistory *h, Size more)
{
	if (h->used + more <= (Size) h->capacity)
		return h;
	return history_copy(h, history_next_capacity(h, h->used + more), false);
}

Datum
stage_history_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	TimeKind	kind;
	bool		text_ids;
	const char *names[STAGES_MAX];
	int			n = 0;
	StageHistory *h;
	const char *broken;

	kpi_kv_begin(&kv, str, "stage_history");
	if (kpi_kv_int64(&kv, "version", 0) != HISTORY_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	kind = kpi_kv_time_kind(&kv);
	text_ids = kpi_kv_word(&kv, "ids", id_types, 2, "Expected ids bigint or text") == 1;
	kpi_kv_key(&kv, "stages");
	kpi_kv_char(&kv, '[');
	do
	{
		if (n == STAGES_MAX)
			kpi_kv_fail(&kv, "Too many stages");
		names[n++] = kpi_kv_string(&kv, NULL);
	} while (kpi_kv_more(&kv));
	kpi_kv_char(&kv, ']');
	h = history_from_names(names, n, (kind << PATH_KIND_SHIFT) | (text_ids ? HISTORY_TEXT_IDS : 0), &broken);
	if (broken)
		kpi_kv_fail(&kv, broken);
	kpi_kv_key(&kv, "events");
	kpi_kv_char(&kv, '[');
	if (!kpi_kv_peek(&kv, ']'))
	{
		do
		{
			int64		idval = 0;
			char	   *idtext = NULL;
			int			idlen;
			int64		pos;
			int64		ts;

			kpi_kv_char(&kv, '(');
			if (text_ids)
			{
				idtext = kpi_kv_string(&kv, NULL);
				idlen = strlen(idtext);
				if (idlen > HISTORY_MAX_ID)
					kpi_kv_fail(&kv, "Deal id too long");
			}
			else
			{
				idval = kpi_kv_number(&kv, PG_INT64_MIN, PG_INT64_MAX, "a deal id");
				idlen = sizeof(int64);
			}
			kpi_kv_char(&kv, ',');
			pos = kpi_kv_number(&kv, 0, n, "an event's stage position");
			kpi_kv_char(&kv, ',');
			ts = kpi_kv_number(&kv, MIN_TIMESTAMP, END_TIMESTAMP - 1, "an event's time in microseconds");
			kpi_kv_char(&kv, ')');
			h = history_grow(h, RECORD_SIZE(idlen));
			history_append(h, ts, (int) pos, text_ids ? idtext : (const char *) &idval, idlen);
		} while (kpi_kv_more(&kv));
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_end(&kv);
	PG_RETURN_POINTER(history_sorted(h));
}

Datum
stage_history_out(PG_FUNCTION_ARGS)
{
	StageHistory *h = history_get(PG_GETARG_DATUM(0));
	StringInfoData buf;
	const char *name = HISTORY_NAMES(h);
	const char *rec = HISTORY_RECORDS(h);
	bool		text_ids = (h->flags & HISTORY_TEXT_IDS) != 0;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,time=%s,ids=%s,stages=[", h->version,
					 kpi_time_kind_names[HISTORY_KIND(h)], id_types[text_ids]);
	for (int i = 0; i < h->nstages; i++)
	{
		if (i)
			appendStringInfoChar(&buf, ',');
		kpi_kv_append_string(&buf, name);
		name = stages_next(name);
	}
	appendStringInfoString(&buf, "],events=[");
	for (int64 i = 0; i < h->nevents; i++)
	{
		const HistEvent *e = (const HistEvent *) rec;

		appendStringInfoString(&buf, i ? ",(" : "(");
		if (text_ids)
		{
			char	   *id = pnstrdup((const char *) e + HIST_ID_OFFSET, e->idlen);

			kpi_kv_append_string(&buf, id);
			pfree(id);
		}
		else
		{
			int64		id;

			memcpy(&id, (const char *) e + HIST_ID_OFFSET, sizeof(int64));
			appendStringInfo(&buf, INT64_FORMAT, id);
		}
		appendStringInfo(&buf, ",%d," INT64_FORMAT ")", e->pos, e->ts);
		rec += RECORD_SIZE(e->idlen);
	}
	appendStringInfoString(&buf, "])");
	PG_RETURN_CSTRING(buf.data);
}

Datum
stage_history_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			flags;
	int			n;
	int64		nevents;
	const char *names[STAGES_MAX];
	StageHistory *h;
	const char *broken;

	if (pq_getmsgbyte(buf) != HISTORY_VERSION)
		kpi_bad_binary("stage_history", "Unsupported format version.");
	flags = pq_getmsgbyte(buf);
	if (flags & ~(HISTORY_SORTED | PATH_KIND_MASK | HISTORY_TEXT_IDS))
		kpi_bad_binary("stage_history", "Unknown flag bits are set.");
	if (((flags & PATH_KIND_MASK) >> PATH_KIND_SHIFT) < TIME_DATE)
		kpi_bad_binary("stage_history", "Unknown time type.");
	n = pq_getmsgint(buf, 2);
	if (n < 1 || n > STAGES_MAX)
		kpi_bad_binary("stage_history", "Number of stages out of range.");
	for (int i = 0; i < n; i++)
		names[i] = pq_getmsgstring(buf);
	nevents = pq_getmsgint64(buf);
	/* every event takes at least 12 bytes on the wire: bound it by what is there */
	kpi_recv_count(buf, nevents, 12, "stage_history", "Event count does not match the data.");
	h = history_from_names(names, n, flags & ~HISTORY_SORTED, &broken);
	kpi_check_binary(broken, "stage_history");
	for (int64 i = 0; i < nevents; i++)
	{
		int64		idval = 0;
		const char *id;
		int			idlen;
		int			pos;
		int64		ts;

		if (flags & HISTORY_TEXT_IDS)
		{
			idlen = pq_getmsgint(buf, 2);
			if (idlen > HISTORY_MAX_ID)
				kpi_bad_binary("stage_history", "Deal id too long.");
			id = pq_getmsgbytes(buf, idlen);
			if (memchr(id, '\0', idlen))
				kpi_bad_binary("stage_history", "Deal id contains a NUL byte.");
			/* text ids must be valid in the database encoding, as any text */
			pg_verifymbstr(id, idlen, false);
		}
		else
		{
			idval = pq_getmsgint64(buf);
			id = (const char *) &idval;
			idlen = sizeof(int64);
		}
		pos = pq_getmsgint(buf, 2);
		ts = pq_getmsgint64(buf);
		kpi_check_binary(stages_event_broken(pos, n, ts), "stage_history");
		h = history_grow(h, RECORD_SIZE(idlen));
		history_append(h, ts, pos, id, idlen);
	}
	kpi_recv_end(buf, "stage_history");
	PG_RETURN_POINTER(history_sorted(h));
}

Datum
stage_history_send(PG_FUNCTION_ARGS)
{
	StageHistory *h = history_get(PG_GETARG_DATUM(0));
	StringInfoData buf;
	const char *name = HISTORY_NAMES(h);
	const char *rec = HISTORY_RECORDS(h);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, h->version);
	pq_sendbyte(&buf, h->flags);
	pq_sendint16(&buf, h->nstages);
	for (int i = 0; i < h->nstages; i++)
	{
		pq_sendstring(&buf, name);
		name = stages_next(name);
	}
	pq_sendint64(&buf, h->nevents);
	for (int64 i = 0; i < h->nevents; i++)
	{
		const HistEvent *e = (const HistEvent *) rec;

		if (h->flags & HISTORY_TEXT_IDS)
		{
			pq_sendint16(&buf, e->idlen);
			pq_sendbytes(&buf, (const char *) e + HIST_ID_OFFSET, e->idlen);
		}
		else
		{
			int64		id;

			memcpy(&id, (const char *) e + HIST_ID_OFFSET, sizeof(int64));
			pq_sendint64(&buf, id);
		}
		pq_sendint16(&buf, e->pos);
		pq_sendint64(&buf, e->ts);
		rec += RECORD_SIZE(e->idlen);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- reading: deal by deal, with the code of the two-level form ---- */

/* the stage list stored in h, as the StageList the aggregates use */
static void
history_stage_list(const StageHistory *h, StageList *sl)
{
	stages_from_stored(sl, HISTORY_NAMES(h), h->nstages);
}

/* an empty sorted path of h's stage list and time type, for capacity events */
static StagePath *
history_path(const StageHistory *h, int capacity)
{
	StagePath  *p = stages_path_new(capacity);
	StageList	sl;

	/* the hash of the names: a state stored by 0.1.0 carries the legacy one */
	history_stage_list(h, &sl);
	p->flags = PATH_SORTED | (h->flags & PATH_KIND_MASK);
	p->nstages = h->nstages;
	p->stages_hash = sl.hash;
	return p;
}

typedef void *(*PathVisitor) (void *acc, const StagePath *p);

/*
 * Sort the events by (deal, time, position) and call visit once per deal
 * with its path, as stage_path() would have built it.
 */
static void *
history_foreach_path(const StageHistory *h, PathVisitor visit, void *acc)
{
	const char *rec;
	const char *end;
	int			cap = 16;
	StagePath  *p;

	if (!(h->flags & HISTORY_SORTED))
		h = history_sorted(h);
	rec = HISTORY_RECORDS(h);
	end = rec + h->used;
	p = history_path(h, cap);
	while (rec < end)
	{
		const HistEvent *first = (const HistEvent *) rec;
		const char *r = rec;
		int64		n = 0;

		/* this deal's records: count them, then copy them into the path */
		while (r < end && same_deal(first, (const HistEvent *) r))
		{
			r += RECORD_SIZE(((const HistEvent *) r)->idlen);
			n++;
		}
		if (n > cap)
		{
			if (n > PATH_MAX_EVENTS)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("stage_history: too many events for one deal")));
			cap = (int) n;
			pfree(p);
			p = history_path(h, cap);
		}
		p->nevents = (int32) n;
		for (int k = 0; k < n; k++)
		{
			const HistEvent *e = (const HistEvent *) rec;

			PATH_TS(p)[k] = e->ts;
			PATH_POS(p)[k] = e->pos;
			rec += RECORD_SIZE(e->idlen);
		}
		acc = visit(acc, p);
	}
	pfree(p);
	return acc;
}

static void *
visit_funnel(void *acc, const StagePath *p)
{
	stages_funnel_count((StageFunnel *) acc, p);
	return acc;
}

static void *
visit_times(void *acc, const StagePath *p)
{
	return stages_times_count((StageTimes *) acc, p);
}

PG_FUNCTION_INFO_V1(stage_history_funnel);
PG_FUNCTION_INFO_V1(stage_history_events);

/* stage_funnel(history [, mode]) */
Datum
stage_history_funnel(PG_FUNCTION_ARGS)
{
	StageHistory *h = history_get(PG_GETARG_DATUM(0));
	FunnelMode	mode = stages_mode_arg(fcinfo, 1, "stage_funnel");
	StageList	sl;
	StageFunnel *f;

	history_stage_list(h, &sl);
	f = history_foreach_path(h, visit_funnel, stages_funnel_new(&sl, mode));
	stages_notice_outside("stage_funnel", FUNNEL_NAMES(f), f->nstages, f->deals, f->outside);
	PG_RETURN_POINTER(f);
}

/*
 * stage_times(history [, as_of [, stale_after]]): not STRICT with as_of, so
 * that a NULL as_of or stale_after is the error of the aggregate
 * stage_times(path, stages, as_of [, stale_after]); a NULL history is NULL.
 */
static Datum
history_times_common(FunctionCallInfo fcinfo, TimeKind as_kind)
{
	StageHistory *h;
	StageList	sl;
	int64		as_of;
	bool		has_stale;
	int64		stale_after;
	StageTimes *t;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	h = history_get(PG_GETARG_DATUM(0));
	stages_times_args(fcinfo, 1, as_kind, &as_of, &has_stale, &stale_after);
	stages_times_check_kind(HISTORY_KIND(h), as_kind);
	history_stage_list(h, &sl);
	t = history_foreach_path(h, visit_times,
							 stages_times_new(&sl, HISTORY_KIND(h), as_kind != 0, as_of,
											  has_stale, stale_after, "stage_times"));
	stages_times_notice_outside(t, "stage_times");
	PG_RETURN_POINTER(t);
}

/* stage_history_times: without as_of; the others by the type of as_of */
KPI_FUNCTION(stage_history_times, history_times_common, 0);
KPI_FUNCTION(stage_history_times_date, history_times_common, TIME_DATE);
KPI_FUNCTION(stage_history_times_ts, history_times_common, TIME_TIMESTAMP);
KPI_FUNCTION(stage_history_times_tz, history_times_common, TIME_TIMESTAMPTZ);

/* number of events held */
Datum
stage_history_events(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(history_get(PG_GETARG_DATUM(0))->nevents);
}

/* ---- kpis(stage_history), stage_history::json and ::jsonb (kpi/report.h) ---- */

static void *
visit_count(void *acc, const StagePath *p)
{
	(void) p;
	(*(int64 *) acc)++;
	return acc;
}

static const char *const history_report_columns[] = {"events", "deals", "stages", "time_type", "id_type"};

static void
history_report_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	StageHistory *h = history_get(PG_GETARG_DATUM(0));
	int64		deals = 0;
	Datum	   *names = palloc(sizeof(Datum) * Max(h->nstages, 1));
	const char *name = HISTORY_NAMES(h);

	(void) desc;
	for (int k = 0; k < h->nstages; k++)
	{
		names[k] = CStringGetTextDatum(name);
		name = stages_next(name);
	}
	history_foreach_path(h, visit_count, &deals);
	values[0] = Int64GetDatum(h->nevents);
	values[1] = Int64GetDatum(deals);
	values[2] = PointerGetDatum(construct_array(names, h->nstages, TEXTOID, -1, false, TYPALIGN_INT));
	/* an empty history (no event yet) has no time type */
	nulls[3] = HISTORY_KIND(h) == 0;
	if (!nulls[3])
		values[3] = CStringGetTextDatum(kpi_time_kind_names[HISTORY_KIND(h)]);
	values[4] = CStringGetTextDatum((h->flags & HISTORY_TEXT_IDS) ? "text" : "bigint");
}

KPI_REPORT_FUNCTIONS(stage_history, "stage_history_kpis", history_report_columns, history_report_fill);
