#!/usr/bin/env python3
"""State fuzzer: hand-made aggregate states and extreme arguments passed to
every function of sales_kpi (its transition, inverse, combine and final
functions, accessors and scalar forms), directly and through aggregates that
update states in place.

Run by test/t/state_fuzz.sh (and test/fuzz.sh), which creates the database
(PGDATABASE) with the extension, test/fuzz/setup.sql and
test/fuzz/state_setup.sql.  Standard library only; talks to the server with
psql.

The functions are read from the catalog (every function of the extension but
the type I/O functions, which io_fuzz covers), so a new one is fuzzed without
a change here.  Their arguments are drawn by type:
  bigint[] states  random and boundary arrays: bigint max/min, -1, wrong
                   lengths, NULL elements, 2-D, lower bounds other than 1,
                   churn periods reversed or empty ...
  our types        the seeds of test/fuzz/setup.sql and the extremes of their
                   text forms that the input functions accept (counts and
                   sums near the bigint/int128 limits), NULL
  numbers, times, intervals, stage lists, modes: boundary values, NULL
A deterministic sweep (every boundary state in every state position) comes
first, then random calls.

The oracle: the server stays up, and each call either raises an error with an
SQLSTATE of class 22 (data exception; a few functions have a documented
other one, ALLOWED_SQLSTATES) or returns a valid result: ratios in [0, 1] or
NULL, counts >= 0, amounts finite (>= 0 for deals), days and rates finite and
>= 0, bigint[] states of the right shape whose final function reads them,
values of our types whose text form reads back and whose readers agree
(fz_kpis() of setup.sql).

Env: STATE_FUZZ_MUTANTS (total calls, default 3000), STATE_FUZZ_SEED (default
20260101 with CI=true, else random; printed with the replay command),
STATE_FUZZ_BATCH (calls per statement, default 200), STATE_FUZZ_FUNCS (a
regular expression: fuzz only the functions whose signature matches).
"""

import os
import random
import re
import subprocess
import sys
import tempfile
import time

MUTANTS = int(os.environ.get('STATE_FUZZ_MUTANTS', '3000'))
BATCH = max(1, int(os.environ.get('STATE_FUZZ_BATCH', '200')))
FUNCS = os.environ.get('STATE_FUZZ_FUNCS', '')
CI_SEED = 20260101
if os.environ.get('STATE_FUZZ_SEED'):
    SEED, SEED_FROM = int(os.environ['STATE_FUZZ_SEED']), 'STATE_FUZZ_SEED'
elif os.environ.get('CI', '').lower() in ('true', '1', 'yes'):
    SEED, SEED_FROM = CI_SEED, 'the fixed seed of CI runs'
else:
    SEED, SEED_FROM = random.SystemRandom().randrange(1 << 32), 'random'

PSQL = ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=0']
ENV = dict(os.environ, PGCLIENTENCODING='UTF8', PGAPPNAME='state_fuzz')
MAX_CRASHES = 20                # stop after this many crashes (a crashing function is not called again)
BATCH_TIMEOUT = 900
I64_MAX, I64_MIN = (1 << 63) - 1, -(1 << 63)

# SQLSTATEs a function may raise besides class 22, as documented in README
# (and 54000 for a stage list of more than 64 stages, anywhere)
ALLOWED_SQLSTATES = {
    'stage_history_accum': {'54000'},       # a text id over 1024 bytes, a state over 1 GB
    'stage_history_combine': {'54000'},
    'stage_funnel_stage_accum': {'0A000'},  # ordered mode needs times
    'mrr_series_accum': {'54000'},          # more than ~44 million rows for one customer
    'revenue_summary_rows_accum': {'54000'},  # a text id over 1024 bytes, a state over 1 GB
    'revenue_summary_rows_combine': {'54000'},
}

# which check wraps a function's result (by name; else by return type)
RATIO_FUNCS = {'hit_ratio_final', 'churn_rate_final', 'retention_rate_final', 'hit_ratio', 'hit_ratio_by_amount',
               'churn_rate', 'retention_rate', 'bgnbd_p_alive', 'grr', 'customer_churn_rate', 'customer_retention_rate',
               'upsell_rate'}
# float8 results of any sign, but finite (a log-likelihood)
FINITE_FUNCS = {'log_likelihood'}
RATIO_FUNCS |= {'reach_ratio', 'connect_rate', 'lead_rate', 'conversation_lead_rate', 'call_share', 'sla_share',
                'never_followed_up_share', 'abandoned_share', 'period_elapsed'}
# results that may be negative: a falling lead velocity, attainment and pacing of refunds, net revenue churn
SIGNED_FUNCS = {'lead_velocity_rate', 'lead_velocity_final', 'attainment', 'pacing', 'net_revenue_churn'}
MONEY_FUNCS = {'won_amount', 'lost_amount', 'open_amount', 'avg_deal_size', 'weighted_pipeline',
               'mrr', 'arr', 'arpa', 'mrr_at', 'saas_ltv', 'cac'}
OUR_TYPES = ('deal_summary', 'order_summary', 'stage_path', 'stage_funnel', 'stage_times', 'stage_history',
             'activity_summary', 'response_time', 'lead_followup', 'followup_summary',
             'rfm', 'clv_fit_state', 'bgnbd_model', 'gammagamma_model', 'mrr_series', 'revenue_summary')
CLV_NONNEG = True   # clv(numeric, ...) forms refuse negatives; clv(order_summary) may be negative (refunds)


def psql(args, input_sql=None, timeout=300):
    return subprocess.run(PSQL + args, env=ENV, input=input_sql, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def query(sql):
    r = psql(['-v', 'ON_ERROR_STOP=1', '-At', '-c', sql])
    if r.returncode != 0:
        raise RuntimeError('psql failed: %s' % r.stderr.decode('utf-8', 'replace'))
    return r.stdout.decode('utf-8').splitlines()


def server_alive():
    try:
        r = psql(['-Atc', 'SELECT 1'], timeout=30)
        return r.returncode == 0 and r.stdout.strip() == b'1'
    except subprocess.TimeoutExpired:
        return False


def wait_for_server(limit=120):
    """After a crash the postmaster terminates every backend and recovers:
    wait until it answers twice in a row."""
    t0 = time.time()
    time.sleep(1)
    ok = 0
    while time.time() - t0 < limit:
        ok = ok + 1 if server_alive() else 0
        if ok >= 2:
            return True
        time.sleep(0.5)
    return False


CONNECT_FAILED = re.compile(r'connection to server .* failed|the database system is (starting up|in recovery mode|'
                            r'not yet accepting connections|shutting down)|Is the server running')


def lit(s):
    return "'" + s.replace("'", "''") + "'"


# --------------------------------------------------------------------------
# argument generators (each returns an SQL expression)
# --------------------------------------------------------------------------

BIG = [0, 1, 2, 3, -1, -2, I64_MAX, I64_MAX - 1, I64_MIN, I64_MIN + 1, 1 << 31, 1 << 32, (1 << 62), 10 ** 18,
       I64_MAX // 2, I64_MAX // 2 + 1, 4611686018427387904]
USEC_2024 = 757382400000000             # 2024-01-01 in PostgreSQL microseconds
USEC_MONTH = 31 * 86400000000
TIME_US = [0, USEC_2024, USEC_2024 + USEC_MONTH, USEC_2024 - 1, -211813488000000000, 9223371331200000000 - 1,
           9223371331200000000, I64_MAX, I64_MIN, 1, -1]


def arr(elems, lower=None):
    body = '{' + ','.join('NULL' if e is None else str(e) for e in elems) + '}'
    if lower is not None:
        body = '[%d:%d]=%s' % (lower, lower + len(elems) - 1, body)
    return "'%s'::bigint[]" % body


def rand_big(rng):
    r = rng.random()
    if r < 0.45:
        return rng.choice(BIG)
    if r < 0.8:
        return rng.randint(0, 1000)
    return rng.randint(I64_MIN, I64_MAX)


STATE_LEN = {'hit': 2, 'churn': 5, 'lv': 9}


def state_kind(fname):
    if fname.startswith(('churn', 'retention')):
        return 'churn'
    if fname.startswith('lead_velocity'):
        return 'lv'
    return 'hit'


def lv_state(rng):
    """A lead_velocity_rate state {kind, end, months, days, usecs, b_cur, b_prev, cur, prev}."""
    kind = rng.choice([0, 1, 2, 3, 3, 3, 4, -1])
    end = rng.choice(TIME_US)
    b1 = rng.choice([end - USEC_MONTH, end, end + 1, rng.choice(TIME_US)])
    b2 = rng.choice([b1 - USEC_MONTH, b1, rng.choice(TIME_US)])
    e = [kind, end, rng.choice([1, 0, -1, 1 << 40]), rng.choice([0, 7, -3]), rng.choice([0, 1, -1]),
         b1, b2, rand_big(rng), rand_big(rng)]
    if kind == 0 and rng.random() < 0.6:
        e = [0] * 9
    return arr([max(min(x, I64_MAX), I64_MIN) for x in e])


def int8_state(rng, n, kind):
    """A bigint[] for a state of n elements: mostly the right shape."""
    r = rng.random()
    if r < 0.04:
        return 'NULL::bigint[]'
    if r < 0.08:
        return "'{}'::bigint[]"
    if r < 0.14:
        k = rng.choice([1, n - 1, n + 1, n + 3, 0])
        return arr([rand_big(rng) for _ in range(max(k, 0))])
    if r < 0.19:
        e = [rand_big(rng) for _ in range(n)]
        e[rng.randrange(n)] = None
        return arr(e)
    if r < 0.23:
        rows = rng.choice([1, 2])
        body = ','.join('{' + ','.join(str(rand_big(rng)) for _ in range(n)) + '}' for _ in range(rows))
        return "'{%s}'::bigint[]" % body
    if r < 0.27:
        return arr([rand_big(rng) for _ in range(n)], lower=rng.choice([0, 2, -5]))
    if kind == 'lv':
        return lv_state(rng)
    if kind == 'churn':
        has = rng.choice([1, 1, 1, 0, 0, 2, -1])
        p0 = rng.choice(TIME_US)
        p1 = rng.choice([p0 + USEC_MONTH, p0 + 1, p0, p0 - 1, rng.choice(TIME_US)])
        p1 = max(min(p1, I64_MAX), I64_MIN)
        start = rand_big(rng)
        churned = rng.choice([0, start, start + 1, start // 2, rand_big(rng)])
        churned = max(min(churned, I64_MAX), I64_MIN)
        if has == 0 and rng.random() < 0.6:
            p0 = p1 = start = churned = 0
        return arr([has, p0, p1, start, churned])
    return arr([rand_big(rng) for _ in range(n)])


def int8_boundary_states(n, kind):
    """The deterministic sweep's states."""
    out = ['NULL::bigint[]', "'{}'::bigint[]", arr([0] * n), arr([1] * (n + 1)), arr([1] * (n - 1)),
           arr([None] * n), arr([0] * n, lower=0), "'{{%s}}'::bigint[]" % ','.join(['1'] * n)]
    if kind == 'lv':
        e, m = USEC_2024 + USEC_MONTH, USEC_MONTH
        for st in [(3, e, 1, 0, 0, e - m, e - 2 * m, 3, 2), (3, e, 1, 0, 0, e - m, e - 2 * m, I64_MAX, I64_MAX),
                   (3, e, 1, 0, 0, e - m, e - 2 * m, -1, 0), (3, e, 1, 0, 0, e, e - m, 1, 1),
                   (3, e, 1, 0, 0, e - 2 * m, e - m, 1, 1), (0, 0, 0, 0, 0, 0, 0, 0, 1), (4, e, 1, 0, 0, e - m, e - 2 * m, 1, 1),
                   (1, e, 1 << 40, 0, 0, e - m, e - 2 * m, 1, 1), (2, I64_MAX, 0, 0, 1, I64_MAX - 1, I64_MIN, 0, 0),
                   (3, e, 1, 0, 0, e - m, e - 2 * m, 0, 0)]:
            out.append(arr(list(st)))
    elif kind == 'hit':
        for a, b in [(I64_MAX, 0), (0, I64_MAX), (I64_MAX, 1), (I64_MAX, I64_MAX), (-1, 0), (0, -1), (I64_MIN, 0),
                     (I64_MIN, I64_MIN), (I64_MAX - 1, 1), (I64_MAX // 2 + 1, I64_MAX // 2 + 1), (1, 2), (-5, 5)]:
            out.append(arr([a, b]))
    else:
        p0, p1 = USEC_2024, USEC_2024 + USEC_MONTH
        for s in [(1, p0, p1, 10, 3), (1, p0, p1, I64_MAX, I64_MAX), (1, p0, p1, I64_MAX, 0), (1, p0, p1, 3, 10),
                  (1, p0, p1, -1, 0), (1, p0, p1, 0, -1), (1, p1, p0, 1, 0), (1, p0, p0, 1, 0), (2, p0, p1, 1, 0),
                  (-1, p0, p1, 1, 0), (0, p0, p1, 0, 0), (0, 0, 0, 5, 1), (1, I64_MIN, I64_MAX, I64_MAX, 1),
                  (1, I64_MAX - 1, I64_MAX, 1, 1), (1, p0, p1, I64_MIN, I64_MIN)]:
            out.append(arr(list(s)))
    return out


NUMERICS = ['0', '1', '100.5', '0.000001', '123456.123456', '1e38', '9.99e37', '1e-30', '12345678901234567890.1234',
            '-1', '-0.01', "'NaN'", "'Infinity'", "'-Infinity'", '1e100', '170141183460469231731687303715884105727',
            '0.00000000000000000000000000000000000001', '99999999999999999999999999999999999999', '0.5', '1.0000001',
            '2', '1.5']
TIMES = ["'2024-01-01'", "'2024-01-10 12:00'", "'2024-02-01'", "'2023-12-31 23:59:59.999999'", "'infinity'",
         "'-infinity'", "'4714-11-24 00:00:00 BC'", "'294276-12-31 23:59:59.999999'", "'1970-01-01'", "'2024-01-01'",
         "'2024-01-05'"]
DATES = ["'2024-01-01'", "'2024-01-10'", "'2024-02-01'", "'2023-12-31'", "'infinity'", "'-infinity'",
         "'4714-11-24 BC'", "'5874897-12-31'", "'294276-12-31'", "'1970-01-01'", "'2024-01-05'"]
INTERVALS = ["'1 day'", "'0'", "'-1 day'", "'1 microsecond'", "'30 days'", "'1 month'", "'1 year'",
             "'300000 years'", "'178000000 years'", "'-178000000 years'", "'2 hours'"]
FLOATS = ['0', '0.5', '1', '0.05', '1.5', '-0.1', "'NaN'", "'Infinity'", "'-Infinity'", '1e308', '5e-324', '0.999999']
STAGES = ['lead', 'qualified', 'won', 'proposal', 'negotiation', 'lost', '', 'x' * 300, 's1', 's64', 'a"b', 'é日本',
          'unknown']
MODES = ["'implied'", "'entered'", "'ordered'", "'sideways'", "''", 'NULL::text']
IDS_TEXT = ["'x'", "''", "'é日本😀'", "'%s'" % ('a' * 1024), "'%s'" % ('a' * 1025), "'17'", "'a\"b'"]


class Gen:
    def __init__(self, rng, pools, lists):
        self.rng, self.pools, self.lists = rng, pools, lists

    def value(self, typ, fname, pos, nargs):
        rng = self.rng
        null = rng.random() < 0.05
        if typ == 'bigint[]':
            kind = state_kind(fname)
            return int8_state(rng, STATE_LEN[kind], kind)
        if typ in self.pools:
            if null:
                return 'NULL::%s' % typ
            return '%s::%s' % (lit(rng.choice(self.pools[typ])), typ)
        if null:
            return 'NULL::%s' % typ
        if typ == 'numeric':
            return '%s::numeric' % rng.choice(NUMERICS)
        if typ == 'boolean':
            return rng.choice(['true', 'false', 'NULL::boolean'])
        if typ in ('timestamp with time zone', 'timestamp without time zone'):
            return '%s::%s' % (rng.choice(TIMES), typ)
        if typ == 'date':
            return '%s::date' % rng.choice(DATES)
        if typ == 'interval':
            return '%s::interval' % rng.choice(INTERVALS)
        if typ == 'double precision':
            return '%s::float8' % rng.choice(FLOATS)
        if typ == 'real':
            return '%s::real' % rng.choice(FLOATS)
        if typ == 'bigint':
            return '%d::bigint' % rand_big(rng)
        if typ == 'integer':
            return '%d::integer' % rng.choice([0, 1, -1, 7, 2147483647, -2147483648, 100000])
        if typ == 'numeric[]':
            return rng.choice(["'{1,1,2}'::numeric[]", "'{}'::numeric[]", "'{0,0,0}'::numeric[]", "'{1,-1}'::numeric[]",
                               "'{1,NULL}'::numeric[]", "'{NaN,1}'::numeric[]", "'{1e38,1e38}'::numeric[]",
                               "'{{1,2},{3,4}}'::numeric[]", "'{0.001,99999999999999999999}'::numeric[]",
                               "(SELECT array_agg(1::numeric) FROM generate_series(1, 12))",
                               "(SELECT array_agg(g::numeric) FROM generate_series(1, 1001) g)", "'{Infinity}'::numeric[]"])
        if typ == 'double precision[]':
            return rng.choice(["'{0.3,0.05}'::float8[]", "'{}'::float8[]", "'{NaN,0}'::float8[]", "'{1.5,0}'::float8[]",
                               "'{NULL,0.1}'::float8[]", "'{0.1,0.2,0.3}'::float8[]", "'{-0.1,1}'::float8[]",
                               "'{{0.1,0.2}}'::float8[]", "'{Infinity,0}'::float8[]"])
        if typ == 'bytea':
            # the state of the one-level revenue_summary: valid ones, cut, patched, junk
            ok = ("revenue_summary_rows_accum(NULL, %d::bigint, %s::date, %s, %s::numeric, '2024-01-01', '2024-06-01')"
                  % (rng.randint(1, 3), rng.choice(DATES), rng.choice(["NULL::date", "'2024-04-20'::date", "'2024-01-02'::date"]),
                     rng.choice(NUMERICS)))
            r = rng.random()
            if r < 0.4:
                return ok
            if r < 0.6:
                return 'substr(%s, 1, %d)' % (ok, rng.choice([0, 4, 20, 47, 48, 60, 72, 100]))
            if r < 0.9:
                return "overlay(%s placing '\\x%02x'::bytea from %d)" % (ok, rng.randrange(256), rng.randint(1, 100))
            return rng.choice(["'\\x'::bytea", "'\\x00'::bytea", "decode(repeat('ff', 48), 'hex')"])
        if typ == 'text[]':
            r = rng.random()
            if r < 0.75:
                return '%s::text[]' % lit(rng.choice(self.lists))
            return rng.choice(["'{}'::text[]", "ARRAY['lead', NULL]", "ARRAY['lead','won','lead']",
                               "(SELECT array_agg('s' || g) FROM generate_series(1, 65) g)",
                               "'{{lead,won},{a,b}}'::text[]", "ARRAY['']", "ARRAY['won','lead']"])
        if typ == 'text':
            if fname.startswith('stage_funnel') and pos == nargs - 1 and nargs == 4:
                return rng.choice(MODES)
            if fname == 'stage_funnel' and pos == 1:
                return rng.choice(MODES)
            if fname.startswith('stage_history_accum') and pos == 1:
                return rng.choice(IDS_TEXT)
            return '%s::text' % lit(rng.choice(STAGES))
        raise ValueError('no generator for %s' % typ)

    def sane(self, typ, fname):
        """A plain argument, for the sweep."""
        if typ in self.pools:
            return '%s::%s' % (lit(self.pools[typ][0]), typ)
        return {'numeric': '100.5::numeric', 'boolean': 'true', 'date': "'2024-01-10'::date",
                'timestamp with time zone': "'2024-01-10 12:00+00'::timestamptz",
                'timestamp without time zone': "'2024-01-10 12:00'::timestamp", 'interval': "'1 day'::interval",
                'double precision': '0.5::float8', 'bigint': '1::bigint', 'integer': '7::integer', 'real': '0.5::real',
                'text': "'lead'::text",
                'text[]': "'{lead,qualified,won}'::text[]",
                'bytea': "revenue_summary_rows_accum(NULL, 1::bigint, '2024-01-10'::date, NULL::date, 5::numeric, '2024-01-01', '2024-06-01')",
                'numeric[]': "'{1,1,2}'::numeric[]", 'double precision[]': "'{0.3,0.05}'::float8[]",
                'bigint[]': (arr([1, USEC_2024, USEC_2024 + USEC_MONTH, 10, 3]) if state_kind(fname) == 'churn'
                             else arr([0] * 9) if state_kind(fname) == 'lv' else arr([1, 2]))}[typ]


# --------------------------------------------------------------------------
# functions and their checks
# --------------------------------------------------------------------------

class Func:
    def __init__(self, sig, name, args, ret, retset, strict=False):
        self.sig, self.name, self.args, self.ret, self.retset = sig, name, args, ret, retset
        self.strict = strict
        # a transition or combine function given a state must return one: a
        # NULL would make the aggregate start again from nothing (the inverse
        # functions may return NULL: "not exactly invertible", recompute)
        self.keeps_state = bool(re.search(r'_(accum|combine|rollup)$', name))

    def call(self, argv):
        return '%s(%s)' % (self.name, ', '.join(argv))

    def check(self, argv):
        c = self.call(argv)
        if self.keeps_state and not self.retset and not argv[0].startswith('NULL::') and \
                not (self.strict and any(a.startswith('NULL') for a in argv)):
            return ("SELECT CASE WHEN x.r IS NULL THEN 'returned NULL for a state: the aggregate would start again "
                    "from nothing' ELSE %s END FROM (SELECT %s AS r) x" % (self.inner_check('x.r'), c))
        return 'SELECT ' + self.inner_check(c)

    def inner_check(self, c):
        """The check of a result c, an SQL expression of text (NULL = valid)."""
        if self.retset:
            return 'sf_rows(ARRAY(SELECT to_jsonb(r) FROM %s r))' % c
        n, r = self.name, self.ret
        if r == 'bigint[]':
            return '%s(%s)' % ({'churn': 'sf_churn_state', 'lv': 'sf_lv_state', 'hit': 'sf_hit_state'}[state_kind(n)], c)
        if r == 'double precision':
            if n in SIGNED_FUNCS:
                return 'sf_numeric((%s)::numeric)' % c
            if n in SIGNED_FUNCS:
                return 'sf_finite(%s)' % c
            return '%s(%s)' % ('sf_ratio' if n in RATIO_FUNCS else 'sf_finite' if n in FINITE_FUNCS else 'sf_nonneg', c)
        if r == 'bigint':
            return 'sf_count(%s)' % c
        if r == 'numeric':
            if n in MONEY_FUNCS or (n == 'clv' and 'order_summary' not in self.args):
                return 'sf_money(%s)' % c
            return 'sf_numeric(%s)' % c
        if r in OUR_TYPES:
            return 'sf_value(%s)' % c
        return 'sf_any(%s)' % c


# calls through aggregates: the executor passes states it updates in place
def aggregate_mutants(gen, rng):
    out = []
    def states(k, kind):
        return ', '.join('(%s)' % int8_state(rng, 5 if kind == 'churn' else 2, kind) for _ in range(k))
    k = rng.randint(1, 4)
    out.append(('agg:sf_hit_merge', 'SELECT sf_hit_state(sf_hit_merge(s)) FROM (VALUES %s) v(s)' % states(k, 'hit')))
    out.append(('agg:sf_hit_merge_final', 'SELECT sf_ratio(sf_hit_merge_final(s)) FROM (VALUES %s) v(s)' % states(k, 'hit')))
    out.append(('agg:sf_churn_merge', 'SELECT sf_churn_state(sf_churn_merge(s)) FROM (VALUES %s) v(s)' % states(k, 'churn')))
    bools = ', '.join('(%s)' % rng.choice(['true', 'false', 'NULL::boolean']) for _ in range(rng.randint(1, 4)))
    out.append(('agg:sf_hit_from_max', 'SELECT sf_ratio(sf_hit_from_max(b)) FROM (VALUES %s) v(b)' % bools))
    out.append(('agg:sf_hit_from_max window',
                'SELECT string_agg(sf_ratio(r), \'; \') FROM (SELECT sf_hit_from_max(b) OVER (ORDER BY i ROWS 1 PRECEDING) r '
                'FROM (SELECT row_number() OVER () i, b FROM (VALUES %s) v(b)) w) x' % bools))
    out.append(('agg:sf_hit_from_zero_inv', 'SELECT sf_ratio(sf_hit_from_zero_inv(b)) FROM (VALUES %s) v(b)' % bools))
    for typ in ('deal_summary', 'order_summary', 'stage_funnel', 'stage_times', 'stage_path', 'stage_history',
                'activity_summary', 'response_time', 'followup_summary', 'lead_followup', 'revenue_summary'):
        vals = ', '.join('(%d, %s)' % (i, gen.value(typ, 'rollup', 0, 1)) for i in range(rng.randint(2, 5)))
        if typ == 'lead_followup':
            out.append(('agg:followup_summary(lead_followup)', 'SELECT sf_value(followup_summary(v)) FROM (VALUES %s) t(i, v)' % vals))
        if typ in ('activity_summary', 'followup_summary'):
            out.append(('agg:rollup(%s) window' % typ,
                        'SELECT string_agg(sf_value(r), \'; \') FROM (SELECT rollup(v) OVER (ORDER BY i ROWS 1 PRECEDING) r '
                        'FROM (VALUES %s) t(i, v)) x' % vals))
        if typ in ('deal_summary', 'order_summary', 'stage_funnel', 'stage_times', 'activity_summary', 'response_time',
                   'followup_summary', 'revenue_summary'):
            out.append(('agg:rollup(%s)' % typ, 'SELECT sf_value(rollup(v)) FROM (VALUES %s) t(i, v)' % vals))
        if typ == 'deal_summary':
            out.append(('agg:rollup(deal_summary) window',
                        'SELECT string_agg(sf_value(r), \'; \') FROM (SELECT rollup(v) OVER (ORDER BY i ROWS 1 PRECEDING) r '
                        'FROM (VALUES %s) t(i, v)) x' % vals))
            out.append(('agg:sf_deal_rollup_win window',
                        'SELECT string_agg(sf_value(r), \'; \') FROM (SELECT sf_deal_rollup_win(v) OVER (ORDER BY i ROWS 2 PRECEDING) r '
                        'FROM (VALUES %s) t(i, v)) x' % vals))
        if typ == 'stage_path':
            out.append(('agg:stage_funnel(stage_path)',
                        "SELECT sf_value(stage_funnel(v, %s, %s)) FROM (VALUES %s) t(i, v)"
                        % (gen.value('text[]', 'x', 0, 1), rng.choice(MODES[:3]), vals)))
            out.append(('agg:stage_times(stage_path)',
                        "SELECT sf_value(stage_times(v, %s)) FROM (VALUES %s) t(i, v)" % (gen.value('text[]', 'x', 0, 1), vals)))
    return out


def main():
    t0 = time.time()
    rng = random.Random(SEED)
    print('state_fuzz: seed %d (%s), %d calls, batches of %d' % (SEED, SEED_FROM, MUTANTS, BATCH), flush=True)
    print('state_fuzz: replay with: STATE_FUZZ_SEED=%d STATE_FUZZ_MUTANTS=%d%s bash test/t/state_fuzz.sh'
          % (SEED, MUTANTS, (" STATE_FUZZ_FUNCS='%s'" % FUNCS) if FUNCS else ''), flush=True)

    # the functions, from the catalog
    funcs = []
    for line in query("""
        SELECT p.oid::regprocedure::text, p.proname,
               coalesce((SELECT string_agg(format_type(t, NULL), ',' ORDER BY i)
                         FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)), ''),
               format_type(p.prorettype, NULL), p.proretset, p.proisstrict
        FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sales_kpi'
        WHERE p.prokind = 'f' AND p.proname !~ '_(in|out|recv|send)$'
        ORDER BY 1"""):
        sig, name, args, ret, retset, strict = line.split('|')
        if FUNCS and not re.search(FUNCS, sig):
            continue
        funcs.append(Func(sig, name, [a for a in args.split(',') if a], ret, retset == 't', strict == 't'))
    if not funcs:
        print('state_fuzz: FAILED: no function to fuzz')
        return 1

    # the pools of our types: the seeds and the extremes of their text forms
    types = list(OUR_TYPES)
    cands = []
    for typ in types:
        seeds = query("SELECT v::text FROM fz_seed_%s ORDER BY n" % typ)
        for s in seeds:
            cands.append((typ, s))
            nums = [m for m in re.finditer(r'(?<=[=:@,(\[])\d+(?=[,)\]@:])', s)]
            for f in (3, 1 << 31, 1 << 52, 1 << 61):
                cands.append((typ, re.sub(r'(?<=[=:@,(\[])\d+(?=[,)\]@:])',
                                          lambda m: str(int(m.group(0)) * f) if int(m.group(0)) > 1 else m.group(0), s)))
            for m in rng.sample(nums, min(len(nums), 12)):
                for v in (I64_MAX, I64_MAX - 1, 1 << 62, 10 ** 38, (1 << 127) - 1):
                    cands.append((typ, s[:m.start()] + str(v) + s[m.end():]))
    fd, path = tempfile.mkstemp(prefix='kpi_state_pool.', suffix='.sql')
    with os.fdopen(fd, 'w', encoding='utf-8') as f:
        f.write('SET client_min_messages = warning;\n')
        for i, (typ, s) in enumerate(cands):
            f.write('INSERT INTO sf_pool SELECT %s, %d, %s WHERE sf_accepts(%s, %s);\n' % (lit(typ), i, lit(s), lit(typ), lit(s)))
    r = psql(['-v', 'ON_ERROR_STOP=1', '-f', path], timeout=1800)
    os.unlink(path)
    if r.returncode != 0:
        print('state_fuzz: FAILED: building the pools: %s' % r.stderr.decode('utf-8', 'replace')[:2000])
        return 1
    pools = {t: [] for t in types}
    for line in query("SELECT typ, encode(convert_to(v, 'UTF8'), 'hex') FROM sf_pool ORDER BY typ, n"):
        typ, h = line.split('|')
        pools[typ].append(bytes.fromhex(h).decode('utf-8'))
    lists = ['{' + ','.join('"%s"' % x.replace('\\', '\\\\').replace('"', '\\"') for x in l) + '}'
             for l in [json_list(x) for x in query("SELECT array_to_json(stages) FROM fz_stage_lists ORDER BY n")]]
    print('state_fuzz: %d functions; pools of values: %s' % (len(funcs), ', '.join('%s %d' % (t, len(pools[t])) for t in types)),
          flush=True)
    gen = Gen(rng, pools, lists)

    # the deterministic sweep, round robin over the functions
    per_func = []
    for fn in funcs:
        calls = []
        for i, a in enumerate(fn.args):
            if a == 'bigint[]':
                kind = state_kind(fn.name)
                for st in int8_boundary_states(STATE_LEN[kind], kind):
                    argv = [gen.sane(x, fn.name) for x in fn.args]
                    argv[i] = st
                    calls.append(fn.check(argv))
            elif a in pools:
                for v in pools[a][:12]:
                    argv = [gen.sane(x, fn.name) for x in fn.args]
                    argv[i] = '%s::%s' % (lit(v), a)
                    if fn.args.count(a) == 2 and i == 0:
                        argv[1] = argv[0]          # v with itself: doubles every count
                    calls.append(fn.check(argv))
        if not calls:
            calls.append(fn.check([gen.sane(x, fn.name) for x in fn.args]))
        per_func.append((fn, calls))
    mutants = []
    k = 0
    sweep_budget = max(len(funcs), int(MUTANTS * 0.6))
    while any(per_func_calls for _, per_func_calls in per_func) and len(mutants) < min(MUTANTS, sweep_budget):
        fn, calls = per_func[k % len(per_func)]
        if calls:
            mutants.append((fn.sig, calls.pop(0)))
        k += 1
    n_sweep = len(mutants)
    # random calls, with aggregate calls mixed in
    while len(mutants) < MUTANTS:
        if rng.random() < 0.08:
            mutants.extend(aggregate_mutants(gen, rng))
            continue
        fn = rng.choice(funcs)
        argv = [gen.value(a, fn.name, i, len(fn.args)) for i, a in enumerate(fn.args)]
        mutants.append((fn.sig, fn.check(argv)))
    mutants = mutants[:MUTANTS]
    print('state_fuzz: %d sweep calls, %d random calls' % (n_sweep, len(mutants) - n_sweep), flush=True)

    # run
    stats = {}          # sig -> [calls, valid, errors]
    sqlstates = {}
    failures = []
    crashes = 0
    crashed = set()     # functions that crashed the server: not called again
    faildir = None

    def fail(kind, sig, q, detail):
        nonlocal faildir
        if faildir is None:
            faildir = tempfile.mkdtemp(prefix='kpi_state_fuzz_failures.%d.' % SEED, dir='/tmp')
        failures.append((kind, sig, q, detail))
        with open(os.path.join(faildir, '%03d-%s.sql' % (len(failures), re.sub(r'\W+', '_', sig)[:60])), 'w') as f:
            f.write('-- %s: %s\n-- %s\n%s;\n' % (kind, sig, detail.replace('\n', ' ')[:1000], q))
        if len(failures) <= 40:
            print('FAIL %s: %s: %s\n     %s' % (kind, sig, detail[:400], q[:600]), flush=True)

    def judge(sig, q, res):
        st = stats.setdefault(sig, [0, 0, 0])
        st[0] += 1
        if res == 'V':
            st[1] += 1
            return
        if res.startswith('B:'):
            fail('invalid-result', sig, q, res[2:])
            return
        m = re.match(r'E:([0-9A-Z]{5}):(.*)', res, re.S)
        if not m:
            fail('harness', sig, q, res)
            return
        st[2] += 1
        state, msg = m.group(1), m.group(2)
        name = re.sub(r'^agg:', '', sig).split('(')[0].split(' ')[0]
        sqlstates[state] = sqlstates.get(state, 0) + 1
        if state.startswith('22') or state in ALLOWED_SQLSTATES.get(name, ()) or \
                (state == '54000' and 'at most 64 stages' in msg):
            return
        fail('bad-error', sig, q, 'SQLSTATE %s: %s' % (state, msg))

    def run_batch(batch):
        """One statement for the batch; on a crash or hang, one per call."""
        nonlocal crashes
        ids = ','.join(str(i) for i in range(len(batch)))
        qs = ','.join('$sfq$%s$sfq$' % q for _, q in batch)
        sql = ("SET statement_timeout = '600s';\nSET client_min_messages = warning;\n"
               "SELECT id || '|' || res FROM sf_batch(ARRAY[%s], ARRAY[%s]::text[]);\n" % (ids, qs))
        try:
            r = psql(['-At', '-v', 'ON_ERROR_STOP=1'], input_sql=sql.encode('utf-8'), timeout=BATCH_TIMEOUT)
            ok = r.returncode == 0
            out = r.stdout.decode('utf-8', 'replace')
            err = r.stderr.decode('utf-8', 'replace')
        except subprocess.TimeoutExpired:
            ok, out, err = False, '', 'batch timeout'
        if ok:
            bad = {}
            for line in out.splitlines():
                i, _, res = line.partition('|')
                if i.isdigit():
                    bad[int(i)] = res
            for i, (sig, q) in enumerate(batch):
                judge(sig, q, bad.get(i, 'V'))
            return
        # find the culprit: the calls one statement each, in one session,
        # each after a marker; when the session dies, the call after the last
        # answered one is the suspect.  It is retried alone: a crash is its
        # own only if it happens again (test/fuzz.sh runs several fuzzers at
        # once, and another one's crash takes every session down).
        if not wait_for_server():
            print('FATAL: the server does not come back', flush=True)
            crashes = MAX_CRASHES
            return
        todo = [m for m in batch if m[0] not in crashed]
        suspect_tries = {}
        while todo and crashes < MAX_CRASHES:
            lines = ["SET statement_timeout = '60s';", 'SET client_min_messages = warning;']
            for i, (_sig, q) in enumerate(todo):
                lines.append("SELECT 'M%d|' || sf_run($sfq$%s$sfq$);" % (i, q))
            try:
                r = psql(['-At', '-v', 'ON_ERROR_STOP=1'], input_sql=('\n'.join(lines) + '\n').encode('utf-8'),
                         timeout=BATCH_TIMEOUT)
                rc, out, err = r.returncode, r.stdout.decode('utf-8', 'replace'), r.stderr.decode('utf-8', 'replace')
            except subprocess.TimeoutExpired as e:
                rc, out, err = None, (e.stdout or b'').decode('utf-8', 'replace'), 'timeout'
            answered = {}
            for line in out.splitlines():
                m = re.match(r'^M(\d+)\|(.*)$', line)
                if m:
                    answered[int(m.group(1))] = m.group(2)
            n = 0
            while n in answered:
                judge(todo[n][0], todo[n][1], answered[n])
                n += 1
            if rc == 0 and n == len(todo):
                return
            if n >= len(todo):
                return
            if rc not in (0, None) and CONNECT_FAILED.search(err) and n == 0 and 'SELECT' not in err:
                wait_for_server()       # could not connect yet: the server is recovering
                continue
            sig, q = todo[n]
            suspect_tries[n] = suspect_tries.get(n, 0) + 1
            if suspect_tries[n] < 2:
                wait_for_server()
                todo = todo[n:]
                suspect_tries = {0: suspect_tries[n]}
                continue
            stats.setdefault(sig, [0, 0, 0])[0] += 1
            crashes += 1
            crashed.add(sig)
            what = 'hang (no answer within %d s)' % BATCH_TIMEOUT if rc is None else \
                ('server crash: ' + ' '.join(err.split())[:300])
            fail('crash', sig, q, what)
            if not wait_for_server():
                print('FATAL: the server does not come back', flush=True)
                crashes = MAX_CRASHES
                return
            todo = [m for m in todo[n + 1:] if m[0] not in crashed]
            suspect_tries = {}

    t1 = time.time()
    for b in range(0, len(mutants), BATCH):
        if crashes >= MAX_CRASHES:
            print('state_fuzz: %d crashes, stopping' % crashes, flush=True)
            break
        run_batch([m for m in mutants[b:b + BATCH] if m[0] not in crashed])
    dt = time.time() - t1

    # report
    total = sum(v[0] for v in stats.values())
    valid = sum(v[1] for v in stats.values())
    errors = sum(v[2] for v in stats.values())
    failed_sigs = {}
    for kind, sig, _q, _d in failures:
        failed_sigs.setdefault(sig, set()).add(kind)
    print('state_fuzz: calls by function (calls / valid results / errors%s):'
          % (', failures' if failures else ''))
    line = []
    for sig in sorted(stats):
        c, v, e = stats[sig]
        line.append('%s %d/%d/%d%s' % (sig, c, v, e, (' FAILED(%s)' % ','.join(sorted(failed_sigs[sig])))
                                        if sig in failed_sigs else ''))
    for i in range(0, len(line), 3):
        print('  ' + ';  '.join(line[i:i + 3]))
    print('  errors by SQLSTATE: %s' % ', '.join('%s %d' % (s, c) for c, s in sorted(((c, s) for s, c in sqlstates.items()),
                                                                                        reverse=True)))
    nfunc = len({s for s in stats if not s.startswith('agg:')})
    if failures:
        print('state_fuzz: FAILED: %d failures in %d functions; reproducers in %s' % (len(failures), len(failed_sigs), faildir))
    print('state_fuzz: %d calls of %d functions and %d aggregate forms (%d valid results, %d errors), '
          '%d failures, %d crashes, %.0f s (%.0f calls/s), seed %d'
          % (total, nfunc, len(stats) - nfunc, valid, errors, len(failures), crashes, time.time() - t0,
             total / dt if dt > 0 else 0, SEED))
    return 1 if failures else 0


def json_list(s):
    import json
    return json.loads(s)


if __name__ == '__main__':
    sys.exit(main())
