/*
 * report.h - the reporting forms of the summary types (issue 11 item 11):
 * kpis(s), one record with every accessor's value, and the JSON form (the
 * casts s::json and s::jsonb, which to_json(), to_jsonb() and row_to_json()
 * use for columns of our types).  Both come from one row per summary: the
 * fields of its composite type <type>_kpis, filled by the family's code.
 */
#ifndef KPI_REPORT_H
#define KPI_REPORT_H

#include "postgres.h"
#include "fmgr.h"
#include "access/tupdesc.h"

/* what the entry point returns: the record, json or jsonb */
typedef enum KpiReportForm
{
	KPI_REPORT_RECORD,
	KPI_REPORT_JSON,
	KPI_REPORT_JSONB
} KpiReportForm;

/*
 * fill values[]/nulls[] (desc->natts of them, zeroed) of the record of the
 * summary in argument 0 of fcinfo; desc is the record's descriptor, whose
 * array-of-composite columns are built with kpi_report_rows()
 */
typedef void (*KpiReportFill) (FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls);

/*
 * The entry point of kpis(s), <type>_json(s) or <type>_jsonb(s): typname is
 * the composite type, columns its column names in order (checked: the SQL
 * and the C code must agree), ncolumns their number.
 */
extern Datum kpi_report(FunctionCallInfo fcinfo, KpiReportForm form, const char *typname,
						const char *const *columns, int ncolumns, KpiReportFill fill);

/*
 * the value of an accessor fn(arg) (an SQL-callable function of ours that
 * needs no flinfo), NULL results included
 */
extern Datum kpi_report_call(PGFunction fn, Datum arg, bool *isnull);
extern Datum kpi_report_call2(PGFunction fn, Datum arg0, Datum arg1, bool *isnull);
extern Datum kpi_report_call3(PGFunction fn, Datum arg0, Datum arg1, Datum arg2, bool *isnull);

/*
 * Column attno (0-based) of desc is an array of a composite type: an array
 * of nrows of its records, row r from values[r * ncols ...], nulls the same
 * (ncols must be the composite's number of columns).
 */
extern Datum kpi_report_rows(TupleDesc desc, int attno, int nrows, int ncols,
							 const Datum *values, const bool *nulls);

/* defines the three entry points NAME_kpis, NAME_json, NAME_jsonb */
#define KPI_REPORT_FUNCTIONS(name, typname, columns, fill) \
	PG_FUNCTION_INFO_V1(name##_kpis); \
	PG_FUNCTION_INFO_V1(name##_json); \
	PG_FUNCTION_INFO_V1(name##_jsonb); \
	Datum name##_kpis(PG_FUNCTION_ARGS) \
	{ return kpi_report(fcinfo, KPI_REPORT_RECORD, typname, columns, lengthof(columns), fill); } \
	Datum name##_json(PG_FUNCTION_ARGS) \
	{ return kpi_report(fcinfo, KPI_REPORT_JSON, typname, columns, lengthof(columns), fill); } \
	Datum name##_jsonb(PG_FUNCTION_ARGS) \
	{ return kpi_report(fcinfo, KPI_REPORT_JSONB, typname, columns, lengthof(columns), fill); } \
	extern int no_such_variable

#endif							/* KPI_REPORT_H */
