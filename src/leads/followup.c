/*
 * followup.c - follow-up of leads (spec section 2.3), in two levels so that
 * it scales out by lead:
 *
 *   lead_followup(created, activity_at, contacted)   per lead (GROUP BY lead id)
 *   followup_summary(lead_followup)                  across leads
 *   rollup(followup_summary)                         merges summaries
 *   accessors: leads, followed_up_leads, contacted_leads, never_followed_up_share,
 *   avg_attempts_to_contact, avg_days_to_first_attempt, avg_days_to_first_contact,
 *   abandoned_leads / abandoned_share (never contacted after 1..N attempts),
 *   over_contacted_leads (more than k attempts in one day), prior_activities.
 *
 * Per lead: the activities at or after the lead's creation are its
 * follow-up attempts (an activity before the lead existed is counted as a
 * prior activity and is no attempt); attempts until the first contact =
 * 1 + the attempts strictly before the first contacted one; the day of an
 * attempt is its calendar day (UTC for timestamptz, the wall-clock day for
 * timestamp).  A row with a NULL created is ignored; a NULL activity_at is a
 * lead without activities (LEFT JOIN); a NULL contacted is an attempt without
 * contact.  All rows of a lead must have the same created.
 *
 * lead_followup keeps the lead's attempts sorted (time, contacted), so its
 * value does not depend on the row order; followup_summary keeps counts,
 * exact sums and two small distributions (unanswered attempts of the leads
 * never contacted, the most attempts in one day per lead), from which the
 * accessors read any N and k.
 */
#include "kpi/kpi.h"
#include "kpi/report.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#define LF_VERSION 1
#define LF_TYPNAME "lead_followup"
#define FS_VERSION 1
#define FS_TYPNAME "followup_summary"
#define LF_MAX_ACTIVITIES 1000000
#define FS_DIST 33				/* counts 0..31, and 32 for 32 or more */

typedef struct LfActivity
{
	int64		t;				/* microseconds */
	int64		contacted;		/* 0 or 1 */
} LfActivity;

typedef struct LeadFollowup
{
	int32		vl_len_;
	uint8		version;
	uint8		kind;			/* TimeKind */
	uint8		flags;			/* reserved, 0 */
	uint8		unused;
	int32		n;				/* activities at or after created, sorted */
	int32		unused2;
	int64		created;
	int64		prior;			/* activities before created */
} LeadFollowup;

#define LF_ACTS(v) ((LfActivity *) ((char *) (v) + sizeof(LeadFollowup)))
#define LF_SIZE(n) (sizeof(LeadFollowup) + (Size) (n) * sizeof(LfActivity))

StaticAssertDecl(offsetof(LeadFollowup, version) == VARHDRSZ, "the version follows the length word");
StaticAssertDecl(sizeof(LeadFollowup) % 8 == 0, "8-byte alignment");

static const char *
lf_broken(const void *value)
{
	const LeadFollowup *v = value;

	if (v->version != LF_VERSION)
		return "Unsupported format version.";
	if (v->flags != 0 || v->unused != 0 || v->unused2 != 0)
		return "Unknown flag bits are set.";
	if (v->kind < TIME_DATE || v->kind > TIME_TIMESTAMPTZ)
		return "Unknown time kind.";
	if (v->n < 0 || v->n > LF_MAX_ACTIVITIES || VARSIZE(v) != LF_SIZE(v->n))
		return "The number of activities does not match the value's size.";
	if (v->prior < 0)
		return "The prior activities must be non-negative.";
	if (!IS_VALID_TIMESTAMP(v->created))
		return "created must be a finite timestamp.";
	for (int i = 0; i < v->n; i++)
	{
		const LfActivity *a = &LF_ACTS(v)[i];

		if (a->contacted != 0 && a->contacted != 1)
			return "contacted must be 0 or 1.";
		if (a->t < v->created || !IS_VALID_TIMESTAMP(a->t))
			return "Activities must be finite and not before created.";
		if (i > 0 && (a->t < a[-1].t || (a->t == a[-1].t && a->contacted < a[-1].contacted)))
			return "Activities must be sorted by time and contacted.";
	}
	return NULL;
}

static LeadFollowup *
lf_get(Datum d)
{
	LeadFollowup *v = kpi_stored(d, LF_VERSION, sizeof(LeadFollowup), LF_TYPNAME);

	if (v->n < 0 || v->n > LF_MAX_ACTIVITIES || VARSIZE(v) != LF_SIZE(v->n))
		kpi_corrupt(LF_TYPNAME);
	return v;
}

static LeadFollowup *
lf_get_valid(Datum d, const char *fname)
{
	return kpi_valid(lf_get(d), lf_broken, fname, LF_TYPNAME);
}

static LeadFollowup *
lf_new(int n, TimeKind kind, int64 created)
{
	LeadFollowup *v = kpi_fixed_new(LF_VERSION, LF_SIZE(n));

	v->kind = (uint8) kind;
	v->created = created;
	v->n = n;
	return v;
}

static void
lf_same_lead(const LeadFollowup *v, TimeKind kind, int64 created, const char *fname)
{
	if (v->kind != kind || v->created != created)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the rows of one lead must have the same created time (and time type)", fname),
				 errdetail("Created times of " INT64_FORMAT " and " INT64_FORMAT " microseconds.", v->created, created),
				 errhint("Build lead_followup(created, activity_at, contacted) per lead: GROUP BY the lead id.")));
}

static inline bool
lf_before(const LfActivity *a, const LfActivity *b)
{
	return a->t < b->t || (a->t == b->t && a->contacted < b->contacted);
}

/* (state, created, activity_at, contacted) */
static Datum
lf_accum(FunctionCallInfo fcinfo, TimeKind kind)
{
	const char *fname = "lead_followup";
	LeadFollowup *v;
	int64		created;
	LfActivity	a;
	int			i;

	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	created = kpi_time_usec(PG_GETARG_DATUM(1), kind, fcinfo, fname, "created");
	if (PG_ARGISNULL(0))
		v = lf_new(0, kind, created);
	else
	{
		v = kpi_writable(fcinfo, 0, lf_get(PG_GETARG_DATUM(0)));
		lf_same_lead(v, kind, created, fname);
	}
	if (PG_ARGISNULL(2))
		PG_RETURN_POINTER(v);
	a.t = kpi_time_usec(PG_GETARG_DATUM(2), kind, fcinfo, fname, "activity_at");
	a.contacted = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	if (a.t < created)
	{
		if (v->prior == PG_INT64_MAX)
			kpi_count_overflow(fname, NULL);
		v->prior++;
		PG_RETURN_POINTER(v);
	}
	if (v->n >= LF_MAX_ACTIVITIES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: a lead has more than %d activities", fname, LF_MAX_ACTIVITIES),
				 errhint("Group by the lead id: lead_followup() summarises one lead.")));
	/* the value's size is exact (it is stored as it is): copy into one a slot larger */
	{
		LeadFollowup *w = palloc(LF_SIZE(v->n + 1));

		memcpy(w, v, LF_SIZE(v->n));
		SET_VARSIZE(w, LF_SIZE(v->n + 1));
		v = w;
	}
	for (i = v->n; i > 0 && lf_before(&a, &LF_ACTS(v)[i - 1]); i--)
		LF_ACTS(v)[i] = LF_ACTS(v)[i - 1];
	LF_ACTS(v)[i] = a;
	v->n++;
	PG_RETURN_POINTER(v);
}

KPI_FUNCTION(lead_followup_accum_tz, lf_accum, TIME_TIMESTAMPTZ);
KPI_FUNCTION(lead_followup_accum_ts, lf_accum, TIME_TIMESTAMP);
KPI_FUNCTION(lead_followup_accum_date, lf_accum, TIME_DATE);

/* partial states of one lead merged (parallel query) */
PG_FUNCTION_INFO_V1(lead_followup_combine);
Datum
lead_followup_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "lead_followup_combine";
	LeadFollowup *a,
			   *b,
			   *r;
	int			ia = 0,
				ib = 0;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(lf_get_valid(PG_GETARG_DATUM(0), fname));
	}
	b = lf_get_valid(PG_GETARG_DATUM(1), fname);
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(b);
	a = lf_get_valid(PG_GETARG_DATUM(0), fname);
	lf_same_lead(a, b->kind, b->created, fname);
	if ((int64) a->n + b->n > LF_MAX_ACTIVITIES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: a lead has more than %d activities", fname, LF_MAX_ACTIVITIES)));
	r = lf_new(a->n + b->n, a->kind, a->created);
	if (pg_add_s64_overflow(a->prior, b->prior, &r->prior))
		kpi_count_overflow(fname, NULL);
	for (int m = 0; m < r->n; m++)
		LF_ACTS(r)[m] = (ib >= b->n || (ia < a->n && !lf_before(&LF_ACTS(b)[ib], &LF_ACTS(a)[ia])))
			? LF_ACTS(a)[ia++] : LF_ACTS(b)[ib++];
	PG_RETURN_POINTER(r);
}

/* ---- lead_followup I/O: (version=1,time=K,created=N,prior=N,activities=[t:c,...]) ---- */

PG_FUNCTION_INFO_V1(lead_followup_in);
PG_FUNCTION_INFO_V1(lead_followup_out);
PG_FUNCTION_INFO_V1(lead_followup_recv);
PG_FUNCTION_INFO_V1(lead_followup_send);

Datum
lead_followup_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	KvParser	kv;
	int			kind;
	int64		created,
				prior;
	int			n = 0,
				cap = 8;
	LfActivity *acts = palloc(sizeof(LfActivity) * cap);
	LeadFollowup *v;

	kpi_kv_begin(&kv, str, LF_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != LF_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	kind = kpi_kv_time_kind(&kv);
	created = kpi_kv_int64(&kv, "created", PG_INT64_MIN);
	prior = kpi_kv_int64(&kv, "prior", 0);
	kpi_kv_key(&kv, "activities");
	kpi_kv_char(&kv, '[');
	if (!kpi_kv_peek(&kv, ']'))
	{
		do
		{
			if (n == LF_MAX_ACTIVITIES)
				kpi_kv_fail(&kv, "Too many activities");
			if (n == cap)
				acts = repalloc(acts, sizeof(LfActivity) * (cap *= 2));
			acts[n].t = kpi_kv_number(&kv, PG_INT64_MIN, PG_INT64_MAX, "an activity time");
			kpi_kv_char(&kv, ':');
			acts[n].contacted = kpi_kv_number(&kv, 0, 1, "a contacted flag");
			n++;
		} while (kpi_kv_more(&kv));
	}
	kpi_kv_char(&kv, ']');
	kpi_kv_end(&kv);
	v = lf_new(n, (TimeKind) kind, created);
	v->prior = prior;
	memcpy(LF_ACTS(v), acts, sizeof(LfActivity) * n);
	kpi_check_text(lf_broken(v), LF_TYPNAME, str);
	PG_RETURN_POINTER(v);
}

Datum
lead_followup_out(PG_FUNCTION_ARGS)
{
	LeadFollowup *v = lf_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,time=%s,created=" INT64_FORMAT ",prior=" INT64_FORMAT ",activities=[",
					 v->version, kpi_time_kind_names[v->kind], v->created, v->prior);
	for (int i = 0; i < v->n; i++)
		appendStringInfo(&buf, "%s" INT64_FORMAT ":%d", i ? "," : "", LF_ACTS(v)[i].t, (int) LF_ACTS(v)[i].contacted);
	appendStringInfoString(&buf, "])");
	PG_RETURN_CSTRING(buf.data);
}

Datum
lead_followup_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	int			kind,
				flags;
	int64		n;
	LeadFollowup *v;

	if (version != LF_VERSION)
		kpi_bad_binary(LF_TYPNAME, "Unsupported format version.");
	kind = pq_getmsgbyte(buf);
	flags = pq_getmsgbyte(buf);
	n = pq_getmsgint(buf, 4);
	if (n < 0 || n > LF_MAX_ACTIVITIES)
		kpi_bad_binary(LF_TYPNAME, "Number of activities out of range.");
	kpi_recv_count(buf, n, 9, LF_TYPNAME, "More activities announced than sent.");
	v = lf_new((int) n, TIME_DATE, 0);
	v->kind = (uint8) kind;
	v->flags = (uint8) flags;
	v->created = pq_getmsgint64(buf);
	v->prior = pq_getmsgint64(buf);
	for (int i = 0; i < n; i++)
	{
		LF_ACTS(v)[i].t = pq_getmsgint64(buf);
		LF_ACTS(v)[i].contacted = pq_getmsgbyte(buf);
	}
	kpi_recv_end(buf, LF_TYPNAME);
	kpi_check_binary(lf_broken(v), LF_TYPNAME);
	PG_RETURN_POINTER(v);
}

Datum
lead_followup_send(PG_FUNCTION_ARGS)
{
	LeadFollowup *v = lf_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, v->version);
	pq_sendbyte(&buf, v->kind);
	pq_sendbyte(&buf, v->flags);
	pq_sendint32(&buf, v->n);
	pq_sendint64(&buf, v->created);
	pq_sendint64(&buf, v->prior);
	for (int i = 0; i < v->n; i++)
	{
		pq_sendint64(&buf, LF_ACTS(v)[i].t);
		pq_sendbyte(&buf, (uint8) LF_ACTS(v)[i].contacted);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- per-lead accessors ---- */

typedef struct LfFacts
{
	int64		attempts;		/* activities at or after created */
	bool		contacted;
	int64		to_contact;		/* attempts until the first contact (when contacted) */
	int64		first_attempt_us;	/* delay (when attempts > 0) */
	int64		first_contact_us;	/* delay (when contacted) */
	int64		max_per_day;
} LfFacts;

static void
lf_facts(const LeadFollowup *v, LfFacts *f)
{
	int64		run = 0;

	memset(f, 0, sizeof(LfFacts));
	f->attempts = v->n;
	if (v->n > 0)
		f->first_attempt_us = LF_ACTS(v)[0].t - v->created;
	for (int i = 0; i < v->n; i++)
	{
		const LfActivity *a = &LF_ACTS(v)[i];

		if (a->contacted && !f->contacted)
		{
			int			before = 0;

			while (before < i && LF_ACTS(v)[before].t < a->t)
				before++;
			f->contacted = true;
			f->to_contact = before + 1;
			f->first_contact_us = a->t - v->created;
		}
		/* floor division: days before 2000 are negative */
		if (i > 0)
		{
			int64		d0 = LF_ACTS(v)[i - 1].t / KPI_USECS_PER_DAY - (LF_ACTS(v)[i - 1].t % KPI_USECS_PER_DAY < 0);
			int64		d1 = a->t / KPI_USECS_PER_DAY - (a->t % KPI_USECS_PER_DAY < 0);

			run = d0 == d1 ? run + 1 : 1;
		}
		else
			run = 1;
		f->max_per_day = Max(f->max_per_day, run);
	}
}

PG_FUNCTION_INFO_V1(lead_followup_attempts);
PG_FUNCTION_INFO_V1(lead_followup_attempts_to_contact);
PG_FUNCTION_INFO_V1(lead_followup_max_per_day);

Datum
lead_followup_attempts(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(lf_get_valid(PG_GETARG_DATUM(0), "attempts")->n);
}

/* attempts until the first contact; NULL when never contacted */
Datum
lead_followup_attempts_to_contact(PG_FUNCTION_ARGS)
{
	LfFacts		f;

	lf_facts(lf_get_valid(PG_GETARG_DATUM(0), "attempts_to_contact"), &f);
	if (!f.contacted)
		PG_RETURN_NULL();
	PG_RETURN_INT64(f.to_contact);
}

Datum
lead_followup_max_per_day(PG_FUNCTION_ARGS)
{
	LfFacts		f;

	lf_facts(lf_get_valid(PG_GETARG_DATUM(0), "max_attempts_per_day"), &f);
	PG_RETURN_INT64(f.max_per_day);
}

/* ---- followup_summary ---- */

typedef struct FollowupSummary
{
	int32		vl_len_;
	uint8		version;
	uint8		kind;			/* TimeKind */
	uint8		flags;			/* reserved, 0 */
	uint8		unused;
	int64		leads;
	int64		followed_up;	/* leads with an attempt */
	int64		contacted;		/* leads with a contact */
	int64		prior;			/* activities before their lead's creation */
	int128		attempts_to_contact;	/* sum over contacted leads */
	int128		first_attempt_us;	/* sum over followed-up leads */
	int128		first_contact_us;	/* sum over contacted leads */
	int64		unanswered[FS_DIST];	/* leads never contacted, by attempts (32: 32 or more) */
	int64		max_day[FS_DIST];	/* leads by most attempts in one day (32: 32 or more) */
} FollowupSummary;

StaticAssertDecl(offsetof(FollowupSummary, version) == VARHDRSZ, "the version follows the length word");

static const char *
fs_broken(const void *value)
{
	const FollowupSummary *s = value;
	int128		un = 0,
				md = 0;

	if (s->version != FS_VERSION)
		return "Unsupported format version.";
	if (s->flags != 0 || s->unused != 0)
		return "Unknown flag bits are set.";
	if (s->kind < TIME_DATE || s->kind > TIME_TIMESTAMPTZ)
		return "Unknown time kind.";
	if (s->leads < 0 || s->prior < 0 || s->contacted < 0 || s->contacted > s->followed_up || s->followed_up > s->leads)
		return "Counts must satisfy 0 <= contacted <= followed_up <= leads and prior >= 0.";
	for (int i = 0; i < FS_DIST; i++)
	{
		if (s->unanswered[i] < 0 || s->max_day[i] < 0)
			return "Distribution counts must be non-negative.";
		un += s->unanswered[i];
		md += s->max_day[i];
	}
	if (un != s->leads - s->contacted || s->unanswered[0] != s->leads - s->followed_up)
		return "The unanswered distribution must count the leads never contacted, with 0 attempts those never followed up.";
	if (md != s->leads || s->max_day[0] != s->leads - s->followed_up)
		return "The per-day distribution must count every lead, with 0 those never followed up.";
	if (s->attempts_to_contact < s->contacted || s->first_attempt_us < 0 || s->first_contact_us < 0 ||
		(s->followed_up == 0 && s->first_attempt_us != 0) || (s->contacted == 0 && s->first_contact_us != 0))
		return "Sums must be non-negative, 0 without leads, and every contacted lead has at least one attempt.";
	return NULL;
}

#define fs_get(d) ((FollowupSummary *) kpi_fixed_get(d, FS_VERSION, sizeof(FollowupSummary), FS_TYPNAME))
#define fs_get_valid(d, fname) ((FollowupSummary *) kpi_valid(fs_get(d), fs_broken, fname, FS_TYPNAME))

static void
fs_add(int64 *a, int64 b, const char *fname)
{
	if (pg_add_s64_overflow(*a, b, a))
		kpi_count_overflow(fname, NULL);
}

/* followup_summary(lead_followup): one lead more */
PG_FUNCTION_INFO_V1(followup_summary_accum);
Datum
followup_summary_accum(PG_FUNCTION_ARGS)
{
	const char *fname = "followup_summary";
	LeadFollowup *v;
	FollowupSummary *s;
	LfFacts		f;

	if (PG_ARGISNULL(1))
		return kpi_unchanged(fcinfo);
	v = lf_get_valid(PG_GETARG_DATUM(1), fname);
	if (PG_ARGISNULL(0))
	{
		s = kpi_fixed_new(FS_VERSION, sizeof(FollowupSummary));
		s->kind = v->kind;
	}
	else
	{
		s = kpi_writable(fcinfo, 0, fs_get_valid(PG_GETARG_DATUM(0), fname));
		if (s->kind != v->kind)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: leads of %s and of %s cannot be mixed", fname,
							kpi_time_kind_names[s->kind], kpi_time_kind_names[v->kind])));
	}
	lf_facts(v, &f);
	fs_add(&s->leads, 1, fname);
	fs_add(&s->prior, v->prior, fname);
	if (f.attempts > 0)
	{
		s->followed_up++;
		s->first_attempt_us = kpi_add128(s->first_attempt_us, f.first_attempt_us);
	}
	if (f.contacted)
	{
		s->contacted++;
		s->attempts_to_contact = kpi_add128(s->attempts_to_contact, f.to_contact);
		s->first_contact_us = kpi_add128(s->first_contact_us, f.first_contact_us);
	}
	else
		s->unanswered[Min(f.attempts, FS_DIST - 1)]++;
	s->max_day[Min(f.max_per_day, FS_DIST - 1)]++;
	PG_RETURN_POINTER(s);
}

/* merge (sign 1) or un-merge (sign -1) b into a */
static Datum
fs_merge(FunctionCallInfo fcinfo, int sign)
{
	const char *fname = sign > 0 ? "followup_summary_combine" : "followup_summary_combine_inv";
	FollowupSummary *a,
			   *b;
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(fs_get_valid(PG_GETARG_DATUM(0), fname));
	}
	b = fs_get_valid(PG_GETARG_DATUM(1), fname);
	if (PG_ARGISNULL(0))
	{
		if (sign < 0)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(b);
	}
	a = kpi_writable(fcinfo, 0, fs_get_valid(PG_GETARG_DATUM(0), fname));
	if (a->kind != b->kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: leads of %s and of %s cannot be mixed", fname,
						kpi_time_kind_names[a->kind], kpi_time_kind_names[b->kind])));
	fs_add(&a->leads, sign * b->leads, fname);
	fs_add(&a->followed_up, sign * b->followed_up, fname);
	fs_add(&a->contacted, sign * b->contacted, fname);
	fs_add(&a->prior, sign * b->prior, fname);
	for (int i = 0; i < FS_DIST; i++)
	{
		fs_add(&a->unanswered[i], sign * b->unanswered[i], fname);
		fs_add(&a->max_day[i], sign * b->max_day[i], fname);
	}
	a->attempts_to_contact = kpi_add128(a->attempts_to_contact, sign * b->attempts_to_contact);
	a->first_attempt_us = kpi_add128(a->first_attempt_us, sign * b->first_attempt_us);
	a->first_contact_us = kpi_add128(a->first_contact_us, sign * b->first_contact_us);
	if (fs_broken(a) != NULL)
	{
		if (sign < 0)
			PG_RETURN_NULL();	/* b was no part of a: the executor restarts the frame */
		kpi_count_overflow(fname, NULL);
	}
	PG_RETURN_POINTER(a);
}

KPI_FUNCTION(followup_summary_combine, fs_merge, 1);
KPI_FUNCTION(followup_summary_combine_inv, fs_merge, -1);

/* ---- followup_summary I/O ---- */

PG_FUNCTION_INFO_V1(followup_summary_in);
PG_FUNCTION_INFO_V1(followup_summary_out);
PG_FUNCTION_INFO_V1(followup_summary_recv);
PG_FUNCTION_INFO_V1(followup_summary_send);

static void
fs_kv_dist(KvParser *kv, const char *key, int64 *d)
{
	kpi_kv_key(kv, key);
	kpi_kv_char(kv, '[');
	for (int i = 0; i < FS_DIST; i++)
	{
		if (i > 0)
			kpi_kv_char(kv, ',');
		d[i] = kpi_kv_number(kv, 0, PG_INT64_MAX, "a count");
	}
	kpi_kv_char(kv, ']');
}

/*
 * (version=1,time=K,leads=N,followed_up=N,contacted=N,prior=N,attempts_to_contact=N,
 *  first_attempt_us=N,first_contact_us=N,unanswered=[33 counts],max_per_day=[33 counts])
 */
Datum
followup_summary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	FollowupSummary *s = kpi_fixed_new(FS_VERSION, sizeof(FollowupSummary));
	KvParser	kv;

	kpi_kv_begin(&kv, str, FS_TYPNAME);
	if (kpi_kv_int64(&kv, "version", 0) != FS_VERSION)
		kpi_kv_fail(&kv, "Unsupported format version");
	s->kind = (uint8) kpi_kv_time_kind(&kv);
	s->leads = kpi_kv_int64(&kv, "leads", 0);
	s->followed_up = kpi_kv_int64(&kv, "followed_up", 0);
	s->contacted = kpi_kv_int64(&kv, "contacted", 0);
	s->prior = kpi_kv_int64(&kv, "prior", 0);
	s->attempts_to_contact = kpi_kv_micros(&kv, "attempts_to_contact", "Expected an integer");
	s->first_attempt_us = kpi_kv_micros(&kv, "first_attempt_us", NULL);
	s->first_contact_us = kpi_kv_micros(&kv, "first_contact_us", NULL);
	fs_kv_dist(&kv, "unanswered", s->unanswered);
	fs_kv_dist(&kv, "max_per_day", s->max_day);
	kpi_kv_end(&kv);
	kpi_check_text(fs_broken(s), FS_TYPNAME, str);
	PG_RETURN_POINTER(s);
}

Datum
followup_summary_out(PG_FUNCTION_ARGS)
{
	FollowupSummary *s = fs_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(version=%d,time=%s,leads=" INT64_FORMAT ",followed_up=" INT64_FORMAT
					 ",contacted=" INT64_FORMAT ",prior=" INT64_FORMAT ",attempts_to_contact=",
					 s->version, kpi_time_kind_names[s->kind], s->leads, s->followed_up, s->contacted, s->prior);
	kpi_append_decimal(&buf, s->attempts_to_contact, 0);
	appendStringInfoString(&buf, ",first_attempt_us=");
	kpi_append_decimal(&buf, s->first_attempt_us, 0);
	appendStringInfoString(&buf, ",first_contact_us=");
	kpi_append_decimal(&buf, s->first_contact_us, 0);
	appendStringInfoString(&buf, ",unanswered=[");
	for (int i = 0; i < FS_DIST; i++)
		appendStringInfo(&buf, "%s" INT64_FORMAT, i ? "," : "", s->unanswered[i]);
	appendStringInfoString(&buf, "],max_per_day=[");
	for (int i = 0; i < FS_DIST; i++)
		appendStringInfo(&buf, "%s" INT64_FORMAT, i ? "," : "", s->max_day[i]);
	appendStringInfoString(&buf, "])");
	PG_RETURN_CSTRING(buf.data);
}

Datum
followup_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	FollowupSummary *s = kpi_fixed_new(FS_VERSION, sizeof(FollowupSummary));

	s->version = pq_getmsgbyte(buf);
	if (s->version != FS_VERSION)
		kpi_bad_binary(FS_TYPNAME, "Unsupported format version.");
	s->kind = pq_getmsgbyte(buf);
	s->flags = pq_getmsgbyte(buf);
	s->leads = pq_getmsgint64(buf);
	s->followed_up = pq_getmsgint64(buf);
	s->contacted = pq_getmsgint64(buf);
	s->prior = pq_getmsgint64(buf);
	s->attempts_to_contact = kpi_recv_int128(buf, FS_TYPNAME);
	s->first_attempt_us = kpi_recv_int128(buf, FS_TYPNAME);
	s->first_contact_us = kpi_recv_int128(buf, FS_TYPNAME);
	for (int i = 0; i < FS_DIST; i++)
		s->unanswered[i] = pq_getmsgint64(buf);
	for (int i = 0; i < FS_DIST; i++)
		s->max_day[i] = pq_getmsgint64(buf);
	kpi_recv_end(buf, FS_TYPNAME);
	kpi_check_binary(fs_broken(s), FS_TYPNAME);
	PG_RETURN_POINTER(s);
}

Datum
followup_summary_send(PG_FUNCTION_ARGS)
{
	FollowupSummary *s = fs_get(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->kind);
	pq_sendbyte(&buf, s->flags);
	pq_sendint64(&buf, s->leads);
	pq_sendint64(&buf, s->followed_up);
	pq_sendint64(&buf, s->contacted);
	pq_sendint64(&buf, s->prior);
	kpi_send_int128(&buf, s->attempts_to_contact);
	kpi_send_int128(&buf, s->first_attempt_us);
	kpi_send_int128(&buf, s->first_contact_us);
	for (int i = 0; i < FS_DIST; i++)
		pq_sendint64(&buf, s->unanswered[i]);
	for (int i = 0; i < FS_DIST; i++)
		pq_sendint64(&buf, s->max_day[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- followup_summary accessors ---- */

#define FS_ARG(fname) fs_get_valid(PG_GETARG_DATUM(0), fname)

PG_FUNCTION_INFO_V1(followup_summary_leads);
PG_FUNCTION_INFO_V1(followup_summary_followed_up);
PG_FUNCTION_INFO_V1(followup_summary_contacted);
PG_FUNCTION_INFO_V1(followup_summary_prior);
PG_FUNCTION_INFO_V1(followup_summary_never_share);
PG_FUNCTION_INFO_V1(followup_summary_avg_attempts);
PG_FUNCTION_INFO_V1(followup_summary_avg_first_attempt);
PG_FUNCTION_INFO_V1(followup_summary_avg_first_contact);
PG_FUNCTION_INFO_V1(followup_summary_abandoned);
PG_FUNCTION_INFO_V1(followup_summary_abandoned_share);
PG_FUNCTION_INFO_V1(followup_summary_over_contacted);

Datum
followup_summary_leads(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(FS_ARG("leads")->leads);
}

Datum
followup_summary_followed_up(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(FS_ARG("followed_up_leads")->followed_up);
}

Datum
followup_summary_contacted(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(FS_ARG("contacted_leads")->contacted);
}

Datum
followup_summary_prior(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(FS_ARG("prior_activities")->prior);
}

Datum
followup_summary_never_share(PG_FUNCTION_ARGS)
{
	FollowupSummary *s = FS_ARG("never_followed_up_share");

	if (s->leads == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) (s->leads - s->followed_up) / (double) s->leads);
}

Datum
followup_summary_avg_attempts(PG_FUNCTION_ARGS)
{
	FollowupSummary *s = FS_ARG("avg_attempts_to_contact");

	if (s->contacted == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) s->attempts_to_contact / (double) s->contacted);
}

Datum
followup_summary_avg_first_attempt(PG_FUNCTION_ARGS)
{
	FollowupSummary *s = FS_ARG("avg_days_to_first_attempt");

	if (s->followed_up == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) s->first_attempt_us / (double) s->followed_up / (double) KPI_USECS_PER_DAY);
}

Datum
followup_summary_avg_first_contact(PG_FUNCTION_ARGS)
{
	FollowupSummary *s = FS_ARG("avg_days_to_first_contact");

	if (s->contacted == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) s->first_contact_us / (double) s->contacted / (double) KPI_USECS_PER_DAY);
}

/* the count argument (N or k) in 1..31 */
static int
fs_count_arg(FunctionCallInfo fcinfo, int argno, const char *fname, const char *argname)
{
	int32		n = PG_GETARG_INT32(argno);

	if (n < 1 || n > FS_DIST - 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be between 1 and %d, got %d", fname, argname, FS_DIST - 2, n),
				 errhint("The summary distinguishes 0 to 31 attempts and counts more as 32 or more.")));
	return n;
}

/* leads never contacted after 1..N attempts (given up too early) */
static int64
fs_abandoned(const FollowupSummary *s, int n)
{
	int64		c = 0;

	for (int i = 1; i <= n; i++)
		c += s->unanswered[i];
	return c;
}

Datum
followup_summary_abandoned(PG_FUNCTION_ARGS)
{
	FollowupSummary *s = FS_ARG("abandoned_leads");

	PG_RETURN_INT64(fs_abandoned(s, fs_count_arg(fcinfo, 1, "abandoned_leads", "max_attempts")));
}

Datum
followup_summary_abandoned_share(PG_FUNCTION_ARGS)
{
	FollowupSummary *s = FS_ARG("abandoned_share");
	int			n = fs_count_arg(fcinfo, 1, "abandoned_share", "max_attempts");

	if (s->leads == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) fs_abandoned(s, n) / (double) s->leads);
}

/* leads with more than k attempts in one calendar day */
Datum
followup_summary_over_contacted(PG_FUNCTION_ARGS)
{
	FollowupSummary *s = FS_ARG("over_contacted_leads");
	int			k = fs_count_arg(fcinfo, 1, "over_contacted_leads", "max_per_day");
	int64		c = 0;

	for (int i = k + 1; i < FS_DIST; i++)
		c += s->max_day[i];
	PG_RETURN_INT64(c);
}

/* ---- kpis() of lead_followup and followup_summary, and their ::json, ::jsonb (kpi/report.h) ---- */

static const char *const lf_columns[] = {"attempts", "attempts_to_contact", "max_attempts_per_day"};
static const PGFunction lf_accessors[] = {
	lead_followup_attempts, lead_followup_attempts_to_contact, lead_followup_max_per_day
};
StaticAssertDecl(lengthof(lf_columns) == lengthof(lf_accessors), "one accessor per column");

static void
lf_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	/* read (and validate) once: the accessors read the same copy */
	Datum		v = PointerGetDatum(lf_get_valid(PG_GETARG_DATUM(0), "kpis"));

	(void) desc;
	for (int i = 0; i < (int) lengthof(lf_accessors); i++)
		values[i] = kpi_report_call(lf_accessors[i], v, &nulls[i]);
}

KPI_REPORT_FUNCTIONS(lead_followup, "lead_followup_kpis", lf_columns, lf_fill);

/*
 * The columns of followup_summary_kpis: the accessors of the summary alone,
 * and over_contacted_leads at its documented default of 4 a day.  No
 * abandoned_leads/abandoned_share: their max_attempts has no default.
 */
static const char *const fs_columns[] = {
	"leads", "followed_up_leads", "contacted_leads", "prior_activities", "never_followed_up_share",
	"avg_attempts_to_contact", "avg_days_to_first_attempt", "avg_days_to_first_contact",
	"over_contacted_leads"
};
static const PGFunction fs_accessors[] = {
	followup_summary_leads, followup_summary_followed_up, followup_summary_contacted, followup_summary_prior,
	followup_summary_never_share, followup_summary_avg_attempts, followup_summary_avg_first_attempt,
	followup_summary_avg_first_contact
};
StaticAssertDecl(lengthof(fs_columns) == lengthof(fs_accessors) + 1, "one accessor per column but the last");

static void
fs_fill(FunctionCallInfo fcinfo, TupleDesc desc, Datum *values, bool *nulls)
{
	/* read (and validate) once: the accessors read the same copy */
	Datum		s = PointerGetDatum(FS_ARG("kpis"));
	int			n = (int) lengthof(fs_accessors);

	(void) desc;
	for (int i = 0; i < n; i++)
		values[i] = kpi_report_call(fs_accessors[i], s, &nulls[i]);
	values[n] = kpi_report_call2(followup_summary_over_contacted, s, Int32GetDatum(4), &nulls[n]);
}

KPI_REPORT_FUNCTIONS(followup_summary, "followup_summary_kpis", fs_columns, fs_fill);
