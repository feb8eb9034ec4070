/*
 * optim.c - the numerics of the models: Nelder-Mead minimisation on
 * log-parameters with restarts, log-space helpers, the hypergeometric
 * series, and the text form of doubles.
 */
#include "models/models.h"

#include <math.h>

#include "common/shortest_dec.h"

#define NM_MAX_ITER 4000		/* iterations of one Nelder-Mead run */
#define NM_MAX_RUNS 8			/* restarts from the best point */
#define NM_FTOL 1e-13			/* relative spread of the simplex values */
#define NM_XTOL 1e-9			/* size of the simplex in log-parameters */

double
models_logaddexp(double a, double b)
{
	double		m = Max(a, b);

	if (m == -INFINITY)
		return -INFINITY;
	return m + log1p(exp(Min(a, b) - m));
}

double
models_finite(double v, const char *fname)
{
	if (unlikely(!isfinite(v)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: the result is not a finite number", fname),
				 errhint("The arguments lie beyond the range where the model can be evaluated in double precision.")));
	return v;
}

void
models_check_rft(const char *fname, int64 x, double t_x, double T)
{
	if (x < 0 || !isfinite(t_x) || !isfinite(T) || t_x < 0 || T < t_x)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: x, t_x and T must satisfy x >= 0 and 0 <= t_x <= T, got x = " INT64_FORMAT ", t_x = %g, T = %g",
						fname, x, t_x, T),
				 errhint("x is the number of repeat purchases, t_x the time of the last purchase since the first and T the age at the calibration end, in the model's time unit.")));
	if (x > 0 && t_x <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: a customer with repeat purchases must have t_x > 0, got x = " INT64_FORMAT ", t_x = %g",
						fname, x, t_x),
				 errhint("Repeat purchases come after the first purchase: t_x is the time from the first to the last purchase.")));
}

void
models_check_horizon(const char *fname, const char *argname, double t)
{
	if (!isfinite(t) || t < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a finite number >= 0, got %g", fname, argname, t),
				 errhint("Pass the length of the prediction horizon in the model's time unit.")));
}

/*
 * log 2F1(a, b; c; z) by its power series, all of whose terms are positive
 * for a, b, c > 0 and 0 <= z < 1; the running sum is rescaled so that it
 * cannot overflow.  The series converges geometrically (ratio -> z).
 */
double
models_log_hyp2f1(double a, double b, double c, double z, const char *fname)
{
	double		term = 1.0,
				sum = 1.0,
				logscale = 0.0;

	Assert(a > 0 && b > 0 && c > 0 && z >= 0 && z < 1);
	for (int64 n = 0; n < 10000000; n++)
	{
		double		next;

		term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
		sum += term;
		/* the ratio of the terms tends to z: bound the rest by a geometric series */
		next = Max((a + n + 1) * (b + n + 1) / ((c + n + 1) * (n + 2)) * z, z);
		if (next < 1 && term * next / (1 - next) <= sum * 1e-17)
			return log(sum) + logscale;
		if (unlikely(!isfinite(sum)))
			break;
		if (sum > 1e250)
		{
			sum *= 1e-250;
			term *= 1e-250;
			logscale += 250 * M_LN10;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s: the hypergeometric series did not converge (a = %g, b = %g, c = %g, z = %.17g)", fname, a, b, c, z),
			 errhint("The horizon is too long relative to the model's alpha + T; use a shorter horizon.")));
}

/* ---- Nelder-Mead ---- */

static double
nm_eval(ModelsObjective f, void *arg, const double *p)
{
	double		v = f(p, arg);

	return isfinite(v) ? v : INFINITY;
}

/* one Nelder-Mead run from start with initial step step; returns iterations */
static int
nm_run(ModelsObjective f, void *arg, int dim, double *best, double *fbest, double step, bool *converged)
{
	double		x[5][4];
	double		fx[5];
	int			n = dim + 1;
	int			it;

	*converged = false;
	for (int i = 0; i < n; i++)
	{
		for (int j = 0; j < dim; j++)
			x[i][j] = best[j] + (i == j + 1 ? step : 0.0);
		fx[i] = nm_eval(f, arg, x[i]);
	}
	for (it = 0; it < NM_MAX_ITER; it++)
	{
		double		c[4] = {0, 0, 0, 0};
		double		xr[4],
					xe[4],
					xc[4];
		double		fr,
					fe,
					fc,
					size = 0;
		int			lo = 0,
					hi = 0,
					nh = 0;

		/* order: lo best, hi worst, nh second worst (ties broken by index: deterministic) */
		for (int i = 1; i < n; i++)
		{
			if (fx[i] < fx[lo])
				lo = i;
			if (fx[i] > fx[hi])
				hi = i;
		}
		nh = lo;
		for (int i = 0; i < n; i++)
			if (i != hi && fx[i] > fx[nh])
				nh = i;
		for (int i = 0; i < n; i++)
			for (int j = 0; j < dim; j++)
				size = Max(size, fabs(x[i][j] - x[lo][j]));
		if (isfinite(fx[hi]) && fabs(fx[hi] - fx[lo]) <= NM_FTOL * (fabs(fx[lo]) + 1e-300) && size <= NM_XTOL)
		{
			*converged = true;
			break;
		}
		for (int i = 0; i < n; i++)
			if (i != hi)
				for (int j = 0; j < dim; j++)
					c[j] += x[i][j] / dim;
		for (int j = 0; j < dim; j++)
			xr[j] = c[j] + (c[j] - x[hi][j]);
		fr = nm_eval(f, arg, xr);
		if (fr < fx[lo])
		{
			for (int j = 0; j < dim; j++)
				xe[j] = c[j] + 2.0 * (c[j] - x[hi][j]);
			fe = nm_eval(f, arg, xe);
			if (fe < fr)
			{
				memcpy(x[hi], xe, sizeof(xe));
				fx[hi] = fe;
			}
			else
			{
				memcpy(x[hi], xr, sizeof(xr));
				fx[hi] = fr;
			}
			continue;
		}
		if (fr < fx[nh])
		{
			memcpy(x[hi], xr, sizeof(xr));
			fx[hi] = fr;
			continue;
		}
		/* contraction: outside if the reflection improved on the worst, else inside */
		for (int j = 0; j < dim; j++)
			xc[j] = fr < fx[hi] ? c[j] + 0.5 * (xr[j] - c[j]) : c[j] + 0.5 * (x[hi][j] - c[j]);
		fc = nm_eval(f, arg, xc);
		if (fc < Min(fr, fx[hi]))
		{
			memcpy(x[hi], xc, sizeof(xc));
			fx[hi] = fc;
			continue;
		}
		/* shrink towards the best */
		for (int i = 0; i < n; i++)
			if (i != lo)
			{
				for (int j = 0; j < dim; j++)
					x[i][j] = x[lo][j] + 0.5 * (x[i][j] - x[lo][j]);
				fx[i] = nm_eval(f, arg, x[i]);
			}
		CHECK_FOR_INTERRUPTS();
	}
	{
		int			lo = 0;

		for (int i = 1; i < n; i++)
			if (fx[i] < fx[lo])
				lo = i;
		memcpy(best, x[lo], sizeof(double) * dim);
		*fbest = fx[lo];
	}
	return it;
}

/*
 * Minimise f over dim (<= 4) log-parameters from each start, then restart
 * from the best point until a restart improves it no more: the restarts
 * undo the collapse of a simplex on a curved valley that a single run can
 * end in.  Converged: the last run met its tolerances and the restart made
 * no relative improvement beyond NM_FTOL.  A best point with a
 * log-parameter beyond bound ends the search unconverged (the likelihood
 * keeps growing towards a degenerate model).
 */
void
models_minimise(ModelsObjective f, void *arg, int dim, const double (*starts)[4], int nstarts,
				double bound, ModelsOptimum *out)
{
	bool		conv = false;

	out->f = INFINITY;
	out->iterations = 0;
	out->converged = false;
	for (int s = 0; s < nstarts; s++)
	{
		double		p[4];
		double		fp;

		memcpy(p, starts[s], sizeof(p));
		out->iterations += nm_run(f, arg, dim, p, &fp, 0.5, &conv);
		if (fp < out->f)
		{
			memcpy(out->logp, p, sizeof(p));
			out->f = fp;
		}
	}
	if (!isfinite(out->f))
		return;
	for (int run = 0; run < NM_MAX_RUNS; run++)
	{
		double		p[4];
		double		fp;
		double		before = out->f;

		/* a parameter running off to 0 or infinity: the fit will not converge, stop */
		for (int j = 0; j < dim; j++)
			if (fabs(out->logp[j]) > bound)
				return;
		memcpy(p, out->logp, sizeof(p));
		out->iterations += nm_run(f, arg, dim, p, &fp, 0.05, &conv);
		if (fp <= out->f)
		{
			memcpy(out->logp, p, sizeof(p));
			out->f = fp;
		}
		/* converged: the run met its tolerances and the restart gained nothing */
		if (conv && before - out->f <= NM_FTOL * fabs(out->f))
		{
			out->converged = true;
			return;
		}
		/* a whole run without convergence that gained next to nothing: a drift, stop */
		if (!conv && before - out->f <= 1e-9 * fabs(out->f))
			return;
	}
}

/* ---- text ---- */

double
models_kv_double(KvParser *kv, const char *key)
{
	char	   *end;
	double		v;

	kpi_kv_key(kv, key);
	if (!((*kv->p >= '0' && *kv->p <= '9') || *kv->p == '-' || *kv->p == '.'))
		kpi_kv_fail(kv, "Expected a number");
	errno = 0;
	v = strtod(kv->p, &end);
	/* ERANGE for a subnormal result is fine: the value is what was written */
	if (end == kv->p || !isfinite(v) || (errno != 0 && !(errno == ERANGE && v != 0)))
		kpi_kv_fail(kv, "Expected a finite number");
	kv->p = end;
	return v;
}

void
models_append_double(StringInfo buf, double v)
{
	char		s[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, s);
	appendStringInfoString(buf, s);
}
