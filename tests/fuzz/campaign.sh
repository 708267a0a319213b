#!/bin/bash
# campaign.sh DIR TARGET RUNS SECONDS [MAX_LEN] - a long libFuzzer run of
# DIR/bin/fuzz_TARGET (a copy, so that rebuilding the tree does not disturb
# it) on the corpus DIR/corpus/TARGET, until RUNS executions or SECONDS have
# passed, at nice 19. A crash or a broken invariant stops libFuzzer: its input
# is kept in DIR/artifacts/ and the run goes on from the same corpus (at most
# 20 times). Each chunk's log (DIR/logs/TARGET-HHMMSS-N.log) ends with
# libFuzzer's stat:: lines; DIR/logs/TARGET.total adds up the executions.
# Seed the corpus from tests/fuzz/corpus/TARGET before the first run.
# CAMPAIGN_TMP: where the targets make their scratch files (default under
# /dev/shm, so that the store and decoder write no disk).
set -u
dir=$1 t=$2 runs=$3 secs=$4 max_len=${5:-4096}
here=$(cd "$(dirname "$0")" && pwd)
dict=$here/$t.dict
[ "$t" = writers ] && dict=$here/session.dict   # the same language
[ -f "$dict" ] || dict=
scratch=${CAMPAIGN_TMP:-/dev/shm/relax-fuzz-campaign-$(id -u)}/$t
mkdir -p "$dir/logs" "$dir/artifacts" "$scratch"
[ -d "$dir/corpus/$t" ] || { echo "campaign.sh: no corpus $dir/corpus/$t" >&2; exit 2; }
start=$(date +%s) done_runs=0
for chunk in $(seq 1 20); do
    left=$((secs - ($(date +%s) - start)))
    [ "$left" -gt 10 ] && [ "$done_runs" -lt "$runs" ] || break
    log=$dir/logs/$t-$(date +%H%M%S)-$chunk.log
    LSAN_OPTIONS="suppressions=$here/lsan.supp" TMPDIR=$scratch \
        nice -n 19 "$dir/bin/fuzz_$t" -runs=$((runs - done_runs)) -max_total_time="$left" ${dict:+-dict="$dict"} \
        -max_len="$max_len" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/$t-" "$dir/corpus/$t" >"$log" 2>&1
    rc=$?
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    done_runs=$((done_runs + ${n:-0}))
    echo "$(date -u +%H:%M:%S) $log rc=$rc runs=${n:-?} total=$done_runs" >>"$dir/logs/$t.total"
    [ $rc = 0 ] && break
done
