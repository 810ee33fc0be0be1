#!/bin/sh
# One libFuzzer harness for SECONDS over WORK/corpus-NAME (the seeds copied
# in; what it finds kept there for the next run), then one line (the corpus:
# the inputs libFuzzer keeps in the end, each adding coverage):
#   fuzz: NAME: N execs in S s, corpus C, no crash
# or, on a crash, a leak, a timeout or running out of memory, the input
# libFuzzer saved and the end of its log, and a non-zero status.
# usage: fuzz/run.sh HARNESS SEEDS WORK SECONDS [DICT]
set -u

harness=$1 seeds=$2 work=$3 seconds=$4 dict=${5:-}
name=${harness##*/fuzz_}
corpus=$work/corpus-$name
artifacts=$work/artifacts-$name/
log=$work/$name.log

mkdir -p "$corpus" "$artifacts"
cp "$seeds"/* "$corpus"/
start=$(date +%s)
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
	"$harness" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
	-print_final_stats=1 -artifact_prefix="$artifacts" ${dict:+-dict="$dict"} \
	"$corpus" >"$log" 2>&1
status=$?
elapsed=$(($(date +%s) - start))
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
size=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' "$log" | tail -n 1)

if [ "$status" -eq 0 ]; then
	echo "fuzz: $name: ${execs:-?} execs in $elapsed s, corpus ${size:-?}, no crash"
	exit 0
fi
input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
tail -n 60 "$log" >&2
echo "fuzz: $name: FAILED (status $status) after ${execs:-?} execs in $elapsed s:" \
	"input ${input:-none saved}, log $log" >&2
exit 1
