# Shared helpers of test/run_tests.sh and test/demo.sh (sourced, not run).
# They install what a fresh Debian machine with a PostgreSQL server lacks,
# build and install the extension, and run commands against a throw-away
# cluster.
#
# Env: PGVER     the PostgreSQL major to build for (default: the newest server
#                installed under /usr/lib/postgresql, else 15)
#      PG_CONFIG that major's pg_config (default /usr/lib/postgresql/$PGVER/bin/pg_config)

if [ -z "${PGVER:-}" ]; then
    PGVER=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sed 's|/usr/lib/postgresql/\([0-9]*\)/.*|\1|' | sort -n | tail -1)
    PGVER=${PGVER:-15}
fi
export PGVER
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PGVER/bin/pg_config}

# Run a command as root: directly, or through sudo when that works without a
# password prompt we cannot answer; otherwise say exactly what to run.
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo "$@"
    elif command -v sudo >/dev/null && [ -t 0 ]; then
        sudo "$@"
    else
        echo "sales_kpi: this step needs root: $*" >&2
        echo "sales_kpi: run it as root (or install sudo and allow this user to use it), then try again" >&2
        return 1
    fi
}

# Build dependencies.  pgxs.mk and pg_config ship in postgresql-client-NN, so
# their presence proves nothing: the server headers (postgres.h) are what
# postgresql-server-dev-NN adds.
ensure_deps() {
    local need=() inc
    [ -x "/usr/lib/postgresql/$PGVER/bin/postgres" ] || need+=("postgresql-$PGVER")
    inc=$("$PG_CONFIG" --includedir-server 2>/dev/null)
    [ -n "$inc" ] && [ -f "$inc/postgres.h" ] || need+=("postgresql-server-dev-$PGVER")
    [ -f "$("$PG_CONFIG" --pgxs 2>/dev/null)" ] || need+=("postgresql-server-dev-$PGVER")
    command -v make >/dev/null || need+=(make)
    command -v gcc >/dev/null || need+=(gcc)
    command -v pg_virtualenv >/dev/null || need+=(postgresql-common)
    command -v python3 >/dev/null || need+=(python3)   # bench smoke and fuzz tests
    [ ${#need[@]} -eq 0 ] && return 0
    mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
    echo "== installing ${need[*]}"
    if ! as_root true 2>/dev/null; then
        echo "sales_kpi: missing build dependencies: ${need[*]}" >&2
        echo "sales_kpi: install them as root, then run this again:" >&2
        echo "    apt-get update && apt-get install ${need[*]}" >&2
        return 1
    fi
    as_root apt-get update -qq || return 1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || return 1
}

# Build with warnings as errors and install into the PostgreSQL installation
# (make uninstall removes it again).
build_install() {
    make -s clean >/dev/null
    make -s WERROR=1 PG_CONFIG="$PG_CONFIG" || return 1
    as_root make -s install PG_CONFIG="$PG_CONFIG" >/dev/null || return 1
}

# A TCP port nobody listens on.  pg_virtualenv would always take 5432 (it
# sees no other cluster), which collides with a running server or a second
# test run on the same machine.
free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$((20000 + RANDOM % 20000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    echo 5432
}

# Run a command with a temporary cluster (PGHOST/PGPORT/PGUSER set); the
# cluster is removed afterwards whatever the command's outcome.
with_cluster() {
    pg_virtualenv -t -v "$PGVER" -o "port=$(free_port)" "$@"
}
