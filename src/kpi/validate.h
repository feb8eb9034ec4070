/*
 * validate.h - how sales_kpi checks what it is given, and the errors it
 * raises for what it refuses.  Include kpi/kpi.h, not this file.
 *
 * Every value of our types may come from anyone: text and binary input are
 * untrusted, and the support functions (combine, merge, the final functions
 * of int8[] states) can be called by hand with any value.  So each type has
 * exactly one validator,
 *
 *     static const char *<type>_broken(const void *value)
 *
 * which returns NULL when the value keeps every invariant of its type, else
 * the rule it breaks (a sentence, which becomes the error's DETAIL); an
 * int8[] state has its rules (KpiStateRules, state.h), the same idea.  Text
 * input, binary input and the support functions all run that one validator
 * and pass its answer to the check of their context, which raises that
 * context's error:
 *
 *     text input             kpi_check_text     22P02 invalid_text_representation
 *     binary input           kpi_check_binary   22P03 invalid_binary_representation
 *     a support function     kpi_valid          22023 invalid_parameter_value
 *     an int8[] state        kpi_int8_state     22023 invalid_parameter_value
 *
 * A stored value of the wrong size or of an unknown format version can only
 * be damaged data: kpi_corrupt (XX001 data_corrupted).
 */
#ifndef KPI_VALIDATE_H
#define KPI_VALIDATE_H

#include "postgres.h"
#include "fmgr.h"
#include "kpi/compat.h"

extern pg_noreturn void kpi_bad_text(const char *typname, const char *input, const char *detail);
extern pg_noreturn void kpi_bad_binary(const char *typname, const char *detail);
extern pg_noreturn void kpi_bad_value(const char *fname, const char *typname, const char *detail);
extern pg_noreturn void kpi_bad_state(const char *fname, const char *detail);
extern pg_noreturn void kpi_corrupt(const char *typname);

/* broken: a validator's answer; NULL passes */
static inline void
kpi_check_text(const char *broken, const char *typname, const char *input)
{
	if (unlikely(broken != NULL))
		kpi_bad_text(typname, input, broken);
}

static inline void
kpi_check_binary(const char *broken, const char *typname)
{
	if (unlikely(broken != NULL))
		kpi_bad_binary(typname, broken);
}

static inline void
kpi_check_value(const char *broken, const char *fname, const char *typname)
{
	if (unlikely(broken != NULL))
		kpi_bad_value(fname, typname, broken);
}

static inline void
kpi_check_state(const char *broken, const char *fname)
{
	if (unlikely(broken != NULL))
		kpi_bad_state(fname, broken);
}

/*
 * A validator, and value (of type typname) returned when it keeps every
 * invariant, else refused by the support function fname: the check of the
 * support functions that take values of our types (combine, merge).
 */
typedef const char *(*KpiValidator) (const void *value);

static inline void *
kpi_valid(void *value, KpiValidator broken, const char *fname, const char *typname)
{
	kpi_check_value(broken(value), fname, typname);
	return value;
}

/*
 * sales_kpi.invalid_rows (module.c): rows whose values contradict each other
 * (closed before created, active_until before active_from) are an error
 * (the default) or, with skip, left out of the KPI they break and counted.
 */
typedef enum KpiInvalidRows
{
	KPI_INVALID_ERROR = 0,
	KPI_INVALID_SKIP = 1
} KpiInvalidRows;

extern int	kpi_invalid_rows;

/* ---- argument checks (22023) ---- */

/* v in [0, 1] */
extern void kpi_check_ratio(double v, const char *fname, const char *argname);

/* v finite and >= 0 */
extern void kpi_check_nonneg(double v, const char *fname, const char *argname);

/*
 * Counts of valid states (rows added, or two states merged) beyond the bigint
 * range: 22003 "fname: count out of range", with detail unless NULL.
 */
extern pg_noreturn void kpi_count_overflow(const char *fname, const char *detail);

#endif							/* KPI_VALIDATE_H */
