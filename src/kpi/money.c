/*
 * money.c - exact money arithmetic (see money.h): numeric decoding, sums at a
 * shared storage scale, display scales, and output.
 */
#include "kpi/kpi.h"

#include "utils/builtins.h"
#include "utils/numeric.h"

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
			/* not after the last: 10^(KPI_MAX_SCALE + 1) does not fit (UBSan) */
			if (i < KPI_MAX_SCALE)
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

/* ---- numeric arguments ---- */

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

	(void) fcinfo;				/* errors name fname, known statically */
	if (len < (int) sizeof(uint16))
		elog(ERROR, "%s: corrupt numeric value", fname);
	memcpy(&header, data, sizeof(uint16));

	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
	{
		Numeric		n = DatumGetNumeric(num);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a finite number, got %s", fname, argname,
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
			elog(ERROR, "%s: corrupt numeric value", fname);
		neg = (header & NUM_SIGN_MASK) == NUM_NEG;
		dscale = header & NUM_DSCALE_MASK;
		memcpy(&w, data + sizeof(uint16), sizeof(int16));
		weight = w;
		hdr = 2 * sizeof(uint16);
	}
	ndigits = (len - hdr) / (int) sizeof(int16);

	if (dscale > KPI_MAX_SCALE)
		money_overflow(fname);

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
				money_overflow(fname);
		}
		else
		{
			/* digits beyond dscale are always zero in a valid numeric */
			if (-exp10 > NUM_DEC_DIGITS)
				continue;
			term = d / (int) p10[-exp10];
		}
		if (__builtin_add_overflow(acc, term, &acc))
			money_overflow(fname);
	}
	*value = neg ? -acc : acc;
	*scale = dscale;
	if ((Pointer) v != DatumGetPointer(num))
		pfree(v);
}

void
kpi_numeric_nonneg(Datum num, FunctionCallInfo fcinfo, const char *fname,
				   const char *argname, const char *hint, int128 *value, int *scale)
{
	kpi_numeric_decode(num, fcinfo, fname, argname, value, scale);
	if (*value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must not be negative, got %s", fname, argname,
						DatumGetCString(DirectFunctionCall1(numeric_out, num))),
				 hint ? errhint("%s", hint) : 0));
}

Datum
kpi_amount_numeric(Datum d, KpiAmountType type)
{
	switch (type)
	{
		case KPI_AMOUNT_NUMERIC:
			return d;
		case KPI_AMOUNT_FLOAT8:
			return DirectFunctionCall1(float8_numeric, d);
		case KPI_AMOUNT_FLOAT4:
			return DirectFunctionCall1(float4_numeric, d);
		case KPI_AMOUNT_INT4:
			return DirectFunctionCall1(int4_numeric, d);
		case KPI_AMOUNT_INT8:
			return DirectFunctionCall1(int8_numeric, d);
	}
	pg_unreachable();
}

void
kpi_amount_decode(Datum d, KpiAmountType type, const char *fname,
				  const char *argname, int128 *value, int *scale)
{
	/* integers are exact at scale 0: no numeric detour on the hot path */
	if (type == KPI_AMOUNT_INT4)
	{
		*value = DatumGetInt32(d);
		*scale = 0;
		return;
	}
	if (type == KPI_AMOUNT_INT8)
	{
		*value = DatumGetInt64(d);
		*scale = 0;
		return;
	}
	kpi_numeric_decode(kpi_amount_numeric(d, type), NULL, fname, argname, value, scale);
}

void
kpi_amount_nonneg(Datum d, KpiAmountType type, const char *fname,
				  const char *argname, const char *hint, int128 *value, int *scale)
{
	kpi_amount_decode(d, type, fname, argname, value, scale);
	if (*value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must not be negative, got %s", fname, argname,
						DatumGetCString(DirectFunctionCall1(numeric_out, kpi_amount_numeric(d, type)))),
				 hint ? errhint("%s", hint) : 0));
}

/* ---- exact arithmetic ---- */

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

void
kpi_money_raise(int16 *storage, int128 *const *sums, int nsums, int scale)
{
	if (scale <= *storage)
		return;
	for (int i = 0; i < nsums; i++)
		*sums[i] = kpi_rescale(*sums[i], *storage, scale);
	*storage = (int16) scale;
}

int128
kpi_money_align(int16 *storage, int128 *const *sums, int nsums, int128 v, int vscale)
{
	kpi_money_raise(storage, sums, nsums, vscale);
	return kpi_rescale(v, vscale, *storage);
}

/* ---- sums with their display scale ---- */

/* 10^(storage scale - display scale of m), both at most KPI_MAX_SCALE */
static int128
display_factor(const KpiMoneySum *m, int storage)
{
	int128		p10 = 1;

	for (int k = m->scale; k < storage; k++)
		p10 *= 10;
	return p10;
}

bool
kpi_moneysum_merge(KpiMoneySum *a, const KpiMoneySum *b, int128 bsum, int sign)
{
	if (b->n == 0)
		return true;
	if (sign > 0)
	{
		if (a->n == 0 || b->scale > a->scale)
			a->scale = b->scale, a->scale_n = b->scale_n;
		else if (b->scale == a->scale)
			a->scale_n += b->scale_n;
		a->sum = kpi_add128(a->sum, bsum);
		a->n += b->n;
		return true;
	}
	if (b->scale > a->scale || b->n > a->n)
		return false;
	if (b->scale == a->scale)
	{
		if (a->n == b->n)
			a->scale = 0, a->scale_n = 0;
		else if (a->scale_n > b->scale_n || a->scale == 0)
			a->scale_n -= b->scale_n;
		else
			return false;
	}
	a->sum -= bsum;
	a->n -= b->n;
	return true;
}

/* m->n >= 0 and 0 <= storage <= KPI_MAX_SCALE are the caller's to check */
const char *
kpi_moneysum_broken(const KpiMoneySum *m, int storage)
{
	if (m->scale < 0 || m->scale > storage || m->scale_n < 0 || m->scale_n > m->n ||
		(m->n > 0 && m->scale_n == 0) || (m->n == 0 && (m->sum != 0 || m->scale != 0 || m->scale_n != 0)))
		return "An amount's display scale or its count is inconsistent.";
	if (m->sum < 0)
		return "Amount sums must not be negative.";
	if (m->sum % display_factor(m, storage) != 0)
		return "An amount sum has more digits than its display scale.";
	return NULL;
}

int128
kpi_moneysum_value(const KpiMoneySum *m, int storage)
{
	return m->sum / display_factor(m, storage);
}

Datum
kpi_moneysum_numeric(const KpiMoneySum *m, int storage)
{
	return kpi_money_numeric(kpi_moneysum_value(m, storage), m->scale);
}

char *
kpi_moneysum_text(const KpiMoneySum *m, int storage)
{
	StringInfoData buf;

	initStringInfo(&buf);
	kpi_append_decimal(&buf, kpi_moneysum_value(m, storage), m->scale);
	return buf.data;
}

/* ---- output ---- */

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

Datum
kpi_money_avg(int128 v, int scale, int64 n)
{
	return DirectFunctionCall2(numeric_div, kpi_money_numeric(v, scale),
							   NumericGetDatum(int64_to_numeric(n)));
}

double
kpi_money_double(int128 v, int scale)
{
	/* exact enough: the conversion rounds once, then one division */
	return (double) v / (double) pow10_table()[scale];
}
