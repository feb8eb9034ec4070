/*
 * stage_funnel.c - stage funnels (spec section 2.2): the stage_funnel type,
 * the counts of deals that reached each stage of a stage list.
 *   stage_funnel(path, stages [, mode])    across deals, over stage_path values
 *   stage_funnel(stage, stages [, mode])   over a deals table holding one
 *                                          stage per deal (its furthest stage)
 *   rollup(stage_funnel), and accessors: stage_conversion() rows,
 *   conversion, reached, deals, outside, win_probability.
 *
 * Modes: implied (reached k => reached every earlier stage), entered (only
 * stages actually entered), ordered (stages 1..k entered in that order by
 * time; equal times are taken in funnel order).  Stages outside the list
 * neither advance nor break a deal's progress.
 */
#include "kpi/kpi.h"
#include "stages/stages.h"
#include "kpi/report.h"

#include "common/int.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

StaticAssertDecl(offsetof(StageFunnel, version) == VARHDRSZ, "the version follows the length word");

/* ---- the value and its invariants ---- */

/* A new, empty funnel of the stages of sl. */
StageFunnel *
stages_funnel_new(const StageList *sl, FunnelMode mode)
{
	Size		namelen = stages_stored_size(sl, "stage_funnel");
	Size		size;
	StageFunnel *f;

	size = offsetof(StageFunnel, reached) + 2 * sizeof(int64) * sl->nstages + namelen;
	f = palloc0(size);
	SET_VARSIZE(f, size);
	f->version = FUNNEL_VERSION;
	f->mode = mode;
	f->nstages = sl->nstages;
	f->stages_hash = sl->hash;
	stages_store(sl, FUNNEL_NAMES(f));
	return f;
}

/*
 * A version-1 value as stored by 0.1.0 (reached[], then the names; its hash
 * was the native one) converted to the current layout: in modes implied and
 * ordered won[k] = reached[last]; in mode entered won is unknown.
 */
static StageFunnel *
funnel_from_v1(const StageFunnel *old)
{
	const char *oldnames = (const char *) &old->reached[old->nstages];
	StageList	sl;
	StageFunnel *f;
	int			n = old->nstages;

	if (VARSIZE(old) < offsetof(StageFunnel, reached) + sizeof(int64) * n + n ||
		((const char *) old)[VARSIZE(old) - 1] != '\0')
		kpi_corrupt("stage_funnel");
	{
		int			nul = 0;

		for (const char *c = oldnames; c < (const char *) old + VARSIZE(old); c++)
			nul += *c == '\0';
		if (nul != n)
			kpi_corrupt("stage_funnel");
	}
	stages_from_stored(&sl, oldnames, n);
	f = stages_funnel_new(&sl, (FunnelMode) old->mode);
	f->deals = old->deals;
	f->outside = old->outside;
	memcpy(f->reached, old->reached, sizeof(int64) * n);
	if (old->mode == MODE_ENTERED)
		f->flags |= FUNNEL_WON_UNKNOWN;
	else
		for (int k = 0; k < n; k++)
			FUNNEL_WON(f)[k] = old->reached[n - 1];
	return f;
}

/* a stage_funnel argument, its size and version checked (its invariants hold: input checks them) */
StageFunnel *
stages_funnel_get(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	StageFunnel *f;

	if (VARSIZE(v) > offsetof(StageFunnel, reached) && ((StageFunnel *) v)->version == 1 &&
		((StageFunnel *) v)->nstages >= 1 && ((StageFunnel *) v)->nstages <= STAGES_MAX)
		return funnel_from_v1((StageFunnel *) v);
	f = kpi_stored(PointerGetDatum(v), FUNNEL_VERSION, offsetof(StageFunnel, reached), "stage_funnel");
	if (f->nstages < 1 || f->nstages > STAGES_MAX ||
		VARSIZE(f) < offsetof(StageFunnel, reached) + 2 * sizeof(int64) * f->nstages)
		kpi_corrupt("stage_funnel");
	return f;
}

/*
 * Every invariant a stage_funnel keeps, however it was made: NULL when f
 * keeps them all, else the one it breaks.  Text and binary input and the
 * combine function (on its arguments) check through this one function.
 */
static const char *
funnel_broken(const void *value)
{
	const StageFunnel *f = value;
	int64		prev = PG_INT64_MAX;
	StageList	sl;
	int128		reached_sum = 0;

	if (f->mode > MODE_ORDERED)
		return "Unknown mode.";
	if (f->flags & ~FUNNEL_WON_UNKNOWN)
		return "Unknown flag bits are set.";
	if ((f->flags & FUNNEL_WON_UNKNOWN) && f->mode != MODE_ENTERED)
		return "Only a funnel of mode entered can lack its won counts.";
	if (f->deals < 0 || f->outside < 0 || f->outside > f->deals)
		return "Counts must satisfy 0 <= outside <= deals.";
	stages_from_stored(&sl, FUNNEL_NAMES(f), f->nstages);
	for (int k = 0; k < f->nstages; k++)
	{
		if (f->reached[k] < 0 || f->reached[k] > f->deals - f->outside)
			return "Each stage's count must lie between 0 and deals - outside.";
		if (f->mode == MODE_IMPLIED || f->mode == MODE_ORDERED)
		{
			if (f->reached[k] > prev)
				return "In modes implied and ordered the counts cannot grow along the funnel.";
			prev = f->reached[k];
		}
		if (stages_repeats(&sl, k))
			return "Duplicate stage name.";
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
	/* won counts, once the counts they are bounded by are known good */
	for (int k = 0; k < f->nstages; k++)
	{
		if (f->flags & FUNNEL_WON_UNKNOWN)
		{
			if (FUNNEL_WON(f)[k] != 0)
				return "Won counts set in a funnel that lacks them.";
		}
		else if (FUNNEL_WON(f)[k] < 0 || FUNNEL_WON(f)[k] > f->reached[k] ||
				 FUNNEL_WON(f)[k] > f->reached[f->nstages - 1])
			return "Each stage's won count must lie between 0 and its count and the last stage's.";
		else if (f->mode != MODE_ENTERED && FUNNEL_WON(f)[k] != f->reached[f->nstages - 1])
			return "In modes implied and ordered each stage's won count is the last stage's count.";
		else if (k == f->nstages - 1 && FUNNEL_WON(f)[k] != f->reached[k])
			return "The last stage's won count is its count.";
	}
	return NULL;
}

/* ---- transition ---- */

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
		return stages_funnel_new(sl, mode);
	f = stages_funnel_get(PG_GETARG_DATUM(0));
	if (f->stages_hash != sl->hash || f->nstages != sl->nstages)
		stages_changed(fname);
	if (f->mode != mode)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the mode must be the same for every row of a group", fname)));
	return kpi_writable(fcinfo, 0, f);
}

/*
 * One deal's level in the funnel, what stages_funnel_count counts it for
 * (the one mechanism of stage_funnel and funnel_level): -1 when the deal
 * entered no stage of the list (outside), else the number of stages it
 * counts for in mode implied or ordered, and in mode entered its furthest
 * stage entered (it counts for the stages of *mask below it).  p is sorted
 * for mode ordered.
 */
int
stages_deal_level(const StagePath *p, int nstages, FunnelMode mode, uint64 *mask)
{
	int			ordered = 0;
	int			maxpos = -1;

	*mask = 0;
	for (int i = 0; i < p->nevents; i++)
	{
		int			pos = PATH_POS(p)[i];

		if (pos >= nstages)
			continue;
		*mask |= UINT64CONST(1) << pos;
		if (pos > maxpos)
			maxpos = pos;
		if (pos == ordered)
			ordered++;
	}
	if (maxpos < 0)
		return -1;
	return mode == MODE_ORDERED ? ordered : maxpos + 1;
}

void
stages_funnel_count(StageFunnel *f, const StagePath *p)
{
	int64	   *won = FUNNEL_WON(f);
	uint64		mask;
	int			level = stages_deal_level(p, f->nstages, (FunnelMode) f->mode, &mask);

	f->deals++;
	if (level < 0)
	{
		f->outside++;
		return;
	}
	/*
	 * Counted for the stages below its level (in mode entered only those it
	 * entered); won: it counts for the last stage too (in mode entered:
	 * entered both k and the last stage, spec 2.2, revision 2).
	 */
	for (int k = 0; k < level; k++)
		if (f->mode != MODE_ENTERED || (mask & (UINT64CONST(1) << k)))
		{
			f->reached[k]++;
			if (!(f->flags & FUNNEL_WON_UNKNOWN))
				won[k] += level == f->nstages;
		}
}

PG_FUNCTION_INFO_V1(stage_funnel_path_accum);
PG_FUNCTION_INFO_V1(stage_funnel_stage_accum);

/* (state, path stage_path, stages text[] [, mode text]) */
Datum
stage_funnel_path_accum(PG_FUNCTION_ARGS)
{
	FunnelMode	mode = stages_mode_arg(fcinfo, 3, "stage_funnel");
	StageFunnel *f;
	StagePath  *p;
	int			pos;

	/* a NULL path is a deal without any event: ignored */
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	f = funnel_state(fcinfo, 2, NULL, 0, mode, "stage_funnel", &pos);
	p = stages_path_get(PG_GETARG_DATUM(1));
	stages_path_check_list(p, stages_get(fcinfo, 2, false, "stage_funnel"), "stage_funnel");
	if (mode == MODE_ORDERED && !(p->flags & PATH_SORTED))
		p = stages_path_sorted(p);
	stages_funnel_count(f, p);
	PG_RETURN_POINTER(f);
}

PG_FUNCTION_INFO_V1(stage_funnel_level);

/*
 * funnel_level(path, stages [, mode]): the deal's level as stage_funnel
 * counts it (stages_deal_level), 0 when it entered no stage of the list:
 * in modes implied and ordered the deals with level >= k are reached(k).
 */
Datum
stage_funnel_level(PG_FUNCTION_ARGS)
{
	FunnelMode	mode = stages_mode_arg(fcinfo, 2, "funnel_level");
	const StageList *sl = stages_get(fcinfo, 1, true, "funnel_level");
	StagePath  *p = stages_path_get(PG_GETARG_DATUM(0));
	uint64		mask;

	stages_path_check_list(p, sl, "funnel_level");
	if (mode == MODE_ORDERED && !(p->flags & PATH_SORTED))
		p = stages_path_sorted(p);
	PG_RETURN_INT32(Max(stages_deal_level(p, sl->nstages, mode, &mask), 0));
}

/* (state, stage text, stages text[] [, mode text]): one row per deal */
Datum
stage_funnel_stage_accum(PG_FUNCTION_ARGS)
{
	FunnelMode	mode = stages_mode_arg(fcinfo, 3, "stage_funnel");
	StageFunnel *f;
	text	   *stage;
	int			pos;

	if (mode == MODE_ORDERED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("stage_funnel: mode 'ordered' needs the stage history of each deal"),
				 errhint("Build stage_path(stage, entered_at, stages) per deal and pass the paths to stage_funnel().")));
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	stage = PG_GETARG_TEXT_PP(1);
	f = funnel_state(fcinfo, 2, VARDATA_ANY(stage), VARSIZE_ANY_EXHDR(stage), mode,
					 "stage_funnel", &pos);
	f->deals++;
	if (pos >= f->nstages)
		f->outside++;
	else if (mode == MODE_IMPLIED)
		for (int k = 0; k <= pos; k++)
		{
			f->reached[k]++;
			FUNNEL_WON(f)[k] += pos == f->nstages - 1;
		}
	else
	{
		f->reached[pos]++;
		if (!(f->flags & FUNNEL_WON_UNKNOWN))
			FUNNEL_WON(f)[pos] += pos == f->nstages - 1;
	}
	PG_RETURN_POINTER(f);
}

/* ---- combine ---- */

PG_FUNCTION_INFO_V1(stage_funnel_combine);

Datum
stage_funnel_combine(PG_FUNCTION_ARGS)
{
	StageFunnel *a = NULL;
	StageFunnel *b;

	/* both arguments are anyone's values: every invariant is checked */
	if (!PG_ARGISNULL(0))
		a = kpi_valid(stages_funnel_get(PG_GETARG_DATUM(0)), funnel_broken, "stage_funnel_combine", "stage_funnel");
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	b = kpi_valid(stages_funnel_get(PG_GETARG_DATUM(1)), funnel_broken, "stage_funnel_combine", "stage_funnel");
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
						stages_mode_names[a->mode], stages_mode_names[b->mode])));
	a = kpi_writable(fcinfo, 0, a);
	if (pg_add_s64_overflow(a->deals, b->deals, &a->deals) ||
		pg_add_s64_overflow(a->outside, b->outside, &a->outside))
		kpi_count_overflow("stage_funnel", NULL);
	for (int k = 0; k < a->nstages; k++)
		if (pg_add_s64_overflow(a->reached[k], b->reached[k], &a->reached[k]) ||
			pg_add_s64_overflow(FUNNEL_WON(a)[k], FUNNEL_WON(b)[k], &FUNNEL_WON(a)[k]))
			kpi_count_overflow("stage_funnel", NULL);
	/* a funnel that lacks its won counts makes the merge lack them */
	if ((a->flags | b->flags) & FUNNEL_WON_UNKNOWN)
	{
		a->flags |= FUNNEL_WON_UNKNOWN;
		memset(FUNNEL_WON(a), 0, sizeof(int64) * a->nstages);
	}
	PG_RETURN_POINTER(a);
}

/*
 * ---- I/O ----
 * version 2: (version=2,mode=entered,deals=N,outside=N,stages=["a":reached:won,...])
 * version 1: (version=1,mode=entered,deals=N,outside=N,stages=["a":reached,...])
 * Both are read; a funnel that lacks its won counts (read from version 1 in
 * mode entered) is written as version 1, every other one as version 2.
 */

PG_FUNCTION_INFO_V1(stage_funnel_in);
PG_FUNCTION_INFO_V1(stage_funnel_out);
PG_FUNCTION_INFO_V1(stage_funnel_recv);
PG_FUNCTION_INFO_V1(stage_funnel_send);

/* the funnel read by an input function, before it is checked */
static StageFunnel *
funnel_build(const char *const *names, const int64 *reached, const int64 *won, int n, int mode,
			 int64 deals, int64 outside, int version)
{
	StageList	sl;
	StageFunnel *f;

	stages_from_names(&sl, names, n);
	f = stages_funnel_new(&sl, MODE_IMPLIED);
	f->mode = mode;
	f->deals = deals;
	f->outside = outside;
	memcpy(f->reached, reached, sizeof(int64) * n);
	if (version == FUNNEL_VERSION)
		memcpy(FUNNEL_WON(f), won, sizeof(int64) * n);
	else if (mode == MODE_ENTERED)
		f->flags |= FUNNEL_WON_UNKNOWN;
	else
		for (int k = 0; k < n; k++)
			FUNNEL_WON(f)[k] = reached[n - 1];
	return f;
}

/* the format version f is written in */
static inline int
funnel_out_version(const StageFunnel *f)
{
	return (f->flags & FUNNEL_WON_UNKNOWN) ? 1 : FUNNEL_VERSION;
}

Datum
stage_funnel_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	FunnelMode	mode;
	int64		deals,
				outside;
	const char *names[STAGES_MAX];
	int64		reached[STAGES_MAX];
	int64		won[STAGES_MAX];
	int			n = 0;
	int64		version;
	StageFunnel *f;

	kpi_kv_begin(&kv, str, "stage_funnel");
	version = kpi_kv_int64(&kv, "version", 0);
	if (version != 1 && version != FUNNEL_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	mode = stages_kv_mode(&kv);
	deals = kpi_kv_int64(&kv, "deals", 0);
	outside = kpi_kv_int64(&kv, "outside", 0);
	kpi_kv_key(&kv, "stages");
	kpi_kv_char(&kv, '[');
	do
	{
		if (n == STAGES_MAX)
			kpi_kv_fail(&kv, "Too many stages");
		names[n] = kpi_kv_string(&kv, NULL);
		kpi_kv_char(&kv, ':');
		reached[n] = kpi_kv_number(&kv, 0, PG_INT64_MAX, "a stage count");
		if (version == FUNNEL_VERSION)
		{
			kpi_kv_char(&kv, ':');
			won[n] = kpi_kv_number(&kv, 0, PG_INT64_MAX, "a stage's won count");
		}
		n++;
	} while (kpi_kv_more(&kv));
	kpi_kv_char(&kv, ']');
	kpi_kv_end(&kv);
	f = funnel_build(names, reached, won, n, mode, deals, outside, (int) version);
	kpi_check_text(funnel_broken(f), "stage_funnel", str);
	PG_RETURN_POINTER(f);
}

Datum
stage_funnel_out(PG_FUNCTION_ARGS)
{
	StageFunnel *f = stages_funnel_get(PG_GETARG_DATUM(0));
	StringInfoData buf;
	const char *names = FUNNEL_NAMES(f);

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,mode=%s,deals=" INT64_FORMAT ",outside=" INT64_FORMAT ",stages=[",
					 funnel_out_version(f), stages_mode_names[f->mode], f->deals, f->outside);
	for (int k = 0; k < f->nstages; k++)
	{
		if (k)
			appendStringInfoChar(&buf, ',');
		kpi_kv_append_string(&buf, names);
		appendStringInfo(&buf, ":" INT64_FORMAT, f->reached[k]);
		if (funnel_out_version(f) == FUNNEL_VERSION)
			appendStringInfo(&buf, ":" INT64_FORMAT, FUNNEL_WON(f)[k]);
		names = stages_next(names);
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
	const char *names[STAGES_MAX];
	int64		reached[STAGES_MAX];
	int64		won[STAGES_MAX];
	int			version = pq_getmsgbyte(buf);
	StageFunnel *f;

	if (version != 1 && version != FUNNEL_VERSION)
		kpi_bad_binary("stage_funnel", "Unsupported format version.");
	mode = pq_getmsgbyte(buf);
	if (mode < 0 || mode > MODE_ORDERED)
		kpi_bad_binary("stage_funnel", "Unknown mode.");
	n = pq_getmsgint(buf, 2);
	if (n < 1 || n > STAGES_MAX)
		kpi_bad_binary("stage_funnel", "Number of stages out of range.");
	deals = pq_getmsgint64(buf);
	outside = pq_getmsgint64(buf);
	for (int k = 0; k < n; k++)
	{
		names[k] = pq_getmsgstring(buf);
		reached[k] = pq_getmsgint64(buf);
		if (version == FUNNEL_VERSION)
		{
			won[k] = pq_getmsgint64(buf);
			if (won[k] < 0)
				kpi_bad_binary("stage_funnel", "Negative won count.");
		}
	}
	kpi_recv_end(buf, "stage_funnel");
	f = funnel_build(names, reached, won, n, mode, deals, outside, version);
	kpi_check_binary(funnel_broken(f), "stage_funnel");
	PG_RETURN_POINTER(f);
}

Datum
stage_funnel_send(PG_FUNCTION_ARGS)
{
	StageFunnel *f = stages_funnel_get(PG_GETARG_DATUM(0));
	StringInfoData buf;
	const char *names = FUNNEL_NAMES(f);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, funnel_out_version(f));
	pq_sendbyte(&buf, f->mode);
	pq_sendint16(&buf, f->nstages);
	pq_sendint64(&buf, f->deals);
	pq_sendint64(&buf, f->outside);
	for (int k = 0; k < f->nstages; k++)
	{
		pq_sendstring(&buf, names);
		pq_sendint64(&buf, f->reached[k]);
		if (funnel_out_version(f) == FUNNEL_VERSION)
			pq_sendint64(&buf, FUNNEL_WON(f)[k]);
		names = stages_next(names);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- accessors ---- */

static int
funnel_position(const StageFunnel *f, const char *stage, const char *fname, const char *argname)
{
	return stages_find(FUNNEL_NAMES(f), f->nstages, stage, fname, argname, "the funnel", "the funnel");
}

/* num / den, or NULL (false) when den is 0: every rate of a funnel */
static inline bool
funnel_rate(int64 num, int64 den, double *rate)
{
	if (den == 0)
		return false;
	*rate = (double) num / (double) den;
	return true;
}

/*
 * Win probability of stage k: P(entered the last stage | counted for k) =
 * won[k] / reached[k], a probability in every mode (spec 2.2, revision 2).
 * false (NULL) when no deal reached k, or when the funnel lacks its won
 * counts (a version-1 funnel of mode entered).
 */
bool
stages_funnel_win(const StageFunnel *f, int k, double *rate)
{
	if (f->flags & FUNNEL_WON_UNKNOWN)
		return false;
	return funnel_rate(FUNNEL_WON(f)[k], f->reached[k], rate);
}

void
stages_funnel_columns(const StageFunnel *f, int k, Datum *values, bool *nulls)
{
	double		r = 0;

	values[0] = Int64GetDatum(f->reached[k]);
	nulls[1] = k == 0 || !funnel_rate(f->reached[k], f->reached[k - 1], &r);
	values[1] = Float8GetDatum(r);
	nulls[2] = !funnel_rate(f->reached[k], f->reached[0], &r);
	values[2] = Float8GetDatum(r);
	nulls[3] = !stages_funnel_win(f, k, &r);
	values[3] = Float8GetDatum(r);
}

PG_FUNCTION_INFO_V1(stage_funnel_conversion);
PG_FUNCTION_INFO_V1(stage_funnel_rows);
PG_FUNCTION_INFO_V1(stage_funnel_reached);
PG_FUNCTION_INFO_V1(stage_funnel_deals);
PG_FUNCTION_INFO_V1(stage_funnel_outside);
PG_FUNCTION_INFO_V1(stage_funnel_win_probability);

/* win_probability(funnel, stage): see stages_funnel_win */
Datum
stage_funnel_win_probability(PG_FUNCTION_ARGS)
{
	StageFunnel *f = stages_funnel_get(PG_GETARG_DATUM(0));
	int			k = funnel_position(f, text_to_cstring(PG_GETARG_TEXT_PP(1)), "win_probability", "stage");
	double		r;

	if (!stages_funnel_win(f, k, &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r);
}

/* reached(to) / reached(from); NULL when reached(from) = 0 */
Datum
stage_funnel_conversion(PG_FUNCTION_ARGS)
{
	StageFunnel *f = stages_funnel_get(PG_GETARG_DATUM(0));
	int			from = funnel_position(f, text_to_cstring(PG_GETARG_TEXT_PP(1)), "stage_conversion", "from_stage");
	int			to = funnel_position(f, text_to_cstring(PG_GETARG_TEXT_PP(2)), "stage_conversion", "to_stage");
	double		r;

	if (!funnel_rate(f->reached[to], f->reached[from], &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r);
}

Datum
stage_funnel_reached(PG_FUNCTION_ARGS)
{
	StageFunnel *f = stages_funnel_get(PG_GETARG_DATUM(0));

	PG_RETURN_INT64(f->reached[funnel_position(f, text_to_cstring(PG_GETARG_TEXT_PP(1)), "reached", "stage")]);
}

Datum
stage_funnel_deals(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(stages_funnel_get(PG_GETARG_DATUM(0))->deals);
}

Datum
stage_funnel_outside(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(stages_funnel_get(PG_GETARG_DATUM(0))->outside);
}

/* rows (stage, position, reached, step_rate, cumulative_rate, win_probability) */
Datum
stage_funnel_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StageFunnel *f = stages_funnel_get(PG_GETARG_DATUM(0));
	const char *names = FUNNEL_NAMES(f);

	stages_notice_outside("stage_conversion", names, f->nstages, f->deals, f->outside);
	InitMaterializedSRF(fcinfo, 0);
	for (int k = 0; k < f->nstages; k++)
	{
		Datum		values[2 + FUNNEL_COLUMNS];
		bool		nulls[2 + FUNNEL_COLUMNS] = {0};

		values[0] = CStringGetTextDatum(names);
		values[1] = Int32GetDatum(k + 1);
		stages_funnel_columns(f, k, values + 2, nulls + 2);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		names = stages_next(names);
	}
	return (Datum) 0;
}

/* ---- kpis(stage_funnel), stage_funnel::json and ::jsonb (kpi/report.h) ---- */

static const char *const funnel_report_columns[] = {"mode", "deals", "outside_deals", "stages"};

static void
funnel_report_columns_of(const void *value, int k, Datum *values, bool *nulls)
{
	stages_funnel_columns((const StageFunnel *) value, k, values, nulls);
}

/* stages: stage_funnel_stage[], the rows of stage_conversion(funnel) */
static void
funnel_report_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	StageFunnel *f = stages_funnel_get(PG_GETARG_DATUM(0));

	values[0] = CStringGetTextDatum(stages_mode_names[f->mode]);
	values[1] = Int64GetDatum(f->deals);
	values[2] = Int64GetDatum(f->outside);
	values[3] = stages_report_rows(desc, 3, FUNNEL_NAMES(f), f->nstages, FUNNEL_COLUMNS,
								   funnel_report_columns_of, f);
	(void) nulls;
}

KPI_REPORT_FUNCTIONS(stage_funnel, "stage_funnel_kpis", funnel_report_columns, funnel_report_fill);
