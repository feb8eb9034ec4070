/*
 * kpi.h - the shared kernel of sales_kpi: the one header every C file
 * includes first.
 *
 *   compat.h    PostgreSQL 15-18 (the only PG_VERSION_NUM guards)
 *   validate.h  the one validation idiom and its errors, argument checks
 *   money.h     exact money: numeric decoding, int128 sums with scales, output
 *   time.h      timestamp/date/interval as microseconds, time kinds
 *   textfmt.h   the "(key=value,...)" text format, read and written
 *   wire.h      binary send/recv helpers
 *   state.h     int8[] and varlena aggregate states
 *   hist.h      the mergeable histogram of durations (medians, percentiles)
 *
 * Conventions used throughout:
 *  - Money is exact: amounts are carried as an int128 count of units of
 *    10^-scale, where scale is the largest display scale seen so far in the
 *    state (all money fields of one state share one scale).  Sums equal
 *    PostgreSQL's numeric sum() over the same rows.
 *  - Times are int64 microseconds (timestamp, timestamptz and date all map
 *    onto that); durations are summed as int128 microseconds so that sums are
 *    associative and serial / parallel / merged results are identical.
 *  - Every aggregate state is a real SQL type (int8[] or one of our varlena
 *    types), never internal, so Citus can push partial aggregation down.
 *  - Functions shared between files are prefixed: kpi_ in the kernel, the
 *    family's prefix (deals_, stages_) in a family; all of them are hidden
 *    from other libraries in the same backend (compat.h).
 */
#ifndef KPI_KPI_H
#define KPI_KPI_H

#include "postgres.h"
#include "fmgr.h"
#include "kpi/compat.h"

#include "kpi/validate.h"
#include "kpi/money.h"
#include "kpi/time.h"
#include "kpi/textfmt.h"
#include "kpi/wire.h"
#include "kpi/state.h"
#include "kpi/hist.h"

/*
 * An SQL-callable function that is impl(fcinfo, ...) with constant
 * arguments: for the entry points that differ only in a constant (the time
 * type of their arguments, say).  Use it as a declaration: KPI_FUNCTION(...);
 */
#define KPI_FUNCTION(name, impl, ...) \
	PG_FUNCTION_INFO_V1(name); \
	Datum \
	name(PG_FUNCTION_ARGS) \
	{ \
		return impl(fcinfo, __VA_ARGS__); \
	} \
	extern int no_such_variable

#endif							/* KPI_KPI_H */
