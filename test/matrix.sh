#!/usr/bin/env bash
# The version matrix: the whole default suite (bash test/run_tests.sh, built
# with -Wall -Wextra -Werror) on each PostgreSQL major, each in its own fresh
# debootstrap'ed Debian root with only that major's server installed (the
# suite installs its build dependencies itself, as on a new machine).
#
#   bash test/matrix.sh [MAJOR...]     as root; default: 15 17 18
#
#   15  Debian 12 bookworm      17  Debian 13 trixie      18  Debian sid
#   16  is in no Debian suite this machine's archive serves: reported, not run.
# Env: KPI_ROOT_WORKTREE=1 tests the working tree instead of HEAD.
# Prints one result line per major and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. test/root_lib.sh

majors=("$@")
[ ${#majors[@]} -eq 0 ] && majors=(15 17 18)
passed=0
failed=0
results=()
root_need_host || { echo "0 passed, 1 failed"; exit 1; }

for m in "${majors[@]}"; do
    case $m in
        15) suite=bookworm ;;
        17) suite=trixie ;;
        18) suite=sid ;;
        16) results+=("PostgreSQL 16: not run (no Debian suite ships postgresql-16)"); continue ;;
        *) results+=("PostgreSQL $m: unknown major"); failed=$((failed + 1)); continue ;;
    esac
    t0=$SECONDS
    root=$(mktemp -d /var/tmp/sales_kpi_matrix_$m.XXXXXX)
    log="$root.log"
    echo "== PostgreSQL $m on Debian $suite"
    line=
    if root_create "$root" "$suite" "postgresql-$m" git make gcc libc6-dev sudo procps locales ca-certificates; then
        root_adduser "$root" newuser sudo
        root_copy_repo "$root" newuser /home/newuser/sales_kpi
        ver=$(chroot "$root" "/usr/lib/postgresql/$m/bin/postgres" --version)
        root_run "$root" newuser 'cd sales_kpi && bash test/run_tests.sh' > "$log" 2>&1
        rc=$?
        grep -E '(\.\.\. |^ok |^not ok |^test )' "$log" | grep -vE '\.\.\. ok|^ok ' | head -20
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
        [ -n "$line" ] || { tail -40 "$log"; line="0 passed, 1 failed"; }
        read -r p _ f _ <<< "$line"
        [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
        [ "$f" -ne 0 ] && grep -A40 -m1 -E 'FAILED|not ok|^diff ' "$log" | head -80
    else
        ver="(root not created)"
        p=0 f=1
    fi
    root_destroy "$root"
    rm -f "$log"
    passed=$((passed + p)) failed=$((failed + f))
    results+=("PostgreSQL $m ($suite, $ver): $p passed, $f failed in $((SECONDS - t0)) s")
done

printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
