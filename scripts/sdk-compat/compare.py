#!/usr/bin/env python3
"""Compares what the official SDKs made of the mock's answers (check.py's lines) with what sambabench recorded for
the same requests (its responses.jsonl): answer text, reasoning, tool calls, usage and finish reason must be equal.

    python3 compare.py SDK.jsonl RUN_DIR/responses.jsonl
"""

import json
import sys


def load(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sdk = load(sys.argv[1])
    ours = sorted(load(sys.argv[2]), key=lambda line: line["seq"])
    api = sdk[0]["api"] if sdk else "?"
    problems = []
    if len(sdk) != len(ours) or not sdk:
        problems.append(f"{len(sdk)} SDK answers but {len(ours)} sambabench records")
    for theirs, mine in zip(sdk, ours):
        where = f"{api} request {theirs['index']} (sambabench seq {mine['seq']})"
        if mine.get("error_class"):
            problems.append(f"{where}: sambabench recorded an error: {mine['error_class']}")
            continue
        # sambabench records an incomplete response's reason too (`incomplete:max_output_tokens`); the SDK's
        # status is the part before the colon.
        if api == "responses" and mine["finish_reason"]:
            mine["finish_reason"] = mine["finish_reason"].split(":")[0]
        for field in ("text", "reasoning", "finish_reason"):
            if theirs[field] != mine[field]:
                problems.append(f"{where}: {field} differs:\n  SDK:        {theirs[field]!r}\n  sambabench: {mine[field]!r}")
        calls = [{k: c[k] for k in ("id", "name", "arguments")} for c in mine["tool_calls"]]
        if theirs["tool_calls"] != calls:
            problems.append(f"{where}: tool calls differ:\n  SDK:        {theirs['tool_calls']}\n  sambabench: {calls}")
        for field in ("input_tokens", "output_tokens", "reasoning_tokens"):
            expected = theirs["usage"][field]
            if expected is not None and expected != mine["usage"][field]:
                problems.append(f"{where}: usage.{field}: SDK {expected}, sambabench {mine['usage'][field]}")
        if mine["usage"]["token_source"] != "usage":
            problems.append(f"{where}: sambabench did not read the usage (token_source {mine['usage']['token_source']})")
    if problems:
        print(f"sdk-compat {api}: {len(problems)} difference(s)", file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        return 1
    with_calls = sum(1 for line in sdk if line["tool_calls"])
    with_reasoning = sum(1 for line in sdk if line["reasoning"])
    tokens = sum(line["usage"]["output_tokens"] for line in sdk)
    print(f"sdk-compat {api}: {len(sdk)} answers identical in the SDK and in sambabench "
          f"({with_calls} tool calls, {with_reasoning} with reasoning, {tokens} output tokens)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
