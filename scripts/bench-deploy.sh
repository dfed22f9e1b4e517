#!/usr/bin/env bash
# Deploys at scale (issue 14 §3), against the real-services stack of scripts/stack.sh: a project
# of N topics (default 1,000), each with an Avro value subject, a producer and a consumer
# (`gen-project --deploy`, see benches/support/gen.rs), run through
#
#   venice apply --yes            first apply: every topic and subject created   target <= 15 s
#                                 (done when the controller has the topics; the script also
#                                 says how long the broker takes to list them all)
#   venice plan                   nothing to change                              target <= 1 s
#   venice apply --yes --prune    the project emptied: everything deleted        target <= 15 s
#
# RUNS times (default 3), each timed by /usr/bin/time -v (wall time, peak resident memory; the
# apply's peak memory target is <= 150 MB), then the medians against the targets. A benchmark, not
# a test: it fails only when a command does. Whatever a run leaves is pruned on exit.
#
# Usage: flock -o /tmp/venice-stack.lock scripts/bench-deploy.sh [N]
#        (the stack lock: live tests and this script must not share the stack at once)
# Environment: RUNS (3); VENICE and GEN, binaries to use instead of building the release ones
#              (target/release/venice, target/release/examples/gen-project); BENCH_DIR
#              (target/bench-deploy): where the project is generated.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-1000}
runs=${RUNS:-3}
venice=${VENICE:-target/release/venice}
gen=${GEN:-target/release/examples/gen-project}
dir=${BENCH_DIR:-target/bench-deploy}/n$n

if [ -z "${VENICE:-}${GEN:-}" ]; then
    echo "== building (release)"
    cargo build --release --quiet --bin venice --example gen-project
fi
if ! scripts/stack.sh status kafka registry >/dev/null; then
    echo "bench-deploy: the stack's Kafka and registry are not up (scripts/stack.sh status)" >&2
    exit 2
fi

mkdir -p "$(dirname "$dir")"
"$gen" --deploy "$n" "$dir"
root=$dir/venice.kdl
cp "$root" "$dir/venice.kdl.full"
# Each command's output and timing, kept for a look after a failure.
log=$dir.logs
rm -rf "$log"
mkdir -p "$log"

# Deletes what the project's runs made: the project without its declarations, applied with --prune.
prune() {
    grep -v '^include ' "$dir/venice.kdl.full" >"$root"
    local status=0
    "$venice" apply "$dir" --yes --prune >"$log/prune.out" 2>&1 || status=$?
    cp "$dir/venice.kdl.full" "$root"
    return $status
}

leftover() {
    if [ -f "$dir/venice.lock" ] && grep -q '^\[applied\.' "$dir/venice.lock"; then
        echo "== cleaning up what a run left (apply --prune)"
        prune || { echo "bench-deploy: the clean-up prune failed:" >&2; tail -20 "$log/prune.out" >&2; }
    fi
}
trap leftover EXIT

# Runs a command under /usr/bin/time -v; prints "SECONDS MEGABYTES CPU_SECONDS" (CPU: user and
# system time of venice itself; the rest of the wall time is waiting for Kafka and the registry,
# which share the machine's cores with it). Its output goes to $log/NAME.out.
measure() {
    local name=$1
    shift
    if ! /usr/bin/time -v -o "$log/$name.time" "$@" >"$log/$name.out" 2>&1; then
        echo "bench-deploy: \`$*\` failed:" >&2
        tail -20 "$log/$name.out" >&2
        exit 1
    fi
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
        /Maximum resident set size/ { kb = $2 }
        /User time|System time/ { cpu += $2 }
        END { printf "%.2f %.0f %.2f\n", s, kb / 1024, cpu }' "$log/$name.time"
}

# Waits (up to 120 s) until the target holds nothing of the project: every object to create.
settled() {
    local want="^$((2 * n)) to create, 0 to update, 0 to restart, 0 to delete, 0 unchanged"
    for _ in $(seq 60); do
        "$venice" plan "$dir" >"$log/settle.out" 2>&1 || true
        grep -q "$want" "$log/settle.out" && return 0
        sleep 2
    done
    echo "bench-deploy: the target still holds part of the project after the prune:" >&2
    grep ' to create, ' "$log/settle.out" >&2
    exit 1
}

# Waits (up to 180 s) until the stack's broker has removed the partitions of the topics the last
# prune deleted: Kafka renames a deleted partition's directory to `*-delete` and removes it
# `file.delete.delay.ms` (60 s) later, ~5,500 of them here, which takes the broker's disk and a core
# for tens of seconds. A first apply timed meanwhile measures that clean-up (18-20 s instead of
# 11-12 s on this machine), not a first apply onto a cluster. Only the stack's own log directory is
# looked at; against another cluster this does nothing.
broker_settled() {
    local logs=${VENICE_STACK_HOME:-${HOME:-/root}/.cache/venice-stack}/run/kafka
    [ -d "$logs" ] || return 0
    for _ in $(seq 90); do
        compgen -G "$logs/*-delete" >/dev/null || return 0
        sleep 2
    done
    echo "   (the broker was still removing deleted partitions after 180 s)"
}

# Waits (up to 120 s) until a plan finds nothing to change; says how long that took.
caught_up() {
    for _ in $(seq 60); do
        if "$venice" plan "$dir" --detailed-exitcode >"$log/caught-up.out" 2>&1; then
            echo "   the target lists everything $(( $(date +%s) - $1 )) s after the apply"
            return 0
        fi
        sleep 2
    done
    echo "bench-deploy: 120 s after the apply, a plan still finds changes:" >&2
    grep ' to create, ' "$log/caught-up.out" >&2
    exit 1
}

# A leftover of an interrupted earlier run (its venice.lock records what it made) goes first.
rm -rf "$dir/.venice"
leftover
rm -f "$dir/venice.lock"
settled
broker_settled

declare -a apply_s apply_mb plan_s plan_mb plan_cpu prune_s prune_mb
for run in $(seq "$runs"); do
    echo "== run $run of $runs: apply, plan, apply --prune ($n topics, $n subjects)"
    out=$(measure apply "$venice" apply "$dir" --yes)
    read -r s mb _ <<<"$out"
    grep -q "^applied $((2 * n)) changes" "$log/apply.out" || { cat "$log/apply.out" >&2; exit 1; }
    apply_s+=("$s") apply_mb+=("$mb")
    # CreateTopics is answered once the controller has the topics; a broker loaded with thousands
    # of new partitions lists them in Metadata some seconds later (the first plan here waits for
    # them). The no-change plan is timed once it does.
    caught_up "$(date +%s)"
    out=$(measure plan "$venice" plan "$dir" --detailed-exitcode)
    read -r s mb cpu <<<"$out"
    plan_s+=("$s") plan_mb+=("$mb") plan_cpu+=("$cpu")
    grep -v '^include ' "$dir/venice.kdl.full" >"$root"
    out=$(measure prune "$venice" apply "$dir" --yes --prune)
    read -r s mb _ <<<"$out"
    cp "$dir/venice.kdl.full" "$root"
    grep -q "^applied $((2 * n)) changes" "$log/prune.out" || { cat "$log/prune.out" >&2; exit 1; }
    prune_s+=("$s") prune_mb+=("$mb")
    printf '   apply %6.2f s %5d MB | plan %5.2f s %4d MB (CPU %4.2f s) | prune %6.2f s %5d MB\n' \
        "${apply_s[-1]}" "${apply_mb[-1]}" "${plan_s[-1]}" "${plan_mb[-1]}" "${plan_cpu[-1]}" \
        "${prune_s[-1]}" "${prune_mb[-1]}"
    # Kafka and the registry finish a delete a moment after they answer it (Apicurio's kafkasql
    # storage applies writes from its journal topic): the next run starts from nothing.
    [ "$run" = "$runs" ] || { settled; broker_settled; }
done

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "met" : "NOT met" }'; }

echo
echo "== medians of $runs runs, $n topics and $n Avro subjects"
a=$(median "${apply_s[@]}") am=$(median "${apply_mb[@]}")
p=$(median "${plan_s[@]}") pm=$(median "${plan_mb[@]}") pc=$(median "${plan_cpu[@]}")
r=$(median "${prune_s[@]}") rm_=$(median "${prune_mb[@]}")
printf 'first apply:      %6.2f s  (target <= 15 s: %s), peak %4d MB (target <= 150 MB: %s)\n' \
    "$a" "$(verdict "$a" 15)" "$am" "$(verdict "$am" 150)"
printf 'no-change plan:   %6.2f s  (target <= 1 s: %s),  peak %4d MB, CPU %4.2f s\n' "$p" "$(verdict "$p" 1)" "$pm" "$pc"
printf 'pruning apply:    %6.2f s  (target <= 15 s: %s), peak %4d MB\n' "$r" "$(verdict "$r" 15)" "$rm_"
