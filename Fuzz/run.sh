#!/usr/bin/env bash
# Builds the libFuzzer targets of this package and runs each for a number of seconds, starting
# from its seed corpus in corpus/<name>. New inputs go to .build/corpus/<name>, so the seeds stay
# as committed and the grown corpus is kept between runs on one machine.
#
# Usage: Fuzz/run.sh SECONDS [NAME...]   (names: rtp rtcp stun sdp dtls; default all)
# Exits non-zero when a fuzzer finds a crash, leak or timeout; the input that caused it is
# written to .build/crashes/<name>/ and its path is printed.
set -euo pipefail

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${1:?usage: Fuzz/run.sh SECONDS [NAME...]}"
shift
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(rtp rtcp stun sdp dtls)

declare -A targets=([rtp]=RTPFuzzer [rtcp]=RTCPFuzzer [stun]=STUNFuzzer [sdp]=SDPFuzzer [dtls]=DTLSFuzzer)
for name in "${names[@]}"; do
    [[ -n "${targets[$name]:-}" ]] || { echo "fuzz: unknown fuzzer '$name' (known: ${!targets[*]})" >&2; exit 2; }
done

cd "$fuzz_dir"
if ! grep -q '"ChorusProtocols"' ../Package.swift; then
    echo "fuzz: ../Package.swift has no ChorusProtocols library product, which Fuzz/Package.swift depends on." >&2
    echo "fuzz: add .library(name: \"ChorusProtocols\", targets: [\"Wire\", \"RTP\", \"RTCP\", \"STUN\", \"SDP\", \"ICE\", \"DTLS\", \"SRTP\", \"Crypto\"]) to its products." >&2
    exit 1
fi
# Debug builds keep Swift's bounds checks on unsafe buffer subscripts, and AddressSanitizer
# catches reads past the input. The linker warns about ASan symbols it cannot export; those
# lines are noise and are dropped.
echo "fuzz: building the fuzzers (debug, -sanitize=fuzzer,address)"
mkdir -p .build/logs
build_status=0
swift build -Xswiftc -sanitize=fuzzer,address >.build/logs/build.log 2>&1 || build_status=$?
grep -v "Cannot export local symbol" .build/logs/build.log || true
[[ $build_status -eq 0 ]] || { echo "fuzz: build failed" >&2; exit 1; }
bin_dir="$(swift build -Xswiftc -sanitize=fuzzer,address --show-bin-path)"

# The Swift backtracer would race AddressSanitizer's report on a crash.
export SWIFT_BACKTRACE=enable=no
failed=()
summary=()
for name in "${names[@]}"; do
    work_corpus=".build/corpus/$name"
    crashes=".build/crashes/$name"
    log=".build/logs/$name.log"
    mkdir -p "$work_corpus" "$crashes" "$(dirname "$log")"
    echo "fuzz: running $name for ${seconds}s"
    status=0
    "$bin_dir/${targets[$name]}" -max_total_time="$seconds" -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$work_corpus" "corpus/$name" >"$log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
    units="$(sed -n 's/^stat::new_units_added: *//p' "$log")"
    if [[ $status -ne 0 ]]; then
        failed+=("$name")
        summary+=("$name: FAILED with status $status after ${runs:-?} runs; log $fuzz_dir/$log")
        grep -E "^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*precondition failed|.*Test unit written)" "$log" | head -5 >&2 || true
    else
        summary+=("$name: ${runs:-?} runs, ${rate:-?} execs/s, ${units:-?} new inputs, no crash")
    fi
done

printf 'fuzz: %s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: failures in ${failed[*]}; the crashing inputs are in $fuzz_dir/.build/crashes" >&2
    exit 1
fi
