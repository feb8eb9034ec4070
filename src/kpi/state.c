/*
 * state.c - aggregate states: int8[] states checked against their rules,
 * varlena values read, written in place or copied.
 */
#include "kpi/kpi.h"

#include "catalog/pg_type.h"

/* ---- int8[] states ---- */

/*
 * Fetch and validate an int8[] aggregate state.  States are plain SQL values
 * (the final and combine functions are callable by anyone, with any array),
 * so every read checks the shape (one dimension, the expected length, no
 * NULLs) and then the state's own rules: a function of the values that
 * returns NULL when they hold, else the rule broken (with the values), which
 * becomes the error's detail.  With inplace the caller will modify the
 * result: it is the argument itself when running as an aggregate, where the
 * state belongs to the aggregate's memory context (as int4_avg_accum does in
 * PostgreSQL itself), else a copy.  Without inplace the caller must only
 * read it.
 */
ArrayType *
kpi_int8_state(FunctionCallInfo fcinfo, int argno, int nelems, bool inplace,
			   KpiStateRules rules, const char *fname)
{
	ArrayType  *a;

	/* read-only callers and aggregate calls use the value as it is */
	if (!inplace || AggCheckCallContext(fcinfo, NULL))
		a = PG_GETARG_ARRAYTYPE_P(argno);
	else
		a = PG_GETARG_ARRAYTYPE_P_COPY(argno);

	if (ARR_NDIM(a) != 1 || ARR_DIMS(a)[0] != nelems || ARR_HASNULL(a) ||
		ARR_ELEMTYPE(a) != INT8OID)
		kpi_bad_state(fname, psprintf("The state must be a one-dimensional bigint array of %d elements without NULLs.",
									  nelems));
	kpi_check_state(rules((const int64 *) ARR_DATA_PTR(a)), fname);
	return a;
}

/* ---- varlena values ---- */

void *
kpi_fixed_new(uint8 version, Size size)
{
	struct varlena *v = palloc0(size);

	SET_VARSIZE(v, size);
	*(uint8 *) VARDATA(v) = version;
	return v;
}

/*
 * Our states are varlena values, not internal: whenever a transition or
 * combine function returns a pointer other than its state argument (a new
 * state, or one that had to grow), the executor copies the value into the
 * aggregate's memory context itself (ExecAggTransReparent, and the window
 * aggregate code likewise).  New states are therefore allocated in the
 * current, per-call context; allocating them in the aggregate context would
 * only leave a second, unused copy there until the end of the aggregate.
 * Updates in place, on the other hand, are made to the argument, which does
 * live in the aggregate context.
 *
 * A state the caller may modify: value is argument argno, detoasted.  In an
 * aggregate the argument itself belongs to the aggregate and is updated in
 * place; a detoasted copy is already private; otherwise copy it, so that a
 * direct call never changes its input.
 */
void *
kpi_writable(FunctionCallInfo fcinfo, int argno, void *value)
{
	void	   *copy;

	if (value != DatumGetPointer(PG_GETARG_DATUM(argno)) || AggCheckCallContext(fcinfo, NULL))
		return value;
	copy = palloc(VARSIZE(value));
	memcpy(copy, value, VARSIZE(value));
	return copy;
}

uint64
kpi_fnv1a64(uint64 h, const void *data, size_t len)
{
	const unsigned char *b = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * UINT64CONST(0x100000001b3);
	return h;
}

Datum
kpi_unchanged(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}
