/*
 * models.h - predictive CLV (spec section 2.4, clv strength 3): the RFM
 * summary of a customer's orders (rfm.c), the state of the fitting
 * aggregates (fitstate.c), the optimiser (optim.c), the BG/NBD model of
 * purchases (bgnbd.c) and the Gamma-Gamma model of spend (gammagamma.c).
 */
#ifndef MODELS_MODELS_H
#define MODELS_MODELS_H

#include "kpi/kpi.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/memutils.h"

/* ---- rfm (rfm.c) ---- */

#define RFM_VERSION 1
#define RFM_TYPNAME "rfm"
#define RFM_F_STATE 0x01		/* carries its purchase days: an aggregate state */

typedef struct Rfm
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;			/* RFM_F_STATE or 0 */
	int16		scale;			/* display scale of the amounts */
	int32		end_day;		/* calibration end (inclusive), days since 2000-01-01 */
	int32		first_day;		/* first purchase day */
	int32		last_day;		/* last purchase day (in the calibration period) */
	int32		cap;			/* state: room in days[]; summary: 0 */
	int64		unit_us;		/* the time unit, microseconds */
	int64		purchases;		/* distinct purchase days = x + 1 (0: none yet) */
	uint64		customer;		/* hash of the customer id */
	int128		first_amount;	/* amount of the first purchase day (at scale) */
	int128		total_amount;	/* amount of every purchase day (at scale) */
	int32		days[FLEXIBLE_ARRAY_MEMBER];	/* state: the distinct days, ascending */
} Rfm;

#define RFM_HEADER offsetof(Rfm, days)

/* the value of d with every invariant checked by fname */
extern Rfm *models_rfm_get(Datum d, const char *fname);
/* the same for a reader, a model or a fit: a state without purchases is refused (22023) */
extern Rfm *models_rfm_reader(Datum d, const char *fname);
/* x, t_x and T in the rfm's unit; the mean repeat spend as a double (0 when x = 0) */
extern int64 models_rfm_x(const Rfm *s);
extern double models_rfm_t_x(const Rfm *s);
extern double models_rfm_T(const Rfm *s);
extern double models_rfm_mean_spend(const Rfm *s);
/* a time unit (microseconds, > 0) as the interval time_unit() returns */
extern Interval *models_unit_interval(int64 unit_us);

/* ---- fitting state (fitstate.c) ---- */

#define FIT_VERSION 1
#define FIT_TYPNAME "clv_fit_state"
#define FIT_BGNBD 1
#define FIT_GAMMAGAMMA 2
#define FIT_WIDTH 4				/* doubles per tuple */

/*
 * The rows an aggregate fits a model to: tuples (x, t_x, T, weight) for
 * BG/NBD, (x, mean spend, 0, weight) for Gamma-Gamma; identical tuples are
 * merged (their weights added) whenever the state is full and always before
 * a fit.
 */
typedef struct FitState
{
	int32		vl_len_;
	uint8		version;
	uint8		kind;			/* FIT_BGNBD or FIT_GAMMAGAMMA */
	uint16		flags;			/* reserved, 0 */
	int32		pad;			/* reserved, 0 */
	int64		unit_us;		/* time unit of the rfm values fitted, 0 if unknown */
	int64		n;				/* tuples in use */
	int64		cap;			/* room for tuples */
	double		t[FLEXIBLE_ARRAY_MEMBER];	/* cap * FIT_WIDTH */
} FitState;

#define FIT_HEADER offsetof(FitState, t)

extern FitState *models_fit_get(Datum d, const char *fname);
/* sort the tuples and merge identical ones (weights added) */
extern void models_fit_compact(FitState *s);
/* the total weight (customers) */
extern double models_fit_customers(const FitState *s);

/* ---- optimiser (optim.c) ---- */

/* the function to minimise over log-parameters; returns +inf outside its domain */
typedef double (*ModelsObjective) (const double *logp, void *arg);

typedef struct ModelsOptimum
{
	double		logp[4];
	double		f;
	int64		iterations;
	bool		converged;
} ModelsOptimum;

extern void models_minimise(ModelsObjective f, void *arg, int dim,
							const double (*starts)[4], int nstarts, double bound, ModelsOptimum *out);

/* ---- numerics and text (optim.c) ---- */

/* log(exp(a) + exp(b)) without overflow */
extern double models_logaddexp(double a, double b);
/* log of the Gauss hypergeometric 2F1(a, b; c; z) for a, b, c > 0, 0 <= z < 1 (series) */
extern double models_log_hyp2f1(double a, double b, double c, double z, const char *fname);
/* "key=D" with D a finite double */
extern double models_kv_double(KvParser *kv, const char *key);
/* a finite double in the shortest form that reads back exactly */
extern void models_append_double(StringInfo buf, double v);
/* a finite result, or an error naming fname (never NaN or infinity) */
extern double models_finite(double v, const char *fname);
/* argument checks of the prediction functions (22023) */
extern void models_check_rft(const char *fname, int64 x, double t_x, double T);
extern void models_check_horizon(const char *fname, const char *argname, double t);

/* ---- bgnbd.c, for predicted_clv ---- */

/*
 * sum over the periods k = 1..horizon of the BG/NBD model's expected
 * purchases in period k, discounted by (1 + discount)^k; s: the rfm the
 * arguments come from (its unit is checked), or NULL
 */
extern double models_bgnbd_discounted_purchases(Datum model, int64 x, double t_x, double T, int32 horizon,
												double discount, const Rfm *s, const char *fname);

#endif							/* MODELS_MODELS_H */
