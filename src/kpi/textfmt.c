/*
 * textfmt.c - the strict "(key=value,...)" text format of our types.
 */
#include "kpi/kpi.h"

#include "common/int.h"

void
kpi_kv_fail(KvParser *kv, const char *detail)
{
	kpi_bad_text(kv->typname, kv->input,
				 psprintf("%s (at character %d).", detail, (int) (kv->p - kv->input) + 1));
}

static void
kv_skip_space(KvParser *kv)
{
	while (*kv->p == ' ' || *kv->p == '\t' || *kv->p == '\n' || *kv->p == '\r')
		kv->p++;
}

void
kpi_kv_char(KvParser *kv, char c)
{
	kv_skip_space(kv);
	if (*kv->p != c)
	{
		char		msg[64];

		snprintf(msg, sizeof(msg), "Expected \"%c\"", c);
		kpi_kv_fail(kv, msg);
	}
	kv->p++;
}

bool
kpi_kv_peek(KvParser *kv, char c)
{
	kv_skip_space(kv);
	return *kv->p == c;
}

bool
kpi_kv_more(KvParser *kv)
{
	if (!kpi_kv_peek(kv, ','))
		return false;
	kv->p++;
	return true;
}

void
kpi_kv_begin(KvParser *kv, const char *input, const char *typname)
{
	kv->input = input;
	kv->p = input;
	kv->typname = typname;
	kv->first = true;
	kpi_kv_char(kv, '(');
}

void
kpi_kv_end(KvParser *kv)
{
	kpi_kv_char(kv, ')');
	kv_skip_space(kv);
	if (*kv->p != '\0')
		kpi_kv_fail(kv, "Junk after closing parenthesis");
}

void
kpi_kv_key(KvParser *kv, const char *key)
{
	size_t		n = strlen(key);

	if (!kv->first)
		kpi_kv_char(kv, ',');
	kv->first = false;
	kv_skip_space(kv);
	if (strncmp(kv->p, key, n) != 0 || kv->p[n] != '=')
	{
		char		msg[128];

		snprintf(msg, sizeof(msg), "Expected field \"%s=\"", key);
		kpi_kv_fail(kv, msg);
	}
	kv->p += n + 1;
	kv_skip_space(kv);
}

int64
kpi_kv_number(KvParser *kv, int64 min, int64 max, const char *what)
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
			kpi_kv_fail(kv, "Integer out of range");
		v = v * 10 + (*kv->p - '0');
		kv->p++;
	}
	if (kv->p == start)
	{
		char		msg[128];

		snprintf(msg, sizeof(msg), "Expected an integer for %s", what);
		kpi_kv_fail(kv, msg);
	}
	if ((!neg && v > (uint64) PG_INT64_MAX) || (neg && v > (uint64) PG_INT64_MAX + 1))
		kpi_kv_fail(kv, "Integer out of range");
	r = neg ? (int64) (0 - v) : (int64) v;
	if (r < min || r > max)
	{
		char		msg[160];

		snprintf(msg, sizeof(msg), "%s must lie between " INT64_FORMAT " and " INT64_FORMAT,
				 what, min, max);
		kpi_kv_fail(kv, msg);
	}
	return r;
}

int64
kpi_kv_int64(KvParser *kv, const char *key, int64 min)
{
	kpi_kv_key(kv, key);
	return kpi_kv_number(kv, min, PG_INT64_MAX, key);
}

bool
kpi_kv_opt_int64(KvParser *kv, const char *key, int64 min, int64 max, int64 *v)
{
	kpi_kv_key(kv, key);
	if (strncmp(kv->p, "none", 4) == 0)
	{
		kv->p += 4;
		*v = 0;
		return false;
	}
	*v = kpi_kv_number(kv, min, max, key);
	return true;
}

void
kpi_kv_decimal(KvParser *kv, const char *key, int128 *v, int *scale)
{
	kpi_kv_key(kv, key);
	kpi_kv_decimal_value(kv, v, scale);
}

void
kpi_kv_decimal_value(KvParser *kv, int128 *v, int *scale)
{
	bool		neg = false;
	int128		acc = 0;
	int			nd = 0;
	int			sc = 0;
	bool		frac = false;

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
			kpi_kv_fail(kv, "Decimal out of range");
		nd++;
		if (frac)
			sc++;
	}
	if (nd == 0 || (frac && sc == 0))
		kpi_kv_fail(kv, "Expected a decimal number");
	if (sc > KPI_MAX_SCALE)
		kpi_kv_fail(kv, "Too many digits after the decimal point");
	*v = neg ? -acc : acc;
	*scale = sc;
}

int128
kpi_kv_micros(KvParser *kv, const char *key, const char *not_whole)
{
	int128		v;
	int			scale;

	kpi_kv_decimal(kv, key, &v, &scale);
	if (scale != 0)
		kpi_kv_fail(kv, not_whole ? not_whole :
					psprintf("%s must be a whole number of microseconds", key));
	return v;
}

int
kpi_kv_word(KvParser *kv, const char *key, const char *const *words, int n, const char *expected)
{
	int			found = -1;
	size_t		len = 0;

	kpi_kv_key(kv, key);
	for (int i = 0; i < n; i++)
	{
		size_t		wl = strlen(words[i]);

		if (wl > len && strncmp(kv->p, words[i], wl) == 0)
			found = i, len = wl;
	}
	if (found < 0)
		kpi_kv_fail(kv, expected);
	kv->p += len;
	return found;
}

char *
kpi_kv_string(KvParser *kv, const char *key)
{
	StringInfoData s;

	if (key)
		kpi_kv_key(kv, key);
	kpi_kv_char(kv, '"');
	initStringInfo(&s);
	for (;;)
	{
		char		c = *kv->p;

		if (c == '\0')
			kpi_kv_fail(kv, "Unterminated quoted string");
		kv->p++;
		if (c == '"')
			break;
		if (c == '\\')
		{
			c = *kv->p;
			if (c == '\0')
				kpi_kv_fail(kv, "Unterminated quoted string");
			kv->p++;
		}
		appendStringInfoChar(&s, c);
	}
	return s.data;
}

void
kpi_kv_append_string(StringInfo buf, const char *s)
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

/*
 * An exact time in microseconds, 0 .. 2^64 - 1 (a total can pass 2^63),
 * after optional spaces: the exact values of stage_times and response_time.
 */
static uint64
kv_uint64(KvParser *kv, const char *range_msg, const char *expect_msg)
{
	uint64		v = 0;
	int			nd = 0;

	while (*kv->p == ' ')
		kv->p++;
	for (; *kv->p >= '0' && *kv->p <= '9'; kv->p++, nd++)
		if (pg_mul_u64_overflow(v, 10, &v) || pg_add_u64_overflow(v, (uint64) (*kv->p - '0'), &v))
			kpi_kv_fail(kv, range_msg);
	if (nd == 0)
		kpi_kv_fail(kv, expect_msg);
	return v;
}

uint64
kpi_kv_exact_usec(KvParser *kv)
{
	return kv_uint64(kv, "Exact time out of range", "Expected an exact time in microseconds");
}

uint64
kpi_kv_uint64(KvParser *kv, const char *what)
{
	char		range_msg[96];
	char		expect_msg[96];

	snprintf(range_msg, sizeof(range_msg), "%s out of range", what);
	snprintf(expect_msg, sizeof(expect_msg), "Expected %s (0 to 18446744073709551615)", what);
	return kv_uint64(kv, range_msg, expect_msg);
}
