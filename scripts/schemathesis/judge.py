#!/usr/bin/env python3
"""Reads schemathesis' reports (the JSON summary and the NDJSON events, which hold every failing case with its
request and response) and the allowlist; prints the run's figures and each distinct failure, allowed (with the
reason) or not; exits 1 when any failure is not allowed, or when an allowlist entry lacks a reason.

An allowlist entry names a check's `code` and an `operation` ("POST /messages"), a `reason`, and optionally narrows
the failures it covers (all its conditions must hold):
  message_contains   a substring of schemathesis' failure message
  response_contains  a substring of the mock's response body
  content_type       the response's Content-Type (its media type)
  null_field         true: the message names a body field ("in body - FIELD: Incorrect type") whose value in the
                     request is null (the specification marks such fields `nullable`, which OpenAPI 3.1 ignores)

Usage: judge.py SUMMARY.json EVENTS.ndjson ALLOWLIST.json SECONDS
"""
import base64
import json
import re
import sys


def decode(blob):
    if not isinstance(blob, dict):
        return ""
    if "$base64" in blob:
        return base64.b64decode(blob["$base64"]).decode("utf-8", "replace")
    return blob.get("string", "") if isinstance(blob.get("string"), str) else ""


def reaches_null(value, steps):
    """True when following the field path `steps` through `value` reaches a null; a step "[]" stands for any item of
    an array (schemathesis says "Array with invalid items" without saying which)."""
    if not steps:
        return value is None
    step, rest = steps[0], steps[1:]
    if step == "[]":
        return isinstance(value, list) and any(reaches_null(item, rest) for item in value)
    return isinstance(value, dict) and step in value and reaches_null(value[step], rest)


def field_is_null(message, request_body):
    """The message names the field at fault as "in body - a -> Array with invalid items: b: Incorrect type"."""
    match = re.search(r"in body - (.+): Incorrect type", message)
    if not match:
        return False
    steps = []
    for part in match.group(1).split(" -> "):
        if part.startswith("Array with invalid items: "):
            steps += ["[]", part[len("Array with invalid items: "):]]
        else:
            steps += part.split(".")
    try:
        body = json.loads(request_body)
    except ValueError:
        return False
    return reaches_null(body, [step.strip() for step in steps])


def matches(entry, failure):
    if entry["code"] != failure["code"] or entry["operation"] != failure["operation"]:
        return False
    if "message_contains" in entry and entry["message_contains"] not in failure["message"]:
        return False
    if "response_contains" in entry and entry["response_contains"] not in failure["response"]:
        return False
    if "content_type" in entry and not failure["content_type"].startswith(entry["content_type"]):
        return False
    if entry.get("null_field") and not field_is_null(failure["message"], failure["request"]):
        return False
    return True


def failures(events_path):
    for line in open(events_path):
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished["recorder"]
        interactions = recorder.get("interactions", {})
        for case_id, checks in recorder.get("checks", {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                info = (check.get("failure_info") or {}).get("failure") or {}
                interaction = interactions.get(case_id) or {}
                response = interaction.get("response") or {}
                headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
                yield {
                    "code": info.get("code", check["name"]),
                    "operation": info.get("operation", recorder.get("label", "?")),
                    "title": info.get("title", check["name"]),
                    "message": info.get("message", ""),
                    "request": decode((interaction.get("request") or {}).get("body")),
                    "response": decode(response.get("content")),
                    "status": response.get("status_code"),
                    "content_type": (headers.get("content-type") or [""])[0],
                }


def main():
    summary = json.load(open(sys.argv[1]))
    allowlist = json.load(open(sys.argv[3]))
    seconds = sys.argv[4]
    unexplained = [entry for entry in allowlist if not str(entry.get("reason", "")).strip()]
    if unexplained:
        print("allowlist entries without a reason: %s" % unexplained)
        return 1
    cases = summary["test_cases"]
    print("schemathesis %s: %d test cases, %d unique failures (as schemathesis counts them), %d errors, in %s s (seed %s)"
          % (summary["schemathesis_version"], cases["generated"], cases["unique_failures"], len(summary["errors"]),
             seconds, summary["seed"]))
    allowed, outside, used = {}, {}, set()
    for failure in failures(sys.argv[2]):
        key = (failure["code"], failure["operation"], failure["message"])
        entry = next((index for index, entry in enumerate(allowlist) if matches(entry, failure)), None)
        if entry is None:
            outside.setdefault(key, failure)
        else:
            used.add(entry)
            allowed.setdefault(entry, set()).add(key)
    for index, keys in sorted(allowed.items()):
        entry = allowlist[index]
        print("  allowed  %s %s (%d distinct): %s" % (entry["code"], entry["operation"], len(keys), entry["reason"]))
    for (code, operation, _), failure in sorted(outside.items()):
        print("  FAILURE  %s %s: %s | %s -> %s %s" % (code, operation, failure["message"].replace("\n", " / "), failure["request"][:2000],
                                                    failure["status"], failure["response"][:300]))
    for error in summary["errors"]:
        outside[("error", json.dumps(error)[:80], "")] = None
        print("  ERROR    %s" % json.dumps(error)[:300])
    for index, entry in enumerate(allowlist):
        if index not in used:
            print("  (not hit this run: %s %s: %s)" % (entry["code"], entry["operation"], entry["reason"][:80]))
    print("schemathesis: %d distinct failure(s) outside the allowlist" % len(outside))
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main())
