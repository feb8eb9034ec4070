#!/usr/bin/env bash
# The fuzz soak inside a cluster (PGHOST etc. set, sales_kpi installed); run
# by test/fuzz.sh:
#   bash test/fuzz/soak.sh [MUTANTS] [STATE_MUTANTS]
# Input fuzzing (test/t/io_fuzz.sh) in rounds until MUTANTS random mutants
# (default 1,000,000, over the text and binary input of all six types) have
# run, then the state fuzzer (test/t/state_fuzz.sh) for STATE_MUTANTS calls
# (default 200,000); FUZZ_JOBS processes at once (default: the CPUs), each
# round with its own seed (FUZZ_SEED + round; printed, with the command that
# replays it).
#   FUZZ_ROUND_ITERATIONS  random mutants per type and format and round (default 5000:
#                          60,000 random mutants a round, plus the ~7,100 of the
#                          deterministic sweep, the same in every round)
# Prints the mutant counts and the throughput, and "N passed, N failed" (one
# per round and per state fuzz job).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mutants=${1:-1000000}
state_mutants=${2:-200000}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
iters=${FUZZ_ROUND_ITERATIONS:-5000}
seed0=${FUZZ_SEED:-$(( $(date +%s) % 100000000 ))}
# one round: iters random mutants per type and per format (text, binary) of
# every type io_fuzz fuzzes (FUZZ_TYPES, else its ALL_TYPES)
ntypes=$(FUZZ_TYPES_ARG="${FUZZ_TYPES:-}" python3 -c '
import ast, os, sys
src = open(sys.argv[1]).read()
types = next(ast.literal_eval(n.value) for n in ast.parse(src).body
             if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "ALL_TYPES")
sel = [t for t in os.environ["FUZZ_TYPES_ARG"].split(",") if t.strip()]
print(len(sel) if sel else len(types))' "$(dirname "$0")/io_fuzz.py")
per_round=$(( iters * ntypes * 2 ))
rounds=$(( (mutants + per_round - 1) / per_round ))
work=$(mktemp -d /tmp/kpi_fuzz_soak.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
echo "fuzz: $mutants random input mutants in $rounds rounds of $per_round ($iters per type and format), then $state_mutants state fuzz calls; $jobs at once; seeds $seed0 + round"

t0=$(date +%s)
run_round() {   # round number
    local r=$1 seed=$((seed0 + $1))
    CI= FUZZ_SEED=$seed FUZZ_ITERATIONS=$iters bash "$here/t/io_fuzz.sh" > "$work/round.$r.log" 2>&1
    echo $? > "$work/round.$r.rc"
}
r=0
while [ $r -lt $rounds ]; do
    for j in $(seq 1 "$jobs"); do
        [ $r -lt $rounds ] || break
        run_round $r &
        r=$((r + 1))
    done
    wait
    done_rounds=$r
    echo "fuzz: $done_rounds of $rounds rounds done, $(( $(date +%s) - t0 )) s"
done
t1=$(date +%s)
bin=0; txt=0; acc=0; rej=0
for r in $(seq 0 $((rounds - 1))); do
    line=$(grep -E '^io_fuzz: [0-9]+ binary mutants' "$work/round.$r.log" | tail -1)
    rc=$(cat "$work/round.$r.rc" 2>/dev/null || echo 1)
    if [ -n "$line" ]; then
        read -r b br ba t tr ta < <(sed -E 's/^io_fuzz: ([0-9]+) binary mutants \(([0-9]+) rejected, ([0-9]+) accepted\), ([0-9]+) text mutants \(([0-9]+) rejected, ([0-9]+) accepted\).*/\1 \2 \3 \4 \5 \6/' <<<"$line")
        bin=$((bin + b)); txt=$((txt + t)); acc=$((acc + ba + ta)); rej=$((rej + br + tr))
    fi
    if [ "$rc" = 0 ] && [ -n "$line" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "fuzz: round $r (FUZZ_SEED=$((seed0 + r)) FUZZ_ITERATIONS=$iters) FAILED:"
        grep -E '^(FAIL|io_fuzz:|  [a-z_]+ *binary)|saved:' "$work/round.$r.log" | head -30
    fi
done
sweep=$(( bin + txt - rounds * per_round ))
[ $sweep -lt 0 ] && sweep=0
echo "fuzz: input: $((bin + txt)) mutants ($bin binary, $txt text; $((bin + txt - sweep)) random, $sweep of the deterministic sweep), $rej rejected, $acc accepted, $((t1 - t0)) s, $(( (bin + txt) / (t1 - t0 > 0 ? t1 - t0 : 1) )) mutants/s"

# the state fuzzer, split over the jobs
per_job=$(( (state_mutants + jobs - 1) / jobs ))
for j in $(seq 1 "$jobs"); do
    ( CI= STATE_FUZZ_SEED=$((seed0 + 1000 + j)) STATE_FUZZ_MUTANTS=$per_job bash "$here/t/state_fuzz.sh" > "$work/state.$j.log" 2>&1
      echo $? > "$work/state.$j.rc" ) &
done
wait
t2=$(date +%s)
calls=0
for j in $(seq 1 "$jobs"); do
    line=$(grep -E '^state_fuzz: [0-9]+ calls of' "$work/state.$j.log" | tail -1)
    n=$(sed -E 's/^state_fuzz: ([0-9]+) calls.*/\1/' <<<"$line")
    calls=$((calls + ${n:-0}))
    if [ "$(cat "$work/state.$j.rc")" = 0 ] && [ -n "$line" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "fuzz: state fuzz job $j (STATE_FUZZ_SEED=$((seed0 + 1000 + j)) STATE_FUZZ_MUTANTS=$per_job) FAILED:"
        grep -E '^(FAIL|state_fuzz:)' "$work/state.$j.log" | cut -c1-400 | head -40
    fi
done
echo "fuzz: state: $calls calls in $((t2 - t1)) s, $(( calls / (t2 - t1 > 0 ? t2 - t1 : 1) )) calls/s"
echo "fuzz: in all: $((bin + txt + calls)) mutants in $((t2 - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
