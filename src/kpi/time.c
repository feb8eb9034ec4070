/*
 * time.c - timestamp, date and interval arguments as microseconds.
 */
#include "kpi/kpi.h"

#include "datatype/timestamp.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"

const char *const kpi_time_kind_names[] = {"", "date", "timestamp", "timestamptz"};

TimeKind
kpi_kv_time_kind(KvParser *kv)
{
	return (TimeKind) (TIME_DATE + kpi_kv_word(kv, "time", kpi_time_kind_names + TIME_DATE, 3,
											   "Expected time date, timestamp or timestamptz"));
}

/* -infinity or infinity given as argname */
pg_noreturn static void
not_finite(FunctionCallInfo fcinfo, const char *fname, const char *argname, bool neg, const char *what)
{
	(void) fcinfo;				/* errors name fname, known statically */
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("%s: %s must be finite, got %s", fname, argname,
					neg ? "-infinity" : "infinity"),
			 errhint("Use NULL for an unknown or open-ended %s.", what)));
}

int64
kpi_timestamp_usec(Datum ts, FunctionCallInfo fcinfo, const char *fname, const char *argname)
{
	Timestamp	t = DatumGetTimestamp(ts);

	if (TIMESTAMP_NOT_FINITE(t))
		not_finite(fcinfo, fname, argname, TIMESTAMP_IS_NOBEGIN(t), "time");
	return (int64) t;
}

int64
kpi_date_usec(Datum d, FunctionCallInfo fcinfo, const char *fname, const char *argname)
{
	DateADT		dt = DatumGetDateADT(d);

	if (DATE_NOT_FINITE(dt))
		not_finite(fcinfo, fname, argname, DATE_IS_NOBEGIN(dt), "date");
	/* dates beyond the timestamp range cannot be carried in microseconds */
	if (dt < (DateADT) (MIN_TIMESTAMP / USECS_PER_DAY) ||
		dt >= (DateADT) (END_TIMESTAMP / USECS_PER_DAY))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s: %s is out of range: %s", fname, argname,
						DatumGetCString(DirectFunctionCall1(date_out, d))),
				 errhint("Dates must lie within the range of timestamp (4714 BC to 294276 AD).")));
	return (int64) dt * KPI_USECS_PER_DAY;
}

/*
 * Length of an interval in microseconds, with PostgreSQL's own convention
 * for extract(epoch from interval): a month is 30 days, a year 365.25 days.
 */
int64
kpi_interval_usec(Datum iv, const char *fname, const char *argname)
{
	Interval   *i = DatumGetIntervalP(iv);
	int128		us;

	/* exact, with extract(epoch)'s conventions: a year 365.25 days, a month 30 */
	us = (int128) i->time + (int128) i->day * KPI_USECS_PER_DAY +
		(int128) (i->month / MONTHS_PER_YEAR) * (KPI_USECS_PER_DAY * 36525 / 100) +
		(int128) (i->month % MONTHS_PER_YEAR) * DAYS_PER_MONTH * KPI_USECS_PER_DAY;
	if (us <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a positive interval, got %s", fname, argname,
						DatumGetCString(DirectFunctionCall1(interval_out, iv))),
				 errhint("Pass the length of one period, e.g. interval '1 month'.")));
	if (us > PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s: %s is out of range, got %s", fname, argname,
						DatumGetCString(DirectFunctionCall1(interval_out, iv))),
				 errhint("Pass an interval of at most about 292,000 years.")));
	return (int64) us;
}
