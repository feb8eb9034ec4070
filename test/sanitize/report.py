#!/usr/bin/env python3
"""Reads the logs of a sanitizer run (test/sanitize.sh) and reports the errors
in our code.

  report.py --mode valgrind|asan|ubsan --so PATH[,PATH] [--selftest F1,F2] LOGDIR

valgrind: LOGDIR/valgrind.<pid>.log, one per server process (memcheck with
--track-origins, --leak-check=full --show-leak-kinds=definite).  asan/ubsan:
LOGDIR/asan.<pid>, LOGDIR/ubsan.<pid> (ASAN_OPTIONS / UBSAN_OPTIONS log_path).

An error is ours when a frame of any of its stacks (where it happened, where
the memory was allocated or freed, where an uninitialised value was created)
is a function defined in one of the --so libraries (their symbols, read with
nm) or lies in one of them.  Ours are printed in full and make the exit status
1; the others (PostgreSQL's and the libraries' own, which have no frame of
ours) are counted and summarised.  With --selftest, every function listed
must appear in an error (the self-test module's deliberate bugs); a missing
one makes the exit status 1; errors in the self-test module are never counted
as ours.
"""

import argparse
import os
import re
import subprocess
import sys


def defined_functions(so):
    try:
        out = subprocess.run(['nm', '--defined-only', so], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, check=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return set()
    return {l.split()[-1] for l in out.splitlines() if len(l.split()) == 3 and l.split()[1] in 'tTwW'}


VG_PREFIX = re.compile(r'^==(\d+)== ?(.*)$')
VG_FRAME = re.compile(r'^\s+(?:at|by) 0x[0-9A-Fa-f]+: (.*?)(?: \((?:in )?([^()]*)\))?$')
SAN_FRAME = re.compile(r'^\s*#\d+ 0x[0-9a-f]+ in (\S+)(?: (.*))?$')
SAN_FRAME_NOFN = re.compile(r'^\s*#\d+ 0x[0-9a-f]+ +\(([^)+]*)')


def valgrind_blocks(path):
    """Error blocks of one valgrind log: (first line, [(function, where)], text)."""
    blocks, cur = [], None
    with open(path, errors='replace') as f:
        for line in f:
            m = VG_PREFIX.match(line.rstrip('\n'))
            if not m:
                continue
            body = m.group(2)
            if body.strip() == '':
                if cur:
                    blocks.append(cur)
                cur = None
                continue
            if cur is None:
                if body.startswith(' '):
                    continue
                cur = [body, [], [body]]
                continue
            cur[2].append(body)
            fm = VG_FRAME.match(body)
            if fm:
                cur[1].append((fm.group(1), fm.group(2) or ''))
    if cur:
        blocks.append(cur)
    out = []
    for first, frames, text in blocks:
        if first.startswith('Warning:') or first.startswith('HEAP SUMMARY') or first.startswith('LEAK SUMMARY') \
                or first.startswith('ERROR SUMMARY') or first.startswith('For lists of') or first.startswith('Memcheck,') \
                or first.startswith('Copyright') or first.startswith('Using Valgrind') or first.startswith('Command:') \
                or first.startswith('Parent PID') or first.startswith('in use at exit') or first.startswith('total heap usage') \
                or first.startswith('All heap blocks') or first.startswith('To see them') or first.startswith('Rerun with') \
                or first.startswith('Use --') or first.startswith('(see section') or first.startswith('Searching for pointers'):
            continue
        out.append((first, frames, text))
    return out


def sanitizer_blocks(path):
    """Reports of one ASan / UBSan log."""
    with open(path, errors='replace') as f:
        text = f.read()
    out = []
    # ASan: "==PID==ERROR: AddressSanitizer: ..." up to "==PID==ABORTING";
    # UBSan: "file:line:col: runtime error: ..." followed by its stack
    parts = re.split(r'(?m)^(?===\d+==ERROR: |\S+:\d+:\d+: runtime error: )', text)
    for p in parts:
        lines = p.splitlines()
        if not lines:
            continue
        first = lines[0]
        if not re.match(r'==\d+==ERROR: ', first) and 'runtime error:' not in first:
            continue
        frames = []
        for l in lines[1:]:
            if l.startswith('==') and 'ABORTING' in l:
                break
            if re.match(r'^\d{4}-\d\d-\d\d ', l):      # a server log line: the report has ended
                if frames:
                    break
                continue
            fm = SAN_FRAME.match(l)
            if fm:
                frames.append((fm.group(1), fm.group(2) or ''))
                continue
            fm = SAN_FRAME_NOFN.match(l)
            if fm:
                frames.append(('??', fm.group(1)))
        # a UBSan first line names our source file
        loc = re.match(r'^(\S+):\d+:\d+: runtime error', first)
        if loc:
            frames.insert(0, ('(source)', loc.group(1)))
        out.append((re.sub(r'^==\d+==', '', first), frames, lines[:60]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mode', required=True, choices=['valgrind', 'asan', 'ubsan'])
    ap.add_argument('--so', required=True, help='comma-separated: our libraries (sales_kpi.so)')
    ap.add_argument('--selftest-so', default='', help='the self-test module')
    ap.add_argument('--selftest', default='', help='comma-separated functions that must be reported')
    ap.add_argument('--src', default='', help='comma-separated source file names of our code')
    ap.add_argument('--server-log', default='', help="the server's stderr (UBSan prints there)")
    ap.add_argument('logdir')
    a = ap.parse_args()

    ours_so = [s for s in a.so.split(',') if s]
    our_funcs = set()
    for s in ours_so:
        our_funcs |= defined_functions(s)
    our_names = {os.path.basename(s) for s in ours_so}
    our_src = {s for s in a.src.split(',') if s}
    self_funcs = defined_functions(a.selftest_so) if a.selftest_so else set()
    self_name = os.path.basename(a.selftest_so) if a.selftest_so else None
    self_src = {'kpi_sanitize_selftest.c'}

    def frame_is(fr, funcs, names, srcs=()):
        fn, where = fr
        base = re.sub(r'\(.*', '', fn)
        if base in funcs:
            return True
        if any(n in where for n in names):
            return True
        w = where.split(':')[0]
        return bool(srcs) and os.path.basename(w) in srcs

    blocks = []
    files = sorted(os.listdir(a.logdir)) if os.path.isdir(a.logdir) else []
    for fn in files:
        p = os.path.join(a.logdir, fn)
        if not os.path.isfile(p):
            continue
        if a.mode == 'valgrind' and fn.startswith('valgrind.'):
            blocks += [(fn,) + b for b in valgrind_blocks(p)]
        elif a.mode != 'valgrind' and (fn.startswith('asan.') or fn.startswith('ubsan.')):
            blocks += [(fn,) + b for b in sanitizer_blocks(p)]
    if a.mode != 'valgrind' and a.server_log and os.path.isfile(a.server_log):
        blocks += [('server log',) + b for b in sanitizer_blocks(a.server_log) if 'runtime error' in b[0]]

    ours, selftest, other = {}, [], {}
    for fn, first, frames, text in blocks:
        is_self = any(frame_is(f, self_funcs, [self_name] if self_name else [], self_src) for f in frames)
        is_ours = any(frame_is(f, our_funcs, our_names, our_src) for f in frames)
        if is_self and not is_ours:
            selftest.append((first, frames))
            continue
        if is_ours:
            ourf = [f[0] for f in frames if frame_is(f, our_funcs, our_names, our_src)][:3]
            rt = re.match(r'^(\S+:\d+:\d+: runtime error: [^:0-9]*)', first)
            if rt:
                # UBSan: one finding per source location and kind, whatever the values
                key = (rt.group(1), ())
            else:
                key = (re.sub(r'0x[0-9a-fA-F]+|[\d,]+ bytes|size [\d,]+', 'N', first), tuple(ourf))
            ours.setdefault(key, []).append((fn, text))
        else:
            top = frames[0][0] if frames else '?'
            key = (re.sub(r'0x[0-9a-fA-F]+|[\d,]+', 'N', first), top)
            other[key] = other.get(key, 0) + 1

    rc = 0
    leaks = sum(len(v) for k, v in ours.items() if 'definitely lost' in k[0])
    errs = sum(len(v) for k, v in ours.items() if 'definitely lost' not in k[0])
    print('sanitize report (%s): %d log files, %d reports; in our code: %d errors, %d definite leaks '
          '(%d distinct); elsewhere (PostgreSQL, libraries): %d'
          % (a.mode, len(files), len(blocks), errs, leaks, len(ours), sum(other.values())))
    for (first, ourf), items in sorted(ours.items(), key=lambda kv: -len(kv[1])):
        rc = 1
        print('--- OURS (%dx, first in %s): %s' % (len(items), items[0][0], first))
        for l in items[0][1][:28]:
            print('    ' + l)
    if other:
        print('reports without a frame of ours (not counted), by kind and top frame:')
        for (first, top), c in sorted(other.items(), key=lambda kv: -kv[1])[:15]:
            print('    %4dx %s  [at %s]' % (c, first[:110], top))
    if a.selftest:
        # a report without a stack (UBSan prints none in some set-ups) is
        # matched by its kind
        kinds = {'kpi_selftest_heap_overread': r'heap-buffer-overflow|Invalid read',
                 'kpi_selftest_uninit_branch': r'uninitialised',
                 'kpi_selftest_stack_overread': r'stack-buffer-overflow|out of bounds',
                 'kpi_selftest_signed_overflow': r'signed integer overflow'}
        for f in [x for x in a.selftest.split(',') if x]:
            hit = [b for b in selftest if any(fr[0].startswith(f) for fr in b[1])
                   or (not any(fr[0] not in ('(source)', '??') for fr in b[1]) and re.search(kinds.get(f, '^$'), b[0]))]
            if hit:
                print('self-test: %s reported: %s' % (f, hit[0][0][:120]))
            else:
                print('self-test FAILED: %s (a deliberate bug) was not reported' % f)
                rc = 1
    return rc


if __name__ == '__main__':
    sys.exit(main())
