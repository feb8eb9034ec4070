/*
 * gammagamma.c - the Gamma-Gamma model of spend per purchase (Fader &
 * Hardie 2013, "The Gamma-Gamma model of monetary value"; Colombo & Jiang
 * 1999): fitted on the repeat buyers (gammagamma_fit), stored
 * (gammagamma_model), and applied: the expected mean spend of a customer, and
 * the predicted CLV with the BG/NBD model.
 *
 * A customer's purchase amounts are Gamma(p, nu), nu ~ Gamma(q, gamma)
 * across customers; the mean m of x purchases has the density
 *
 *   Gamma(p x + q) / (Gamma(p x) Gamma(q)) gamma^q m^(p x - 1) x^(p x) / (gamma + m x)^(p x + q)
 *
 * and E[M | p, q, gamma, m, x] = p (gamma + m x) / (p x + q - 1).  The model
 * assumes the spend is independent of the purchase process.
 */
#include "models/models.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"

#define GG_VERSION 1
#define GG_TYPNAME "gammagamma_model"
#define GG_F_FITTED 0x01
#define GG_F_CONVERGED 0x02
#define GG_MAX_LOGP 35.0
#define GG_DOMAIN_LOGP 40.0

typedef struct GgModel
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;
	int16		pad;			/* 0 */
	int64		customers;		/* fitted: repeat buyers (total weight) */
	int64		iterations;
	double		p;
	double		q;
	double		gamma;
	double		ll;
} GgModel;

static const char *
gg_broken(const void *value)
{
	const GgModel *m = value;

	if (m->version != GG_VERSION)
		return "Unsupported format version.";
	if ((m->flags & ~(GG_F_FITTED | GG_F_CONVERGED)) != 0 || m->pad != 0)
		return "Unknown flag bits are set.";
	if (!(isfinite(m->p) && isfinite(m->q) && isfinite(m->gamma) && m->p > 0 && m->q > 0 && m->gamma > 0))
		return "The parameters p, q and gamma must be finite and positive.";
	if (!isfinite(m->ll) || m->iterations < 0)
		return "The log-likelihood must be finite and the iterations non-negative.";
	if (m->flags & GG_F_FITTED)
	{
		if (m->customers < 1)
			return "A fitted model has at least one customer.";
	}
	else if (m->customers != 0 || m->iterations != 0 || m->ll != 0 || (m->flags & GG_F_CONVERGED))
		return "A model that was not fitted has no customers, iterations, log-likelihood or convergence.";
	return NULL;
}

static GgModel *
gg_get(Datum d, const char *fname)
{
	return kpi_valid(kpi_fixed_get(d, GG_VERSION, sizeof(GgModel), GG_TYPNAME), gg_broken, fname, GG_TYPNAME);
}

static GgModel *
gg_new(void)
{
	return kpi_fixed_new(GG_VERSION, sizeof(GgModel));
}

typedef struct GgData
{
	const double *t;			/* sorted tuples (x, m, 0, w) */
	int64		n;
	double		customers;
} GgData;

static double
gg_objective(const double *lp, void *arg)
{
	GgData	   *d = arg;
	double		p,
				q,
				g,
				ll = 0,
				lastx = -1,
				gx = 0;

	for (int j = 0; j < 3; j++)
		if (!(fabs(lp[j]) <= GG_DOMAIN_LOGP))
			return INFINITY;
	p = exp(lp[0]);
	q = exp(lp[1]);
	g = exp(lp[2]);
	for (int64 i = 0; i < d->n; i++)
	{
		const double *t = d->t + i * FIT_WIDTH;
		double		x = t[0];
		double		m = t[1];
		double		px = p * x;

		if (x != lastx)
		{
			gx = lgamma(px + q) - lgamma(px) + px * log(x);
			lastx = x;
		}
		ll += t[3] * (gx + (px - 1) * log(m) - (px + q) * log(g + m * x));
	}
	ll += d->customers * (q * lp[2] - lgamma(q));
	return -ll / d->customers;
}

PG_FUNCTION_INFO_V1(gammagamma_fit_final);
Datum
gammagamma_fit_final(PG_FUNCTION_ARGS)
{
	FitState   *st;
	FitState   *w;
	GgData		d;
	ModelsOptimum opt;
	GgModel    *m;
	double		mean = 0;
	double		starts[2][4];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = models_fit_get(PG_GETARG_DATUM(0), "gammagamma_fit_final");
	if (st->kind != FIT_GAMMAGAMMA)
		kpi_bad_value("gammagamma_fit_final", FIT_TYPNAME, "The state is not a gammagamma_fit() state.");
	if (st->n == 0)
		PG_RETURN_NULL();
	w = palloc(VARSIZE(st));
	memcpy(w, st, VARSIZE(st));
	models_fit_compact(w);
	d.t = w->t;
	d.n = w->n;
	d.customers = models_fit_customers(w);
	for (int64 i = 0; i < w->n; i++)
		mean += w->t[i * FIT_WIDTH + 1] * w->t[i * FIT_WIDTH + 3];
	mean /= d.customers;
	/* starts: all 1; and p = q = 1 with gamma at the mean spend (E[spend] = p gamma / (q - 1)) */
	memset(starts, 0, sizeof(starts));
	starts[1][0] = log(4.0);
	starts[1][1] = log(4.0);
	starts[1][2] = log(Max(mean, 1e-300) * 3 / 4);
	models_minimise(gg_objective, &d, 3, (const double (*)[4]) starts, 2, GG_MAX_LOGP, &opt);
	if (!isfinite(opt.f))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("gammagamma_fit: the log-likelihood is not finite at any starting point"),
				 errhint("Check the mean spends: they must be positive amounts of one currency.")));
	m = gg_new();
	m->flags = GG_F_FITTED;
	for (int j = 0; j < 3; j++)
		if (fabs(opt.logp[j]) > GG_MAX_LOGP)
			opt.converged = false;
	if (opt.converged)
		m->flags |= GG_F_CONVERGED;
	m->customers = (int64) d.customers;
	m->iterations = opt.iterations;
	m->p = exp(opt.logp[0]);
	m->q = exp(opt.logp[1]);
	m->gamma = exp(opt.logp[2]);
	m->ll = -opt.f * d.customers;
	if (!opt.converged)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("gammagamma_fit: the fit did not converge"),
				 errdetail("After " INT64_FORMAT " iterations; the model is returned with converged(model) = false.",
						   opt.iterations),
				 errhint("Too few repeat buyers, or spends without variation, leave the parameters undetermined.")));
	PG_RETURN_POINTER(m);
}

PG_FUNCTION_INFO_V1(gammagamma_model_make);
Datum
gammagamma_model_make(PG_FUNCTION_ARGS)
{
	GgModel    *m = gg_new();

	m->p = PG_GETARG_FLOAT8(0);
	m->q = PG_GETARG_FLOAT8(1);
	m->gamma = PG_GETARG_FLOAT8(2);
	if (gg_broken(m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("gammagamma_model: p, q and gamma must be finite and positive, got %g, %g, %g",
						m->p, m->q, m->gamma),
				 errhint("Pass the parameters of a fitted Gamma-Gamma model.")));
	PG_RETURN_POINTER(m);
}

/* ---- predictions ---- */

/*
 * E[M | x, m]: p (gamma + m x) / (p x + q - 1); for x = 0 the population
 * mean p gamma / (q - 1).  False (no finite mean) when p x + q <= 1.
 */
static bool
gg_expected(const GgModel *g, int64 x, double m, double *out)
{
	double		den = g->p * (double) x + g->q - 1;

	if (!(den > 0))
		return false;
	*out = g->p * (g->gamma + m * (double) x) / den;
	return isfinite(*out);
}

static void
gg_check_spend(const char *fname, int64 x, double m)
{
	if (x < 0 || !isfinite(m) || m < 0 || (x > 0 && m == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: x must be >= 0 and mean_spend positive for x > 0, got x = " INT64_FORMAT ", mean_spend = %g",
						fname, x, m),
				 errhint("mean_spend is the mean amount of the repeat purchases; pass 0 with x = 0.")));
}

PG_FUNCTION_INFO_V1(gammagamma_expected_spend);
PG_FUNCTION_INFO_V1(gammagamma_expected_spend_rfm);

Datum
gammagamma_expected_spend(PG_FUNCTION_ARGS)
{
	const char *fname = "gammagamma_expected_spend";
	GgModel    *g = gg_get(PG_GETARG_DATUM(0), fname);
	int64		x = PG_GETARG_INT64(1);
	double		m = PG_GETARG_FLOAT8(2);
	double		v;

	gg_check_spend(fname, x, m);
	if (!gg_expected(g, x, m, &v))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(v);
}

Datum
gammagamma_expected_spend_rfm(PG_FUNCTION_ARGS)
{
	const char *fname = "gammagamma_expected_spend";
	GgModel    *g = gg_get(PG_GETARG_DATUM(0), fname);
	Rfm		   *s = models_rfm_reader(PG_GETARG_DATUM(1), fname);
	double		v;

	if (!gg_expected(g, models_rfm_x(s), models_rfm_mean_spend(s), &v))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(v);
}

/*
 * predicted_clv: expected spend times the discounted expected purchases of
 * the next horizon periods (bgnbd.c); NULL when the spend has no finite mean.
 */
static void
clv_check(const char *fname, int32 horizon, double discount)
{
	if (horizon < 0 || horizon > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: horizon must be between 0 and 100000 periods, got %d", fname, horizon),
				 errhint("The horizon is a number of periods of the model's time unit, e.g. 52 weeks.")));
	if (!isfinite(discount) || discount < 0 || discount >= 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: discount_rate must be in [0, 1) per period, got %g", fname, discount),
				 errhint("Pass the discount rate of one period, e.g. 0.10 / 52 for 10%% a year in weeks.")));
}

PG_FUNCTION_INFO_V1(predicted_clv);
PG_FUNCTION_INFO_V1(predicted_clv_rfm);

/* (bgnbd_model, gammagamma_model, x, t_x, T, mean_spend, horizon, discount_rate) */
Datum
predicted_clv(PG_FUNCTION_ARGS)
{
	const char *fname = "predicted_clv";
	GgModel    *g = gg_get(PG_GETARG_DATUM(1), fname);
	int64		x = PG_GETARG_INT64(2);
	double		t_x = PG_GETARG_FLOAT8(3);
	double		T = PG_GETARG_FLOAT8(4);
	double		m = PG_GETARG_FLOAT8(5);
	int32		horizon = PG_GETARG_INT32(6);
	double		discount = PG_GETARG_FLOAT8(7);
	double		spend;

	models_check_rft(fname, x, t_x, T);
	gg_check_spend(fname, x, m);
	clv_check(fname, horizon, discount);
	if (!gg_expected(g, x, m, &spend))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(models_finite(spend * models_bgnbd_discounted_purchases(PG_GETARG_DATUM(0), x, t_x, T, horizon,
																			  discount, NULL, fname), fname));
}

/* (bgnbd_model, gammagamma_model, rfm, horizon, discount_rate) */
Datum
predicted_clv_rfm(PG_FUNCTION_ARGS)
{
	const char *fname = "predicted_clv";
	GgModel    *g = gg_get(PG_GETARG_DATUM(1), fname);
	Rfm		   *s = models_rfm_reader(PG_GETARG_DATUM(2), fname);
	int32		horizon = PG_GETARG_INT32(3);
	double		discount = PG_GETARG_FLOAT8(4);
	double		spend;

	clv_check(fname, horizon, discount);
	if (!gg_expected(g, models_rfm_x(s), models_rfm_mean_spend(s), &spend))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(models_finite(spend * models_bgnbd_discounted_purchases(PG_GETARG_DATUM(0), models_rfm_x(s),
																			  models_rfm_t_x(s), models_rfm_T(s),
																			  horizon, discount, s, fname), fname));
}

/* ---- I/O: (version=1,p=..,q=..,gamma=..,ll=..,customers=N,iterations=N,fitted=..,converged=..) ---- */

PG_FUNCTION_INFO_V1(gammagamma_model_in);
PG_FUNCTION_INFO_V1(gammagamma_model_out);
PG_FUNCTION_INFO_V1(gammagamma_model_recv);
PG_FUNCTION_INFO_V1(gammagamma_model_send);

static const char *const bool_words[] = {"false", "true"};

Datum
gammagamma_model_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	GgModel    *m = gg_new();
	KvParser	kv;

	kpi_kv_begin(&kv, str, GG_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != GG_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	m->p = models_kv_double(&kv, "p");
	m->q = models_kv_double(&kv, "q");
	m->gamma = models_kv_double(&kv, "gamma");
	m->ll = models_kv_double(&kv, "ll");
	m->customers = kpi_kv_int64(&kv, "customers", 0);
	m->iterations = kpi_kv_int64(&kv, "iterations", 0);
	if (kpi_kv_word(&kv, "fitted", bool_words, 2, "Expected true or false"))
		m->flags |= GG_F_FITTED;
	if (kpi_kv_word(&kv, "converged", bool_words, 2, "Expected true or false"))
		m->flags |= GG_F_CONVERGED;
	kpi_kv_end(&kv);
	kpi_check_text(gg_broken(m), GG_TYPNAME, str);
	PG_RETURN_POINTER(m);
}

Datum
gammagamma_model_out(PG_FUNCTION_ARGS)
{
	GgModel    *m = kpi_fixed_get(PG_GETARG_DATUM(0), GG_VERSION, sizeof(GgModel), GG_TYPNAME);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,p=", m->version);
	models_append_double(&buf, m->p);
	appendStringInfoString(&buf, ",q=");
	models_append_double(&buf, m->q);
	appendStringInfoString(&buf, ",gamma=");
	models_append_double(&buf, m->gamma);
	appendStringInfoString(&buf, ",ll=");
	models_append_double(&buf, m->ll);
	appendStringInfo(&buf, ",customers=" INT64_FORMAT ",iterations=" INT64_FORMAT ",fitted=%s,converged=%s)",
					 m->customers, m->iterations, bool_words[(m->flags & GG_F_FITTED) != 0],
					 bool_words[(m->flags & GG_F_CONVERGED) != 0]);
	PG_RETURN_CSTRING(buf.data);
}

Datum
gammagamma_model_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	GgModel    *m = gg_new();

	m->version = pq_getmsgbyte(buf);
	if (m->version != GG_VERSION)
		kpi_bad_binary(GG_TYPNAME, "Unsupported format version.");
	m->flags = pq_getmsgbyte(buf);
	m->customers = pq_getmsgint64(buf);
	m->iterations = pq_getmsgint64(buf);
	m->p = pq_getmsgfloat8(buf);
	m->q = pq_getmsgfloat8(buf);
	m->gamma = pq_getmsgfloat8(buf);
	m->ll = pq_getmsgfloat8(buf);
	kpi_recv_end(buf, GG_TYPNAME);
	kpi_check_binary(gg_broken(m), GG_TYPNAME);
	PG_RETURN_POINTER(m);
}

Datum
gammagamma_model_send(PG_FUNCTION_ARGS)
{
	GgModel    *m = kpi_fixed_get(PG_GETARG_DATUM(0), GG_VERSION, sizeof(GgModel), GG_TYPNAME);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, m->version);
	pq_sendbyte(&buf, m->flags);
	pq_sendint64(&buf, m->customers);
	pq_sendint64(&buf, m->iterations);
	pq_sendfloat8(&buf, m->p);
	pq_sendfloat8(&buf, m->q);
	pq_sendfloat8(&buf, m->gamma);
	pq_sendfloat8(&buf, m->ll);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- accessors ---- */

PG_FUNCTION_INFO_V1(gammagamma_model_p);
PG_FUNCTION_INFO_V1(gammagamma_model_q);
PG_FUNCTION_INFO_V1(gammagamma_model_gamma);
PG_FUNCTION_INFO_V1(gammagamma_model_log_likelihood);
PG_FUNCTION_INFO_V1(gammagamma_model_customers);
PG_FUNCTION_INFO_V1(gammagamma_model_iterations);
PG_FUNCTION_INFO_V1(gammagamma_model_converged);

Datum
gammagamma_model_p(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(gg_get(PG_GETARG_DATUM(0), "p")->p);
}

Datum
gammagamma_model_q(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(gg_get(PG_GETARG_DATUM(0), "q")->q);
}

Datum
gammagamma_model_gamma(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(gg_get(PG_GETARG_DATUM(0), "gamma")->gamma);
}

Datum
gammagamma_model_log_likelihood(PG_FUNCTION_ARGS)
{
	GgModel    *m = gg_get(PG_GETARG_DATUM(0), "log_likelihood");

	if (!(m->flags & GG_F_FITTED))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(m->ll);
}

Datum
gammagamma_model_customers(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(gg_get(PG_GETARG_DATUM(0), "customers")->customers);
}

Datum
gammagamma_model_iterations(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(gg_get(PG_GETARG_DATUM(0), "iterations")->iterations);
}

Datum
gammagamma_model_converged(PG_FUNCTION_ARGS)
{
	GgModel    *m = gg_get(PG_GETARG_DATUM(0), "converged");

	if (!(m->flags & GG_F_FITTED))
		PG_RETURN_NULL();
	PG_RETURN_BOOL((m->flags & GG_F_CONVERGED) != 0);
}
