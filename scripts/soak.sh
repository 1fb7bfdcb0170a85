#!/usr/bin/env bash
# Soak test: 500 concurrent streams (closed loop) for 10 minutes against the mock with injected faults (5% of the
# requests, spread over 429, 503, mid-stream error events, disconnects, stalls, malformed events and drips), the mock
# in a second process, release build. Checks that every dispatched request has a record and every record one class
# (dispatched = succeeded + the errors of each class), and that the client's RSS stays flat: sampled every 5 s, it
# must not grow more than 20% after the first minute. Prints the requests, the errors by class and the RSS.
#
#   DURATION=2m scripts/soak.sh        shorter (the RSS baseline is then taken after a third of the run)
#   CONCURRENCY=500 FAULT_RATE=0.05 RSS_GROWTH=20 SCRATCH_PATH=.build KEEP=1 (keep the run's files)
#   RATE=1000 DURATION=60m RSS_GROWTH=10 FAULT_RATE=0.01 scripts/soak.sh
#                                      an open loop at 1,000 requests/s (Poisson) of short answers (about 80 ms,
#                                      8 chunks) for an hour: the long-run check of README's "Memory and disk over a
#                                      long run". RSS is sampled to the process's end, which writes every derived file
#                                      from what it aggregated as records arrived (nothing is read back).
#   CHUNK_ROWS=0.01                    chunk_rows of the run (default all)
#   BIN=path MOCK_BIN=path             binaries already built (no build)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/mock-address.sh
duration=${DURATION:-10m}
concurrency=${CONCURRENCY:-500}
rate=${RATE:-}
chunk_rows=${CHUNK_ROWS:-all}
fault_rate=${FAULT_RATE:-0.05}
growth_limit=${RSS_GROWTH:-20}
scratch=${SCRATCH_PATH:-.build}

seconds() {
  case "$1" in
    *ms) echo $(( ${1%ms} / 1000 )) ;;
    *s) echo "${1%s}" ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *h) echo $(( ${1%h} * 3600 )) ;;
    *) echo "$1" ;;
  esac
}
duration_s=$(seconds "$duration")
# The RSS baseline: after the first minute, or after a third of a shorter run.
baseline_s=60
if [ "$duration_s" -lt 180 ]; then baseline_s=$(( duration_s / 3 )); fi

# Two processes with `concurrency` connections each, plus libcurl's and the files'.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $(( concurrency + 256 )) ] || { echo "ulimit -n is $(ulimit -n): too few files for $concurrency streams" >&2; exit 1; }

if [ -n "${BIN:-}" ] && [ -n "${MOCK_BIN:-}" ]; then
  # Binaries already built (BIN=... MOCK_BIN=...): an hour's soak keeps its own copies while the tree is rebuilt.
  bin=$BIN
  mock_bin=$MOCK_BIN
else
  scripts/deps.sh
  swift build -c release --scratch-path "$scratch" --product sambabench >/dev/null
  swift build -c release --scratch-path "$scratch" --product sambabench-mock-faults >/dev/null
  bin="$scratch/release/sambabench"
  mock_bin="$scratch/release/sambabench-mock-faults"
fi
work=$(mktemp -d)
mock=""
client=""
cleanup() {
  [ -n "$client" ] && kill "$client" 2>/dev/null || true
  [ -n "$mock" ] && kill "$mock" 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# About 4 s per answer (300 ms to the first token, 60 tokens/s, 192-256 tokens in chunks of 8-16), so 500 streams
# make some 120 requests/s. Stalls last 3 s, beyond the 1.5 s idle limit: they end as timeout_idle.
if [ -n "$rate" ]; then
  # About 80 ms per answer (50 ms to the first token, 64-128 tokens in chunks of 8-16 at 2,000 tokens/s).
  answer=(--ttft 50ms --decode-rate 2000 --tokens-per-chunk 8-16 --output-tokens 64-128)
else
  answer=(--ttft 300ms --decode-rate 60 --tokens-per-chunk 8-16 --output-tokens 192-256)
fi
"$mock_bin" --port 0 --address-file "$work/mock.address" --fault-rate "$fault_rate" --stall 3s "${answer[@]}" \
  --threads 2 >"$work/mock.log" 2>&1 &
mock=$!
url=$(mock_address "$work/mock.address" "$mock" "$work/mock.log") || exit 1

cat >"$work/scenario.yaml" <<YAML
name: soak
base_url: $url
model: gpt-oss-120b
prompts: ["Tell me a long story about a reconfigurable dataflow unit."]
request: {max_tokens: 512}
chunk_rows: $chunk_rows
load:
  $( [ -n "$rate" ] && echo "rate: [$rate]" || echo "concurrency: [$concurrency]" )
  duration: $duration
  requests: 100000000
  drain_timeout: 30s
timeouts: {connect: 5s, first_token: 10s, idle: 1500ms, total: $( [ -n "$rate" ] && echo 20s || echo 60s )}
YAML

load_text="$concurrency concurrent streams"
[ -n "$rate" ] && load_text="$rate requests/s (Poisson)"
echo "soak: $load_text for $duration against the mock (faults $fault_rate) at $url, process $mock"
SAMBANOVA_API_KEY=dummy "$bin" run "$work/scenario.yaml" --base-url "$url" --output "$work/run" --quiet >"$work/run.log" 2>&1 &
client=$!
start=$(date +%s)
: >"$work/rss"
while kill -0 "$client" 2>/dev/null; do
  elapsed=$(( $(date +%s) - start ))
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$client/status" 2>/dev/null || true)
  mock_rss=$(awk '/^VmRSS/ {print $2}' "/proc/$mock/status" 2>/dev/null || true)
  # To the process's end: the end of the run writes its files from the aggregate, reading nothing back.
  if [ -n "$rss" ]; then echo "$elapsed $rss ${mock_rss:-0}" >>"$work/rss"; fi
  sleep 5
done
set +e
wait "$client"
status=$?
set -e
client=""
end=$(date +%s)
echo "client process: $(( end - start )) s in all (load $duration_s s); disk written: $(du -sm "$work/run" | awk '{print $1}') MB" \
  "(requests.csv $(( $(stat -c %s "$work/run/requests.csv") / 1048576 )) MB, chunks.csv $(( $(stat -c %s "$work/run/chunks.csv") / 1048576 )) MB)"
if [ "$status" -ne 0 ] && [ "$status" -ne 4 ]; then
  echo "sambabench run exited $status:" >&2
  tail -20 "$work/run.log" >&2
  exit 1
fi

failed=0
# Every dispatched request has exactly one record (its first attempt), and every record is a success or one class.
python3 - "$work/run" <<'PY' || failed=1
import csv, sys
from collections import Counter
run = sys.argv[1]
with open(f"{run}/levels.csv", newline="") as f:
    dispatched = sum(int(row["warmup_dispatched"]) + int(row["measured_dispatched"]) for row in csv.DictReader(f))
# Streamed: an hour's requests.csv has millions of rows.
records = 0
first = 0
classes = Counter()
with open(f"{run}/requests.csv", newline="") as f:
    for row in csv.DictReader(f):
        records += 1
        if row.get("attempt", "1") == "1":
            first += 1
        classes[row["error_class"]] += 1
succeeded = classes.pop("", 0)
summary = Counter()
with open(f"{run}/summary.csv", newline="") as f:
    for row in csv.DictReader(f):
        name = row["metric"]
        if name in ("requests", "succeeded") or name.startswith("errors_"):
            summary["errors" if name.startswith("errors_") else name] += int(float(row["value"]))
errors = sum(classes.values())
print(f"requests dispatched      {dispatched}")
print(f"records                  {records} (first attempts {first})")
print(f"succeeded                {succeeded}")
for name, count in sorted(classes.items()):
    print(f"  {name:<22} {count}")
print(f"errors                   {errors} ({errors * 100 / max(records, 1):.2f}%)")
problems = []
if first != dispatched:
    problems.append(f"{dispatched} requests dispatched but {first} first-attempt records")
known = {"dns", "connect", "tls", "http_status", "rate_limited", "server_error", "stream_error", "truncated",
         "malformed_event", "event_too_large", "timeout_connect", "timeout_first_token", "timeout_idle", "timeout_total",
         "cancelled", "transport", "dropped"}
if set(classes) - known:
    problems.append(f"records with no known class: {sorted(set(classes) - known)}")
if summary["requests"] != summary["succeeded"] + summary["errors"]:
    problems.append(f"summary.csv: {summary['requests']} requests but {summary['succeeded']} succeeded + {summary['errors']} errors")
for problem in problems:
    print("FAIL:", problem)
if not problems:
    print("check: dispatched = succeeded + errors by class (levels.csv, requests.csv, summary.csv)  ok")
sys.exit(1 if problems else 0)
PY

# RSS: start, baseline (after the first minute), middle, end of the load, in MiB.
awk -v baseline_s="$baseline_s" -v limit="$growth_limit" '
  { t[NR] = $1; rss[NR] = $2; mock[NR] = $3 }
  END {
    if (NR < 3) { print "FAIL: too few RSS samples"; exit 1 }
    base = 0
    for (i = 1; i <= NR; i++) if (t[i] >= baseline_s) { base = i; break }
    if (!base) base = NR
    mid = int((base + NR) / 2)
    printf "client RSS   start %.1f MiB (%ds), after warm-up %.1f MiB (%ds), middle %.1f MiB (%ds), end %.1f MiB (%ds)\n",
      rss[1] / 1024, t[1], rss[base] / 1024, t[base], rss[mid] / 1024, t[mid], rss[NR] / 1024, t[NR]
    printf "mock RSS     start %.1f MiB, end %.1f MiB\n", mock[1] / 1024, mock[NR] / 1024
    max = 0
    for (i = base; i <= NR; i++) if (rss[i] > max) max = rss[i]
    growth = (max - rss[base]) * 100 / rss[base]
    printf "client RSS growth after %ds: %+.1f%% at most (limit %d%%)  %s\n", t[base], growth, limit, growth <= limit ? "ok" : "FAIL"
    exit growth <= limit ? 0 : 1
  }' "$work/rss" || failed=1

exit "$failed"
