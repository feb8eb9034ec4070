# Shared helpers of test/run_tests.sh and test/demo.sh (sourced, not run).
# They install what a fresh Debian 12 + PostgreSQL 15 machine lacks, build and
# install the extension, and run commands against a throw-away cluster.

PGVER=${PGVER:-15}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PGVER/bin/pg_config}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Build dependencies: the server headers (postgresql-server-dev-15) and make/gcc.
ensure_deps() {
    local need=()
    [ -f "$($PG_CONFIG --pgxs 2>/dev/null)" ] || need+=("postgresql-server-dev-$PGVER")
    command -v make >/dev/null || need+=(make)
    command -v gcc >/dev/null || need+=(gcc)
    command -v pg_virtualenv >/dev/null || need+=(postgresql-common)
    command -v python3 >/dev/null || need+=(python3)   # bench smoke and fuzz tests
    if [ ${#need[@]} -gt 0 ]; then
        echo "== installing ${need[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
}

# Build with warnings as errors and install into the PostgreSQL installation.
build_install() {
    make -s clean >/dev/null
    make -s WERROR=1 PG_CONFIG="$PG_CONFIG" || return 1
    as_root make -s install PG_CONFIG="$PG_CONFIG" >/dev/null || return 1
}

# Run a command with a temporary cluster (PGHOST/PGPORT/PGUSER set); the
# cluster is removed afterwards whatever the command's outcome.
with_cluster() {
    pg_virtualenv -t -v "$PGVER" "$@"
}
