/*
 * velocity.c - sales velocity, the expected revenue per day:
 *   opportunities * hit_ratio * avg_deal_size / sales_cycle_days
 * read from a deal_summary (the accessor, also the final function of the
 * sales_velocity aggregate) or computed from the four factors given.
 */
#include "kpi/kpi.h"
#include "deals/deals.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(deal_summary_sales_velocity);
PG_FUNCTION_INFO_V1(sales_velocity_scalar);

/*
 * open deals * hit_ratio * avg_deal_size / sales_cycle_days (spec 2.1,
 * revision 2): the pipeline (the open deals among the rows) at the historic
 * rates of the decided ones.  NULL when a rate is undefined (no decided
 * deal, no won deal with an amount, no or a zero cycle), even without open
 * deals; 0 when the rates are defined and no deal is open.
 */
Datum
deal_summary_sales_velocity(PG_FUNCTION_ARGS)
{
	DealSummary *s = deals_get(PG_GETARG_DATUM(0));
	int64		open = s->deals - s->won - s->lost;
	double		hr;
	double		days;
	double		avg;

	deals_warn_skipped(fcinfo, s, "sales_velocity");
	if (!deals_hit_ratio(s, &hr) || !deals_cycle_days(s, &days) || s->won_amt.n == 0 || days == 0.0)
		PG_RETURN_NULL();
	if (open == 0)
		PG_RETURN_FLOAT8(0.0);
	avg = kpi_money_double(s->won_amt.sum, s->scale) / (double) s->won_amt.n;
	PG_RETURN_FLOAT8((double) open * hr * avg / days);
}

/* sales_velocity(opportunities, hit_ratio, avg_deal_size, cycle_days) */
Datum
sales_velocity_scalar(PG_FUNCTION_ARGS)
{
	double		opps = PG_GETARG_FLOAT8(0);
	double		hr = PG_GETARG_FLOAT8(1);
	double		avg;
	double		days = PG_GETARG_FLOAT8(3);
	double		v;

	kpi_check_nonneg(opps, "sales_velocity", "opportunities");
	kpi_check_ratio(hr, "sales_velocity", "hit_ratio");
	/* numeric arithmetic, not the int128 accumulator: any finite numeric works */
	avg = DatumGetFloat8(DirectFunctionCall1(numeric_float8, PG_GETARG_DATUM(2)));
	kpi_check_nonneg(avg, "sales_velocity", "avg_deal_size");
	kpi_check_nonneg(days, "sales_velocity", "cycle_days");
	if (days == 0.0)
		PG_RETURN_NULL();
	v = opps * hr * avg / days;
	if (isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sales_velocity: result out of range for double precision"),
				 errdetail("opportunities = %g, hit_ratio = %g, avg_deal_size = %s, cycle_days = %g.", opps, hr,
						   DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(2))), days)));
	PG_RETURN_FLOAT8(v);
}
