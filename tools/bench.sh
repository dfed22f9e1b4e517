#!/usr/bin/env bash
# Times the `venice check` binary end to end, as users run it, on generated projects of
# N = 1,000 and N = 10,000 topics (see benches/support/gen.rs), and prints the medians.
#
# Target: under 50 ms median for N = 1,000 on a 2-core machine; growth no worse than linear
# (N = 10,000 within about 10x of N = 1,000).
#
# Usage: tools/bench.sh            (from anywhere in the repository)
# Environment: SIZES ("1000 10000"), RUNS_1000 (30), RUNS_10000 (5), WARMUP (2),
#              BENCH_DIR (target/bench-projects): where the projects are generated.
# Uses hyperfine when it is installed (apt-get install -y hyperfine), else a timing loop.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${SIZES:-"1000 10000"}
dir=${BENCH_DIR:-target/bench-projects}
warmup=${WARMUP:-2}
venice=target/release/venice
gen=target/release/examples/gen-project

echo "== building (release)"
cargo build --release --quiet --bin venice --example gen-project

mkdir -p "$dir"
for n in $sizes; do
    "$gen" "$n" "$dir/n$n"
    if ! out=$("$venice" check "$dir/n$n"); then
        echo "venice check found problems in the generated project of $n topics:" >&2
        echo "$out" | head -40 >&2
        exit 1
    fi
done

# Median of numbers (seconds) on standard input.
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The median wall time of `venice check` on the project of $1 topics, in seconds.
time_check() {
    local n=$1 runs_var="RUNS_$1" runs
    runs=${!runs_var:-$([ "$n" -ge 10000 ] && echo 5 || echo 30)}
    if command -v hyperfine >/dev/null; then
        local shell_opt=()
        hyperfine --help | grep -q -- '--shell' && shell_opt=(--shell=none)
        hyperfine "${shell_opt[@]}" --style basic --warmup "$warmup" --runs "$runs" \
            --export-json "$dir/n$n.json" "$venice check $dir/n$n" >&2
        # "median" of the one result, without needing jq or python.
        tr -d ' \n' <"$dir/n$n.json" | grep -o '"median":[0-9.eE+-]*' | head -1 | cut -d: -f2
    else
        echo "(hyperfine not found: timing $runs runs with date)" >&2
        for _ in $(seq "$warmup"); do "$venice" check "$dir/n$n" >/dev/null; done
        for _ in $(seq "$runs"); do
            local start end
            start=$(date +%s%N)
            "$venice" check "$dir/n$n" >/dev/null
            end=$(date +%s%N)
            echo "$(( end - start ))e-9"
        done | awk '{ printf "%.9f\n", $1 }' | median
    fi
}

declare -A medians
for n in $sizes; do
    echo "== venice check, N = $n"
    medians[$n]=$(time_check "$n")
done

echo
echo "== medians (venice check, end to end)"
for n in $sizes; do
    awk -v n="$n" -v s="${medians[$n]}" 'BEGIN { printf "N = %6d: %10.1f ms\n", n, s * 1000 }'
done
if [[ -n ${medians[1000]:-} ]]; then
    awk -v s="${medians[1000]}" 'BEGIN { printf "target < 50 ms for N = 1,000: %s\n", (s * 1000 < 50) ? "met" : "NOT met" }'
fi
if [[ -n ${medians[1000]:-} && -n ${medians[10000]:-} ]]; then
    awk -v a="${medians[1000]}" -v b="${medians[10000]}" \
        'BEGIN { r = b / a; printf "growth N = 10,000 / N = 1,000: %.1fx (linear: 10x): %s\n", r, (r <= 12) ? "linear or better" : "worse than linear" }'
fi
