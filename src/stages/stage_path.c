/*
 * stage_path.c - the stage_path type: one deal's stage history (spec
 * section 2.2), the first of the two levels of the funnels and of time in
 * stage, so that per-deal work runs where a deal's rows are:
 *   stage_path(stage, entered_at, stages)  per deal (GROUP BY deal id)
 * The deal's events as (position, time), position = index in the stage
 * list or nstages for a stage outside the list; sorted by (time, position)
 * by the final function.  stage_funnel() and stage_times() read the paths.
 */
#include "kpi/kpi.h"
#include "stages/stages.h"

#include "datatype/timestamp.h"
#include "libpq/pqformat.h"

StaticAssertDecl(offsetof(StagePath, version) == VARHDRSZ, "the version follows the length word");

/* ---- the value and its invariants ---- */

const char *
stages_event_broken(int pos, int nstages, int64 ts)
{
	if (pos < 0 || pos > nstages)
		return "Event stage position out of range.";
	if (!IS_VALID_TIMESTAMP(ts))
		return "Event time out of range.";
	return NULL;
}

StagePath *
stages_path_new(int capacity)
{
	StagePath  *p = palloc0(PATH_SIZE(capacity));

	SET_VARSIZE(p, PATH_SIZE(capacity));
	p->version = PATH_VERSION;
	p->capacity = capacity;
	return p;
}

StagePath *
stages_path_get(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	StagePath  *p;

	/* version 1 has the same layout; only its hash is the legacy one */
	if (VARSIZE(v) >= sizeof(StagePath) && ((StagePath *) v)->version == PATH_VERSION_LEGACY_HASH)
		p = (StagePath *) v;
	else
		p = kpi_stored(PointerGetDatum(v), PATH_VERSION, sizeof(StagePath), "stage_path");

	if (p->capacity < p->nevents || p->nevents < 0 || VARSIZE(p) != PATH_SIZE(p->capacity))
		kpi_corrupt("stage_path");
	return p;
}

bool
stages_path_of_list(const StagePath *p, const StageList *sl)
{
	return p->nstages == sl->nstages &&
		p->stages_hash == (p->version == PATH_VERSION_LEGACY_HASH ? sl->legacy_hash : sl->hash);
}

void
stages_path_check_list(const StagePath *p, const StageList *sl, const char *fname)
{
	if (!stages_path_of_list(p, sl))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the path was built with a different stage list", fname),
				 errhint("Pass the same stages to stage_path() and %s().", fname)));
}

/*
 * Every invariant a stage_path keeps, however it was made: NULL when p keeps
 * them all, else the one it breaks.  Text and binary input and the combine
 * function (on its arguments) check through this one function.
 */
static const char *
path_broken(const void *value)
{
	const StagePath *p = value;

	if (p->flags & ~(PATH_SORTED | PATH_KIND_MASK))
		return "Unknown flag bits are set.";
	if (PATH_KIND(p) < TIME_DATE || PATH_KIND(p) > TIME_TIMESTAMPTZ)
		return "Unknown time type.";
	if (p->nstages < 1 || p->nstages > STAGES_MAX)
		return "Number of stages out of range.";
	for (int i = 0; i < p->nevents; i++)
	{
		const char *broken = stages_event_broken(PATH_POS(p)[i], p->nstages, PATH_TS(p)[i]);

		if (broken)
			return broken;
		if ((p->flags & PATH_SORTED) && i > 0 &&
			(PATH_TS(p)[i] < PATH_TS(p)[i - 1] ||
			 (PATH_TS(p)[i] == PATH_TS(p)[i - 1] && PATH_POS(p)[i] < PATH_POS(p)[i - 1])))
			return "Events marked sorted are out of (time, position) order.";
	}
	return NULL;
}

/* Copy p into a new path of the given capacity (>= nevents). */
static StagePath *
path_copy(const StagePath *p, int capacity)
{
	StagePath  *q = stages_path_new(capacity);

	q->version = p->version;
	q->flags = p->flags;
	q->nstages = p->nstages;
	q->nevents = p->nevents;
	q->stages_hash = p->stages_hash;
	memcpy(PATH_TS(q), PATH_TS(p), sizeof(int64) * p->nevents);
	memcpy(PATH_POS(q), PATH_POS(p), sizeof(int16) * p->nevents);
	return q;
}

/*
 * Make room for `more` events.  In an aggregate the state may be the
 * argument itself, updated in place while it has room; growing returns a new
 * value (the executor frees the old one).  Outside an aggregate, always copy.
 */
static StagePath *
path_reserve(FunctionCallInfo fcinfo, StagePath *p, bool is_arg, int more)
{
	bool		inagg = AggCheckCallContext(fcinfo, NULL) != 0;
	int64		need = (int64) p->nevents + more;

	if (need > PATH_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("stage_path: too many events for one deal (limit %d)", (int) PATH_MAX_EVENTS)));
	if (inagg && need <= p->capacity)
		return p;
	if (!inagg && !is_arg && need <= p->capacity)
		return p;
	return path_copy(p, (int) Min(PATH_MAX_EVENTS, Max(need, Max(4, (int64) p->capacity * 2))));
}

/* ---- transition ---- */

/* (state, stage text, entered_at T, stages text[]) */
static Datum
path_accum(FunctionCallInfo fcinfo, TimeKind kind)
{
	const char *fname = "stage_path";
	const StageList *sl = stages_get(fcinfo, 3, PG_ARGISNULL(0), fname);
	text	   *stage;
	int			pos;
	int64		t;
	StagePath  *p;

	/* an event without a stage or a time is ignored */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return kpi_unchanged(fcinfo);
	stage = PG_GETARG_TEXT_PP(1);
	t = kpi_time_usec(PG_GETARG_DATUM(2), kind, fcinfo, fname, "entered_at");
	pos = stages_position(sl, VARDATA_ANY(stage), VARSIZE_ANY_EXHDR(stage));
	if (PG_ARGISNULL(0))
	{
		p = stages_path_new(4);
		p->nstages = sl->nstages;
		p->stages_hash = sl->hash;
		p->flags = PATH_SORTED | (kind << PATH_KIND_SHIFT);
	}
	else
	{
		p = stages_path_get(PG_GETARG_DATUM(0));
		if (!stages_path_of_list(p, sl))
			stages_changed(fname);
		if (PATH_KIND(p) != kind)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the path holds %s events, this row has a %s", fname,
							kpi_time_kind_names[PATH_KIND(p)], kpi_time_kind_names[kind])));
		p = path_reserve(fcinfo, p, true, 1);
	}
	if (p->nevents > 0)
	{
		int64		lt = PATH_TS(p)[p->nevents - 1];
		int16		lp = PATH_POS(p)[p->nevents - 1];

		if (t < lt || (t == lt && pos < lp))
			p->flags &= ~PATH_SORTED;
	}
	PATH_TS(p)[p->nevents] = t;
	PATH_POS(p)[p->nevents] = (int16) pos;
	p->nevents++;
	PG_RETURN_POINTER(p);
}

KPI_FUNCTION(stage_path_accum, path_accum, TIME_TIMESTAMP);
KPI_FUNCTION(stage_path_accum_tz, path_accum, TIME_TIMESTAMPTZ);
KPI_FUNCTION(stage_path_accum_date, path_accum, TIME_DATE);

/* ---- combine ---- */

PG_FUNCTION_INFO_V1(stage_path_combine);

Datum
stage_path_combine(PG_FUNCTION_ARGS)
{
	StagePath  *a = NULL;
	StagePath  *b;

	/* both arguments are anyone's values: every invariant is checked */
	if (!PG_ARGISNULL(0))
		a = kpi_valid(stages_path_get(PG_GETARG_DATUM(0)), path_broken, "stage_path_combine", "stage_path");
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	b = kpi_valid(stages_path_get(PG_GETARG_DATUM(1)), path_broken, "stage_path_combine", "stage_path");
	if (a == NULL)
		PG_RETURN_POINTER(path_copy(b, Max(b->nevents, 4)));
	if (a->version != b->version)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stage_path_combine: cannot merge a path of format version %d with one of version %d",
						a->version, b->version),
				 errdetail("Version-1 paths carry the stage-list hash of 0.1.0."),
				 errhint("Rebuild the paths with stage_path(stage, entered_at, stages).")));
	if (a->stages_hash != b->stages_hash || a->nstages != b->nstages)
		stages_changed("stage_path");
	if (PATH_KIND(a) != PATH_KIND(b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stage_path: cannot merge paths of %s and %s events",
						kpi_time_kind_names[PATH_KIND(a)], kpi_time_kind_names[PATH_KIND(b)])));
	a = path_reserve(fcinfo, a, true, b->nevents);
	memcpy(PATH_TS(a) + a->nevents, PATH_TS(b), sizeof(int64) * b->nevents);
	memcpy(PATH_POS(a) + a->nevents, PATH_POS(b), sizeof(int16) * b->nevents);
	a->nevents += b->nevents;
	a->flags &= ~PATH_SORTED;
	PG_RETURN_POINTER(a);
}

/* ---- final: sorted ---- */

typedef struct PathEvent
{
	int64		ts;
	int16		pos;
} PathEvent;

static int
event_cmp(const void *a, const void *b)
{
	const PathEvent *x = a;
	const PathEvent *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (int) x->pos - (int) y->pos;
}

StagePath *
stages_path_sorted(const StagePath *p)
{
	StagePath  *q = path_copy(p, p->nevents);

	if (!(p->flags & PATH_SORTED))
	{
		PathEvent  *ev = palloc(sizeof(PathEvent) * Max(p->nevents, 1));

		for (int i = 0; i < p->nevents; i++)
		{
			ev[i].ts = PATH_TS(p)[i];
			ev[i].pos = PATH_POS(p)[i];
		}
		qsort(ev, p->nevents, sizeof(PathEvent), event_cmp);
		for (int i = 0; i < p->nevents; i++)
		{
			PATH_TS(q)[i] = ev[i].ts;
			PATH_POS(q)[i] = ev[i].pos;
		}
		pfree(ev);
	}
	q->flags = (p->flags & PATH_KIND_MASK) | PATH_SORTED;
	return q;
}

PG_FUNCTION_INFO_V1(stage_path_final);

Datum
stage_path_final(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(stages_path_sorted(stages_path_get(PG_GETARG_DATUM(0))));
}

/*
 * ---- I/O: (version=2,stages=N,hash=H,time=T,events=[pos@usec,...]) ----
 * Version 1 (0.1.0) is the same with the legacy, byte-order dependent hash:
 * it is read, kept as version 1 (accepted where its hash matches the legacy
 * hash of the list) and written as version 1 again.
 */

PG_FUNCTION_INFO_V1(stage_path_in);
PG_FUNCTION_INFO_V1(stage_path_out);
PG_FUNCTION_INFO_V1(stage_path_recv);
PG_FUNCTION_INFO_V1(stage_path_send);

Datum
stage_path_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	int64		nstages;
	int64		hash;
	int			cap = 4;
	TimeKind	kind;
	StagePath  *p;
	int64		version;

	kpi_kv_begin(&kv, str, "stage_path");
	version = kpi_kv_int64(&kv, "version", 0);
	if (version != PATH_VERSION && version != PATH_VERSION_LEGACY_HASH)
		kpi_kv_fail(&kv, "Unsupported format version");
	nstages = kpi_kv_int64(&kv, "stages", 1);
	if (nstages > STAGES_MAX)
		kpi_kv_fail(&kv, "Too many stages");
	hash = kpi_kv_int64(&kv, "hash", PG_INT64_MIN);
	kind = kpi_kv_time_kind(&kv);
	p = stages_path_new(cap);
	p->version = (uint8) version;
	p->nstages = (int16) nstages;
	p->stages_hash = (uint64) hash;
	kpi_kv_key(&kv, "events");
	kpi_kv_char(&kv, '[');
	if (!kpi_kv_peek(&kv, ']'))
	{
		do
		{
			int64		pos = kpi_kv_number(&kv, 0, STAGES_MAX, "an event's stage position");
			int64		ts;

			kpi_kv_char(&kv, '@');
			ts = kpi_kv_number(&kv, MIN_TIMESTAMP, END_TIMESTAMP - 1, "an event's time in microseconds");
			if (p->nevents == p->capacity)
			{
				if (cap >= PATH_MAX_EVENTS)
					kpi_kv_fail(&kv, "Too many events");
				cap = (int) Min(PATH_MAX_EVENTS, (int64) cap * 2);
				p = path_copy(p, cap);
			}
			PATH_TS(p)[p->nevents] = ts;
			PATH_POS(p)[p->nevents] = (int16) pos;
			p->nevents++;
		} while (kpi_kv_more(&kv));
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_end(&kv);
	p->flags = kind << PATH_KIND_SHIFT;
	kpi_check_text(path_broken(p), "stage_path", str);
	PG_RETURN_POINTER(stages_path_sorted(p));
}

Datum
stage_path_out(PG_FUNCTION_ARGS)
{
	StagePath  *p = stages_path_sorted(stages_path_get(PG_GETARG_DATUM(0)));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,stages=%d,hash=" INT64_FORMAT ",time=%s,events=[",
					 p->version, p->nstages, (int64) p->stages_hash, kpi_time_kind_names[PATH_KIND(p)]);
	for (int i = 0; i < p->nevents; i++)
		appendStringInfo(&buf, "%s%d@" INT64_FORMAT, i ? "," : "",
						 PATH_POS(p)[i], PATH_TS(p)[i]);
	appendStringInfoString(&buf, "])");
	PG_RETURN_CSTRING(buf.data);
}

Datum
stage_path_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	int			flags;
	int			nstages;
	uint64		hash;
	int32		n;
	StagePath  *p;

	if (version != PATH_VERSION && version != PATH_VERSION_LEGACY_HASH)
		kpi_bad_binary("stage_path", "Unsupported format version.");
	flags = pq_getmsgbyte(buf);
	if (flags & ~PATH_KIND_MASK)
		kpi_bad_binary("stage_path", "Unknown flag bits are set.");
	nstages = pq_getmsgint(buf, 2);
	hash = (uint64) pq_getmsgint64(buf);
	n = pq_getmsgint(buf, 4);
	/* every event takes 10 bytes on the wire: bound n by what is there */
	kpi_recv_count(buf, n, 10, "stage_path", "Event count does not match the data.");
	p = stages_path_new(Max(n, 1));
	p->version = (uint8) version;
	p->nstages = (int16) nstages;
	p->stages_hash = hash;
	p->flags = flags;
	for (int i = 0; i < n; i++)
	{
		PATH_POS(p)[i] = (int16) pq_getmsgint(buf, 2);
		PATH_TS(p)[i] = pq_getmsgint64(buf);
	}
	p->nevents = n;
	kpi_recv_end(buf, "stage_path");
	kpi_check_binary(path_broken(p), "stage_path");
	PG_RETURN_POINTER(stages_path_sorted(p));
}

Datum
stage_path_send(PG_FUNCTION_ARGS)
{
	StagePath  *p = stages_path_sorted(stages_path_get(PG_GETARG_DATUM(0)));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, p->version);
	pq_sendbyte(&buf, p->flags & PATH_KIND_MASK);
	pq_sendint16(&buf, p->nstages);
	pq_sendint64(&buf, (int64) p->stages_hash);
	pq_sendint32(&buf, p->nevents);
	for (int i = 0; i < p->nevents; i++)
	{
		pq_sendint16(&buf, PATH_POS(p)[i]);
		pq_sendint64(&buf, PATH_TS(p)[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
