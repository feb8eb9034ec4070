/*
 * module.c - the module magic block: the one symbol of sales_kpi.so that is
 * not an SQL-callable function (see compat.h on what is exported).
 */
#include "kpi/kpi.h"

PG_MODULE_MAGIC;
