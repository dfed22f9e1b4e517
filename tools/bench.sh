#!/usr/bin/env bash
# Times the `venice` binary end to end, as users run it, on generated projects of N = 1,000 and
# N = 10,000 topics (see benches/support/gen.rs), and prints the medians against the targets:
#
#   venice check, N = 1,000                          under 50 ms   (issue 2; issue 3's rules on)
#   venice check, N = 10,000                         no worse than linear (within ~10x of N = 1,000)
#   venice check, N = 1,000, with its venice.lock    under 100 ms  (every rule on: V202, V503)
#   venice build, N = 1,000, into its build folder   under 150 ms  (issue 6)
#
# The build is timed as it is rerun: into the folder an earlier build wrote, where unchanged files
# are left alone. A first build into an empty folder also creates its ~3,600 files and ~1,100
# folders, which costs what the file system charges for that (printed once, for information).
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
    # Without a lock: a lock left by an earlier run would turn on the baseline rules.
    rm -f "$dir/n$n/venice.lock"
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

# The median wall time, in seconds, of a command run $1 times (after the warm-up runs).
time_median() {
    local runs=$1 name=$2
    shift 2
    if command -v hyperfine >/dev/null; then
        local shell_opt=()
        hyperfine --help | grep -q -- '--shell' && shell_opt=(--shell=none)
        hyperfine "${shell_opt[@]}" --style basic --warmup "$warmup" --runs "$runs" \
            --export-json "$dir/$name.json" "$*" >&2
        # "median" of the one result, without needing jq or python.
        tr -d ' \n' <"$dir/$name.json" | grep -o '"median":[0-9.eE+-]*' | head -1 | cut -d: -f2
    else
        echo "(hyperfine not found: timing $runs runs with date)" >&2
        for _ in $(seq "$warmup"); do "$@" >/dev/null; done
        for _ in $(seq "$runs"); do
            local start end
            start=$(date +%s%N)
            "$@" >/dev/null
            end=$(date +%s%N)
            echo "$(( end - start ))e-9"
        done | awk '{ printf "%.9f\n", $1 }' | median
    fi
}

runs_for() {
    local runs_var="RUNS_$1"
    echo "${!runs_var:-$([ "$1" -ge 10000 ] && echo 5 || echo 30)}"
}

declare -A medians
for n in $sizes; do
    echo "== venice check, N = $n"
    medians[$n]=$(time_median "$(runs_for "$n")" "n$n" "$venice" check "$dir/n$n")
done

if [[ " $sizes " == *" 1000 "* ]]; then
    out="$dir/n1000-build"
    rm -rf "$out"
    echo "== venice build, N = 1,000, into an empty folder (once)"
    start=$(date +%s%N)
    "$venice" build "$dir/n1000" --out "$out" >/dev/null
    fresh=$(awk -v ns="$(( $(date +%s%N) - start ))" 'BEGIN { printf "%.9f", ns / 1e9 }')
    echo "== venice build, N = 1,000, rerun into its folder"
    rebuild=$(time_median "$(runs_for 1000)" n1000-build "$venice" build "$dir/n1000" --out "$out")
    echo "== venice check, N = 1,000, with the venice.lock the build wrote"
    locked=$(time_median "$(runs_for 1000)" n1000-locked "$venice" check "$dir/n1000")
    rm -f "$dir/n1000/venice.lock"
fi

echo
echo "== medians (end to end)"
for n in $sizes; do
    awk -v n="$n" -v s="${medians[$n]}" 'BEGIN { printf "check N = %6d:            %8.1f ms\n", n, s * 1000 }'
done
if [[ -n ${medians[1000]:-} ]]; then
    awk -v s="${medians[1000]}" 'BEGIN { printf "target < 50 ms for check N = 1,000: %s\n", (s * 1000 < 50) ? "met" : "NOT met" }'
    awk -v s="$locked" 'BEGIN { printf "check N = 1,000 with its lock: %8.1f ms (target < 100 ms: %s)\n", s * 1000, (s * 1000 < 100) ? "met" : "NOT met" }'
    awk -v s="$rebuild" 'BEGIN { printf "build N = 1,000, rerun:        %8.1f ms (target < 150 ms: %s)\n", s * 1000, (s * 1000 < 150) ? "met" : "NOT met" }'
    awk -v s="$fresh" 'BEGIN { printf "build N = 1,000, empty folder:  %8.1f ms (one run, file creation included)\n", s * 1000 }'
fi
if [[ -n ${medians[1000]:-} && -n ${medians[10000]:-} ]]; then
    awk -v a="${medians[1000]}" -v b="${medians[10000]}" \
        'BEGIN { r = b / a; printf "growth N = 10,000 / N = 1,000: %.1fx (linear: 10x): %s\n", r, (r <= 12) ? "linear or better" : "worse than linear" }'
fi
