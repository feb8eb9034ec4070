#!/usr/bin/env bash
# The fresh-machine test: README's Quick start, exactly as written, on a new
# Debian 12 machine, as a new user would run it.
#
#   bash test/fresh_machine.sh        (as root; CI runs it through test/run_tests.sh)
#
# It builds a clean Debian 12 root with debootstrap --variant=minbase from this
# machine's Debian archive, with only postgresql-15, git, make, gcc, libc6-dev,
# sudo, procps, locales and ca-certificates; clones this repository (HEAD) into
# it, and checks, each one test:
#   - a user without root or sudo is told what to install (no "command not found")
#   - every command of README's Quick start succeeds, run as a user with sudo
#     (the test command's own "N passed, N failed" is added to the totals)
#   - nothing is left running after each command
#   - make uninstall (README) removes what make install put in place
#   - the Debian package builds, installs and passes the suite (test/package.sh)
# Env: KPI_ROOT_WORKTREE=1 tests the working tree instead of HEAD (development);
#      FRESH_SUITE (default bookworm) and FRESH_PGVER (default 15).
# Ends with "N passed, N failed"; the root is removed whatever happens.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/root_lib.sh

suite=${FRESH_SUITE:-bookworm}
pgver=${FRESH_PGVER:-15}
passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

root_need_host || { failed=1; finish; }
root=$(mktemp -d /var/tmp/sales_kpi_fresh.XXXXXX)
trap 'root_destroy "$root"' EXIT
start=$SECONDS

if ! root_create "$root" "$suite" "postgresql-$pgver" git make gcc libc6-dev sudo procps locales ca-certificates; then
    not_ok "a fresh $suite root with postgresql-$pgver"
    finish
fi
root_adduser "$root" newuser sudo
root_adduser "$root" plainuser
root_copy_repo "$root" newuser /home/newuser/sales_kpi
root_copy_repo "$root" plainuser /home/plainuser/sales_kpi
echo "== root ready after $((SECONDS - start)) s"

# Processes still running inside the root (a server a command left behind).
leftovers() {
    local p r d
    d=$(readlink -f "$root")
    for p in /proc/[0-9]*; do
        r=$(readlink "$p/root" 2>/dev/null) || continue
        [ "$r" = "$d" ] && tr '\0' ' ' < "$p/cmdline" && echo
    done
}

# 1. Without root and without sudo: a clear message naming the packages.
out=$(root_run "$root" plainuser 'cd sales_kpi && bash test/run_tests.sh' 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "apt-get install .*postgresql-server-dev-$pgver" <<< "$out" &&
    ! grep -q 'command not found' <<< "$out"; then
    ok "without root: a clear message says what to install"
else
    echo "$out" | tail -20
    not_ok "without root: a clear message says what to install (exit $rc)"
fi

# 2. README's Quick start: the commands of its first code block, exactly as written.
mapfile -t cmds < <(awk '/^#+ .*[Qq]uick ?start/{q=1; next} q && /^#+ /{exit}
                         q && /^```/{if (b) exit; b=1; next} q && b && NF' README.md)
if [ ${#cmds[@]} -eq 0 ]; then
    not_ok "README has a Quick start code block"
fi
i=0
for c in "${cmds[@]}"; do
    echo "== newuser\$ $c"
    t0=$SECONDS
    i=$((i + 1))
    log="$root/home/newuser/quickstart.$i.log"
    root_run "$root" newuser "cd sales_kpi && $c" > "$log" 2>&1
    rc=$?
    tail -5 "$log"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    if [ -n "$line" ]; then
        # the test command: its own tests count
        read -r p _ f _ <<< "$line"
        passed=$((passed + p)) failed=$((failed + f))
    fi
    if [ $rc -eq 0 ]; then
        ok "Quick start: $c ($((SECONDS - t0)) s)"
    else
        tail -60 "$log"
        not_ok "Quick start: $c (exit $rc)"
    fi
    if [[ $c == *demo* ]]; then
        if grep -q '| TEAM BENCHMARK |' "$log"; then ok "the demo prints the dashboard"; else not_ok "the demo prints the dashboard"; fi
    fi
    left=$(leftovers)
    if [ -z "$left" ]; then
        ok "nothing left running after: $c"
    else
        echo "$left"
        not_ok "nothing left running after: $c"
    fi
done

# 3. README's undo: make uninstall removes the installed files.
lib=$(root_run "$root" newuser "/usr/lib/postgresql/$pgver/bin/pg_config --pkglibdir")
share=$(root_run "$root" newuser "/usr/lib/postgresql/$pgver/bin/pg_config --sharedir")
if root_run "$root" newuser 'cd sales_kpi && sudo make uninstall' > /dev/null 2>&1 &&
    [ -z "$(ls "$root$lib"/sales_kpi* "$root$share"/extension/sales_kpi* 2>/dev/null)" ]; then
    ok "make uninstall removes the extension"
else
    ls "$root$lib"/sales_kpi* "$root$share"/extension/sales_kpi* 2>/dev/null
    not_ok "make uninstall removes the extension"
fi

# 4. The Debian package (root, as a packager would).
if [ -f test/package.sh ]; then
    log="$root/root/package.log"
    root_copy_repo "$root" root /root/sales_kpi
    root_run "$root" root 'cd sales_kpi && bash test/package.sh' > "$log" 2>&1
    rc=$?
    tail -25 "$log"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    if [ -n "$line" ]; then
        read -r p _ f _ <<< "$line"
        passed=$((passed + p)) failed=$((failed + f))
        [ $rc -ne 0 ] && [ "$f" -eq 0 ] && not_ok "test/package.sh exit status ($rc)"
    else
        not_ok "test/package.sh reports a result (exit $rc)"
    fi
fi

echo "== fresh machine ($suite, PostgreSQL $pgver) done in $((SECONDS - start)) s"
finish
