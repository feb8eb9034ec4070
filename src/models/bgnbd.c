/*
 * bgnbd.c - the BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005,
 * "Counting your customers the easy way"): fitted by maximum likelihood
 * (bgnbd_fit), stored (bgnbd_model), and applied per customer (expected
 * purchases, P(alive)) and to a new customer.
 *
 * While alive, a customer buys at rate lambda ~ Gamma(r, alpha) (Poisson
 * purchases); after each purchase it drops out with probability
 * p ~ Beta(a, b).  The likelihood of a customer with x repeat purchases, the
 * last at t_x, observed for T (equation 6 of the paper):
 *
 *   L = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
 *     + [x > 0] B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x))
 *
 * evaluated in log space (lgamma, logaddexp), so that it never overflows.
 */
#include "models/models.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#define BG_VERSION 1
#define BG_TYPNAME "bgnbd_model"
#define BG_F_FITTED 0x01		/* from bgnbd_fit: log_likelihood, customers, iterations */
#define BG_F_CONVERGED 0x02		/* the optimiser met its tolerances */
#define BG_MAX_LOGP 35.0		/* |log parameter| beyond which a fit has not converged */
#define BG_DOMAIN_LOGP 40.0		/* the optimiser's domain */

typedef struct BgnbdModel
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;
	int16		pad;			/* 0 */
	int64		unit_us;		/* time unit of the rfm values fitted; 0 if unknown */
	int64		customers;		/* fitted: customers (total weight) */
	int64		iterations;		/* fitted: Nelder-Mead iterations */
	double		r;
	double		alpha;
	double		a;
	double		b;
	double		ll;				/* fitted: the maximised log-likelihood */
} BgnbdModel;

static const char *
bg_broken(const void *value)
{
	const BgnbdModel *m = value;

	if (m->version != BG_VERSION)
		return "Unsupported format version.";
	if ((m->flags & ~(BG_F_FITTED | BG_F_CONVERGED)) != 0 || m->pad != 0)
		return "Unknown flag bits are set.";
	if (!(isfinite(m->r) && isfinite(m->alpha) && isfinite(m->a) && isfinite(m->b) &&
		  m->r > 0 && m->alpha > 0 && m->a > 0 && m->b > 0))
		return "The parameters r, alpha, a and b must be finite and positive.";
	if (!isfinite(m->ll) || m->unit_us < 0 || m->iterations < 0)
		return "The log-likelihood must be finite, the unit and iterations non-negative.";
	if (m->flags & BG_F_FITTED)
	{
		if (m->customers < 1)
			return "A fitted model has at least one customer.";
	}
	else if (m->customers != 0 || m->iterations != 0 || m->ll != 0 || (m->flags & BG_F_CONVERGED))
		return "A model that was not fitted has no customers, iterations, log-likelihood or convergence.";
	return NULL;
}

static BgnbdModel *
bg_get(Datum d, const char *fname)
{
	return kpi_valid(kpi_fixed_get(d, BG_VERSION, sizeof(BgnbdModel), BG_TYPNAME), bg_broken, fname, BG_TYPNAME);
}

/* ---- the likelihood ---- */

typedef struct BgData
{
	const double *t;			/* sorted tuples (x, t_x, T, w) */
	int64		n;
	double		customers;
	/*
	 * the distinct values of t_x and T (few: whole days in the unit) and,
	 * per tuple, the index of its t_x and of its T among them: the
	 * objective takes log(alpha + v) once per distinct value
	 */
	const double *vals;
	int64		nvals;
	const int32 *ix;			/* 2 per tuple: t_x, T */
	double	   *logs;			/* scratch, nvals */
} BgData;

/* -LL / customers at log-parameters (log r, log alpha, log a, log b) */
static double
bg_objective(const double *lp, void *arg)
{
	BgData	   *d = arg;
	double		r,
				alpha,
				a,
				b,
				la,
				ll = 0,
				common;
	double		lastx = -1,
				gx = 0,
				lbx = 0;

	for (int j = 0; j < 4; j++)
		if (!(fabs(lp[j]) <= BG_DOMAIN_LOGP))
			return INFINITY;
	r = exp(lp[0]);
	alpha = exp(lp[1]);
	a = exp(lp[2]);
	b = exp(lp[3]);
	la = lp[1];
	common = -lgamma(r) + r * la + lgamma(a + b) - lgamma(b);
	for (int64 k = 0; k < d->nvals; k++)
		d->logs[k] = log(alpha + d->vals[k]);
	for (int64 i = 0; i < d->n; i++)
	{
		const double *t = d->t + i * FIT_WIDTH;
		double		x = t[0];
		double		l1,
					l2;

		/* the tuples are sorted by x: the terms of x once per x */
		if (x != lastx)
		{
			gx = lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x);
			lbx = x > 0 ? log(a) - log(b + x - 1) : 0;
			lastx = x;
		}
		l1 = -(r + x) * d->logs[d->ix[2 * i + 1]];
		l2 = x > 0 ? lbx - (r + x) * d->logs[d->ix[2 * i]] : -INFINITY;
		ll += t[3] * (gx + models_logaddexp(l1, l2));
	}
	ll += d->customers * common;
	return -ll / d->customers;
}

static int
bg_cmp_double(const void *pa, const void *pb)
{
	double		a = *(const double *) pa;
	double		b = *(const double *) pb;

	return a < b ? -1 : a > b ? 1 : 0;
}

/* the distinct t_x and T values of the tuples of w, and each tuple's indexes among them */
static void
bg_index_values(BgData *d, const FitState *w)
{
	double	   *v = palloc(sizeof(double) * 2 * Max(w->n, 1));
	int32	   *ix = palloc(sizeof(int32) * 2 * Max(w->n, 1));
	int64		nv = 0;

	for (int64 i = 0; i < w->n; i++)
	{
		v[2 * i] = w->t[i * FIT_WIDTH + 1];
		v[2 * i + 1] = w->t[i * FIT_WIDTH + 2];
	}
	qsort(v, 2 * w->n, sizeof(double), bg_cmp_double);
	for (int64 i = 0; i < 2 * w->n; i++)
		if (nv == 0 || v[i] != v[nv - 1])
			v[nv++] = v[i];
	for (int64 i = 0; i < w->n; i++)
		for (int j = 0; j < 2; j++)
		{
			double		key = w->t[i * FIT_WIDTH + 1 + j];
			double	   *hit = bsearch(&key, v, nv, sizeof(double), bg_cmp_double);

			Assert(hit != NULL);
			ix[2 * i + j] = (int32) (hit - v);
		}
	d->vals = v;
	d->nvals = nv;
	d->ix = ix;
	d->logs = palloc(sizeof(double) * Max(nv, 1));
}

static BgnbdModel *
bg_new(void)
{
	return kpi_fixed_new(BG_VERSION, sizeof(BgnbdModel));
}

/* final function of bgnbd_fit(): NULL without customers */
PG_FUNCTION_INFO_V1(bgnbd_fit_final);
Datum
bgnbd_fit_final(PG_FUNCTION_ARGS)
{
	FitState   *st;
	FitState   *w;
	BgData		d;
	ModelsOptimum opt;
	BgnbdModel *m;
	double		meanT = 0;
	double		starts[3][4];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = models_fit_get(PG_GETARG_DATUM(0), "bgnbd_fit_final");
	if (st->kind != FIT_BGNBD)
		kpi_bad_value("bgnbd_fit_final", FIT_TYPNAME, "The state is not a bgnbd_fit() state.");
	if (st->n == 0)
		PG_RETURN_NULL();
	/* the state is the aggregate's (a final function must not change it): a sorted copy */
	w = palloc(VARSIZE(st));
	memcpy(w, st, VARSIZE(st));
	models_fit_compact(w);
	d.t = w->t;
	d.n = w->n;
	d.customers = models_fit_customers(w);
	bg_index_values(&d, w);
	for (int64 i = 0; i < w->n; i++)
		meanT += w->t[i * FIT_WIDTH + 2] * w->t[i * FIT_WIDTH + 3];
	meanT = Max(meanT / d.customers, 1e-6);
	/* starts: all parameters 1; a rate of about one purchase per T; a flatter dropout */
	starts[0][0] = 0;
	starts[0][1] = 0;
	starts[0][2] = 0;
	starts[0][3] = 0;
	starts[1][0] = 0;
	starts[1][1] = log(meanT);
	starts[1][2] = 0;
	starts[1][3] = log(2.0);
	starts[2][0] = log(0.25);
	starts[2][1] = log(meanT / 8);
	starts[2][2] = log(0.8);
	starts[2][3] = log(2.5);
	models_minimise(bg_objective, &d, 4, (const double (*)[4]) starts, 3, BG_MAX_LOGP, &opt);
	if (!isfinite(opt.f))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("bgnbd_fit: the log-likelihood is not finite at any starting point"),
				 errhint("Check the rfm rows: T and t_x must be in one time unit, e.g. weeks.")));
	m = bg_new();
	m->flags = BG_F_FITTED;
	for (int j = 0; j < 4; j++)
		if (fabs(opt.logp[j]) > BG_MAX_LOGP)
			opt.converged = false;
	if (opt.converged)
		m->flags |= BG_F_CONVERGED;
	m->unit_us = w->unit_us;
	m->customers = (int64) d.customers;
	m->iterations = opt.iterations;
	m->r = exp(opt.logp[0]);
	m->alpha = exp(opt.logp[1]);
	m->a = exp(opt.logp[2]);
	m->b = exp(opt.logp[3]);
	m->ll = -opt.f * d.customers;
	if (!(opt.converged))
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("bgnbd_fit: the fit did not converge"),
				 errdetail("After " INT64_FORMAT " iterations; the model is returned with converged(model) = false.",
						   opt.iterations),
				 errhint("Too few customers, or no repeat purchases, leave the parameters undetermined.")));
	PG_RETURN_POINTER(m);
}

/* bgnbd_model(r, alpha, a, b): a model from known parameters */
PG_FUNCTION_INFO_V1(bgnbd_model_make);
Datum
bgnbd_model_make(PG_FUNCTION_ARGS)
{
	BgnbdModel *m = bg_new();

	m->r = PG_GETARG_FLOAT8(0);
	m->alpha = PG_GETARG_FLOAT8(1);
	m->a = PG_GETARG_FLOAT8(2);
	m->b = PG_GETARG_FLOAT8(3);
	if (bg_broken(m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bgnbd_model: r, alpha, a and b must be finite and positive, got %g, %g, %g, %g",
						m->r, m->alpha, m->a, m->b),
				 errhint("Pass the parameters of a fitted BG/NBD model.")));
	PG_RETURN_POINTER(m);
}

/* ---- predictions ---- */

/* log of a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x): the odds of being dead */
static double
bg_log_dead_odds(const BgnbdModel *m, double x, double t_x, double T)
{
	return log(m->a) - log(m->b + x - 1) + (m->r + x) * (log(m->alpha + T) - log(m->alpha + t_x));
}

/* P(alive | x, t_x, T) = 1 / (1 + [x > 0] odds), in log space: 0, never overflow, for huge odds */
static double
bg_p_alive(const BgnbdModel *m, int64 x, double t_x, double T)
{
	if (x == 0)
		return 1.0;
	return exp(-models_logaddexp(0, bg_log_dead_odds(m, (double) x, t_x, T)));
}

/*
 * E[Y(t) | x, t_x, T] (equation 10):
 *   (a + b + x - 1) / (a - 1)
 *   * [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))]
 *   / (1 + [x > 0] odds)
 * At a = 1 the formula is 0/0; there it is the mean of a = 1 -+ 1e-7.
 */
static double
bg_expected_at(double r, double alpha, double a, double b, double x, double t_x, double T, double t,
			   const char *fname)
{
	double		l,
				bracket,
				denom;

	if (t == 0)
		return 0;
	l = (r + x) * (log(alpha + T) - log(alpha + T + t)) +
		models_log_hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t), fname);
	bracket = -expm1(l);
	denom = x > 0 ? models_logaddexp(0, log(a) - log(b + x - 1) + (r + x) * (log(alpha + T) - log(alpha + t_x))) : 0;
	return (a + b + x - 1) / (a - 1) * bracket * exp(-denom);
}

static double
bg_expected(const BgnbdModel *m, double t, int64 x, double t_x, double T, const char *fname)
{
	double		v;

	if (fabs(m->a - 1) < 1e-7)
		v = 0.5 * (bg_expected_at(m->r, m->alpha, 1 - 1e-7, m->b, (double) x, t_x, T, t, fname) +
				   bg_expected_at(m->r, m->alpha, 1 + 1e-7, m->b, (double) x, t_x, T, t, fname));
	else
		v = bg_expected_at(m->r, m->alpha, m->a, m->b, (double) x, t_x, T, t, fname);
	/* a tiny negative value is rounding of 0 (t -> 0); NaN must not become 0 */
	return Max(models_finite(v, fname), 0.0);
}

/* the unit of an rfm argument must be the model's (when it knows one) */
static void
bg_check_unit(const BgnbdModel *m, const Rfm *s, const char *fname)
{
	if (m->unit_us != 0 && s->unit_us != m->unit_us)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the rfm value is in a time unit of " INT64_FORMAT " microseconds, the model in " INT64_FORMAT,
						fname, s->unit_us, m->unit_us),
				 errhint("Build the rfm values with the unit the model was fitted in.")));
}

PG_FUNCTION_INFO_V1(bgnbd_expected_purchases);
PG_FUNCTION_INFO_V1(bgnbd_expected_purchases_rfm);
PG_FUNCTION_INFO_V1(bgnbd_expected_purchases_new);
PG_FUNCTION_INFO_V1(bgnbd_p_alive);
PG_FUNCTION_INFO_V1(bgnbd_p_alive_rfm);

/* (model, t, x, t_x, T) */
Datum
bgnbd_expected_purchases(PG_FUNCTION_ARGS)
{
	const char *fname = "bgnbd_expected_purchases";
	BgnbdModel *m = bg_get(PG_GETARG_DATUM(0), fname);
	double		t = PG_GETARG_FLOAT8(1);
	int64		x = PG_GETARG_INT64(2);
	double		t_x = PG_GETARG_FLOAT8(3);
	double		T = PG_GETARG_FLOAT8(4);

	models_check_horizon(fname, "t", t);
	models_check_rft(fname, x, t_x, T);
	PG_RETURN_FLOAT8(bg_expected(m, t, x, t_x, T, fname));
}

/* (model, t, rfm) */
Datum
bgnbd_expected_purchases_rfm(PG_FUNCTION_ARGS)
{
	const char *fname = "bgnbd_expected_purchases";
	BgnbdModel *m = bg_get(PG_GETARG_DATUM(0), fname);
	double		t = PG_GETARG_FLOAT8(1);
	Rfm		   *s = models_rfm_reader(PG_GETARG_DATUM(2), fname);

	models_check_horizon(fname, "t", t);
	bg_check_unit(m, s, fname);
	PG_RETURN_FLOAT8(bg_expected(m, t, models_rfm_x(s), models_rfm_t_x(s), models_rfm_T(s), fname));
}

/*
 * E[X(t)] of a customer who has just made a first purchase (equation 9):
 * (a + b - 1) / (a - 1) * [1 - (alpha / (alpha + t))^r 2F1(r, b; a + b - 1; t / (alpha + t))],
 * which is the conditional formula at x = 0, t_x = T = 0.
 */
Datum
bgnbd_expected_purchases_new(PG_FUNCTION_ARGS)
{
	const char *fname = "bgnbd_expected_purchases_new";
	BgnbdModel *m = bg_get(PG_GETARG_DATUM(0), fname);
	double		t = PG_GETARG_FLOAT8(1);

	models_check_horizon(fname, "t", t);
	PG_RETURN_FLOAT8(bg_expected(m, t, 0, 0, 0, fname));
}

Datum
bgnbd_p_alive(PG_FUNCTION_ARGS)
{
	const char *fname = "bgnbd_p_alive";
	BgnbdModel *m = bg_get(PG_GETARG_DATUM(0), fname);
	int64		x = PG_GETARG_INT64(1);
	double		t_x = PG_GETARG_FLOAT8(2);
	double		T = PG_GETARG_FLOAT8(3);

	models_check_rft(fname, x, t_x, T);
	PG_RETURN_FLOAT8(models_finite(bg_p_alive(m, x, t_x, T), fname));
}

Datum
bgnbd_p_alive_rfm(PG_FUNCTION_ARGS)
{
	const char *fname = "bgnbd_p_alive";
	BgnbdModel *m = bg_get(PG_GETARG_DATUM(0), fname);
	Rfm		   *s = models_rfm_reader(PG_GETARG_DATUM(1), fname);

	bg_check_unit(m, s, fname);
	PG_RETURN_FLOAT8(models_finite(bg_p_alive(m, models_rfm_x(s), models_rfm_t_x(s), models_rfm_T(s)), fname));
}

/*
 * The expected purchases of each of the next horizon periods, discounted:
 * sum over k = 1..horizon of (E[Y(k)] - E[Y(k-1)]) / (1 + discount)^k.
 * predicted_clv multiplies it by the expected spend (gammagamma.c).
 */
double
models_bgnbd_discounted_purchases(Datum model, int64 x, double t_x, double T, int32 horizon,
								  double discount, const Rfm *s, const char *fname)
{
	BgnbdModel *m = bg_get(model, fname);
	double		prev = 0,
				sum = 0;

	if (s)
		bg_check_unit(m, s, fname);
	for (int32 k = 1; k <= horizon; k++)
	{
		double		e = bg_expected(m, (double) k, x, t_x, T, fname);

		sum += Max(e - prev, 0.0) / pow(1 + discount, k);
		prev = e;
		CHECK_FOR_INTERRUPTS();
	}
	return models_finite(sum, fname);
}

/* ---- I/O: (version=1,r=..,alpha=..,a=..,b=..,ll=..,customers=N,iterations=N,converged=..,fitted=..,unit_us=N) ---- */

PG_FUNCTION_INFO_V1(bgnbd_model_in);
PG_FUNCTION_INFO_V1(bgnbd_model_out);
PG_FUNCTION_INFO_V1(bgnbd_model_recv);
PG_FUNCTION_INFO_V1(bgnbd_model_send);

static const char *const bool_words[] = {"false", "true"};

Datum
bgnbd_model_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	BgnbdModel *m = bg_new();
	KvParser	kv;

	kpi_kv_begin(&kv, str, BG_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != BG_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	m->r = models_kv_double(&kv, "r");
	m->alpha = models_kv_double(&kv, "alpha");
	m->a = models_kv_double(&kv, "a");
	m->b = models_kv_double(&kv, "b");
	m->ll = models_kv_double(&kv, "ll");
	m->customers = kpi_kv_int64(&kv, "customers", 0);
	m->iterations = kpi_kv_int64(&kv, "iterations", 0);
	if (kpi_kv_word(&kv, "fitted", bool_words, 2, "Expected true or false"))
		m->flags |= BG_F_FITTED;
	if (kpi_kv_word(&kv, "converged", bool_words, 2, "Expected true or false"))
		m->flags |= BG_F_CONVERGED;
	m->unit_us = kpi_kv_int64(&kv, "unit_us", 0);
	kpi_kv_end(&kv);
	kpi_check_text(bg_broken(m), BG_TYPNAME, str);
	PG_RETURN_POINTER(m);
}

Datum
bgnbd_model_out(PG_FUNCTION_ARGS)
{
	BgnbdModel *m = kpi_fixed_get(PG_GETARG_DATUM(0), BG_VERSION, sizeof(BgnbdModel), BG_TYPNAME);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,r=", m->version);
	models_append_double(&buf, m->r);
	appendStringInfoString(&buf, ",alpha=");
	models_append_double(&buf, m->alpha);
	appendStringInfoString(&buf, ",a=");
	models_append_double(&buf, m->a);
	appendStringInfoString(&buf, ",b=");
	models_append_double(&buf, m->b);
	appendStringInfoString(&buf, ",ll=");
	models_append_double(&buf, m->ll);
	appendStringInfo(&buf, ",customers=" INT64_FORMAT ",iterations=" INT64_FORMAT ",fitted=%s,converged=%s,unit_us=" INT64_FORMAT ")",
					 m->customers, m->iterations, bool_words[(m->flags & BG_F_FITTED) != 0],
					 bool_words[(m->flags & BG_F_CONVERGED) != 0], m->unit_us);
	PG_RETURN_CSTRING(buf.data);
}

Datum
bgnbd_model_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	BgnbdModel *m = bg_new();

	m->version = pq_getmsgbyte(buf);
	if (m->version != BG_VERSION)
		kpi_bad_binary(BG_TYPNAME, "Unsupported format version.");
	m->flags = pq_getmsgbyte(buf);
	m->unit_us = pq_getmsgint64(buf);
	m->customers = pq_getmsgint64(buf);
	m->iterations = pq_getmsgint64(buf);
	m->r = pq_getmsgfloat8(buf);
	m->alpha = pq_getmsgfloat8(buf);
	m->a = pq_getmsgfloat8(buf);
	m->b = pq_getmsgfloat8(buf);
	m->ll = pq_getmsgfloat8(buf);
	kpi_recv_end(buf, BG_TYPNAME);
	kpi_check_binary(bg_broken(m), BG_TYPNAME);
	PG_RETURN_POINTER(m);
}

Datum
bgnbd_model_send(PG_FUNCTION_ARGS)
{
	BgnbdModel *m = kpi_fixed_get(PG_GETARG_DATUM(0), BG_VERSION, sizeof(BgnbdModel), BG_TYPNAME);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, m->version);
	pq_sendbyte(&buf, m->flags);
	pq_sendint64(&buf, m->unit_us);
	pq_sendint64(&buf, m->customers);
	pq_sendint64(&buf, m->iterations);
	pq_sendfloat8(&buf, m->r);
	pq_sendfloat8(&buf, m->alpha);
	pq_sendfloat8(&buf, m->a);
	pq_sendfloat8(&buf, m->b);
	pq_sendfloat8(&buf, m->ll);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- accessors ---- */

PG_FUNCTION_INFO_V1(bgnbd_model_r);
PG_FUNCTION_INFO_V1(bgnbd_model_alpha);
PG_FUNCTION_INFO_V1(bgnbd_model_a);
PG_FUNCTION_INFO_V1(bgnbd_model_b);
PG_FUNCTION_INFO_V1(bgnbd_model_log_likelihood);
PG_FUNCTION_INFO_V1(bgnbd_model_customers);
PG_FUNCTION_INFO_V1(bgnbd_model_iterations);
PG_FUNCTION_INFO_V1(bgnbd_model_converged);
PG_FUNCTION_INFO_V1(bgnbd_model_time_unit);

Datum
bgnbd_model_r(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(bg_get(PG_GETARG_DATUM(0), "r")->r);
}

Datum
bgnbd_model_alpha(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(bg_get(PG_GETARG_DATUM(0), "alpha")->alpha);
}

Datum
bgnbd_model_a(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(bg_get(PG_GETARG_DATUM(0), "a")->a);
}

Datum
bgnbd_model_b(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(bg_get(PG_GETARG_DATUM(0), "b")->b);
}

/* NULL for a model that was not fitted */
Datum
bgnbd_model_log_likelihood(PG_FUNCTION_ARGS)
{
	BgnbdModel *m = bg_get(PG_GETARG_DATUM(0), "log_likelihood");

	if (!(m->flags & BG_F_FITTED))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(m->ll);
}

Datum
bgnbd_model_customers(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(bg_get(PG_GETARG_DATUM(0), "customers")->customers);
}

Datum
bgnbd_model_iterations(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(bg_get(PG_GETARG_DATUM(0), "iterations")->iterations);
}

/* NULL for a model that was not fitted */
Datum
bgnbd_model_converged(PG_FUNCTION_ARGS)
{
	BgnbdModel *m = bg_get(PG_GETARG_DATUM(0), "converged");

	if (!(m->flags & BG_F_FITTED))
		PG_RETURN_NULL();
	PG_RETURN_BOOL((m->flags & BG_F_CONVERGED) != 0);
}

/* the time unit of the rfm values fitted; NULL for a model made from parameters (any unit) */
Datum
bgnbd_model_time_unit(PG_FUNCTION_ARGS)
{
	BgnbdModel *m = bg_get(PG_GETARG_DATUM(0), "time_unit");

	if (m->unit_us == 0)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(models_unit_interval(m->unit_us));
}
