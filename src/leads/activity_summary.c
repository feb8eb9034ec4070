/*
 * activity_summary.c - activities of reps (spec section 2.3): the contact /
 * reach ratio and the activity funnel attempts -> conversations -> leads
 * (seed: "every 100 calls should yield about 30 prospects and 5 leads"), and
 * calls, e-mails and meetings per rep.
 *
 *   activity_summary(activity_type text, outcome text)   aggregate
 *   rollup(activity_summary)                              merges summaries
 *   accessors: attempts, calls, emails, meetings, other_activities,
 *   connected, conversations, leads, reach_ratio, connect_rate, lead_rate,
 *   conversation_lead_rate, call_share; activity_funnel() rows.
 *
 * activity_type (case-insensitive): 'call', 'email' or 'e-mail', 'meeting';
 * any other text is counted as another activity, outside the funnel; NULL
 * leaves the row out.  Calls and e-mails are the outbound attempts of the
 * funnel; their outcome (case-insensitive) is a level:
 *   NULL, 'none', 'no_answer'   an attempt only
 *   'connected'                 someone was reached (not a decision maker)
 *   'conversation'              a decision maker was reached (a prospect)
 *   'lead'                      the conversation produced a lead
 * A level implies the ones before it (a lead is also a conversation and a
 * connection).  Another outcome is an error (map your vocabulary with CASE).
 * The outcomes of meetings and other activities are not read.
 *
 * The summary is seven counters in a fixed-size value; every step is
 * invertible, so the aggregate supports moving windows.
 */
#include "kpi/kpi.h"
#include "kpi/report.h"

#include "common/int.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

#define AS_VERSION 1
#define AS_TYPNAME "activity_summary"

enum
{
	AS_CALLS, AS_EMAILS, AS_MEETINGS, AS_OTHER, AS_CONNECTED, AS_CONVERSATIONS, AS_LEADS, AS_N
};

static const char *const as_names[AS_N] = {
	"calls", "emails", "meetings", "other", "connected", "conversations", "leads"
};

typedef struct ActivitySummary
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;			/* reserved, 0 */
	int16		unused;
	int64		c[AS_N];
} ActivitySummary;

StaticAssertDecl(offsetof(ActivitySummary, version) == VARHDRSZ, "the version follows the length word");

static const char *
as_broken(const void *value)
{
	const ActivitySummary *s = value;
	int64		attempts;

	if (s->version != AS_VERSION)
		return "Unsupported format version.";
	if (s->flags != 0 || s->unused != 0)
		return "Unknown flag bits are set.";
	for (int i = 0; i < AS_N; i++)
		if (s->c[i] < 0)
			return "Counts must be non-negative.";
	if (pg_add_s64_overflow(s->c[AS_CALLS], s->c[AS_EMAILS], &attempts))
		return "calls + emails must fit in bigint.";
	if (s->c[AS_LEADS] > s->c[AS_CONVERSATIONS] || s->c[AS_CONVERSATIONS] > s->c[AS_CONNECTED] ||
		s->c[AS_CONNECTED] > attempts)
		return "Counts must satisfy leads <= conversations <= connected <= calls + emails.";
	return NULL;
}

#define as_get(d) ((ActivitySummary *) kpi_fixed_get(d, AS_VERSION, sizeof(ActivitySummary), AS_TYPNAME))
#define as_get_valid(d, fname) ((ActivitySummary *) kpi_valid(as_get(d), as_broken, fname, AS_TYPNAME))

/* the type counter of an activity type */
static int
as_type_slot(text *t)
{
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);

	if (len == 4 && pg_strncasecmp(s, "call", 4) == 0)
		return AS_CALLS;
	if ((len == 5 && pg_strncasecmp(s, "email", 5) == 0) ||
		(len == 6 && pg_strncasecmp(s, "e-mail", 6) == 0))
		return AS_EMAILS;
	if (len == 7 && pg_strncasecmp(s, "meeting", 7) == 0)
		return AS_MEETINGS;
	return AS_OTHER;
}

/* the funnel level of an attempt's outcome (NULL: 0) */
static int
as_outcome_level(text *t, const char *fname)
{
	const char *s;
	int			len;

	if (t == NULL)
		return 0;
	s = VARDATA_ANY(t);
	len = VARSIZE_ANY_EXHDR(t);
#define IS(word) (len == (int) strlen(word) && pg_strncasecmp(s, word, len) == 0)
	if (IS("none") || IS("no_answer"))
		return 0;
	if (IS("connected"))
		return 1;
	if (IS("conversation"))
		return 2;
	if (IS("lead"))
		return 3;
#undef IS
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: unknown outcome \"%s\"", fname, text_to_cstring(t)),
			 errdetail("An outcome is NULL, 'none', 'no_answer', 'connected', 'conversation' or 'lead' (any case)."),
			 errhint("Map your outcomes with CASE, e.g. CASE outcome WHEN 'reached' THEN 'conversation' WHEN 'qualified' THEN 'lead' END.")));
	pg_unreachable();
}

/* add (sign 1) or remove (sign -1) one activity row */
static Datum
as_step(FunctionCallInfo fcinfo, int sign)
{
	const char *fname = sign > 0 ? "activity_summary" : "activity_summary_accum_inv";
	ActivitySummary *s;
	int			slot,
				level = 0;

	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	slot = as_type_slot(PG_GETARG_TEXT_PP(1));
	if (slot == AS_CALLS || slot == AS_EMAILS)
		level = as_outcome_level(PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2), fname);
	if (PG_ARGISNULL(0))
		s = kpi_fixed_new(AS_VERSION, sizeof(ActivitySummary));
	else
		s = kpi_writable(fcinfo, 0, as_get_valid(PG_GETARG_DATUM(0), fname));
	if (sign > 0)
	{
		if (s->c[AS_CALLS] + s->c[AS_EMAILS] == PG_INT64_MAX || s->c[slot] == PG_INT64_MAX)
			kpi_count_overflow(fname, NULL);
	}
	else if (s->c[slot] == 0 || (level >= 1 && s->c[AS_CONNECTED] == 0) ||
			 (level >= 2 && s->c[AS_CONVERSATIONS] == 0) || (level >= 3 && s->c[AS_LEADS] == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the state does not hold the activity removed", fname)));
	s->c[slot] += sign;
	if (level >= 1)
		s->c[AS_CONNECTED] += sign;
	if (level >= 2)
		s->c[AS_CONVERSATIONS] += sign;
	if (level >= 3)
		s->c[AS_LEADS] += sign;
	kpi_check_value(as_broken(s), fname, AS_TYPNAME);
	PG_RETURN_POINTER(s);
}

KPI_FUNCTION(activity_summary_accum, as_step, 1);
KPI_FUNCTION(activity_summary_accum_inv, as_step, -1);

/* merge (sign 1) or un-merge (sign -1) b into a */
static Datum
as_merge(FunctionCallInfo fcinfo, int sign)
{
	const char *fname = sign > 0 ? "activity_summary_combine" : "activity_summary_combine_inv";
	ActivitySummary *a,
			   *b;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(as_get_valid(PG_GETARG_DATUM(0), fname));
	}
	b = as_get_valid(PG_GETARG_DATUM(1), fname);
	if (PG_ARGISNULL(0))
	{
		if (sign < 0)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(b);
	}
	a = kpi_writable(fcinfo, 0, as_get_valid(PG_GETARG_DATUM(0), fname));
	for (int i = 0; i < AS_N; i++)
	{
		if (sign > 0 ? pg_add_s64_overflow(a->c[i], b->c[i], &a->c[i])
			: pg_sub_s64_overflow(a->c[i], b->c[i], &a->c[i]))
			kpi_count_overflow(fname, NULL);
	}
	if (as_broken(a) != NULL)
	{
		if (sign < 0)
			PG_RETURN_NULL();	/* not a part of a: the executor restarts the frame */
		kpi_count_overflow(fname, "calls + emails would exceed the bigint range.");
	}
	PG_RETURN_POINTER(a);
}

KPI_FUNCTION(activity_summary_combine, as_merge, 1);
KPI_FUNCTION(activity_summary_combine_inv, as_merge, -1);

/* ---- I/O ---- */

PG_FUNCTION_INFO_V1(activity_summary_in);
PG_FUNCTION_INFO_V1(activity_summary_out);
PG_FUNCTION_INFO_V1(activity_summary_recv);
PG_FUNCTION_INFO_V1(activity_summary_send);

/* (version=1,calls=N,emails=N,meetings=N,other=N,connected=N,conversations=N,leads=N) */
Datum
activity_summary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	ActivitySummary *s = kpi_fixed_new(AS_VERSION, sizeof(ActivitySummary));
	KvParser	kv;

	kpi_kv_begin(&kv, str, AS_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != AS_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	for (int i = 0; i < AS_N; i++)
		s->c[i] = kpi_kv_int64(&kv, as_names[i], 0);
	kpi_kv_end(&kv);
	kpi_check_text(as_broken(s), AS_TYPNAME, str);
	PG_RETURN_POINTER(s);
}

Datum
activity_summary_out(PG_FUNCTION_ARGS)
{
	ActivitySummary *s = as_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d", s->version);
	for (int i = 0; i < AS_N; i++)
		appendStringInfo(&buf, ",%s=" INT64_FORMAT, as_names[i], s->c[i]);
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

Datum
activity_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	ActivitySummary *s = kpi_fixed_new(AS_VERSION, sizeof(ActivitySummary));

	s->version = pq_getmsgbyte(buf);
	if (s->version != AS_VERSION)
		kpi_bad_binary(AS_TYPNAME, "Unsupported format version.");
	s->flags = pq_getmsgbyte(buf);
	for (int i = 0; i < AS_N; i++)
		s->c[i] = pq_getmsgint64(buf);
	kpi_recv_end(buf, AS_TYPNAME);
	kpi_check_binary(as_broken(s), AS_TYPNAME);
	PG_RETURN_POINTER(s);
}

Datum
activity_summary_send(PG_FUNCTION_ARGS)
{
	ActivitySummary *s = as_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->flags);
	for (int i = 0; i < AS_N; i++)
		pq_sendint64(&buf, s->c[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- accessors ---- */

#define AS_ARG(fname) as_get_valid(PG_GETARG_DATUM(0), fname)
#define AS_COUNT(sqlname, expr) \
	PG_FUNCTION_INFO_V1(activity_summary_##sqlname); \
	Datum \
	activity_summary_##sqlname(PG_FUNCTION_ARGS) \
	{ \
		ActivitySummary *s = AS_ARG(#sqlname); \
		PG_RETURN_INT64(expr); \
	} \
	extern int no_such_variable

/* num / den; NULL when den = 0 */
#define AS_RATIO(sqlname, num, den) \
	PG_FUNCTION_INFO_V1(activity_summary_##sqlname); \
	Datum \
	activity_summary_##sqlname(PG_FUNCTION_ARGS) \
	{ \
		ActivitySummary *s = AS_ARG(#sqlname); \
		if ((den) == 0) \
			PG_RETURN_NULL(); \
		PG_RETURN_FLOAT8((double) (num) / (double) (den)); \
	} \
	extern int no_such_variable

#define ATTEMPTS (s->c[AS_CALLS] + s->c[AS_EMAILS])

AS_COUNT(attempts, ATTEMPTS);
AS_COUNT(calls, s->c[AS_CALLS]);
AS_COUNT(emails, s->c[AS_EMAILS]);
AS_COUNT(meetings, s->c[AS_MEETINGS]);
AS_COUNT(other_activities, s->c[AS_OTHER]);
AS_COUNT(connected, s->c[AS_CONNECTED]);
AS_COUNT(conversations, s->c[AS_CONVERSATIONS]);
AS_COUNT(leads, s->c[AS_LEADS]);
AS_RATIO(reach_ratio, s->c[AS_CONVERSATIONS], ATTEMPTS);
AS_RATIO(connect_rate, s->c[AS_CONNECTED], ATTEMPTS);
AS_RATIO(lead_rate, s->c[AS_LEADS], ATTEMPTS);
AS_RATIO(conversation_lead_rate, s->c[AS_LEADS], s->c[AS_CONVERSATIONS]);
AS_RATIO(call_share, s->c[AS_CALLS], ATTEMPTS);

/*
 * The rows attempts, conversations, leads of the activity funnel of s:
 * step, position, count, step_rate (count / the step before), cumulative_rate
 * (count / attempts) and, when ncols is 6, target_rate from targets[1..2]
 * (has_target: given).  values/nulls hold 3 rows of ncols; activity_funnel()
 * and kpis() both read these rows, so they cannot disagree.
 */
static void
as_funnel_rows(const ActivitySummary *s, const double *targets, const bool *has_target,
			   int ncols, Datum *values, bool *nulls)
{
	static const char *const steps[3] = {"attempts", "conversations", "leads"};
	int64		counts[3];

	counts[0] = ATTEMPTS;
	counts[1] = s->c[AS_CONVERSATIONS];
	counts[2] = s->c[AS_LEADS];
	for (int i = 0; i < 3; i++)
	{
		Datum	   *v = values + i * ncols;
		bool	   *nl = nulls + i * ncols;

		memset(nl, 0, sizeof(bool) * ncols);
		v[0] = CStringGetTextDatum(steps[i]);
		v[1] = Int32GetDatum(i + 1);
		v[2] = Int64GetDatum(counts[i]);
		if (i == 0 || counts[i - 1] == 0)
			nl[3] = true, v[3] = (Datum) 0;
		else
			v[3] = Float8GetDatum((double) counts[i] / (double) counts[i - 1]);
		if (counts[0] == 0)
			nl[4] = true, v[4] = (Datum) 0;
		else
			v[4] = Float8GetDatum((double) counts[i] / (double) counts[0]);
		if (ncols < 6)
			continue;
		if (i > 0 && has_target[i])
			v[5] = Float8GetDatum(targets[i]);
		else
			nl[5] = true, v[5] = (Datum) 0;
	}
}

/*
 * activity_funnel(summary [, targets]): the rows of as_funnel_rows(), with
 * target_rate from targets = ARRAY[conversations, leads] cumulative target
 * rates (NULL elements allowed; NULL: none).
 */
PG_FUNCTION_INFO_V1(activity_summary_funnel);
Datum
activity_summary_funnel(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ActivitySummary *s;
	double		targets[3] = {1.0, 0, 0};
	bool		has_target[3] = {false, false, false};
	Datum		v[3 * 6];
	bool		nl[3 * 6];

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;		/* no summary: no rows */
	s = AS_ARG("activity_funnel");
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
	{
		ArrayType  *a = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *el;
		bool	   *nulls;
		int			n;

		deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &el, &nulls, &n);
		if (ARR_NDIM(a) > 1 || n != 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("activity_funnel: targets must have 2 elements, got %d", n),
					 errhint("Pass the target rates of conversations and leads per attempt, e.g. ARRAY[0.30, 0.05].")));
		for (int i = 0; i < 2; i++)
			if (!nulls[i])
			{
				kpi_check_ratio(DatumGetFloat8(el[i]), "activity_funnel", "a target rate");
				targets[i + 1] = DatumGetFloat8(el[i]);
				has_target[i + 1] = true;
			}
	}
	as_funnel_rows(s, targets, has_target, 6, v, nl);
	for (int i = 0; i < 3; i++)
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v + i * 6, nl + i * 6);
	return (Datum) 0;
}

/* ---- kpis(activity_summary), activity_summary::json and ::jsonb (kpi/report.h) ---- */

/* the columns of activity_summary_kpis, in order: the accessors, then the funnel */
static const char *const as_columns[] = {
	"attempts", "calls", "emails", "meetings", "other_activities", "connected", "conversations",
	"leads", "reach_ratio", "connect_rate", "lead_rate", "conversation_lead_rate", "call_share",
	"funnel"
};
static const PGFunction as_accessors[] = {
	activity_summary_attempts, activity_summary_calls, activity_summary_emails, activity_summary_meetings,
	activity_summary_other_activities, activity_summary_connected, activity_summary_conversations,
	activity_summary_leads, activity_summary_reach_ratio, activity_summary_connect_rate,
	activity_summary_lead_rate, activity_summary_conversation_lead_rate, activity_summary_call_share
};
StaticAssertDecl(lengthof(as_columns) == lengthof(as_accessors) + 1, "one accessor per column but the funnel");

/* the columns of activity_funnel_step: those of activity_funnel() without target_rate */
#define AS_FUNNEL_COLUMNS 5

static void
as_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	/* read (and validate) once: the accessors read the same copy */
	ActivitySummary *s = AS_ARG("kpis");
	Datum		rv[3 * AS_FUNNEL_COLUMNS];
	bool		rn[3 * AS_FUNNEL_COLUMNS];
	int			n = (int) lengthof(as_accessors);

	for (int i = 0; i < n; i++)
		values[i] = kpi_report_call(as_accessors[i], PointerGetDatum(s), &nulls[i]);
	as_funnel_rows(s, NULL, NULL, AS_FUNNEL_COLUMNS, rv, rn);
	values[n] = kpi_report_rows(desc, n, 3, AS_FUNNEL_COLUMNS, rv, rn);
}

KPI_REPORT_FUNCTIONS(activity_summary, "activity_summary_kpis", as_columns, as_fill);
