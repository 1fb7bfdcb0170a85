#!/usr/bin/env python3
"""The real-server check's assertions and its table (scripts/real-server/run.sh runs it).

check.py OUT PASS...: for each pass, OUT/PASS is a sambabench run against llama-server and
OUT/PASS.metrics-before.txt / -after.txt are the server's /metrics just before and after it. Standard library only.
"""
import csv
import os
import statistics
import sys


def counters(path):
    """The unlabelled samples of a Prometheus text file (llama.cpp's are all unlabelled)."""
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, value = line.split()[:2]
            values[name] = float(value)
    return values


def number(text):
    return float(text) if text not in ("", None) else None


def median(values):
    return statistics.median(values) if values else None


def fmt(value, digits=1):
    if value is None:
        return "-"
    return f"{value:.{digits}f}"


def main():
    out, passes = sys.argv[1], sys.argv[2:]
    failures = []
    rows = []
    means = {}
    for name in passes:
        run = os.path.join(out, name)

        def fail(message):
            failures.append(f"{name}: {message}")

        with open(os.path.join(run, "requests.csv"), encoding="utf-8", newline="") as f:
            requests = list(csv.DictReader(f))
        before = counters(os.path.join(out, f"{name}.metrics-before.txt"))
        after = counters(os.path.join(out, f"{name}.metrics-after.txt"))
        stream = requests[0]["stream"] == "1"
        failed = [r for r in requests if r["error_class"]]
        if failed:
            fail(f"{len(failed)} of {len(requests)} requests failed, first: {failed[0]['error_class']} {failed[0]['error_message']}")

        output = sum(int(r["output_tokens"]) for r in requests)
        server_output = after["llamacpp:tokens_predicted_total"] - before["llamacpp:tokens_predicted_total"]
        if output != server_output:
            fail(f"output tokens {output} but the server's tokens_predicted_total rose by {server_output:.0f}")
        inputs = [int(r["input_tokens"]) for r in requests if r["input_tokens"]]
        cached = [int(r["cached_input_tokens"]) for r in requests if r["cached_input_tokens"]]
        server_prompt = after["llamacpp:prompt_tokens_total"] - before["llamacpp:prompt_tokens_total"]
        if len(cached) != len(requests) or sum(cached) == 0:
            fail(f"cached input tokens: {len(cached)} of {len(requests)} requests have a count, summing to {sum(cached)}")
        # The server's prompt counter counts the tokens it processed: the input less what its cache served.
        if sum(inputs) - sum(cached) != server_prompt:
            fail(f"input {sum(inputs)} - cached {sum(cached)} = {sum(inputs) - sum(cached)}, but the server's "
                 f"prompt_tokens_total rose by {server_prompt:.0f}")
        means[name] = statistics.mean(inputs) if inputs else None

        ratios, gaps, client_ttft, server_ttft, client_decode, server_decode = [], [], [], [], [], []
        with_timings = [r for r in requests if r["server_ttft_s"]]
        for r in with_timings:
            server_ttft.append(float(r["server_ttft_s"]) * 1000)
            if r["server_decode_tps"]:
                server_decode.append(float(r["server_decode_tps"]))
            if stream:
                gap = number(r["client_minus_server_ttft_ms"])
                if gap is None:
                    fail(f"request {r['seq']}: client_minus_server_ttft_ms is empty")
                else:
                    gaps.append(gap)
                    if gap <= 0:
                        fail(f"request {r['seq']}: client TTFT {r['ttft_ms']} ms is not above the server's {gap:+.3f} ms gap")
            client, server = number(r["decode_tps"]), number(r["server_decode_tps"])
            # Only where every generated token was streamed (see scenario.yaml: the end-of-text token is not).
            if client is not None and server and r["finish"] == "length":
                ratios.append(client / server)
                if abs(client / server - 1) > 0.02:
                    fail(f"request {r['seq']}: decode {client:.2f} tokens/s against the server's {server:.2f} (ratio {client / server:.4f})")
        for r in requests:
            if r["ttft_ms"]:
                client_ttft.append(float(r["ttft_ms"]))
            if r["decode_tps"]:
                client_decode.append(float(r["decode_tps"]))
        # llama.cpp sends `timings` with chat (streamed and whole) and streamed responses; its messages answers carry none.
        if name != "messages" and len(with_timings) != len(requests):
            fail(f"{len(requests) - len(with_timings)} requests without the server's timings")

        with open(os.path.join(run, "server_metrics.csv"), encoding="utf-8", newline="") as f:
            scrapes = list(csv.DictReader(f))
        good = [s for s in scrapes if not s["error"] and s["server_kind"] == "llamacpp"]
        if len(good) < 2:
            fail(f"{len(good)} good scrapes of {len(scrapes)} in server_metrics.csv")
        with open(os.path.join(run, "report.md"), encoding="utf-8") as f:
            report = f.read()
        if "plots/server_metrics.png" not in report or "## Server metrics" not in report:
            fail("report.md has no server metrics section or plot")
        if "(gnuplot:" in report:
            fail("report.md quotes a gnuplot error")
        if not os.path.getsize(os.path.join(run, "plots", "throughput.png")):
            fail("plots/throughput.png is empty")
        # ignore_eos (scenario.yaml) runs every request with the server's timings to max_tokens. llama-server's
        # Messages endpoint drops the field, and sends no timings to compare with either.
        cut = [r for r in requests if r["finish"] != "length" and r["server_decode_tps"]]
        if cut:
            fail(f"{len(cut)} requests with the server's timings did not run to max_tokens (finish {cut[0]['finish']}), "
                 "so their decode rate is not comparable")

        rows.append((name, len(requests), fmt(median(client_ttft)), fmt(median(server_ttft)), fmt(median(gaps)),
                     fmt(median(client_decode)), fmt(median(server_decode)), fmt(median(ratios), 4),
                     output, f"{server_output:.0f}", sum(inputs), sum(cached), f"{server_prompt:.0f}", len(good)))

    chat = means.get("chat-stream")
    if chat is not None and means.get("messages") is not None and means["messages"] != chat:
        failures.append(f"messages: input tokens mean {means['messages']:.2f} against chat's {chat:.2f} for the same prompts")

    header = ("API", "requests", "client TTFT p50 ms", "server prompt_ms p50", "client-server TTFT p50 ms",
              "client decode p50 tok/s", "server decode p50 tok/s", "decode ratio median", "output tokens",
              "server tokens_predicted delta", "input tokens", "cached", "server prompt_tokens delta", "scrapes")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(v) for v in row) + " |")
    for name in passes:
        print(f"input tokens mean, {name}: {fmt(means[name], 2)}")
    if failures:
        print("\nFAILED:", file=sys.stderr)
        for failure in failures:
            print("  " + failure, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
