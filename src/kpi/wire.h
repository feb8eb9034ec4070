/*
 * wire.h - helpers of the binary send/recv functions of our types (the rest
 * is libpq/pqformat.h).  Include kpi/kpi.h, not this file.  A malformed
 * binary value is 22P03 (kpi_bad_binary, validate.h); a truncated one is
 * refused by pq_getmsg* itself.
 */
#ifndef KPI_WIRE_H
#define KPI_WIRE_H

#include "postgres.h"
#include "kpi/compat.h"
#include "lib/stringinfo.h"

/* an int128 as two int64, high first; -2^127 is refused on receipt */
extern void kpi_send_int128(StringInfo buf, int128 v);
extern int128 kpi_recv_int128(StringInfo buf, const char *typname);

/*
 * n items of at least size bytes each are announced: refuse a count the
 * remaining bytes cannot hold before allocating for it.
 */
extern void kpi_recv_count(StringInfo buf, int64 n, int size, const char *typname, const char *detail);

/* the value must end where the message ends */
extern void kpi_recv_end(StringInfo buf, const char *typname);

#endif							/* KPI_WIRE_H */
