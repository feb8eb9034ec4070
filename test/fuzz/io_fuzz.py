#!/usr/bin/env python3
"""Input-mutation fuzzer of the binary (recv) and text (in) functions of
deal_summary, order_summary, stage_path, stage_funnel, stage_times,
stage_history, activity_summary, response_time, lead_followup, followup_summary,
of the models family: rfm, clv_fit_state, bgnbd_model and gammagamma_model,
and of the revenue family: mrr_series and revenue_summary.

Run by test/t/io_fuzz.sh, which creates the database (PGDATABASE) and runs
test/fuzz/setup.sql in it.  Standard library only; talks to the server with
psql.

For every type it takes the valid seed values of fz_seed_<type>, mutates
  * the payload of their binary COPY form (bit flips, random and boundary
    values in the fields, truncation, junk, splices, added or removed
    elements; the field length in the COPY file always matches the payload),
  * their text form (deleted / duplicated / replaced characters, boundary and
    huge numbers, empty or missing fields, unbalanced quotes and brackets,
    random characters),
and loads each mutant into fz_acc_<type> (\\copy ... FORMAT binary, or an
INSERT of the literal).  A mutant must either be refused with an ERROR or be
a valid value: fz_check() (setup.sql) checks that its text output reads back
to the same value, that the accessors work and agree with each other, and
that merging it works; at the end of every batch the accepted values also
make a binary COPY round trip.  For stage_history, fz_check() also rebuilds the
two-level result from the value's events (a stage_path per deal, then
stage_funnel / stage_times) and compares; its rejections must be 22P02 (text)
or 22P03 (binary; 08P01 for a truncated payload, 22021 for bad UTF-8), and a
probe of its transition function runs once (fz_probe_stage_history()).

Failures: a server crash (or lost connection), a hang (statement timeout), an
internal error (SQLSTATE class XX), running out of memory, a rejection with
an SQLSTATE the type does not allow (STRICT_SQLSTATES), or an accepted
value that fz_check() finds invalid.  Each failing mutant is saved under /tmp
with a reproducer, and its path printed.

Environment: FUZZ_ITERATIONS (random mutants per type and per format, default
300), FUZZ_TYPES (comma-separated types to fuzz, default all), FUZZ_SEED
(random seed; default: 20260101 when CI=true, else a fresh one; always
printed with the command that replays the run), FUZZ_BATCH
(mutants per psql session, default 100), FUZZ_KEEP=1 (keep the work dir),
FUZZ_DEBUG=1 (time every batch), FUZZ_SELFTEST_CRASH=N (self-test: crash the
backend on purpose before the N-th binary deal_summary mutant; the run must
report that one crash and fail).
"""

import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ALL_TYPES = ['deal_summary', 'order_summary', 'stage_path', 'stage_funnel', 'stage_times', 'stage_history',
             'activity_summary', 'response_time', 'lead_followup', 'followup_summary',
             'rfm', 'clv_fit_state', 'bgnbd_model', 'gammagamma_model',
             'mrr_series', 'revenue_summary']
# FUZZ_TYPES=stage_times,stage_path: fuzz only these (e.g. for a soak run of one type)
TYPES = [t.strip() for t in os.environ.get('FUZZ_TYPES', ','.join(ALL_TYPES)).split(',') if t.strip()]
if not TYPES or set(TYPES) - set(ALL_TYPES):
    sys.exit('io_fuzz: FUZZ_TYPES must list some of %s' % ', '.join(ALL_TYPES))

ITERATIONS = int(os.environ.get('FUZZ_ITERATIONS', '300'))
# the seed: FUZZ_SEED if given; in CI (CI=true) a fixed one, so that a CI
# failure replays and a CI pass means the same mutants every time; else a
# fresh one.  Always printed, with the command that replays the run.
CI_SEED = 20260101
if os.environ.get('FUZZ_SEED'):
    if not re.fullmatch(r'-?[0-9]+', os.environ['FUZZ_SEED'].strip()):
        sys.exit('io_fuzz: FUZZ_SEED must be an integer, got %r' % os.environ['FUZZ_SEED'])
    SEED, SEED_FROM = int(os.environ['FUZZ_SEED']), 'FUZZ_SEED'
elif os.environ.get('CI', '').lower() in ('true', '1', 'yes'):
    SEED, SEED_FROM = CI_SEED, 'the fixed seed of CI runs, CI=%s' % os.environ['CI']
else:
    SEED, SEED_FROM = random.SystemRandom().randrange(1 << 32), 'random'
BATCH = max(1, int(os.environ.get('FUZZ_BATCH', '100')))
KEEP = os.environ.get('FUZZ_KEEP') == '1'
# self-test of the crash detection: FUZZ_SELFTEST_CRASH=N makes the server
# SIGSEGV its own backend just before loading the N-th binary deal_summary
# mutant; the run must then report exactly that crash and carry on
SELFTEST_CRASH = int(os.environ.get('FUZZ_SELFTEST_CRASH', '0'))


def replay_command():
    """The command line that replays this run: the seed and every option that
    changes which mutants are made or how they are run."""
    env = ['FUZZ_SEED=%d' % SEED]
    if ITERATIONS != 300:
        env.append('FUZZ_ITERATIONS=%d' % ITERATIONS)
    if TYPES != ALL_TYPES:
        env.append('FUZZ_TYPES=%s' % ','.join(TYPES))
    if BATCH != 100:
        env.append('FUZZ_BATCH=%d' % BATCH)
    if SELFTEST_CRASH:
        env.append('FUZZ_SELFTEST_CRASH=%d' % SELFTEST_CRASH)
    return '%s bash test/t/io_fuzz.sh' % ' '.join(env)


MAX_CRASHES = 5                 # stop fuzzing after this many crashes
BATCH_TIMEOUT = 900             # seconds for one psql session (hang guard)
STATEMENT_TIMEOUT = '30s'       # per statement: an input function must not hang



# SQLSTATEs a rejection must not have: internal errors, out of memory (on
# inputs of a few hundred bytes), statement timeout (a hang)
def bad_rejection(sqlstate):
    return sqlstate.startswith('XX') or sqlstate.startswith('53') or sqlstate == '57014'


# types whose input errors must have one of these SQLSTATEs (the others: any
# but bad_rejection()): invalid text / binary representation; 08P01 is a
# payload cut short (pq_getmsg*), 22021 bad UTF-8 in a string of the payload
STRICT_SQLSTATES = {'stage_history': {'txt': {'22P02'}, 'bin': {'22P03', '08P01', '22021'}}}

MIN_TIMESTAMP = -211813488000000000     # 4714-11-24 BC, as in datatype/timestamp.h
END_TIMESTAMP = 9223371331200000000     # 294277-01-01
HIST_MAX_BUCKET = 3775                  # the last stage_times histogram bucket (src/stages/stage_times.c)
HISTORY_MAX_ID = 1024                   # bytes of a text deal id of a stage_history (src/stages/stage_history.c)
USECS_PER_DAY = 86400000000

PSQL = ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=0']
ENV = dict(os.environ, PGCLIENTENCODING='UTF8', PGAPPNAME='io_fuzz')

COPY_SIGNATURE = b'PGCOPY\n\xff\r\n\x00'
COPY_HEADER = COPY_SIGNATURE + struct.pack('>ii', 0, 0)
COPY_TRAILER = struct.pack('>h', -1)


# --------------------------------------------------------------------------
# psql
# --------------------------------------------------------------------------

def psql_query(sql):
    """Run one query, unaligned tuples only; returns stdout lines or raises."""
    r = subprocess.run(PSQL + ['-v', 'ON_ERROR_STOP=1', '-At', '-c', sql], env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if r.returncode != 0:
        raise RuntimeError('psql failed: %s' % r.stderr.decode('utf-8', 'replace'))
    return r.stdout.decode('utf-8').splitlines()


def server_alive():
    try:
        r = subprocess.run(PSQL + ['-Atc', 'select 1'], env=ENV, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=30)
        return r.returncode == 0 and r.stdout.strip() == b'1'
    except subprocess.TimeoutExpired:
        return False


def wait_for_server(limit=90):
    """After a crash the postmaster restarts the cluster: wait for it."""
    t0 = time.time()
    while time.time() - t0 < limit:
        if server_alive():
            return True
        time.sleep(0.5)
    return False


def run_script(path):
    """psql -f path; returns (exit code or None on timeout, stderr text)."""
    try:
        r = subprocess.run(PSQL + ['-o', '/dev/null', '-f', path], env=ENV,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=BATCH_TIMEOUT)
        return r.returncode, r.stderr.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired as e:
        return None, (e.stderr or b'').decode('utf-8', 'replace')


def sql_literal(s):
    return "'" + s.replace("'", "''") + "'"


# --------------------------------------------------------------------------
# binary COPY files
# --------------------------------------------------------------------------

def parse_copy(data):
    """Rows (lists of bytes or None) of a binary COPY file."""
    if not data.startswith(COPY_SIGNATURE):
        raise ValueError('not a binary COPY file')
    pos = len(COPY_SIGNATURE)
    _flags, extlen = struct.unpack_from('>ii', data, pos)
    pos += 8 + extlen
    rows = []
    while True:
        (nf,) = struct.unpack_from('>h', data, pos)
        pos += 2
        if nf == -1:
            return rows
        row = []
        for _ in range(nf):
            (ln,) = struct.unpack_from('>i', data, pos)
            pos += 4
            if ln == -1:
                row.append(None)
            else:
                row.append(data[pos:pos + ln])
                pos += ln
        rows.append(row)


def copy_file(payloads):
    """A binary COPY file; payloads: list of (int4 id or None, payload)."""
    out = [COPY_HEADER]
    for mid, p in payloads:
        if mid is None:
            out.append(struct.pack('>hi', 1, len(p)) + p)
        else:
            out.append(struct.pack('>hii', 2, 4, mid) + struct.pack('>i', len(p)) + p)
    out.append(COPY_TRAILER)
    return b''.join(out)


# --------------------------------------------------------------------------
# binary layouts (from the *_send functions in src/) -> [(offset, width, name)]
# --------------------------------------------------------------------------

def layout_deal_summary(p):
    # version u8, time_kind u8, scale i16, deals, won, lost i64,
    # NMONEY x (sum i128, n i64, scale_n i64, scale i16), cycle_us i128, cycle_n i64,
    # skipped i64, time_rows i64 (format version 2)
    f = [(0, 1, 'version'), (1, 1, 'time_kind'), (2, 2, 'scale'), (4, 8, 'deals'), (12, 8, 'won'), (20, 8, 'lost')]
    nmoney, rest = divmod(len(p) - 28 - 24 - 16, 34)
    if rest or nmoney < 0:
        return None
    for i in range(nmoney):
        o = 28 + 34 * i
        f += [(o, 16, 'money%d.sum' % i), (o + 16, 8, 'money%d.n' % i),
              (o + 24, 8, 'money%d.scale_n' % i), (o + 32, 2, 'money%d.scale' % i)]
    o = 28 + 34 * nmoney
    return f + [(o, 16, 'cycle_us'), (o + 16, 8, 'cycle_n'), (o + 24, 8, 'skipped'), (o + 32, 8, 'time_rows')]


def layout_order_summary(p):
    # version u8, flags u8, scale i16, customers i64, orders i64,
    # k x i128 (revenue, lifespan_us, first_sum_us, ...), first_us i64, last_us i64
    k, rest = divmod(len(p) - 36, 16)
    if rest or k < 1:
        return None
    f = [(0, 1, 'version'), (1, 1, 'flags'), (2, 2, 'scale'), (4, 8, 'customers'), (12, 8, 'orders')]
    names = ['revenue', 'lifespan_us', 'first_sum_us']
    for i in range(k):
        f.append((20 + 16 * i, 16, names[i] if i < len(names) else 'int128_%d' % i))
    return f + [(20 + 16 * k, 8, 'first_us'), (28 + 16 * k, 8, 'last_us')]


def layout_activity_summary(p):
    # version u8, flags u8, 7 x i64 (calls, emails, meetings, other, connected, conversations, leads)
    if len(p) != 58:
        return None
    names = ['calls', 'emails', 'meetings', 'other', 'connected', 'conversations', 'leads']
    return [(0, 1, 'version'), (1, 1, 'flags')] + [(2 + 8 * i, 8, n) for i, n in enumerate(names)]


def layout_response_time(p):
    # version u8, kind u8, flags u8, nbuckets i32, sla_us, leads, answered, within, skipped (i64),
    # sum_us i128, nbuckets x (bucket i32, count i64), exact i64 while answered <= 32
    if len(p) < 63:
        return None
    nb = int.from_bytes(p[3:7], 'big', signed=True)
    if nb < 0 or 63 + 12 * nb > len(p) or (len(p) - 63 - 12 * nb) % 8:
        return None
    f = [(0, 1, 'version'), (1, 1, 'kind'), (2, 1, 'flags'), (3, 4, 'nbuckets')]
    f += [(7 + 8 * i, 8, n) for i, n in enumerate(['sla_us', 'leads', 'answered', 'within', 'skipped'])]
    f.append((47, 16, 'sum_us'))
    for i in range(nb):
        f += [(63 + 12 * i, 4, 'bucket%d' % i), (67 + 12 * i, 8, 'count%d' % i)]
    o = 63 + 12 * nb
    for i in range((len(p) - o) // 8):
        f.append((o + 8 * i, 8, 'exact%d' % i))
    return f


def layout_lead_followup(p):
    # version u8, kind u8, flags u8, n i32, created i64, prior i64, n x (t i64, contacted u8)
    if len(p) < 23:
        return None
    n = int.from_bytes(p[3:7], 'big', signed=True)
    if n < 0 or 23 + 9 * n != len(p):
        return None
    f = [(0, 1, 'version'), (1, 1, 'kind'), (2, 1, 'flags'), (3, 4, 'n'), (7, 8, 'created'), (15, 8, 'prior')]
    for i in range(n):
        f += [(23 + 9 * i, 8, 't%d' % i), (31 + 9 * i, 1, 'contacted%d' % i)]
    return f


def layout_followup_summary(p):
    # version u8, kind u8, flags u8, leads, followed_up, contacted, prior (i64),
    # attempts_to_contact, first_attempt_us, first_contact_us (i128), unanswered[33], max_per_day[33] (i64)
    if len(p) != 611:
        return None
    f = [(0, 1, 'version'), (1, 1, 'kind'), (2, 1, 'flags')]
    f += [(3 + 8 * i, 8, n) for i, n in enumerate(['leads', 'followed_up', 'contacted', 'prior'])]
    f += [(35 + 16 * i, 16, n) for i, n in enumerate(['attempts_to_contact', 'first_attempt_us', 'first_contact_us'])]
    f += [(83 + 8 * i, 8, 'unanswered%d' % i) for i in range(33)]
    f += [(347 + 8 * i, 8, 'max_per_day%d' % i) for i in range(33)]
    return f


def layout_stage_path(p):
    # version u8, flags u8, nstages i16, hash i64, nevents i32, nevents x (pos i16, ts i64)
    if len(p) < 16:
        return None
    f = [(0, 1, 'version'), (1, 1, 'flags'), (2, 2, 'nstages'), (4, 8, 'hash'), (12, 4, 'nevents')]
    o, i = 16, 0
    while o + 10 <= len(p):
        f += [(o, 2, 'event%d.pos' % i), (o + 2, 8, 'event%d.ts' % i)]
        o += 10
        i += 1
    return f


def layout_stage_funnel(p):
    # version u8, mode u8, nstages i16, deals i64, outside i64, nstages x (name cstring, reached i64
    # [, won i64 in version 2])
    if len(p) < 20:
        return None
    f = [(0, 1, 'version'), (1, 1, 'mode'), (2, 2, 'nstages'), (4, 8, 'deals'), (12, 8, 'outside')]
    o, i = 20, 0
    w = 8 if p[0] == 2 else 0
    while o < len(p):
        z = p.find(b'\0', o)
        if z < 0 or z + 9 + w > len(p):
            break
        f.append((z + 1, 8, 'stage%d.reached' % i))
        if w:
            f.append((z + 9, 8, 'stage%d.won' % i))
        o = z + 9 + w
        i += 1
    return f


def stage_times_stages(p):
    """The stage records of a stage_times payload: [(offset of the name,
    offset of visits, offset of nbuckets, number of buckets)], as far as
    they parse."""
    out = []
    o = 37
    while o < len(p):
        z = p.find(b'\0', o)
        if z < 0 or z + 1 + 68 > len(p):
            break
        nb = from_bytes(p[z + 65:z + 69])
        out.append((o, z + 1, z + 65, nb))
        if nb < 0 or z + 69 + 10 * nb > len(p):
            break
        o = z + 69 + 10 * nb
        if p[0] == 2:
            # version 2: then the exact times, nexact i32, nexact x i64
            if o + 4 > len(p):
                break
            ne = from_bytes(p[o:o + 4])
            if ne < 0:
                break
            o += 4 + 8 * ne
    return out


def layout_stage_times(p):
    # version u8, flags u8, kind u8, nstages i16, as_of, stale_after, deals, outside i64,
    # nstages x (name cstring, visits i64, exited i64, exited_us i128, current i64,
    #            current_us i128, stale i64, nbuckets i32, nbuckets x (bucket i16, count i64))
    if len(p) < 37:
        return None
    f = [(0, 1, 'version'), (1, 1, 'flags'), (2, 1, 'kind'), (3, 2, 'nstages'), (5, 8, 'as_of'),
         (13, 8, 'stale_after'), (21, 8, 'deals'), (29, 8, 'outside')]
    for k, (_name, o, nbo, nb) in enumerate(stage_times_stages(p)):
        f += [(o, 8, 'stage%d.visits' % k), (o + 8, 8, 'stage%d.exited' % k), (o + 16, 16, 'stage%d.exited_us' % k),
              (o + 32, 8, 'stage%d.current' % k), (o + 40, 16, 'stage%d.current_us' % k),
              (o + 56, 8, 'stage%d.stale' % k), (nbo, 4, 'stage%d.nbuckets' % k)]
        for i in range(max(0, min(nb, (len(p) - nbo - 4) // 10))):
            b = nbo + 4 + 10 * i
            f += [(b, 2, 'stage%d.bucket%d' % (k, i)), (b + 2, 8, 'stage%d.count%d' % (k, i))]
    return f


def history_parse(p):
    """The parts of a stage_history payload, as far as they parse: nstages,
    the offsets of the names, of nevents (the end of the names), text ids
    or not, and the events [(offset, end, offset of the id length or None)]."""
    if len(p) < 4:
        return None
    n = from_bytes(p[2:4])
    names, o = [], 4
    for _ in range(max(0, min(n, 70))):
        z = p.find(b'\0', o)
        if z < 0:
            return None
        names.append(o)
        o = z + 1
    if o + 8 > len(p):
        return None
    h = {'n': n, 'names': names, 'nevents_at': o, 'nevents': from_bytes(p[o:o + 8]),
         'text': bool(p[1] & 0x08), 'events': []}
    o += 8
    while o < len(p):
        if h['text']:
            if o + 2 > len(p):
                break
            ln = int.from_bytes(p[o:o + 2], 'big')
            if o + 12 + ln > len(p):
                break
            h['events'].append((o, o + 12 + ln, o))
            o += 12 + ln
        else:
            if o + 18 > len(p):
                break
            h['events'].append((o, o + 18, None))
            o += 18
    return h


def layout_stage_history(p):
    # version u8, flags u8, nstages i16, nstages x name cstring, nevents i64,
    # nevents x (id i64 | (idlen i16, id bytes), pos i16, ts i64)
    h = history_parse(p)
    if h is None:
        return None
    f = [(0, 1, 'version'), (1, 1, 'flags'), (2, 2, 'nstages'), (h['nevents_at'], 8, 'nevents')]
    for k, (o, end, lo) in enumerate(h['events']):
        if lo is None:
            f.append((o, 8, 'event%d.id' % k))
        else:
            f.append((o, 2, 'event%d.idlen' % k))
        f += [(end - 10, 2, 'event%d.pos' % k), (end - 8, 8, 'event%d.ts' % k)]
    return f


def layout_rfm(p):
    # version u8, flags u8, scale i16, customer i64, end i32, unit_us i64, first i32, last i32,
    # purchases i64, first_amount i128, total_amount i128, ndays i64, ndays x day i32 (src/models/rfm.c)
    k, rest = divmod(len(p) - 80, 4)
    if len(p) < 80 or rest:
        return None
    f = [(0, 1, 'version'), (1, 1, 'flags'), (2, 2, 'scale'), (4, 8, 'customer'), (12, 4, 'end'),
         (16, 8, 'unit_us'), (24, 4, 'first'), (28, 4, 'last'), (32, 8, 'purchases'),
         (40, 16, 'first_amount'), (56, 16, 'total_amount'), (72, 8, 'ndays')]
    return f + [(80 + 4 * i, 4, 'day%d' % i) for i in range(k)]


def layout_clv_fit_state(p):
    # version u8, kind u8, flags i16, unit_us i64, n i64, n x 4 float8 (src/models/fitstate.c)
    k, rest = divmod(len(p) - 20, 32)
    if len(p) < 20 or rest:
        return None
    f = [(0, 1, 'version'), (1, 1, 'kind'), (2, 2, 'flags'), (4, 8, 'unit_us'), (12, 8, 'n')]
    return f + [(20 + 8 * i, 8, 'tuple%d.%d' % (i // 4, i % 4)) for i in range(4 * k)]


def layout_bgnbd_model(p):
    # version u8, flags u8, unit_us, customers, iterations i64, r, alpha, a, b, ll float8 (src/models/bgnbd.c)
    if len(p) != 66:
        return None
    return [(0, 1, 'version'), (1, 1, 'flags'), (2, 8, 'unit_us'), (10, 8, 'customers'), (18, 8, 'iterations'),
            (26, 8, 'r'), (34, 8, 'alpha'), (42, 8, 'a'), (50, 8, 'b'), (58, 8, 'll')]


def layout_gammagamma_model(p):
    # version u8, flags u8, customers, iterations i64, p, q, gamma, ll float8 (src/models/gammagamma.c)
    if len(p) != 50:
        return None
    return [(0, 1, 'version'), (1, 1, 'flags'), (2, 8, 'customers'), (10, 8, 'iterations'),
            (18, 8, 'p'), (26, 8, 'q'), (34, 8, 'gamma'), (42, 8, 'll')]


def layout_mrr_series(p):
    # version u8, flags u8, scale i16, skipped i64, npoints i32, npoints x (month i32, delta i128);
    # with flag 0x02 (products): nproducts i32, nproducts x (key u64, month i32, count i64)
    if len(p) < 16:
        return None
    f = [(0, 1, 'version'), (1, 1, 'flags'), (2, 2, 'scale'), (4, 8, 'skipped'), (12, 4, 'npoints')]
    n = from_bytes(p[12:16])
    if n < 0 or 16 + 20 * n > len(p):
        n = (len(p) - 16) // 20
    for k in range(min(n, 64)):
        o = 16 + 20 * k
        f += [(o, 4, 'point%d.month' % k), (o + 4, 16, 'point%d.delta' % k)]
    o = 16 + 20 * n
    if p[1] & 2 and o + 4 <= len(p):
        f.append((o, 4, 'nproducts'))
        o += 4
        for k in range(min((len(p) - o) // 20, 64)):
            b = o + 20 * k
            f += [(b, 8, 'product%d.key' % k), (b + 8, 4, 'product%d.month' % k), (b + 12, 8, 'product%d.count' % k)]
    return f


def layout_revenue_summary(p):
    # version u8, flags u8, scale i16, from i32, months i32, series i64, skipped i64,
    # products i64, prev_mrr i128, prev_customers i64; months x (mrr i128, customers i64,
    # 5 x (amount i128, count i64)); pairs x (retained i128, capped i128,
    # churned i64, upsold i64); cohorts x (customers i64, mrr i128); pairs x crosssold i64
    if len(p) < 60:
        return None
    f = [(0, 1, 'version'), (1, 1, 'flags'), (2, 2, 'scale'), (4, 4, 'from'), (8, 4, 'months'),
         (12, 8, 'series'), (20, 8, 'skipped'), (28, 8, 'products'), (36, 16, 'prev_mrr'), (52, 8, 'prev_customers')]
    n = from_bytes(p[8:12])
    if n < 1 or n > 240:
        return f
    o = 60
    for m in range(n):
        if o + 144 > len(p):
            return f
        f += [(o, 16, 'month%d.mrr' % m), (o + 16, 8, 'month%d.customers' % m)]
        for k in range(5):
            f += [(o + 24 + 24 * k, 16, 'month%d.amount%d' % (m, k)), (o + 40 + 24 * k, 8, 'month%d.count%d' % (m, k))]
        o += 144
    t = n * (n + 1) // 2
    for i in range(min(t, 40)):
        if o + 48 * (i + 1) > len(p):
            break
        b = o + 48 * i
        f += [(b, 16, 'pair%d.retained' % i), (b + 16, 16, 'pair%d.capped' % i),
              (b + 32, 8, 'pair%d.churned' % i), (b + 40, 8, 'pair%d.upsold' % i)]
    o += 48 * t
    for i in range(min(t, 40)):
        if o + 24 * (i + 1) > len(p):
            break
        b = o + 24 * i
        f += [(b, 8, 'cohort%d.customers' % i), (b + 8, 16, 'cohort%d.mrr' % i)]
    o += 24 * t
    for i in range(min(t, 40)):
        if o + 8 * (i + 1) > len(p):
            break
        f.append((o + 8 * i, 8, 'crosssold%d' % i))
    return f


LAYOUT = {'mrr_series': layout_mrr_series, 'revenue_summary': layout_revenue_summary,
          'rfm': layout_rfm, 'clv_fit_state': layout_clv_fit_state, 'bgnbd_model': layout_bgnbd_model,
          'gammagamma_model': layout_gammagamma_model,
          'deal_summary': layout_deal_summary, 'order_summary': layout_order_summary,
          'stage_path': layout_stage_path, 'stage_funnel': layout_stage_funnel,
          'stage_times': layout_stage_times, 'stage_history': layout_stage_history,
          'activity_summary': layout_activity_summary, 'response_time': layout_response_time,
          'lead_followup': layout_lead_followup, 'followup_summary': layout_followup_summary}


def fields_of(typ, p, seed_payload):
    f = LAYOUT[typ](bytes(p))
    if f is None:
        f = [x for x in (LAYOUT[typ](seed_payload) or []) if x[0] + x[1] <= len(p)]
    return f


def to_bytes(v, width):
    return (v & ((1 << (8 * width)) - 1)).to_bytes(width, 'big')


def from_bytes(b):
    return int.from_bytes(b, 'big', signed=True)


# more values worth trying in the fields of some types, by field width
FLOAT_BITS = [0x7ff8000000000000, 0x7ff0000000000000, -0x10000000000000, 0x3ff0000000000000,
              0x0000000000000001, 0x7fefffffffffffff, -0x4010000000000000]   # NaN, inf, -inf, 1, tiny, max, -1
EXTRA_VALUES = {'bgnbd_model': {8: FLOAT_BITS}, 'gammagamma_model': {8: FLOAT_BITS},
                'clv_fit_state': {8: FLOAT_BITS}, 'rfm': {4: [-1096, -823, -2451545, 2147483647]},
                'stage_history': {2: [3, 4, HISTORY_MAX_ID, HISTORY_MAX_ID + 1, 0xffff],
                                  8: [USECS_PER_DAY, 757382400000000, 757382400000001]}}


def boundary_values(width, full=False, typ=None):
    """Values worth trying in an integer field of `width` bytes."""
    bits = 8 * width
    hi, lo = (1 << (bits - 1)) - 1, -(1 << (bits - 1))
    v = [0, 1, -1, hi, lo] + EXTRA_VALUES.get(typ, {}).get(width, [])
    if width == 1:
        v += [2, 3, 4, 0x7f]
    elif width == 2:
        v += [38, 39, 64, 65, HIST_MAX_BUCKET, HIST_MAX_BUCKET + 1]
    elif width == 4:
        v += [0x10000, 0x7ffffff]
    elif width == 8:
        v += [MIN_TIMESTAMP, MIN_TIMESTAMP - 1, END_TIMESTAMP - 1, END_TIMESTAMP]
    elif width == 16:
        v += [10 ** 38, 1 << 64, -(1 << 64), 1 << 63]
    if full:
        v += [2, 3, -2, hi - 1, lo + 1, 10, 100, 0x80, 0xff, 1 << (bits // 2)]
        if width >= 8:
            v += [1 << 31, -(1 << 31), (1 << 32) - 1, 86400000000, 10 ** 18]
        if width == 16:
            v += [(1 << 64) - 1, 10 ** 38 - 1, -(10 ** 38), hi // 10, 1 << 126, (1 << 63) - 1, -(1 << 63)]
    out, seen = [], set()
    for x in v:
        b = to_bytes(x, width)
        if b not in seen:
            seen.add(b)
            out.append(x)
    return out


# --------------------------------------------------------------------------
# mutants
# --------------------------------------------------------------------------

class Mutant:
    __slots__ = ('id', 'typ', 'kind', 'data', 'desc')

    def __init__(self, mid, typ, kind, data, desc):
        self.id, self.typ, self.kind, self.data, self.desc = mid, typ, kind, data, desc


def binary_sweep(typ, seeds):
    """Deterministic: every field of the first seed and the first fields of
    the others set to every boundary value; truncation at and next to every
    field boundary, a few extensions; element count +-1 of every seed."""
    out = []
    for sn, p in seeds:
        fields = LAYOUT[typ](p) or []
        if typ == 'stage_history':
            # the header and the first two and the last events: the others get the same values
            last = max([int(re.match(r'event(\d+)', x[2]).group(1)) for x in fields if x[2].startswith('event')] or [0])
            fields = [x for x in fields if not re.match(r'event(?!(0|1|%d)\.)' % last, x[2])]
        if sn != seeds[0][0]:
            # stage_times: the header fields that differ between its seeds
            fields = fields[3:8] if typ == 'stage_times' else fields[:8]
        for off, w, name in fields:
            for v in boundary_values(w, typ=typ):
                q = bytearray(p)
                q[off:off + w] = to_bytes(v, w)
                out.append((bytes(q), 'seed %d: %s := %d' % (sn, name, v)))
    sn, p = seeds[0]
    cuts = set([0, 1, len(p) - 1])
    for off, w, name in LAYOUT[typ](p) or [(i, 1, '') for i in range(len(p))]:
        cuts.update((off, off + 1, off + w - 1))
    for k in sorted(c for c in cuts if 0 <= c < len(p)):
        out.append((p[:k], 'seed %d: truncated to %d bytes' % (sn, k)))
    for junk in (b'\0', b'\xff', b'\0' * 8, b'\x01' * 64):
        out.append((p + junk, 'seed %d: %d junk bytes appended' % (sn, len(junk))))
    rng = random.Random(1)
    for sn, p in seeds:
        for d in (-1, 1, 2):
            q = change_count(typ, bytearray(p), d, rng)
            if q is not None:
                out.append((bytes(q), 'seed %d: element count %+d' % (sn, d)))
    if typ == 'stage_history':
        out += history_bin_probes()
    return out


def change_count(typ, p, d, rng):
    """Add (d > 0) or remove elements of a stage_path / stage_funnel /
    stage_times (stages or buckets), keeping the count field consistent with
    the data."""
    if typ == 'stage_times':
        return change_count_times(p, d, rng)
    if typ == 'stage_history':
        return change_count_history(p, d, rng)
    if typ == 'stage_path' and len(p) >= 16:
        n = from_bytes(p[12:16])
        if d > 0:
            for _ in range(d):
                p += to_bytes(rng.choice([0, 1, 2, 3, 63, 64, 65, -1]), 2) + to_bytes(
                    rng.choice([0, 757382400000000, MIN_TIMESTAMP, END_TIMESTAMP - 1, END_TIMESTAMP, -1]), 8)
        else:
            del p[max(16, len(p) - 10 * -d):]
        p[12:16] = to_bytes(n + d, 4)
        return p
    if typ == 'stage_funnel' and len(p) >= 20:
        n = from_bytes(p[2:4])
        if d > 0:
            for _ in range(d):
                p += rng.choice([b'new', b'', b'lead', b'\xc3\xa9', b'x' * 200, b'\xff\xfe']) + b'\0' + to_bytes(
                    rng.choice([0, 1, -1]), 8)
        else:
            f = layout_stage_funnel(bytes(p))
            if not f or len(f) <= 5:
                return None
            last_reached = f[-1][0]
            start = p.rfind(b'\0', 0, last_reached - 1) + 1 if len(f) > 6 else 20
            start = max(start, 20)
            del p[start:]
        p[2:4] = to_bytes(n + d, 2)
        return p
    return None


def change_count_times(p, d, rng):
    """stage_times: add or remove whole stages at the end (nstages follows),
    or buckets of the last parsed stage (its nbuckets follows)."""
    st = stage_times_stages(bytes(p))
    if len(p) < 37 or not st:
        return None
    n = from_bytes(p[3:5])
    name, o, nbo, nb = st[-1]
    end = nbo + 4 + 10 * max(nb, 0)
    if rng.random() < 0.5 or nb < 0 or end > len(p):
        # whole stages
        if d > 0:
            for _ in range(d):
                c = [rng.choice([0, 1, -1, 2]) for _ in range(4)]
                p += (rng.choice([b'new', b'', b'lead', b'\xc3\xa9', b'x' * 200, b'\xff\xfe', bytes(p[name:o - 1])])
                      + b'\0' + to_bytes(c[0], 8) + to_bytes(0, 8) + to_bytes(0, 16) + to_bytes(c[1], 8)
                      + to_bytes(c[2], 16) + to_bytes(c[3], 8) + to_bytes(0, 4))
        else:
            if len(st) < 2:
                return None
            del p[st[-1][0]:]
        p[3:5] = to_bytes(n + d, 2)
        return p
    # buckets of the last stage, inserted before what follows it
    tail = bytes(p[end:])
    del p[end:]
    if d > 0:
        for _ in range(d):
            p += to_bytes(rng.choice([0, 1, 63, 64, 2000, HIST_MAX_BUCKET, HIST_MAX_BUCKET + 1, -1]), 2) + to_bytes(
                rng.choice([1, 1, 2, 0, -1, (1 << 63) - 1]), 8)
    else:
        if nb < -d:
            return None
        del p[len(p) - 10 * -d:]
    p[nbo:nbo + 4] = to_bytes(nb + d, 4)
    return p + tail


HISTORY_TS = [0, 757382400000000, 757382400000001, MIN_TIMESTAMP, MIN_TIMESTAMP - 1, END_TIMESTAMP - 1,
              END_TIMESTAMP, -1]
HISTORY_IDS = [b'', b'x', b'"\\', 'é'.encode(), '😀'.encode(), b'\xff', b'\xc3', b'a\0b', b'a' * HISTORY_MAX_ID,
               b'a' * (HISTORY_MAX_ID + 1), 'é'.encode() * (HISTORY_MAX_ID // 2)]


def history_event(h, rng, like=None):
    """A binary stage_history event: mostly plausible, sometimes at a limit."""
    n = h['n']
    pos = rng.choice([0, 0, n - 1, n, n, n + 1, 0xffff, 0x8000])
    ts = rng.choice(HISTORY_TS)
    if h['text']:
        ident = rng.choice(HISTORY_IDS + ([like] if like is not None else []) * 4)
        return to_bytes(len(ident), 2) + ident + to_bytes(pos, 2) + to_bytes(ts, 8)
    ident = rng.choice([0, -1, 42, (1 << 63) - 1, -(1 << 63)] + ([like] if like is not None else []) * 3)
    return to_bytes(ident, 8) + to_bytes(pos, 2) + to_bytes(ts, 8)


def change_count_history(p, d, rng):
    """stage_history: add or remove events at the end of those that parse
    (nevents follows), or stage names (nstages follows)."""
    h = history_parse(bytes(p))
    if h is None:
        return None
    if rng.random() < 0.3:
        at = h['nevents_at']
        if d > 0:
            p[at:at] = b''.join(rng.choice([b'new', b'', b'lead', b'\xc3\xa9', b'x' * 200, b'\xff\xfe'] +
                                            [bytes(p[o:p.find(b'\0', o)]) for o in h['names'][:3]]) + b'\0'
                                 for _ in range(d))
        else:
            if len(h['names']) < 1 - d:
                return None
            del p[h['names'][d]:at]
        p[2:4] = to_bytes(h['n'] + d, 2)
        return p
    ev = h['events']
    end = ev[-1][1] if ev else h['nevents_at'] + 8
    like = None
    if ev:
        o, e, lo = ev[0]
        like = bytes(p[o + 2:e - 10]) if lo is not None else from_bytes(p[o:o + 8])
    if d > 0:
        p[end:end] = b''.join(history_event(h, rng, like) for _ in range(d))
    else:
        if len(ev) < -d:
            return None
        del p[ev[d][0]:end]
    at = h['nevents_at']
    p[at:at + 8] = to_bytes(h['nevents'] + d, 8)
    return p


def history_payload(kind, text_ids, names, events, flags=0, nevents=None):
    """A binary stage_history; events: (id, pos, ts), id bytes for text ids."""
    out = [bytes([1, flags | (kind << 1) | (8 if text_ids else 0)]), to_bytes(len(names), 2)]
    out += [nm + b'\0' for nm in names]
    out.append(to_bytes(len(events) if nevents is None else nevents, 8))
    for ident, pos, ts in events:
        out.append((to_bytes(len(ident), 2) + ident) if text_ids else to_bytes(ident, 8))
        out.append(to_bytes(pos, 2) + to_bytes(ts, 8))
    return b''.join(out)


def history_bin_probes():
    """Hand-made binary stage_history edge cases."""
    ab = [b'a', b'b']
    t0 = 757382400000000
    P = history_payload
    return [(data, 'probe: ' + what) for data, what in [
        (P(1, True, ab, [(b'\xff\xfe', 0, t0)]), 'a text id that is not UTF8'),
        (P(1, True, ab, [(b'\xc3', 0, t0)]), 'a text id cut in a UTF8 sequence'),
        (P(1, True, ab, [(b'a\0b', 0, t0)]), 'a text id with a NUL byte'),
        (P(1, True, ab, [(b'', 0, t0)]), 'an empty text id'),
        (P(1, True, ab, [(b'x' * HISTORY_MAX_ID, 2, t0)]), 'a text id at the length limit'),
        (P(1, True, ab, [(b'x' * (HISTORY_MAX_ID + 1), 2, t0)]), 'a text id over the length limit'),
        (P(2, False, ab, [(1, 2, t0), (1, 3, t0)]), 'a position past the outside one'),
        (P(3, False, ab, [(-(1 << 63), 0, MIN_TIMESTAMP), ((1 << 63) - 1, 1, END_TIMESTAMP - 1)]), 'extreme ids and times'),
        (P(3, False, ab, [(1, 0, END_TIMESTAMP)]), 'a time past the range'),
        (P(3, False, ab, [(1, 0, MIN_TIMESTAMP - 1)]), 'a time before the range'),
        (P(1, False, ab, [(1, 0, t0 + 1)]), 'a date history with a time not at midnight'),
        (P(1, False, ab, [(2, 0, t0), (1, 1, t0), (1, 0, t0), (2, 0, t0)]), 'unsorted events, a duplicate'),
        (P(1, False, ab, [(2, 0, t0), (1, 1, t0)], flags=1), 'unsorted events flagged sorted'),
        (P(1, False, ab, [], nevents=0), 'no events'),
        (P(1, False, ab, [(1, 0, t0)], nevents=2), 'one event short'),
        (P(0, False, ab, [(1, 0, t0)]), 'time type 0'),
        (P(1, False, ab, [(1, 0, t0)], flags=0x10), 'an unknown flag bit'),
        (P(1, False, [b'a', b'a'], [(1, 0, t0)]), 'duplicate stage names'),
        (P(1, False, [b''], [(1, 1, t0)]), 'one empty stage name'),
        (P(1, False, [b's%d' % i for i in range(64)], [(1, 64, t0)]), '64 stages'),
        (P(1, False, [b's%d' % i for i in range(65)], [(1, 0, t0)]), '65 stages'),
        (P(1, False, [b'\xff'], [(1, 0, t0)]), 'a stage name that is not UTF8'),
    ]]


def mutate_binary(typ, p0, seeds, rng):
    """Stack 1..8 random mutations on payload p0."""
    p = bytearray(p0)
    ops = []
    n = rng.choice([1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 6, 8])
    for _ in range(n):
        op = rng.randrange(16)
        f = fields_of(typ, p, p0)
        if op == 0 and p:
            i = rng.randrange(len(p) * 8)
            p[i // 8] ^= 1 << (i % 8)
            ops.append('flip bit %d' % i)
        elif op == 1 and p:
            i = rng.randrange(len(p))
            p[i] = rng.randrange(256)
            ops.append('byte %d := %d' % (i, p[i]))
        elif op == 2 and p:
            i = rng.randrange(len(p))
            p[i] = rng.choice([0, 1, 0x7f, 0x80, 0xfe, 0xff])
            ops.append('byte %d := %d' % (i, p[i]))
        elif op in (3, 4, 5) and f:
            off, w, name = rng.choice(f)
            v = rng.choice(boundary_values(w, full=True, typ=typ))
            p[off:off + w] = to_bytes(v, w)
            ops.append('%s := %d' % (name, v))
        elif op == 6 and f:
            off, w, name = rng.choice(f)
            d = rng.choice([-1, 1, -2, 2, rng.randint(-1000, 1000)])
            v = from_bytes(p[off:off + w]) + d
            p[off:off + w] = to_bytes(v, w)
            ops.append('%s += %d' % (name, d))
        elif op == 7 and f:
            # copy one field into another of the same width (keeps invariants
            # like n = scale_n within reach)
            a = rng.choice(f)
            same = [x for x in f if x[1] == a[1] and x != a]
            if same:
                b = rng.choice(same)
                p[b[0]:b[0] + b[1]] = p[a[0]:a[0] + a[1]]
                ops.append('%s := %s' % (b[2], a[2]))
        elif op == 8:
            k = rng.randrange(len(p) + 1)
            del p[k:]
            ops.append('truncate to %d' % k)
        elif op == 9:
            junk = bytes(rng.randrange(256) for _ in range(rng.choice([1, 2, 4, 8, 16, 33])))
            p += junk
            ops.append('append %d bytes' % len(junk))
        elif op == 10 and p:
            i = rng.randrange(len(p))
            k = rng.randint(1, min(16, len(p) - i))
            del p[i:i + k]
            ops.append('delete %d bytes at %d' % (k, i))
        elif op == 11:
            i = rng.randrange(len(p) + 1)
            if p and rng.random() < 0.5:
                j = rng.randrange(len(p))
                chunk = p[j:j + rng.randint(1, 16)]
            else:
                chunk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
            p[i:i] = chunk
            ops.append('insert %d bytes at %d' % (len(chunk), i))
        elif op == 12:
            sn, other = rng.choice(seeds)
            k = rng.randrange(min(len(p), len(other)) + 1)
            p = p[:k] + bytearray(other[k:])
            ops.append('splice with seed %d at %d' % (sn, k))
        elif op == 13 and f:
            a, b = rng.choice(f), rng.choice(f)
            if a[1] == b[1] and a != b:
                va, vb = bytes(p[a[0]:a[0] + a[1]]), bytes(p[b[0]:b[0] + b[1]])
                p[a[0]:a[0] + a[1]], p[b[0]:b[0] + b[1]] = vb, va
                ops.append('swap %s, %s' % (a[2], b[2]))
        elif op == 14:
            d = rng.choice([1, 1, 2, -1, -1, 5])
            q = change_count(typ, p, d, rng)
            if q is not None:
                p = q
                ops.append('element count %+d' % d)
        elif op == 15:
            c = rng.choice([b'', p[:1], p[:4], b'\x01', bytes(len(p))])
            p = bytearray(c)
            ops.append('payload := %d bytes' % len(c))
    return bytes(p), '; '.join(ops) or 'no-op'


# ---- text ----

NUMS = ['0', '1', '-1', '-0', '2', '00', '0007', '63', '64', '65', '38', '39',
        '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809',
        '18446744073709551615', '18446744073709551616', '99999999999999999999999',
        '170141183460469231731687303715884105727', '170141183460469231731687303715884105728',
        '-170141183460469231731687303715884105727', '-170141183460469231731687303715884105728',
        '1' + '0' * 38, '0.' + '0' * 37 + '1', '0.' + '0' * 38 + '1', '1.' + '0' * 38,
        '1.5', '0.5', '.5', '5.', '1e5', '+1', '0x10', '-', '', '--1', '1.2.3', '9' * 400,
        str(MIN_TIMESTAMP), str(MIN_TIMESTAMP - 1), str(END_TIMESTAMP - 1), str(END_TIMESTAMP),
        'NaN', 'Infinity', '١', '１']
NUM_RE = re.compile(r'-?\d+(?:\.\d+)?')
FIELD_RE = re.compile(r'([a-z_]+)=')
STRUCT_CHARS = '()[]",=@:\\-. '
POOL = ([chr(c) for c in range(32, 127)] * 3 + [chr(c) for c in range(1, 32)] +
        ['\x7f', '\u0080', '\u00a0', 'é', 'ß', '日', '€', '\u2028', '\ufeff', '😀'])


def rand_text(rng, n):
    return ''.join(rng.choice(POOL) for _ in range(n))


# the numbers the text sweep puts in place of every number of the first seed
NUM_SWEEP = ['-1', '-0', '', '00', '9223372036854775807', '9223372036854775808', '-9223372036854775808',
             '-9223372036854775809', '99999999999999999999999', '170141183460469231731687303715884105727',
             '170141183460469231731687303715884105728', '-170141183460469231731687303715884105728',
             '0.' + '0' * 38 + '1', '1.5', '.5', '5.']


def text_sweep(typ, seeds):
    out = []
    sn, s = seeds[0]
    nums = list(NUM_RE.finditer(s))
    if typ == 'stage_history':
        nums = nums[:8] + nums[-3:]     # the header, the first two events and the last one
    for m in nums:
        for v in NUM_SWEEP:
            out.append((s[:m.start()] + v + s[m.end():], 'seed %d: number at %d := %r' % (sn, m.start(), v[:50])))
        v = str(int(float(m.group())) + 1) if '.' not in m.group() else m.group() + '0'
        out.append((s[:m.start()] + v + s[m.end():], 'seed %d: number at %d := %s' % (sn, m.start(), v)))
    for i in range(len(s)):
        if s[i] in STRUCT_CHARS or (i and s[i - 1] in ',(['):
            out.append((s[:i] + s[i + 1:], 'seed %d: char %d deleted' % (sn, i)))
    for m in FIELD_RE.finditer(s):
        end = m.end()
        while end < len(s) and s[end] not in ',)':
            end += 1
        out.append((s[:m.end()] + s[end:], 'seed %d: field %s emptied' % (sn, m.group(1))))
        start = m.start() - 1 if s[m.start() - 1] == ',' else m.start()
        out.append((s[:start] + s[end:], 'seed %d: field %s dropped' % (sn, m.group(1))))
        out.append((s[:end] + ',' + s[m.start():end] + s[end:], 'seed %d: field %s repeated' % (sn, m.group(1))))
    for sn, s in seeds[1:]:
        nums = list(NUM_RE.finditer(s))
        if typ in ('stage_times', 'stage_history'):
            nums = nums[:12]        # its big seeds have hundreds of numbers: the header and first stage
        for m in nums:
            for v in ('-1', '99999999999999999999999', '9223372036854775808'):
                out.append((s[:m.start()] + v + s[m.end():], 'seed %d: number at %d := %s' % (sn, m.start(), v)))
    if typ == 'stage_times':
        out += times_probes()
    if typ == 'stage_history':
        out += history_probes()
    return out


def times_text(kind, as_of, stale_after, deals, outside, stages):
    """A stage_times in text form; stages: (name, visits, exited, exited_us,
    current, current_us, stale, hist)."""
    return ('(version=1,time=%s,as_of=%s,stale_after=%s,deals=%s,outside=%s,stages=[%s])'
            % (kind, as_of, stale_after, deals, outside,
               ','.join('("%s",visits=%s,exited=%s,exited_us=%s,current=%s,current_us=%s,stale=%s,hist=[%s])' % st
                        for st in stages)))


def times_probes():
    """Hand-made stage_times edge cases: counts at the int64 limit (alone and
    summed over stages), the last histogram bucket, extreme as_of and
    stale_after, 64 and 65 stages, duplicate names."""
    M = 2 ** 63 - 1
    top_lo = 127 << 57                  # the lowest value of the last bucket
    empty = ('b', 0, 0, 0, 0, 0, 0, '')
    out = [
        (times_text('timestamptz', 'none', 'none', M, 0, [('a', M, 0, 0, M, 0, 0, ''), ('b', M, 0, 0, M, 0, 0, '')]),
         'probe: two stages with every deal current (current summed over stages overflows)'),
        (times_text('timestamptz', 'none', 'none', M, 0, [('a', M, 0, 0, M // 2 + 1, 0, 0, ''),
                                                          ('b', M, 0, 0, M // 2 + 1, 0, 0, '')]),
         'probe: current deals of two stages add up to one more than the deals'),
        (times_text('date', 0, 'none', 1, 0, [('a', 1, 0, 0, 0, 123456789, 0, '')]),
         'probe: current_us without current deals'),
        (times_text('date', 0, 1000, 1, 0, [('a', 1, 0, 0, 1, 0, 1, '')]),
         'probe: a stale deal of age 0'),
        (times_text('timestamp', 'none', 'none', M, 0, [('a', M, M, M * top_lo, 0, 0, 0, '%d:%d' % (HIST_MAX_BUCKET, M))]),
         'probe: int64-max exited deals in the last bucket'),
        (times_text('timestamp', 'none', 'none', M, 0,
                    [('a', M, M, M * (2 ** 64 - 1), 0, 0, 0, '%d:%d' % (HIST_MAX_BUCKET, M))]),
         'probe: int64-max exited deals at the top of the last bucket'),
        (times_text('timestamp', 'none', 'none', 2, 0, [('a', 2, 2, top_lo, 0, 0, 0, '0:1,%d:1' % HIST_MAX_BUCKET)]),
         'probe: median between the first and the last bucket'),
        (times_text('timestamp', 'none', 'none', 2, 0, [('a', 2, 2, top_lo - 1, 0, 0, 0, '0:1,%d:1' % HIST_MAX_BUCKET)]),
         'probe: exited_us one below its histogram'),
        (times_text('timestamptz', MIN_TIMESTAMP, M, 1, 0, [('a', 1, 0, 0, 1, 0, 0, '')]),
         'probe: as_of at the first timestamp, stale_after int64-max'),
        (times_text('timestamptz', END_TIMESTAMP - 1, 1, 1, 0, [('a', 1, 0, 0, 1, END_TIMESTAMP - 1 - MIN_TIMESTAMP, 1, '')]),
         'probe: as_of at the last timestamp, the oldest possible current deal'),
        (times_text('timestamptz', END_TIMESTAMP, 'none', 0, 0, [empty]), 'probe: as_of just past the last timestamp'),
        (times_text('timestamptz', 'none', 1, 0, 0, [empty]), 'probe: stale_after without as_of'),
        (times_text('date', 'none', 'none', 0, 0, [empty] * 2), 'probe: duplicate stage names'),
        (times_text('date', 'none', 'none', 0, 0, [('s%d' % k,) + empty[1:] for k in range(64)]), 'probe: 64 stages'),
        (times_text('date', 'none', 'none', 0, 0, [('s%d' % k,) + empty[1:] for k in range(65)]), 'probe: 65 stages'),
        (times_text('date', 'none', 'none', 5, 1, [('a', 0, 0, 0, 0, 0, 0, ''), ('b', 0, 0, 0, 0, 0, 0, '')]),
         'probe: deals in the funnel that are in no stage'),
        (times_text('date', 'none', 'none', 1, 0, [('a', 1, 0, 0, 1, 0, 0, '0:1')]),
         'probe: a histogram without exited deals'),
        (times_text('date', 'none', 'none', 1, 0, [('a', 1, 1, 5, 0, 0, 0, '5:1'), ('b', 0, 0, 0, 0, 0, 0, '')]),
         'probe: one exited deal, exact bucket'),
    ]
    return out


TIMES_STAGE_RE = re.compile(r'\("(?:[^"\\]|\\.)*",visits=[^()]*?hist=\[[^\]]*\]\)')
TIMES_HIST_RE = re.compile(r'hist=\[([^\]]*)\]')
TIMES_BUCKETS = ['0:1', '63:1', '64:1', '127:1', '128:1', '%d:1' % HIST_MAX_BUCKET, '%d:1' % (HIST_MAX_BUCKET + 1),
                 '-1:1', '0:0', '0:-1', '0:9223372036854775807', '2000:2', '1:1:1', ':1', '1:', '1']


def mutate_times_text(s, rng):
    """stage_times: edit a histogram or the list of stages."""
    if rng.random() < 0.5:
        hs = list(TIMES_HIST_RE.finditer(s))
        if not hs:
            return s, None
        m = rng.choice(hs)
        items = m.group(1).split(',') if m.group(1) else []
        r = rng.randrange(6)
        if r == 0 and items:
            i = rng.randrange(len(items))
            items.insert(i, items[i])
        elif r == 1 and items:
            del items[rng.randrange(len(items))]
        elif r == 2:
            items.insert(rng.randrange(len(items) + 1), rng.choice(TIMES_BUCKETS))
        elif r == 3 and items:
            b, _, c = items[0].partition(':')
            items = ['%s:%s' % (b, c)] + items[1:] if rng.random() < 0.5 else items[::-1]
        elif r == 4 and items:
            # move one count between buckets: the total stays, the sum of times may not fit
            i, j = rng.randrange(len(items)), rng.randrange(len(items))
            bi, _, ci = items[i].partition(':')
            bj, _, cj = items[j].partition(':')
            if ci.isdigit() and cj.isdigit() and i != j and int(ci) > 1:
                items[i], items[j] = '%s:%d' % (bi, int(ci) - 1), '%s:%d' % (bj, int(cj) + 1)
        else:
            # shift every bucket
            d = rng.choice([-1, 1, 64, -64])
            items = ['%d:%s' % (int(b) + d, c) if b.lstrip('-').isdigit() else b + ':' + c
                     for b, _, c in (x.partition(':') for x in items)]
        return s[:m.start(1)] + ','.join(items) + s[m.end(1):], 'hist edit %d' % r
    stages = list(TIMES_STAGE_RE.finditer(s))
    if not stages:
        return s, None
    m = rng.choice(stages)
    r = rng.randrange(4)
    if r == 0:
        return s[:m.end()] + ',' + m.group() + s[m.end():], 'stage repeated'
    if r == 1:
        start = m.start() - 1 if s[m.start() - 1] == ',' else m.start()
        end = m.end() + 1 if start == m.start() and s[m.end():m.end() + 1] == ',' else m.end()
        return s[:start] + s[end:], 'stage dropped'
    if r == 2:
        o = rng.choice(stages)
        return s[:m.start()] + o.group() + s[m.end():], 'stage replaced by another'
    name = rng.choice(['"zz"', '""', '"%s"' % ('y' * 300), '"\\\\"', '"lead"'])
    return s[:m.start() + 1] + name + s[m.start() + 1 + len(re.match(r'"(?:[^"\\]|\\.)*"', m.group()[1:]).group()):], \
        'stage renamed'


def history_text(kind, ids, stages, events):
    """A stage_history in text form; events: (id as written, pos, ts)."""
    return '(version=1,time=%s,ids=%s,stages=[%s],events=[%s])' % (
        kind, ids, ','.join(stages), ','.join('(%s,%s,%s)' % e for e in events))


def history_probes():
    """Hand-made stage_history edge cases: the limits of the ids, positions,
    times and number of stages; escapes; order; spaces."""
    M = 2 ** 63 - 1
    t0 = 757382400000000
    ab = ['"a"', '"b"']
    H = history_text
    long_ascii, long_utf8 = 'x' * HISTORY_MAX_ID, 'é' * (HISTORY_MAX_ID // 2)
    return [(s, 'probe: ' + what) for s, what in [
        (H('date', 'bigint', ab, [(M, 0, t0), (-M - 1, 2, t0)]), 'int64 ids at both limits, a position outside'),
        (H('date', 'bigint', ab, [(M + 1, 0, t0)]), 'a bigint id past the limit'),
        (H('date', 'bigint', ab, [('"1"', 0, t0)]), 'a quoted id in a bigint history'),
        (H('date', 'text', ab, [(1, 0, t0)]), 'an unquoted id in a text history'),
        (H('date', 'bigint', ab, [(1, 3, t0)]), 'a position past the outside one'),
        (H('date', 'bigint', ab, [(1, -1, t0)]), 'a negative position'),
        (H('timestamp', 'bigint', ab, [(1, 0, MIN_TIMESTAMP), (1, 1, END_TIMESTAMP - 1)]), 'the first and the last time'),
        (H('timestamp', 'bigint', ab, [(1, 0, END_TIMESTAMP)]), 'a time past the range'),
        (H('timestamp', 'bigint', ab, [(1, 0, MIN_TIMESTAMP - 1)]), 'a time before the range'),
        (H('date', 'bigint', ab, [(1, 0, t0 + 1)]), 'a date history with a time not at midnight'),
        (H('date', 'bigint', ab, []), 'no events'),
        (H('date', 'bigint', ab, [(2, 1, t0), (1, 0, t0 + 5), (1, 0, t0), (2, 1, t0)]), 'unsorted events, a duplicate'),
        (H('date', 'text', ab, [('"%s"' % long_ascii, 0, t0)]), 'a text id at the length limit'),
        (H('date', 'text', ab, [('"%s"' % long_utf8, 0, t0)]), 'a multibyte text id at the length limit'),
        (H('date', 'text', ab, [('"%sx"' % long_ascii, 0, t0)]), 'a text id over the length limit'),
        (H('date', 'text', ab, [('"%sx"' % long_utf8, 0, t0)]), 'a multibyte text id over the length limit'),
        (H('date', 'text', ab, [('"\\a"', 0, t0), ('"a"', 1, t0 + 1)]), 'an escaped id: the same deal'),
        (H('date', 'text', ab, [('""', 0, t0), (r'"\"\\,()[]"', 1, t0), ('" "', 2, t0)]), 'empty, escaped and blank ids'),
        (H('date', 'text', [r'"],events=[(\"x\",0,0)])"', '"b"'], [('"x"', 0, t0)]),
         'a stage name that looks like the events'),
        (H('date', 'bigint', ['"a"', '"a"'], [(1, 0, t0)]), 'duplicate stage names'),
        (H('date', 'bigint', [], [(1, 0, t0)]), 'no stages'),
        (H('date', 'bigint', ['"s%d"' % i for i in range(64)], [(1, 64, t0)]), '64 stages'),
        (H('date', 'bigint', ['"s%d"' % i for i in range(65)], [(1, 0, t0)]), '65 stages'),
        ('( version=1 , time=date , ids=bigint , stages=[ "a" , "b" ] , events=[ ( 1 , 0 , 0 ) , ( 2 , 1 , 5 ) ] ) ',
         'spaces everywhere'),
        ('(version=1,time=date,ids=bigints,stages=["a"],events=[])', 'ids=bigints'),
        ('(version=1,time=date,ids=,stages=["a"],events=[])', 'ids empty'),
        ('(version=1,time=date,ids=text,stages=["a"],events=[("x",0,0),])', 'a trailing comma'),
    ]]


HIST_EVENT_RE = re.compile(r'\((?:"(?:[^"\\]|\\.)*"|-?\d+),-?\d+,-?\d+\)')
HIST_STAGES_RE = re.compile(r'stages=\[((?:"(?:[^"\\]|\\.)*",?)*)\]')
HIST_NAME_RE = re.compile(r'"(?:[^"\\]|\\.)*"')


def mutate_history_text(s, rng):
    """stage_history: edit the events, the stage names or the types."""
    evs = list(HIST_EVENT_RE.finditer(s))
    st = HIST_STAGES_RE.search(s)
    names = HIST_NAME_RE.findall(st.group(1)) if st else []
    n = len(names)
    text_ids = ',ids=text,' in s
    r = rng.randrange(10)
    if r <= 6 and evs:
        m = rng.choice(evs)
        body = m.group()[1:-1]
        ident, pos, ts = body.rsplit(',', 2)
        if r == 0:
            return s[:m.end()] + ',' + m.group() + s[m.end():], 'event repeated'
        if r == 1:
            start = m.start() - 1 if s[m.start() - 1] == ',' else m.start()
            end = m.end() + 1 if start == m.start() and s[m.end():m.end() + 1] == ',' else m.end()
            return s[:start] + s[end:], 'event dropped'
        if r == 2:
            pos = str(rng.choice([0, n - 1, n, n + 1, -1, 64, 65, 32767, 65536]))
            what = 'event position := %s' % pos
        elif r == 3:
            ts = str(rng.choice(HISTORY_TS + [int(ts) + rng.choice([-1, 1, USECS_PER_DAY])]))
            what = 'event time := %s' % ts
        elif r == 4:
            if rng.random() < 0.4:
                ident = HIST_EVENT_RE.match(rng.choice(evs).group()).group()[1:-1].rsplit(',', 2)[0]
            elif text_ids:
                ident = rng.choice(['""', '"\\""', '"\\\\"', '"é"', '"😀"', '"a\\"', '"\\x"', '7', '"a"b"',
                                    '"%s"' % ('a' * HISTORY_MAX_ID), '"%s"' % ('a' * (HISTORY_MAX_ID + 1)),
                                    '"%s"' % ('é' * (HISTORY_MAX_ID // 2)), '"%sa"' % ('é' * (HISTORY_MAX_ID // 2))])
            else:
                ident = rng.choice(['0', '-0', '9223372036854775807', '-9223372036854775808', '9223372036854775808',
                                    '-9223372036854775809', '"1"', '1.5', '+1', ''])
            what = 'event id := %s' % ident[:40]
        elif r == 5:
            items = [x.group() for x in evs]
            rng.shuffle(items)
            return (s[:evs[0].start()] + ','.join(items) + s[evs[-1].end():], 'events shuffled') \
                if s[evs[0].start():evs[-1].end()].count('),(') == len(evs) - 1 else (s, None)
        else:
            ident = rng.choice(['"zz"', '-3', ident])
            return s[:m.end()] + ',(%s,%s,%s)' % (ident, rng.randint(0, n), rng.choice(HISTORY_TS)) + s[m.end():], \
                'event added'
        return s[:m.start()] + '(%s,%s,%s)' % (ident, pos, ts) + s[m.end():], what
    if r == 7 and st:
        k = rng.randrange(4)
        if k == 0:
            new = names + [rng.choice(['"new"', '""', '"%s"' % ('y' * 300), '"\\\\"'] + names)]
        elif k == 1:
            new = names[:-1]
        elif k == 2:
            new = names + ['"s%d"' % i for i in range(64 - n + rng.choice([0, 0, 1]))]
        else:
            new = names[::-1]
        return s[:st.start(1)] + ','.join(new) + s[st.end(1):], 'stages edit %d' % k
    if r == 8:
        if rng.random() < 0.5:
            return s.replace(',ids=text,', ',ids=bigint,') if text_ids else s.replace(',ids=bigint,', ',ids=text,'), \
                'ids type switched'
        kind = rng.choice(['date', 'timestamp', 'timestamptz', 'interval', ''])
        return re.sub(r',time=[a-z]*,', ',time=%s,' % kind, s, count=1), 'time := %s' % kind
    m = re.search(r',events=\[', s)
    if m:
        return s[:m.end()] + '])', 'events emptied'
    return s, None


def mutate_text(typ, s, seeds, rng):
    ops = []
    n = rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 6])
    for _ in range(n):
        op = rng.randrange(20 if typ in ('stage_times', 'stage_history') else 18)
        L = len(s)
        if op in (0, 1, 2):
            nums = list(NUM_RE.finditer(s))
            if nums:
                m = rng.choice(nums)
                r = rng.random()
                if r < 0.6:
                    v = rng.choice(NUMS)
                elif r < 0.8 and '.' not in m.group():
                    v = str(int(m.group()) + rng.choice([-1, 1, -2, 2, 10, -(10 ** 6)]))
                else:
                    v = rng.choice(nums).group()
                s = s[:m.start()] + v + s[m.end():]
                ops.append('number at %d := %r' % (m.start(), v[:50]))
        elif op == 3 and L:
            i = rng.randrange(L)
            k = rng.choice([1, 1, 1, 2, 5, 20])
            s = s[:i] + s[i + k:]
            ops.append('delete %d chars at %d' % (k, i))
        elif op == 4 and L:
            i = rng.randrange(L)
            k = rng.choice([1, 1, 3, 10, 40])
            s = s[:i] + s[i:i + k] * rng.choice([2, 2, 3, 50]) + s[i + k:]
            ops.append('repeat %d chars at %d' % (k, i))
        elif op == 5 and L:
            i = rng.randrange(L)
            s = s[:i] + rng.choice(POOL) + s[i + 1:]
            ops.append('replace char %d' % i)
        elif op == 6:
            i = rng.randrange(L + 1)
            c = rng.choice(STRUCT_CHARS)
            s = s[:i] + c + s[i:]
            ops.append('insert %r at %d' % (c, i))
        elif op == 7:
            idx = [i for i, c in enumerate(s) if c in STRUCT_CHARS]
            if idx:
                i = rng.choice(idx)
                s = s[:i] + s[i + 1:]
                ops.append('delete %r at %d' % (s[i:i + 1], i))
        elif op == 8:
            fields = list(FIELD_RE.finditer(s))
            if fields:
                m = rng.choice(fields)
                end = m.end()
                while end < len(s) and s[end] not in ',)':
                    end += 1
                r = rng.randrange(3)
                if r == 0:
                    s = s[:m.end()] + s[end:]
                    ops.append('empty field %s' % m.group(1))
                elif r == 1:
                    start = m.start() - 1 if m.start() and s[m.start() - 1] == ',' else m.start()
                    s = s[:start] + s[end:]
                    ops.append('drop field %s' % m.group(1))
                else:
                    s = s[:end] + ',' + s[m.start():end] + s[end:]
                    ops.append('repeat field %s' % m.group(1))
        elif op == 9:
            fields = list(FIELD_RE.finditer(s))
            if fields:
                m = rng.choice(fields)
                other = rng.choice(fields).group(1)
                new = rng.choice([other, other.upper(), m.group(1) + 'x', m.group(1)[:-1], ''])
                s = s[:m.start()] + new + s[m.start() + len(m.group(1)):]
                ops.append('rename field %s to %s' % (m.group(1), new))
        elif op == 10:
            k = rng.randrange(L + 1)
            s = s[:k]
            ops.append('truncate to %d' % k)
        elif op == 11:
            junk = rng.choice([')', ']', ',', ' ', '\n', '\t', rand_text(rng, rng.randint(1, 8)), '"', '\\'])
            s = s + junk if rng.random() < 0.7 else junk + s
            ops.append('add %r at an end' % junk)
        elif op == 12:
            i = rng.randrange(L + 1)
            ws = rng.choice([' ', '\t', '\n', '\r', '  \n ', '\x0b', '\x0c', '\u00a0'])
            s = s[:i] + ws + s[i:]
            ops.append('insert whitespace %r at %d' % (ws, i))
        elif op == 13:
            i = rng.randrange(L + 1)
            t = rand_text(rng, rng.randint(1, 12))
            s = s[:i] + t + s[i:]
            ops.append('insert %d random chars at %d' % (len(t), i))
        elif op == 14:
            s = rand_text(rng, rng.randint(0, 64))
            if rng.random() < 0.5:
                s = '(' + s + ')'
            ops.append('random text')
        elif op == 15:
            sn, other = rng.choice(seeds)
            k = rng.randrange(min(len(s), len(other)) + 1)
            s = s[:k] + other[k:]
            ops.append('splice with seed %d at %d' % (sn, k))
        elif op == 16:
            # list elements: stage_path events, stage_funnel stages (stage_times: see mutate_times_text)
            m = re.search(r'\[(.*)\]', s, re.S)
            if m:
                items = m.group(1).split(',') if m.group(1) else []
                r = rng.randrange(5)
                if r == 0 and items:
                    items = items * rng.choice([2, 3, 30])
                elif r == 1 and items:
                    del items[rng.randrange(len(items))]
                elif r == 2:
                    items.append(rng.choice(['0@0', '64@0', '"x":0', '"":1', '"\\"":0', '"a\\\\":1', '"é":1',
                                             '1@%d' % (END_TIMESTAMP - 1), '"s":9223372036854775807']))
                elif r == 3:
                    items = []
                else:
                    rng.shuffle(items)
                s = s[:m.start(1)] + ','.join(items) + s[m.end(1):]
                ops.append('list edit %d' % r)
        elif op == 17:
            # quotes and escapes inside a stage name
            q = [i for i, c in enumerate(s) if c == '"']
            if q:
                i = rng.choice(q)
                ins = rng.choice(['\\', '\\"', '"', '\\\\', '\\x', rand_text(rng, 3)])
                s = s[:i + 1] + ins + s[i + 1:]
                ops.append('insert %r after quote at %d' % (ins, i))
        elif op >= 18:
            s, what = (mutate_times_text if typ == 'stage_times' else mutate_history_text)(s, rng)
            if what:
                ops.append(what)
    s = s.replace('\0', '')
    return s, '; '.join(ops) or 'no-op'


# --------------------------------------------------------------------------
# running batches
# --------------------------------------------------------------------------

class Fuzzer:
    def __init__(self, workdir):
        self.workdir = workdir
        self.token = 'FZ%08x' % random.Random(SEED).randrange(1 << 32)
        self.mark_re = re.compile(r'^%s ([LCRE]) (-?\d+)$' % self.token)
        self.err_re = re.compile(r'\b(ERROR|FATAL|PANIC):\s+([0-9A-Z]{5}): (.*)')
        self.bad_re = re.compile(r'WARNING:\s+01000: FZBAD: (.*)')
        self.note_re = re.compile(r'WARNING:\s+01000: FZNOTE: (.*)')
        self.client_err_re = re.compile(r'^psql:[^:]*:\d+: error: (.*)')   # psql itself, e.g. \copy file
        self.crash_re = re.compile(r'server closed the connection unexpectedly|terminating connection|'
                                   r'connection to server was lost|no connection to the server|'
                                   r'could not connect to server|connection to server .* failed')
        self.stats = {}          # (typ, kind) -> [total, rejected, accepted]
        self.sqlstates = {}      # (typ, kind, sqlstate) -> count
        self.failures = []       # (category, mutant, detail)
        self.notes = {}          # note text (first 160 chars) -> count
        self.crashes = 0
        self.faildir = None
        self.times = {}          # (typ, kind) -> seconds
        self.selftest_id = None
        self.harness_errors = []

    # ---- reporting ----

    def save(self, m, category, detail):
        if self.faildir is None:
            self.faildir = tempfile.mkdtemp(prefix='kpi_fuzz_failures.%d.' % SEED, dir='/tmp')
        base = os.path.join(self.faildir, '%s-%s-%s-%d' % (category, m.typ, m.kind, m.id))
        if m.kind == 'bin':
            with open(base + '.copy', 'wb') as f:
                f.write(copy_file([(None, m.data)]))
            with open(base + '.hex', 'w') as f:
                f.write(m.data.hex() + '\n')
            repro = ("-- %s\n-- mutation: %s\n-- detail: %s\n"
                     "CREATE TEMP TABLE repro (v %s);\n"
                     "\\copy repro FROM '%s.copy' WITH (FORMAT binary)\n"
                     "SELECT v::text FROM repro;\nSELECT v::text::%s FROM repro;\n"
                     % (category, m.desc, detail.replace('\n', ' '), m.typ, base, m.typ))
        else:
            with open(base + '.txt', 'wb') as f:
                f.write(m.data.encode('utf-8'))
            repro = ("-- %s\n-- mutation: %s\n-- detail: %s\n"
                     "SELECT %s::%s AS v;\nSELECT (%s::%s)::text::%s;\n"
                     % (category, m.desc, detail.replace('\n', ' '), sql_literal(m.data), m.typ,
                        sql_literal(m.data), m.typ, m.typ))
        with open(base + '.sql', 'w', encoding='utf-8') as f:
            f.write(repro)
        return base + ('.copy' if m.kind == 'bin' else '.txt')

    def fail(self, category, m, detail):
        path = self.save(m, category, detail) if m is not None else ''
        self.failures.append((category, m, detail, path))
        what = '%s %s mutant %d (%s)' % (m.typ, m.kind, m.id, m.desc) if m else 'batch'
        print('FAIL %s: %s: %s%s' % (category, what, detail[:600],
                                      ('\n     saved: %s (reproducer: %s)' % (path, path.rsplit('.', 1)[0] + '.sql'))
                                      if path else ''), flush=True)

    # ---- one batch ----

    def script(self, typ, kind, muts, bdir):
        L = ['\\set ON_ERROR_STOP 0', '\\set VERBOSITY verbose', '\\set SHOW_CONTEXT never',
             "SET statement_timeout = '%s';" % STATEMENT_TIMEOUT, 'SET client_min_messages = warning;',
             'SET standard_conforming_strings = on;', 'TRUNCATE fz_acc_%s, fz_rt_%s;' % (typ, typ)]
        for m in muts:
            L.append('\\warn %s L %d' % (self.token, m.id))
            if m.id == self.selftest_id:
                L.append("DO $$BEGIN EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', "
                         "'kill -SEGV ' || pg_backend_pid()); END$$;")
            if kind == 'bin':
                path = os.path.join(bdir, '%d.copy' % m.id)
                with open(path, 'wb') as f:
                    f.write(copy_file([(m.id, m.data)]))
                L.append("\\copy fz_acc_%s FROM '%s' WITH (FORMAT binary)" % (typ, path))
            else:
                L.append('INSERT INTO fz_acc_%s VALUES (%d, %s);' % (typ, m.id, sql_literal(m.data)))
            L.append('\\warn %s C %d' % (self.token, m.id))
            L.append('SELECT fz_check(v) FROM fz_acc_%s WHERE id = %d;' % (typ, m.id))
        rt = os.path.join(bdir, 'roundtrip.copy')
        L.append('\\warn %s R 0' % self.token)
        L.append("\\copy (SELECT id, v FROM fz_acc_%s) TO '%s' WITH (FORMAT binary)" % (typ, rt))
        L.append("\\copy fz_rt_%s FROM '%s' WITH (FORMAT binary)" % (typ, rt))
        L.append("SELECT fz_rt_compare('%s');" % typ)
        L.append('\\warn %s E 0' % self.token)
        path = os.path.join(bdir, 'batch.sql')
        with open(path, 'w', encoding='utf-8') as f:
            f.write('\n'.join(L) + '\n')
        return path

    def run_batch(self, typ, kind, muts):
        """Runs the mutants; returns the ones still to run after a crash."""
        bdir = tempfile.mkdtemp(prefix='b', dir=self.workdir)
        t_0 = time.time()
        rc, err = run_script(self.script(typ, kind, muts, bdir))
        if os.environ.get('FUZZ_DEBUG'):
            print('  batch %s %s: %d mutants, psql %.2f s' % (typ, kind, len(muts), time.time() - t_0), flush=True)
        res = {}
        phase, cur = None, None
        crash_at = None
        ended = False
        rt_errors = []
        for line in err.splitlines():
            mk = self.mark_re.match(line)
            if mk:
                phase, cur = mk.group(1), int(mk.group(2))
                if phase == 'E':
                    ended = True
                elif phase in 'LC':
                    res.setdefault(cur, {'load': None, 'checked': False, 'bad': [], 'err': None})
                    if phase == 'C':
                        res[cur]['checked'] = True
                continue
            if self.crash_re.search(line) or re.search(r'\b(FATAL|PANIC):', line):
                if crash_at is None:
                    crash_at = (phase, cur, line.strip())
                continue
            mb = self.bad_re.search(line)
            if mb:
                if phase == 'C':
                    res[cur]['bad'].append(mb.group(1))
                elif phase == 'R':
                    mm = re.match(r'\[mutant (\d+)\] (.*)', mb.group(1))
                    if mm and int(mm.group(1)) in res:
                        res[int(mm.group(1))]['bad'].append('binary round trip: ' + mm.group(2))
                    else:
                        rt_errors.append(mb.group(1))
                continue
            mn = self.note_re.search(line)
            if mn:
                key = re.sub(r'; value .*', '', mn.group(1))[:160]
                self.notes[key] = self.notes.get(key, 0) + 1
                continue
            mc = self.client_err_re.match(line)
            if mc and not self.crash_re.search(line):
                self.harness_errors.append('%s %s %s: %s' % (typ, kind, cur, mc.group(1)))
                continue
            me = self.err_re.search(line)
            if me:
                state, msg = me.group(2), me.group(3)
                if phase == 'L' and res[cur]['load'] is None:
                    res[cur]['load'] = (state, msg)
                elif phase == 'C' and res[cur]['err'] is None:
                    res[cur]['err'] = (state, msg)
                elif phase == 'R':
                    rt_errors.append('%s %s' % (state, msg))
        shutil.rmtree(bdir, ignore_errors=True)

        # outcomes of the mutants that ran to the end
        culprit = None
        if crash_at is not None or not ended or rc != 0:
            culprit = crash_at[1] if crash_at and crash_at[0] in ('L', 'C') else (cur if phase in ('L', 'C') else None)
        for m in muts:
            r = res.get(m.id)
            if r is None or m.id == culprit:
                continue
            st = self.stats.setdefault((typ, kind), [0, 0, 0])
            if r['load'] is not None:
                st[0] += 1
                st[1] += 1
                key = (typ, kind, r['load'][0])
                self.sqlstates[key] = self.sqlstates.get(key, 0) + 1
                if bad_rejection(r['load'][0]):
                    self.fail('bad-error', m, 'refused with SQLSTATE %s: %s' % r['load'])
                elif typ in STRICT_SQLSTATES and r['load'][0] not in STRICT_SQLSTATES[typ][kind]:
                    self.fail('bad-error', m, 'refused with SQLSTATE %s (expected %s): %s'
                              % (r['load'][0], ' or '.join(sorted(STRICT_SQLSTATES[typ][kind])), r['load'][1]))
                continue
            if not r['checked']:
                continue        # did not get that far (crash later in the batch is handled below)
            st[0] += 1
            st[2] += 1
            if r['err'] is not None:
                self.fail('invalid-value', m, 'the check of the accepted value raised %s: %s' % r['err'])
            for b in r['bad']:
                self.fail('invalid-value', m, b)
        if rt_errors:
            self.diagnose_roundtrip(typ, kind, muts, res, rt_errors)

        if crash_at is None and ended and rc == 0:
            if not server_alive():
                print('FAIL crash: the server does not answer after a %s %s batch' % (typ, kind), flush=True)
                self.failures.append(('crash', None, 'server not answering after batch', ''))
                self.crashes += 1
                wait_for_server()
            return []
        # a crash, a lost connection or a hang
        self.crashes += 1
        by_id = {m.id: m for m in muts}
        if rc is None:
            detail = 'psql did not finish within %d s (hang)' % BATCH_TIMEOUT
        else:
            detail = 'psql exit code %s, %s' % (rc, crash_at[2] if crash_at else 'output ended early')
        where = {'L': 'while loading it', 'C': 'while checking the accepted value',
                 'R': 'in the binary round trip of the batch', None: 'before the first mutant'}
        if culprit in by_id:
            self.stats.setdefault((typ, kind), [0, 0, 0])[0] += 1
            self.fail('crash', by_id[culprit], '%s %s' % (detail, where.get(crash_at[0] if crash_at else phase, '')))
        else:
            print('FAIL crash: %s %s batch: %s %s' % (typ, kind, detail, where.get(phase, '')), flush=True)
            self.failures.append(('crash', None, detail, ''))
        if not wait_for_server():
            print('FATAL: the server did not come back after the crash', flush=True)
            self.crashes = MAX_CRASHES
            return []
        if culprit in by_id:
            idx = [m.id for m in muts].index(culprit)
            return muts[idx + 1:]
        return [m for m in muts if m.id not in res or not (res[m.id]['load'] or res[m.id]['checked'])]

    def diagnose_roundtrip(self, typ, kind, muts, res, rt_errors):
        """The batch's binary round trip failed: redo it value by value."""
        ids = [m.id for m in muts if m.id in res and res[m.id]['checked'] and res[m.id]['load'] is None]
        bdir = tempfile.mkdtemp(prefix='rt', dir=self.workdir)
        L = ['\\set VERBOSITY verbose', 'TRUNCATE fz_rt_%s;' % typ]
        for i in ids:
            f = os.path.join(bdir, '%d.copy' % i)
            L += ['\\warn %s L %d' % (self.token, i),
                  "\\copy (SELECT id, v FROM fz_acc_%s WHERE id = %d) TO '%s' WITH (FORMAT binary)" % (typ, i, f),
                  "\\copy fz_rt_%s FROM '%s' WITH (FORMAT binary)" % (typ, f)]
        L.append('\\warn %s E 0' % self.token)
        path = os.path.join(bdir, 'diag.sql')
        with open(path, 'w') as f:
            f.write('\n'.join(L) + '\n')
        _rc, err = run_script(path)
        shutil.rmtree(bdir, ignore_errors=True)
        by_id = {m.id: m for m in muts}
        cur, found = None, False
        for line in err.splitlines():
            mk = self.mark_re.match(line)
            if mk:
                cur = int(mk.group(2))
                continue
            me = self.err_re.search(line)
            if me and cur in by_id:
                found = True
                self.fail('invalid-value', by_id[cur],
                          'accepted, but its binary output is refused by its binary input: %s %s'
                          % (me.group(2), me.group(3)))
                cur = None
        if not found:
            print('FAIL invalid-value: %s %s batch: binary round trip: %s' % (typ, kind, '; '.join(rt_errors)[:600]),
                  flush=True)
            self.failures.append(('invalid-value', None, '; '.join(rt_errors), ''))

    def probe(self, typ):
        """Runs fz_probe_<typ>() once: its FZBAD warnings, an error or a
        crash are failures, its FZNOTEs counted."""
        path = os.path.join(self.workdir, 'probe_%s.sql' % typ)
        with open(path, 'w') as f:
            f.write('\\set VERBOSITY verbose\nSET client_min_messages = warning;\n'
                    "SET statement_timeout = '%s';\nSELECT fz_probe_%s();\n" % (STATEMENT_TIMEOUT, typ))
        rc, err = run_script(path)
        for line in err.splitlines():
            mb, mn, me = self.bad_re.search(line), self.note_re.search(line), self.err_re.search(line)
            if mb:
                print('FAIL invalid-value: %s' % mb.group(1)[:600], flush=True)
                self.failures.append(('invalid-value', None, mb.group(1), ''))
            elif mn:
                key = mn.group(1)[:160]
                self.notes[key] = self.notes.get(key, 0) + 1
            elif me or self.crash_re.search(line):
                print('FAIL crash: fz_probe_%s(): %s' % (typ, line.strip()), flush=True)
                self.failures.append(('crash' if not me or me.group(1) != 'ERROR' else 'bad-error', None, line, ''))
        if rc != 0 and not server_alive():
            self.crashes += 1
            wait_for_server()

    def run(self, typ, kind, muts):
        queue = list(muts)
        while queue and self.crashes < MAX_CRASHES:
            batch, queue = queue[:BATCH], queue[BATCH:]
            rest = self.run_batch(typ, kind, batch)
            queue = rest + queue


# --------------------------------------------------------------------------

def main():
    t0 = time.time()
    rng = random.Random(SEED)
    print('io_fuzz: seed %d (%s), %d random mutants per type and format (FUZZ_ITERATIONS), batches of %d'
          % (SEED, SEED_FROM, ITERATIONS, BATCH), flush=True)
    print('io_fuzz: reproduce with: %s  (inside a cluster: prefix the bash with pg_virtualenv -t -v 15, '
          'or give the same variables to bash test/run_tests.sh)' % replay_command(), flush=True)
    workdir = tempfile.mkdtemp(prefix='kpi_fuzz_work.', dir='/tmp')
    fz = Fuzzer(workdir)
    try:
        # the seeds: binary payloads through COPY TO ... FORMAT binary, text via hex
        seeds_bin, seeds_txt = {}, {}
        for typ in TYPES:
            f = os.path.join(workdir, 'seed_%s.copy' % typ)
            r = subprocess.run(PSQL + ['-v', 'ON_ERROR_STOP=1', '-c',
                                       "\\copy (SELECT n, v FROM fz_seed_%s ORDER BY n) TO '%s' WITH (FORMAT binary)"
                                       % (typ, f)], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if r.returncode != 0:
                print('io_fuzz: cannot export the seeds: %s' % r.stderr.decode('utf-8', 'replace'))
                return 1
            with open(f, 'rb') as fh:
                seeds_bin[typ] = [(struct.unpack('>i', row[0])[0], row[1]) for row in parse_copy(fh.read())]
            seeds_txt[typ] = []
            for line in psql_query("SELECT n, encode(convert_to(v::text, 'UTF8'), 'hex') FROM fz_seed_%s ORDER BY n"
                                   % typ):
                n, h = line.split('|')
                seeds_txt[typ].append((int(n), bytes.fromhex(h).decode('utf-8')))
            if LAYOUT[typ](seeds_bin[typ][0][1]) is None:
                print('io_fuzz: note: the binary layout of %s changed (payload of %d bytes); '
                      'field-aware mutations fall back to byte mutations' % (typ, len(seeds_bin[typ][0][1])))

        mid = 0
        plan = []
        for typ in TYPES:
            for kind in ('bin', 'txt'):
                seeds = seeds_bin[typ] if kind == 'bin' else seeds_txt[typ]
                seen = set(s for _, s in seeds)
                muts = []
                for sn, s in seeds:     # the seeds themselves first: they must pass
                    mid += 1
                    muts.append(Mutant(mid, typ, kind, s, 'seed %d unchanged' % sn))
                sweep = binary_sweep(typ, seeds) if kind == 'bin' else text_sweep(typ, seeds)
                for data, desc in sweep:
                    if data not in seen:
                        seen.add(data)
                        mid += 1
                        muts.append(Mutant(mid, typ, kind, data, desc))
                made = tries = 0
                while made < ITERATIONS and tries < ITERATIONS * 20:
                    tries += 1
                    sn, s = rng.choice(seeds)
                    if kind == 'bin':
                        data, desc = mutate_binary(typ, s, seeds, rng)
                    else:
                        data, desc = mutate_text(typ, s, seeds, rng)
                    if data in seen:
                        continue
                    seen.add(data)
                    mid += 1
                    made += 1
                    muts.append(Mutant(mid, typ, kind, data, 'seed %d: %s' % (sn, desc)))
                plan.append((typ, kind, muts, len(seeds)))
                if SELFTEST_CRASH and typ == 'deal_summary' and kind == 'bin':
                    fz.selftest_id = muts[min(SELFTEST_CRASH, len(muts)) - 1].id

        for typ, kind, muts, nseeds in plan:
            before = len(fz.failures)
            t1 = time.time()
            fz.run(typ, kind, muts)
            fz.times[(typ, kind)] = time.time() - t1
            # the unchanged seeds must have been accepted without complaint
            bad_seed = [f for f in fz.failures[before:] if f[1] is not None and f[1].id <= muts[nseeds - 1].id]
            if bad_seed:
                print('io_fuzz: the oracle rejects an unmodified seed of %s: fix test/fuzz/setup.sql' % typ)
            if fz.crashes >= MAX_CRASHES:
                print('io_fuzz: %d crashes, stopping' % fz.crashes)
                break
        if 'stage_history' in TYPES and fz.crashes < MAX_CRASHES:
            fz.probe('stage_history')
    finally:
        if KEEP:
            print('io_fuzz: work directory kept: %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    # ---- report ----
    def tot(kind, i):
        return sum(v[i] for (t, k), v in fz.stats.items() if k == kind)

    for typ in TYPES:
        b = fz.stats.get((typ, 'bin'), [0, 0, 0])
        t = fz.stats.get((typ, 'txt'), [0, 0, 0])
        print('  %-13s binary %5d (%5d rejected, %4d accepted, %4.1f s)   text %5d (%5d rejected, %4d accepted, %4.1f s)'
              % (typ, b[0], b[1], b[2], fz.times.get((typ, 'bin'), 0), t[0], t[1], t[2], fz.times.get((typ, 'txt'), 0)))
    def states(typ, kind):
        agg = {}
        for (t, k, s), c in fz.sqlstates.items():
            if k == kind and typ in (None, t):
                agg[s] = agg.get(s, 0) + c
        return ', '.join('%s %d' % (s, c) for c, s in sorted(((c, s) for s, c in agg.items()), reverse=True))

    for kind in ('bin', 'txt'):
        print('  %s rejections by SQLSTATE: %s' % ('binary' if kind == 'bin' else 'text', states(None, kind)))
    for typ in TYPES:
        print('    %-13s binary %s; text %s' % (typ, states(typ, 'bin') or '-', states(typ, 'txt') or '-'))
    for note, c in sorted(fz.notes.items()):
        print('  note (tolerated, %dx): %s' % (c, note))
    for e in fz.harness_errors[:5]:
        print('FAIL harness: psql error: %s' % e)
    if fz.harness_errors:
        fz.failures.append(('harness', None, '%d psql errors' % len(fz.harness_errors), ''))
    crashes = sum(1 for f in fz.failures if f[0] == 'crash')
    invalid = sum(1 for f in fz.failures if f[0] == 'invalid-value')
    other = sum(1 for f in fz.failures if f[0] not in ('crash', 'invalid-value'))
    if fz.failures:
        print('io_fuzz: FAILED, %d failure(s); reproducers in %s; replay the run with: %s'
              % (len(fz.failures), fz.faildir, replay_command()))
        groups = {}
        for cat, m, detail, path in fz.failures:
            key = (cat, m.typ if m else None, m.kind if m else None, re.sub(r'\d+', 'N', detail)[:60])
            groups.setdefault(key, []).append((m, detail, path))
        for (cat, _t, _k, _d), items in groups.items():
            m, detail, path = items[0]
            print('  %s%s: %s%s' % (cat, (' (%d mutants like this one)' % len(items)) if len(items) > 1 else '',
                                     ('%s %s mutant %d: ' % (m.typ, m.kind, m.id)) if m else '', detail[:300]))
            if path:
                print('      %s' % path)
    print('io_fuzz: %d binary mutants (%d rejected, %d accepted), %d text mutants (%d rejected, %d accepted), '
          '%d crashes, %d invalid values%s, %.0f s, seed %d (%s)'
          % (tot('bin', 0), tot('bin', 1), tot('bin', 2), tot('txt', 0), tot('txt', 1), tot('txt', 2),
             crashes, invalid, (', %d bad errors' % other) if other else '', time.time() - t0, SEED, SEED_FROM))
    return 0 if not fz.failures else 1


if __name__ == '__main__':
    sys.exit(main())
