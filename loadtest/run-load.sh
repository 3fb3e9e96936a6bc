#!/usr/bin/env bash
# Runs chorus-load with a scenario against a `chorus serve --dev` that it starts on 127.0.0.1, then stops the
# server. `make load` runs it inside a private network namespace with only loopback up. Writes the report,
# the plots and the server log to test-output/load/. Extra arguments go to chorus-load and override the
# scenario, for example `bash loadtest/run-load.sh --duration 20s`.
#
# Environment: LOAD_SCENARIO (default loadtest/scenarios/large.json), CHORUS_BIN and CHORUS_LOAD_BIN (default
# .build/release/chorus and .build/release/chorus-load).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

scenario="${LOAD_SCENARIO:-loadtest/scenarios/large.json}"
server_bin="${CHORUS_BIN:-.build/release/chorus}"
load_bin="${CHORUS_LOAD_BIN:-.build/release/chorus-load}"
output="test-output/load"

for binary in "$server_bin" "$load_bin"; do
    if [[ ! -x "$binary" ]]; then
        echo "run-load: $binary not found; run 'swift build -c release' first" >&2
        exit 1
    fi
done
mkdir -p "$output"

# Inside a fresh network namespace the loopback link starts down.
ip link set lo up 2>/dev/null || true

"$server_bin" serve --dev >"$output/chorus-server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT

# Wait up to 20 s for /healthz to return 200.
for _ in $(seq 200); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "run-load: chorus exited during startup; see $output/chorus-server.log" >&2
        exit 1
    fi
    if exec 3<>/dev/tcp/127.0.0.1/7880 2>/dev/null; then
        printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
        status_line="$(head -n 1 <&3 || true)"
        exec 3<&- 3>&-
        [[ "$status_line" == *" 200 "* ]] && break
    fi
    sleep 0.1
done

echo "run-load: chorus-load --scenario $scenario $*"
status=0
"$load_bin" --url http://127.0.0.1:7880 --scenario "$scenario" --report "$output/report.json" \
    --plots "$output" --plot-script loadtest/plot.gnuplot "$@" || status=$?
echo "run-load: report in $output/report.json, plots and server log in $output/"
exit "$status"
