#!/usr/bin/env bash
# Trusted install (inside the test cluster: PGHOST etc. set, connected as a
# superuser, sales_kpi installed).  sales_kpi is a trusted extension:
#   1. a role that is not superuser, owner of a new database, creates the
#      extension and runs the whole pg_regress suite with it (every function);
#   2. the extension's objects belong to the bootstrap superuser, not to that
#      owner: the owner cannot redefine, alter or drop them one by one;
#   3. a plain user of the database can call the functions and nothing more:
#      no DROP/ALTER EXTENSION, no DROP or ALTER of its functions and types.
set -uo pipefail
cd "$(dirname "$0")/../.."

tag=$$
owner=kpi_owner_$tag
plain=kpi_plain_$tag
db=sales_kpi_trusted_$tag
pw=pw_$tag
out=$(mktemp -d)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
asuper() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
as() { local r=$1; shift; PGUSER=$r PGPASSWORD=$pw psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
cleanup() {
    asuper -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS sales_kpi_schema_test" >/dev/null 2>&1
    asuper -c "DROP ROLE IF EXISTS $plain" -c "DROP ROLE IF EXISTS $owner" >/dev/null 2>&1
    rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "trusted: FAIL: $*"; exit 1; }

super=$(asuper -Atc "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
[ "$super" = t ] || fail "the test must start as a superuser"
asuper -c "CREATE ROLE $owner LOGIN CREATEDB PASSWORD '$pw'" -c "CREATE ROLE $plain LOGIN PASSWORD '$pw'" \
   -c "CREATE DATABASE $db OWNER $owner" || fail "creating the roles and database"
# what pg_regress would set when it creates its database (superuser-only GUCs)
for g in lc_messages lc_monetary lc_numeric lc_time; do asuper -c "ALTER DATABASE $db SET $g TO 'C'"; done
asuper -c "ALTER DATABASE $db SET bytea_output TO 'hex'" -c "ALTER DATABASE $db SET timezone_abbreviations TO 'Default'"

# 1. the whole pg_regress suite as the database owner (setup creates the extension)
regress=$(dirname "$("$PG_CONFIG" --pgxs)")/../../src/test/regress/pg_regress
# all but catalog: it moves the extension with ALTER EXTENSION SET SCHEMA, which
# needs ownership of every member object, i.e. the superuser that owns them
tests=$(sed -n 's/^REGRESS *= *//p' Makefile | tr ' ' '\n' | grep -vx catalog | tr '\n' ' ')
if ! PGUSER=$owner PGPASSWORD=$pw "$regress" --inputdir=. --outputdir="$out" --use-existing --dbname="$db" \
        --bindir="$("$PG_CONFIG" --bindir)" $tests > "$out/log" 2>&1; then
    cat "$out/log"
    head -100 "$out/regression.diffs" 2>/dev/null
    fail "the regression suite as the non-superuser owner $owner"
fi
n=$(grep -cE '\.\.\. ok|^ok [0-9]+ ' "$out/log")
got=$(asuper -Atc "SELECT r.rolname, r.rolsuper FROM pg_extension e JOIN pg_roles r ON r.oid = e.extowner
               WHERE e.extname = 'sales_kpi'" -d "$db")
[ "$got" = "$owner|f" ] || fail "the extension should be owned by $owner (not superuser), got '$got'"

# 2. and 3. what the owner and a plain user may not do
expect_denied() {
    local who=$1 sql=$2 err
    if err=$(as "$who" -c "$sql" 2>&1); then
        fail "$who could run: $sql"
    fi
    grep -qE 'must be owner|permission denied|must be superuser|only superuser|because extension sales_kpi requires it' <<< "$err" \
        || fail "$who running '$sql' failed for another reason: $err"
}
as "$plain" -Atc "SELECT hit_ratio(w) FROM (VALUES (true), (false), (NULL)) v(w)" | grep -qx 0.5 \
    || fail "a plain user cannot call hit_ratio"
for who in "$owner" "$plain"; do
    expect_denied "$who" "DROP FUNCTION deals(deal_summary)"
    expect_denied "$who" "ALTER FUNCTION hit_ratio_final(bigint[]) SECURITY DEFINER"
    expect_denied "$who" "CREATE OR REPLACE FUNCTION hit_ratio_final(bigint[]) RETURNS float8 AS 'sales_kpi', 'hit_ratio_final' LANGUAGE C"
    expect_denied "$who" "ALTER TYPE deal_summary OWNER TO $who"
    expect_denied "$who" "DROP TYPE deal_summary CASCADE"
done
expect_denied "$plain" "DROP EXTENSION sales_kpi"
expect_denied "$plain" "ALTER EXTENSION sales_kpi UPDATE"
expect_denied "$plain" "ALTER EXTENSION sales_kpi SET SCHEMA pg_catalog"
# the owner may drop (and recreate) the whole extension
as "$owner" -c "DROP EXTENSION sales_kpi CASCADE" -c "CREATE EXTENSION sales_kpi" || fail "the owner cannot drop and recreate the extension"
echo "trusted: $n regression tests passed as non-superuser $owner; owner and plain user denied 13 privileged statements"
