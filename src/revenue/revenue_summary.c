/*
 * revenue_summary.c - the outer level of the revenue aggregates (spec
 * section 2.4, revenue):
 *
 *   revenue_summary(series mrr_series, from date, to date)  -> revenue_summary
 *   rollup(revenue_summary)                                 -> revenue_summary
 *
 * over the months from month(from) to month(to), both included (N months,
 * at most REV_MAX_RANGE).  Per customer (one mrr_series) the transition
 * reads its MRR L(m) for the months from-1 .. to and adds, exactly:
 *
 *   per month m    MRR, paying customers (MRR > 0), and the five movements
 *                  of m against m-1 with their customer counts:
 *                  new          L(m-1) = 0 < L(m), m the first month ever with MRR > 0
 *                  reactivation L(m-1) = 0 < L(m), not the first
 *                  expansion    0 < L(m-1) < L(m)      (amount L(m) - L(m-1))
 *                  contraction  0 < L(m) < L(m-1)      (amount L(m-1) - L(m))
 *                  churn        L(m-1) > 0 = L(m)      (amount L(m-1))
 *   per pair i<=j  of the customers paying in month i: their MRR in j (NRR),
 *                  their MRR in j capped at their MRR in i (GRR), how many
 *                  churned in a month of (i, j], how many expanded in one,
 *                  how many were cross-sold in one (paid for a product, in
 *                  a month of (i, j], that they did not pay for in month i;
 *                  only from series built with a product column)
 *   per cohort c   of the customers whose first month with MRR > 0 is c
 *   and month j>=c (in the range): how many pay in j, and their MRR in j
 *
 * and MRR and paying customers of the month before the range, so that the
 * identity MRR(m) = MRR(m-1) + new + expansion + reactivation - contraction
 * - churn holds in every month of the range, the first included; the
 * validator checks it (and the counts' one) on every value.
 *
 * Everything is a sum over customers, so summaries of disjoint customer
 * sets merge by adding (rollup, and the combine function of the parallel
 * aggregate): serial, parallel and merged results are identical.
 *
 * Size: 72 bytes + N * 144 + N(N+1)/2 * 88 (36 months: 64 kB), whatever
 * the number of customers.  Cost per customer: O(N) for the months plus
 * O(N) per paying month for the pairs.
 */
#include "revenue/revenue.h"
#include "kpi/report.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"

#define RS_VERSION 1
#define RS_TYPNAME "revenue_summary"
#define REV_MAX_RANGE 240		/* months in one summary (20 years) */

/*
 * Every amount of a summary is at most 2^110 units (10^33): sums over a
 * range's months (at most 240 * 5 of them) then stay far inside int128.
 */
#define REV_MONEY_LIMIT ((int128) 1 << 110)

static int128
rev_add(int128 a, int128 b)
{
	int128		r = kpi_add128(a, b);

	if (r > REV_MONEY_LIMIT)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("revenue_summary: MRR out of range (more than 10^33 units of the smallest decimal place)")));
	return r;
}

/* the five movements, in this order everywhere */
enum
{
	MV_NEW = 0, MV_EXPANSION, MV_CONTRACTION, MV_CHURN, MV_REACTIVATION, MV_COUNT
};
static const char *const mv_names[MV_COUNT] = {"new", "expansion", "contraction", "churn", "reactivation"};

typedef struct MonthCell
{
	int128		mrr;
	int128		amount[MV_COUNT];
	int64		customers;
	int64		count[MV_COUNT];
} MonthCell;

typedef struct PairCell
{
	int128		retained;		/* sum of L(j) over customers paying in i */
	int128		capped;			/* sum of min(L(i), L(j)) */
	int64		churned;		/* of those, churned in a month of (i, j] */
	int64		upsold;			/* of those, expanded in a month of (i, j] */
} PairCell;

typedef struct CohortCell
{
	int128		mrr;			/* MRR in month j of the cohort's customers */
	int64		customers;		/* of the cohort, paying in month j */
	int64		pad;			/* 0 */
} CohortCell;

typedef struct RevenueSummary
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;			/* reserved, 0 */
	int16		scale;			/* of every amount: largest scale of the series */
	int32		from_month;
	int32		nmonths;
	int32		pad;			/* 0 */
	int64		series;			/* customers (series) added */
	int64		skipped;		/* rows the series left out (invalid_rows = skip) */
	int128		prev_mrr;		/* MRR of the month before the range */
	int64		prev_customers;
	int64		product_series; /* of the series, those built with a product column */
	/* MonthCell[nmonths], PairCell[T], CohortCell[T], int64 crosssold[T] follow, T = N(N+1)/2 */
} RevenueSummary;

StaticAssertDecl(sizeof(RevenueSummary) == 72, "RevenueSummary header is 72 bytes");
StaticAssertDecl(sizeof(MonthCell) == 144, "MonthCell is 144 bytes");
StaticAssertDecl(sizeof(PairCell) == 48, "PairCell is 48 bytes");
StaticAssertDecl(sizeof(CohortCell) == 32, "CohortCell is 32 bytes");
StaticAssertDecl(offsetof(RevenueSummary, version) == VARHDRSZ, "the version follows the length word");

#define RS_PAIRS(n) ((Size) (n) * ((n) + 1) / 2)
#define RS_SIZE(n) (sizeof(RevenueSummary) + (Size) (n) * sizeof(MonthCell) + RS_PAIRS(n) * (sizeof(PairCell) + sizeof(CohortCell) + sizeof(int64)))
#define RS_MONTHS(s) ((MonthCell *) ((char *) (s) + sizeof(RevenueSummary)))
#define RS_PAIR(s) ((PairCell *) ((char *) RS_MONTHS(s) + (Size) (s)->nmonths * sizeof(MonthCell)))
#define RS_COHORT(s) ((CohortCell *) ((char *) RS_PAIR(s) + RS_PAIRS((s)->nmonths) * sizeof(PairCell)))
/* per pair (i, j): of the customers paying in i, those cross-sold in a month of (i, j] */
#define RS_CROSS(s) ((int64 *) ((char *) RS_COHORT(s) + RS_PAIRS((s)->nmonths) * sizeof(CohortCell)))

/* index of the pair (i, j), 0 <= i <= j < n: rows of i, each from j = i */
static inline Size
pair_index(int n, int i, int j)
{
	return (Size) i * n - (Size) i * (i - 1) / 2 + (j - i);
}

/* ---- the rules ---- */

static const char *
rs_broken(const void *value)
{
	const RevenueSummary *s = value;
	const MonthCell *mc;
	const PairCell *pc;
	const CohortCell *cc;
	const int64 *xc;
	int			n = s->nmonths;
	int128		prev;
	int64		prevn;

	if (s->version != RS_VERSION)
		return "Unsupported format version.";
	if (s->flags != 0 || s->pad != 0)
		return "Unknown flag bits are set.";
	if (s->scale < 0 || s->scale > KPI_MAX_SCALE)
		return "Scale out of range.";
	if (n < 1 || n > REV_MAX_RANGE || s->from_month < REV_MIN_MONTH ||
		s->from_month > REV_MAX_MONTH - n + 1)
		return psprintf("The month range must lie in the years 1 to 9999 and span 1 to %d months.", REV_MAX_RANGE);
	if (VARSIZE(s) != RS_SIZE(n))
		return "The size does not match the month range.";
	if (s->series < 0 || s->skipped < 0 || s->prev_customers < 0 || s->prev_customers > s->series ||
		s->product_series < 0 || s->product_series > s->series)
		return "Counts must be non-negative and at most the number of series.";
	if (s->prev_mrr < 0 || s->prev_mrr > REV_MONEY_LIMIT || (s->prev_customers == 0) != (s->prev_mrr == 0))
		return "The MRR before the range must be positive exactly when customers paid then.";
	mc = RS_MONTHS(s);
	pc = RS_PAIR(s);
	cc = RS_COHORT(s);
	xc = RS_CROSS(s);
	prev = s->prev_mrr;
	prevn = s->prev_customers;
	for (int m = 0; m < n; m++)
	{
		const MonthCell *c = &mc[m];
		int128		expect = prev;
		int64		expectn = prevn;

		if (c->mrr < 0 || c->mrr > REV_MONEY_LIMIT || c->customers < 0 || c->customers > s->series ||
			(c->customers == 0) != (c->mrr == 0))
			return "A month's MRR must be positive exactly when it has paying customers.";
		for (int k = 0; k < MV_COUNT; k++)
		{
			if (c->count[k] < 0 || c->count[k] > s->series || c->amount[k] < 0 ||
				(c->count[k] == 0) != (c->amount[k] == 0))
				return psprintf("A month's %s movement must have a positive amount exactly when it has customers.",
								mv_names[k]);
			if (c->amount[k] > REV_MONEY_LIMIT)
				return "A movement amount is out of range.";
		}
		expect += c->amount[MV_NEW] + c->amount[MV_EXPANSION] + c->amount[MV_REACTIVATION] -
			c->amount[MV_CONTRACTION] - c->amount[MV_CHURN];
		expectn += c->count[MV_NEW] + c->count[MV_REACTIVATION] - c->count[MV_CHURN];
		if (expect != c->mrr || expectn != c->customers)
			return psprintf("MRR or customers of month %d break the identity MRR(m) = MRR(m-1) + new + expansion + reactivation - contraction - churn.", m + 1);
		if (c->count[MV_EXPANSION] + c->count[MV_CONTRACTION] + c->count[MV_CHURN] > prevn)
			return "More customers moved than paid the month before.";
		prev = c->mrr;
		prevn = c->customers;
	}
	for (int i = 0; i < n; i++)
	{
		for (int j = i; j < n; j++)
		{
			const PairCell *p = &pc[pair_index(n, i, j)];
			const CohortCell *q = &cc[pair_index(n, i, j)];
			int64		x = xc[pair_index(n, i, j)];

			if (j == i && (p->retained != mc[i].mrr || p->capped != mc[i].mrr || p->churned != 0 || p->upsold != 0))
				return "A month's retained MRR must equal its MRR.";
			if (p->capped < 0 || p->capped > p->retained || p->capped > mc[i].mrr ||
				p->churned < 0 || p->churned > mc[i].customers ||
				p->upsold < 0 || p->upsold > mc[i].customers ||
				(j > i && (p->churned < pc[pair_index(n, i, j - 1)].churned ||
						   p->upsold < pc[pair_index(n, i, j - 1)].upsold)))
				return "Retention cells must lie between 0 and the starting month's MRR and customers.";
			if (p->retained > REV_MONEY_LIMIT)
				return "Retained MRR is out of range.";
			if (x < 0 || x > mc[i].customers || x > s->product_series || (j == i && x != 0) ||
				(j > i && x < xc[pair_index(n, i, j - 1)]))
				return "Cross-sold customers must lie between 0 and the starting month's customers, rising with the end month.";
			if (q->pad != 0 || q->mrr < 0 || q->customers < 0 ||
				q->customers > mc[i].count[MV_NEW] || q->customers > mc[j].customers ||
				(q->customers == 0) != (q->mrr == 0) || q->mrr > mc[j].mrr ||
				(j == i && (q->customers != mc[i].count[MV_NEW] || q->mrr != mc[i].amount[MV_NEW])))
				return "Cohort cells must lie between 0 and the cohort's new customers and the month's MRR.";
		}
	}
	return NULL;
}

static RevenueSummary *
rs_get(Datum d)
{
	RevenueSummary *s = kpi_stored(d, RS_VERSION, sizeof(RevenueSummary), RS_TYPNAME);

	if (s->nmonths < 1 || s->nmonths > REV_MAX_RANGE || VARSIZE(s) != RS_SIZE(s->nmonths))
		kpi_corrupt(RS_TYPNAME);
	return s;
}

static RevenueSummary *
rs_valid(Datum d, const char *fname)
{
	return kpi_valid(rs_get(d), rs_broken, fname, RS_TYPNAME);
}

static RevenueSummary *
rs_new(int32 from, int32 n)
{
	RevenueSummary *s = palloc0(RS_SIZE(n));

	SET_VARSIZE(s, RS_SIZE(n));
	s->version = RS_VERSION;
	s->from_month = from;
	s->nmonths = n;
	return s;
}

static RevenueSummary *
rs_copy(const RevenueSummary *s)
{
	RevenueSummary *q = palloc(VARSIZE(s));

	memcpy(q, s, VARSIZE(s));
	return q;
}

/* every amount of s rescaled to scale (>= s->scale) */
static void
rs_raise(RevenueSummary *s, int scale)
{
	MonthCell  *mc = RS_MONTHS(s);
	PairCell   *pc = RS_PAIR(s);
	CohortCell *cc = RS_COHORT(s);
	int			from = s->scale;

	if (scale <= from)
		return;
	s->prev_mrr = kpi_rescale(s->prev_mrr, from, scale);
	for (int m = 0; m < s->nmonths; m++)
	{
		mc[m].mrr = kpi_rescale(mc[m].mrr, from, scale);
		for (int k = 0; k < MV_COUNT; k++)
			mc[m].amount[k] = kpi_rescale(mc[m].amount[k], from, scale);
	}
	for (Size t = 0; t < RS_PAIRS(s->nmonths); t++)
	{
		pc[t].retained = kpi_rescale(pc[t].retained, from, scale);
		pc[t].capped = kpi_rescale(pc[t].capped, from, scale);
		cc[t].mrr = kpi_rescale(cc[t].mrr, from, scale);
	}
	s->scale = (int16) scale;
}

static void
count_add(int64 *a, int64 b)
{
	if (pg_add_s64_overflow(*a, b, a))
		kpi_count_overflow(RS_TYPNAME, NULL);
}

/* the month range of (from, to) arguments argno, argno + 1 */
void
revenue_range_args(FunctionCallInfo fcinfo, int argno, const char *fname, int32 *from, int32 *n)
{
	int32		f,
				t;

	if (PG_ARGISNULL(argno) || PG_ARGISNULL(argno + 1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: from_month and to_month must not be NULL", fname),
				 errhint("Pass the first and the last month of the range, e.g. '2024-01-01', '2026-12-01'.")));
	f = revenue_month(PG_GETARG_DATUM(argno), TIME_DATE, fcinfo, fname, "from_month");
	t = revenue_month(PG_GETARG_DATUM(argno + 1), TIME_DATE, fcinfo, fname, "to_month");
	if (t < f || t - f + 1 > REV_MAX_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the range from_month to to_month must span 1 to %d months, got %d",
						fname, REV_MAX_RANGE, t - f + 1),
				 errhint("Pass to_month >= from_month, at most %d months later; summarise longer histories in several ranges.",
						 REV_MAX_RANGE)));
	*from = f;
	*n = t - f + 1;
}

/* whether every series of s was built with a product column (the cross-sell rate needs it) */
static inline bool
rs_has_products(const RevenueSummary *s)
{
	return s->product_series == s->series;
}

/* ---- one customer ---- */

/*
 * Cross-sell of one customer with product points (points[nmrr ..]): for
 * each month i it pays in (lv[i + 1] > 0), the first month x > i in which
 * it pays for a product it did not pay for in month i; the pairs (i, j),
 * j >= x, count it.  A product that lapsed and returns counts as added when
 * it was not paid for in month i.
 */
static void
rs_add_cross_sell(RevenueSummary *s, const MrrSeries *ser, int32 nmrr, const int128 *lv)
{
	int			n = s->nmonths;
	int32		from = s->from_month;
	int64	   *xc = RS_CROSS(s);
	int32		first_add[REV_MAX_RANGE];	/* index of x for month index i; n: none in range */
	bool		paid[REV_MAX_RANGE];	/* the product is paid for in month index k */

	for (int i = 0; i < n; i++)
		first_add[i] = n;
	for (int p = nmrr; p < ser->npoints;)
	{
		uint64		key = mrr_point_key(&ser->points[p]);
		int64		c = 0;
		int			q = p;

		/* the months of the range this product is paid for */
		for (int k = 0; k < n; k++)
		{
			int32		m = from + k;

			while (q < ser->npoints && mrr_point_key(&ser->points[q]) == key && ser->points[q].month <= m)
				c += mrr_point_count(&ser->points[q++]);
			paid[k] = c > 0;
		}
		while (q < ser->npoints && mrr_point_key(&ser->points[q]) == key)
			q++;
		p = q;
		/* for each month i it is not paid for in, the next month it is */
		for (int i = n - 1, next = n; i >= 0; i--)
		{
			if (!paid[i] && next < first_add[i])
				first_add[i] = next;
			if (paid[i])
				next = i;
		}
	}
	for (int i = 0; i < n; i++)
	{
		if (lv[i + 1] <= 0 || first_add[i] >= n)
			continue;
		for (int j = first_add[i]; j < n; j++)
			xc[pair_index(n, i, j)]++;
	}
}

static void
rs_add_series(RevenueSummary *s, const MrrSeries *ser)
{
	int			n = s->nmonths;
	int32		from = s->from_month;
	int128		level = 0;
	int			pi = 0;
	int32		first = ser->npoints > 0 ? ser->points[0].month : 0;
	MonthCell  *mc;
	PairCell   *pc = RS_PAIR(s);
	CohortCell *cc = RS_COHORT(s);
	int128		lv[REV_MAX_RANGE + 1];	/* L(from - 1 + k), k = 0..n */
	int32		nmrr = mrr_series_nmrr(ser);

	count_add(&s->series, 1);
	count_add(&s->skipped, ser->skipped);
	if (ser->flags & MRR_PRODUCTS)
		count_add(&s->product_series, 1);
	if (nmrr == 0)
		return;
	rs_raise(s, ser->scale);
	lv[0] = 0;
	for (int k = 0; k <= n; k++)
	{
		int32		m = from - 1 + k;

		while (pi < nmrr && ser->points[pi].month <= m)
			level += ser->points[pi++].delta;
		lv[k] = kpi_rescale(level, ser->scale, s->scale);
		if (lv[k] > REV_MONEY_LIMIT)
			rev_add(lv[k], 0);
	}
	mc = RS_MONTHS(s);
	if (lv[0] > 0)
	{
		s->prev_mrr = rev_add(s->prev_mrr, lv[0]);
		s->prev_customers++;
	}
	for (int k = 0; k < n; k++)
	{
		int128		a = lv[k];
		int128		b = lv[k + 1];
		MonthCell  *c = &mc[k];
		int			mv = -1;
		int128		amt = 0;

		if (b > 0)
		{
			c->mrr = rev_add(c->mrr, b);
			c->customers++;
		}
		if (a == 0 && b > 0)
		{
			mv = first == from + k ? MV_NEW : MV_REACTIVATION;
			amt = b;
		}
		else if (a > 0 && b == 0)
			mv = MV_CHURN, amt = a;
		else if (a > 0 && b > a)
			mv = MV_EXPANSION, amt = b - a;
		else if (b > 0 && b < a)
			mv = MV_CONTRACTION, amt = a - b;
		if (mv >= 0)
		{
			c->amount[mv] = rev_add(c->amount[mv], amt);
			c->count[mv]++;
		}
	}
	/* pairs (i, j) for the months i the customer pays in */
	for (int i = 0; i < n; i++)
	{
		int128		li = lv[i + 1];
		bool		churned = false;
		bool		upsold = false;
		PairCell   *p;

		if (li <= 0)
			continue;
		p = &pc[pair_index(n, i, i)];
		for (int j = i; j < n; j++, p++)
		{
			int128		lj = lv[j + 1];

			if (j > i)
			{
				if (lv[j] > 0 && lj == 0)
					churned = true;
				else if (lv[j] > 0 && lj > lv[j])
					upsold = true;
			}
			if (lj > 0)
			{
				p->retained = rev_add(p->retained, lj);
				p->capped = rev_add(p->capped, Min(li, lj));
			}
			p->churned += churned;
			p->upsold += upsold;
		}
	}
	if (nmrr < ser->npoints)
		rs_add_cross_sell(s, ser, nmrr, lv);
	/* the customer's cohort, when its first month lies in the range */
	if (first >= from && first < from + n)
	{
		int			c0 = first - from;
		CohortCell *q = &cc[pair_index(n, c0, c0)];

		for (int j = c0; j < n; j++, q++)
		{
			if (lv[j + 1] > 0)
			{
				q->mrr = rev_add(q->mrr, lv[j + 1]);
				q->customers++;
			}
		}
	}
}

void *
revenue_summary_new(int32 from, int32 n)
{
	return rs_new(from, n);
}

void
revenue_summary_add(void *summary, const MrrSeries *series)
{
	rs_add_series((RevenueSummary *) summary, series);
}

/* ---- the aggregate ---- */

PG_FUNCTION_INFO_V1(revenue_summary_accum);
PG_FUNCTION_INFO_V1(revenue_summary_rollup);

/* (state, series, from_month date, to_month date) */
Datum
revenue_summary_accum(PG_FUNCTION_ARGS)
{
	const char *fname = "revenue_summary";
	bool		inagg = AggCheckCallContext(fcinfo, NULL) != 0;
	int32		from,
				n;
	RevenueSummary *s;
	MrrSeries  *ser;

	revenue_range_args(fcinfo, 2, fname, &from, &n);
	if (PG_ARGISNULL(0))
		s = rs_new(from, n);
	else
	{
		s = rs_get(PG_GETARG_DATUM(0));
		if (!inagg)
			s = rs_copy(rs_valid(PG_GETARG_DATUM(0), fname));
		else
			s = kpi_writable(fcinfo, 0, s);
		if (s->from_month != from || s->nmonths != n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: from_month and to_month must be the same in every row", fname)));
	}
	/* a customer without a series (no rows) is left out */
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);
	ser = revenue_series_arg(PG_GETARG_DATUM(1), fname);
	rs_add_series(s, ser);
	PG_RETURN_POINTER(s);
}

/* merge summaries of disjoint customer sets: every cell adds up */
Datum
revenue_summary_rollup(PG_FUNCTION_ARGS)
{
	const char *fname = "rollup(revenue_summary)";
	RevenueSummary *a;
	RevenueSummary *b;
	MonthCell  *ma,
			   *mb;
	PairCell   *pa,
			   *pb;
	CohortCell *ca,
			   *cb;

	if (!PG_ARGISNULL(0))
		rs_valid(PG_GETARG_DATUM(0), fname);
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	b = rs_valid(PG_GETARG_DATUM(1), fname);
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(rs_copy(b));
	a = rs_get(PG_GETARG_DATUM(0));
	a = AggCheckCallContext(fcinfo, NULL) ? kpi_writable(fcinfo, 0, a) : rs_copy(a);
	if (a->from_month != b->from_month || a->nmonths != b->nmonths)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: cannot merge summaries of different month ranges", fname),
				 errhint("Build every summary with the same from_month and to_month.")));
	rs_raise(a, b->scale);
#define MONEY(x) kpi_rescale(x, b->scale, a->scale)
	count_add(&a->series, b->series);
	count_add(&a->skipped, b->skipped);
	a->prev_mrr = rev_add(a->prev_mrr, MONEY(b->prev_mrr));
	count_add(&a->prev_customers, b->prev_customers);
	count_add(&a->product_series, b->product_series);
	ma = RS_MONTHS(a);
	mb = RS_MONTHS(b);
	for (int m = 0; m < a->nmonths; m++)
	{
		ma[m].mrr = rev_add(ma[m].mrr, MONEY(mb[m].mrr));
		count_add(&ma[m].customers, mb[m].customers);
		for (int k = 0; k < MV_COUNT; k++)
		{
			ma[m].amount[k] = rev_add(ma[m].amount[k], MONEY(mb[m].amount[k]));
			count_add(&ma[m].count[k], mb[m].count[k]);
		}
	}
	pa = RS_PAIR(a);
	pb = RS_PAIR(b);
	ca = RS_COHORT(a);
	cb = RS_COHORT(b);
	for (Size t = 0; t < RS_PAIRS(a->nmonths); t++)
	{
		pa[t].retained = rev_add(pa[t].retained, MONEY(pb[t].retained));
		pa[t].capped = rev_add(pa[t].capped, MONEY(pb[t].capped));
		count_add(&pa[t].churned, pb[t].churned);
		count_add(&pa[t].upsold, pb[t].upsold);
		ca[t].mrr = rev_add(ca[t].mrr, MONEY(cb[t].mrr));
		count_add(&ca[t].customers, cb[t].customers);
		count_add(&RS_CROSS(a)[t], RS_CROSS(b)[t]);
	}
#undef MONEY
	PG_RETURN_POINTER(a);
}

/* ---- I/O ----
 *
 * text: (version=1,from=2024-01,months=N,scale=2,series=S,skipped=K,
 *        products=P,prev=(mrr,customers),
 *        months=[(mrr,customers,new,n,expansion,n,contraction,n,churn,n,reactivation,n),...],
 *        pairs=[(retained,capped,churned,upsold),...]   row by row: (i, i..N-1)
 *        cohorts=[(customers,mrr),...],                 the same order
 *        crosssold=[n,...])                             the same order
 * binary: the same fields in the same order; int128 as two int64.
 */
PG_FUNCTION_INFO_V1(revenue_summary_in);
PG_FUNCTION_INFO_V1(revenue_summary_out);
PG_FUNCTION_INFO_V1(revenue_summary_recv);
PG_FUNCTION_INFO_V1(revenue_summary_send);

static int128
kv_money(KvParser *kv, int scale)
{
	int128		v;
	int			sc;

	revenue_kv_decimal(kv, &v, &sc);
	if (sc > scale)
		kpi_kv_fail(kv, "An amount has more decimal places than the scale");
	return kpi_rescale(v, sc, scale);
}

static int64
kv_count(KvParser *kv)
{
	return kpi_kv_number(kv, 0, PG_INT64_MAX, "a count");
}

Datum
revenue_summary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	int32		from;
	int64		n;
	int			scale;
	RevenueSummary *s;
	MonthCell  *mc;
	PairCell   *pc;
	CohortCell *cc;

	kpi_kv_begin(&kv, str, RS_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != RS_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	kpi_kv_key(&kv, "from");
	from = revenue_kv_month(&kv);
	kpi_kv_key(&kv, "months");
	n = kpi_kv_number(&kv, 1, REV_MAX_RANGE, "months");
	if (from > REV_MAX_MONTH - n + 1)
		kpi_kv_fail(&kv, "The range ends after 9999-12");
	kpi_kv_key(&kv, "scale");
	scale = (int) kpi_kv_number(&kv, 0, KPI_MAX_SCALE, "scale");
	s = rs_new(from, (int32) n);
	s->scale = (int16) scale;
	s->series = kpi_kv_int64(&kv, "series", 0);
	s->skipped = kpi_kv_int64(&kv, "skipped", 0);
	s->product_series = kpi_kv_int64(&kv, "products", 0);
	kpi_kv_key(&kv, "prev");
	kpi_kv_char(&kv, '(');
	s->prev_mrr = kv_money(&kv, scale);
	kpi_kv_char(&kv, ',');
	s->prev_customers = kv_count(&kv);
	kpi_kv_char(&kv, ')');
	mc = RS_MONTHS(s);
	pc = RS_PAIR(s);
	cc = RS_COHORT(s);
	kpi_kv_key(&kv, "month");
	kpi_kv_char(&kv, '[');
	for (int m = 0; m < n; m++)
	{
		if (m)
			kpi_kv_char(&kv, ',');
		kpi_kv_char(&kv, '(');
		mc[m].mrr = kv_money(&kv, scale);
		kpi_kv_char(&kv, ',');
		mc[m].customers = kv_count(&kv);
		for (int k = 0; k < MV_COUNT; k++)
		{
			kpi_kv_char(&kv, ',');
			mc[m].amount[k] = kv_money(&kv, scale);
			kpi_kv_char(&kv, ',');
			mc[m].count[k] = kv_count(&kv);
		}
		kpi_kv_char(&kv, ')');
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_key(&kv, "pairs");
	kpi_kv_char(&kv, '[');
	for (Size t = 0; t < RS_PAIRS(n); t++)
	{
		if (t)
			kpi_kv_char(&kv, ',');
		kpi_kv_char(&kv, '(');
		pc[t].retained = kv_money(&kv, scale);
		kpi_kv_char(&kv, ',');
		pc[t].capped = kv_money(&kv, scale);
		kpi_kv_char(&kv, ',');
		pc[t].churned = kv_count(&kv);
		kpi_kv_char(&kv, ',');
		pc[t].upsold = kv_count(&kv);
		kpi_kv_char(&kv, ')');
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_key(&kv, "cohorts");
	kpi_kv_char(&kv, '[');
	for (Size t = 0; t < RS_PAIRS(n); t++)
	{
		if (t)
			kpi_kv_char(&kv, ',');
		kpi_kv_char(&kv, '(');
		cc[t].customers = kv_count(&kv);
		kpi_kv_char(&kv, ',');
		cc[t].mrr = kv_money(&kv, scale);
		kpi_kv_char(&kv, ')');
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_key(&kv, "crosssold");
	kpi_kv_char(&kv, '[');
	for (Size t = 0; t < RS_PAIRS(n); t++)
	{
		if (t)
			kpi_kv_char(&kv, ',');
		RS_CROSS(s)[t] = kv_count(&kv);
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_end(&kv);
	kpi_check_text(rs_broken(s), RS_TYPNAME, str);
	PG_RETURN_POINTER(s);
}

Datum
revenue_summary_out(PG_FUNCTION_ARGS)
{
	RevenueSummary *s = rs_get(PG_GETARG_DATUM(0));
	MonthCell  *mc = RS_MONTHS(s);
	PairCell   *pc = RS_PAIR(s);
	CohortCell *cc = RS_COHORT(s);
	StringInfoData buf;
	int			sc = s->scale;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,from=", s->version);
	revenue_append_month(&buf, s->from_month);
	appendStringInfo(&buf, ",months=%d,scale=%d,series=" INT64_FORMAT ",skipped=" INT64_FORMAT
					 ",products=" INT64_FORMAT ",prev=(",
					 s->nmonths, sc, s->series, s->skipped, s->product_series);
	kpi_append_decimal(&buf, s->prev_mrr, sc);
	appendStringInfo(&buf, "," INT64_FORMAT "),month=[", s->prev_customers);
	for (int m = 0; m < s->nmonths; m++)
	{
		appendStringInfoString(&buf, m ? ",(" : "(");
		kpi_append_decimal(&buf, mc[m].mrr, sc);
		appendStringInfo(&buf, "," INT64_FORMAT, mc[m].customers);
		for (int k = 0; k < MV_COUNT; k++)
		{
			appendStringInfoChar(&buf, ',');
			kpi_append_decimal(&buf, mc[m].amount[k], sc);
			appendStringInfo(&buf, "," INT64_FORMAT, mc[m].count[k]);
		}
		appendStringInfoChar(&buf, ')');
	}
	appendStringInfoString(&buf, "],pairs=[");
	for (Size t = 0; t < RS_PAIRS(s->nmonths); t++)
	{
		appendStringInfoString(&buf, t ? ",(" : "(");
		kpi_append_decimal(&buf, pc[t].retained, sc);
		appendStringInfoChar(&buf, ',');
		kpi_append_decimal(&buf, pc[t].capped, sc);
		appendStringInfo(&buf, "," INT64_FORMAT "," INT64_FORMAT ")", pc[t].churned, pc[t].upsold);
	}
	appendStringInfoString(&buf, "],cohorts=[");
	for (Size t = 0; t < RS_PAIRS(s->nmonths); t++)
	{
		appendStringInfo(&buf, "%s(" INT64_FORMAT ",", t ? "," : "", cc[t].customers);
		kpi_append_decimal(&buf, cc[t].mrr, sc);
		appendStringInfoChar(&buf, ')');
	}
	appendStringInfoString(&buf, "],crosssold=[");
	for (Size t = 0; t < RS_PAIRS(s->nmonths); t++)
		appendStringInfo(&buf, "%s" INT64_FORMAT, t ? "," : "", RS_CROSS(s)[t]);
	appendStringInfoString(&buf, "])");
	PG_RETURN_CSTRING(buf.data);
}

Datum
revenue_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	RevenueSummary *s;
	int			flags,
				scale;
	int32		from,
				n;
	MonthCell  *mc;
	PairCell   *pc;
	CohortCell *cc;

	if (pq_getmsgbyte(buf) != RS_VERSION)
		kpi_bad_binary(RS_TYPNAME, "Unsupported format version.");
	flags = pq_getmsgbyte(buf);
	if (flags != 0)
		kpi_bad_binary(RS_TYPNAME, "Unknown flag bits are set.");
	scale = pq_getmsgint(buf, 2);
	from = pq_getmsgint(buf, 4);
	n = pq_getmsgint(buf, 4);
	if (n < 1 || n > REV_MAX_RANGE)
		kpi_bad_binary(RS_TYPNAME, "Number of months out of range.");
	s = rs_new(from, n);
	s->scale = (int16) scale;
	s->series = pq_getmsgint64(buf);
	s->skipped = pq_getmsgint64(buf);
	s->product_series = pq_getmsgint64(buf);
	s->prev_mrr = kpi_recv_int128(buf, RS_TYPNAME);
	s->prev_customers = pq_getmsgint64(buf);
	mc = RS_MONTHS(s);
	pc = RS_PAIR(s);
	cc = RS_COHORT(s);
	for (int m = 0; m < n; m++)
	{
		mc[m].mrr = kpi_recv_int128(buf, RS_TYPNAME);
		mc[m].customers = pq_getmsgint64(buf);
		for (int k = 0; k < MV_COUNT; k++)
		{
			mc[m].amount[k] = kpi_recv_int128(buf, RS_TYPNAME);
			mc[m].count[k] = pq_getmsgint64(buf);
		}
	}
	for (Size t = 0; t < RS_PAIRS(n); t++)
	{
		pc[t].retained = kpi_recv_int128(buf, RS_TYPNAME);
		pc[t].capped = kpi_recv_int128(buf, RS_TYPNAME);
		pc[t].churned = pq_getmsgint64(buf);
		pc[t].upsold = pq_getmsgint64(buf);
	}
	for (Size t = 0; t < RS_PAIRS(n); t++)
	{
		cc[t].customers = pq_getmsgint64(buf);
		cc[t].mrr = kpi_recv_int128(buf, RS_TYPNAME);
	}
	for (Size t = 0; t < RS_PAIRS(n); t++)
		RS_CROSS(s)[t] = pq_getmsgint64(buf);
	kpi_recv_end(buf, RS_TYPNAME);
	kpi_check_binary(rs_broken(s), RS_TYPNAME);
	PG_RETURN_POINTER(s);
}

Datum
revenue_summary_send(PG_FUNCTION_ARGS)
{
	RevenueSummary *s = rs_get(PG_GETARG_DATUM(0));
	MonthCell  *mc = RS_MONTHS(s);
	PairCell   *pc = RS_PAIR(s);
	CohortCell *cc = RS_COHORT(s);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->flags);
	pq_sendint16(&buf, s->scale);
	pq_sendint32(&buf, s->from_month);
	pq_sendint32(&buf, s->nmonths);
	pq_sendint64(&buf, s->series);
	pq_sendint64(&buf, s->skipped);
	pq_sendint64(&buf, s->product_series);
	kpi_send_int128(&buf, s->prev_mrr);
	pq_sendint64(&buf, s->prev_customers);
	for (int m = 0; m < s->nmonths; m++)
	{
		kpi_send_int128(&buf, mc[m].mrr);
		pq_sendint64(&buf, mc[m].customers);
		for (int k = 0; k < MV_COUNT; k++)
		{
			kpi_send_int128(&buf, mc[m].amount[k]);
			pq_sendint64(&buf, mc[m].count[k]);
		}
	}
	for (Size t = 0; t < RS_PAIRS(s->nmonths); t++)
	{
		kpi_send_int128(&buf, pc[t].retained);
		kpi_send_int128(&buf, pc[t].capped);
		pq_sendint64(&buf, pc[t].churned);
		pq_sendint64(&buf, pc[t].upsold);
	}
	for (Size t = 0; t < RS_PAIRS(s->nmonths); t++)
	{
		pq_sendint64(&buf, cc[t].customers);
		kpi_send_int128(&buf, cc[t].mrr);
	}
	for (Size t = 0; t < RS_PAIRS(s->nmonths); t++)
		pq_sendint64(&buf, RS_CROSS(s)[t]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- readers ---- */

/* a summary argument for a reader: every rule checked, skipped rows announced once */
static RevenueSummary *
rs_reader(FunctionCallInfo fcinfo, const char *fname)
{
	RevenueSummary *s = rs_valid(PG_GETARG_DATUM(0), fname);

	(void) fcinfo;
	return s;
}

/* the month of argument argno as an index into s; outside the range is an error */
static int
month_arg(FunctionCallInfo fcinfo, const RevenueSummary *s, int argno, const char *fname, const char *argname)
{
	int32		m = revenue_month(PG_GETARG_DATUM(argno), TIME_DATE, fcinfo, fname, argname);

	if (m < s->from_month || m >= s->from_month + s->nmonths)
	{
		StringInfoData a,
					b;

		initStringInfo(&a);
		initStringInfo(&b);
		revenue_append_month(&a, s->from_month);
		revenue_append_month(&b, s->from_month + s->nmonths - 1);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s lies outside the summary's months %s to %s", fname, argname, a.data, b.data),
				 errhint("Pass a month inside the range the summary was built for, or build it over a wider range.")));
	}
	return m - s->from_month;
}

/* (summary, from_month, to_month) with from <= to, as indexes */
static void
period_args(FunctionCallInfo fcinfo, const RevenueSummary *s, const char *fname, int *i, int *j)
{
	*i = month_arg(fcinfo, s, 1, fname, "from_month");
	*j = month_arg(fcinfo, s, 2, fname, "to_month");
	if (*j < *i)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: to_month must not be before from_month", fname),
				 errhint("Pass the start month first, e.g. nrr(summary, '2024-01-01', '2025-01-01').")));
}

static Datum
money(const RevenueSummary *s, int128 v)
{
	return kpi_money_numeric(v, s->scale);
}

static double
ratio128(int128 num, int128 den)
{
	return (double) num / (double) den;
}

PG_FUNCTION_INFO_V1(revenue_summary_movements);

/*
 * The row of month m (index) of mrr_movements(summary): month, mrr, arr,
 * customers, the five amounts and counts, net_new_mrr, quick_ratio.
 * mrr_movements() and kpis() both read these rows, so they cannot disagree.
 */
#define MOVEMENT_COLUMNS 16
static void
rs_movement_row(const RevenueSummary *s, int m, Datum *values, bool *nulls)
{
	MonthCell  *c = &RS_MONTHS(s)[m];
	int128		up = c->amount[MV_NEW] + c->amount[MV_EXPANSION] + c->amount[MV_REACTIVATION];
	int128		down = c->amount[MV_CHURN] + c->amount[MV_CONTRACTION];
	int			col = 0;

	memset(nulls, 0, sizeof(bool) * MOVEMENT_COLUMNS);
	values[col++] = revenue_month_date(s->from_month + m);
	values[col++] = money(s, c->mrr);
	values[col++] = money(s, c->mrr * 12);
	values[col++] = Int64GetDatum(c->customers);
	for (int k = 0; k < MV_COUNT; k++)
		values[col++] = money(s, c->amount[k]);
	for (int k = 0; k < MV_COUNT; k++)
		values[col++] = Int64GetDatum(c->count[k]);
	values[col++] = money(s, up - down);
	if (down == 0)
		nulls[col] = true, values[col++] = (Datum) 0;
	else
		values[col++] = Float8GetDatum(ratio128(up, down));
	Assert(col == MOVEMENT_COLUMNS);
}

/* mrr_movements(summary): the rows of rs_movement_row(), one per month */
Datum
revenue_summary_movements(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RevenueSummary *s = rs_reader(fcinfo, "mrr_movements");

	InitMaterializedSRF(fcinfo, 0);
	for (int m = 0; m < s->nmonths; m++)
	{
		Datum		values[MOVEMENT_COLUMNS];
		bool		nulls[MOVEMENT_COLUMNS];

		rs_movement_row(s, m, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* the movements of the months (i, j], summed */
static void
period_sums(const RevenueSummary *s, int i, int j, int128 *amount, int64 *count)
{
	MonthCell  *mc = RS_MONTHS(s);

	for (int k = 0; k < MV_COUNT; k++)
		amount[k] = 0, count[k] = 0;
	for (int m = i + 1; m <= j; m++)
		for (int k = 0; k < MV_COUNT; k++)
		{
			amount[k] += mc[m].amount[k];
			count[k] += mc[m].count[k];
		}
}

enum
{
	PR_GROSS_CHURN, PR_NET_CHURN, PR_NRR, PR_GRR, PR_CUST_CHURN, PR_CUST_RETENTION,
	PR_UPSELL, PR_QUICK, PR_CROSS_SELL
};

/* the ratios over a period (from_month, to_month); NULL when the denominator is 0 */
static Datum
period_ratio(FunctionCallInfo fcinfo, int which, const char *fname)
{
	RevenueSummary *s = rs_reader(fcinfo, fname);
	MonthCell  *mc = RS_MONTHS(s);
	PairCell   *p;
	int			i,
				j;
	int128		amount[MV_COUNT];
	int64		count[MV_COUNT];
	int128		start;
	int64		cust;

	period_args(fcinfo, s, fname, &i, &j);
	p = &RS_PAIR(s)[pair_index(s->nmonths, i, j)];
	start = mc[i].mrr;
	cust = mc[i].customers;
	period_sums(s, i, j, amount, count);
	switch (which)
	{
		case PR_GROSS_CHURN:
			if (start == 0)
				PG_RETURN_NULL();
			PG_RETURN_FLOAT8(ratio128(amount[MV_CHURN] + amount[MV_CONTRACTION], start));
		case PR_NET_CHURN:
			if (start == 0)
				PG_RETURN_NULL();
			PG_RETURN_FLOAT8(ratio128(amount[MV_CHURN] + amount[MV_CONTRACTION] -
									  amount[MV_EXPANSION] - amount[MV_REACTIVATION], start));
		case PR_NRR:
			if (start == 0)
				PG_RETURN_NULL();
			PG_RETURN_FLOAT8(ratio128(p->retained, start));
		case PR_GRR:
			if (start == 0)
				PG_RETURN_NULL();
			PG_RETURN_FLOAT8(ratio128(p->capped, start));
		case PR_CUST_CHURN:
			if (cust == 0)
				PG_RETURN_NULL();
			PG_RETURN_FLOAT8((double) p->churned / (double) cust);
		case PR_CUST_RETENTION:
			if (cust == 0)
				PG_RETURN_NULL();
			PG_RETURN_FLOAT8((double) (cust - p->churned) / (double) cust);
		case PR_UPSELL:
			if (cust == 0)
				PG_RETURN_NULL();
			PG_RETURN_FLOAT8((double) p->upsold / (double) cust);
		case PR_CROSS_SELL:
			if (!rs_has_products(s))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: the summary has no products for " INT64_FORMAT " of its " INT64_FORMAT " customers",
								fname, s->series - s->product_series, s->series),
						 errdetail("The cross-sell rate needs every customer's series built with a product column."),
						 errhint("Build the series with mrr_series(starts_at, ends_at, monthly_amount, product) per customer.")));
			if (cust == 0)
				PG_RETURN_NULL();
			PG_RETURN_FLOAT8((double) RS_CROSS(s)[pair_index(s->nmonths, i, j)] / (double) cust);
		case PR_QUICK:
			{
				int128		down = amount[MV_CHURN] + amount[MV_CONTRACTION];

				if (down == 0)
					PG_RETURN_NULL();
				PG_RETURN_FLOAT8(ratio128(amount[MV_NEW] + amount[MV_EXPANSION] + amount[MV_REACTIVATION], down));
			}
	}
	elog(ERROR, "unknown revenue ratio %d", which);
	PG_RETURN_NULL();
}

KPI_FUNCTION(revenue_summary_gross_revenue_churn, period_ratio, PR_GROSS_CHURN, "gross_revenue_churn");
KPI_FUNCTION(revenue_summary_net_revenue_churn, period_ratio, PR_NET_CHURN, "net_revenue_churn");
KPI_FUNCTION(revenue_summary_nrr, period_ratio, PR_NRR, "nrr");
KPI_FUNCTION(revenue_summary_grr, period_ratio, PR_GRR, "grr");
KPI_FUNCTION(revenue_summary_customer_churn_rate, period_ratio, PR_CUST_CHURN, "customer_churn_rate");
KPI_FUNCTION(revenue_summary_customer_retention_rate, period_ratio, PR_CUST_RETENTION, "customer_retention_rate");
KPI_FUNCTION(revenue_summary_upsell_rate, period_ratio, PR_UPSELL, "upsell_rate");
KPI_FUNCTION(revenue_summary_quick_ratio, period_ratio, PR_QUICK, "quick_ratio");
KPI_FUNCTION(revenue_summary_cross_sell_rate, period_ratio, PR_CROSS_SELL, "cross_sell_rate");

PG_FUNCTION_INFO_V1(revenue_summary_mrr);
PG_FUNCTION_INFO_V1(revenue_summary_arr);
PG_FUNCTION_INFO_V1(revenue_summary_customers);
PG_FUNCTION_INFO_V1(revenue_summary_arpa);
PG_FUNCTION_INFO_V1(revenue_summary_arpa_period);
PG_FUNCTION_INFO_V1(revenue_summary_ltv);
PG_FUNCTION_INFO_V1(revenue_summary_cac);
PG_FUNCTION_INFO_V1(revenue_summary_new_customers);
PG_FUNCTION_INFO_V1(revenue_summary_series);
PG_FUNCTION_INFO_V1(revenue_summary_skipped);
PG_FUNCTION_INFO_V1(revenue_summary_cohorts);

Datum
revenue_summary_mrr(PG_FUNCTION_ARGS)
{
	RevenueSummary *s = rs_reader(fcinfo, "mrr");

	PG_RETURN_DATUM(money(s, RS_MONTHS(s)[month_arg(fcinfo, s, 1, "mrr", "month")].mrr));
}

Datum
revenue_summary_arr(PG_FUNCTION_ARGS)
{
	RevenueSummary *s = rs_reader(fcinfo, "arr");
	int128		v = RS_MONTHS(s)[month_arg(fcinfo, s, 1, "arr", "month")].mrr;

	PG_RETURN_DATUM(money(s, v * 12));
}

Datum
revenue_summary_customers(PG_FUNCTION_ARGS)
{
	RevenueSummary *s = rs_reader(fcinfo, "paying_customers");

	PG_RETURN_INT64(RS_MONTHS(s)[month_arg(fcinfo, s, 1, "paying_customers", "month")].customers);
}

/* arpa(summary, month): MRR / paying customers of the month, exact; NULL without customers */
Datum
revenue_summary_arpa(PG_FUNCTION_ARGS)
{
	RevenueSummary *s = rs_reader(fcinfo, "arpa");
	MonthCell  *c = &RS_MONTHS(s)[month_arg(fcinfo, s, 1, "arpa", "month")];

	if (c->customers == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(kpi_money_avg(c->mrr, s->scale, c->customers));
}

/* the sums of MRR and of paying customers over the months [i, j] */
static void
customer_months(const RevenueSummary *s, int i, int j, int128 *mrr, int64 *cm)
{
	MonthCell  *mc = RS_MONTHS(s);

	*mrr = 0;
	*cm = 0;
	for (int m = i; m <= j; m++)
	{
		*mrr += mc[m].mrr;
		*cm += mc[m].customers;
	}
}

/* arpa(summary, from, to): MRR per paying customer-month over [from, to], exact */
Datum
revenue_summary_arpa_period(PG_FUNCTION_ARGS)
{
	RevenueSummary *s = rs_reader(fcinfo, "arpa");
	int			i,
				j;
	int128		mrr;
	int64		cm;

	period_args(fcinfo, s, "arpa", &i, &j);
	customer_months(s, i, j, &mrr, &cm);
	if (cm == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(kpi_money_avg(mrr, s->scale, cm));
}

/*
 * saas_ltv(summary, from, to) = ARPA / monthly customer churn over the
 * period: ARPA as arpa(summary, from, to), the churn rate the customers
 * churned in the months (from, to] per paying customer-month of [from, to):
 * churned / (sum over m in [from, to - 1] of paying customers(m)).  NULL
 * when nobody churned or nobody paid (from = to included).
 */
Datum
revenue_summary_ltv(PG_FUNCTION_ARGS)
{
	RevenueSummary *s = rs_reader(fcinfo, "saas_ltv");
	int			i,
				j;
	int128		mrr;
	int64		cm;
	int128		amount[MV_COUNT];
	int64		count[MV_COUNT];
	int128		exposure_mrr;
	int64		exposure;
	Datum		arpa;

	period_args(fcinfo, s, "saas_ltv", &i, &j);
	if (j == i)
		PG_RETURN_NULL();
	customer_months(s, i, j, &mrr, &cm);
	customer_months(s, i, j - 1, &exposure_mrr, &exposure);
	period_sums(s, i, j, amount, count);
	if (cm == 0 || exposure == 0 || count[MV_CHURN] == 0)
		PG_RETURN_NULL();
	/* ARPA / (churned / exposure) = ARPA * exposure / churned, in numeric */
	arpa = kpi_money_avg(mrr, s->scale, cm);
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div,
										DirectFunctionCall2(numeric_mul, arpa,
															NumericGetDatum(int64_to_numeric(exposure))),
										NumericGetDatum(int64_to_numeric(count[MV_CHURN]))));
}

/* new customers in the months (from, to] */
Datum
revenue_summary_new_customers(PG_FUNCTION_ARGS)
{
	RevenueSummary *s = rs_reader(fcinfo, "new_customers");
	int			i,
				j;
	int128		amount[MV_COUNT];
	int64		count[MV_COUNT];

	period_args(fcinfo, s, "new_customers", &i, &j);
	period_sums(s, i, j, amount, count);
	PG_RETURN_INT64(count[MV_NEW]);
}

/* cac(summary, spend, from, to) = spend / new customers in (from, to]; NULL without */
Datum
revenue_summary_cac(PG_FUNCTION_ARGS)
{
	RevenueSummary *s = rs_reader(fcinfo, "cac");
	int			i,
				j;
	int128		amount[MV_COUNT];
	int64		count[MV_COUNT];
	Datum		spend = PG_GETARG_DATUM(3);
	int128		v;
	int			sc;

	period_args(fcinfo, s, "cac", &i, &j);
	kpi_numeric_nonneg(spend, fcinfo, "cac", "spend", NULL, &v, &sc);
	period_sums(s, i, j, amount, count);
	if (count[MV_NEW] == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(kpi_money_avg(v, sc, count[MV_NEW]));
}

Datum
revenue_summary_series(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(rs_get(PG_GETARG_DATUM(0))->series);
}

Datum
revenue_summary_skipped(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(rs_get(PG_GETARG_DATUM(0))->skipped);
}

/*
 * The rows of cohort_retention(summary): per cohort (first month with MRR >
 * 0, inside the range) and month since (0 ..): the cohort's customers,
 * those paying then and the share, the cohort's starting MRR, its MRR then
 * and the share.  With values == NULL only counts them; else fills
 * values/nulls (COHORT_COLUMNS per row).  cohort_retention() and kpis()
 * both read these rows, so they cannot disagree.
 */
#define COHORT_COLUMNS 8
static int
rs_cohort_rows(const RevenueSummary *s, Datum *values, bool *nulls)
{
	CohortCell *cc = RS_COHORT(s);
	int			n = s->nmonths;
	int			r = 0;

	for (int c = 0; c < n; c++)
	{
		CohortCell *base = &cc[pair_index(n, c, c)];

		if (base->customers == 0)
			continue;
		for (int j = c; j < n; j++, r++)
		{
			CohortCell *q = &cc[pair_index(n, c, j)];
			Datum	   *v;
			bool	   *nl;

			if (values == NULL)
				continue;
			v = values + (Size) r * COHORT_COLUMNS;
			nl = nulls + (Size) r * COHORT_COLUMNS;
			memset(nl, 0, sizeof(bool) * COHORT_COLUMNS);
			v[0] = revenue_month_date(s->from_month + c);
			v[1] = Int32GetDatum(j - c);
			v[2] = Int64GetDatum(base->customers);
			v[3] = Int64GetDatum(q->customers);
			v[4] = Float8GetDatum((double) q->customers / (double) base->customers);
			v[5] = money(s, base->mrr);
			v[6] = money(s, q->mrr);
			v[7] = Float8GetDatum(ratio128(q->mrr, base->mrr));
		}
	}
	return r;
}

/* cohort_retention(summary): the rows of rs_cohort_rows() */
Datum
revenue_summary_cohorts(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RevenueSummary *s = rs_reader(fcinfo, "cohort_retention");
	int			nrows = rs_cohort_rows(s, NULL, NULL);
	Datum	   *values = palloc(sizeof(Datum) * COHORT_COLUMNS * Max(nrows, 1));
	bool	   *nulls = palloc(sizeof(bool) * COHORT_COLUMNS * Max(nrows, 1));

	InitMaterializedSRF(fcinfo, 0);
	rs_cohort_rows(s, values, nulls);
	for (int r = 0; r < nrows; r++)
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
							 values + (Size) r * COHORT_COLUMNS, nulls + (Size) r * COHORT_COLUMNS);
	return (Datum) 0;
}

/* ---- kpis(revenue_summary), revenue_summary::json and ::jsonb (kpi/report.h) ---- */

/*
 * The columns of revenue_summary_kpis, in order: the range, the readers
 * that take only the summary, the month readers at to_month (the last
 * month), the period readers over (from_month, to_month), the movements
 * and the cohorts.
 */
static const char *const rs_columns[] = {
	"from_month", "to_month", "series_count", "skipped_rows",
	"customers", "mrr", "arr", "arpa",
	"period_arpa", "new_customers", "gross_revenue_churn", "net_revenue_churn", "nrr", "grr",
	"customer_churn_rate", "customer_retention_rate", "upsell_rate", "quick_ratio", "saas_ltv",
	"cross_sell_rate", "movements", "cohorts"
};
static const PGFunction rs_summary_readers[] = {
	revenue_summary_series, revenue_summary_skipped
};
static const PGFunction rs_month_readers[] = {
	revenue_summary_customers, revenue_summary_mrr, revenue_summary_arr, revenue_summary_arpa
};
static const PGFunction rs_period_readers[] = {
	revenue_summary_arpa_period, revenue_summary_new_customers, revenue_summary_gross_revenue_churn,
	revenue_summary_net_revenue_churn, revenue_summary_nrr, revenue_summary_grr,
	revenue_summary_customer_churn_rate, revenue_summary_customer_retention_rate,
	revenue_summary_upsell_rate, revenue_summary_quick_ratio, revenue_summary_ltv
};
StaticAssertDecl(lengthof(rs_columns) == 2 + lengthof(rs_summary_readers) + lengthof(rs_month_readers) +
				 lengthof(rs_period_readers) + 3, "one reader per column but the range, cross_sell_rate and the arrays");

static void
rs_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	/* read (and validate) once: the readers read the same copy */
	RevenueSummary *s = rs_reader(fcinfo, "kpis");
	Datum		d = PointerGetDatum(s);
	Datum		from = revenue_month_date(s->from_month);
	Datum		to = revenue_month_date(s->from_month + s->nmonths - 1);
	int			col = 0;
	int			nrows;
	Datum	   *rv;
	bool	   *rn;

	values[col++] = from;
	values[col++] = to;
	for (int i = 0; i < (int) lengthof(rs_summary_readers); i++, col++)
		values[col] = kpi_report_call(rs_summary_readers[i], d, &nulls[col]);
	for (int i = 0; i < (int) lengthof(rs_month_readers); i++, col++)
		values[col] = kpi_report_call2(rs_month_readers[i], d, to, &nulls[col]);
	for (int i = 0; i < (int) lengthof(rs_period_readers); i++, col++)
		values[col] = kpi_report_call3(rs_period_readers[i], d, from, to, &nulls[col]);
	/* NULL, not the reader's error, for a summary without products */
	if (rs_has_products(s))
		values[col] = kpi_report_call3(revenue_summary_cross_sell_rate, d, from, to, &nulls[col]);
	else
		values[col] = (Datum) 0, nulls[col] = true;
	col++;

	rv = palloc(sizeof(Datum) * MOVEMENT_COLUMNS * s->nmonths);
	rn = palloc(sizeof(bool) * MOVEMENT_COLUMNS * s->nmonths);
	for (int m = 0; m < s->nmonths; m++)
		rs_movement_row(s, m, rv + (Size) m * MOVEMENT_COLUMNS, rn + (Size) m * MOVEMENT_COLUMNS);
	values[col] = kpi_report_rows(desc, col, s->nmonths, MOVEMENT_COLUMNS, rv, rn);
	col++;

	nrows = rs_cohort_rows(s, NULL, NULL);
	rv = palloc(sizeof(Datum) * COHORT_COLUMNS * Max(nrows, 1));
	rn = palloc(sizeof(bool) * COHORT_COLUMNS * Max(nrows, 1));
	rs_cohort_rows(s, rv, rn);
	values[col] = kpi_report_rows(desc, col, nrows, COHORT_COLUMNS, rv, rn);
	col++;
	Assert(col == (int) lengthof(rs_columns));
}

KPI_REPORT_FUNCTIONS(revenue_summary, "revenue_summary_kpis", rs_columns, rs_fill);

/* ---- scalars: acquisition economics ---- */

PG_FUNCTION_INFO_V1(revenue_cac_scalar);
PG_FUNCTION_INFO_V1(revenue_ltv_scalar);
PG_FUNCTION_INFO_V1(revenue_ltv_to_cac);
PG_FUNCTION_INFO_V1(revenue_cac_payback);

static void
nonneg_numeric(Datum d, const char *fname, const char *argname)
{
	int128		v;
	int			sc;

	kpi_numeric_nonneg(d, NULL, fname, argname, NULL, &v, &sc);
}

static bool
numeric_is_zero(Datum d)
{
	return DatumGetBool(DirectFunctionCall2(numeric_eq, d, NumericGetDatum(int64_to_numeric(0))));
}

/* cac(spend, new_customers) = spend / new_customers, exact; NULL when new_customers = 0 */
Datum
revenue_cac_scalar(PG_FUNCTION_ARGS)
{
	int64		n = PG_GETARG_INT64(1);

	nonneg_numeric(PG_GETARG_DATUM(0), "cac", "spend");
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cac: new_customers must not be negative, got " INT64_FORMAT, n)));
	if (n == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, PG_GETARG_DATUM(0), NumericGetDatum(int64_to_numeric(n))));
}

/* saas_ltv(arpa, churn_rate) = arpa / churn_rate; NULL when churn_rate = 0 */
Datum
revenue_ltv_scalar(PG_FUNCTION_ARGS)
{
	double		churn = PG_GETARG_FLOAT8(1);

	nonneg_numeric(PG_GETARG_DATUM(0), "saas_ltv", "arpa");
	kpi_check_ratio(churn, "saas_ltv", "churn_rate");
	if (churn == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, PG_GETARG_DATUM(0),
										DirectFunctionCall1(float8_numeric, Float8GetDatum(churn))));
}

/* ltv_to_cac(ltv, cac) = ltv / cac; NULL when cac = 0 */
Datum
revenue_ltv_to_cac(PG_FUNCTION_ARGS)
{
	nonneg_numeric(PG_GETARG_DATUM(0), "ltv_to_cac", "ltv");
	nonneg_numeric(PG_GETARG_DATUM(1), "ltv_to_cac", "cac");
	if (numeric_is_zero(PG_GETARG_DATUM(1)))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall1(numeric_float8,
										DirectFunctionCall2(numeric_div, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1))));
}

/* cac_payback_months(cac, arpa, gross_margin) = cac / (arpa * gross_margin); NULL when that is 0 */
Datum
revenue_cac_payback(PG_FUNCTION_ARGS)
{
	double		gm = PG_GETARG_FLOAT8(2);
	Datum		den;

	nonneg_numeric(PG_GETARG_DATUM(0), "cac_payback_months", "cac");
	nonneg_numeric(PG_GETARG_DATUM(1), "cac_payback_months", "arpa");
	kpi_check_ratio(gm, "cac_payback_months", "gross_margin");
	den = DirectFunctionCall2(numeric_mul, PG_GETARG_DATUM(1),
							  DirectFunctionCall1(float8_numeric, Float8GetDatum(gm)));
	if (numeric_is_zero(den))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall1(numeric_float8,
										DirectFunctionCall2(numeric_div, PG_GETARG_DATUM(0), den)));
}
