#!/usr/bin/env bash
# The real-server check: builds (once per clone) and starts llama.cpp's llama-server on 127.0.0.1 with
# SmolLM2-135M-Instruct, 4 slots and --metrics, runs sambabench against it four times (chat streamed, chat whole,
# messages, responses; scripts/real-server/scenario.yaml, no key: auth none) and checks each run against the
# server's own figures (scripts/real-server/check.py): every request succeeds, the output tokens sum to the
# server's token counter delta, each request's decode rate is within 2% of the server's `timings`, client TTFT minus
# the server's prompt_ms is positive and reported, cached input tokens are counted, the server's metrics were scraped.
# Prints a table per API and exits non-zero when a check fails. Nothing is downloaded but from PyPI (build.sh).
#
# Usage: scripts/real-server/run.sh [OUTPUT_DIR]   (default .cache/real-server/runs/<timestamp>)
# SAMBABENCH_BIN: the sambabench binary (default .build/release/sambabench, built by `make test-real`).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
started=$(date +%s)
cache="$("$root/scripts/real-server/build.sh" | tail -1)"
bin="${SAMBABENCH_BIN:-$root/.build/release/sambabench}"
if [ ! -x "$bin" ]; then
  echo "real-server: no sambabench binary at $bin (make test-real builds it, or set SAMBABENCH_BIN)" >&2
  exit 1
fi
out="${1:-$cache/runs/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
# One inference thread: the other core is left to the server's HTTP thread and to sambabench, so neither waits behind
# the model for a core and each token is sent and timed when it is made (two threads on this 2-core machine put
# some requests' last chunks 25 ms late, 2.5% of their decode time).
"$cache/llama-server" -m "$cache/model.gguf" --alias SmolLM2-135M-Instruct --host 127.0.0.1 --port "$port" \
  -np 4 -c 4096 -t 1 --metrics >"$out/llama-server.log" 2>&1 &
server=$!
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap stop EXIT

for _ in $(seq 1 240); do
  if curl -fsS "$base/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "real-server: llama-server exited; its log:" >&2
    tail -20 "$out/llama-server.log" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fsS "$base/health" >/dev/null || { echo "real-server: llama-server not healthy after 120 s" >&2; exit 1; }
echo "real-server: llama-server ($("$cache/llama-server" --version 2>&1 | head -1)) on $base (pid $server)" >&2

passes=("chat-stream:chat:--stream" "chat-whole:chat:--no-stream" "messages:messages:--stream" "responses:responses:--stream")
for pass in "${passes[@]}"; do
  IFS=: read -r name api stream <<<"$pass"
  curl -fsS "$base/metrics" >"$out/$name.metrics-before.txt"
  "$bin" run "$root/scripts/real-server/scenario.yaml" --quiet --force -o "$out/$name" --api "$api" "$stream" \
    --base-url "$base/v1" --auth none --server-metrics "$base/metrics" >"$out/$name.table.txt"
  curl -fsS "$base/metrics" >"$out/$name.metrics-after.txt"
done
stop
trap - EXIT

python3 "$root/scripts/real-server/check.py" "$out" "${passes[@]%%:*}"
echo "real-server: passed in $(( $(date +%s) - started )) s; runs in $out" >&2
