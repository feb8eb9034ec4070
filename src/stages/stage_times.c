/*
 * stage_times.c - time in stage from per-deal stage paths (spec section 2.2).
 *
 *   stage_times(path, stages [, as_of [, stale_after]])   across deals
 *   rollup(stage_times)
 *   time_in_stage(times) rows, stage_report(funnel, times) rows, and scalar
 *   accessors per stage.
 *
 * Per deal (its path cut at as_of: later events are not known yet):
 *  - a visit is a maximal run of consecutive events of one stage; it lasts
 *    from its first event to the deal's next event of another stage
 *    (start-inclusive, end-exclusive).  Events at one instant are ordered by
 *    funnel position (the path's sort order), so the earlier stages get
 *    zero-length visits.  Stages outside the list end visits and are not
 *    reported themselves.
 *  - the last visit is open.  If it is in a funnel stage the deal is
 *    "current" there: the age of that visit at as_of is reported separately
 *    (average, and stale = older than stale_after), never as a duration.
 *  - for every stage the deal has closed visits to, its closed time in the
 *    stage is the sum of those visits (re-entries add up); it counts as one
 *    "exited" deal of the stage with that total, also when the deal is back
 *    in the stage now (spec 2.2, revision 2: closed visits are never
 *    dropped; 0.1.0 counted such a deal as current only).  Those per-deal
 *    totals give the average (exact, integer microseconds), the median and
 *    the percentiles (below).  The open visit stays separate (current).
 *
 * Medians and percentiles are percentile_cont over the per-deal totals.
 * While a stage has at most TIMES_EXACT_MAX (32) exited deals the totals
 * themselves are kept (exact results); beyond, and when a merge takes the
 * count past 32, they come from a mergeable histogram in microseconds:
 * values below 128 us are exact; above, each power of two is split into 64
 * equal buckets, whose midpoint stands for its values.  So every value is
 * represented within 1/128 (0.79%) of itself.  The histogram is always kept;
 * whether the exact values are depends only on the count, and merging is
 * exact addition, so results are the same serially, in parallel and from
 * rolled-up states.  A value read from format version 1 has no exact values
 * (TIMES_NO_EXACT): it uses the histogram at every count, and is written in
 * version 1 again.
 */
#include "kpi/kpi.h"
#include "stages/stages.h"
#include "kpi/report.h"

#include <math.h>

#include "common/int.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#define TIMES_VERSION 2
#define TIMES_HAS_AS_OF 0x01
#define TIMES_HAS_STALE 0x02
#define TIMES_NO_EXACT 0x04		/* read from version 1: no exact values kept */
#define TIMES_EXACT_MAX 32		/* exact per-deal totals kept up to this many per stage */


typedef struct StageStat
{
	int64		visits;			/* visits begun, closed or open */
	int64		exited;			/* deals that visited the stage and are not in it now */
	int64		current;		/* deals in the stage now (their open visit) */
	int64		stale;			/* current deals whose visit is older than stale_after */
	int128		exited_us;		/* sum over exited deals of their time in the stage */
	int128		current_us;		/* sum over current deals of their visit's age at as_of */
} StageStat;

/*
 * stage_times (version 2): header, StageStat[nstages], the stage names
 * (NUL-ended, padded to 8 bytes), exact[nstages][TIMES_EXACT_MAX] (int64:
 * stage k's exited deals' totals, ascending, while it has at most 32 and
 * the value is not TIMES_NO_EXACT; zeros elsewhere), then the histogram of
 * all stages as two parallel sorted arrays, counts[capacity] (int64) and
 * keys[capacity] (uint32, stage << 16 | bucket).  VARSIZE covers the
 * capacity.  Version 1 (0.1.0) had no exact[]; such values met in memory
 * are converted on reading.
 */
struct StageTimes
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;
	uint8		kind;			/* TimeKind of the event times */
	uint8		unused;
	int16		nstages;
	int16		unused2;
	int32		namelen;		/* bytes of the names, padded */
	int32		nbuckets;
	int32		capacity;
	int32		unused3;
	uint64		stages_hash;
	int64		as_of;			/* us; valid with TIMES_HAS_AS_OF */
	int64		stale_after;	/* us; valid with TIMES_HAS_STALE */
	int64		deals;			/* deals with an event at or before as_of */
	int64		outside;		/* of those, deals with no stage of the list */
};

#define TIMES_STATS(t) ((StageStat *) ((char *) (t) + sizeof(StageTimes)))
#define TIMES_NAMES(t) ((char *) (TIMES_STATS(t) + (t)->nstages))
#define TIMES_EXACT(t, k) ((uint64 *) (TIMES_NAMES(t) + (t)->namelen) + (Size) (k) * TIMES_EXACT_MAX)
#define TIMES_COUNTS(t) ((int64 *) TIMES_EXACT(t, (t)->nstages))
#define TIMES_KEYS(t) ((uint32 *) (TIMES_COUNTS(t) + (t)->capacity))
#define TIMES_FIXED(nst, namelen) \
	(sizeof(StageTimes) + (Size) (nst) * (sizeof(StageStat) + TIMES_EXACT_MAX * sizeof(int64)) + (Size) (namelen))
#define TIMES_SIZE(nst, namelen, cap) \
	(TIMES_FIXED(nst, namelen) + (Size) (cap) * (sizeof(int64) + sizeof(uint32)))
#define TIMES_V1_SIZE(nst, namelen, cap) \
	(sizeof(StageTimes) + (Size) (nst) * sizeof(StageStat) + (Size) (namelen) + \
	 (Size) (cap) * (sizeof(int64) + sizeof(uint32)))
/* stage k's exact totals are kept */
#define TIMES_KEEPS_EXACT(t, st) (!((t)->flags & TIMES_NO_EXACT) && (st)->exited <= TIMES_EXACT_MAX)
#define KEY(stage, bucket) (((uint32) (stage) << 16) | (uint32) (bucket))
#define KEY_STAGE(k) ((int) ((k) >> 16))
#define KEY_BUCKET(k) ((int) ((k) & 0xFFFF))

StaticAssertDecl(sizeof(StageTimes) % 8 == 0, "StageTimes header must keep 8-byte alignment");
StaticAssertDecl(sizeof(StageStat) % 8 == 0, "StageStat must keep 8-byte alignment");
StaticAssertDecl(offsetof(StageTimes, version) == VARHDRSZ, "the version follows the length word");

/* histogram buckets: kpi/hist.h, shared with response time (leads/) */

/* ---- the value and its invariants ---- */

/*
 * The parts of a stage_times value as read from text or binary input, before
 * it is built and checked.
 */
typedef struct TimesParts
{
	int			nstages;
	int			kind;
	int			flags;
	int64		as_of;
	int64		stale_after;
	int64		deals;
	int64		outside;
	const char *names[STAGES_MAX];
	StageStat	stats[STAGES_MAX];
	int			nbuckets;
	int			capacity;
	uint32	   *keys;
	int64	   *counts;
	int64	   *raw;			/* the buckets as read, before clamping into keys */
	int			nexact[STAGES_MAX];
	uint64		exact[STAGES_MAX][TIMES_EXACT_MAX];	/* a deal's total can pass 2^63 us */
} TimesParts;

/*
 * Every invariant a stage_times value keeps, however it was made: NULL when
 * it holds them all, else the one it breaks.  Text and binary input check
 * the parts they read, the combine function the parts of its arguments
 * (times_broken).
 */
static const char *
parts_broken(const TimesParts *tp)
{
	StageList	sl;
	int64		in_funnel;
	int128		current_total = 0;
	int128		stage_deals = 0;
	int			b = 0;
	int			bstart;

	if (tp->flags & ~(TIMES_HAS_AS_OF | TIMES_HAS_STALE | TIMES_NO_EXACT))
		return "Unknown flag bits are set.";
	if (!(tp->flags & TIMES_HAS_AS_OF) && tp->as_of != 0)
		return "as_of set without its flag.";
	if (!(tp->flags & TIMES_HAS_STALE) && tp->stale_after != 0)
		return "stale_after set without its flag.";
	if (tp->kind < TIME_DATE || tp->kind > TIME_TIMESTAMPTZ)
		return "Unknown time type.";
	if (tp->deals < 0 || tp->outside < 0 || tp->outside > tp->deals)
		return "Counts must satisfy 0 <= outside <= deals.";
	if ((tp->flags & TIMES_HAS_STALE) && !(tp->flags & TIMES_HAS_AS_OF))
		return "stale_after needs as_of.";
	if ((tp->flags & TIMES_HAS_AS_OF) && !IS_VALID_TIMESTAMP(tp->as_of))
		return "as_of out of range.";
	if ((tp->flags & TIMES_HAS_STALE) && tp->stale_after <= 0)
		return "stale_after must be positive.";
	in_funnel = tp->deals - tp->outside;
	stages_from_names(&sl, tp->names, tp->nstages);
	for (int k = 0; k < tp->nstages; k++)
	{
		const StageStat *st = &tp->stats[k];
		int128		lo = 0,
					hi = 0;
		int64		total = 0;

		if (stages_repeats(&sl, k))
			return "Duplicate stage name.";
		if (st->visits < 0 || st->exited < 0 || st->current < 0 || st->stale < 0 ||
			st->exited_us < 0 || st->current_us < 0)
			return "Counts and times must not be negative.";
		/* a deal back in a stage it left before is both exited and current there */
		if (st->exited > in_funnel || st->current > in_funnel || st->visits < st->exited + st->current)
			return "A stage's exited and current deals must not exceed deals - outside, nor their sum its visits.";
		if (st->stale > st->current)
			return "Stale deals cannot exceed current deals.";
		if (!(tp->flags & TIMES_HAS_AS_OF) && st->current_us != 0)
			return "Current time without as_of.";
		if (!(tp->flags & TIMES_HAS_STALE) && st->stale != 0)
			return "Stale deals without stale_after.";
		if (st->current == 0 && st->current_us != 0)
			return "Current time without current deals.";
		/* every stale deal's open visit is older than stale_after */
		if (st->stale > 0 && st->current_us < (int128) st->stale * ((int128) tp->stale_after + 1))
			return "Stale deals younger than stale_after.";
		current_total += st->current;
		stage_deals += (int128) st->exited + st->current;
		/* this stage's histogram: ascending buckets, positive counts, adding up */
		bstart = b;
		for (; b < tp->nbuckets && KEY_STAGE(tp->keys[b]) == k; b++)
		{
			int			bk = KEY_BUCKET(tp->keys[b]);
			int128		c = tp->counts[b];
			int128		clo,
						chi;

			if (tp->raw[b] < 0 || tp->raw[b] > KPI_HIST_MAX_BUCKET)
				return "Histogram bucket out of range.";
			if (b > 0 && tp->keys[b] <= tp->keys[b - 1])
				return "Histogram buckets must be strictly ascending.";
			if (tp->counts[b] <= 0)
				return "Histogram counts must be positive.";
			if (pg_add_s64_overflow(total, tp->counts[b], &total))
				return "Histogram counts out of range.";
			if (__builtin_mul_overflow(c, (int128) kpi_hist_low(bk), &clo) ||
				__builtin_mul_overflow(c, (int128) (kpi_hist_low(bk) + kpi_hist_width(bk) - 1), &chi) ||
				__builtin_add_overflow(lo, clo, &lo) || __builtin_add_overflow(hi, chi, &hi))
				return "Histogram out of range.";
		}
		if (total != st->exited)
			return "A stage's histogram must count its exited deals.";
		if (st->exited_us < lo || st->exited_us > hi)
			return "A stage's total time does not fit its histogram.";
		/* the exact totals: all of them while kept, ascending, and in the histogram */
		if (!(tp->flags & TIMES_NO_EXACT) && st->exited <= TIMES_EXACT_MAX)
		{
			int128		sum = 0;
			int			hb = bstart;

			if (tp->nexact[k] != st->exited)
				return "A stage with at most 32 exited deals must list their exact times.";
			for (int i = 0; i < tp->nexact[k];)
			{
				int			bk = kpi_hist_bucket(tp->exact[k][i]);
				int64		run = 0;

				for (; i < tp->nexact[k] && kpi_hist_bucket(tp->exact[k][i]) == bk; i++, run++)
				{
					if (i > 0 && tp->exact[k][i - 1] > tp->exact[k][i])
						return "Exact times must be ascending.";
					sum += tp->exact[k][i];
				}
				if (hb >= b || KEY_BUCKET(tp->keys[hb]) != bk || tp->counts[hb] != run)
					return "Exact times do not match the histogram.";
				hb++;
			}
			if (sum != st->exited_us)
				return "A stage's exact times must add up to its total time.";
		}
		else if (tp->nexact[k] != 0)
			return "Exact times listed for a stage that does not keep them.";
	}
	if (b != tp->nbuckets)
		return "Histogram bucket of an unknown stage or out of order.";
	if (current_total > in_funnel)
		return "A deal can be current in one stage only.";
	/* every deal in the funnel visited some stage */
	if (stage_deals < in_funnel)
		return "Deals in the funnel that are in no stage.";
	return NULL;
}

/* The parts of t, pointing into it (but for raw, allocated). */
static void
times_parts(const StageTimes *t, TimesParts *tp)
{
	const char *name = TIMES_NAMES(t);

	memset(tp, 0, sizeof(TimesParts));
	tp->nstages = t->nstages;
	tp->kind = t->kind;
	tp->flags = t->flags;
	tp->as_of = t->as_of;
	tp->stale_after = t->stale_after;
	tp->deals = t->deals;
	tp->outside = t->outside;
	for (int k = 0; k < t->nstages; k++)
	{
		tp->names[k] = name;
		tp->stats[k] = TIMES_STATS(t)[k];
		if (TIMES_KEEPS_EXACT(t, &tp->stats[k]) && tp->stats[k].exited >= 0)
		{
			tp->nexact[k] = (int) tp->stats[k].exited;
			memcpy(tp->exact[k], TIMES_EXACT(t, k), sizeof(uint64) * tp->nexact[k]);
		}
		name = stages_next(name);
	}
	tp->nbuckets = tp->capacity = t->nbuckets;
	tp->keys = TIMES_KEYS(t);
	tp->counts = TIMES_COUNTS(t);
	tp->raw = palloc(sizeof(int64) * Max(t->nbuckets, 1));
	for (int i = 0; i < t->nbuckets; i++)
		tp->raw[i] = KEY_BUCKET(TIMES_KEYS(t)[i]);
}

static StageTimes *
times_alloc(int nstages, int namelen, int capacity)
{
	Size		size = TIMES_SIZE(nstages, namelen, capacity);
	StageTimes *t = palloc0(size);

	SET_VARSIZE(t, size);
	t->version = TIMES_VERSION;
	t->nstages = nstages;
	t->namelen = namelen;
	t->capacity = capacity;
	return t;
}

/* A copy of t with room for capacity buckets (>= nbuckets). */
static StageTimes *
times_copy(const StageTimes *t, int capacity)
{
	StageTimes *q = times_alloc(t->nstages, t->namelen, capacity);

	memcpy((char *) q + VARHDRSZ, (const char *) t + VARHDRSZ,
		   sizeof(StageTimes) - VARHDRSZ + sizeof(StageStat) * t->nstages + t->namelen);
	q->capacity = capacity;
	memcpy(TIMES_EXACT(q, 0), TIMES_EXACT(t, 0), sizeof(uint64) * TIMES_EXACT_MAX * t->nstages);
	memcpy(TIMES_COUNTS(q), TIMES_COUNTS(t), sizeof(int64) * t->nbuckets);
	memcpy(TIMES_KEYS(q), TIMES_KEYS(t), sizeof(uint32) * t->nbuckets);
	return q;
}

/*
 * A version-1 value as stored by 0.1.0 (no exact[]; its hash was the native
 * one) in the current layout: TIMES_NO_EXACT, the hash recomputed.
 */
static StageTimes *
times_from_v1(const StageTimes *old)
{
	StageTimes *t;
	StageList	sl;
	const char *names = (const char *) old + sizeof(StageTimes) + sizeof(StageStat) * old->nstages;
	const int64 *counts = (const int64 *) (names + old->namelen);

	if (old->nstages < 1 || old->nstages > STAGES_MAX || old->namelen < old->nstages ||
		old->capacity < old->nbuckets || old->nbuckets < 0 ||
		VARSIZE(old) != TIMES_V1_SIZE(old->nstages, old->namelen, old->capacity) ||
		names[old->namelen - 1] != '\0')
		kpi_corrupt("stage_times");
	t = times_alloc(old->nstages, old->namelen, Max(old->nbuckets, 1));
	memcpy((char *) t + VARHDRSZ, (const char *) old + VARHDRSZ,
		   sizeof(StageTimes) - VARHDRSZ + sizeof(StageStat) * old->nstages + old->namelen);
	t->version = TIMES_VERSION;
	t->capacity = Max(old->nbuckets, 1);
	t->flags |= TIMES_NO_EXACT;
	memcpy(TIMES_COUNTS(t), counts, sizeof(int64) * old->nbuckets);
	memcpy(TIMES_KEYS(t), counts + old->capacity, sizeof(uint32) * old->nbuckets);
	stages_from_stored(&sl, TIMES_NAMES(t), t->nstages);
	t->stages_hash = sl.hash;
	return t;
}

/* a stage_times argument, its size and version checked (its invariants hold: input checks them) */
static StageTimes *
times_get(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	StageTimes *t;

	if (VARSIZE(v) >= sizeof(StageTimes) && ((StageTimes *) v)->version == 1)
		return times_from_v1((StageTimes *) v);
	t = kpi_stored(PointerGetDatum(v), TIMES_VERSION, sizeof(StageTimes), "stage_times");

	if (t->nstages < 1 || t->nstages > STAGES_MAX || t->namelen < 0 ||
		t->capacity < t->nbuckets || t->nbuckets < 0 ||
		VARSIZE(t) != TIMES_SIZE(t->nstages, t->namelen, t->capacity))
		kpi_corrupt("stage_times");
	return t;
}

/* The validator of stage_times values: the invariants of their parts. */
static const char *
times_broken(const void *value)
{
	const StageTimes *t = value;
	TimesParts	tp;
	const char *broken;

	times_parts(t, &tp);
	broken = parts_broken(&tp);
	pfree(tp.raw);
	return broken;
}

/* A new value of the stages of sl with room for capacity buckets, all counts 0. */
static StageTimes *
times_with_names(const StageList *sl, int capacity, const char *fname)
{
	Size		namelen = MAXALIGN(stages_stored_size(sl, fname));
	StageTimes *t = times_alloc(sl->nstages, (int) namelen, capacity);

	t->stages_hash = sl->hash;
	stages_store(sl, TIMES_NAMES(t));
	return t;
}

/* ---- transition ---- */

StageTimes *
stages_times_new(const StageList *sl, TimeKind kind, bool has_as_of, int64 as_of,
				 bool has_stale, int64 stale_after, const char *fname)
{
	StageTimes *t = times_with_names(sl, 16, fname);

	t->kind = kind;
	t->flags = (has_as_of ? TIMES_HAS_AS_OF : 0) | (has_stale ? TIMES_HAS_STALE : 0);
	t->as_of = has_as_of ? as_of : 0;
	t->stale_after = has_stale ? stale_after : 0;
	return t;
}

/* Add count to bucket (stage, b); may return a grown copy. */
static StageTimes *
hist_add(StageTimes *t, int stage, int b, int64 count)
{
	uint32		key = KEY(stage, b);
	uint32	   *keys = TIMES_KEYS(t);
	int			lo = 0,
				hi = t->nbuckets;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->nbuckets && keys[lo] == key)
	{
		if (pg_add_s64_overflow(TIMES_COUNTS(t)[lo], count, &TIMES_COUNTS(t)[lo]))
			kpi_count_overflow("stage_times", NULL);
		return t;
	}
	if (t->nbuckets == t->capacity)
		t = times_copy(t, t->capacity * 2);
	keys = TIMES_KEYS(t);
	memmove(&keys[lo + 1], &keys[lo], sizeof(uint32) * (t->nbuckets - lo));
	memmove(&TIMES_COUNTS(t)[lo + 1], &TIMES_COUNTS(t)[lo], sizeof(int64) * (t->nbuckets - lo));
	keys[lo] = key;
	TIMES_COUNTS(t)[lo] = count;
	t->nbuckets++;
	return t;
}

/*
 * Stage k now has n exited deals, the last one with total v: keep v among
 * the exact totals (ascending) while n <= 32; at 33 forget them all.
 */
static void
exact_add(StageTimes *t, int k, int64 n, uint64 v)
{
	uint64	   *ex = TIMES_EXACT(t, k);
	int			i;

	if (t->flags & TIMES_NO_EXACT)
		return;
	if (n > TIMES_EXACT_MAX)
	{
		if (n == TIMES_EXACT_MAX + 1)
			memset(ex, 0, sizeof(int64) * TIMES_EXACT_MAX);
		return;
	}
	for (i = (int) n - 1; i > 0 && ex[i - 1] > v; i--)
		ex[i] = ex[i - 1];
	ex[i] = v;
}

static inline void
add64(int64 *a, int64 b)
{
	if (pg_add_s64_overflow(*a, b, a))
		kpi_count_overflow("stage_times", NULL);
}

/*
 * Count one deal's path into t (writable); returns t or a grown copy.
 */
StageTimes *
stages_times_count(StageTimes *t, const StagePath *p)
{
	int			nst = t->nstages;
	int			n = p->nevents;
	const int64 *ts = PATH_TS(p);
	const int16 *pos = PATH_POS(p);
	uint64		cum[STAGES_MAX];
	int64		visits[STAGES_MAX];
	uint64		mask = 0;
	int			cur = -1;
	int64		cur_start = 0;
	StageStat  *st;

	if (t->flags & TIMES_HAS_AS_OF)
		while (n > 0 && ts[n - 1] > t->as_of)
			n--;
	if (n == 0)
		return t;				/* the deal did not exist yet at as_of */
	add64(&t->deals, 1);
	for (int i = 0; i < n;)
	{
		int			k = pos[i];
		int			j = i + 1;

		while (j < n && pos[j] == k)
			j++;
		if (k < nst)
		{
			if (!(mask & (UINT64CONST(1) << k)))
			{
				mask |= UINT64CONST(1) << k;
				cum[k] = 0;
				visits[k] = 0;
			}
			visits[k]++;
			if (j < n)
				cum[k] += (uint64) ts[j] - (uint64) ts[i];
			else
			{
				cur = k;
				cur_start = ts[i];
			}
		}
		i = j;
	}
	if (mask == 0)
	{
		add64(&t->outside, 1);
		return t;
	}
	for (int k = 0; k < nst; k++)
	{
		if (!(mask & (UINT64CONST(1) << k)))
			continue;
		st = &TIMES_STATS(t)[k];
		add64(&st->visits, visits[k]);
		if (k == cur)
		{
			add64(&st->current, 1);
			if (t->flags & TIMES_HAS_AS_OF)
			{
				uint64		age = (uint64) t->as_of - (uint64) cur_start;

				st->current_us = kpi_add128(st->current_us, (int128) age);
				if ((t->flags & TIMES_HAS_STALE) && age > (uint64) t->stale_after)
					add64(&st->stale, 1);
			}
		}
		/* closed visits count, also of a deal back in the stage now */
		if (visits[k] > (k == cur ? 1 : 0))
		{
			add64(&st->exited, 1);
			st->exited_us = kpi_add128(st->exited_us, (int128) cum[k]);
			t = hist_add(t, k, kpi_hist_bucket(cum[k]), 1);
			st = &TIMES_STATS(t)[k];
			exact_add(t, k, st->exited, cum[k]);
		}
	}
	return t;
}

static void
times_mismatch(const char *fname, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s must be the same for every row of a group", fname, what),
			 errhint("Pass constants, e.g. stage_times(path, stages, timestamptz '2026-01-01', interval '30 days').")));
}

static void
kind_mismatch(const char *fname, TimeKind have, TimeKind got)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: as_of is of type %s but the stage events were %s",
					fname, kpi_time_kind_names[got], kpi_time_kind_names[have]),
			 errhint("Cast as_of to %s, or build the paths from %s values.",
					 kpi_time_kind_names[have], kpi_time_kind_names[got])));
}

/*
 * Read as_of (argument as_of_arg, of SQL type as_kind; none when as_kind is
 * 0) and stale_after (the argument after it, when present).
 */
void
stages_times_args(FunctionCallInfo fcinfo, int as_of_arg, TimeKind as_kind,
				  int64 *as_of, bool *has_stale, int64 *stale_after)
{
	const char *fname = "stage_times";

	*as_of = 0;
	*stale_after = 0;
	*has_stale = as_kind != 0 && PG_NARGS() > as_of_arg + 1;
	if (as_kind != 0)
	{
		if (PG_ARGISNULL(as_of_arg))
			stages_error(fname, "as_of must not be NULL",
						 "Pass the time the open visits are measured to, e.g. now(); or leave as_of out.");
		*as_of = kpi_time_usec(PG_GETARG_DATUM(as_of_arg), as_kind, fcinfo, fname, "as_of");
	}
	if (*has_stale)
	{
		if (PG_ARGISNULL(as_of_arg + 1))
			stages_error(fname, "stale_after must not be NULL",
						 "Pass the age after which an open visit is stale, e.g. interval '30 days'.");
		*stale_after = kpi_interval_usec(PG_GETARG_DATUM(as_of_arg + 1), fname, "stale_after");
	}
}

void
stages_times_check_kind(TimeKind events, TimeKind as_kind)
{
	if (as_kind != 0 && events != as_kind)
		kind_mismatch("stage_times", events, as_kind);
}

/*
 * (state, path stage_path, stages text[] [, as_of T [, stale_after interval]])
 * as_kind: the SQL type of as_of, 0 without as_of.
 */
static Datum
times_accum(FunctionCallInfo fcinfo, TimeKind as_kind)
{
	const char *fname = "stage_times";
	bool		has_as_of = as_kind != 0;
	bool		has_stale;
	int64		as_of;
	int64		stale_after;
	const StageList *sl;
	StageTimes *t;
	StagePath  *p;

	/* a NULL path is a deal without any event: ignored */
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	sl = stages_get(fcinfo, 2, PG_ARGISNULL(0), fname);
	stages_times_args(fcinfo, 3, as_kind, &as_of, &has_stale, &stale_after);
	p = stages_path_get(PG_GETARG_DATUM(1));
	stages_path_check_list(p, sl, fname);
	stages_times_check_kind(PATH_KIND(p), as_kind);
	if (PG_ARGISNULL(0))
		t = stages_times_new(sl, PATH_KIND(p), has_as_of, as_of, has_stale, stale_after, fname);
	else
	{
		t = times_get(PG_GETARG_DATUM(0));
		if (t->stages_hash != sl->hash || t->nstages != sl->nstages)
			stages_changed(fname);
		if (t->kind != PATH_KIND(p))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: paths of %s and %s events in one group", fname,
							kpi_time_kind_names[t->kind], kpi_time_kind_names[PATH_KIND(p)])));
		if (((t->flags & TIMES_HAS_AS_OF) != 0) != has_as_of || t->as_of != as_of)
			times_mismatch(fname, "as_of");
		if (((t->flags & TIMES_HAS_STALE) != 0) != has_stale || t->stale_after != stale_after)
			times_mismatch(fname, "stale_after");
		t = kpi_writable(fcinfo, 0, t);
	}
	if (!(p->flags & PATH_SORTED))
		p = stages_path_sorted(p);
	PG_RETURN_POINTER(stages_times_count(t, p));
}

/* stage_times_accum: without as_of; the others by the type of as_of */
KPI_FUNCTION(stage_times_accum, times_accum, 0);
KPI_FUNCTION(stage_times_accum_date, times_accum, TIME_DATE);
KPI_FUNCTION(stage_times_accum_ts, times_accum, TIME_TIMESTAMP);
KPI_FUNCTION(stage_times_accum_tz, times_accum, TIME_TIMESTAMPTZ);

/* ---- combine ---- */

PG_FUNCTION_INFO_V1(stage_times_combine);

/* Merge b into a new or writable a: counts add, histograms merge. */
Datum
stage_times_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "stage_times";
	StageTimes *a = NULL;
	StageTimes *b;
	StageTimes *r;
	int			i = 0,
				j = 0,
				n = 0;

	/* both arguments are anyone's values: every invariant is checked */
	if (!PG_ARGISNULL(0))
		a = kpi_valid(times_get(PG_GETARG_DATUM(0)), times_broken, "stage_times_combine", "stage_times");
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	b = kpi_valid(times_get(PG_GETARG_DATUM(1)), times_broken, "stage_times_combine", "stage_times");
	if (a == NULL)
		PG_RETURN_POINTER(times_copy(b, Max(b->nbuckets, 1)));
	if (a->stages_hash != b->stages_hash || a->nstages != b->nstages || a->namelen != b->namelen ||
		memcmp(TIMES_NAMES(a), TIMES_NAMES(b), a->namelen) != 0)
		stages_changed(fname);
	if (a->kind != b->kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: cannot merge times of %s and %s events", fname,
						kpi_time_kind_names[a->kind], kpi_time_kind_names[b->kind])));
	if ((a->flags & ~TIMES_NO_EXACT) != (b->flags & ~TIMES_NO_EXACT) ||
		a->as_of != b->as_of || a->stale_after != b->stale_after)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: cannot merge times measured at different as_of or stale_after", fname),
				 errhint("Build all parts with the same as_of and stale_after.")));

	/* merged histogram into a fresh value; the counters are summed into it */
	r = times_alloc(a->nstages, a->namelen, Max(a->nbuckets + b->nbuckets, 1));
	memcpy((char *) r + VARHDRSZ, (char *) a + VARHDRSZ,
		   sizeof(StageTimes) - VARHDRSZ + sizeof(StageStat) * a->nstages + a->namelen);
	memset(TIMES_EXACT(r, 0), 0, sizeof(int64) * TIMES_EXACT_MAX * r->nstages);
	r->capacity = Max(a->nbuckets + b->nbuckets, 1);
	while (i < a->nbuckets || j < b->nbuckets)
	{
		uint32		ka = i < a->nbuckets ? TIMES_KEYS(a)[i] : PG_UINT32_MAX;
		uint32		kb = j < b->nbuckets ? TIMES_KEYS(b)[j] : PG_UINT32_MAX;

		if (ka < kb || (ka == kb && j >= b->nbuckets))
		{
			TIMES_KEYS(r)[n] = ka;
			TIMES_COUNTS(r)[n] = TIMES_COUNTS(a)[i++];
		}
		else if (kb < ka || i >= a->nbuckets)
		{
			TIMES_KEYS(r)[n] = kb;
			TIMES_COUNTS(r)[n] = TIMES_COUNTS(b)[j++];
		}
		else
		{
			TIMES_KEYS(r)[n] = ka;
			if (pg_add_s64_overflow(TIMES_COUNTS(a)[i], TIMES_COUNTS(b)[j], &TIMES_COUNTS(r)[n]))
				kpi_count_overflow("stage_times", NULL);
			i++;
			j++;
		}
		n++;
	}
	r->nbuckets = n;
	r->flags |= b->flags & TIMES_NO_EXACT;
	for (int k = 0; k < r->nstages; k++)
	{
		int64		na = TIMES_STATS(a)[k].exited;
		int64		nb = TIMES_STATS(b)[k].exited;
		uint64	   *ex = TIMES_EXACT(r, k);

		/* the exact totals merged while there are at most 32, else forgotten */
		if ((r->flags & TIMES_NO_EXACT) || na + nb > TIMES_EXACT_MAX)
			memset(ex, 0, sizeof(int64) * TIMES_EXACT_MAX);
		else
		{
			const uint64 *xa = TIMES_EXACT(a, k);
			const uint64 *xb = TIMES_EXACT(b, k);
			int			ia = 0,
						ib = 0;

			for (int m = 0; m < na + nb; m++)
				ex[m] = (ib >= nb || (ia < na && xa[ia] <= xb[ib])) ? xa[ia++] : xb[ib++];
		}
	}
	add64(&r->deals, b->deals);
	add64(&r->outside, b->outside);
	for (int k = 0; k < r->nstages; k++)
	{
		StageStat  *x = &TIMES_STATS(r)[k];
		const StageStat *y = &TIMES_STATS(b)[k];

		add64(&x->visits, y->visits);
		add64(&x->exited, y->exited);
		add64(&x->current, y->current);
		add64(&x->stale, y->stale);
		x->exited_us = kpi_add128(x->exited_us, y->exited_us);
		x->current_us = kpi_add128(x->current_us, y->current_us);
	}
	PG_RETURN_POINTER(r);
}

/* ---- I/O ---- */

PG_FUNCTION_INFO_V1(stage_times_in);
PG_FUNCTION_INFO_V1(stage_times_out);
PG_FUNCTION_INFO_V1(stage_times_recv);
PG_FUNCTION_INFO_V1(stage_times_send);

static void
parts_init(TimesParts *tp)
{
	memset(tp, 0, sizeof(TimesParts));
	tp->capacity = 16;
	tp->keys = palloc(sizeof(uint32) * tp->capacity);
	tp->counts = palloc(sizeof(int64) * tp->capacity);
	tp->raw = palloc(sizeof(int64) * tp->capacity);
}

static void
parts_bucket(TimesParts *tp, int stage, int64 bucket, int64 count)
{
	if (tp->nbuckets == tp->capacity)
	{
		tp->capacity *= 2;
		tp->keys = repalloc(tp->keys, sizeof(uint32) * tp->capacity);
		tp->counts = repalloc(tp->counts, sizeof(int64) * tp->capacity);
		tp->raw = repalloc(tp->raw, sizeof(int64) * tp->capacity);
	}
	tp->raw[tp->nbuckets] = bucket;
	tp->keys[tp->nbuckets] = KEY(stage, Min(Max(bucket, 0), KPI_HIST_MAX_BUCKET));
	tp->counts[tp->nbuckets] = count;
	tp->nbuckets++;
}

/* the value of parts that keep every invariant */
static StageTimes *
parts_build(const TimesParts *tp)
{
	StageList	sl;
	StageTimes *t;

	stages_from_names(&sl, tp->names, tp->nstages);
	t = times_with_names(&sl, Max(tp->nbuckets, 1), "stage_times");
	t->kind = tp->kind;
	t->flags = tp->flags;
	t->as_of = tp->as_of;
	t->stale_after = tp->stale_after;
	t->deals = tp->deals;
	t->outside = tp->outside;
	memcpy(TIMES_STATS(t), tp->stats, sizeof(StageStat) * tp->nstages);
	for (int k = 0; k < tp->nstages; k++)
		memcpy(TIMES_EXACT(t, k), tp->exact[k], sizeof(uint64) * tp->nexact[k]);
	memcpy(TIMES_KEYS(t), tp->keys, sizeof(uint32) * tp->nbuckets);
	memcpy(TIMES_COUNTS(t), tp->counts, sizeof(int64) * tp->nbuckets);
	t->nbuckets = tp->nbuckets;
	return t;
}

/*
 * (version=2,time=timestamptz,as_of=N|none,stale_after=N|none,deals=N,outside=N,
 *  stages=[("lead",visits=N,exited=N,exited_us=N,current=N,current_us=N,stale=N,
 *           hist=[bucket:count,...],exact=[us,...]),...])
 * exact: the exited deals' totals while at most 32, else empty.  Version 1
 * (0.1.0) is the same without exact=; such a value (TIMES_NO_EXACT) is
 * written as version 1 again.
 */
Datum
stage_times_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	TimesParts	tp;

	int64		version;

	parts_init(&tp);
	kpi_kv_begin(&kv, str, "stage_times");
	version = kpi_kv_int64(&kv, "version", 0);
	if (version != 1 && version != TIMES_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	if (version == 1)
		tp.flags |= TIMES_NO_EXACT;
	tp.kind = kpi_kv_time_kind(&kv);
	if (kpi_kv_opt_int64(&kv, "as_of", PG_INT64_MIN, PG_INT64_MAX, &tp.as_of))
		tp.flags |= TIMES_HAS_AS_OF;
	if (kpi_kv_opt_int64(&kv, "stale_after", PG_INT64_MIN, PG_INT64_MAX, &tp.stale_after))
		tp.flags |= TIMES_HAS_STALE;
	tp.deals = kpi_kv_int64(&kv, "deals", 0);
	tp.outside = kpi_kv_int64(&kv, "outside", 0);
	kpi_kv_key(&kv, "stages");
	kpi_kv_char(&kv, '[');
	do
	{
		StageStat  *st;

		if (tp.nstages == STAGES_MAX)
			kpi_kv_fail(&kv, "Too many stages");
		st = &tp.stats[tp.nstages];
		kpi_kv_char(&kv, '(');
		tp.names[tp.nstages] = kpi_kv_string(&kv, NULL);
		kv.first = false;
		st->visits = kpi_kv_int64(&kv, "visits", 0);
		st->exited = kpi_kv_int64(&kv, "exited", 0);
		st->exited_us = kpi_kv_micros(&kv, "exited_us", "Expected an integer number of microseconds");
		st->current = kpi_kv_int64(&kv, "current", 0);
		st->current_us = kpi_kv_micros(&kv, "current_us", "Expected an integer number of microseconds");
		st->stale = kpi_kv_int64(&kv, "stale", 0);
		kpi_kv_key(&kv, "hist");
		kpi_kv_char(&kv, '[');
		if (!kpi_kv_peek(&kv, ']'))
		{
			do
			{
				int64		bucket = kpi_kv_number(&kv, 0, KPI_HIST_MAX_BUCKET, "a histogram bucket");
				int64		count;

				kpi_kv_char(&kv, ':');
				count = kpi_kv_number(&kv, 1, PG_INT64_MAX, "a histogram count");
				parts_bucket(&tp, tp.nstages, bucket, count);
			} while (kpi_kv_more(&kv));
		}
		kpi_kv_char(&kv, ']');
		if (version == TIMES_VERSION)
		{
			kpi_kv_key(&kv, "exact");
			kpi_kv_char(&kv, '[');
			if (!kpi_kv_peek(&kv, ']'))
			{
				do
				{
					if (tp.nexact[tp.nstages] == TIMES_EXACT_MAX)
						kpi_kv_fail(&kv, "Too many exact times");
					tp.exact[tp.nstages][tp.nexact[tp.nstages]++] = kpi_kv_exact_usec(&kv);
				} while (kpi_kv_more(&kv));
			}
			kpi_kv_char(&kv, ']');
		}
		kpi_kv_char(&kv, ')');
		tp.nstages++;
	} while (kpi_kv_more(&kv));
	kpi_kv_char(&kv, ']');
	kpi_kv_end(&kv);
	kpi_check_text(parts_broken(&tp), "stage_times", str);
	PG_RETURN_POINTER(parts_build(&tp));
}

/* the format version t is written in */
static inline int
times_out_version(const StageTimes *t)
{
	return (t->flags & TIMES_NO_EXACT) ? 1 : TIMES_VERSION;
}

Datum
stage_times_out(PG_FUNCTION_ARGS)
{
	StageTimes *t = times_get(PG_GETARG_DATUM(0));
	StringInfoData buf;
	const char *names = TIMES_NAMES(t);
	int			b = 0;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,time=%s,", times_out_version(t), kpi_time_kind_names[t->kind]);
	if (t->flags & TIMES_HAS_AS_OF)
		appendStringInfo(&buf, "as_of=" INT64_FORMAT ",", t->as_of);
	else
		appendStringInfoString(&buf, "as_of=none,");
	if (t->flags & TIMES_HAS_STALE)
		appendStringInfo(&buf, "stale_after=" INT64_FORMAT ",", t->stale_after);
	else
		appendStringInfoString(&buf, "stale_after=none,");
	appendStringInfo(&buf, "deals=" INT64_FORMAT ",outside=" INT64_FORMAT ",stages=[",
					 t->deals, t->outside);
	for (int k = 0; k < t->nstages; k++)
	{
		const StageStat *st = &TIMES_STATS(t)[k];
		bool		first = true;

		appendStringInfoString(&buf, k ? ",(" : "(");
		kpi_kv_append_string(&buf, names);
		appendStringInfo(&buf, ",visits=" INT64_FORMAT ",exited=" INT64_FORMAT ",exited_us=",
						 st->visits, st->exited);
		kpi_append_decimal(&buf, st->exited_us, 0);
		appendStringInfo(&buf, ",current=" INT64_FORMAT ",current_us=", st->current);
		kpi_append_decimal(&buf, st->current_us, 0);
		appendStringInfo(&buf, ",stale=" INT64_FORMAT ",hist=[", st->stale);
		for (; b < t->nbuckets && KEY_STAGE(TIMES_KEYS(t)[b]) == k; b++)
		{
			appendStringInfo(&buf, "%s%d:" INT64_FORMAT, first ? "" : ",",
							 KEY_BUCKET(TIMES_KEYS(t)[b]), TIMES_COUNTS(t)[b]);
			first = false;
		}
		appendStringInfoChar(&buf, ']');
		if (times_out_version(t) == TIMES_VERSION)
		{
			appendStringInfoString(&buf, ",exact=[");
			if (TIMES_KEEPS_EXACT(t, st))
				for (int i = 0; i < st->exited; i++)
					appendStringInfo(&buf, "%s" UINT64_FORMAT, i ? "," : "", TIMES_EXACT(t, k)[i]);
			appendStringInfoChar(&buf, ']');
		}
		appendStringInfoChar(&buf, ')');
		names = stages_next(names);
	}
	appendStringInfoString(&buf, "])");
	PG_RETURN_CSTRING(buf.data);
}

Datum
stage_times_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	TimesParts	tp;

	int			version = pq_getmsgbyte(buf);

	parts_init(&tp);
	if (version != 1 && version != TIMES_VERSION)
		kpi_bad_binary("stage_times", "Unsupported format version.");
	tp.flags = pq_getmsgbyte(buf);
	if (tp.flags & TIMES_NO_EXACT)
		kpi_bad_binary("stage_times", "Unknown flag bits are set.");
	if (version == 1)
		tp.flags |= TIMES_NO_EXACT;
	tp.kind = pq_getmsgbyte(buf);
	tp.nstages = pq_getmsgint(buf, 2);
	if (tp.nstages < 1 || tp.nstages > STAGES_MAX)
		kpi_bad_binary("stage_times", "Number of stages out of range.");
	tp.as_of = pq_getmsgint64(buf);
	tp.stale_after = pq_getmsgint64(buf);
	tp.deals = pq_getmsgint64(buf);
	tp.outside = pq_getmsgint64(buf);
	for (int k = 0; k < tp.nstages; k++)
	{
		StageStat  *st = &tp.stats[k];
		int32		nb;

		tp.names[k] = pq_getmsgstring(buf);
		st->visits = pq_getmsgint64(buf);
		st->exited = pq_getmsgint64(buf);
		st->exited_us = kpi_recv_int128(buf, "stage_times");
		st->current = pq_getmsgint64(buf);
		st->current_us = kpi_recv_int128(buf, "stage_times");
		st->stale = pq_getmsgint64(buf);
		nb = pq_getmsgint(buf, 4);
		/* every bucket takes 10 bytes on the wire: bound nb by what is there */
		kpi_recv_count(buf, nb, 10, "stage_times", "Bucket count does not match the data.");
		for (int i = 0; i < nb; i++)
		{
			int			bucket = pq_getmsgint(buf, 2);
			int64		count = pq_getmsgint64(buf);

			parts_bucket(&tp, k, bucket, count);
		}
		if (version == TIMES_VERSION)
		{
			int32		ne = pq_getmsgint(buf, 4);

			if (ne < 0 || ne > TIMES_EXACT_MAX)
				kpi_bad_binary("stage_times", "Too many exact times.");
			tp.nexact[k] = ne;
			for (int i = 0; i < ne; i++)
				tp.exact[k][i] = (uint64) pq_getmsgint64(buf);
		}
	}
	kpi_recv_end(buf, "stage_times");
	kpi_check_binary(parts_broken(&tp), "stage_times");
	PG_RETURN_POINTER(parts_build(&tp));
}

Datum
stage_times_send(PG_FUNCTION_ARGS)
{
	StageTimes *t = times_get(PG_GETARG_DATUM(0));
	StringInfoData buf;
	const char *names = TIMES_NAMES(t);
	int			b = 0;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, times_out_version(t));
	pq_sendbyte(&buf, t->flags & ~TIMES_NO_EXACT);
	pq_sendbyte(&buf, t->kind);
	pq_sendint16(&buf, t->nstages);
	pq_sendint64(&buf, t->as_of);
	pq_sendint64(&buf, t->stale_after);
	pq_sendint64(&buf, t->deals);
	pq_sendint64(&buf, t->outside);
	for (int k = 0; k < t->nstages; k++)
	{
		const StageStat *st = &TIMES_STATS(t)[k];
		int			first = b;

		pq_sendstring(&buf, names);
		pq_sendint64(&buf, st->visits);
		pq_sendint64(&buf, st->exited);
		kpi_send_int128(&buf, st->exited_us);
		pq_sendint64(&buf, st->current);
		kpi_send_int128(&buf, st->current_us);
		pq_sendint64(&buf, st->stale);
		while (b < t->nbuckets && KEY_STAGE(TIMES_KEYS(t)[b]) == k)
			b++;
		pq_sendint32(&buf, b - first);
		for (int i = first; i < b; i++)
		{
			pq_sendint16(&buf, KEY_BUCKET(TIMES_KEYS(t)[i]));
			pq_sendint64(&buf, TIMES_COUNTS(t)[i]);
		}
		if (times_out_version(t) == TIMES_VERSION)
		{
			int			ne = TIMES_KEEPS_EXACT(t, st) ? (int) st->exited : 0;

			pq_sendint32(&buf, ne);
			for (int i = 0; i < ne; i++)
				pq_sendint64(&buf, (int64) TIMES_EXACT(t, k)[i]);
		}
		names = stages_next(names);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- accessors ---- */

static int
times_position(const StageTimes *t, const char *stage, const char *fname)
{
	return stages_find(TIMES_NAMES(t), t->nstages, stage, fname, "stage", "the stage_times value", "the value");
}

/*
 * The value at 0-based rank r among stage k's exited deals' totals: exact
 * while the stage keeps them, else its histogram bucket's representative.
 */
static double
hist_rank_value(const StageTimes *t, int k, int64 r)
{
	int64		seen = 0;

	if (TIMES_KEEPS_EXACT(t, &TIMES_STATS(t)[k]))
		return (double) TIMES_EXACT(t, k)[r];

	for (int i = 0; i < t->nbuckets; i++)
	{
		uint32		key = TIMES_KEYS(t)[i];

		if (KEY_STAGE(key) != k)
			continue;
		seen += TIMES_COUNTS(t)[i];
		if (r < seen)
			return kpi_hist_rep(KEY_BUCKET(key));
	}
	/* cannot happen: input validation ties the histogram to the counts */
	elog(ERROR, "stage_times: histogram shorter than its count");
	pg_unreachable();
}

static bool
stat_avg_days(const StageTimes *t, int k, double *out)
{
	const StageStat *st = &TIMES_STATS(t)[k];

	if (st->exited == 0)
		return false;
	*out = (double) st->exited_us / (double) st->exited / (double) KPI_USECS_PER_DAY;
	return true;
}

static bool
stat_median_days(const StageTimes *t, int k, double *out)
{
	int64		n = TIMES_STATS(t)[k].exited;

	if (n == 0)
		return false;
	*out = (hist_rank_value(t, k, (n - 1) / 2) + hist_rank_value(t, k, n / 2)) / 2.0 /
		(double) KPI_USECS_PER_DAY;
	return true;
}

/*
 * Percentile of the exited deals' times, as percentile_cont(fraction) over
 * the histogram's representatives: interpolated between the values at
 * ranks floor and ceil of fraction * (n - 1).  fraction 0.5 gives the median.
 */
static bool
stat_percentile_days(const StageTimes *t, int k, double fraction, double *out)
{
	int64		n = TIMES_STATS(t)[k].exited;
	double		pos;
	int64		lo;
	double		vlo,
				vhi;

	if (n == 0)
		return false;
	pos = fraction * (double) (n - 1);
	/* pos >= 0: truncation is floor; (double) (n - 1) may round up past n - 1 */
	lo = pos >= (double) (n - 1) ? n - 1 : (int64) pos;
	vlo = hist_rank_value(t, k, lo);
	vhi = lo + 1 < n && pos > (double) lo ? hist_rank_value(t, k, lo + 1) : vlo;
	*out = (vlo + (pos - (double) lo) * (vhi - vlo)) / (double) KPI_USECS_PER_DAY;
	return true;
}

static bool
stat_current_days(const StageTimes *t, int k, double *out)
{
	const StageStat *st = &TIMES_STATS(t)[k];

	if (!(t->flags & TIMES_HAS_AS_OF) || st->current == 0)
		return false;
	*out = (double) st->current_us / (double) st->current / (double) KPI_USECS_PER_DAY;
	return true;
}

PG_FUNCTION_INFO_V1(stage_times_percentile_days);
PG_FUNCTION_INFO_V1(stage_times_stale);
PG_FUNCTION_INFO_V1(stage_times_deals);
PG_FUNCTION_INFO_V1(stage_times_outside);
PG_FUNCTION_INFO_V1(stage_times_rows);
PG_FUNCTION_INFO_V1(stage_report_rows);

#define TIMES_STAGE_ARG(fname) \
	times_position(t, text_to_cstring(PG_GETARG_TEXT_PP(1)), fname)

/* (times, stage): a count of the stage, the int64 at offset field of its StageStat */
static Datum
times_stage_count(FunctionCallInfo fcinfo, size_t field, const char *fname)
{
	StageTimes *t = times_get(PG_GETARG_DATUM(0));
	const StageStat *st = &TIMES_STATS(t)[TIMES_STAGE_ARG(fname)];

	PG_RETURN_INT64(*(const int64 *) ((const char *) st + field));
}

KPI_FUNCTION(stage_times_visits, times_stage_count, offsetof(StageStat, visits), "visits");
KPI_FUNCTION(stage_times_exited, times_stage_count, offsetof(StageStat, exited), "exited_deals");
KPI_FUNCTION(stage_times_current, times_stage_count, offsetof(StageStat, current), "current_deals");

/* (times, stage): a statistic of the stage in days, NULL when it has none */
static Datum
times_stage_days(FunctionCallInfo fcinfo, bool (*stat) (const StageTimes *, int, double *),
				 const char *fname)
{
	StageTimes *t = times_get(PG_GETARG_DATUM(0));
	double		v;

	if (!stat(t, TIMES_STAGE_ARG(fname), &v))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(v);
}

KPI_FUNCTION(stage_times_avg_days, times_stage_days, stat_avg_days, "avg_days");
KPI_FUNCTION(stage_times_median_days, times_stage_days, stat_median_days, "median_days");
KPI_FUNCTION(stage_times_current_days, times_stage_days, stat_current_days, "avg_current_days");

/* percentile_days(times, stage, fraction) */
Datum
stage_times_percentile_days(PG_FUNCTION_ARGS)
{
	StageTimes *t = times_get(PG_GETARG_DATUM(0));
	int			k = TIMES_STAGE_ARG("percentile_days");
	double		fraction = PG_GETARG_FLOAT8(2);
	double		v;

	if (isnan(fraction) || fraction < 0.0 || fraction > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("percentile_days: fraction must be between 0 and 1, got %g", fraction),
				 errhint("Pass e.g. 0.9 for the 90th percentile.")));
	if (!stat_percentile_days(t, k, fraction, &v))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(v);
}

Datum
stage_times_stale(PG_FUNCTION_ARGS)
{
	StageTimes *t = times_get(PG_GETARG_DATUM(0));
	int			k = TIMES_STAGE_ARG("stale_deals");

	if (!(t->flags & TIMES_HAS_STALE))
		PG_RETURN_NULL();
	PG_RETURN_INT64(TIMES_STATS(t)[k].stale);
}

Datum
stage_times_deals(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(times_get(PG_GETARG_DATUM(0))->deals);
}

Datum
stage_times_outside(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(times_get(PG_GETARG_DATUM(0))->outside);
}

/* the NOTICE of times no deal of which entered a stage of the list */
void
stages_times_notice_outside(const StageTimes *t, const char *fname)
{
	stages_notice_outside(fname, TIMES_NAMES(t), t->nstages, t->deals, t->outside);
}

/*
 * The time-in-stage columns of stage k: visits, exited_deals, avg_days,
 * median_days, current_deals, avg_current_days, stale_deals.
 */
#define TIMES_COLUMNS 7
static void
times_columns(const StageTimes *t, int k, Datum *values, bool *nulls)
{
	const StageStat *st = &TIMES_STATS(t)[k];
	double		v = 0;

	values[0] = Int64GetDatum(st->visits);
	values[1] = Int64GetDatum(st->exited);
	nulls[2] = !stat_avg_days(t, k, &v);
	values[2] = Float8GetDatum(v);
	nulls[3] = !stat_median_days(t, k, &v);
	values[3] = Float8GetDatum(v);
	values[4] = Int64GetDatum(st->current);
	nulls[5] = !stat_current_days(t, k, &v);
	values[5] = Float8GetDatum(v);
	nulls[6] = !(t->flags & TIMES_HAS_STALE);
	values[6] = Int64GetDatum(st->stale);
}

/*
 * rows (stage, position, visits, exited_deals, avg_days, median_days,
 *       current_deals, avg_current_days, stale_deals)
 */
Datum
stage_times_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StageTimes *t = times_get(PG_GETARG_DATUM(0));
	const char *names = TIMES_NAMES(t);

	stages_times_notice_outside(t, "time_in_stage");
	InitMaterializedSRF(fcinfo, 0);
	for (int k = 0; k < t->nstages; k++)
	{
		Datum		values[2 + TIMES_COLUMNS];
		bool		nulls[2 + TIMES_COLUMNS] = {0};

		values[0] = CStringGetTextDatum(names);
		values[1] = Int32GetDatum(k + 1);
		times_columns(t, k, values + 2, nulls + 2);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		names = stages_next(names);
	}
	return (Datum) 0;
}

/*
 * stage_report(funnel, times): rows (stage, position, reached, step_rate,
 * cumulative_rate, win_probability, visits, exited_deals, avg_days,
 * median_days, current_deals, avg_current_days, stale_deals).
 */
Datum
stage_report_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StageFunnel *f = stages_funnel_get(PG_GETARG_DATUM(0));
	StageTimes *t = times_get(PG_GETARG_DATUM(1));
	const char *names = TIMES_NAMES(t);
	StageList	sl;

	stages_from_stored(&sl, names, t->nstages);
	if (f->stages_hash != t->stages_hash || f->nstages != t->nstages || sl.hash != f->stages_hash)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stage_report: the funnel and the times were built with different stage lists"),
				 errhint("Pass the same stages to stage_funnel() and stage_times().")));
	/* one notice: the funnel's, else the times' */
	if (f->deals > 0 && f->outside == f->deals)
		stages_notice_outside("stage_report", names, t->nstages, f->deals, f->outside);
	else
		stages_notice_outside("stage_report", names, t->nstages, t->deals, t->outside);
	InitMaterializedSRF(fcinfo, 0);
	for (int k = 0; k < t->nstages; k++)
	{
		Datum		values[2 + FUNNEL_COLUMNS + TIMES_COLUMNS];
		bool		nulls[2 + FUNNEL_COLUMNS + TIMES_COLUMNS] = {0};

		values[0] = CStringGetTextDatum(names);
		values[1] = Int32GetDatum(k + 1);
		stages_funnel_columns(f, k, values + 2, nulls + 2);
		times_columns(t, k, values + 2 + FUNNEL_COLUMNS, nulls + 2 + FUNNEL_COLUMNS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		names = stages_next(names);
	}
	return (Datum) 0;
}

/* ---- kpis(stage_times), stage_times::json and ::jsonb (kpi/report.h) ---- */

static const char *const times_report_columns[] = {"deals", "outside_deals", "stages"};

static void
times_report_columns_of(const void *value, int k, Datum *values, bool *nulls)
{
	times_columns((const StageTimes *) value, k, values, nulls);
}

/* stages: stage_times_stage[], the rows of time_in_stage(times) */
static void
times_report_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	StageTimes *t = times_get(PG_GETARG_DATUM(0));

	values[0] = Int64GetDatum(t->deals);
	values[1] = Int64GetDatum(t->outside);
	values[2] = stages_report_rows(desc, 2, TIMES_NAMES(t), t->nstages, TIMES_COLUMNS,
								   times_report_columns_of, t);
	(void) nulls;
}

KPI_REPORT_FUNCTIONS(stage_times, "stage_times_kpis", times_report_columns, times_report_fill);
