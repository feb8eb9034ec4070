#!/usr/bin/env bash
# The test suites, run by test/run_tests.sh inside a temporary cluster
# (PGHOST, PGPORT, PGUSER and PGPASSWORD are set by pg_virtualenv).
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0
failures=()

# 1. pg_regress: sql/*.sql against expected/*.out, one test per file.
# PostgreSQL 15 prints "test setup ... ok" (or "     setup ... ok" inside a
# parallel group); 16 and later print TAP: "ok 1 - setup", "not ok 2 - io".
out=$(make -s installcheck PG_CONFIG="$PG_CONFIG" 2>&1)
echo "$out" | grep -E '^(test |     |ok |not ok |# )' || true
ok=$(echo "$out" | grep -cE '\.\.\. ok|^ok [0-9]+ ' || true)
bad=$(echo "$out" | grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' || true)
if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
    echo "$out"
    bad=1
fi
passed=$((passed + ok))
failed=$((failed + bad))
if [ "$bad" -gt 0 ]; then
    failures+=("pg_regress ($bad)")
    [ -f regression.diffs ] && head -200 regression.diffs
fi

# 2. script tests: test/t/*.sh, each one test; exit 0 = pass
for t in test/t/*.sh; do
    [ -e "$t" ] || continue
    if log=$(bash "$t" 2>&1); then
        echo "test $(basename "$t" .sh) ... ok"
        passed=$((passed + 1))
    else
        echo "test $(basename "$t" .sh) ... FAILED"
        echo "$log" | tail -40
        failed=$((failed + 1))
        failures+=("$t")
    fi
done

[ ${#failures[@]} -gt 0 ] && echo "failures: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
[ -n "${KPI_COUNTS_FILE:-}" ] && echo "$passed $failed" > "$KPI_COUNTS_FILE"
[ "$failed" -eq 0 ]
