/*
 * kpi_sanitize_selftest - deliberate memory and arithmetic bugs, built with
 * the same sanitizer flags as sales_kpi into a separate module, so that
 * test/sanitize.sh can prove on every run that its sanitizer and its log
 * parser report each kind of bug they are meant to find.  Never installed:
 * it exists only in the private installation of a sanitizer run.
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(kpi_selftest_heap_overread);
PG_FUNCTION_INFO_V1(kpi_selftest_uninit_branch);
PG_FUNCTION_INFO_V1(kpi_selftest_stack_overread);
PG_FUNCTION_INFO_V1(kpi_selftest_signed_overflow);

/* one byte past a block of 64 kB (palloc gives it its own malloc'd block) */
Datum
kpi_selftest_heap_overread(PG_FUNCTION_ARGS)
{
	int32		k = PG_GETARG_INT32(0);
	Size		n = 65536;
	volatile char *p = palloc(n);

	memset((char *) p, 1, n);
	PG_RETURN_INT32(p[n - 1 + k]);
}

/* a branch on bytes nobody wrote */
Datum
kpi_selftest_uninit_branch(PG_FUNCTION_ARGS)
{
	int32		k = PG_GETARG_INT32(0);
	int32	   *p = palloc(65536);

	if (p[k * 100] > 0)
		PG_RETURN_INT32(1);
	PG_RETURN_INT32(0);
}

/* an element past the end of a local array */
Datum
kpi_selftest_stack_overread(PG_FUNCTION_ARGS)
{
	int32		k = PG_GETARG_INT32(0);
	volatile int64 a[4] = {1, 2, 3, 4};

	PG_RETURN_INT32((int32) a[3 + k]);
}

/* bigint overflow, as in a count summed without a check */
Datum
kpi_selftest_signed_overflow(PG_FUNCTION_ARGS)
{
	int32		k = PG_GETARG_INT32(0);
	volatile int64 x = PG_INT64_MAX;

	x += k;
	PG_RETURN_INT32((int32) (x & 1));
}
