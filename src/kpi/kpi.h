/*
 * sales_kpi.h - shared declarations of the sales_kpi extension.
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
 */
#ifndef SALES_KPI_H
#define SALES_KPI_H

#include "postgres.h"
#include "kpi/compat.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"

#ifndef HAVE_INT128
#error "sales_kpi needs a compiler with a 128-bit integer type"
#endif

#define KPI_MAX_SCALE 38		/* largest money scale an int128 can carry */

/*
 * Exact sums stay within +-(2^127 - 1): -2^127 is treated as an overflow, so
 * that every value we hold prints as a decimal that reads back.
 */
#define KPI_INT128_MIN ((int128) ((uint128) 1 << 127))
#define KPI_USECS_PER_DAY INT64CONST(86400000000)

/* ---- money ---- */
extern const char *kpi_caller(FunctionCallInfo fcinfo, const char *fallback);
extern void kpi_numeric_decode(Datum num, FunctionCallInfo fcinfo, const char *fname,
							   const char *argname, int128 *value, int *scale);
extern int128 kpi_rescale(int128 v, int from, int to);
extern void kpi_raise_scale(int16 *state_scale, int128 *const *fields, int nfields, int scale);
extern void kpi_money_align(int16 *state_scale, int128 *const *fields, int nfields,
							int128 *amount, int amount_scale);
extern int128 kpi_add128(int128 a, int128 b);
extern Datum kpi_money_numeric(int128 v, int scale);
extern double kpi_money_double(int128 v, int scale);
extern void kpi_append_decimal(StringInfo buf, int128 v, int scale);
extern void kpi_send_int128(StringInfo buf, int128 v);
extern int128 kpi_recv_int128(StringInfo buf, const char *typname);

/* ---- time ---- */
extern int64 kpi_timestamp_usec(Datum ts, FunctionCallInfo fcinfo, const char *fname, const char *argname);
extern int64 kpi_date_usec(Datum d, FunctionCallInfo fcinfo, const char *fname, const char *argname);
extern int64 kpi_interval_usec(Datum iv, const char *fname, const char *argname);

/* ---- int8[] aggregate states ---- */
/* the rules of one kind of state: NULL when the values keep them, else the rule broken */
typedef const char *(*KpiStateRules) (const int64 *values);
extern ArrayType *kpi_int8_state(FunctionCallInfo fcinfo, int argno, int nelems,
								 bool inplace, KpiStateRules rules, const char *fname);
extern pg_noreturn void kpi_count_overflow(const char *fname, const char *detail);

/* ---- varlena aggregate states ---- */
extern void *kpi_writable(FunctionCallInfo fcinfo, int argno, void *value);

/* ---- strict text format "(key=value,key=value,...)" ---- */
typedef struct KvParser
{
	const char *input;			/* whole input, for error messages */
	const char *p;				/* cursor */
	const char *typname;
	bool		first;
} KvParser;

extern void kv_begin(KvParser *kv, const char *input, const char *typname);
extern void kv_key(KvParser *kv, const char *key);
extern int64 kv_int64(KvParser *kv, const char *key, int64 min);
extern int64 kv_number(KvParser *kv, int64 min, int64 max, const char *what);
extern void kv_decimal(KvParser *kv, const char *key, int128 *v, int *scale);
extern char *kv_string(KvParser *kv, const char *key);
extern void kv_char(KvParser *kv, char c);
extern bool kv_peek(KvParser *kv, char c);
extern void kv_end(KvParser *kv);
extern pg_noreturn void kv_fail(KvParser *kv, const char *detail);
extern void kv_append_string(StringInfo buf, const char *s);

/* ---- input and value validation ---- */
extern void kpi_recv_end(StringInfo buf, const char *typname);
extern pg_noreturn void kpi_bad_binary(const char *typname, const char *detail);
extern pg_noreturn void kpi_bad_value(const char *fname, const char *typname, const char *detail);

/* ---- argument checks ---- */
extern void kpi_check_ratio(double v, const char *fname, const char *argname);

#endif							/* SALES_KPI_H */
