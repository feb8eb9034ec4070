/*
 * funnel.c - stage funnels (spec section 2.2).
 *
 * Two levels, so that per-deal work runs where a deal's rows are:
 *   stage_path(stage, entered_at, stages)  per deal (GROUP BY deal id):
 *       the deal's events as (position, time), position = index in the stage
 *       list or nstages for a stage outside the list; sorted by (time,
 *       position) by the final function.
 *   stage_funnel(path, stages [, mode])    across deals: counts per stage.
 * plus stage_funnel(stage, stages [, mode]) over a deals table holding one
 * stage per deal (its furthest stage), and rollup(stage_funnel).
 *
 * Modes: implied (reached k => reached every earlier stage), entered (only
 * stages actually entered), ordered (stages 1..k entered in that order by
 * time; equal times are taken in funnel order).  Stages outside the list
 * neither advance nor break a deal's progress.
 */
#include "kpi/kpi.h"
#include "stages/stages.h"

#include "common/hashfn.h"
#include "common/int.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/arrayaccess.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

const char *const mode_names[] = {"implied", "entered", "ordered"};
const char *const time_kind_names[] = {"", "date", "timestamp", "timestamptz"};

/* ---- the stage list ---- */

void
stages_error(const char *fname, const char *msg, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s", fname, msg),
			 errhint("%s", hint)));
}

/*
 * One step of the stage-list hash that paths and funnels carry to recognise
 * their list.  The list from an array (stages_parse) and from a funnel's
 * stored names (names_hash) must hash alike, so both use this.
 */
static inline uint64
stage_hash_step(uint64 h, const char *name, int len, int i)
{
	return hash_bytes_extended((const unsigned char *) name, len, h ^ (uint64) (i + 1));
}

static void
stages_parse(StageList *sl, ArrayType *stages, const char *fname)
{
	array_iter	it;
	int			n;
	uint64		h = 0;

	if (ARR_ELEMTYPE(stages) != TEXTOID)
		stages_error(fname, "stages must be a text array", "Pass e.g. ARRAY['lead','qualified','won'].");
	if (ARR_NDIM(stages) > 1)
		stages_error(fname, "stages must be a one-dimensional array", "Pass e.g. ARRAY['lead','qualified','won'].");
	n = ArrayGetNItems(ARR_NDIM(stages), ARR_DIMS(stages));
	if (n == 0)
		stages_error(fname, "stages must not be empty", "Pass the ordered stages of the pipeline, e.g. ARRAY['lead','qualified','won'].");
	if (n > FUNNEL_MAX_STAGES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: a funnel has at most %d stages, got %d", fname, FUNNEL_MAX_STAGES, n)));
	array_iter_setup(&it, (AnyArrayType *) stages);
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		d = array_iter_next(&it, &isnull, i, -1, false, TYPALIGN_INT);

		if (isnull)
			stages_error(fname, "stages must not contain NULL", "Remove the NULL from the stage list.");
		sl->names[i] = VARDATA_ANY(DatumGetPointer(d));
		sl->lens[i] = VARSIZE_ANY_EXHDR(DatumGetPointer(d));
		h = stage_hash_step(h, sl->names[i], sl->lens[i], i);
	}
	sl->nstages = n;
	sl->hash = h;
	sl->validated = false;
}

/*
 * The stage list of argument argno, parsed (from the cache when the bytes
 * are the same).  With validate, also reject duplicate names.
 */
const StageList *
stages_get(FunctionCallInfo fcinfo, int argno, bool validate, const char *fname)
{
	ArrayType  *stages;
	StageList  *sl = (StageList *) fcinfo->flinfo->fn_extra;
	Size		len;

	if (PG_ARGISNULL(argno))
		stages_error(fname, "stages must not be NULL", "Pass the ordered stages of the pipeline.");
	stages = PG_GETARG_ARRAYTYPE_P(argno);
	len = VARSIZE(stages);
	if (sl == NULL || sl->rawlen != len || memcmp(sl->raw, stages, len) != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		ArrayType  *copy;

		if (sl == NULL)
			sl = palloc0(sizeof(StageList));
		else
			pfree(sl->raw);
		copy = palloc(len);
		memcpy(copy, stages, len);
		sl->raw = (char *) copy;
		sl->rawlen = len;
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = sl;
		sl->rawlen = 0;			/* not usable until parsed */
		stages_parse(sl, copy, fname);
		sl->rawlen = len;
	}
	if (validate && !sl->validated)
	{
		for (int i = 1; i < sl->nstages; i++)
			for (int j = 0; j < i; j++)
				if (sl->lens[j] == sl->lens[i] && memcmp(sl->names[j], sl->names[i], sl->lens[i]) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("%s: duplicate stage \"%.*s\" in stages", fname, sl->lens[i], sl->names[i]),
							 errhint("Each stage may appear once in the stage list.")));
		sl->validated = true;
	}
	return sl;
}

/* Position of stage in the list; nstages when it is not in it. */
int
stages_position(const StageList *sl, const char *stage, int len)
{
	for (int i = 0; i < sl->nstages; i++)
		if (sl->lens[i] == len && memcmp(sl->names[i], stage, len) == 0)
			return i;
	return sl->nstages;
}

uint64
names_hash(const char *names, int n)
{
	uint64		h = 0;

	for (int i = 0; i < n; i++)
	{
		int			len = strlen(names);

		h = stage_hash_step(h, names, len, i);
		names += len + 1;
	}
	return h;
}

void
stages_changed(const char *fname)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the stage list must be the same for every row of a group", fname),
			 errhint("Pass one constant stage list, e.g. ARRAY['lead','qualified','won'].")));
}

FunnelMode
parse_mode(FunctionCallInfo fcinfo, int argno, const char *fname)
{
	text	   *t;
	int			len;

	if (PG_NARGS() <= argno)
		return MODE_IMPLIED;
	if (PG_ARGISNULL(argno))
		stages_error(fname, "mode must not be NULL", "Use 'implied', 'entered' or 'ordered'.");
	t = PG_GETARG_TEXT_PP(argno);
	len = VARSIZE_ANY_EXHDR(t);
	for (int i = 0; i < 3; i++)
		if (len == (int) strlen(mode_names[i]) && memcmp(VARDATA_ANY(t), mode_names[i], len) == 0)
			return (FunnelMode) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: unknown mode \"%s\"", fname, text_to_cstring(t)),
			 errhint("Use 'implied', 'entered' or 'ordered'.")));
	pg_unreachable();
}

/* ---- stage_path ---- */

static StagePath *
path_alloc(int capacity)
{
	StagePath  *p = palloc0(PATH_SIZE(capacity));

	SET_VARSIZE(p, PATH_SIZE(capacity));
	p->version = PATH_VERSION;
	p->capacity = capacity;
	return p;
}

StagePath *
path_get(Datum d)
{
	StagePath  *p = (StagePath *) PG_DETOAST_DATUM(d);

	if (p->version != PATH_VERSION || p->capacity < p->nevents || p->nevents < 0 ||
		VARSIZE(p) != PATH_SIZE(p->capacity))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid stage_path value"),
				 errdetail("Wrong size or format version.")));
	return p;
}

/* A path read by fname must come from the same stage list (hash and length). */
void
path_check_list(const StagePath *p, uint64 hash, int nstages, const char *fname)
{
	if (p->stages_hash != hash || p->nstages != nstages)
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
path_broken(const StagePath *p)
{
	if (p->flags & ~(PATH_SORTED | PATH_KIND_MASK))
		return "Unknown flag bits are set.";
	if (PATH_KIND(p) < TIME_DATE || PATH_KIND(p) > TIME_TIMESTAMPTZ)
		return "Unknown time type.";
	if (p->nstages < 1 || p->nstages > FUNNEL_MAX_STAGES)
		return "Number of stages out of range.";
	for (int i = 0; i < p->nevents; i++)
	{
		if (PATH_POS(p)[i] < 0 || PATH_POS(p)[i] > p->nstages)
			return "Event stage position out of range.";
		if (!IS_VALID_TIMESTAMP(PATH_TS(p)[i]))
			return "Event time out of range.";
		if ((p->flags & PATH_SORTED) && i > 0 &&
			(PATH_TS(p)[i] < PATH_TS(p)[i - 1] ||
			 (PATH_TS(p)[i] == PATH_TS(p)[i - 1] && PATH_POS(p)[i] < PATH_POS(p)[i - 1])))
			return "Events marked sorted are out of (time, position) order.";
	}
	return NULL;
}

/* The path of d with every invariant checked: fname refuses a broken one. */
static StagePath *
path_get_valid(Datum d, const char *fname)
{
	StagePath  *p = path_get(d);
	const char *bad = path_broken(p);

	if (bad)
		kpi_bad_value(fname, "stage_path", bad);
	return p;
}

/* Copy p into a new path of the given capacity (>= nevents). */
static StagePath *
path_copy(const StagePath *p, int capacity)
{
	StagePath  *q = path_alloc(capacity);

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

static Datum
path_accum_common(FunctionCallInfo fcinfo, TimeKind kind)
{
	const char *fname = "stage_path";
	const StageList *sl = stages_get(fcinfo, 3, PG_ARGISNULL(0), fname);
	text	   *stage;
	int			pos;
	int64		t;
	StagePath  *p;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		/* an event without a stage or a time is ignored */
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	stage = PG_GETARG_TEXT_PP(1);
	t = kind == TIME_DATE ? kpi_date_usec(PG_GETARG_DATUM(2), fcinfo, fname, "entered_at")
		: kpi_timestamp_usec(PG_GETARG_DATUM(2), fcinfo, fname, "entered_at");
	pos = stages_position(sl, VARDATA_ANY(stage), VARSIZE_ANY_EXHDR(stage));
	if (PG_ARGISNULL(0))
	{
		p = path_alloc(4);
		p->nstages = sl->nstages;
		p->stages_hash = sl->hash;
		p->flags = PATH_SORTED | (kind << PATH_KIND_SHIFT);
	}
	else
	{
		p = path_get(PG_GETARG_DATUM(0));
		if (p->stages_hash != sl->hash || p->nstages != sl->nstages)
			stages_changed(fname);
		if (PATH_KIND(p) != kind)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the path holds %s events, this row has a %s", fname,
							time_kind_names[PATH_KIND(p)], time_kind_names[kind])));
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

PG_FUNCTION_INFO_V1(stage_path_accum);
PG_FUNCTION_INFO_V1(stage_path_accum_date);
PG_FUNCTION_INFO_V1(stage_path_accum_tz);
PG_FUNCTION_INFO_V1(stage_path_combine);
PG_FUNCTION_INFO_V1(stage_path_final);

Datum
stage_path_accum(PG_FUNCTION_ARGS)
{
	return path_accum_common(fcinfo, TIME_TIMESTAMP);
}

Datum
stage_path_accum_tz(PG_FUNCTION_ARGS)
{
	return path_accum_common(fcinfo, TIME_TIMESTAMPTZ);
}

Datum
stage_path_accum_date(PG_FUNCTION_ARGS)
{
	return path_accum_common(fcinfo, TIME_DATE);
}

Datum
stage_path_combine(PG_FUNCTION_ARGS)
{
	StagePath  *a = NULL;
	StagePath  *b;

	/* both arguments are anyone's values: every invariant is checked */
	if (!PG_ARGISNULL(0))
		a = path_get_valid(PG_GETARG_DATUM(0), "stage_path_combine");
	if (PG_ARGISNULL(1))
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = path_get_valid(PG_GETARG_DATUM(1), "stage_path_combine");
	if (a == NULL)
		PG_RETURN_POINTER(path_copy(b, Max(b->nevents, 4)));
	if (a->stages_hash != b->stages_hash || a->nstages != b->nstages)
		stages_changed("stage_path");
	if (PATH_KIND(a) != PATH_KIND(b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stage_path: cannot merge paths of %s and %s events",
						time_kind_names[PATH_KIND(a)], time_kind_names[PATH_KIND(b)])));
	a = path_reserve(fcinfo, a, true, b->nevents);
	memcpy(PATH_TS(a) + a->nevents, PATH_TS(b), sizeof(int64) * b->nevents);
	memcpy(PATH_POS(a) + a->nevents, PATH_POS(b), sizeof(int16) * b->nevents);
	a->nevents += b->nevents;
	a->flags &= ~PATH_SORTED;
	PG_RETURN_POINTER(a);
}

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

/* A sorted, compact copy. */
StagePath *
path_sorted(const StagePath *p)
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

Datum
stage_path_final(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(path_sorted(path_get(PG_GETARG_DATUM(0))));
}

/* ---- stage_path I/O: (version=1,stages=N,hash=H,events=[pos@usec,...]) ---- */

PG_FUNCTION_INFO_V1(stage_path_in);
PG_FUNCTION_INFO_V1(stage_path_out);
PG_FUNCTION_INFO_V1(stage_path_recv);
PG_FUNCTION_INFO_V1(stage_path_send);

/* "time=date|timestamp|timestamptz" */
TimeKind
kv_time_kind(KvParser *kv)
{
	kv_key(kv, "time");
	for (int k = TIME_TIMESTAMPTZ; k >= TIME_DATE; k--)
	{
		size_t		n = strlen(time_kind_names[k]);

		if (strncmp(kv->p, time_kind_names[k], n) == 0)
		{
			kv->p += n;
			return (TimeKind) k;
		}
	}
	kv_fail(kv, "Expected time date, timestamp or timestamptz");
}

/* text: the input string to quote; NULL for binary input */
static void
path_check(const StagePath *p, const char *text)
{
	const char *bad = path_broken(p);

	if (!bad)
		return;
	if (text == NULL)
		kpi_bad_binary("stage_path", bad);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type stage_path: \"%s\"", text),
			 errdetail("%s", bad)));
}

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

	kv_begin(&kv, str, "stage_path");
	if (kv_int64(&kv, "version", 0) != PATH_VERSION)
		kv_fail(&kv, "Unsupported format version");
	nstages = kv_int64(&kv, "stages", 1);
	if (nstages > FUNNEL_MAX_STAGES)
		kv_fail(&kv, "Too many stages");
	hash = kv_int64(&kv, "hash", PG_INT64_MIN);
	kind = kv_time_kind(&kv);
	p = path_alloc(cap);
	p->nstages = (int16) nstages;
	p->stages_hash = (uint64) hash;
	kv_key(&kv, "events");
	kv_char(&kv, '[');
	if (!kv_peek(&kv, ']'))
	{
		do
		{
			int64		pos = kv_number(&kv, 0, FUNNEL_MAX_STAGES, "an event's stage position");
			int64		ts;

			kv_char(&kv, '@');
			ts = kv_number(&kv, MIN_TIMESTAMP, END_TIMESTAMP - 1, "an event's time in microseconds");
			if (p->nevents == p->capacity)
			{
				if (cap >= PATH_MAX_EVENTS)
					kv_fail(&kv, "Too many events");
				cap = (int) Min(PATH_MAX_EVENTS, (int64) cap * 2);
				p = path_copy(p, cap);
			}
			PATH_TS(p)[p->nevents] = ts;
			PATH_POS(p)[p->nevents] = (int16) pos;
			p->nevents++;
		} while (kv_peek(&kv, ',') && (kv.p++, true));
	}
	kv_char(&kv, ']');
	kv_end(&kv);
	p->flags = kind << PATH_KIND_SHIFT;
	path_check(p, str);
	PG_RETURN_POINTER(path_sorted(p));
}

Datum
stage_path_out(PG_FUNCTION_ARGS)
{
	StagePath  *p = path_sorted(path_get(PG_GETARG_DATUM(0)));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,stages=%d,hash=" INT64_FORMAT ",time=%s,events=[",
					 p->version, p->nstages, (int64) p->stages_hash, time_kind_names[PATH_KIND(p)]);
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

	if (version != PATH_VERSION)
		kpi_bad_binary("stage_path", "Unsupported format version.");
	flags = pq_getmsgbyte(buf);
	if (flags & ~PATH_KIND_MASK)
		kpi_bad_binary("stage_path", "Unknown flag bits are set.");
	nstages = pq_getmsgint(buf, 2);
	hash = (uint64) pq_getmsgint64(buf);
	n = pq_getmsgint(buf, 4);
	/* every event takes 10 bytes on the wire: bound n by what is there */
	if (n < 0 || (int64) n * 10 > buf->len - buf->cursor)
		kpi_bad_binary("stage_path", "Event count does not match the data.");
	p = path_alloc(Max(n, 1));
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
	path_check(p, NULL);
	PG_RETURN_POINTER(path_sorted(p));
}

Datum
stage_path_send(PG_FUNCTION_ARGS)
{
	StagePath  *p = path_sorted(path_get(PG_GETARG_DATUM(0)));
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

/* ---- stage_funnel ---- */

/* Bytes the stage names take stored NUL-terminated; NUL inside a name is refused. */
Size
stages_names_size(const StageList *sl, const char *fname)
{
	Size		namelen = 0;

	for (int i = 0; i < sl->nstages; i++)
	{
		if (memchr(sl->names[i], '\0', sl->lens[i]))
			stages_error(fname, "stage names must not contain NUL bytes", "Fix the stage names.");
		namelen += sl->lens[i] + 1;
	}
	return namelen;
}

void
stages_copy_names(const StageList *sl, char *dst)
{
	for (int i = 0; i < sl->nstages; i++)
	{
		memcpy(dst, sl->names[i], sl->lens[i]);
		dst[sl->lens[i]] = '\0';
		dst += sl->lens[i] + 1;
	}
}

StageFunnel *
funnel_new(const StageList *sl, FunnelMode mode)
{
	Size		namelen = stages_names_size(sl, "stage_funnel");
	Size		size;
	StageFunnel *f;

	size = offsetof(StageFunnel, reached) + sizeof(int64) * sl->nstages + namelen;
	f = palloc0(size);
	SET_VARSIZE(f, size);
	f->version = FUNNEL_VERSION;
	f->mode = mode;
	f->nstages = sl->nstages;
	f->stages_hash = sl->hash;
	stages_copy_names(sl, FUNNEL_NAMES(f));
	return f;
}

StageFunnel *
funnel_get(Datum d)
{
	StageFunnel *f = (StageFunnel *) PG_DETOAST_DATUM(d);

	if (f->version != FUNNEL_VERSION || f->nstages < 1 || f->nstages > FUNNEL_MAX_STAGES ||
		VARSIZE(f) < offsetof(StageFunnel, reached) + sizeof(int64) * f->nstages)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid stage_funnel value"),
				 errdetail("Wrong size or format version.")));
	return f;
}

/*
 * Every invariant a stage_funnel keeps, however it was made: NULL when f
 * keeps them all, else the one it breaks.  Text and binary input and the
 * combine function (on its arguments) check through this one function.
 */
static const char *
funnel_invalid(const StageFunnel *f)
{
	int64		prev = PG_INT64_MAX;
	const char *names = FUNNEL_NAMES(f);
	int128		reached_sum = 0;

	if (f->mode > MODE_ORDERED)
		return "Unknown mode.";
	if (f->deals < 0 || f->outside < 0 || f->outside > f->deals)
		return "Counts must satisfy 0 <= outside <= deals.";
	for (int k = 0; k < f->nstages; k++)
	{
		const char *other = FUNNEL_NAMES(f);

		if (f->reached[k] < 0 || f->reached[k] > f->deals - f->outside)
			return "Each stage's count must lie between 0 and deals - outside.";
		if (f->mode == MODE_IMPLIED || f->mode == MODE_ORDERED)
		{
			if (f->reached[k] > prev)
				return "In modes implied and ordered the counts cannot grow along the funnel.";
			prev = f->reached[k];
		}
		for (int j = 0; j < k; j++)
		{
			if (strcmp(other, names) == 0)
				return "Duplicate stage name.";
			other += strlen(other) + 1;
		}
		names += strlen(names) + 1;
		reached_sum += f->reached[k];
	}
	/* a deal in the funnel entered a stage: implied counts it for the first */
	if (f->mode == MODE_IMPLIED && f->reached[0] != f->deals - f->outside)
		return psprintf("In mode implied every deal in the funnel reaches the first stage: its count (" INT64_FORMAT
						") must be deals - outside (" INT64_FORMAT ").", f->reached[0], f->deals - f->outside);
	/* ... and entered counts it for at least one stage */
	if (f->mode == MODE_ENTERED && reached_sum < f->deals - f->outside)
		return psprintf("In mode entered every deal in the funnel reaches a stage: the counts must add up to at least deals - outside ("
						INT64_FORMAT ").", f->deals - f->outside);
	return NULL;
}

/* The funnel of d with every invariant checked: fname refuses a broken one. */
static StageFunnel *
funnel_get_valid(Datum d, const char *fname)
{
	StageFunnel *f = funnel_get(d);
	const char *bad = funnel_invalid(f);

	if (bad)
		kpi_bad_value(fname, "stage_funnel", bad);
	return f;
}

/*
 * The funnel state for a transition call: created from the stage list on
 * the first row, then checked against it (by hash) on every row.  Returns
 * the position of `stage` (nstages if outside the list).
 */
static StageFunnel *
funnel_state(FunctionCallInfo fcinfo, int stages_arg, const char *stage, int stagelen,
			 FunnelMode mode, const char *fname, int *pos)
{
	const StageList *sl = stages_get(fcinfo, stages_arg, PG_ARGISNULL(0), fname);
	StageFunnel *f;

	*pos = stage ? stages_position(sl, stage, stagelen) : sl->nstages;
	if (PG_ARGISNULL(0))
		return funnel_new(sl, mode);
	f = funnel_get(PG_GETARG_DATUM(0));
	if (f->stages_hash != sl->hash || f->nstages != sl->nstages)
		stages_changed(fname);
	if (f->mode != mode)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the mode must be the same for every row of a group", fname)));
	return kpi_writable(fcinfo, 0, f);
}

/* Count one deal with the given furthest/entered stage positions. */
void
funnel_count_path(StageFunnel *f, const StagePath *p)
{
	int			n = f->nstages;
	int			level = 0;
	int			maxpos = -1;
	uint64		mask = 0;

	f->deals++;
	for (int i = 0; i < p->nevents; i++)
	{
		int			pos = PATH_POS(p)[i];

		if (pos >= n)
			continue;
		mask |= UINT64CONST(1) << pos;
		if (pos > maxpos)
			maxpos = pos;
		if (pos == level)
			level++;
	}
	if (maxpos < 0)
	{
		f->outside++;
		return;
	}
	switch ((FunnelMode) f->mode)
	{
		case MODE_IMPLIED:
			for (int k = 0; k <= maxpos; k++)
				f->reached[k]++;
			break;
		case MODE_ENTERED:
			for (int k = 0; k <= maxpos; k++)
				if (mask & (UINT64CONST(1) << k))
					f->reached[k]++;
			break;
		case MODE_ORDERED:
			for (int k = 0; k < level; k++)
				f->reached[k]++;
			break;
	}
}

PG_FUNCTION_INFO_V1(stage_funnel_path_accum);
PG_FUNCTION_INFO_V1(stage_funnel_stage_accum);
PG_FUNCTION_INFO_V1(stage_funnel_combine);

/* (state, path stage_path, stages text[] [, mode text]) */
Datum
stage_funnel_path_accum(PG_FUNCTION_ARGS)
{
	FunnelMode	mode = parse_mode(fcinfo, 3, "stage_funnel");
	StageFunnel *f;
	StagePath  *p;
	int			pos;

	if (PG_ARGISNULL(1))
	{
		/* a NULL path is a deal without any event: ignored */
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	f = funnel_state(fcinfo, 2, NULL, 0, mode, "stage_funnel", &pos);
	p = path_get(PG_GETARG_DATUM(1));
	path_check_list(p, f->stages_hash, f->nstages, "stage_funnel");
	if (mode == MODE_ORDERED && !(p->flags & PATH_SORTED))
		p = path_sorted(p);
	funnel_count_path(f, p);
	PG_RETURN_POINTER(f);
}

/* (state, stage text, stages text[] [, mode text]): one row per deal */
Datum
stage_funnel_stage_accum(PG_FUNCTION_ARGS)
{
	FunnelMode	mode = parse_mode(fcinfo, 3, "stage_funnel");
	StageFunnel *f;
	text	   *stage;
	int			pos;

	if (mode == MODE_ORDERED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("stage_funnel: mode 'ordered' needs the stage history of each deal"),
				 errhint("Build stage_path(stage, entered_at, stages) per deal and pass the paths to stage_funnel().")));
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	stage = PG_GETARG_TEXT_PP(1);
	f = funnel_state(fcinfo, 2, VARDATA_ANY(stage), VARSIZE_ANY_EXHDR(stage), mode,
					 "stage_funnel", &pos);
	f->deals++;
	if (pos >= f->nstages)
		f->outside++;
	else if (mode == MODE_IMPLIED)
		for (int k = 0; k <= pos; k++)
			f->reached[k]++;
	else
		f->reached[pos]++;
	PG_RETURN_POINTER(f);
}

Datum
stage_funnel_combine(PG_FUNCTION_ARGS)
{
	StageFunnel *a = NULL;
	StageFunnel *b;

	/* both arguments are anyone's values: every invariant is checked */
	if (!PG_ARGISNULL(0))
		a = funnel_get_valid(PG_GETARG_DATUM(0), "stage_funnel_combine");
	if (PG_ARGISNULL(1))
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = funnel_get_valid(PG_GETARG_DATUM(1), "stage_funnel_combine");
	if (a == NULL)
	{
		a = palloc(VARSIZE(b));
		memcpy(a, b, VARSIZE(b));
		PG_RETURN_POINTER(a);
	}
	if (a->stages_hash != b->stages_hash || a->nstages != b->nstages || VARSIZE(a) != VARSIZE(b) ||
		memcmp(FUNNEL_NAMES(a), FUNNEL_NAMES(b), VARSIZE(a) - (FUNNEL_NAMES(a) - (char *) a)) != 0)
		stages_changed("stage_funnel");
	if (a->mode != b->mode)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stage_funnel: cannot merge funnels of modes \"%s\" and \"%s\"",
						mode_names[a->mode], mode_names[b->mode])));
	a = kpi_writable(fcinfo, 0, a);
	if (pg_add_s64_overflow(a->deals, b->deals, &a->deals) ||
		pg_add_s64_overflow(a->outside, b->outside, &a->outside))
		ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("stage_funnel: count out of range")));
	for (int k = 0; k < a->nstages; k++)
		if (pg_add_s64_overflow(a->reached[k], b->reached[k], &a->reached[k]))
			ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("stage_funnel: count out of range")));
	PG_RETURN_POINTER(a);
}

/* ---- stage_funnel I/O: (version=1,mode=implied,deals=N,outside=N,stages=["a":n,...]) ---- */

PG_FUNCTION_INFO_V1(stage_funnel_in);
PG_FUNCTION_INFO_V1(stage_funnel_out);
PG_FUNCTION_INFO_V1(stage_funnel_recv);
PG_FUNCTION_INFO_V1(stage_funnel_send);

static StageFunnel *
funnel_build(const char *const *names, const int64 *reached, int n, int mode, int64 deals, int64 outside)
{
	Size		namelen = 0;
	StageFunnel *f;
	char	   *dst;

	for (int i = 0; i < n; i++)
		namelen += strlen(names[i]) + 1;
	f = palloc0(offsetof(StageFunnel, reached) + sizeof(int64) * n + namelen);
	SET_VARSIZE(f, offsetof(StageFunnel, reached) + sizeof(int64) * n + namelen);
	f->version = FUNNEL_VERSION;
	f->mode = mode;
	f->nstages = n;
	f->deals = deals;
	f->outside = outside;
	dst = FUNNEL_NAMES(f);
	for (int i = 0; i < n; i++)
	{
		f->reached[i] = reached[i];
		strcpy(dst, names[i]);
		dst += strlen(names[i]) + 1;
	}
	f->stages_hash = names_hash(FUNNEL_NAMES(f), n);
	return f;
}

Datum
stage_funnel_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	const char *mode;
	int			m = -1;
	int64		deals,
				outside;
	const char *names[FUNNEL_MAX_STAGES];
	int64		reached[FUNNEL_MAX_STAGES];
	int			n = 0;
	StageFunnel *f;
	const char *bad;

	kv_begin(&kv, str, "stage_funnel");
	if (kv_int64(&kv, "version", 0) != FUNNEL_VERSION)
		kv_fail(&kv, "Unsupported format version");
	kv_key(&kv, "mode");
	mode = kv.p;
	for (int i = 0; i < 3; i++)
		if (strncmp(mode, mode_names[i], strlen(mode_names[i])) == 0)
		{
			m = i;
			kv.p += strlen(mode_names[i]);
		}
	if (m < 0)
		kv_fail(&kv, "Expected mode implied, entered or ordered");
	deals = kv_int64(&kv, "deals", 0);
	outside = kv_int64(&kv, "outside", 0);
	kv_key(&kv, "stages");
	kv_char(&kv, '[');
	do
	{
		if (n == FUNNEL_MAX_STAGES)
			kv_fail(&kv, "Too many stages");
		names[n] = kv_string(&kv, NULL);
		kv_char(&kv, ':');
		reached[n] = kv_number(&kv, 0, PG_INT64_MAX, "a stage count");
		n++;
	} while (kv_peek(&kv, ',') && (kv.p++, true));
	kv_char(&kv, ']');
	kv_end(&kv);
	f = funnel_build(names, reached, n, m, deals, outside);
	bad = funnel_invalid(f);
	if (bad)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type stage_funnel: \"%s\"", str),
				 errdetail("%s", bad)));
	PG_RETURN_POINTER(f);
}

Datum
stage_funnel_out(PG_FUNCTION_ARGS)
{
	StageFunnel *f = funnel_get(PG_GETARG_DATUM(0));
	StringInfoData buf;
	const char *names = FUNNEL_NAMES(f);

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,mode=%s,deals=" INT64_FORMAT ",outside=" INT64_FORMAT ",stages=[",
					 f->version, mode_names[f->mode], f->deals, f->outside);
	for (int k = 0; k < f->nstages; k++)
	{
		if (k)
			appendStringInfoChar(&buf, ',');
		kv_append_string(&buf, names);
		appendStringInfo(&buf, ":" INT64_FORMAT, f->reached[k]);
		names += strlen(names) + 1;
	}
	appendStringInfoString(&buf, "])");
	PG_RETURN_CSTRING(buf.data);
}

Datum
stage_funnel_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			mode;
	int			n;
	int64		deals,
				outside;
	const char *names[FUNNEL_MAX_STAGES];
	int64		reached[FUNNEL_MAX_STAGES];
	StageFunnel *f;
	const char *bad;

	if (pq_getmsgbyte(buf) != FUNNEL_VERSION)
		kpi_bad_binary("stage_funnel", "Unsupported format version.");
	mode = pq_getmsgbyte(buf);
	if (mode < 0 || mode > MODE_ORDERED)
		kpi_bad_binary("stage_funnel", "Unknown mode.");
	n = pq_getmsgint(buf, 2);
	if (n < 1 || n > FUNNEL_MAX_STAGES)
		kpi_bad_binary("stage_funnel", "Number of stages out of range.");
	deals = pq_getmsgint64(buf);
	outside = pq_getmsgint64(buf);
	for (int k = 0; k < n; k++)
	{
		names[k] = pq_getmsgstring(buf);
		reached[k] = pq_getmsgint64(buf);
	}
	kpi_recv_end(buf, "stage_funnel");
	f = funnel_build(names, reached, n, mode, deals, outside);
	bad = funnel_invalid(f);
	if (bad)
		kpi_bad_binary("stage_funnel", bad);
	PG_RETURN_POINTER(f);
}

Datum
stage_funnel_send(PG_FUNCTION_ARGS)
{
	StageFunnel *f = funnel_get(PG_GETARG_DATUM(0));
	StringInfoData buf;
	const char *names = FUNNEL_NAMES(f);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, f->version);
	pq_sendbyte(&buf, f->mode);
	pq_sendint16(&buf, f->nstages);
	pq_sendint64(&buf, f->deals);
	pq_sendint64(&buf, f->outside);
	for (int k = 0; k < f->nstages; k++)
	{
		pq_sendstring(&buf, names);
		pq_sendint64(&buf, f->reached[k]);
		names += strlen(names) + 1;
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- accessors ---- */

static int
funnel_position(const StageFunnel *f, const char *stage, const char *fname, const char *argname)
{
	const char *names = FUNNEL_NAMES(f);

	for (int k = 0; k < f->nstages; k++)
	{
		if (strcmp(names, stage) == 0)
			return k;
		names += strlen(names) + 1;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s \"%s\" is not a stage of the funnel", fname, argname, stage),
			 errhint("Use one of the stages the funnel was built with.")));
	pg_unreachable();
}

PG_FUNCTION_INFO_V1(stage_funnel_conversion);
PG_FUNCTION_INFO_V1(stage_funnel_rows);
PG_FUNCTION_INFO_V1(stage_funnel_reached);
PG_FUNCTION_INFO_V1(stage_funnel_deals);
PG_FUNCTION_INFO_V1(stage_funnel_outside);
PG_FUNCTION_INFO_V1(stage_funnel_win_probability);

/*
 * Win probability by stage: P(reaching the last stage of the list, the won
 * stage | reached this stage) = reached(last) / reached(stage); NULL when no
 * deal reached the stage.
 */
Datum
stage_funnel_win_probability(PG_FUNCTION_ARGS)
{
	StageFunnel *f = funnel_get(PG_GETARG_DATUM(0));
	int			k = funnel_position(f, text_to_cstring(PG_GETARG_TEXT_PP(1)), "win_probability", "stage");

	if (f->reached[k] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) f->reached[f->nstages - 1] / (double) f->reached[k]);
}

/* reached(to) / reached(from); NULL when reached(from) = 0 */
Datum
stage_funnel_conversion(PG_FUNCTION_ARGS)
{
	StageFunnel *f = funnel_get(PG_GETARG_DATUM(0));
	int			from = funnel_position(f, text_to_cstring(PG_GETARG_TEXT_PP(1)), "stage_conversion", "from_stage");
	int			to = funnel_position(f, text_to_cstring(PG_GETARG_TEXT_PP(2)), "stage_conversion", "to_stage");

	if (f->reached[from] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) f->reached[to] / (double) f->reached[from]);
}

Datum
stage_funnel_reached(PG_FUNCTION_ARGS)
{
	StageFunnel *f = funnel_get(PG_GETARG_DATUM(0));

	PG_RETURN_INT64(f->reached[funnel_position(f, text_to_cstring(PG_GETARG_TEXT_PP(1)), "reached", "stage")]);
}

Datum
stage_funnel_deals(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(funnel_get(PG_GETARG_DATUM(0))->deals);
}

Datum
stage_funnel_outside(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(funnel_get(PG_GETARG_DATUM(0))->outside);
}

/* rows (stage, position, reached, step_rate, cumulative_rate, win_probability) */
Datum
stage_funnel_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StageFunnel *f = funnel_get(PG_GETARG_DATUM(0));
	const char *names = FUNNEL_NAMES(f);

	InitMaterializedSRF(fcinfo, 0);
	for (int k = 0; k < f->nstages; k++)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		values[0] = CStringGetTextDatum(names);
		values[1] = Int32GetDatum(k + 1);
		values[2] = Int64GetDatum(f->reached[k]);
		if (k == 0 || f->reached[k - 1] == 0)
			nulls[3] = true;
		else
			values[3] = Float8GetDatum((double) f->reached[k] / (double) f->reached[k - 1]);
		if (f->reached[0] == 0)
			nulls[4] = true;
		else
			values[4] = Float8GetDatum((double) f->reached[k] / (double) f->reached[0]);
		/* P(reaching the last stage | reached this one) */
		if (f->reached[k] == 0)
			nulls[5] = true;
		else
			values[5] = Float8GetDatum((double) f->reached[f->nstages - 1] / (double) f->reached[k]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		names += strlen(names) + 1;
	}
	return (Datum) 0;
}
