#!/usr/bin/env python3
"""Checks a sharded run and its merge (scripts/slurm-test.sh), independently of sambabench's own merge code.

usage: check.py RUN_DIR SAMBABENCH WARMUP REQUESTS RATE

RUN_DIR holds shard-0 .. shard-N-1 and merged/. Asserts, printing each figure beside its target:
  1. the merged requests.csv holds the scenario's requests (WARMUP + REQUESTS), each sequence number once, from every shard;
  2. the union rebuilt here (each shard's rows, times moved by its clock anchor less the earliest one, taken in order of
     end time) and summarised by `sambabench report` gives summary.csv and timeseries.csv byte for byte as merge did;
  3. the measured requests went out at the configured open-loop RATE within 2%: (n - 1) / (last sent - first sent).
Exit status 1 when any check fails.
"""
import csv
import heapq
import json
import os
import shutil
import subprocess
import sys

REQUEST_TIMES = ["scheduled_ms", "sent_ms", "headers_ms", "first_byte_ms", "end_ms", "first_chunk_ms",
                 "last_chunk_ms", "first_answer_ms", "mock_sent_ms"]


def ns(text):
    """'123.456789' (milliseconds with six decimals) -> nanoseconds."""
    whole, _, fraction = text.partition(".")
    return int(whole) * 1_000_000 + int(fraction.ljust(6, "0")[:6])


def ms(value):
    return f"{value // 1_000_000}.{value % 1_000_000:06d}"


def anchor_ns(run_json):
    whole, _, fraction = run_json["shard"]["clock_anchor_unix_s"].partition(".")
    return int(whole) * 1_000_000_000 + int(fraction.ljust(9, "0"))


def read(path):
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def main():
    run, binary, warmup, requests, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    shards = sorted((d for d in os.listdir(run) if d.startswith("shard-")), key=lambda d: int(d.split("-")[1]))
    failures = []

    def check(ok, text):
        print(("ok    " if ok else "FAIL  ") + text)
        if not ok:
            failures.append(text)

    manifests = [json.load(open(os.path.join(run, d, "run.json"))) for d in shards]
    count = manifests[0]["shard"]["count"]
    check([m["shard"]["index"] for m in manifests] == list(range(count)), f"shards {len(shards)} of {count}, indices 0..{count - 1}")
    anchors = [anchor_ns(m) for m in manifests]
    origin = min(anchors)
    offsets = [a - origin for a in anchors]

    # 1. The union's requests.
    header, merged = read(os.path.join(run, "merged", "requests.csv"))
    column = {name: i for i, name in enumerate(header)}
    seqs = [int(r[column["seq"]]) for r in merged]
    check(len(merged) == warmup + requests, f"merged requests: {len(merged)} (target: the scenario's {warmup} + {requests} = {warmup + requests})")
    check(len(set(seqs)) == len(seqs), f"distinct sequence numbers: {len(set(seqs))} of {len(seqs)} (target: no overlap)")
    check(sorted(seqs) == list(range(warmup + requests)), f"sequence numbers 0..{warmup + requests - 1} (target: one process's)")
    per_shard = {s: sum(1 for r in merged if r[column["shard"]] == str(s)) for s in range(count)}
    check(all(per_shard.values()), f"records per shard: {per_shard} (target: every shard)")
    check(sum(1 for r in merged if r[column["warmup"]] == "1") == warmup, f"warm-up requests: {warmup} (target {warmup})")
    errors = sum(1 for r in merged if r[column["error_class"]])
    check(errors == 0, f"errors: {errors} (target 0)")

    # 2. The union rebuilt here, summarised by `report`.
    concat = os.path.join(run, "concatenated")
    shutil.rmtree(concat, ignore_errors=True)
    os.makedirs(concat)
    for name in ["run.json", "levels.csv"]:
        shutil.copy(os.path.join(run, "merged", name), concat)
    streams, chunk_rows, chunk_header = [], [], None
    for index, directory in enumerate(shards):
        header, rows = read(os.path.join(run, directory, "requests.csv"))
        col = {name: i for i, name in enumerate(header)}
        for row in rows:
            for name in REQUEST_TIMES:
                if row[col[name]]:
                    row[col[name]] = ms(ns(row[col[name]]) + offsets[index])
        streams.append([(ns(row[col["end_ms"]]), row) for row in rows])
        chunk_header, chunks = read(os.path.join(run, directory, "chunks.csv"))
        ccol = {name: i for i, name in enumerate(chunk_header)}
        by_seq = {}
        for row in chunks:
            row[ccol["arrival_ms"]] = ms(ns(row[ccol["arrival_ms"]]) + offsets[index])
            by_seq.setdefault(row[ccol["seq"]], []).append(row)
        chunk_rows.append(by_seq)
    seq_column = header.index("seq")
    with open(os.path.join(concat, "requests.csv"), "w", newline="") as requests_file, \
         open(os.path.join(concat, "chunks.csv"), "w", newline="") as chunks_file:
        requests_out = csv.writer(requests_file, lineterminator="\n")
        chunks_out = csv.writer(chunks_file, lineterminator="\n")
        requests_out.writerow(header)
        chunks_out.writerow(chunk_header)
        tagged = [[(end, index, row) for end, row in stream] for index, stream in enumerate(streams)]
        # Ties in end time: the lower shard first (heapq.merge keeps its inputs' order on equal keys).
        for _, index, row in heapq.merge(*tagged, key=lambda item: item[0]):
            for chunk in chunk_rows[index].get(row[seq_column], []):
                chunks_out.writerow(chunk)
            requests_out.writerow(row)
    subprocess.run([binary, "report", concat], check=True, stdout=subprocess.DEVNULL)
    for name in ["summary.csv", "timeseries.csv"]:
        same = open(os.path.join(concat, name), "rb").read() == open(os.path.join(run, "merged", name), "rb").read()
        check(same, f"merged {name} == report over the concatenated records (target: byte for byte)")

    # 3. The achieved aggregate rate.
    sent = sorted(ns(r[column["sent_ms"]]) for r in merged if r[column["warmup"]] == "0")
    achieved = (len(sent) - 1) / ((sent[-1] - sent[0]) / 1e9)
    check(abs(achieved / rate - 1) <= 0.02,
          f"achieved rate {achieved:.2f} requests/s (target {rate:g} within 2%: {rate * 0.98:.2f}-{rate * 1.02:.2f}); deviation {100 * (achieved / rate - 1):+.3f}%")
    lateness = [m["shard"]["level_start_lateness_ms"] for m in manifests]
    print(f"info  start lateness per shard (ms): {lateness}; clock offsets (ms): {[round(o / 1e6, 3) for o in offsets]}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
