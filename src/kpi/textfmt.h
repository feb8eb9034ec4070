/*
 * textfmt.h - the text form of our types: "(key=value,key=value,...)", read
 * strictly (every key in its place, nothing after the closing parenthesis)
 * and written back exactly.  Include kpi/kpi.h, not this file.
 *
 * Values are integers, decimals (-?digits[.digits], their scale being the
 * number of fraction digits), double-quoted strings (backslash escapes the
 * next character), keywords and bracketed lists.  Every syntax error is
 * 22P02 and names the character where it was found (kpi_kv_fail); a value
 * that parses but breaks its type's rules is reported through the type's
 * validator and kpi_check_text (validate.h).
 */
#ifndef KPI_TEXTFMT_H
#define KPI_TEXTFMT_H

#include "postgres.h"
#include "kpi/compat.h"
#include "lib/stringinfo.h"

typedef struct KvParser
{
	const char *input;			/* whole input, for error messages */
	const char *p;				/* cursor */
	const char *typname;
	bool		first;			/* no key read yet: the next one needs no comma */
} KvParser;

/* "(" ... ")" around the whole value */
extern void kpi_kv_begin(KvParser *kv, const char *input, const char *typname);
extern void kpi_kv_end(KvParser *kv);

/* "key=": the next key (after a comma unless it is the first) */
extern void kpi_kv_key(KvParser *kv, const char *key);
/* "key=N" with N in [min, PG_INT64_MAX] */
extern int64 kpi_kv_int64(KvParser *kv, const char *key, int64 min);
/* "key=N" or "key=none" (false, *v = 0) */
extern bool kpi_kv_opt_int64(KvParser *kv, const char *key, int64 min, int64 max, int64 *v);
/* "key=D": an exact decimal and its scale */
extern void kpi_kv_decimal(KvParser *kv, const char *key, int128 *v, int *scale);
/* the same, without the key: a decimal number at the parser's position */
extern void kpi_kv_decimal_value(KvParser *kv, int128 *v, int *scale);
/* an exact time in microseconds (0 .. 2^64 - 1), after optional spaces */
extern uint64 kpi_kv_exact_usec(KvParser *kv);
/* an unsigned 64-bit integer at the cursor, after optional spaces; what names it in errors */
extern uint64 kpi_kv_uint64(KvParser *kv, const char *what);
/* "key=D" with D a whole number (of microseconds); not_whole: the error, NULL for the usual one */
extern int128 kpi_kv_micros(KvParser *kv, const char *key, const char *not_whole);
/* "key=word": the index of the longest of words[0..n-1] found there; expected: the error */
extern int	kpi_kv_word(KvParser *kv, const char *key, const char *const *words, int n,
						const char *expected);
/* a quoted string, after "key=" unless key is NULL */
extern char *kpi_kv_string(KvParser *kv, const char *key);

/* an integer in [min, max] at the cursor, without a key; what names it in errors */
extern int64 kpi_kv_number(KvParser *kv, int64 min, int64 max, const char *what);
/* the character c, after optional white space */
extern void kpi_kv_char(KvParser *kv, char c);
/* whether c comes next (after white space), without consuming it */
extern bool kpi_kv_peek(KvParser *kv, char c);
/* in a list: whether another item follows (consumes its comma) */
extern bool kpi_kv_more(KvParser *kv);

extern pg_noreturn void kpi_kv_fail(KvParser *kv, const char *detail);

/* writing: s quoted so that kpi_kv_string reads it back */
extern void kpi_kv_append_string(StringInfo buf, const char *s);

#endif							/* KPI_TEXTFMT_H */
