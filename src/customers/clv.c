/*
 * clv.c - customer lifetime value from given numbers (spec section 2.4,
 * strength 1):
 *   clv(avg_purchase_value, purchases_per_period, retention_periods) = product
 *   clv(arpa, churn_rate) = arpa / churn_rate            (churn 0 -> NULL)
 * The historic CLV from order rows is the accessor clv(order_summary), in
 * order_summary.c.
 */
#include "kpi/kpi.h"

#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/numeric.h"

/*
 * A numeric argument that must be finite and not negative.  Scalar forms
 * compute with numeric arithmetic (numeric_mul, numeric_div), not with the
 * int128 accumulator of the aggregates: any numeric works.
 */
static Datum
check_nonneg_numeric(Datum d, const char *fname, const char *argname)
{
	Numeric		n = DatumGetNumeric(d);

	if (numeric_is_nan(n) || numeric_is_inf(n) ||
		DatumGetBool(DirectFunctionCall2(numeric_lt, d, DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a finite non-negative number, got %s", fname, argname,
						DatumGetCString(DirectFunctionCall1(numeric_out, d)))));
	return d;
}

/* clv(avg_purchase_value, purchases_per_period, retention_periods): the exact product */
static Datum
clv_product(Datum apv, Datum freq, Datum periods)
{
	check_nonneg_numeric(apv, "clv", "avg_purchase_value");
	check_nonneg_numeric(freq, "clv", "purchases_per_period");
	check_nonneg_numeric(periods, "clv", "retention_periods");
	return DirectFunctionCall2(numeric_mul, DirectFunctionCall2(numeric_mul, apv, freq), periods);
}

/* clv(avg_purchase_value of amount type type, numeric, numeric) */
static Datum
clv_scalar_common(FunctionCallInfo fcinfo, KpiAmountType type)
{
	PG_RETURN_DATUM(clv_product(kpi_amount_numeric(PG_GETARG_DATUM(0), type), PG_GETARG_DATUM(1),
								PG_GETARG_DATUM(2)));
}

KPI_FUNCTION(clv_scalar, clv_scalar_common, KPI_AMOUNT_NUMERIC);
KPI_FUNCTION(clv_scalar_f8, clv_scalar_common, KPI_AMOUNT_FLOAT8);
KPI_FUNCTION(clv_scalar_f4, clv_scalar_common, KPI_AMOUNT_FLOAT4);
KPI_FUNCTION(clv_scalar_i4, clv_scalar_common, KPI_AMOUNT_INT4);
KPI_FUNCTION(clv_scalar_i8, clv_scalar_common, KPI_AMOUNT_INT8);

/*
 * clv(numeric, float8, float8): the textbook CLV from its own parts,
 * avg_purchase_value(s), purchase_frequency(s, ...) and lifespan(s, ...).
 * The float8 factors are taken at their ::numeric value (what
 * float8::numeric gives: 15 significant digits), then multiplied exactly.
 */
PG_FUNCTION_INFO_V1(clv_parts);

Datum
clv_parts(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(clv_product(PG_GETARG_DATUM(0),
								kpi_amount_numeric(PG_GETARG_DATUM(1), KPI_AMOUNT_FLOAT8),
								kpi_amount_numeric(PG_GETARG_DATUM(2), KPI_AMOUNT_FLOAT8)));
}

/* clv(arpa, churn_rate) = arpa / churn; NULL when churn is 0 */
static Datum
clv_saas_common(FunctionCallInfo fcinfo, KpiAmountType type)
{
	Datum		arpa = kpi_amount_numeric(PG_GETARG_DATUM(0), type);
	double		churn = PG_GETARG_FLOAT8(1);

	check_nonneg_numeric(arpa, "clv", "arpa");
	kpi_check_ratio(churn, "clv", "churn_rate");
	if (churn == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, arpa,
										DirectFunctionCall1(float8_numeric, Float8GetDatum(churn))));
}

KPI_FUNCTION(clv_saas, clv_saas_common, KPI_AMOUNT_NUMERIC);
KPI_FUNCTION(clv_saas_f8, clv_saas_common, KPI_AMOUNT_FLOAT8);
KPI_FUNCTION(clv_saas_f4, clv_saas_common, KPI_AMOUNT_FLOAT4);
KPI_FUNCTION(clv_saas_i4, clv_saas_common, KPI_AMOUNT_INT4);
KPI_FUNCTION(clv_saas_i8, clv_saas_common, KPI_AMOUNT_INT8);
