#!/usr/bin/env bash
# Runs of any length (README, "Memory and disk over a long run"): sambabench against nginx serving a static
# SambaNova-shaped stream (64 chunks of 4 tokens, usage in the last chunk, about 19 KB), release build, nginx in a
# second process, /usr/bin/time for the client's CPU and peak RSS. Prints each figure beside its target:
#   - peak RSS of a 30,000-request run (every chunk row kept)            <= 150 MB
#   - peak RSS of a 2,000,000-request run (chunk_rows: none)              <= 150 MB
#   - whole-process rate / in-window rate, 30,000 requests                >= 80%
#   - `sambabench report` on the 30,000-request directory                 <= 150 MB and <= 3 s, files byte for byte
#   - client CPU (user + sys of the process tree) per 1,000 requests      <= 0.5 s
#
#   scripts/long-run-bench.sh
#   REQUESTS=30000 LONG_REQUESTS=2000000 CONCURRENCY=64 scripts/long-run-bench.sh
#   LONG_REQUESTS=0 scripts/long-run-bench.sh      # skip the long run (about 8 minutes here)
#   BIN=.build/release/sambabench scripts/long-run-bench.sh   # no build
#
# Everything listens on 127.0.0.1; each run is bounded by its request count. Exits 1 when a figure misses its target
# or could not be measured.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${REQUESTS:-30000}
long_requests=${LONG_REQUESTS:-2000000}
concurrency=${CONCURRENCY:-64}

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  scripts/deps.sh
  swift build -c release --product sambabench >/dev/null
  bin=.build/release/sambabench
fi

work=$(mktemp -d)
nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The stream: 64 chunks of 4 tokens ("tok " x 4), then a chunk with SambaNova's usage, then [DONE].
mkdir -p "$work/www/v1/chat"
python3 - "$work/www/v1/chat/completions" <<'PY'
import json, sys
lines = []
for i in range(64):
    chunk = {"id": "bench", "object": "chat.completion.chunk", "created": 1, "model": "gpt-oss-120b",
             "choices": [{"index": 0, "delta": {"content": "word " * 4} if i else {"role": "assistant", "content": "word " * 4},
                          "finish_reason": None, "logprobs": None}]}
    lines.append("data: " + json.dumps(chunk, separators=(",", ":")) + "\n\n")
usage = {"id": "bench", "object": "chat.completion.chunk", "created": 1, "model": "gpt-oss-120b",
         "choices": [{"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": None}],
         "usage": {"prompt_tokens": 12, "completion_tokens": 256, "total_tokens": 268, "time_to_first_token": 0.001,
                   "total_latency": 0.01, "completion_tokens_after_first_per_sec": 25000.0}}
lines.append("data: " + json.dumps(usage, separators=(",", ":")) + "\n\n")
lines.append("data: [DONE]\n\n")
open(sys.argv[1], "w").write("".join(lines))
PY
stream_bytes=$(stat -c %s "$work/www/v1/chat/completions")

# nginx's worker runs as another user: the stream and its folders must be readable by it.
chmod -R a+rX "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
    # A POST to a static file is 405: answered as a GET of the same file, as text/event-stream.
    location /v1/chat/completions { types { } default_type text/event-stream; error_page 405 =200 \$uri; }
  }
}
NGINX
"$nginx_bin" -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 50); do
  curl -s -o /dev/null -X POST "http://127.0.0.1:$port/v1/chat/completions" && break
  sleep 0.1
done

scenario() {
  cat >"$work/$1.yaml" <<YAML
name: $1
base_url: http://127.0.0.1:$port/v1
model: gpt-oss-120b
api_key_env: BENCH_KEY
chunk_rows: $3
prompts: ["Count to a hundred."]
request: {max_tokens: 256}
load: {concurrency: [$concurrency], requests: $2, warmup: 0}
timeouts: {connect: 5s, first_token: 30s, idle: 10s, total: 60s}
YAML
}

# /usr/bin/time's figures of one command: wall seconds, user + sys seconds, peak RSS in MB.
timed() {
  local out=$1; shift
  BENCH_KEY=dummy /usr/bin/time -f "%e %U %S %M" -o "$out" "$@" >"$out.log" 2>&1
}
wall() { awk '{print $1}' "$1"; }
cpu() { awk '{printf "%.2f", $2 + $3}' "$1"; }
rss_mb() { awk '{printf "%.1f", $4 / 1024}' "$1"; }
summary_value() {  # level figure from summary.csv
  awk -F, -v name="$2" '$5 == name {print $17}' "$1/summary.csv" | head -1
}

failed=0
verdict() {  # name, value, op, target, unit
  local name=$1 value=$2 op=$3 target=$4 unit=$5 ok
  if [ -z "$value" ]; then
    printf '%-58s %12s   target %s %s %s   NOT MEASURED\n' "$name" "-" "$op" "$target" "$unit"; failed=1; return
  fi
  ok=$(awk -v v="$value" -v t="$target" -v op="$op" 'BEGIN { print (op == "<=" ? v <= t : v >= t) ? "met" : "MISSED" }')
  [ "$ok" = met ] || failed=1
  printf '%-58s %12s %-6s target %s %s %s   %s\n' "$name" "$value" "$unit" "$op" "$target" "$unit" "$ok"
}

echo "long-run bench: nginx on 127.0.0.1:$port serving a $stream_bytes-byte stream (64 chunks, 256 tokens), concurrency $concurrency"
echo "client: $bin ($("$bin" --version 2>/dev/null || echo unknown))"

scenario short "$requests" all
timed "$work/short.time" "$bin" run "$work/short.yaml" --output "$work/short" --quiet
in_window=$(summary_value "$work/short" request_throughput_rps)
whole=$(awk -v n="$requests" -v s="$(wall "$work/short.time")" 'BEGIN { printf "%.0f", n / s }')
ratio=$(awk -v w="$whole" -v i="$in_window" 'BEGIN { if (i > 0) printf "%.1f", 100 * w / i }')
cpu_per_k=$(awk -v c="$(cpu "$work/short.time")" -v n="$requests" 'BEGIN { printf "%.3f", c / (n / 1000) }')
chunks_mb=$(awk '{printf "%.1f", $1 / 1048576}' <<<"$(stat -c %s "$work/short/chunks.csv")")
disk_mb=$(du -sm "$work/short" | awk '{print $1}')
echo
echo "$requests requests: wall $(wall "$work/short.time") s, in-window $in_window requests/s, whole process $whole requests/s, chunks.csv $chunks_mb MB, directory $disk_mb MB"
verdict "peak RSS, $requests requests, every chunk row" "$(rss_mb "$work/short.time")" "<=" 150 MB
verdict "whole-process rate / in-window rate, $requests requests" "$ratio" ">=" 80 "%"
verdict "client CPU (user+sys) per 1,000 requests" "$cpu_per_k" "<=" 0.5 s

# report on a copy of the CSVs and run.json: rebuilt in one pass, the same files byte for byte.
mkdir "$work/copy"
cp "$work/short/requests.csv" "$work/short/chunks.csv" "$work/short/levels.csv" "$work/short/run.json" "$work/copy/"
timed "$work/report.time" "$bin" report "$work/copy"
same=yes
for file in summary.csv timeseries.csv hdr/intervals.hlog hdr/levels.hlog; do
  cmp -s "$work/short/$file" "$work/copy/$file" || { same=no; echo "report: $file differs from the run's"; }
done
for file in "$work/short"/hdr/*.csv; do
  cmp -s "$file" "$work/copy/hdr/$(basename "$file")" || { same=no; echo "report: hdr/$(basename "$file") differs"; }
done
echo "report on the $requests-request directory: wall $(wall "$work/report.time") s; summary.csv, timeseries.csv, every HDR file the same bytes: $same"
[ "$same" = yes ] || failed=1
verdict "report: peak RSS" "$(rss_mb "$work/report.time")" "<=" 150 MB
verdict "report: wall time" "$(wall "$work/report.time")" "<=" 3 s

if [ "$long_requests" -gt 0 ]; then
  rm -rf "$work/short" "$work/copy"
  scenario long "$long_requests" none
  timed "$work/long.time" "$bin" run "$work/long.yaml" --output "$work/long" --quiet
  long_in_window=$(summary_value "$work/long" request_throughput_rps)
  chunks=$(awk -F, '$5 == "tokens_per_chunk" {print $7}' "$work/long/summary.csv" | head -1)
  echo
  echo "$long_requests requests (chunk_rows: none): wall $(wall "$work/long.time") s, in-window $long_in_window requests/s, $chunks chunks aggregated, directory $(du -sm "$work/long" | awk '{print $1}') MB"
  verdict "peak RSS, $long_requests requests, chunk_rows none" "$(rss_mb "$work/long.time")" "<=" 150 MB
fi
exit $failed
