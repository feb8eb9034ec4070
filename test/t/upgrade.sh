#!/usr/bin/env bash
# Upgrade test (inside the test cluster: PGHOST etc. set, sales_kpi installed).
#
# For every released version OLD (an install script sql/released/sales_kpi--OLD.sql;
# NEW is the control file's default_version):
#   1. CREATE EXTENSION sales_kpi VERSION 'OLD'; store a value of every type in a
#      table and a materialized view (test/upgrade/schema.sql); print every value
#      and every reader of it (test/upgrade/readers.sql); save the table in text
#      and binary COPY form;
#   2. ALTER EXTENSION sales_kpi UPDATE; the version is NEW; the stored values and
#      the refreshed materialized view print exactly as before; the saved text and
#      binary forms read back into equal values;
#   3. the catalog of the updated database (test/upgrade/catalog.sql: every
#      object, its definition and comment) equals that of a fresh NEW install.
# And for every frozen version under test/data/frozen/V/ (the text and binary
# forms written by release V and its readers' output): they read back into
# NEW and give the same readers' output.  Stored forms stay readable forever.
#
#   KPI_UPGRADE_FREEZE=V bash test/t/upgrade.sh   (in a cluster) writes
#   test/data/frozen/V/ from the installed build: do it once per release.
set -uo pipefail
cd "$(dirname "$0")/../.."

new=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" sales_kpi.control)
tag=$$
db=sales_kpi_upgrade_$tag
fresh=sales_kpi_fresh_$tag
tmp=$(mktemp -d)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
cleanup() { dropdb --if-exists "$db" >/dev/null 2>&1; dropdb --if-exists "$fresh" >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "upgrade: FAIL: $*"; exit 1; }
q() { local d=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$d" "$@"; }
cols="id, ds, dsp, ds_ts, ds_date, os, sp, sp_ts, sf, sf_ordered, st, sh, sh_text"

if [ -n "${KPI_UPGRADE_FREEZE:-}" ]; then
    v=$KPI_UPGRADE_FREEZE
    out=test/data/frozen/$v
    mkdir -p "$out"
    createdb "$db"
    q "$db" -c "CREATE EXTENSION sales_kpi VERSION '$v'" -f test/upgrade/schema.sql || fail "set-up on $v"
    q "$db" -c "\\copy stored ($cols) TO '$out/stored.copy'" -c "\\copy stored ($cols) TO '$out/stored.bin' (FORMAT binary)"
    echo "$cols" > "$out/columns"
    q "$db" -v forms=false -f test/upgrade/readers.sql > "$out/readers.out" || fail "readers on $v"
    echo "froze version $v into $out ($(wc -l < "$out/readers.out") reader lines)"
    exit 0
fi

createdb "$fresh"
q "$fresh" -c "CREATE EXTENSION sales_kpi" || fail "fresh install of $new"
q "$fresh" -f test/upgrade/catalog.sql > "$tmp/catalog.fresh" || fail "catalog of the fresh install"
grep -q "^extension sales_kpi version=$new " "$tmp/catalog.fresh" || fail "a fresh install is not version $new"

olds=$(ls sql/released/sales_kpi--*.sql | grep -v -- '--.*--' | sed 's/.*sales_kpi--\(.*\)\.sql/\1/' | grep -vxF "$new")
[ -n "$olds" ] || fail "no earlier release to upgrade from"
for old in $olds; do
    dropdb --if-exists "$db" >/dev/null 2>&1
    createdb "$db"
    q "$db" -c "CREATE EXTENSION sales_kpi VERSION '$old'" -f test/upgrade/schema.sql || fail "set-up on $old"
    q "$db" -f test/upgrade/readers.sql > "$tmp/before" || fail "readers on $old"
    q "$db" -c "\\copy stored ($cols) TO '$tmp/stored.copy'" -c "\\copy stored ($cols) TO '$tmp/stored.bin' (FORMAT binary)" \
        || fail "saving the stored values of $old"
    q "$db" -c "ALTER EXTENSION sales_kpi UPDATE" || fail "ALTER EXTENSION sales_kpi UPDATE from $old"
    got=$(q "$db" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'sales_kpi'")
    [ "$got" = "$new" ] || fail "after the update from $old the version is $got, not $new"

    q "$db" -f test/upgrade/readers.sql > "$tmp/after" || fail "readers after the update from $old"
    diff -u "$tmp/before" "$tmp/after" || fail "stored values read differently after the update from $old"
    q "$db" -c "REFRESH MATERIALIZED VIEW stored_mv" -f test/upgrade/readers.sql > "$tmp/refreshed" \
        || fail "refreshing the materialized view after the update from $old"
    diff -u "$tmp/before" "$tmp/refreshed" || fail "the refreshed materialized view differs after the update from $old"
    n=$(q "$db" -Atc "CREATE TABLE back_text (LIKE stored); CREATE TABLE back_bin (LIKE stored)" \
              -c "\\copy back_text ($cols) FROM '$tmp/stored.copy'" \
              -c "\\copy back_bin ($cols) FROM '$tmp/stored.bin' (FORMAT binary)" \
              -c "SELECT count(*) FROM stored s JOIN back_text t USING (id) JOIN back_bin b USING (id)
                  WHERE s::text = t::text AND s::text = b::text") || fail "reading back the saved forms of $old"
    want=$(q "$db" -Atc "SELECT count(*) FROM stored")
    [ "$n" = "$want" ] || fail "$n of $want saved rows of $old read back equal (text and binary)"

    q "$db" -f test/upgrade/catalog.sql > "$tmp/catalog.updated" || fail "catalog after the update from $old"
    diff -u "$tmp/catalog.fresh" "$tmp/catalog.updated" || fail "the catalog updated from $old differs from a fresh $new install"
    echo "upgrade $old -> $new: $want stored rows and $(wc -l < "$tmp/before") reader lines unchanged; catalog of $(wc -l < "$tmp/catalog.fresh") lines equal to a fresh install"
done

# frozen forms of earlier releases read back into the current version
for dir in test/data/frozen/*/; do
    [ -d "$dir" ] || continue
    v=$(basename "$dir")
    dropdb --if-exists "$db" >/dev/null 2>&1
    createdb "$db"
    c=$(cat "$dir/columns")
    q "$db" -c "CREATE EXTENSION sales_kpi" -f test/upgrade/schema.sql \
        -c "TRUNCATE stored" -c "\\copy stored ($c) FROM '$dir/stored.copy'" || fail "reading the frozen text forms of $v"
    q "$db" -v forms=false -f test/upgrade/readers.sql > "$tmp/frozen.text" || fail "readers of the frozen text forms of $v"
    diff -u "$dir/readers.out" "$tmp/frozen.text" || fail "the frozen text forms of $v read differently"
    q "$db" -c "TRUNCATE stored" -c "\\copy stored ($c) FROM '$dir/stored.bin' (FORMAT binary)" || fail "reading the frozen binary forms of $v"
    q "$db" -v forms=false -f test/upgrade/readers.sql > "$tmp/frozen.bin" || fail "readers of the frozen binary forms of $v"
    diff -u "$dir/readers.out" "$tmp/frozen.bin" || fail "the frozen binary forms of $v read differently"
    echo "frozen $v: text and binary forms read back, $(wc -l < "$dir/readers.out") reader lines equal"
done
exit 0
