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

/* a numeric argument that must be finite and not negative */
static void
check_nonneg_numeric(Datum d, const char *fname, const char *argname)
{
	int128		v;
	int			sc;

	kpi_numeric_nonneg(d, NULL, fname, argname, NULL, &v, &sc);
}

PG_FUNCTION_INFO_V1(clv_scalar);
PG_FUNCTION_INFO_V1(clv_saas);

Datum
clv_scalar(PG_FUNCTION_ARGS)
{
	check_nonneg_numeric(PG_GETARG_DATUM(0), "clv", "avg_purchase_value");
	check_nonneg_numeric(PG_GETARG_DATUM(1), "clv", "purchases_per_period");
	check_nonneg_numeric(PG_GETARG_DATUM(2), "clv", "retention_periods");
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_mul,
										DirectFunctionCall2(numeric_mul, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)),
										PG_GETARG_DATUM(2)));
}

Datum
clv_saas(PG_FUNCTION_ARGS)
{
	double		churn = PG_GETARG_FLOAT8(1);

	check_nonneg_numeric(PG_GETARG_DATUM(0), "clv", "arpa");
	kpi_check_ratio(churn, "clv", "churn_rate");
	if (churn == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, PG_GETARG_DATUM(0),
										DirectFunctionCall1(float8_numeric, Float8GetDatum(churn))));
}
