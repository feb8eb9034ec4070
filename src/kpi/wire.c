/*
 * wire.c - binary send/recv helpers.
 */
#include "kpi/kpi.h"

#include "libpq/pqformat.h"

void
kpi_send_int128(StringInfo buf, int128 v)
{
	pq_sendint64(buf, (int64) (v >> 64));
	pq_sendint64(buf, (int64) (uint64) v);
}

int128
kpi_recv_int128(StringInfo buf, const char *typname)
{
	int64		hi = pq_getmsgint64(buf);
	uint64		lo = (uint64) pq_getmsgint64(buf);
	int128		v = (int128) (((uint128) (uint64) hi << 64) | lo);

	if (v == KPI_INT128_MIN)
		kpi_bad_binary(typname, "A 128-bit field is out of range.");
	return v;
}

void
kpi_recv_count(StringInfo buf, int64 n, int size, const char *typname, const char *detail)
{
	if (n < 0 || n > (int64) (buf->len - buf->cursor) / size)
		kpi_bad_binary(typname, detail);
}

void
kpi_recv_end(StringInfo buf, const char *typname)
{
	if (buf->cursor != buf->len)
		kpi_bad_binary(typname, "Trailing bytes after the last field.");
}
