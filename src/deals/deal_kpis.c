/*
 * deal_kpis.c - kpis(deal_summary) and deal_summary::json / ::jsonb: every
 * accessor of a deal summary in one record (src/kpi/report.h).  The values
 * are those of the accessors themselves, called here.
 */
#include "kpi/kpi.h"
#include "kpi/report.h"
#include "deals/deals.h"

extern Datum deal_summary_deals(PG_FUNCTION_ARGS);
extern Datum deal_summary_won(PG_FUNCTION_ARGS);
extern Datum deal_summary_lost(PG_FUNCTION_ARGS);
extern Datum deal_summary_open(PG_FUNCTION_ARGS);
extern Datum deal_summary_won_amount(PG_FUNCTION_ARGS);
extern Datum deal_summary_lost_amount(PG_FUNCTION_ARGS);
extern Datum deal_summary_open_amount(PG_FUNCTION_ARGS);
extern Datum deal_summary_weighted_pipeline(PG_FUNCTION_ARGS);
extern Datum deal_summary_avg_deal_size(PG_FUNCTION_ARGS);
extern Datum deal_summary_hit_ratio(PG_FUNCTION_ARGS);
extern Datum deal_summary_hit_ratio_by_amount(PG_FUNCTION_ARGS);
extern Datum deal_summary_sales_cycle_days(PG_FUNCTION_ARGS);
extern Datum deal_summary_sales_velocity(PG_FUNCTION_ARGS);
extern Datum deal_summary_skipped_rows(PG_FUNCTION_ARGS);

/* the columns of deal_summary_kpis, in order, and the accessor of each */
static const char *const deal_columns[] = {
	"deals", "won_deals", "lost_deals", "open_deals",
	"won_amount", "lost_amount", "open_amount", "weighted_pipeline",
	"avg_deal_size", "hit_ratio", "hit_ratio_by_amount", "sales_cycle_days",
	"sales_velocity", "skipped_rows"
};
static const PGFunction deal_accessors[] = {
	deal_summary_deals, deal_summary_won, deal_summary_lost, deal_summary_open,
	deal_summary_won_amount, deal_summary_lost_amount, deal_summary_open_amount, deal_summary_weighted_pipeline,
	deal_summary_avg_deal_size, deal_summary_hit_ratio, deal_summary_hit_ratio_by_amount, deal_summary_sales_cycle_days,
	deal_summary_sales_velocity, deal_summary_skipped_rows
};
StaticAssertDecl(lengthof(deal_columns) == lengthof(deal_accessors), "one accessor per column");

static void
deal_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	/* read (and validate) once: the accessors read the same copy */
	Datum		s = PointerGetDatum(deals_get(PG_GETARG_DATUM(0)));

	(void) desc;
	for (int i = 0; i < (int) lengthof(deal_accessors); i++)
		values[i] = kpi_report_call(deal_accessors[i], s, &nulls[i]);
}

KPI_REPORT_FUNCTIONS(deal_summary, "deal_summary_kpis", deal_columns, deal_fill);
