/*
 * module.c - the module magic block and the module's one setting,
 * sales_kpi.invalid_rows (validate.h): what the KPIs do with rows whose
 * values contradict each other (a deal closed before it was created, a
 * customer whose end precedes the start).
 */
#include "kpi/kpi.h"

#include "utils/guc.h"

PG_MODULE_MAGIC;

int			kpi_invalid_rows = KPI_INVALID_ERROR;

static const struct config_enum_entry invalid_rows_options[] = {
	{"error", KPI_INVALID_ERROR, false},
	{"skip", KPI_INVALID_SKIP, false},
	{NULL, 0, false}
};

extern PGDLLEXPORT void _PG_init(void);

void
_PG_init(void)
{
	DefineCustomEnumVariable("sales_kpi.invalid_rows",
							 "What sales_kpi does with rows whose values contradict each other.",
							 "error (the default) raises an error naming the values; skip leaves such rows out "
							 "of the KPI they break, counts them in the state and warns once per result.",
							 &kpi_invalid_rows, KPI_INVALID_ERROR, invalid_rows_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("sales_kpi");
}
