/*
 * money.h - exact money: numeric arguments decoded into int128, exact sums at
 * a storage scale with their display scales, and numeric/float8/text output.
 * Include kpi/kpi.h, not this file.
 *
 * An amount is an int128 count of units of 10^-scale.  A value that holds
 * sums of amounts (deal_summary, order_summary) keeps all of them at one
 * storage scale, the largest scale of any amount it has taken: adding an
 * amount of a larger scale first raises the storage scale of every sum
 * (kpi_money_align), so sums are always exact and comparable.  Sums equal
 * PostgreSQL's numeric sum() over the same rows.
 *
 * A sum that must print as numeric sum() prints, and be removable again
 * (moving windows), is a KpiMoneySum: its display scale is the largest
 * dscale among its rows, and it counts the rows of that dscale, exactly as
 * PostgreSQL's numeric avg does, so that a removal knows when the display
 * scale can no longer be known (the caller then recomputes).  A value with a
 * single sum and no removal (order_summary) stores the sum at its display
 * scale instead: there the storage scale is the display scale.
 */
#ifndef KPI_MONEY_H
#define KPI_MONEY_H

#include "postgres.h"
#include "fmgr.h"
#include "kpi/compat.h"
#include "lib/stringinfo.h"

#ifndef HAVE_INT128
#error "sales_kpi needs a compiler with a 128-bit integer type"
#endif

#define KPI_MAX_SCALE 38		/* largest money scale an int128 can carry */

/*
 * Exact sums stay within +-(2^127 - 1): -2^127 is treated as an overflow, so
 * that every value we hold prints as a decimal that reads back.
 */
#define KPI_INT128_MIN ((int128) ((uint128) 1 << 127))

/* ---- numeric arguments ---- */

/*
 * A numeric Datum as an exact int128 at its own display scale; NaN,
 * infinities and values too large are refused, naming fname and argname.
 */
extern void kpi_numeric_decode(Datum num, FunctionCallInfo fcinfo, const char *fname,
							   const char *argname, int128 *value, int *scale);
/* the same, and a negative value is refused too (hint: NULL or a sentence) */
extern void kpi_numeric_nonneg(Datum num, FunctionCallInfo fcinfo, const char *fname,
							   const char *argname, const char *hint, int128 *value, int *scale);

/*
 * The SQL types an amount (or a probability) may come as (spec 2.1).  Each
 * entry point knows statically which one its argument is (no fn_expr
 * lookup: Citus calls transition functions without one).
 */
typedef enum KpiAmountType
{
	KPI_AMOUNT_NUMERIC = 0,
	KPI_AMOUNT_FLOAT8,
	KPI_AMOUNT_FLOAT4,
	KPI_AMOUNT_INT4,
	KPI_AMOUNT_INT8
} KpiAmountType;

/*
 * An amount Datum of type type as the exact decimal value * 10^-scale: the
 * one conversion every amount goes through.  A float is taken at the value
 * its ::numeric cast gives (float8_numeric / float4_numeric), then decoded
 * as a numeric (NaN and infinities refused); integers are exact at scale 0.
 */
extern void kpi_amount_decode(Datum d, KpiAmountType type, const char *fname,
							  const char *argname, int128 *value, int *scale);
/* the same, refusing a negative value (hint: NULL or a sentence) */
extern void kpi_amount_nonneg(Datum d, KpiAmountType type, const char *fname,
							  const char *argname, const char *hint, int128 *value, int *scale);
/* the amount as a numeric Datum (its ::numeric cast) */
extern Datum kpi_amount_numeric(Datum d, KpiAmountType type);

/* ---- exact arithmetic ---- */

extern int128 kpi_rescale(int128 v, int from, int to);
extern int128 kpi_add128(int128 a, int128 b);

/*
 * The sums *sums[0..nsums-1] of a value share the storage scale *storage.
 * kpi_money_raise raises it to at least scale (rescaling every sum);
 * kpi_money_align does that for an amount v of scale vscale and returns v at
 * the (new) storage scale.
 */
extern void kpi_money_raise(int16 *storage, int128 *const *sums, int nsums, int scale);
extern int128 kpi_money_align(int16 *storage, int128 *const *sums, int nsums,
							  int128 v, int vscale);

/* ---- sums with their display scale ---- */

typedef struct KpiMoneySum
{
	int128		sum;			/* at the storage scale of the value holding it */
	int64		n;				/* rows summed */
	int64		scale_n;		/* rows whose dscale equals scale */
	int16		scale;			/* display scale: largest dscale of the rows */
	int16		pad[3];
} KpiMoneySum;

/*
 * Add (sign = 1) or remove (sign = -1) one amount of display scale dscale,
 * v already at the storage scale; merge (sign = 1) or un-merge (sign = -1)
 * the sum b, bsum being b->sum at a's storage scale.  Both return false when
 * a removal leaves the display scale uncertain (or removes more than m holds).
 * The step runs for every row, so it is inline.
 */
extern bool kpi_moneysum_merge(KpiMoneySum *a, const KpiMoneySum *b, int128 bsum, int sign);

static inline bool
kpi_moneysum_step(KpiMoneySum *m, int128 v, int dscale, int sign)
{
	if (sign > 0)
	{
		m->sum = kpi_add128(m->sum, v);
		m->n++;
		if (dscale > m->scale || m->n == 1)
		{
			m->scale = (int16) dscale;
			m->scale_n = 1;
		}
		else if (dscale == m->scale)
			m->scale_n++;
		return true;
	}
	if (m->n <= 0)
		return false;
	if (dscale == m->scale)
	{
		if (m->scale_n > 1 || m->scale == 0)
			m->scale_n--;
		else if (m->n == 1)
			m->scale = 0, m->scale_n = 0;
		else
			return false;
	}
	m->sum -= v;
	m->n--;
	if (m->n == 0)
		m->scale = 0, m->scale_n = 0;
	return true;
}

/* NULL when m is a consistent sum at storage scale storage, else the rule it breaks */
extern const char *kpi_moneysum_broken(const KpiMoneySum *m, int storage);

/* m's value at its display scale, as int128, numeric or text */
extern int128 kpi_moneysum_value(const KpiMoneySum *m, int storage);
extern Datum kpi_moneysum_numeric(const KpiMoneySum *m, int storage);
extern char *kpi_moneysum_text(const KpiMoneySum *m, int storage);

/* ---- output ---- */

extern void kpi_append_decimal(StringInfo buf, int128 v, int scale);
extern Datum kpi_money_numeric(int128 v, int scale);
/* v / n as numeric, exactly as numeric avg() computes it (n > 0) */
extern Datum kpi_money_avg(int128 v, int scale, int64 n);
extern double kpi_money_double(int128 v, int scale);

#endif							/* KPI_MONEY_H */
