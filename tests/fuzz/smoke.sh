#!/bin/bash
# smoke.sh FUZZER CORPUS DICT SECONDS [MAX_LEN] (DICT may be "") - a bounded libFuzzer run on a copy of the seed corpus.
set -eu
fuzzer=$1 corpus=$2 dict=$3 seconds=$4 max_len=${5:-4096}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/relax-fuzz-smoke-XXXXXX")
# The fuzzers' scratch files (fuzz_store's database and its fsyncs,
# fuzz_decode's input file) on tmpfs when there is one: on a disk
# fuzz_store runs at a tenth of the speed, waiting for fdatasync.
scratch=$(mktemp -d /dev/shm/relax-fuzz-smoke-XXXXXX 2>/dev/null) || scratch=$work
trap 'rm -rf "$work" "$scratch"' EXIT
mkdir "$work/corpus" "$work/artifacts"
cp "$corpus"/* "$work/corpus/"
cd "$work"
export TMPDIR="$scratch"   # the fuzzers make their scratch folder there
# third-party leaks on their own error paths (see lsan.supp)
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$here/lsan.supp"
"$fuzzer" -max_total_time="$seconds" ${dict:+-dict="$dict"} -max_len="$max_len" -timeout=5 -rss_limit_mb=1024 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" 2>"$work/log" || {
    tail -50 "$work/log"
    ls -la "$work/artifacts"
    exit 1
}
grep -E "stat::number_of_executed_units|stat::average_exec_per_sec" "$work/log" || true
