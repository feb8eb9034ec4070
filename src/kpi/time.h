/*
 * time.h - times as int64 microseconds.  Include kpi/kpi.h, not this file.
 *
 * timestamp, timestamptz and date all map onto microseconds (a date is its
 * midnight), so one code path serves the three SQL types; durations are
 * differences of those, summed as int128 so that sums are associative and
 * serial, parallel and merged results are identical.
 */
#ifndef KPI_TIME_H
#define KPI_TIME_H

#include "postgres.h"
#include "fmgr.h"
#include "kpi/compat.h"
#include "kpi/textfmt.h"

#define KPI_USECS_PER_DAY INT64CONST(86400000000)

/*
 * The SQL type times came from.  Values that hold times carry it, so that a
 * time of another type (a timestamptz as_of against wall-clock timestamps,
 * say) is refused instead of silently shifted by a time zone.
 */
typedef enum TimeKind
{
	TIME_DATE = 1,
	TIME_TIMESTAMP = 2,
	TIME_TIMESTAMPTZ = 3
} TimeKind;

extern const char *const kpi_time_kind_names[];	/* indexed by TimeKind */

/*
 * A time argument of the given kind in microseconds; infinite values and
 * dates beyond the timestamp range are refused, naming fname and argname.
 */
extern int64 kpi_timestamp_usec(Datum ts, FunctionCallInfo fcinfo, const char *fname, const char *argname);
extern int64 kpi_date_usec(Datum d, FunctionCallInfo fcinfo, const char *fname, const char *argname);

static inline int64
kpi_time_usec(Datum d, TimeKind kind, FunctionCallInfo fcinfo, const char *fname, const char *argname)
{
	return kind == TIME_DATE ? kpi_date_usec(d, fcinfo, fname, argname)
		: kpi_timestamp_usec(d, fcinfo, fname, argname);
}

/* "time=date|timestamp|timestamptz" in a text form */
extern TimeKind kpi_kv_time_kind(KvParser *kv);

/* The length of a positive interval in microseconds (a month 30 days, a year 365.25). */
extern int64 kpi_interval_usec(Datum iv, const char *fname, const char *argname);

#endif							/* KPI_TIME_H */
