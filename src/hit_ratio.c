/*
 * hit_ratio.c - hit_ratio(won boolean): won / (won + lost).
 *
 * State: int8[2] = {won, lost}, initcond '{0,0}', strict transition so that
 * NULL (open deals) are skipped by the executor.  Modified in place when
 * called as an aggregate.  Inverse transition for moving windows is exact.
 */
#include "sales_kpi.h"

#include "common/int.h"
#include "utils/array.h"

PG_FUNCTION_INFO_V1(hit_ratio_accum);
PG_FUNCTION_INFO_V1(hit_ratio_accum_inv);
PG_FUNCTION_INFO_V1(hit_ratio_combine);
PG_FUNCTION_INFO_V1(hit_ratio_final);

static inline Datum
hit_ratio_step(FunctionCallInfo fcinfo, int64 sign, const char *fname)
{
	ArrayType  *a = kpi_int8_state(fcinfo, 0, 2, true, fname);
	int64	   *c = (int64 *) ARR_DATA_PTR(a);

	c[PG_GETARG_BOOL(1) ? 0 : 1] += sign;
	if (c[0] < 0 || c[1] < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: state would become negative", fname),
				 errdetail("The inverse transition removed a row that was never added.")));
	PG_RETURN_ARRAYTYPE_P(a);
}

Datum
hit_ratio_accum(PG_FUNCTION_ARGS)
{
	return hit_ratio_step(fcinfo, 1, "hit_ratio_accum");
}

Datum
hit_ratio_accum_inv(PG_FUNCTION_ARGS)
{
	return hit_ratio_step(fcinfo, -1, "hit_ratio_accum_inv");
}

Datum
hit_ratio_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *a = kpi_int8_state(fcinfo, 0, 2, true, "hit_ratio_combine");
	ArrayType  *b = kpi_int8_state(fcinfo, 1, 2, false, "hit_ratio_combine");
	int64	   *ca = (int64 *) ARR_DATA_PTR(a);
	int64	   *cb = (int64 *) ARR_DATA_PTR(b);

	for (int i = 0; i < 2; i++)
		if (cb[i] < 0 || pg_add_s64_overflow(ca[i], cb[i], &ca[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("hit_ratio_combine: invalid aggregate state"),
					 errdetail("Counts must be non-negative and their sum must fit in bigint.")));
	PG_RETURN_ARRAYTYPE_P(a);
}

Datum
hit_ratio_final(PG_FUNCTION_ARGS)
{
	ArrayType  *a = kpi_int8_state(fcinfo, 0, 2, false, "hit_ratio_final");
	int64	   *c = (int64 *) ARR_DATA_PTR(a);

	if (c[0] < 0 || c[1] < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hit_ratio_final: invalid aggregate state"),
				 errdetail("Counts must be non-negative.")));
	if (c[0] + c[1] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) c[0] / (double) (c[0] + c[1]));
}
