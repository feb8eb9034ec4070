/*
 * stage_list.c - the stage-list codec shared by every stage-history KPI
 * (see stage_list.h): lists from arguments, from input and from stored
 * values, their hash, positions and lookups, and the funnel modes.
 */
#include "kpi/kpi.h"
#include "stages/stages.h"
#include "kpi/report.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "parser/scansup.h"
#include "utils/arrayaccess.h"
#include "utils/builtins.h"

void
stages_error(const char *fname, const char *msg, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s", fname, msg),
			 errhint("%s", hint)));
}

void
stages_changed(const char *fname)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the stage list must be the same for every row of a group", fname),
			 errhint("Pass one constant stage list, e.g. ARRAY['lead','qualified','won'].")));
}

/*
 * The stage-list hash that paths and funnels carry to recognise their list.
 * Every form of a list (from an array, from input, stored) is hashed by
 * these functions, so that they all hash alike.
 *
 * list_hash (stored by stage_path version 2): FNV-1a 64 over, per name, its
 * length as 4 bytes little-endian and its bytes.  It reads single bytes
 * only, so a value dumped on one platform is recognised on any other.
 */
static uint64
list_hash(const StageList *sl)
{
	uint64		h = KPI_FNV64_OFFSET;

	for (int i = 0; i < sl->nstages; i++)
	{
		uint32		len = (uint32) sl->lens[i];
		unsigned char le[4];

		for (int b = 0; b < 4; b++)
			le[b] = (unsigned char) (len >> (8 * b));
		h = kpi_fnv1a64(h, le, 4);
		h = kpi_fnv1a64(h, sl->names[i], sl->lens[i]);
	}
	return h;
}

/*
 * The hash of 0.1.0 (stage_path version 1): hash_bytes_extended reads the
 * names as native 32-bit words, so it depends on the byte order.  Kept only
 * to recognise version-1 paths, on the platform that wrote them.
 */
static uint64
list_legacy_hash(const StageList *sl)
{
	uint64		h = 0;

	for (int i = 0; i < sl->nstages; i++)
		h = hash_bytes_extended((const unsigned char *) sl->names[i], sl->lens[i], h ^ (uint64) (i + 1));
	return h;
}

static void
list_hashes(StageList *sl)
{
	sl->hash = list_hash(sl);
	sl->legacy_hash = list_legacy_hash(sl);
}

/* ---- lists from arguments ---- */

/* the argument's cached list (fn_extra) */
typedef struct StageListCache
{
	Size		rawlen;			/* the array's bytes, to recognise it; 0 = not parsed */
	char	   *raw;
	bool		validated;		/* no duplicates (checked once) */
	StageList	list;			/* names point into raw */
} StageListCache;

static void
list_from_array(StageList *sl, ArrayType *stages, const char *fname)
{
	array_iter	it;
	int			n;

	if (ARR_ELEMTYPE(stages) != TEXTOID)
		stages_error(fname, "stages must be a text array", "Pass e.g. ARRAY['lead','qualified','won'].");
	if (ARR_NDIM(stages) > 1)
		stages_error(fname, "stages must be a one-dimensional array", "Pass e.g. ARRAY['lead','qualified','won'].");
	n = ArrayGetNItems(ARR_NDIM(stages), ARR_DIMS(stages));
	if (n == 0)
		stages_error(fname, "stages must not be empty", "Pass the ordered stages of the pipeline, e.g. ARRAY['lead','qualified','won'].");
	if (n > STAGES_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: a funnel has at most %d stages, got %d", fname, STAGES_MAX, n)));
	array_iter_setup(&it, (AnyArrayType *) stages);
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		d = array_iter_next(&it, &isnull, i, -1, false, TYPALIGN_INT);

		if (isnull)
			stages_error(fname, "stages must not contain NULL", "Remove the NULL from the stage list.");
		sl->names[i] = VARDATA_ANY(DatumGetPointer(d));
		sl->lens[i] = VARSIZE_ANY_EXHDR(DatumGetPointer(d));
	}
	sl->nstages = n;
	list_hashes(sl);
}

const StageList *
stages_get(FunctionCallInfo fcinfo, int argno, bool validate, const char *fname)
{
	ArrayType  *stages;
	StageListCache *c = (StageListCache *) fcinfo->flinfo->fn_extra;
	Size		len;

	if (PG_ARGISNULL(argno))
		stages_error(fname, "stages must not be NULL", "Pass the ordered stages of the pipeline.");
	stages = PG_GETARG_ARRAYTYPE_P(argno);
	len = VARSIZE(stages);
	if (c == NULL || c->rawlen != len || memcmp(c->raw, stages, len) != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		ArrayType  *copy;

		if (c == NULL)
			c = palloc0(sizeof(StageListCache));
		else
			pfree(c->raw);
		copy = palloc(len);
		memcpy(copy, stages, len);
		c->raw = (char *) copy;
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = c;
		c->rawlen = 0;			/* not usable until parsed */
		c->validated = false;
		list_from_array(&c->list, copy, fname);
		c->rawlen = len;
	}
	if (validate && !c->validated)
	{
		for (int i = 1; i < c->list.nstages; i++)
			if (stages_repeats(&c->list, i))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: duplicate stage \"%.*s\" in stages", fname, c->list.lens[i], c->list.names[i]),
						 errhint("Each stage may appear once in the stage list.")));
		c->validated = true;
	}
	return &c->list;
}

/* ---- lists from input and from stored values ---- */

void
stages_from_names(StageList *sl, const char *const *names, int n)
{
	Assert(n >= 0 && n <= STAGES_MAX);
	sl->nstages = n;
	for (int i = 0; i < n; i++)
	{
		sl->names[i] = names[i];
		sl->lens[i] = strlen(names[i]);
	}
	list_hashes(sl);
}

void
stages_from_stored(StageList *sl, const char *stored, int n)
{
	Assert(n >= 0 && n <= STAGES_MAX);
	sl->nstages = n;
	for (int i = 0; i < n; i++)
	{
		sl->names[i] = stored;
		sl->lens[i] = strlen(stored);
		stored += sl->lens[i] + 1;
	}
	list_hashes(sl);
}

Size
stages_stored_size(const StageList *sl, const char *fname)
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
stages_store(const StageList *sl, char *dst)
{
	for (int i = 0; i < sl->nstages; i++)
	{
		memcpy(dst, sl->names[i], sl->lens[i]);
		dst[sl->lens[i]] = '\0';
		dst += sl->lens[i] + 1;
	}
}

/* ---- names ---- */

bool
stages_repeats(const StageList *sl, int k)
{
	for (int j = 0; j < k; j++)
		if (sl->lens[j] == sl->lens[k] && memcmp(sl->names[j], sl->names[k], sl->lens[k]) == 0)
			return true;
	return false;
}

const char *
stages_duplicate(const StageList *sl)
{
	for (int k = 1; k < sl->nstages; k++)
		if (stages_repeats(sl, k))
			return "Duplicate stage name.";
	return NULL;
}

int
stages_position(const StageList *sl, const char *stage, int len)
{
	for (int i = 0; i < sl->nstages; i++)
		if (sl->lens[i] == len && memcmp(sl->names[i], stage, len) == 0)
			return i;
	return sl->nstages;
}

int
stages_find(const char *stored, int n, const char *stage, const char *fname,
			const char *argname, const char *owner, const char *hint_owner)
{
	for (int k = 0; k < n; k++)
	{
		if (strcmp(stored, stage) == 0)
			return k;
		stored = stages_next(stored);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s \"%s\" is not a stage of %s", fname, argname, stage, owner),
			 errhint("Use one of the stages %s was built with.", hint_owner)));
	pg_unreachable();
}

/* ---- the notice for a stage list no deal entered (issue 11, item 13) ---- */

/* name as array_out writes an element: quoted when it needs to be */
static void
append_array_element(StringInfo buf, const char *name)
{
	bool		quote = *name == '\0' || pg_strcasecmp(name, "NULL") == 0;

	for (const char *c = name; *c && !quote; c++)
		quote = *c == '"' || *c == '\\' || *c == '{' || *c == '}' || *c == ',' ||
			scanner_isspace(*c);
	if (!quote)
	{
		appendStringInfoString(buf, name);
		return;
	}
	appendStringInfoChar(buf, '"');
	for (const char *c = name; *c; c++)
	{
		if (*c == '"' || *c == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *c);
	}
	appendStringInfoChar(buf, '"');
}

void
stages_notice_outside(const char *fname, const char *stored, int n, int64 deals, int64 outside)
{
	StringInfoData list;

	if (deals <= 0 || outside != deals)
		return;
	initStringInfo(&list);
	appendStringInfoChar(&list, '{');
	for (int k = 0; k < n; k++, stored = stages_next(stored))
	{
		if (k)
			appendStringInfoChar(&list, ',');
		append_array_element(&list, stored);
	}
	appendStringInfoChar(&list, '}');
	ereport(NOTICE,
			(errmsg("%s: no deal entered any stage of the list %s", fname, list.data),
			 errdetail_plural(INT64_FORMAT " deal had only stages outside the list.",
							  INT64_FORMAT " deals had only stages outside the list.",
							  (unsigned long) Min(deals, 1000000), deals),
			 errhint("Stage names are compared exactly (case and spaces count).")));
	pfree(list.data);
}

/* ---- funnel modes ---- */

const char *const stages_mode_names[] = {"implied", "entered", "ordered"};

FunnelMode
stages_mode_arg(FunctionCallInfo fcinfo, int argno, const char *fname)
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
		if (len == (int) strlen(stages_mode_names[i]) && memcmp(VARDATA_ANY(t), stages_mode_names[i], len) == 0)
			return (FunnelMode) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: unknown mode \"%s\"", fname, text_to_cstring(t)),
			 errhint("Use 'implied', 'entered' or 'ordered'.")));
	pg_unreachable();
}

FunnelMode
stages_kv_mode(KvParser *kv)
{
	return (FunnelMode) kpi_kv_word(kv, "mode", stages_mode_names, 3,
									"Expected mode implied, entered or ordered");
}

/* ---- the per-stage arrays of the reporting forms (stages.h) ---- */

Datum
stages_report_rows(TupleDesc desc, int attno, const char *names, int nstages, int ncolumns,
				   void (*columns) (const void *value, int k, Datum *values, bool *nulls),
				   const void *value)
{
	const int	ncols = 2 + ncolumns;
	Datum	   *rv = palloc0(sizeof(Datum) * ncols * Max(nstages, 1));
	bool	   *rn = palloc0(sizeof(bool) * ncols * Max(nstages, 1));

	for (int k = 0; k < nstages; k++)
	{
		rv[k * ncols] = CStringGetTextDatum(names);
		rv[k * ncols + 1] = Int32GetDatum(k + 1);
		columns(value, k, rv + k * ncols + 2, rn + k * ncols + 2);
		names = stages_next(names);
	}
	return kpi_report_rows(desc, attno, nstages, ncols, rv, rn);
}
