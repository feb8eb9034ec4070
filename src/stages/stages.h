/*
 * stages.h - the stage-history family (spec section 2.2): the stage list
 * (stage_list.c), per-deal paths (stage_path.c), funnels (stage_funnel.c),
 * time in stage (stage_times.c) and the one-level form over raw history
 * rows (stage_history.c), which feeds each deal's path to the same code.
 */
#ifndef STAGES_H
#define STAGES_H

#include "kpi/kpi.h"
#include "stages/stage_list.h"
#include "access/tupdesc.h"

/*
 * Format versions.  stage_path 2: the stage-list hash is byte-order
 * independent (version 1 carried hash_bytes_extended's native hash, still
 * read and recognised).  stage_funnel 2: also counts, per stage, the deals
 * that entered both it and the last stage (version 1 did not).
 */
#define PATH_VERSION 2
#define PATH_VERSION_LEGACY_HASH 1
#define FUNNEL_VERSION 2

/* ---- stage_path (stage_path.c) ---- */

/*
 * stage_path: header, then ts[capacity] (int64), then pos[capacity] (int16).
 * VARSIZE covers the capacity, so the executor's copies keep the slack.
 */
typedef struct StagePath
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;			/* bit 0: sorted; bits 1-2: TimeKind */
	int16		nstages;
	int32		nevents;
	int32		capacity;
	uint64		stages_hash;
} StagePath;

#define PATH_SORTED 0x01
#define PATH_KIND_SHIFT 1
#define PATH_KIND_MASK 0x06
#define PATH_KIND(p) ((TimeKind) (((p)->flags & PATH_KIND_MASK) >> PATH_KIND_SHIFT))
#define PATH_TS(p) ((int64 *) ((char *) (p) + sizeof(StagePath)))
#define PATH_POS(p) ((int16 *) (PATH_TS(p) + (p)->capacity))
#define PATH_SIZE(cap) (sizeof(StagePath) + (Size) (cap) * (sizeof(int64) + sizeof(int16)))
/* most events a path can hold within PostgreSQL's 1 GB allocation limit */
#define PATH_MAX_EVENTS ((int64) ((0x3fffffff - sizeof(StagePath)) / (sizeof(int64) + sizeof(int16))))

/* a new, empty path with room for capacity events */
extern StagePath *stages_path_new(int capacity);
/* a stage_path argument, its size and version checked (its invariants hold: input checks them) */
extern StagePath *stages_path_get(Datum d);
/* a sorted, compact copy */
extern StagePath *stages_path_sorted(const StagePath *p);
/* p was built with the stage list sl (by its hash, of p's version, and length) */
extern bool stages_path_of_list(const StagePath *p, const StageList *sl);
/* a path read by fname must come from the stage list sl */
extern void stages_path_check_list(const StagePath *p, const StageList *sl, const char *fname);
/* the rules of one event of a path or history: NULL, or the one broken */
extern const char *stages_event_broken(int pos, int nstages, int64 ts);

/* ---- stage_funnel (stage_funnel.c) ---- */

/*
 * stage_funnel (version 2): header, reached[nstages], won[nstages], then the
 * stage names (NUL-ended).  won[k]: deals counted for stage k that also
 * entered the last stage, the numerator of win_probability(k).  A value read
 * from version 1 in mode entered does not know them (FUNNEL_WON_UNKNOWN, won
 * all 0); in modes implied and ordered won[k] = reached[last] always.
 * Version-1 values met in memory (stored by 0.1.0) are converted on reading.
 */
typedef struct StageFunnel
{
	int32		vl_len_;
	uint8		version;
	uint8		mode;
	int16		nstages;
	uint8		flags;			/* FUNNEL_WON_UNKNOWN */
	uint8		unused[3];
	uint64		stages_hash;
	int64		deals;			/* deals fed in */
	int64		outside;		/* deals with no stage of the list */
	int64		reached[FLEXIBLE_ARRAY_MEMBER];
} StageFunnel;

#define FUNNEL_WON_UNKNOWN 0x01
#define FUNNEL_WON(f) (&(f)->reached[(f)->nstages])
#define FUNNEL_NAMES(f) ((char *) &(f)->reached[2 * (f)->nstages])

extern StageFunnel *stages_funnel_new(const StageList *sl, FunnelMode mode);
extern StageFunnel *stages_funnel_get(Datum d);
/* one deal's level: -1 outside the list, else what it counts for (stage_funnel.c) */
extern int	stages_deal_level(const StagePath *p, int nstages, FunnelMode mode, uint64 *mask);
/* count one deal's path (sorted for mode ordered) */
extern void stages_funnel_count(StageFunnel *f, const StagePath *p);

/*
 * The conversion columns of stage k: reached, step_rate (from the stage
 * before), cumulative_rate (from the first stage) and win_probability (to
 * the last stage), into values[0..3] and nulls[0..3].
 */
#define FUNNEL_COLUMNS 4
extern bool stages_funnel_win(const StageFunnel *f, int k, double *rate);
extern void stages_funnel_columns(const StageFunnel *f, int k, Datum *values, bool *nulls);

/* ---- stage_times (stage_times.c; the layout is private to it) ---- */

typedef struct StageTimes StageTimes;

extern StageTimes *stages_times_new(const StageList *sl, TimeKind kind, bool has_as_of, int64 as_of,
									bool has_stale, int64 stale_after, const char *fname);
/* count one deal's sorted path into t; returns t or a grown copy */
extern StageTimes *stages_times_count(StageTimes *t, const StagePath *p);
/* as_of (argument as_of_arg, of SQL type as_kind; none when 0) and stale_after after it */
extern void stages_times_args(FunctionCallInfo fcinfo, int as_of_arg, TimeKind as_kind,
							  int64 *as_of, bool *has_stale, int64 *stale_after);
/* the NOTICE of stages_notice_outside for t */
extern void stages_times_notice_outside(const StageTimes *t, const char *fname);
/* events of kind events may be measured at an as_of of kind as_kind */
extern void stages_times_check_kind(TimeKind events, TimeKind as_kind);

/* ---- reporting forms (kpis(), JSON) ---- */

/*
 * Column attno of desc (an array of a composite (stage, position, ...)):
 * one element per stage of names, its other ncolumns columns from
 * columns(value, k, ...).
 */
extern Datum stages_report_rows(TupleDesc desc, int attno, const char *names, int nstages, int ncolumns,
								void (*columns) (const void *value, int k, Datum *values, bool *nulls),
								const void *value);

#endif							/* STAGES_H */
