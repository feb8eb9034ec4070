/*
 * fitstate.c - the state of the fitting aggregates bgnbd_fit() and
 * gammagamma_fit(): the customers' (x, t_x, T) or (x, mean spend) tuples,
 * each with a weight (a number of identical customers).  It is a real type
 * (clv_fit_state) with text and binary I/O, so partial aggregation can be
 * pushed down (spec section 6).
 *
 * Identical tuples are merged whenever the state is full (before it grows)
 * and in the final function, where they are sorted: the fit then sees the
 * same sorted, merged tuples whatever the order of the rows, the plan
 * (serial, parallel, merged partial states) or the weights (k identical rows
 * and one row of weight k), so all of those give bit-identical models.
 */
#include "models/models.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"

#define FIT_MIN_CAP 64
#define FIT_MAX_WEIGHT 9007199254740992.0	/* 2^53: integers exact in a double */
#define FIT_MAX_CAP ((int64) ((MaxAllocSize - FIT_HEADER) / (FIT_WIDTH * sizeof(double))))

static const char *const fit_kinds[] = {"", "bgnbd", "gammagamma"};

static bool
fit_whole(double v)
{
	return isfinite(v) && v >= 0 && v <= FIT_MAX_WEIGHT && v == floor(v);
}

/* NULL when tuple t of a state of kind keeps its rules, else the rule */
static const char *
fit_tuple_broken(int kind, const double *t)
{
	if (!fit_whole(t[0]) || !fit_whole(t[3]) || t[3] < 1)
		return "x and the weight must be whole numbers (the weight at least 1).";
	if (kind == FIT_BGNBD)
	{
		if (!isfinite(t[1]) || !isfinite(t[2]) || t[1] < 0 || t[2] < t[1] || (t[0] > 0 && t[1] <= 0))
			return "Each tuple must have 0 <= t_x <= T, and t_x > 0 when x > 0.";
	}
	else if (t[0] < 1 || !isfinite(t[1]) || t[1] <= 0 || t[2] != 0)
		return "Each tuple must have x >= 1 and a positive mean spend.";
	return NULL;
}

static const char *
fit_broken(const void *value)
{
	const FitState *s = value;

	if (s->version != FIT_VERSION)
		return "Unsupported format version.";
	if (s->kind != FIT_BGNBD && s->kind != FIT_GAMMAGAMMA)
		return "Unknown kind of state.";
	if (s->flags != 0 || s->pad != 0)
		return "Reserved fields must be 0.";
	if (s->unit_us < 0)
		return "The time unit must not be negative.";
	if (s->n < 0 || s->cap < s->n || s->cap > FIT_MAX_CAP ||
		VARSIZE(s) != FIT_HEADER + (Size) s->cap * FIT_WIDTH * sizeof(double))
		return "The tuples do not fit the value.";
	for (int64 i = 0; i < s->n; i++)
	{
		const char *b = fit_tuple_broken(s->kind, s->t + i * FIT_WIDTH);

		if (b)
			return b;
	}
	return NULL;
}

static FitState *
fit_stored(Datum d)
{
	FitState   *s = kpi_stored(d, FIT_VERSION, FIT_HEADER, FIT_TYPNAME);

	if (s->cap < 0 || s->cap > FIT_MAX_CAP ||
		VARSIZE(s) != FIT_HEADER + (Size) s->cap * FIT_WIDTH * sizeof(double))
		kpi_corrupt(FIT_TYPNAME);
	return s;
}

FitState *
models_fit_get(Datum d, const char *fname)
{
	return kpi_valid(fit_stored(d), fit_broken, fname, FIT_TYPNAME);
}

static FitState *
fit_new(int kind, int64 cap)
{
	FitState   *s;

	if (cap > FIT_MAX_CAP)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: too many distinct customers to fit (" INT64_FORMAT ")",
						kind == FIT_BGNBD ? "bgnbd_fit" : "gammagamma_fit", cap),
				 errhint("Fit on a sample of the customers, or on rfm values grouped into identical rows with their counts as weights.")));
	s = kpi_fixed_new(FIT_VERSION, FIT_HEADER + (Size) cap * FIT_WIDTH * sizeof(double));
	s->kind = kind;
	s->cap = cap;
	return s;
}

static int
fit_cmp(const void *pa, const void *pb)
{
	const double *a = pa;
	const double *b = pb;

	for (int j = 0; j < FIT_WIDTH - 1; j++)
		if (a[j] != b[j])
			return a[j] < b[j] ? -1 : 1;
	return 0;
}

void
models_fit_compact(FitState *s)
{
	int64		k = 0;

	if (s->n <= 1)
		return;
	qsort(s->t, s->n, FIT_WIDTH * sizeof(double), fit_cmp);
	for (int64 i = 1; i < s->n; i++)
	{
		double	   *cur = s->t + i * FIT_WIDTH;
		double	   *last = s->t + k * FIT_WIDTH;

		if (fit_cmp(cur, last) == 0 && last[3] + cur[3] <= FIT_MAX_WEIGHT)
			last[3] += cur[3];
		else
		{
			k++;
			if (k != i)
				memcpy(s->t + k * FIT_WIDTH, cur, FIT_WIDTH * sizeof(double));
		}
	}
	s->n = k + 1;
	memset(s->t + s->n * FIT_WIDTH, 0, (Size) (s->cap - s->n) * FIT_WIDTH * sizeof(double));
}

double
models_fit_customers(const FitState *s)
{
	double		n = 0;

	for (int64 i = 0; i < s->n; i++)
		n += s->t[i * FIT_WIDTH + 3];
	return n;
}

/* s with room for one more tuple: merged, or a copy with twice the room */
static FitState *
fit_room(FitState *s)
{
	FitState   *g;

	if (s->n < s->cap)
		return s;
	models_fit_compact(s);
	if (s->n <= s->cap / 2)
		return s;
	g = fit_new(s->kind, Max(s->cap * 2, FIT_MIN_CAP));
	g->unit_us = s->unit_us;
	g->n = s->n;
	memcpy(g->t, s->t, (Size) s->n * FIT_WIDTH * sizeof(double));
	return g;
}

static void
fit_same_unit(int64 *unit_us, int64 other, const char *fname)
{
	if (other == 0)
		return;
	if (*unit_us != 0 && *unit_us != other)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: rfm values of different time units (" INT64_FORMAT " and " INT64_FORMAT " microseconds)",
						fname, *unit_us, other),
				 errhint("Build every rfm value with the same unit, e.g. interval '1 week'.")));
	*unit_us = other;
}

/*
 * One customer: (state, rfm [, weight]) with from_rfm, else
 * (state, x, t_x, T [, weight]) for BG/NBD or (state, x, mean_spend [, weight])
 * for Gamma-Gamma.  Rows with a NULL or a zero weight are ignored, and so are
 * customers without repeat purchases in Gamma-Gamma.
 */
static Datum
fit_accum(FunctionCallInfo fcinfo, int kind, bool from_rfm, bool weighted)
{
	const char *fname = kind == FIT_BGNBD ? "bgnbd_fit" : "gammagamma_fit";
	int			nargs = from_rfm ? 1 : (kind == FIT_BGNBD ? 3 : 2);
	double		t[FIT_WIDTH] = {0, 0, 0, 1};
	int64		unit_us = 0;
	FitState   *s;
	const char *b;

	for (int i = 1; i <= nargs + (weighted ? 1 : 0); i++)
		if (PG_ARGISNULL(i))
			return kpi_unchanged(fcinfo);
	if (weighted)
	{
		int64		w = PG_GETARG_INT64(nargs + 1);

		if (w < 0 || (double) w > FIT_MAX_WEIGHT)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: weight must be between 0 and 2^53, got " INT64_FORMAT, fname, w),
					 errhint("The weight is the number of identical customers the row stands for.")));
		if (w == 0)
			return kpi_unchanged(fcinfo);
		t[3] = (double) w;
	}
	if (from_rfm)
	{
		Rfm		   *r = models_rfm_reader(PG_GETARG_DATUM(1), fname);

		t[0] = (double) models_rfm_x(r);
		if (kind == FIT_BGNBD)
		{
			t[1] = models_rfm_t_x(r);
			t[2] = models_rfm_T(r);
		}
		else
			t[1] = models_rfm_mean_spend(r);
		unit_us = r->unit_us;
	}
	else
	{
		int64		x = PG_GETARG_INT64(1);

		t[0] = (double) x;
		t[1] = PG_GETARG_FLOAT8(2);
		if (kind == FIT_BGNBD)
		{
			t[2] = PG_GETARG_FLOAT8(3);
			models_check_rft(fname, x, t[1], t[2]);
		}
		if (x < 0 || (double) x > FIT_MAX_WEIGHT)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: x must be between 0 and 2^53, got " INT64_FORMAT, fname, x),
					 errhint("x is the number of repeat purchases.")));
	}
	if (kind == FIT_GAMMAGAMMA)
	{
		if (t[0] == 0)
			return kpi_unchanged(fcinfo);
		if (!isfinite(t[1]) || t[1] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("gammagamma_fit: the mean spend of a repeat buyer must be positive, got %g", t[1]),
					 errhint("Leave out customers whose repeat purchases have no value (WHERE mean_repeat_spend(r) > 0).")));
	}
	b = fit_tuple_broken(kind, t);
	if (b)
		kpi_bad_value(fname, "customer", b);

	if (PG_ARGISNULL(0))
		s = fit_new(kind, FIT_MIN_CAP);
	else
	{
		s = fit_stored(PG_GETARG_DATUM(0));
		if (s->kind != kind || s->n < 0 || s->n > s->cap)
			kpi_bad_value(fname, FIT_TYPNAME, "The state is not a valid state of this aggregate.");
		s = kpi_writable(fcinfo, 0, s);
	}
	fit_same_unit(&s->unit_us, unit_us, fname);
	s = fit_room(s);
	memcpy(s->t + s->n * FIT_WIDTH, t, sizeof(t));
	s->n++;
	PG_RETURN_POINTER(s);
}

KPI_FUNCTION(bgnbd_fit_accum_rfm, fit_accum, FIT_BGNBD, true, false);
KPI_FUNCTION(bgnbd_fit_accum_rfm_w, fit_accum, FIT_BGNBD, true, true);
KPI_FUNCTION(bgnbd_fit_accum, fit_accum, FIT_BGNBD, false, false);
KPI_FUNCTION(bgnbd_fit_accum_w, fit_accum, FIT_BGNBD, false, true);
KPI_FUNCTION(gammagamma_fit_accum_rfm, fit_accum, FIT_GAMMAGAMMA, true, false);
KPI_FUNCTION(gammagamma_fit_accum_rfm_w, fit_accum, FIT_GAMMAGAMMA, true, true);
KPI_FUNCTION(gammagamma_fit_accum, fit_accum, FIT_GAMMAGAMMA, false, false);
KPI_FUNCTION(gammagamma_fit_accum_w, fit_accum, FIT_GAMMAGAMMA, false, true);

/* combine: the tuples of both, merged */
PG_FUNCTION_INFO_V1(clv_fit_combine);
Datum
clv_fit_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_fit_combine";
	FitState   *a = NULL;
	FitState   *b;
	FitState   *m;

	if (!PG_ARGISNULL(0))
		a = models_fit_get(PG_GETARG_DATUM(0), fname);
	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	b = models_fit_get(PG_GETARG_DATUM(1), fname);
	if (a == NULL)
		PG_RETURN_POINTER(b);
	if (a->kind != b->kind)
		kpi_bad_value(fname, FIT_TYPNAME, "The states are of different models.");
	m = fit_new(a->kind, Max(a->n + b->n, FIT_MIN_CAP));
	m->unit_us = a->unit_us;
	fit_same_unit(&m->unit_us, b->unit_us, fname);
	memcpy(m->t, a->t, (Size) a->n * FIT_WIDTH * sizeof(double));
	memcpy(m->t + a->n * FIT_WIDTH, b->t, (Size) b->n * FIT_WIDTH * sizeof(double));
	m->n = a->n + b->n;
	models_fit_compact(m);
	PG_RETURN_POINTER(m);
}

/* ---- I/O: (version=1,kind=bgnbd,unit_us=N,tuples=[(x,t_x,T,w),...]) ---- */

PG_FUNCTION_INFO_V1(clv_fit_state_in);
PG_FUNCTION_INFO_V1(clv_fit_state_out);
PG_FUNCTION_INFO_V1(clv_fit_state_recv);
PG_FUNCTION_INFO_V1(clv_fit_state_send);

/* a double at the cursor (no key) */
static double
fit_kv_number(KvParser *kv)
{
	char	   *end;
	double		v;

	while (*kv->p == ' ')
		kv->p++;
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

Datum
clv_fit_state_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	FitState   *s;
	int			kind;
	int64		unit_us;

	kpi_kv_begin(&kv, str, FIT_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != FIT_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	kind = 1 + kpi_kv_word(&kv, "kind", fit_kinds + 1, 2, "Expected kind bgnbd or gammagamma");
	unit_us = kpi_kv_int64(&kv, "unit_us", 0);
	s = fit_new(kind, FIT_MIN_CAP);
	s->unit_us = unit_us;
	kpi_kv_key(&kv, "tuples");
	kpi_kv_char(&kv, '[');
	if (!kpi_kv_peek(&kv, ']'))
	{
		do
		{
			if (s->n == s->cap)
			{
				FitState   *g = fit_new(kind, s->cap * 2);

				g->unit_us = unit_us;
				g->n = s->n;
				memcpy(g->t, s->t, (Size) s->n * FIT_WIDTH * sizeof(double));
				pfree(s);
				s = g;
			}
			kpi_kv_char(&kv, '(');
			for (int j = 0; j < FIT_WIDTH; j++)
			{
				if (j > 0)
					kpi_kv_char(&kv, ',');
				s->t[s->n * FIT_WIDTH + j] = fit_kv_number(&kv);
			}
			kpi_kv_char(&kv, ')');
			s->n++;
		} while (kpi_kv_more(&kv));
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_end(&kv);
	kpi_check_text(fit_broken(s), FIT_TYPNAME, str);
	PG_RETURN_POINTER(s);
}

Datum
clv_fit_state_out(PG_FUNCTION_ARGS)
{
	FitState   *s = fit_stored(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,kind=%s,unit_us=" INT64_FORMAT ",tuples=[", s->version,
					 s->kind == FIT_GAMMAGAMMA ? "gammagamma" : "bgnbd", s->unit_us);
	for (int64 i = 0; i < Min(s->n, s->cap); i++)
	{
		appendStringInfoString(&buf, i ? ",(" : "(");
		for (int j = 0; j < FIT_WIDTH; j++)
		{
			if (j)
				appendStringInfoChar(&buf, ',');
			models_append_double(&buf, s->t[i * FIT_WIDTH + j]);
		}
		appendStringInfoChar(&buf, ')');
	}
	appendStringInfoString(&buf, "])");
	PG_RETURN_CSTRING(buf.data);
}

Datum
clv_fit_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	FitState   *s;
	int			version,
				kind,
				flags;
	int64		unit_us,
				n;

	version = pq_getmsgbyte(buf);
	if (version != FIT_VERSION)
		kpi_bad_binary(FIT_TYPNAME, "Unsupported format version.");
	kind = pq_getmsgbyte(buf);
	if (kind != FIT_BGNBD && kind != FIT_GAMMAGAMMA)
		kpi_bad_binary(FIT_TYPNAME, "Unknown kind of state.");
	flags = pq_getmsgint(buf, 2);
	unit_us = pq_getmsgint64(buf);
	n = pq_getmsgint64(buf);
	kpi_recv_count(buf, n, FIT_WIDTH * sizeof(double), FIT_TYPNAME, "The number of tuples does not match the message.");
	s = fit_new(kind, Max(n, 1));
	s->flags = flags;
	s->unit_us = unit_us;
	s->n = n;
	for (int64 i = 0; i < n * FIT_WIDTH; i++)
		s->t[i] = pq_getmsgfloat8(buf);
	kpi_recv_end(buf, FIT_TYPNAME);
	kpi_check_binary(fit_broken(s), FIT_TYPNAME);
	PG_RETURN_POINTER(s);
}

Datum
clv_fit_state_send(PG_FUNCTION_ARGS)
{
	FitState   *s = fit_stored(PG_GETARG_DATUM(0));
	StringInfoData buf;
	int64		n = Max(Min(s->n, s->cap), 0);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->kind);
	pq_sendint16(&buf, s->flags);
	pq_sendint64(&buf, s->unit_us);
	pq_sendint64(&buf, n);
	for (int64 i = 0; i < n * FIT_WIDTH; i++)
		pq_sendfloat8(&buf, s->t[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
