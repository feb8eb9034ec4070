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

#endif							/* KPI_COMPAT_H */
