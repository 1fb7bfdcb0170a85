#!/usr/bin/env python3
"""Reads schemathesis' JSON report and the allowlist; prints the run's figures and each failure, allowed (with its
reason) or not; exits 1 when any failure is not allowed, or when an allowlist entry has no reason.

Usage: judge.py REPORT.json ALLOWLIST.json SECONDS
"""
import json
import sys


def main():
    report = json.load(open(sys.argv[1]))
    allowlist = json.load(open(sys.argv[2]))
    seconds = sys.argv[3]
    bad_entries = [entry for entry in allowlist if not entry.get("reason", "").strip()]
    if bad_entries:
        print("allowlist entries without a reason: %s" % bad_entries)
        return 1
    allowed = {(entry["code"], entry["operation"]): entry["reason"] for entry in allowlist}
    cases = report["test_cases"]
    print("schemathesis %s: %d test cases, %d unique failures, %d errors, in %s s (seed %s)"
          % (report["schemathesis_version"], cases["generated"], cases["unique_failures"], len(report["errors"]),
             seconds, report["seed"]))
    outside = 0
    seen = set()
    for failure in report["failures"]:
        for operation in failure["operations"]:
            key = (failure["code"], operation)
            seen.add(key)
            if key in allowed:
                print("  allowed  %s %s (%s): %s" % (failure["code"], operation, failure["title"], allowed[key]))
            else:
                outside += 1
                print("  FAILURE  %s %s: %s" % (failure["code"], operation, failure["title"]))
    for error in report["errors"]:
        outside += 1
        print("  ERROR    %s" % json.dumps(error)[:300])
    for key in sorted(set(allowed) - seen):
        print("  (allowlist entry not hit this run: %s %s)" % key)
    print("schemathesis: %d failure(s) outside the allowlist" % outside)
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main())
