/*
 * state.h - aggregate states and stored values.  Include kpi/kpi.h, not
 * this file.
 *
 * Every aggregate state is a real SQL type, never internal, so that Citus
 * can push partial aggregation down: either a bigint array (hit_ratio,
 * churn) or one of our varlena types.  Every varlena type of ours starts
 * with {int32 vl_len_; uint8 version; ...}, and every one is read through
 * kpi_stored.
 */
#ifndef KPI_STATE_H
#define KPI_STATE_H

#include "postgres.h"
#include "fmgr.h"
#include "kpi/compat.h"
#include "kpi/validate.h"
#include "utils/array.h"

/* ---- int8[] states ---- */

/* the rules of one kind of state: NULL when the values keep them, else the rule broken */
typedef const char *(*KpiStateRules) (const int64 *values);

/*
 * Argument argno as an int8[] state of nelems values keeping rules (else
 * 22023 from fname); with inplace the caller may modify it.
 */
extern ArrayType *kpi_int8_state(FunctionCallInfo fcinfo, int argno, int nelems,
								 bool inplace, KpiStateRules rules, const char *fname);

/* ---- varlena values ---- */

/* a state (argument argno, detoasted) that the caller may modify */
extern void *kpi_writable(FunctionCallInfo fcinfo, int argno, void *value);

/*
 * The result of a transition or combine call that adds nothing (a row with
 * a NULL that leaves it out, a NULL value to merge): the state argument 0,
 * NULL included, unchanged.
 */
extern Datum kpi_unchanged(FunctionCallInfo fcinfo);

/* a new fixed-size value of size bytes, all zeros but its length and version */
extern void *kpi_fixed_new(uint8 version, Size size);

/*
 * FNV-1a 64 of len bytes, continuing hash h (start from KPI_FNV64_OFFSET).
 * It reads single bytes, so a stored hash means the same on every platform
 * (stage lists of stage_path, product keys of mrr_series).
 */
#define KPI_FNV64_OFFSET UINT64CONST(0xcbf29ce484222325)
extern uint64 kpi_fnv1a64(uint64 h, const void *data, size_t len);

/*
 * The readers run for every row, so they are inline.
 *
 * Datum d detoasted, at least min_size bytes long and of format version
 * version: anything else is damaged data (kpi_corrupt).  The type checks its
 * exact size itself, the rest of its invariants with its validator.
 */
static inline void *
kpi_stored(Datum d, uint8 version, Size min_size, const char *typname)
{
	struct varlena *v = PG_DETOAST_DATUM(d);

	Assert(min_size > VARHDRSZ);
	if (unlikely(VARSIZE(v) < min_size || *(uint8 *) VARDATA(v) != version))
		kpi_corrupt(typname);
	return v;
}

/* a fixed-size value: stored as kpi_stored checks, and exactly size bytes */
static inline void *
kpi_fixed_get(Datum d, uint8 version, Size size, const char *typname)
{
	struct varlena *v = kpi_stored(d, version, size, typname);

	if (unlikely(VARSIZE(v) != size))
		kpi_corrupt(typname);
	return v;
}

/* the fixed-size state argument argno to update: a new value for NULL, else a writable one */
static inline void *
kpi_fixed_state(FunctionCallInfo fcinfo, int argno, uint8 version, Size size, const char *typname)
{
	if (PG_ARGISNULL(argno))
		return kpi_fixed_new(version, size);
	return kpi_writable(fcinfo, argno, kpi_fixed_get(PG_GETARG_DATUM(argno), version, size, typname));
}

#endif							/* KPI_STATE_H */
