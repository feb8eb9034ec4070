/*
 * hist.h - the mergeable log-linear histogram of durations in microseconds,
 * shared by time in stage (stages/stage_times.c) and response time
 * (leads/response_time.c).  Include kpi/kpi.h, not this file.
 *
 * Values below 128 us have a bucket each (exact); above, each power of two
 * is split into 64 equal buckets, whose midpoint stands for its values.  So
 * every value is represented within 1/128 (0.79%) of itself.  Buckets are
 * numbered 0 .. KPI_HIST_MAX_BUCKET in value order; counts merge by
 * addition, so a histogram is the same however its rows were split.
 */
#ifndef KPI_HIST_H
#define KPI_HIST_H

#include "postgres.h"

#define KPI_HIST_SUB_BITS 6			/* 64 buckets per power of two */
#define KPI_HIST_MAX_BUCKET ((63 - KPI_HIST_SUB_BITS + 1) * 64 + 63)

/* the bucket of value v */
static inline int
kpi_hist_bucket(uint64 v)
{
	int			e;

	if (v < 64)
		return (int) v;
	e = 63 - __builtin_clzll(v);
	return (e - KPI_HIST_SUB_BITS + 1) * 64 + (int) ((v >> (e - KPI_HIST_SUB_BITS)) & 63);
}

/* the smallest value of bucket b */
static inline uint64
kpi_hist_low(int b)
{
	int			e;

	if (b < 64)
		return (uint64) b;
	e = b / 64 + KPI_HIST_SUB_BITS - 1;
	return (uint64) (64 + b % 64) << (e - KPI_HIST_SUB_BITS);
}

/* the number of values of bucket b */
static inline uint64
kpi_hist_width(int b)
{
	return b < 128 ? 1 : UINT64CONST(1) << (b / 64 - 1);
}

/* the value standing for bucket b: its midpoint */
static inline double
kpi_hist_rep(int b)
{
	return (double) kpi_hist_low(b) + (double) (kpi_hist_width(b) - 1) / 2.0;
}

#endif							/* KPI_HIST_H */
