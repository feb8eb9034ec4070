/*
 * revenue.h - the revenue family (spec section 2.4, revenue): MRR per
 * customer and month, the five MRR movements, revenue churn, NRR, GRR,
 * cohorts and acquisition economics.
 *
 *   mrr_series       one customer's MRR per month (mrr_series.c), built by
 *                    the aggregate mrr_series(start, end, amount) or
 *                    mrr_series(month, mrr) with GROUP BY customer id
 *   revenue_summary  the customers' monthly MRR, movements, retention pairs
 *                    and cohorts over a month range (revenue_summary.c),
 *                    built by revenue_summary(series, from, to), merged by
 *                    rollup()
 *
 * Months are int32 indexes year * 12 + (month - 1), years 1 to 9999.  A
 * time falls in the month of its calendar date; a timestamptz is read in
 * UTC (its stored value), so results never depend on the session TimeZone.
 */
#ifndef REVENUE_REVENUE_H
#define REVENUE_REVENUE_H

#include "kpi/kpi.h"

#define REV_MIN_MONTH 12		/* 0001-01 */
#define REV_MAX_MONTH (9999 * 12 + 11)	/* 9999-12 */

/* ---- mrr_series ---- */

#define MRR_SERIES_VERSION 1
#define MRR_SERIES_TYPNAME "mrr_series"
#define MRR_SORTED 0x01			/* flags: canonical (see mrr_series.c) */
#define MRR_PRODUCTS 0x02		/* flags: built with a product column (product points may follow) */

/*
 * A point of a series.  kind MRR_POINT_MRR: from month on, the customer's
 * MRR is higher by delta.  kind MRR_POINT_PRODUCT (only with MRR_PRODUCTS):
 * from month on, the customer has `count` more paying subscriptions of the
 * product whose key is `key` (delta holds key in its high and count in its
 * low 64 bits; see mrr_point_key, mrr_point_count).  A canonical series
 * keeps its MRR points first (by month), then its product points (by key,
 * then month).
 */
typedef struct MrrPoint
{
	int128		delta;			/* MRR: at the series' scale; product: key and count */
	int32		month;
	int32		kind;			/* MRR_POINT_MRR or MRR_POINT_PRODUCT */
} MrrPoint;

#define MRR_POINT_MRR 0
#define MRR_POINT_PRODUCT 1

static inline uint64
mrr_point_key(const MrrPoint *p)
{
	return (uint64) ((uint128) p->delta >> 64);
}

static inline int64
mrr_point_count(const MrrPoint *p)
{
	return (int64) (uint64) (uint128) p->delta;
}

static inline int128
mrr_product_delta(uint64 key, int64 count)
{
	return (int128) (((uint128) key << 64) | (uint128) (uint64) count);
}

typedef struct MrrSeries
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;			/* MRR_SORTED */
	int16		scale;			/* scale of every delta: largest dscale of the amounts */
	int32		npoints;
	int32		capacity;		/* points allocated (== npoints when stored) */
	int64		skipped;		/* rows left out under sales_kpi.invalid_rows = skip */
	MrrPoint	points[FLEXIBLE_ARRAY_MEMBER];
} MrrSeries;

#define MRR_SERIES_SIZE(cap) (offsetof(MrrSeries, points) + (Size) (cap) * sizeof(MrrPoint))

/* the MRR points of a canonical series: points[0 .. n) */
static inline int32
mrr_series_nmrr(const MrrSeries *s)
{
	int32		n = s->npoints;

	while (n > 0 && s->points[n - 1].kind != MRR_POINT_MRR)
		n--;
	return n;
}

/* a finished (canonical, fully validated) mrr_series argument; fname refuses anything else */
extern MrrSeries *revenue_series_arg(Datum d, const char *fname);

/*
 * The canonical form of a series whose points may be unsorted (a new value;
 * fname refuses one whose MRR would go negative).
 */
extern MrrSeries *revenue_series_canonical(const MrrSeries *s, const char *fname);

/* ---- revenue_summary (revenue_summary.c), for the one-level form ---- */

/* the month range of the (from_month, to_month) arguments argno, argno + 1 */
extern void revenue_range_args(FunctionCallInfo fcinfo, int argno, const char *fname, int32 *from, int32 *n);
/* a new, empty summary of n months from month from; add one customer's finished series */
extern void *revenue_summary_new(int32 from, int32 n);
extern void revenue_summary_add(void *summary, const MrrSeries *series);

/* ---- months ---- */

/* the month (index) of a time of the given kind; out of years 1..9999 is an error */
extern int32 revenue_month(Datum d, TimeKind kind, FunctionCallInfo fcinfo,
						   const char *fname, const char *argname);
/* the first day of the month as a date Datum */
extern Datum revenue_month_date(int32 month);
/* "YYYY-MM" into buf; and read back from a text form (year, '-', month) */
extern void revenue_append_month(StringInfo buf, int32 month);
extern int32 revenue_kv_month(KvParser *kv);
/* a decimal at the cursor without a key: -?digits[.digits] */
extern void revenue_kv_decimal(KvParser *kv, int128 *v, int *scale);

#endif							/* REVENUE_REVENUE_H */
