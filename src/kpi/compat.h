/*
 * compat.h - the one place where sales_kpi adapts to PostgreSQL major versions
 * (15, 16, 17 and 18 are supported).  Every PG_VERSION_NUM guard lives here.
 * kpi.h includes it right after postgres.h and fmgr.h, before any other
 * header of ours or of the server.
 */
#ifndef KPI_COMPAT_H
#define KPI_COMPAT_H

#include "postgres.h"
#include "fmgr.h"

#if PG_VERSION_NUM < 150000
#error "sales_kpi needs PostgreSQL 15 or later"
#endif

/*
 * PostgreSQL 18 replaced the trailing pg_attribute_noreturn() by a leading
 * pg_noreturn (C11 _Noreturn).  We write the leading form everywhere and
 * supply it for older majors.
 */
#if PG_VERSION_NUM < 180000 && !defined(pg_noreturn)
#if defined(__GNUC__) || defined(__clang__)
#define pg_noreturn __attribute__((noreturn))
#else
#define pg_noreturn _Noreturn
#endif
#endif

/*
 * Exported symbols.  The module is built with -fvisibility=hidden, so that it
 * exports only what the server looks up by name: the module magic and, for
 * each SQL-callable function, the function and its pg_finfo_ record.  Our
 * other functions then cannot clash with another library loaded into the same
 * backend.  From PostgreSQL 16 on PGDLLEXPORT is visibility("default") and
 * PG_FUNCTION_INFO_V1 declares both symbols with it.  PostgreSQL 15 defines
 * PGDLLEXPORT empty (outside Windows) and declares only the info function with
 * it: supply both as 16 does.  fmgr.h is included above, so this definition of
 * PG_FUNCTION_INFO_V1 is the one every later use expands.
 */
#if PG_VERSION_NUM < 160000 && (defined(__GNUC__) || defined(__clang__)) && !defined(WIN32)
#undef PGDLLEXPORT
#define PGDLLEXPORT __attribute__((visibility("default")))
#undef PG_FUNCTION_INFO_V1
#define PG_FUNCTION_INFO_V1(funcname) \
extern PGDLLEXPORT Datum funcname(PG_FUNCTION_ARGS); \
extern PGDLLEXPORT const Pg_finfo_record * CppConcat(pg_finfo_,funcname)(void); \
const Pg_finfo_record * \
CppConcat(pg_finfo_,funcname) (void) \
{ \
	static const Pg_finfo_record my_finfo = { 1 }; \
	return &my_finfo; \
} \
extern int no_such_variable
#endif

#endif							/* KPI_COMPAT_H */
