/*
 * validate.c - the errors sales_kpi raises for what it refuses (see
 * validate.h for the one validation idiom that leads to them), and the
 * argument checks shared by several functions.
 */
#include "kpi/kpi.h"

#include <math.h>


/* Text input that breaks a rule of typname: detail says which. */
void
kpi_bad_text(const char *typname, const char *input, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", typname, input),
			 errdetail("%s", detail)));
}

void
kpi_bad_binary(const char *typname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary data for type %s", typname),
			 errdetail("%s", detail)));
}

/*
 * A value of one of our types passed to fname (a support function or an
 * accessor) that breaks the type's invariants: detail says which.
 */
void
kpi_bad_value(const char *fname, const char *typname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: invalid %s value", fname, typname),
			 errdetail("%s", detail)));
}

/* An int8[] aggregate state passed to fname that breaks its rules. */
void
kpi_bad_state(const char *fname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: invalid aggregate state", fname),
			 errdetail("%s", detail)));
}

/*
 * A stored value whose size or format version is not one we write: input
 * validation makes every value we are given well-formed, so this is damage.
 */
void
kpi_corrupt(const char *typname)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid %s value", typname),
			 errdetail("Wrong size or format version.")));
}

void
kpi_count_overflow(const char *fname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s: count out of range", fname),
			 detail ? errdetail("%s", detail) : 0));
}

/* ---- argument checks ---- */

void
kpi_check_ratio(double v, const char *fname, const char *argname)
{
	if (isnan(v) || v < 0.0 || v > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be between 0 and 1, got %g", fname, argname, v),
				 errhint("Pass a fraction, e.g. 0.25 for 25%%.")));
}

void
kpi_check_nonneg(double v, const char *fname, const char *argname)
{
	if (isnan(v) || isinf(v) || v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a finite non-negative number, got %g", fname, argname, v)));
}
