/*
 * deals.h - the deals family (rows = deals): the deal_summary type
 * (deal_summary.c), which is the state of every deal KPI but hit_ratio(won);
 * the hit ratios (hit_ratio.c); sales velocity (velocity.c).
 */
#ifndef DEALS_H
#define DEALS_H

#include "kpi/kpi.h"

#define DS_VERSION 2				/* 2: time kind and skipped rows; 1 is still read */
#define DS_TYPNAME "deal_summary"

/*
 * The time kind of a summary (DealSummary.time_kind): the TimeKind of its
 * created/closed times, DS_TIME_NONE when no row had a time (or the
 * aggregate takes none), DS_TIME_UNKNOWN when written by 0.1.0 (format
 * version 1 did not record it).  None and unknown merge with any kind.
 */
#define DS_TIME_NONE 0
#define DS_TIME_UNKNOWN 4

/*
 * deal_summary: one fixed-size value with everything the deal KPIs need.
 * The money sums share the storage scale `scale`, each with its display
 * scale (money.h), so sums and averages equal numeric sum()/avg() to the
 * last digit and the inverse transitions know when they cannot be exact.
 */
typedef struct DealSummary
{
	int32		vl_len_;
	uint8		version;
	uint8		time_kind;		/* TimeKind, DS_TIME_NONE or DS_TIME_UNKNOWN (version 1: flags, 0) */
	int16		scale;			/* storage scale of every KpiMoneySum.sum */
	int64		deals;			/* every row */
	int64		won;			/* won = true */
	int64		lost;			/* won = false */
	KpiMoneySum won_amt;
	KpiMoneySum lost_amt;
	KpiMoneySum open_amt;
	KpiMoneySum weighted;		/* sum of amount * probability over open deals */
	int128		cycle_us;		/* sum of closed - created over won deals */
	int64		cycle_n;
	int64		skipped;		/* rows left out of the cycle (closed before created, invalid_rows = skip) */
	int64		time_rows;		/* rows with a created or closed time: the time kind holds while > 0 */
} DealSummary;

/*
 * a deal_summary argument, its size and version checked (its invariants
 * hold: input checks them); a version 1 value is returned as a version 2
 * copy of unknown time kind
 */
extern DealSummary *deals_get(Datum d);

/* announce the skipped rows of s once per aggregate result (a WARNING from a final function) */
extern void deals_warn_skipped(FunctionCallInfo fcinfo, const DealSummary *s, const char *fname);

/*
 * What a transition function is: the SQL aggregate it serves (named in its
 * errors), where it finds its arguments (argument numbers, 0 = not an
 * argument of this function), the SQL types of its amount and probability,
 * and the time kind of its times (DS_TIME_NONE without times;
 * DS_TIME_UNKNOWN for the transitions of 0.1.0's catalog, which served
 * timestamp and timestamptz with one symbol).
 */
typedef struct DsArgs
{
	const char *fname;
	int			amount;
	int			won;
	int			created;
	int			closed;
	int			prob;
	int			kind;
	KpiAmountType amount_type;
	KpiAmountType prob_type;
} DsArgs;

/* one row added (sign = 1) or removed (sign = -1) */
extern Datum deals_accum(FunctionCallInfo fcinfo, int sign, const DsArgs *a);

/*
 * The transition functions, forward (name) and inverse (name_inv), of an
 * aggregate whose state is a deal_summary; each knows statically what it is.
 */
#define DS_TRANSITION(name, ...) \
	PG_FUNCTION_INFO_V1(name); \
	Datum name(PG_FUNCTION_ARGS) \
	{ \
		static const DsArgs a = {__VA_ARGS__}; \
		return deals_accum(fcinfo, 1, &a); \
	} \
	PG_FUNCTION_INFO_V1(name##_inv); \
	Datum name##_inv(PG_FUNCTION_ARGS) \
	{ \
		static const DsArgs a = {__VA_ARGS__}; \
		return deals_accum(fcinfo, -1, &a); \
	} \
	extern int no_such_variable

/*
 * The same once per amount type, as name_<n|f8|f4|i4|i8>: ARGS is the
 * DsArgs initialiser without the amount type.
 */
#define DS_TRANSITION_AMOUNTS(name, ...) \
	DS_TRANSITION(name##_n, __VA_ARGS__, .amount_type = KPI_AMOUNT_NUMERIC); \
	DS_TRANSITION(name##_f8, __VA_ARGS__, .amount_type = KPI_AMOUNT_FLOAT8); \
	DS_TRANSITION(name##_f4, __VA_ARGS__, .amount_type = KPI_AMOUNT_FLOAT4); \
	DS_TRANSITION(name##_i4, __VA_ARGS__, .amount_type = KPI_AMOUNT_INT4); \
	DS_TRANSITION(name##_i8, __VA_ARGS__, .amount_type = KPI_AMOUNT_INT8)

/* the KPIs velocity is the product of: false when undefined */
extern bool deals_hit_ratio(const DealSummary *s, double *ratio);
extern bool deals_cycle_days(const DealSummary *s, double *days);

#endif							/* DEALS_H */
