#!/usr/bin/env bash
# Package test: builds the Debian package (debian/) from a copy of this
# repository, installs the .deb, runs CREATE EXTENSION and the pg_regress suite
# against the installed package on a throw-away cluster, and purges the package.
#
#   bash test/package.sh        as root, on a Debian machine with one PostgreSQL
#                               server major installed (postgresql-15 on bookworm,
#                               17 on trixie, 18 on sid)
#
# It installs the build dependencies (dpkg-dev, build-essential and the
# package's Build-Depends through apt-get build-dep) and leaves them installed;
# the package itself and every temporary file are removed at the end.
# Counted: package built, package installed, CREATE EXTENSION, each pg_regress
# test, package removed.  Ends with one line "N passed, N failed" and exits
# non-zero on any failure.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

passed=0
failed=0
tmp=
pkg=
suite_files=()
preexisting=()
pass() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }
# the summary line, last and alone on its line, after the clean-up
finish() {
    cleanup
    trap - EXIT
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
}
abort() { fail "$*"; finish; }
step() { echo "== $*"; t0=$SECONDS; }
took() { echo "   ($((SECONDS - t0)) s)"; }
# print the end of a log file, indented
show() { tail -n "${2:-40}" "$1" | sed 's/^/   | /'; }

cleanup() {
    set +e
    if [ -n "$pkg" ] && dpkg -s "$pkg" >/dev/null 2>&1; then
        echo "== cleanup: apt-get purge $pkg"
        apt-get purge -y -qq "$pkg" >/dev/null 2>&1
    fi
    # files the suite's COPY ... TO '/tmp/...' left behind (not ones that were there before)
    for f in "${suite_files[@]}"; do
        [ -e "$f" ] && ! printf '%s\n' "${preexisting[@]}" | grep -qxF "$f" && rm -f "$f"
    done
    [ -n "$tmp" ] && rm -rf "$tmp"
    tmp=
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "run this as root (it installs packages with apt-get)"; abort "not root"; }
[ -f "$src/debian/control.in" ] || abort "no debian/control.in in $src"

# the server-side files the regression suite writes (COPY ... TO '/tmp/...')
for f in $(grep -ohE "'/tmp/[^' ]+'" "$src"/sql/*.sql 2>/dev/null | tr -d "'" | sort -u); do
    suite_files+=("$f")
    [ -e "$f" ] && preexisting+=("$f")
done

# the one installed PostgreSQL server major
majors=()
for p in /usr/lib/postgresql/*/bin/postgres; do
    [ -x "$p" ] || continue
    v=${p#/usr/lib/postgresql/}
    majors+=("${v%%/*}")
done
if [ ${#majors[@]} -ne 1 ]; then
    echo "need exactly one PostgreSQL server major in /usr/lib/postgresql/*/bin/postgres, found: ${majors[*]:-none}"
    abort "PostgreSQL server detection"
fi
PGV=${majors[0]}
# build for exactly this major, whatever postgresql-common's default is
export PG_SUPPORTED_VERSIONS=$PGV
pkg=postgresql-$PGV-sales-kpi
echo "PostgreSQL $PGV: building and testing $pkg"

tmp=$(mktemp -d /tmp/sales_kpi-package.XXXXXX)
chmod 755 "$tmp"

# 1. a clean copy of the repository (tracked and untracked files, not ignored
#    ones, so no build products of the source tree come along)
step "copy $src to $tmp/sales-kpi"
mkdir "$tmp/sales-kpi"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -C "$tmp/sales-kpi" -xf - ||
        abort "copy of the repository"
else
    tar -C "$src" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' -cf - . |
        tar -C "$tmp/sales-kpi" -xf - || abort "copy of the repository"
fi
srccopy=$tmp/sales-kpi
# a second, pristine copy for the regression suite: nothing is ever built in it
cp -a "$srccopy" "$tmp/regress" || abort "copy of the repository"

# 2. build dependencies: the toolchain, then the package's own Build-Depends
step "apt-get install dpkg-dev build-essential, apt-get build-dep $srccopy"
if ! { apt-get update -qq &&
       apt-get install -y -qq --no-install-recommends dpkg-dev build-essential &&
       apt-get build-dep -y -qq --no-install-recommends "$srccopy"; } > "$tmp/apt-deps.log" 2>&1; then
    show "$tmp/apt-deps.log"
    abort "build dependencies"
fi
took

# 3. build: debian/control for this major (pg_buildext updatecontrol), then
#    the binary package as a buildd builds it: after the install step
#    dh_pgxs_test runs the regression suite on the staged files.  If only that
#    build-time test fails, the build counts as failed and the package is built
#    again with DEB_BUILD_OPTIONS=nocheck, so that the suite below still runs
#    against the installed package and names each failing test.
step "pg_buildext updatecontrol; dpkg-buildpackage -us -uc -b"
(cd "$srccopy" && pg_buildext updatecontrol) > "$tmp/build.log" 2>&1 || { show "$tmp/build.log"; abort "pg_buildext updatecontrol"; }
grep '^Package:' "$srccopy/debian/control" | sed 's/^/   /'
build() {
    (cd "$srccopy" && dpkg-buildpackage -us -uc -b) >> "$tmp/build.log" 2>&1 &&
        debs=("$tmp"/"$pkg"_*.deb) && [ -f "${debs[0]}" ]
}
# the per-major build and build-time test lines of pg_buildext and pg_regress
build_lines() {
    grep -E '^### |^(ok|not ok) |^test |^ +[a-z_]+ +\.\.\. |tests passed|tests failed|^# All|^# [0-9]+ of' "$tmp/build.log" | sed 's/^/   | /'
}
if build; then
    build_lines
    took
    case " ${DEB_BUILD_OPTIONS:-} " in
        *" nocheck "*) how="build-time installcheck skipped: DEB_BUILD_OPTIONS=nocheck" ;;
        *) how="build-time installcheck passed" ;;
    esac
    pass "package built: $(basename "${debs[0]}") ($how)"
elif grep -q '^dh_pgxs_test: error' "$tmp/build.log"; then
    build_lines
    sed -n '/^\*\*\*\* regression.diffs/,/^### End/p' "$tmp/build.log" | head -100 | sed 's/^/   | /'
    took
    fail "package build: the build-time regression suite (dh_pgxs_test) failed"
    step "dpkg-buildpackage -us -uc -b with DEB_BUILD_OPTIONS=nocheck, to test the installed package"
    rm -f "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo
    DEB_BUILD_OPTIONS="nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}" build || { show "$tmp/build.log" 60; abort "package build with nocheck"; }
    took
else
    show "$tmp/build.log" 80
    took
    abort "package build (dpkg-buildpackage)"
fi
deb=${debs[0]}
echo "   contents:"
dpkg-deb -c "$deb" | awk '{print $NF}' | grep -vE '/$' | sed 's/^/     /'

# what `make install` installs, by name: the control file, every DATA and
# DATA_built script and the module (evaluated from the Makefile through PGXS)
want=$(cd "$srccopy" && make -s --no-print-directory -f Makefile -f - print-installed PG_CONFIG="/usr/lib/postgresql/$PGV/bin/pg_config" <<'EOF'
print-installed:
	@echo $(addsuffix .control,$(EXTENSION)) $(notdir $(DATA) $(DATA_built)) $(addsuffix $(DLSUFFIX),$(MODULE_big) $(MODULES))
EOF
)

# 4. install the package
step "apt-get install ./$(basename "$deb")"
if (cd "$tmp" && apt-get install -y -qq --no-install-recommends "./$(basename "$deb")") > "$tmp/apt-install.log" 2>&1 &&
   dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing=()
    files=$(dpkg -L "$pkg")
    for f in $want; do
        echo "$files" | grep -q "/$f\$" || missing+=("$f")
    done
    took
    if [ -z "$want" ] || [ ${#missing[@]} -gt 0 ]; then
        echo "   the package lacks what make install installs: ${missing[*]:-(nothing evaluated from the Makefile)}"
        abort "package installed"
    fi
    pass "package installed: $pkg $(dpkg-query -W -f='${Version}' "$pkg") ($(echo "$want" | wc -w) files of make install present)"
else
    show "$tmp/apt-install.log"
    abort "package install (apt-get install ./$(basename "$deb"))"
fi

# 5. CREATE EXTENSION and pg_regress against the installed package, in a
#    pristine copy of the sources (nothing built in it: make installcheck with
#    PGXS only runs pg_regress, with the Makefile's REGRESS and REGRESS_OPTS)
regress=$tmp/regress
tests=$(cd "$regress" && make -s --no-print-directory -f Makefile -f - print-regress PG_CONFIG="/usr/lib/postgresql/$PGV/bin/pg_config" <<'EOF'
print-regress:
	@echo $(REGRESS)
EOF
)
[ -n "$tests" ] || abort "no REGRESS tests in the Makefile"

step "pg_virtualenv -t -v $PGV: CREATE EXTENSION sales_kpi; make installcheck ($(echo "$tests" | wc -w) tests)"
cat > "$tmp/in_cluster.sh" <<'EOF'
set -u
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE kpi_package' &&
psql -X -v ON_ERROR_STOP=1 -d kpi_package -At \
     -c 'CREATE EXTENSION sales_kpi' \
     -c "SELECT 'sales_kpi ' || extversion || ', ' || count(*) || ' objects' FROM pg_extension e JOIN pg_depend d ON d.refobjid = e.oid AND d.deptype = 'e' WHERE e.extname = 'sales_kpi' GROUP BY extversion" \
     > "$OUT/create.log" 2>&1
echo $? > "$OUT/create.rc"
make installcheck PG_CONFIG="$PG_CONFIG" > "$OUT/regress.log" 2>&1
echo $? > "$OUT/regress.rc"
EOF
(cd "$regress" && OUT=$tmp pg_virtualenv -t -v "$PGV" bash "$tmp/in_cluster.sh") > "$tmp/virtualenv.log" 2>&1
venv_rc=$?
took

if [ "$(cat "$tmp/create.rc" 2>/dev/null)" = 0 ]; then
    pass "CREATE EXTENSION sales_kpi: $(tail -1 "$tmp/create.log")"
else
    [ -f "$tmp/create.log" ] && show "$tmp/create.log"
    show "$tmp/virtualenv.log"
    fail "CREATE EXTENSION sales_kpi"
fi

# pg_regress 15 prints "test NAME ... ok  12 ms" (or "     NAME ... FAILED" in a
# parallel group); 16 and later print TAP: "ok 1  - NAME  12 ms", "not ok 2  + NAME"
declare -A result=()
if [ -f "$tmp/regress.log" ]; then
    while IFS= read -r line; do
        if [[ $line =~ ^(test\ +|\ +)([A-Za-z0-9_.-]+)\ +\.\.\.\ +(ok|FAILED|failed\ \(ignored\)) ]]; then
            name=${BASH_REMATCH[2]}; r=${BASH_REMATCH[3]}
        elif [[ $line =~ ^(not\ )?ok\ +[0-9]+\ +[-+]\ +([A-Za-z0-9_.-]+) ]]; then
            name=${BASH_REMATCH[2]}; r=ok
            [ -n "${BASH_REMATCH[1]}" ] && r=FAILED
            [[ $line =~ \#\ *(SKIP|TODO) ]] && r=ok
        else
            continue
        fi
        [ "$r" = ok ] || [ "$r" = "failed (ignored)" ] || r=FAILED
        result[$name]=$r
    done < "$tmp/regress.log"
fi
for t in $tests; do
    case "${result[$t]:-missing}" in
        ok|"failed (ignored)") pass "pg_regress $t" ;;
        FAILED) fail "pg_regress $t" ;;
        *) fail "pg_regress $t (not reported)" ;;
    esac
done
regress_rc=$(cat "$tmp/regress.rc" 2>/dev/null || echo none)
if [ "$regress_rc" != 0 ]; then
    show "$tmp/regress.log" 30
    [ -f "$regress/regression.diffs" ] && { echo "   regression.diffs:"; show "$regress/regression.diffs" 200; }
    # a failing run must not count as passing, whatever was parsed
    if [ "$failed" -eq 0 ]; then fail "make installcheck exited with $regress_rc"; fi
fi
if [ "$venv_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    show "$tmp/virtualenv.log"
    fail "pg_virtualenv exited with $venv_rc"
fi
# nothing may have been built in the test tree: the suite ran on the package
built=$(cd "$regress" && find . -name '*.o' -o -name '*.so' -o -name '*.bc')
[ -z "$built" ] || fail "the regression tree contains build products: $built"

# 6. remove the package again
step "apt-get purge $pkg"
control=/usr/share/postgresql/$PGV/extension/sales_kpi.control
if apt-get purge -y -qq "$pkg" > "$tmp/apt-purge.log" 2>&1 &&
   ! dpkg -s "$pkg" >/dev/null 2>&1 && [ ! -e "$control" ] &&
   [ ! -e "/usr/lib/postgresql/$PGV/lib/sales_kpi.so" ]; then
    took
    pass "package removed: $pkg purged, $control gone"
else
    show "$tmp/apt-purge.log"
    fail "package removal (apt-get purge $pkg)"
fi

finish
