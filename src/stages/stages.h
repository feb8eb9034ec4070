/*
 * stage.h - declarations shared by the stage-history code: stage lists,
 * per-deal paths (funnel.c), funnels (funnel.c) and time in stage
 * (stage_times.c).
 */
#ifndef SALES_KPI_STAGE_H
#define SALES_KPI_STAGE_H

#include "kpi/kpi.h"

#define FUNNEL_MAX_STAGES 64
#define PATH_VERSION 1
#define FUNNEL_VERSION 1

typedef enum FunnelMode
{
	MODE_IMPLIED = 0,
	MODE_ENTERED = 1,
	MODE_ORDERED = 2
} FunnelMode;

extern const char *const mode_names[];

/*
 * The SQL type the event times came from.  Paths and time-in-stage states
 * carry it, so that an as_of of another type (timestamptz against wall-clock
 * timestamps, say) is refused instead of silently shifted by a time zone.
 */
typedef enum TimeKind
{
	TIME_DATE = 1,
	TIME_TIMESTAMP = 2,
	TIME_TIMESTAMPTZ = 3
} TimeKind;

extern const char *const time_kind_names[];	/* indexed by TimeKind */

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

/* stage_funnel: header, reached[nstages], then the stage names (NUL-ended) */
typedef struct StageFunnel
{
	int32		vl_len_;
	uint8		version;
	uint8		mode;
	int16		nstages;
	uint64		stages_hash;
	int64		deals;			/* deals fed in */
	int64		outside;		/* deals with no stage of the list */
	int64		reached[FLEXIBLE_ARRAY_MEMBER];
} StageFunnel;

#define FUNNEL_NAMES(f) ((char *) &(f)->reached[(f)->nstages])

/*
 * A parsed stage list.  It is cached in fn_extra purely to save work: every
 * call compares the argument's bytes with the cached copy and parses again
 * on any difference, so no result depends on the cache (Citus resets
 * fn_extra on every row, and then each row simply parses).
 */
typedef struct StageList
{
	int			nstages;
	uint64		hash;
	bool		validated;		/* no duplicates (checked once) */
	Size		rawlen;			/* the array's bytes, to recognise it */
	char	   *raw;
	const char *names[FUNNEL_MAX_STAGES];	/* point into raw */
	int			lens[FUNNEL_MAX_STAGES];
} StageList;

extern pg_noreturn void stages_error(const char *fname, const char *msg, const char *hint);
extern const StageList *stages_get(FunctionCallInfo fcinfo, int argno, bool validate, const char *fname);
extern int	stages_position(const StageList *sl, const char *stage, int len);
extern uint64 names_hash(const char *names, int n);
extern pg_noreturn void stages_changed(const char *fname);
extern Size stages_names_size(const StageList *sl, const char *fname);
extern void stages_copy_names(const StageList *sl, char *dst);
extern TimeKind kv_time_kind(KvParser *kv);
extern FunnelMode parse_mode(FunctionCallInfo fcinfo, int argno, const char *fname);

extern StagePath *path_get(Datum d);
extern StagePath *path_sorted(const StagePath *p);
extern void path_check_list(const StagePath *p, uint64 hash, int nstages, const char *fname);

extern StageFunnel *funnel_new(const StageList *sl, FunnelMode mode);
extern StageFunnel *funnel_get(Datum d);
extern void funnel_count_path(StageFunnel *f, const StagePath *p);

/* time in stage (stage_times.c); the layout is private to that file */
typedef struct StageTimes StageTimes;

extern StageTimes *times_new(const StageList *sl, TimeKind kind, bool has_as_of, int64 as_of,
							 bool has_stale, int64 stale_after, const char *fname);
extern StageTimes *times_count_path(StageTimes *t, const StagePath *p);
extern void times_read_args(FunctionCallInfo fcinfo, int as_of_arg, TimeKind as_kind,
							int64 *as_of, bool *has_stale, int64 *stale_after);
extern void times_check_kind(TimeKind events, TimeKind as_kind);

#endif							/* SALES_KPI_STAGE_H */
