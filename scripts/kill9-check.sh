#!/usr/bin/env bash
# kill -9 check: a run killed with SIGKILL keeps every completed record on disk as whole rows.
# Release build; the mock in a second process (it counts the streams it wrote to their end: GET /v1/mock/stats);
# a closed loop of CONCURRENCY streams; SIGKILL after KILL_AFTER seconds. Prints the records on disk against the
# streams the mock finished and the requests it received, checks that every row parses, and that `report` rebuilds
# the killed level (marked partial).
#   scripts/kill9-check.sh            CONCURRENCY=32 KILL_AFTER=8 SCRATCH_PATH=.build
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/mock-address.sh
concurrency=${CONCURRENCY:-32}
kill_after=${KILL_AFTER:-8}
scratch=${SCRATCH_PATH:-.build}
work=$(mktemp -d "${TMPDIR:-/tmp}/kill9.XXXXXX")
mock_pid=
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

swift build -c release --scratch-path "$scratch" --product sambabench >/dev/null
bin="$scratch/release/sambabench"
"$bin" mock --port 0 --address-file "$work/mock.address" --ttft 50ms --decode-rate 400 --output-tokens 100 \
  --tokens-per-chunk 4-8 >"$work/mock.log" 2>&1 &
mock_pid=$!
url=$(mock_address "$work/mock.address" "$mock_pid" "$work/mock.log") || { echo "kill9-check: the mock did not start" >&2; exit 1; }
cat >"$work/s.yaml" <<YAML
name: kill9
base_url: $url
model: gpt-oss-120b
prompts: ["Count to fifty."]
load: {concurrency: [$concurrency], duration: 10m}
YAML
SAMBANOVA_API_KEY=kill9 "$bin" run "$work/s.yaml" --output "$work/run" --quiet >/dev/null 2>&1 &
client=$!
sleep "$kill_after"
kill -9 "$client"
wait "$client" 2>/dev/null || true
stats=$(curl -s "$url/mock/stats")
# Killed in its first level, the run has no levels.csv: `report` rebuilds the level from the records, marked partial.
report_ok=yes
"$bin" report "$work/run" >"$work/report.out" 2>"$work/report.err" || report_ok=no
python3 - "$work/run" "$stats" "$concurrency" "$report_ok" <<'PY'
import csv, json, sys
directory, stats, concurrency = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
with open(directory + "/requests.csv", newline="") as f:
    text = f.read()
rows = list(csv.DictReader(text.splitlines()))
with open(directory + "/chunks.csv", newline="") as f:
    chunk_rows = list(csv.DictReader(f))
whole = text.endswith("\n") and all(len(r) == len(rows[0]) and None not in r.values() for r in rows)
chunks_of = {}
for c in chunk_rows:
    chunks_of[c["seq"]] = chunks_of.get(c["seq"], 0) + int(c["tokens"])
complete_chunks = all(chunks_of.get(r["seq"], 0) == int(r["output_tokens"]) for r in rows if not r["error_class"])
finished, received = stats["streams_finished"], stats["received"]
print(f"records on disk          {len(rows)} (all whole rows: {'yes' if whole else 'NO'}; every record's chunks on disk: {'yes' if complete_chunks else 'NO'})")
print(f"streams the mock finished {finished}; requests it received {received}; concurrency {concurrency}")
lost = max(0, finished - len(rows))
print(f"finished by the mock but not on disk: {lost} (streams still in the socket buffers or being read when the client died)")
report_ok = sys.argv[4] == "yes"
levels = list(csv.DictReader(open(directory + "/levels.csv", newline=""))) if report_ok else []
partial = report_ok and [l["stop_reason"] for l in levels] == ["partial"]
print(f"report after the kill: {'rebuilt, the level marked partial' if partial else 'FAILED'}")
ok = whole and complete_chunks and received - len(rows) <= concurrency and partial
print("kill9-check: " + ("ok" if ok else "FAILED"))
sys.exit(0 if ok else 1)
PY
