/*
 * report.c - kpis(s) and the JSON form of the summary types (report.h).
 *
 * kpis(s) returns the composite type <type>_kpis its SQL declaration names;
 * the casts to json and jsonb build the same record and hand it to
 * row_to_json().  The composite type of a cast is found by name in the
 * schema of the cast function itself, which is the extension's schema
 * whatever search_path says (the extension is relocatable, so the schema
 * cannot be written into the install script).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "kpi/compat.h"
#include "kpi/report.h"

/*
 * A composite type of ours that does not match the C code: the library and
 * the installed SQL objects are of different versions (a half-finished
 * upgrade), or the type was altered.  Reachable by users, so an ereport.
 */
static pg_noreturn void
report_mismatch(const char *msg)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("sales_kpi: %s", msg),
			 errhint("The library and the installed SQL objects are of different versions, or the type was altered: run ALTER EXTENSION sales_kpi UPDATE, or reinstall the extension.")));
}

/* the record's descriptor, checked against the C code's columns */
static void
report_check_desc(TupleDesc desc, const char *typname, const char *const *columns, int ncolumns)
{
	if (desc->natts != ncolumns)
		report_mismatch(psprintf("type %s has %d columns, the extension's library expects %d",
								 typname, desc->natts, ncolumns));
	for (int i = 0; i < ncolumns; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || strcmp(NameStr(att->attname), columns[i]) != 0)
			report_mismatch(psprintf("column %d of type %s is \"%s\", the extension's library expects \"%s\"",
									 i + 1, typname, att->attisdropped ? "(dropped)" : NameStr(att->attname),
									 columns[i]));
	}
}

/* the descriptor of composite type typname in the schema of the calling function */
static TupleDesc
report_desc_by_name(FunctionCallInfo fcinfo, const char *typname)
{
	Oid			nsp;
	Oid			typid;
	TupleDesc	desc;
	MemoryContext old;

	if (fcinfo->flinfo == NULL || !OidIsValid(fcinfo->flinfo->fn_oid))
		elog(ERROR, "sales_kpi: the JSON form of a summary needs the calling function's identity");
	if (fcinfo->flinfo->fn_extra != NULL)
		return (TupleDesc) fcinfo->flinfo->fn_extra;
	nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	typid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum(typname), ObjectIdGetDatum(nsp));
	if (!OidIsValid(typid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("sales_kpi: type %s is missing from the extension's schema", typname),
				 errhint("Reinstall the extension (DROP EXTENSION sales_kpi; CREATE EXTENSION sales_kpi) or run ALTER EXTENSION sales_kpi UPDATE.")));
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	desc = lookup_rowtype_tupdesc_copy(typid, -1);
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = desc;
	return desc;
}

Datum
kpi_report(FunctionCallInfo fcinfo, KpiReportForm form, const char *typname,
		   const char *const *columns, int ncolumns, KpiReportFill fill)
{
	TupleDesc	desc;
	Datum	   *values;
	bool	   *nulls;
	Datum		record;
	Datum		json;

	if (form == KPI_REPORT_RECORD)
	{
		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			report_mismatch(psprintf("kpis() must return the composite type %s", typname));
		desc = BlessTupleDesc(desc);
	}
	else
		desc = report_desc_by_name(fcinfo, typname);
	report_check_desc(desc, typname, columns, ncolumns);

	values = palloc0(sizeof(Datum) * ncolumns);
	nulls = palloc0(sizeof(bool) * ncolumns);
	fill(fcinfo, desc, values, nulls);
	record = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
	if (form == KPI_REPORT_RECORD)
		PG_RETURN_DATUM(record);

	json = DirectFunctionCall1(row_to_json, record);
	if (form == KPI_REPORT_JSON)
		PG_RETURN_DATUM(json);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(text_to_cstring(DatumGetTextPP(json)))));
}

/* fn(args[0..nargs-1]) without flinfo; NULL results included */
static Datum
report_call(PGFunction fn, int nargs, const Datum *args, bool *isnull)
{
	LOCAL_FCINFO(call, 3);
	Datum		result;

	Assert(nargs <= 3);
	InitFunctionCallInfoData(*call, NULL, nargs, InvalidOid, NULL, NULL);
	for (int i = 0; i < nargs; i++)
	{
		call->args[i].value = args[i];
		call->args[i].isnull = false;
	}
	result = fn(call);
	*isnull = call->isnull;
	return result;
}

Datum
kpi_report_call(PGFunction fn, Datum arg, bool *isnull)
{
	return report_call(fn, 1, &arg, isnull);
}

Datum
kpi_report_call2(PGFunction fn, Datum arg0, Datum arg1, bool *isnull)
{
	Datum		args[2] = {arg0, arg1};

	return report_call(fn, 2, args, isnull);
}

Datum
kpi_report_call3(PGFunction fn, Datum arg0, Datum arg1, Datum arg2, bool *isnull)
{
	Datum		args[3] = {arg0, arg1, arg2};

	return report_call(fn, 3, args, isnull);
}

Datum
kpi_report_rows(TupleDesc desc, int attno, int nrows, int ncols, const Datum *values, const bool *nulls)
{
	Oid			elemtype = get_element_type(TupleDescAttr(desc, attno)->atttypid);
	TupleDesc	rowdesc;
	Datum	   *rows;
	ArrayType  *result;

	if (!OidIsValid(elemtype) || !type_is_rowtype(elemtype))
		report_mismatch(psprintf("column \"%s\" is not an array of a composite type",
								 NameStr(TupleDescAttr(desc, attno)->attname)));
	if (nrows == 0)
		return PointerGetDatum(construct_empty_array(elemtype));
	rowdesc = lookup_rowtype_tupdesc(elemtype, -1);
	if (rowdesc->natts != ncols)
		report_mismatch(psprintf("type %s has %d columns, the extension's library expects %d",
								 format_type_be(elemtype), rowdesc->natts, ncols));
	rows = palloc(sizeof(Datum) * nrows);
	for (int r = 0; r < nrows; r++)
		rows[r] = HeapTupleGetDatum(heap_form_tuple(rowdesc, (Datum *) values + (Size) r * ncols,
													(bool *) nulls + (Size) r * ncols));
	ReleaseTupleDesc(rowdesc);
	result = construct_array(rows, nrows, elemtype, -1, false, TYPALIGN_DOUBLE);
	return PointerGetDatum(result);
}
