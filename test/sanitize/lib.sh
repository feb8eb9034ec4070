# Helpers of test/sanitize.sh and test/t/sanitize_smoke.sh (sourced, not run).
#
# They build sales_kpi with sanitizer flags in a private copy of the tree,
# lay out a private PostgreSQL installation (the system postgres binary copied,
# every other file linked, our extension files in place of the system's), and
# start a throw-away server from it, under valgrind or with the ASan runtime
# preloaded.  Nothing of the system installation is changed, so this can run
# next to the default suite's cluster, which keeps using the installed build.
#
# PostgreSQL finds its lib and share directories relative to the binary it
# runs (make_relative_path() in src/port/path.c), so a copy of the binary at
# $SAN_DIR/inst$(pg_config --bindir)/postgres loads modules from
# $SAN_DIR/inst$(pg_config --pkglibdir) and extensions from
# $SAN_DIR/inst$(pg_config --sharedir)/extension.
#
# Needs root (the server runs as the system user postgres), PG_CONFIG and
# PGVER (test/lib.sh sets them).

SAN_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

san_log() { echo "sanitize: $*"; }

# Debian packages a mode needs, installed when missing.
san_ensure_tools() {
    local mode=$1 need=()
    case $mode in
        valgrind) command -v valgrind >/dev/null || need+=(valgrind) ;;
        asan|ubsan)
            local gccv libdir
            gccv=$(gcc -dumpversion 2>/dev/null | cut -d. -f1)
            libdir=$(gcc -print-file-name=libasan.so 2>/dev/null)
            [ -e "$libdir" ] && [ "$libdir" != libasan.so ] || need+=("libgcc-${gccv:-12}-dev")
            ;;
    esac
    command -v python3 >/dev/null || need+=(python3)
    command -v nm >/dev/null || need+=(binutils)
    [ ${#need[@]} -eq 0 ] && return 0
    san_log "installing ${need[*]}"
    as_root apt-get update -qq >/dev/null 2>&1
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; then
        san_log "FAILED: cannot install ${need[*]} (apt-get install ${need[*]})"
        return 1
    fi
}

# san_setup MODE: the work directory ($SAN_DIR) and the compiler flags of MODE.
san_setup() {
    SAN_MODE=$1
    case $SAN_MODE in
        valgrind)
            # no optimisation: every access of our code is where the source says
            SAN_COPT='-O0 -g3 -fno-omit-frame-pointer -fno-inline' ;;
        asan)
            # ASan finds overruns of stack and global objects of our code, and of
            # blocks PostgreSQL mallocs; UBSan signed overflow, shifts, misaligned
            # or NULL pointers, bad bool/enum loads, division by zero.
            # -fno-wrapv: PostgreSQL compiles with -fwrapv (pg_config CFLAGS),
            # which defines signed overflow as wrapping, so UBSan would not
            # report it; an overflow that wraps silently is what we look for.
            # UBSan reports and goes on (recoverable, the default), so one run
            # lists every finding; ASan aborts the backend at its first.
            SAN_COPT='-O1 -g3 -fno-omit-frame-pointer -fno-wrapv -fsanitize=address,undefined -fsanitize=float-cast-overflow' ;;
        ubsan)
            SAN_COPT='-O1 -g3 -fno-omit-frame-pointer -fno-wrapv -fsanitize=undefined -fsanitize=float-cast-overflow' ;;
        *) san_log "unknown mode '$SAN_MODE' (valgrind, asan or ubsan)"; return 1 ;;
    esac
    SAN_DIR=$(mktemp -d /tmp/kpi_sanitize.XXXXXXXX) || return 1
    chmod 755 "$SAN_DIR"
    SAN_PORT=$(san_free_port)
    SAN_SOCK=$SAN_DIR/sock
    SAN_BIN=$SAN_DIR/inst$("$PG_CONFIG" --bindir)
    SAN_LOGS=$SAN_DIR/logs
    mkdir -p "$SAN_SOCK" "$SAN_LOGS"
    # the server runs as postgres when we are root (it refuses to run as root),
    # else as ourselves
    if [ "$(id -u)" = 0 ]; then
        SAN_RUNAS=(runuser -u postgres --)
        chown postgres: "$SAN_SOCK" "$SAN_LOGS"
    else
        SAN_RUNAS=()
    fi
    chmod 1777 "$SAN_LOGS"
}

san_free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$((20000 + RANDOM % 20000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || [ -e "/tmp/.s.PGSQL.$p" ] || { echo "$p"; return; }
    done
    echo 5499
}

# san_build [EXTRA_C_FILE...]: copy the tree to $SAN_DIR/build, build it with
# the mode's flags, install it into $SAN_DIR/stage (make install DESTDIR=).
# Extra C files (the self-test module) are built as a second module.
san_build() {
    local b=$SAN_DIR/build f
    mkdir -p "$b"
    # the files a build needs; src/ and sql/ whole (their layout may change)
    for f in Makefile sales_kpi.control src sql expected test; do
        [ -e "$SAN_HERE/$f" ] && cp -a "$SAN_HERE/$f" "$b/"
    done
    for f in "$SAN_HERE"/*.mk; do [ -e "$f" ] && cp -a "$f" "$b/"; done
    make -s -C "$b" clean >/dev/null 2>&1
    find "$b" \( -name '*.o' -o -name '*.so' -o -name '*.bc' \) -delete
    san_log "building with COPT='$SAN_COPT' in $b"
    if ! make -s -C "$b" PG_CONFIG="$PG_CONFIG" COPT="$SAN_COPT" with_llvm=no > "$SAN_DIR/build.log" 2>&1; then
        tail -40 "$SAN_DIR/build.log"
        san_log "FAILED: the $SAN_MODE build"
        return 1
    fi
    make -s -C "$b" PG_CONFIG="$PG_CONFIG" COPT="$SAN_COPT" with_llvm=no DESTDIR="$SAN_DIR/stage" install >> "$SAN_DIR/build.log" 2>&1 || {
        tail -20 "$SAN_DIR/build.log"; san_log "FAILED: make install DESTDIR="; return 1; }
    # the self-test module: deliberate bugs the sanitizer must report
    mkdir -p "$SAN_DIR/selftest"
    cp "$SAN_HERE/test/sanitize/selftest.c" "$SAN_DIR/selftest/kpi_sanitize_selftest.c"
    printf 'MODULES = kpi_sanitize_selftest\nPG_CONFIG ?= pg_config\nPGXS := $(shell $(PG_CONFIG) --pgxs)\ninclude $(PGXS)\n' \
        > "$SAN_DIR/selftest/Makefile"
    if ! make -s -C "$SAN_DIR/selftest" PG_CONFIG="$PG_CONFIG" COPT="$SAN_COPT" with_llvm=no >> "$SAN_DIR/build.log" 2>&1 ||
       ! make -s -C "$SAN_DIR/selftest" PG_CONFIG="$PG_CONFIG" COPT="$SAN_COPT" with_llvm=no DESTDIR="$SAN_DIR/stage" install >> "$SAN_DIR/build.log" 2>&1; then
        tail -20 "$SAN_DIR/build.log"; san_log "FAILED: the self-test module"; return 1
    fi
}

# san_layout: the private installation under $SAN_DIR/inst.
san_layout() {
    local bindir libdir sharedir inst=$SAN_DIR/inst f
    bindir=$("$PG_CONFIG" --bindir)
    libdir=$("$PG_CONFIG" --pkglibdir)
    sharedir=$("$PG_CONFIG" --sharedir)
    mkdir -p "$inst$bindir" "$inst$libdir" "$inst$sharedir/extension"
    # a copy: PostgreSQL resolves symbolic links to find its own location
    cp "$bindir/postgres" "$inst$bindir/postgres"
    for f in "$libdir"/*; do ln -s "$f" "$inst$libdir/"; done
    for f in "$sharedir"/*; do [ "$(basename "$f")" = extension ] || ln -s "$f" "$inst$sharedir/"; done
    for f in "$sharedir"/extension/*; do ln -s "$f" "$inst$sharedir/extension/"; done
    # our files replace the system's (if sales_kpi is installed there)
    (cd "$SAN_DIR/stage" && find . -type f) | while read -r f; do
        f=${f#.}
        rm -f "$inst$f"
        mkdir -p "$(dirname "$inst$f")"
        cp "$SAN_DIR/stage$f" "$inst$f"
    done
    [ -f "$inst$libdir/sales_kpi.so" ] || { san_log "FAILED: no sales_kpi.so in the private installation"; return 1; }
    if [ "$SAN_MODE" = asan ]; then
        # libasan must be the first library of the process.  Preloaded into
        # the postmaster, it deadlocks on this Debian image: its
        # initialisation runs lazily, at the first malloc, and that comes
        # from libp11-kit's constructor inside newlocale() (which holds
        # glibc's locale lock); ASan's init then calls dlerror() -> gettext,
        # which releases that lock, and gnutls' bindtextdomain() hangs.  A
        # one-line library marked DF_1_INITFIRST (-z initfirst) runs its
        # constructor before every other, and its malloc() initialises ASan
        # while no lock is held.
        gcc -shared -fPIC -O2 -Wl,-z,initfirst -o "$SAN_DIR/asan_initfirst.so" "$SAN_HERE/test/sanitize/asan_initfirst.c" ||
            { san_log "FAILED: building asan_initfirst.so"; return 1; }
    fi
    chmod -R a+rX "$SAN_DIR"
}

# The command line that runs the server binary in this mode.
san_server_cmd() {
    local supp=$SAN_HERE/test/sanitize/valgrind.supp
    case $SAN_MODE in
        valgrind)
            echo valgrind --tool=memcheck --quiet --error-limit=no --num-callers=40 \
                --track-origins=yes --read-inline-info=yes \
                --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
                --suppressions="$supp" --log-file="$SAN_LOGS/valgrind.%p.log" \
                "$SAN_BIN/postgres" ;;
        asan)
            echo env LD_PRELOAD="$(gcc -print-file-name=libasan.so):$SAN_DIR/asan_initfirst.so" \
                ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:log_path=$SAN_LOGS/asan:disable_coredump=1:detect_odr_violation=0" \
                UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=0:log_path=$SAN_LOGS/ubsan" \
                "$SAN_BIN/postgres" ;;
        ubsan)
            echo env UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=0:log_path=$SAN_LOGS/ubsan" \
                "$SAN_BIN/postgres" ;;
    esac
}

# san_start: initdb and start the server ($SAN_PORT, socket in $SAN_SOCK).
san_start() {
    local initdb cmd i
    initdb=$("$PG_CONFIG" --bindir)/initdb
    mkdir -p "$SAN_DIR/data"
    [ "$(id -u)" = 0 ] && chown postgres: "$SAN_DIR/data"
    if ! (cd "$SAN_DIR" && "${SAN_RUNAS[@]}" "$initdb" -D "$SAN_DIR/data" -A trust -E UTF8 --locale=C.UTF-8 \
              > "$SAN_DIR/initdb.log" 2>&1); then
        cat "$SAN_DIR/initdb.log"; san_log "FAILED: initdb"; return 1
    fi
    cat >> "$SAN_DIR/data/postgresql.conf" <<EOF
listen_addresses = ''
port = $SAN_PORT
unix_socket_directories = '$SAN_SOCK'
shared_buffers = 32MB
max_connections = 30
fsync = off
full_page_writes = off
synchronous_commit = off
autovacuum = off
jit = off
max_parallel_workers_per_gather = 2
max_worker_processes = 8
logging_collector = off
log_line_prefix = '%m [%p] '
lc_messages = 'C'
EOF
    cmd=$(san_server_cmd)
    san_log "starting the $SAN_MODE server on port $SAN_PORT"
    # shellcheck disable=SC2086
    (cd "$SAN_DIR" && exec "${SAN_RUNAS[@]}" $cmd -D "$SAN_DIR/data" > "$SAN_DIR/server.log" 2>&1) &
    SAN_SERVER_PID=$!
    for i in $(seq 1 240); do
        if pg_isready -q -h "$SAN_SOCK" -p "$SAN_PORT" 2>/dev/null; then
            export PGHOST=$SAN_SOCK PGPORT=$SAN_PORT PGUSER=$(san_server_user) PGDATABASE=postgres
            unset PGPASSWORD PGSERVICE
            return 0
        fi
        kill -0 "$SAN_SERVER_PID" 2>/dev/null || break
        sleep 0.5
    done
    tail -30 "$SAN_DIR/server.log"
    san_log "FAILED: the $SAN_MODE server did not start"
    return 1
}

san_server_user() { if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi; }

# san_stop: fast shutdown (valgrind needs a while to write the leak reports).
san_stop() {
    local pid i
    [ -f "$SAN_DIR/data/postmaster.pid" ] || return 0
    pid=$(head -1 "$SAN_DIR/data/postmaster.pid")
    kill -INT "$pid" 2>/dev/null
    for i in $(seq 1 360); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        san_log "the server did not stop within 3 minutes: killing it"
        kill -KILL "$pid" 2>/dev/null
    fi
    [ -n "${SAN_SERVER_PID:-}" ] && wait "$SAN_SERVER_PID" 2>/dev/null
    # valgrind's per-backend log writers exit with their backends
    sleep 1
    return 0
}

san_cleanup() {
    [ -n "${SAN_DIR:-}" ] && [ -d "$SAN_DIR" ] || return 0
    san_stop
    if [ "${SAN_KEEP:-0}" = 1 ]; then
        san_log "work directory kept: $SAN_DIR"
    else
        rm -rf "$SAN_DIR"
    fi
}

# san_regress TEST...: pg_regress (make installcheck of the private build)
# against the sanitizer server; prints the result lines.  Returns the number
# of failed tests in SAN_REGRESS_FAILED, passed in SAN_REGRESS_PASSED.
san_regress() {
    local out
    out=$(make -s -C "$SAN_DIR/build" installcheck PG_CONFIG="$PG_CONFIG" REGRESS="$*" 2>&1)
    echo "$out" | grep -E '^(test |     |ok |not ok )' || true
    SAN_REGRESS_PASSED=$(echo "$out" | grep -cE '\.\.\. ok|^ok [0-9]+ ' || true)
    SAN_REGRESS_FAILED=$(echo "$out" | grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' || true)
    if [ "$SAN_REGRESS_PASSED" -eq 0 ] && [ "$SAN_REGRESS_FAILED" -eq 0 ]; then
        echo "$out" | tail -20
        SAN_REGRESS_FAILED=1
    fi
    if [ "$SAN_REGRESS_FAILED" -gt 0 ] && [ -f "$SAN_DIR/build/regression.diffs" ]; then
        head -80 "$SAN_DIR/build/regression.diffs"
    fi
}

# san_selftest: calls the deliberate bugs of test/sanitize/selftest.c (run it
# last: under ASan each one aborts its backend and the postmaster restarts
# them all); then san_report --selftest checks that each was reported.
san_selftest() {
    local f
    # an earlier finding may have crashed a backend: the server may be recovering
    san_wait_ready || return 1
    psql -X -q -d postgres -c "CREATE DATABASE kpi_sanitize_selftest" >/dev/null || return 1
    for f in $(san_selftest_cases); do
        psql -X -q -d kpi_sanitize_selftest \
             -c "CREATE FUNCTION $f(int) RETURNS int AS '\$libdir/kpi_sanitize_selftest' LANGUAGE C STRICT" \
             -c "SELECT $f(1)" >/dev/null 2>&1
        # the postmaster may take a moment to see the backend die and restart
        sleep 1
        san_wait_ready || return 1
    done
    psql -X -q -d postgres -c "DROP DATABASE kpi_sanitize_selftest" >/dev/null
}

# the self-test functions (test/sanitize/selftest.c) each mode must catch
san_selftest_cases() {
    case $SAN_MODE in
        valgrind) echo kpi_selftest_heap_overread kpi_selftest_uninit_branch ;;
        asan) echo kpi_selftest_heap_overread kpi_selftest_stack_overread kpi_selftest_signed_overflow ;;
        ubsan) echo kpi_selftest_signed_overflow ;;
    esac
}

san_wait_ready() {
    local i ok=0
    for i in $(seq 1 240); do
        if psql -X -qAt -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
            ok=$((ok + 1))
            [ "$ok" -ge 2 ] && return 0
        else
            ok=0
        fi
        sleep 0.5
    done
    return 1
}

# san_report [--selftest]: the findings in the logs (run after san_stop, so
# that every process has written its last words); non-zero if any is ours,
# or, with --selftest, if a deliberate bug of the self-test went unreported.
san_report() {
    local libdir src st=()
    libdir=$("$PG_CONFIG" --pkglibdir)
    src=$(cd "$SAN_DIR/build" && find src -name '*.[ch]' -printf '%f,' 2>/dev/null)
    [ "${1:-}" = --selftest ] && st=(--selftest "$(san_selftest_cases | tr ' ' ',')")
    python3 "$SAN_HERE/test/sanitize/report.py" --mode "$SAN_MODE" \
        --so "$SAN_DIR/stage$libdir/sales_kpi.so" \
        --selftest-so "$SAN_DIR/stage$libdir/kpi_sanitize_selftest.so" \
        --src "$src" --server-log "$SAN_DIR/server.log" "${st[@]}" "$SAN_LOGS"
}
