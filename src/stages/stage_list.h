/*
 * stage_list.h - the stage list every stage-history KPI is built over: the
 * stages of a pipeline in funnel order.  Include stages/stages.h.
 *
 * A list arrives as a text[] argument (stages_get, cached per call site), or
 * as the names read by the text or binary input of a value (stages_from_names);
 * values store it as the names one after another, each NUL-ended
 * (stages_stored_size, stages_store), and read it back with
 * stages_from_stored.  Each form hashes alike: paths, funnels, times and
 * histories carry the hash to recognise their list.  The hash is FNV-1a 64
 * over each name's length (4 bytes, little-endian) and bytes, the same on
 * every platform; 0.1.0 used hash_bytes_extended, which reads native words
 * (legacy_hash: still recognised in version-1 stage_path values).
 */
#ifndef STAGES_STAGE_LIST_H
#define STAGES_STAGE_LIST_H

#include "kpi/kpi.h"

#define STAGES_MAX 64			/* stages in one list */

typedef struct StageList
{
	int			nstages;
	uint64		hash;			/* byte-order independent (stage_list.c) */
	uint64		legacy_hash;	/* the native hash of 0.1.0, carried by version-1 paths */
	const char *names[STAGES_MAX];	/* not NUL-ended: see lens */
	int			lens[STAGES_MAX];
} StageList;

/*
 * The stage list of argument argno (refused if NULL, empty, too long or with
 * NULLs).  With validate, also refuse duplicate names.  It is cached in
 * fn_extra purely to save work: every call compares the argument's bytes
 * with the cached copy and parses again on any difference, so no result
 * depends on the cache (Citus resets fn_extra on every row, and then each
 * row simply parses).
 */
extern const StageList *stages_get(FunctionCallInfo fcinfo, int argno, bool validate, const char *fname);

/* the list of n C strings read by an input function (they point into names) */
extern void stages_from_names(StageList *sl, const char *const *names, int n);
/* the list stored at stored: n NUL-ended names one after another */
extern void stages_from_stored(StageList *sl, const char *stored, int n);

/* bytes the names take stored (a NUL inside a name is refused), and storing them */
extern Size stages_stored_size(const StageList *sl, const char *fname);
extern void stages_store(const StageList *sl, char *dst);

/* the stored name after name */
static inline const char *
stages_next(const char *name)
{
	return name + strlen(name) + 1;
}

/* stage k repeats an earlier one */
extern bool stages_repeats(const StageList *sl, int k);
/* a validator's answer: NULL, or the rule broken when a name repeats */
extern const char *stages_duplicate(const StageList *sl);

/* position of stage in the list; nstages when it is not in it */
extern int	stages_position(const StageList *sl, const char *stage, int len);

/*
 * Position of stage among the n names stored at stored, for the accessors:
 * a stage not in the list is refused as fname's argname, "not a stage of
 * <owner>", with the hint to use one of the stages <hint_owner> was built with.
 */
extern int	stages_find(const char *stored, int n, const char *stage, const char *fname,
						const char *argname, const char *owner, const char *hint_owner);

/* ---- funnel modes ---- */

typedef enum FunnelMode
{
	MODE_IMPLIED = 0,
	MODE_ENTERED = 1,
	MODE_ORDERED = 2
} FunnelMode;

extern const char *const stages_mode_names[];	/* indexed by FunnelMode */

/* the mode argument argno (implied when the function has no such argument) */
extern FunnelMode stages_mode_arg(FunctionCallInfo fcinfo, int argno, const char *fname);
/* "mode=implied|entered|ordered" in a text form */
extern FunnelMode stages_kv_mode(KvParser *kv);

/*
 * The NOTICE of a result no deal of which entered a stage of the list (a typo
 * or a case difference in the list, most often): raised by fname when deals > 0
 * and outside = deals; n names stored at stored.
 */
extern void stages_notice_outside(const char *fname, const char *stored, int n, int64 deals, int64 outside);

/* ---- errors shared by the family (22023) ---- */

extern pg_noreturn void stages_error(const char *fname, const char *msg, const char *hint);
/* rows of one group with different stage lists */
extern pg_noreturn void stages_changed(const char *fname);

#endif							/* STAGES_STAGE_LIST_H */
