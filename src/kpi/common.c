/*
 * common.c - exact money arithmetic, time conversion, state and I/O helpers
 * shared by every KPI of sales_kpi.
 */
#include "kpi/kpi.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

PG_MODULE_MAGIC;

/*
 * The on-disk numeric format (see src/backend/utils/adt/numeric.c).  It is
 * part of PostgreSQL's stable storage format, so reading it here is safe; we
 * only read it, never build it (results go through numeric_in).
 */
#define NUM_SIGN_MASK	0xC000
#define NUM_NEG			0x4000
#define NUM_SHORT		0x8000
#define NUM_SPECIAL		0xC000
#define NUM_SHORT_SIGN_MASK 0x2000
#define NUM_SHORT_DSCALE_MASK 0x1F80
#define NUM_SHORT_DSCALE_SHIFT 7
#define NUM_SHORT_WEIGHT_SIGN_MASK 0x0040
#define NUM_SHORT_WEIGHT_MASK 0x003F
#define NUM_DSCALE_MASK 0x3FFF
#define NUM_NBASE		10000
#define NUM_DEC_DIGITS	4

static int128 pow10_128[KPI_MAX_SCALE + 1];
static bool pow10_ready = false;

static inline const int128 *
pow10_table(void)
{
	if (!pow10_ready)
	{
		int128		v = 1;

		for (int i = 0; i <= KPI_MAX_SCALE; i++)
		{
			pow10_128[i] = v;
			v *= 10;
		}
		pow10_ready = true;
	}
	return pow10_128;
}

pg_noreturn static void
money_overflow(const char *fname);

static void
money_overflow(const char *fname)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s: amount out of range for exact accumulation", fname),
			 errdetail("sales_kpi sums amounts exactly as 128-bit integers at the largest scale seen (at most %d digits after the decimal point, about 38 significant digits in all).",
					   KPI_MAX_SCALE),
			 errhint("Round the amounts to the precision you need, e.g. round(amount, 2).")));
}

/*
 * The name to put in an error message: the SQL aggregate the user called
 * (hit_ratio, sales_velocity, ...) when we run inside one, else fallback.
 * Only called on error paths, so rows pay nothing for it.
 */
const char *
kpi_caller(FunctionCallInfo fcinfo, const char *fallback)
{
	Aggref	   *aggref = fcinfo ? AggGetAggref(fcinfo) : NULL;
	char	   *name = aggref ? get_func_name(aggref->aggfnoid) : NULL;

	return name ? name : fallback;
}

static const int64 pow10_64[19] = {
	INT64CONST(1), INT64CONST(10), INT64CONST(100), INT64CONST(1000), INT64CONST(10000),
	INT64CONST(100000), INT64CONST(1000000), INT64CONST(10000000), INT64CONST(100000000),
	INT64CONST(1000000000), INT64CONST(10000000000), INT64CONST(100000000000),
	INT64CONST(1000000000000), INT64CONST(10000000000000), INT64CONST(100000000000000),
	INT64CONST(1000000000000000), INT64CONST(10000000000000000), INT64CONST(100000000000000000),
	INT64CONST(1000000000000000000)
};

/*
 * Decode a numeric Datum into an exact int128 at the value's own display
 * scale.  NaN and infinities are rejected (they make every money KPI
 * meaningless), as are values too large for 128 bits.
 */
void
kpi_numeric_decode(Datum num, FunctionCallInfo fcinfo, const char *fname,
				   const char *argname, int128 *value, int *scale)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(num);
	const char *data = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	uint16		header;
	int			weight;
	int			dscale;
	bool		neg;
	int			hdr;
	int			ndigits;
	int128		acc = 0;
	const int128 *p10 = pow10_table();

	if (len < (int) sizeof(uint16))
		elog(ERROR, "%s: corrupt numeric value", kpi_caller(fcinfo, fname));
	memcpy(&header, data, sizeof(uint16));

	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
	{
		Numeric		n = DatumGetNumeric(num);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a finite number, got %s", kpi_caller(fcinfo, fname), argname,
						numeric_is_nan(n) ? "NaN" :
						(header & 0x2000) ? "-Infinity" : "Infinity"),
				 errhint("Filter such rows out or replace them, e.g. WHERE %s <> 'NaN'.", argname)));
	}
	if (header & NUM_SHORT)
	{
		neg = (header & NUM_SHORT_SIGN_MASK) != 0;
		dscale = (header & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
		weight = (header & NUM_SHORT_WEIGHT_SIGN_MASK) ?
			(int) (~NUM_SHORT_WEIGHT_MASK | (header & NUM_SHORT_WEIGHT_MASK)) :
			(int) (header & NUM_SHORT_WEIGHT_MASK);
		hdr = sizeof(uint16);
	}
	else
	{
		int16		w;

		if (len < (int) (2 * sizeof(uint16)))
			elog(ERROR, "%s: corrupt numeric value", kpi_caller(fcinfo, fname));
		neg = (header & NUM_SIGN_MASK) == NUM_NEG;
		dscale = header & NUM_DSCALE_MASK;
		memcpy(&w, data + sizeof(uint16), sizeof(int16));
		weight = w;
		hdr = 2 * sizeof(uint16);
	}
	ndigits = (len - hdr) / (int) sizeof(int16);

	if (dscale > KPI_MAX_SCALE)
		money_overflow(kpi_caller(fcinfo, fname));

	/*
	 * value * 10^dscale = sum digit_i * 10^(4*(weight-i) + dscale).  First
	 * in 64 bits, where overflow checks are cheap and nearly every amount
	 * fits; anything larger is redone in 128 bits below.
	 */
	{
		int64		acc64 = 0;
		int			i;

		for (i = 0; i < ndigits; i++)
		{
			int16		d;
			int			exp10 = NUM_DEC_DIGITS * (weight - i) + dscale;
			int64		term;

			memcpy(&d, data + hdr + i * sizeof(int16), sizeof(int16));
			if (d == 0)
				continue;
			if (exp10 >= 0)
			{
				if (exp10 > 18 || __builtin_mul_overflow((int64) d, pow10_64[exp10], &term))
					break;
			}
			else
			{
				if (-exp10 > NUM_DEC_DIGITS)
					continue;
				term = d / pow10_64[-exp10];
			}
			if (__builtin_add_overflow(acc64, term, &acc64))
				break;
		}
		if (i == ndigits)
		{
			*value = neg ? -(int128) acc64 : (int128) acc64;
			*scale = dscale;
			if ((Pointer) v != DatumGetPointer(num))
				pfree(v);
			return;
		}
	}
	for (int i = 0; i < ndigits; i++)
	{
		int16		d;
		int			exp10 = NUM_DEC_DIGITS * (weight - i) + dscale;
		int128		term;

		memcpy(&d, data + hdr + i * sizeof(int16), sizeof(int16));
		if (d == 0)
			continue;
		if (exp10 >= 0)
		{
			if (exp10 > KPI_MAX_SCALE ||
				__builtin_mul_overflow((int128) d, p10[exp10], &term))
				money_overflow(kpi_caller(fcinfo, fname));
		}
		else
		{
			/* digits beyond dscale are always zero in a valid numeric */
			if (-exp10 > NUM_DEC_DIGITS)
				continue;
			term = d / (int) p10[-exp10];
		}
		if (__builtin_add_overflow(acc, term, &acc))
			money_overflow(kpi_caller(fcinfo, fname));
	}
	*value = neg ? -acc : acc;
	*scale = dscale;
	if ((Pointer) v != DatumGetPointer(num))
		pfree(v);
}

int128
kpi_rescale(int128 v, int from, int to)
{
	int128		r;

	Assert(to >= from);
	if (to == from || v == 0)
		return v;
	if (to > KPI_MAX_SCALE ||
		__builtin_mul_overflow(v, pow10_table()[to - from], &r) || r == KPI_INT128_MIN)
		money_overflow("sales_kpi");
	return r;
}

int128
kpi_add128(int128 a, int128 b)
{
	int128		r;

	if (__builtin_add_overflow(a, b, &r) || r == KPI_INT128_MIN)
		money_overflow("sales_kpi");
	return r;
}

/* Raise the storage scale shared by a state's money fields to at least scale. */
void
kpi_raise_scale(int16 *state_scale, int128 *const *fields, int nfields, int scale)
{
	if (scale <= *state_scale)
		return;
	for (int i = 0; i < nfields; i++)
		*fields[i] = kpi_rescale(*fields[i], *state_scale, scale);
	*state_scale = (int16) scale;
}

/*
 * Bring a state's money fields and a new amount to one common scale: the
 * larger of the two.  After the call *amount is expressed at *state_scale.
 */
void
kpi_money_align(int16 *state_scale, int128 *const *fields, int nfields,
				int128 *amount, int amount_scale)
{
	kpi_raise_scale(state_scale, fields, nfields, amount_scale);
	*amount = kpi_rescale(*amount, amount_scale, *state_scale);
}

void
kpi_append_decimal(StringInfo buf, int128 v, int scale)
{
	char		digits[64];
	int			n = 0;
	uint128		u = v < 0 ? -(uint128) v : (uint128) v;

	do
	{
		digits[n++] = '0' + (int) (u % 10);
		u /= 10;
	} while (u != 0);
	while (n <= scale)
		digits[n++] = '0';
	if (v < 0)
		appendStringInfoChar(buf, '-');
	for (int i = n - 1; i >= 0; i--)
	{
		appendStringInfoChar(buf, digits[i]);
		if (i == scale && scale > 0)
			appendStringInfoChar(buf, '.');
	}
}

Datum
kpi_money_numeric(int128 v, int scale)
{
	StringInfoData buf;

	initStringInfo(&buf);
	kpi_append_decimal(&buf, v, scale);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf.data),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

double
kpi_money_double(int128 v, int scale)
{
	/* exact enough: the conversion rounds once, then one division */
	return (double) v / (double) pow10_table()[scale];
}

void
kpi_send_int128(StringInfo buf, int128 v)
{
	pq_sendint64(buf, (int64) (v >> 64));
	pq_sendint64(buf, (int64) (uint64) v);
}

int128
kpi_recv_int128(StringInfo buf, const char *typname)
{
	int64		hi = pq_getmsgint64(buf);
	uint64		lo = (uint64) pq_getmsgint64(buf);
	int128		v = (int128) (((uint128) (uint64) hi << 64) | lo);

	if (v == KPI_INT128_MIN)
		kpi_bad_binary(typname, "A 128-bit field is out of range.");
	return v;
}

/* ---- time ---- */

int64
kpi_timestamp_usec(Datum ts, FunctionCallInfo fcinfo, const char *fname, const char *argname)
{
	Timestamp	t = DatumGetTimestamp(ts);

	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s: %s must be finite, got %s", kpi_caller(fcinfo, fname), argname,
						TIMESTAMP_IS_NOBEGIN(t) ? "-infinity" : "infinity"),
				 errhint("Use NULL for an unknown or open-ended time.")));
	return (int64) t;
}

int64
kpi_date_usec(Datum d, FunctionCallInfo fcinfo, const char *fname, const char *argname)
{
	DateADT		dt = DatumGetDateADT(d);

	if (DATE_NOT_FINITE(dt))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s: %s must be finite, got %s", kpi_caller(fcinfo, fname), argname,
						DATE_IS_NOBEGIN(dt) ? "-infinity" : "infinity"),
				 errhint("Use NULL for an unknown or open-ended date.")));
	/* dates beyond the timestamp range cannot be carried in microseconds */
	if (dt < (DateADT) (MIN_TIMESTAMP / USECS_PER_DAY) ||
		dt >= (DateADT) (END_TIMESTAMP / USECS_PER_DAY))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s: %s is out of range: %s", kpi_caller(fcinfo, fname), argname,
						DatumGetCString(DirectFunctionCall1(date_out, d))),
				 errhint("Dates must lie within the range of timestamp (4714 BC to 294276 AD).")));
	return (int64) dt * KPI_USECS_PER_DAY;
}

/*
 * Length of an interval in microseconds, with PostgreSQL's own convention
 * for extract(epoch from interval): a month is 30 days, a year 365.25 days.
 */
int64
kpi_interval_usec(Datum iv, const char *fname, const char *argname)
{
	Interval   *i = DatumGetIntervalP(iv);
	int128		us;

	/* exact, with extract(epoch)'s conventions: a year 365.25 days, a month 30 */
	us = (int128) i->time + (int128) i->day * KPI_USECS_PER_DAY +
		(int128) (i->month / MONTHS_PER_YEAR) * (KPI_USECS_PER_DAY * 36525 / 100) +
		(int128) (i->month % MONTHS_PER_YEAR) * DAYS_PER_MONTH * KPI_USECS_PER_DAY;
	if (us <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a positive interval, got %s", fname, argname,
						DatumGetCString(DirectFunctionCall1(interval_out, iv))),
				 errhint("Pass the length of one period, e.g. interval '1 month'.")));
	if (us > PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s: %s is out of range, got %s", fname, argname,
						DatumGetCString(DirectFunctionCall1(interval_out, iv))),
				 errhint("Pass an interval of at most about 292,000 years.")));
	return (int64) us;
}

/* ---- int8[] states ---- */

/*
 * Fetch and validate an int8[] aggregate state.  States are plain SQL values
 * (the final and combine functions are callable by anyone, with any array),
 * so every read checks the shape (one dimension, the expected length, no
 * NULLs) and then the state's own rules: a function of the values that
 * returns NULL when they hold, else the rule broken (with the values), which
 * becomes the error's detail.  With inplace the caller will modify the
 * result: it is the argument itself when running as an aggregate, where the
 * state belongs to the aggregate's memory context (as int4_avg_accum does in
 * PostgreSQL itself), else a copy.  Without inplace the caller must only
 * read it.
 */
ArrayType *
kpi_int8_state(FunctionCallInfo fcinfo, int argno, int nelems, bool inplace,
			   KpiStateRules rules, const char *fname)
{
	ArrayType  *a;
	const char *broken;

	/* read-only callers and aggregate calls use the value as it is */
	if (!inplace || AggCheckCallContext(fcinfo, NULL))
		a = PG_GETARG_ARRAYTYPE_P(argno);
	else
		a = PG_GETARG_ARRAYTYPE_P_COPY(argno);

	if (ARR_NDIM(a) != 1 || ARR_DIMS(a)[0] != nelems || ARR_HASNULL(a) ||
		ARR_ELEMTYPE(a) != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: invalid aggregate state", fname),
				 errdetail("The state must be a one-dimensional bigint array of %d elements without NULLs.",
						   nelems)));
	broken = rules((const int64 *) ARR_DATA_PTR(a));
	if (broken)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: invalid aggregate state", fname),
				 errdetail("%s", broken)));
	return a;
}

/*
 * The error for adding up counts of valid int8[] states (rows, or two states
 * merged) beyond the bigint range.
 */
void
kpi_count_overflow(const char *fname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s: count out of range", fname),
			 errdetail("%s", detail)));
}

/* ---- varlena states ---- */

/*
 * Our states are varlena values, not internal: whenever a transition or
 * combine function returns a pointer other than its state argument (a new
 * state, or one that had to grow), the executor copies the value into the
 * aggregate's memory context itself (ExecAggTransReparent, and the window
 * aggregate code likewise).  New states are therefore allocated in the
 * current, per-call context; allocating them in the aggregate context would
 * only leave a second, unused copy there until the end of the aggregate.
 * Updates in place, on the other hand, are made to the argument, which does
 * live in the aggregate context.
 *
 * A state the caller may modify: value is argument argno, detoasted.  In an
 * aggregate the argument itself belongs to the aggregate and is updated in
 * place; a detoasted copy is already private; otherwise copy it, so that a
 * direct call never changes its input.
 */
void *
kpi_writable(FunctionCallInfo fcinfo, int argno, void *value)
{
	void	   *copy;

	if (value != DatumGetPointer(PG_GETARG_DATUM(argno)) || AggCheckCallContext(fcinfo, NULL))
		return value;
	copy = palloc(VARSIZE(value));
	memcpy(copy, value, VARSIZE(value));
	return copy;
}

/* ---- text format ---- */

void
kv_fail(KvParser *kv, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", kv->typname, kv->input),
			 errdetail("%s (at character %d).", detail, (int) (kv->p - kv->input) + 1)));
}

static void
kv_skip_space(KvParser *kv)
{
	while (*kv->p == ' ' || *kv->p == '\t' || *kv->p == '\n' || *kv->p == '\r')
		kv->p++;
}

void
kv_char(KvParser *kv, char c)
{
	kv_skip_space(kv);
	if (*kv->p != c)
	{
		char		msg[64];

		snprintf(msg, sizeof(msg), "Expected \"%c\"", c);
		kv_fail(kv, msg);
	}
	kv->p++;
}

bool
kv_peek(KvParser *kv, char c)
{
	kv_skip_space(kv);
	return *kv->p == c;
}

void
kv_begin(KvParser *kv, const char *input, const char *typname)
{
	kv->input = input;
	kv->p = input;
	kv->typname = typname;
	kv->first = true;
	kv_char(kv, '(');
}

void
kv_key(KvParser *kv, const char *key)
{
	size_t		n = strlen(key);

	if (!kv->first)
		kv_char(kv, ',');
	kv->first = false;
	kv_skip_space(kv);
	if (strncmp(kv->p, key, n) != 0 || kv->p[n] != '=')
	{
		char		msg[128];

		snprintf(msg, sizeof(msg), "Expected field \"%s=\"", key);
		kv_fail(kv, msg);
	}
	kv->p += n + 1;
	kv_skip_space(kv);
}

/* An integer in [min, max] at the cursor, without a key. */
int64
kv_number(KvParser *kv, int64 min, int64 max, const char *what)
{
	bool		neg = false;
	uint64		v = 0;
	const char *start;
	int64		r;

	kv_skip_space(kv);
	if (*kv->p == '-')
	{
		neg = true;
		kv->p++;
	}
	start = kv->p;
	while (*kv->p >= '0' && *kv->p <= '9')
	{
		if (v > (PG_UINT64_MAX - 9) / 10)
			kv_fail(kv, "Integer out of range");
		v = v * 10 + (*kv->p - '0');
		kv->p++;
	}
	if (kv->p == start)
	{
		char		msg[128];

		snprintf(msg, sizeof(msg), "Expected an integer for %s", what);
		kv_fail(kv, msg);
	}
	if ((!neg && v > (uint64) PG_INT64_MAX) || (neg && v > (uint64) PG_INT64_MAX + 1))
		kv_fail(kv, "Integer out of range");
	r = neg ? (int64) (0 - v) : (int64) v;
	if (r < min || r > max)
	{
		char		msg[160];

		snprintf(msg, sizeof(msg), "%s must lie between " INT64_FORMAT " and " INT64_FORMAT,
				 what, min, max);
		kv_fail(kv, msg);
	}
	return r;
}

int64
kv_int64(KvParser *kv, const char *key, int64 min)
{
	kv_key(kv, key);
	return kv_number(kv, min, PG_INT64_MAX, key);
}

/* A decimal -?digits[.digits]; its scale is the number of fraction digits. */
void
kv_decimal(KvParser *kv, const char *key, int128 *v, int *scale)
{
	bool		neg = false;
	int128		acc = 0;
	int			nd = 0;
	int			sc = 0;
	bool		frac = false;

	kv_key(kv, key);
	if (*kv->p == '-')
	{
		neg = true;
		kv->p++;
	}
	for (;; kv->p++)
	{
		char		c = *kv->p;

		if (c == '.' && !frac)
		{
			frac = true;
			continue;
		}
		if (c < '0' || c > '9')
			break;
		if (__builtin_mul_overflow(acc, (int128) 10, &acc) ||
			__builtin_add_overflow(acc, (int128) (c - '0'), &acc))
			kv_fail(kv, "Decimal out of range");
		nd++;
		if (frac)
			sc++;
	}
	if (nd == 0 || (frac && sc == 0))
		kv_fail(kv, "Expected a decimal number");
	if (sc > KPI_MAX_SCALE)
		kv_fail(kv, "Too many digits after the decimal point");
	*v = neg ? -acc : acc;
	*scale = sc;
}

/* A double-quoted string; backslash escapes the next character. */
char *
kv_string(KvParser *kv, const char *key)
{
	StringInfoData s;

	if (key)
		kv_key(kv, key);
	kv_char(kv, '"');
	initStringInfo(&s);
	for (;;)
	{
		char		c = *kv->p;

		if (c == '\0')
			kv_fail(kv, "Unterminated quoted string");
		kv->p++;
		if (c == '"')
			break;
		if (c == '\\')
		{
			c = *kv->p;
			if (c == '\0')
				kv_fail(kv, "Unterminated quoted string");
			kv->p++;
		}
		appendStringInfoChar(&s, c);
	}
	return s.data;
}

void
kv_end(KvParser *kv)
{
	kv_char(kv, ')');
	kv_skip_space(kv);
	if (*kv->p != '\0')
		kv_fail(kv, "Junk after closing parenthesis");
}

void
kv_append_string(StringInfo buf, const char *s)
{
	appendStringInfoChar(buf, '"');
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *s);
	}
	appendStringInfoChar(buf, '"');
}

void
kpi_bad_binary(const char *typname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary data for type %s", typname),
			 errdetail("%s", detail)));
}

/*
 * A value of one of our types passed to fname (a support function or an
 * accessor) that breaks the type's invariants: detail says which.
 */
void
kpi_bad_value(const char *fname, const char *typname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: invalid %s value", fname, typname),
			 errdetail("%s", detail)));
}

void
kpi_recv_end(StringInfo buf, const char *typname)
{
	if (buf->cursor != buf->len)
		kpi_bad_binary(typname, "Trailing bytes after the last field.");
}

void
kpi_check_ratio(double v, const char *fname, const char *argname)
{
	if (isnan(v) || v < 0.0 || v > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be between 0 and 1, got %g", fname, argname, v),
				 errhint("Pass a fraction, e.g. 0.25 for 25%%.")));
}
