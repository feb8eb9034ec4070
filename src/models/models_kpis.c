/*
 * models_kpis.c - kpis(s) and s::json / s::jsonb of the models family's
 * storable types rfm, bgnbd_model and gammagamma_model (src/kpi/report.h):
 * every accessor that takes only the value, in one record.  The values are
 * those of the accessors themselves, called here, so the forms cannot
 * disagree with them.  clv_fit_state has none: it is an aggregate state,
 * not a report.
 */
#include "kpi/kpi.h"
#include "kpi/report.h"
#include "models/models.h"

extern Datum rfm_frequency(PG_FUNCTION_ARGS);
extern Datum rfm_recency(PG_FUNCTION_ARGS);
extern Datum rfm_customer_age(PG_FUNCTION_ARGS);
extern Datum rfm_mean_repeat_spend(PG_FUNCTION_ARGS);
extern Datum rfm_repeat_revenue(PG_FUNCTION_ARGS);
extern Datum rfm_first_purchase(PG_FUNCTION_ARGS);
extern Datum rfm_last_purchase(PG_FUNCTION_ARGS);
extern Datum rfm_calibration_end(PG_FUNCTION_ARGS);
extern Datum rfm_time_unit(PG_FUNCTION_ARGS);

extern Datum bgnbd_model_r(PG_FUNCTION_ARGS);
extern Datum bgnbd_model_alpha(PG_FUNCTION_ARGS);
extern Datum bgnbd_model_a(PG_FUNCTION_ARGS);
extern Datum bgnbd_model_b(PG_FUNCTION_ARGS);
extern Datum bgnbd_model_log_likelihood(PG_FUNCTION_ARGS);
extern Datum bgnbd_model_customers(PG_FUNCTION_ARGS);
extern Datum bgnbd_model_iterations(PG_FUNCTION_ARGS);
extern Datum bgnbd_model_converged(PG_FUNCTION_ARGS);
extern Datum bgnbd_model_time_unit(PG_FUNCTION_ARGS);

extern Datum gammagamma_model_p(PG_FUNCTION_ARGS);
extern Datum gammagamma_model_q(PG_FUNCTION_ARGS);
extern Datum gammagamma_model_gamma(PG_FUNCTION_ARGS);
extern Datum gammagamma_model_log_likelihood(PG_FUNCTION_ARGS);
extern Datum gammagamma_model_customers(PG_FUNCTION_ARGS);
extern Datum gammagamma_model_iterations(PG_FUNCTION_ARGS);
extern Datum gammagamma_model_converged(PG_FUNCTION_ARGS);

/* ---- rfm ---- */

/* the columns of rfm_kpis, in order, and the accessor of each */
static const char *const rfm_columns[] = {
	"frequency", "recency", "customer_age", "mean_repeat_spend", "repeat_revenue",
	"first_purchase", "last_purchase", "calibration_end", "time_unit"
};
static const PGFunction rfm_accessors[] = {
	rfm_frequency, rfm_recency, rfm_customer_age, rfm_mean_repeat_spend, rfm_repeat_revenue,
	rfm_first_purchase, rfm_last_purchase, rfm_calibration_end, rfm_time_unit
};
StaticAssertDecl(lengthof(rfm_columns) == lengthof(rfm_accessors), "one accessor per column");

static void
rfm_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	/* read (and validate) once: the accessors read the same copy */
	Datum		s = PointerGetDatum(models_rfm_reader(PG_GETARG_DATUM(0), "kpis"));

	(void) desc;
	for (int i = 0; i < (int) lengthof(rfm_accessors); i++)
		values[i] = kpi_report_call(rfm_accessors[i], s, &nulls[i]);
}

KPI_REPORT_FUNCTIONS(rfm, "rfm_kpis", rfm_columns, rfm_fill);

/* ---- bgnbd_model ---- */

static const char *const bgnbd_columns[] = {
	"r", "alpha", "a", "b", "log_likelihood", "customers", "iterations", "converged", "time_unit"
};
static const PGFunction bgnbd_accessors[] = {
	bgnbd_model_r, bgnbd_model_alpha, bgnbd_model_a, bgnbd_model_b,
	bgnbd_model_log_likelihood, bgnbd_model_customers, bgnbd_model_iterations, bgnbd_model_converged,
	bgnbd_model_time_unit
};
StaticAssertDecl(lengthof(bgnbd_columns) == lengthof(bgnbd_accessors), "one accessor per column");

static void
bgnbd_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	/* a small plain value: each accessor validates it */
	Datum		m = PG_GETARG_DATUM(0);

	(void) desc;
	for (int i = 0; i < (int) lengthof(bgnbd_accessors); i++)
		values[i] = kpi_report_call(bgnbd_accessors[i], m, &nulls[i]);
}

KPI_REPORT_FUNCTIONS(bgnbd_model, "bgnbd_model_kpis", bgnbd_columns, bgnbd_fill);

/* ---- gammagamma_model ---- */

static const char *const gg_columns[] = {
	"p", "q", "gamma", "log_likelihood", "customers", "iterations", "converged"
};
static const PGFunction gg_accessors[] = {
	gammagamma_model_p, gammagamma_model_q, gammagamma_model_gamma,
	gammagamma_model_log_likelihood, gammagamma_model_customers, gammagamma_model_iterations,
	gammagamma_model_converged
};
StaticAssertDecl(lengthof(gg_columns) == lengthof(gg_accessors), "one accessor per column");

static void
gg_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	/* a small plain value: each accessor validates it */
	Datum		m = PG_GETARG_DATUM(0);

	(void) desc;
	for (int i = 0; i < (int) lengthof(gg_accessors); i++)
		values[i] = kpi_report_call(gg_accessors[i], m, &nulls[i]);
}

KPI_REPORT_FUNCTIONS(gammagamma_model, "gammagamma_model_kpis", gg_columns, gg_fill);
