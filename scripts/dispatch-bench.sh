#!/usr/bin/env bash
# Dispatch accuracy benchmark: the open loop at a constant rate (default 200 requests/s for 60 s) against the
# mock server running in a second process, release build. Prints the achieved rate and the dispatch lateness
# (sent - scheduled) beside their targets. Override with RATE=300 DURATION=30s scripts/dispatch-bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/mock-address.sh
rate=${RATE:-200}
duration=${DURATION:-60s}

scripts/deps.sh
swift build -c release --product sambabench >/dev/null
bin=.build/release/sambabench
work=$(mktemp -d)

"$bin" mock --port 0 --address-file "$work/mock.address" --ttft 50ms --decode-rate 2000 --output-tokens 16 \
  --tokens-per-chunk 4-8 >"$work/mock.log" 2>&1 &
mock=$!
trap 'kill $mock 2>/dev/null || true; rm -rf "$work"' EXIT
url=$(mock_address "$work/mock.address" "$mock" "$work/mock.log") || exit 1

cat >"$work/scenario.yaml" <<YAML
name: dispatch-bench
base_url: $url
model: gpt-oss-120b
api_key_env: SAMBABENCH_BENCH_KEY
prompts: ["Count to three."]
request: {max_tokens: 16}
load:
  rate: [${rate}/s]
  arrival: constant
  duration: $duration
  warmup: 2s
  max_in_flight: 4096
timeouts: {connect: 5s, first_token: 10s, idle: 10s, total: 30s}
YAML

echo "dispatch benchmark: constant ${rate} requests/s for ${duration} (+2 s warm-up), mock in process $mock at $url"
SAMBABENCH_BENCH_KEY=unused "$bin" run "$work/scenario.yaml" --output "$work/run" --quiet >/dev/null
awk -F, -v rate="$rate" '
  $5 == "achieved_rate_rps" { achieved = $17 }
  $5 == "requests"          { requests = $17 }
  $5 == "failed"            { failed = $17 }
  $5 == "lateness_ms"       { p50 = $11; p99 = $14; p999 = $15; max = $16 }
  END {
    error = (achieved - rate) / rate * 100
    printf "requests measured        %d (%d failed)\n", requests, failed
    printf "achieved rate            %.2f requests/s (%+.3f%% of asked)   target: within 1%%  %s\n", achieved, error, (error < 1 && error > -1) ? "met" : "MISSED"
    printf "dispatch lateness p50    %.3f ms\n", p50
    printf "dispatch lateness p99    %.3f ms                            target: < 1 ms      %s\n", p99, (p99 < 1) ? "met" : "MISSED"
    printf "dispatch lateness p99.9  %.3f ms, max %.3f ms\n", p999, max
  }' "$work/run/summary.csv"
