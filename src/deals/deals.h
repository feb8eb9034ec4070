/*
 * deals.h - the deals family (rows = deals): the deal_summary type
 * (deal_summary.c), which is the state of every deal KPI but hit_ratio(won);
 * the hit ratios (hit_ratio.c); sales velocity (velocity.c).
 */
#ifndef DEALS_H
#define DEALS_H

#include "kpi/kpi.h"

#define DS_VERSION 1
#define DS_TYPNAME "deal_summary"

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
	uint8		flags;			/* reserved, 0 */
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
} DealSummary;

/* a deal_summary argument, its size and version checked (its invariants hold: input checks them) */
extern DealSummary *deals_get(Datum d);

/*
 * Where a transition function finds its arguments (argument numbers, 0 =
 * not an argument of this function), and whether its times are dates.
 */
typedef struct DsArgs
{
	int			amount;
	int			won;
	int			created;
	int			closed;
	int			prob;
	bool		is_date;
} DsArgs;

/* one row added (sign = 1) or removed (sign = -1) by the transition fname */
extern Datum deals_accum(FunctionCallInfo fcinfo, int sign, const DsArgs *a, const char *fname);

/*
 * The transition functions, forward and inverse, of an aggregate whose
 * state is a deal_summary.  Timestamp and timestamptz share one C function
 * (both are int64 microseconds); dates have their own.
 */
#define DS_TRANSITION(name, ...) \
	PG_FUNCTION_INFO_V1(name); \
	Datum name(PG_FUNCTION_ARGS) \
	{ \
		static const DsArgs a = {__VA_ARGS__}; \
		return deals_accum(fcinfo, 1, &a, #name); \
	} \
	PG_FUNCTION_INFO_V1(name##_inv); \
	Datum name##_inv(PG_FUNCTION_ARGS) \
	{ \
		static const DsArgs a = {__VA_ARGS__}; \
		return deals_accum(fcinfo, -1, &a, #name); \
	} \
	extern int no_such_variable

/* the KPIs velocity is the product of: false when undefined */
extern bool deals_hit_ratio(const DealSummary *s, double *ratio);
extern bool deals_cycle_days(const DealSummary *s, double *days);

#endif							/* DEALS_H */
