# expand.awk - builds an install or upgrade script from its sources (run by the Makefile):
#   awk -f sql/expand.awk FILE...  > sql/sales_kpi--X.Y.Z.sql
# The sources are plain SQL plus three directives, each alone on a line:
#
#   -- @foreach T = timestamptz | timestamp | date
#   -- @and SFX = _tz | _ts | _date
#   ...lines using @T@ and @SFX@...
#   -- @end
#       repeats the lines once per value; the lists of a @foreach and of the
#       @and lines right after it go in step (values are separated by |, so
#       they cannot contain one); @foreach blocks nest, and an inner block sees
#       the outer variables.  A name in @VERSION@ is the -v version=... given.
#
#   -- @type NAME STORAGE COMMENT
#       a varlena type with validated text and versioned binary I/O: the shell
#       type, NAME_in/_out/_recv/_send, the type with storage STORAGE (plain or
#       extended), and the comments of all five (COMMENT is SQL-quoted already).
#
#   -- @include FILE
#       the expanded lines of FILE (a path from the top of the source tree).
#
# Anything else is copied as it is.  An unknown directive or an unbalanced
# @foreach / @end is an error, as is a @VAR@ left unexpanded.

function fail(msg) {
    printf "expand.awk: %s\n", msg > "/dev/stderr"
    failed = 1
    exit 1
}

function trim(s) {
    sub(/^[ \t]+/, "", s)
    sub(/[ \t]+$/, "", s)
    return s
}

function load(file,    l, n0) {
    n0 = n
    while ((getline l < file) > 0) {
        if (l ~ /^-- @include /) {
            load(trim(substr(l, 13)))
            continue
        }
        line[++n] = l
        where[n] = file ":" (n - n0)
    }
    close(file)
}

function subst(s,    k) {
    for (k in val)
        gsub("@" k "@", val[k], s)
    return s
}

function type_io(name, storage, comment) {
    print "CREATE TYPE " name ";"
    print "CREATE FUNCTION " name "_in(pg_catalog.cstring) RETURNS " name
    print "    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;"
    print "CREATE FUNCTION " name "_out(" name ") RETURNS pg_catalog.cstring"
    print "    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;"
    print "CREATE FUNCTION " name "_recv(pg_catalog.internal) RETURNS " name
    print "    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;"
    print "CREATE FUNCTION " name "_send(" name ") RETURNS pg_catalog.bytea"
    print "    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;"
    print "CREATE TYPE " name " ("
    print "    input = " name "_in, output = " name "_out,"
    print "    receive = " name "_recv, send = " name "_send,"
    print "    internallength = variable, alignment = double, storage = " storage ");"
    print "COMMENT ON TYPE " name " IS " comment ";"
    print "COMMENT ON FUNCTION " name "_in(pg_catalog.cstring) IS 'text input of " name " (validated)';"
    print "COMMENT ON FUNCTION " name "_out(" name ") IS 'text output of " name "';"
    print "COMMENT ON FUNCTION " name "_recv(pg_catalog.internal) IS 'binary input of " name " (versioned, validated)';"
    print "COMMENT ON FUNCTION " name "_send(" name ") IS 'binary output of " name " (versioned)';"
}

# emit lines from..to with the current substitutions
function emit(from, to,    i, j, depth, spec, ndefs, defs, d, eq, name, nvals, vals, count, k, r, saved, had, f, parts) {
    i = from
    while (i <= to) {
        if (line[i] ~ /^-- @foreach /) {
            depth = 1
            for (j = i + 1; j <= to; j++) {
                if (line[j] ~ /^-- @foreach /) depth++
                else if (line[j] ~ /^-- @end *$/ && --depth == 0) break
            }
            if (j > to) fail(where[i] ": @foreach without @end")
            ndefs = 1
            defs[1] = substr(line[i], 13)
            while (i + ndefs <= j && line[i + ndefs] ~ /^-- @and /)
                { defs[ndefs + 1] = substr(line[i + ndefs], 9); ndefs++ }
            count = -1
            for (d = 1; d <= ndefs; d++) {
                eq = index(defs[d], "=")
                if (eq == 0) fail(where[i] ": expected NAME = v1 | v2 ... in '" defs[d] "'")
                name[d] = trim(substr(defs[d], 1, eq - 1))
                nvals = split(substr(defs[d], eq + 1), vals, "|")
                if (count >= 0 && nvals != count) fail(where[i] ": the lists of one @foreach differ in length")
                count = nvals
                for (k = 1; k <= nvals; k++) r[d, k] = trim(vals[k])
            }
            for (d = 1; d <= ndefs; d++) {
                had[d] = (name[d] in val)
                if (had[d]) saved[d] = val[name[d]]
            }
            for (k = 1; k <= count; k++) {
                for (d = 1; d <= ndefs; d++) val[name[d]] = r[d, k]
                emit(i + ndefs, j - 1)
            }
            for (d = 1; d <= ndefs; d++) {
                if (had[d]) val[name[d]] = saved[d]
                else delete val[name[d]]
            }
            i = j + 1
            continue
        }
        if (line[i] ~ /^-- @end/) fail(where[i] ": @end without @foreach")
        if (line[i] ~ /^-- @and /) fail(where[i] ": @and not right after a @foreach")
        if (line[i] ~ /^-- @type /) {
            f = split(subst(line[i]), parts, " ")
            if (f < 5) fail(where[i] ": expected -- @type NAME STORAGE 'comment'")
            spec = subst(line[i])
            sub(/^-- @type +[^ ]+ +[^ ]+ +/, "", spec)
            type_io(parts[3], parts[4], spec)
            i++
            continue
        }
        if (line[i] ~ /^-- @/) fail(where[i] ": unknown directive: " line[i])
        spec = subst(line[i])
        if (spec ~ /@[A-Za-z_][A-Za-z_0-9]*@/) fail(where[i] ": unexpanded variable in: " spec)
        print spec
        i++
    }
}

BEGIN {
    n = 0
    if (version != "") val["VERSION"] = version
    for (a = 1; a < ARGC; a++) load(ARGV[a])
    emit(1, n)
    exit 0
}
