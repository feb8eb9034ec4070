/*
 * hit_ratio.c - the hit ratios (win rate, closing percentage):
 *   hit_ratio(won boolean)                 won / (won + lost), over an int8[] state
 *   hit_ratio(won boolean, amount numeric) won amount / decided amount, over a deal_summary
 *   hit_ratio(deal_summary), hit_ratio_by_amount(deal_summary)
 *
 * hit_ratio(won): state int8[2] = {won, lost}, initcond '{0,0}', strict
 * transition so that NULL (open deals) are skipped by the executor.
 * Modified in place when called as an aggregate.  Inverse transition for
 * moving windows is exact.
 *
 * Every function reads its state through hit_ratio_rules: both counts are
 * non-negative and their total, the final function's denominator, fits in
 * bigint.  A step or merge that would take valid states beyond that is an
 * out-of-range error; the ratio of a valid state always lies in [0, 1].
 */
#include "kpi/kpi.h"
#include "deals/deals.h"

#include "common/int.h"
#include "utils/array.h"

enum
{
	HR_WON, HR_LOST, HR_N
};

static const char *
hit_ratio_rules(const int64 *c)
{
	int64		total;

	if (c[HR_WON] < 0 || c[HR_LOST] < 0)
		return "Counts must be non-negative.";
	if (pg_add_s64_overflow(c[HR_WON], c[HR_LOST], &total))
		return psprintf("won + lost must fit in bigint, got won = " INT64_FORMAT " and lost = " INT64_FORMAT ".",
						c[HR_WON], c[HR_LOST]);
	return NULL;
}

/*
 * The same rules for the state merged into another by the combine function.
 * A negative count there keeps the wording of 0.1.0, which its tests quote.
 */
static const char *
hit_ratio_merged_rules(const int64 *c)
{
	if (c[HR_WON] < 0 || c[HR_LOST] < 0)
		return "Counts must be non-negative and their sum must fit in bigint.";
	return hit_ratio_rules(c);
}

PG_FUNCTION_INFO_V1(hit_ratio_combine);
PG_FUNCTION_INFO_V1(hit_ratio_final);

static inline Datum
hit_ratio_step(FunctionCallInfo fcinfo, int64 sign, const char *fname)
{
	ArrayType  *a = kpi_int8_state(fcinfo, 0, HR_N, true, hit_ratio_rules, fname);
	int64	   *c = (int64 *) ARR_DATA_PTR(a);
	int			i = PG_GETARG_BOOL(1) ? HR_WON : HR_LOST;

	if (sign < 0 && c[i] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: state would become negative", fname),
				 errdetail("The inverse transition removed a %s deal from a state {" INT64_FORMAT "," INT64_FORMAT "} that has none.",
						   i == HR_WON ? "won" : "lost", c[HR_WON], c[HR_LOST])));
	/* the total fits (the state is valid), so only one more row can overflow it */
	if (sign > 0 && c[HR_WON] + c[HR_LOST] == PG_INT64_MAX)
		kpi_count_overflow(fname, "won + lost would exceed the bigint range.");
	c[i] += sign;
	PG_RETURN_ARRAYTYPE_P(a);
}

KPI_FUNCTION(hit_ratio_accum, hit_ratio_step, 1, "hit_ratio_accum");
KPI_FUNCTION(hit_ratio_accum_inv, hit_ratio_step, -1, "hit_ratio_accum_inv");

Datum
hit_ratio_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "hit_ratio_combine";
	ArrayType  *a = kpi_int8_state(fcinfo, 0, HR_N, true, hit_ratio_rules, fname);
	ArrayType  *b = kpi_int8_state(fcinfo, 1, HR_N, false, hit_ratio_merged_rules, fname);
	int64	   *ca = (int64 *) ARR_DATA_PTR(a);
	int64	   *cb = (int64 *) ARR_DATA_PTR(b);
	int64		won,
				lost,
				total;

	if (pg_add_s64_overflow(ca[HR_WON], cb[HR_WON], &won) ||
		pg_add_s64_overflow(ca[HR_LOST], cb[HR_LOST], &lost) ||
		pg_add_s64_overflow(won, lost, &total))
		kpi_count_overflow(fname,
						   psprintf("won + lost of {" INT64_FORMAT "," INT64_FORMAT "} and {" INT64_FORMAT "," INT64_FORMAT "} merged would exceed the bigint range.",
									ca[HR_WON], ca[HR_LOST], cb[HR_WON], cb[HR_LOST]));
	ca[HR_WON] = won;
	ca[HR_LOST] = lost;
	PG_RETURN_ARRAYTYPE_P(a);
}

Datum
hit_ratio_final(PG_FUNCTION_ARGS)
{
	ArrayType  *a = kpi_int8_state(fcinfo, 0, HR_N, false, hit_ratio_rules, "hit_ratio_final");
	int64	   *c = (int64 *) ARR_DATA_PTR(a);
	int64		total = c[HR_WON] + c[HR_LOST];	/* fits: the state is valid */

	if (total == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) c[HR_WON] / (double) total);
}

/* ---- hit_ratio(won, amount) and the hit ratios of a deal_summary ---- */

/* the transitions of hit_ratio(won, amount): a deal_summary of the rows, per amount type */
DS_TRANSITION_AMOUNTS(deal_summary_won_accum, .fname = "hit_ratio",.won = 1,.amount = 2);
/* the symbol of 0.1.0's catalog (numeric amounts), until ALTER EXTENSION UPDATE */
DS_TRANSITION(deal_summary_won_accum, .fname = "hit_ratio",.won = 1,.amount = 2);

bool
deals_hit_ratio(const DealSummary *s, double *ratio)
{
	if (s->won + s->lost == 0)
		return false;
	*ratio = (double) s->won / (double) (s->won + s->lost);
	return true;
}

PG_FUNCTION_INFO_V1(deal_summary_hit_ratio);
PG_FUNCTION_INFO_V1(deal_summary_hit_ratio_by_amount);

Datum
deal_summary_hit_ratio(PG_FUNCTION_ARGS)
{
	double		r;

	if (!deals_hit_ratio(deals_get(PG_GETARG_DATUM(0)), &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r);
}

/*
 * sum(amount of won) / sum(amount of decided); NULL when that is 0.  Also
 * the final function of hit_ratio(won, amount).  Both sums are at the
 * summary's storage scale, so their ratio needs no rescaling.
 */
Datum
deal_summary_hit_ratio_by_amount(PG_FUNCTION_ARGS)
{
	DealSummary *s = deals_get(PG_GETARG_DATUM(0));
	int128		decided;

	/* the two sums are each in range; their total may not be */
	if (__builtin_add_overflow(s->won_amt.sum, s->lost_amt.sum, &decided))
		PG_RETURN_FLOAT8((double) s->won_amt.sum /
						 ((double) s->won_amt.sum + (double) s->lost_amt.sum));
	if (decided == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) s->won_amt.sum / (double) decided);
}
