#!/usr/bin/env python3
"""What the Kubernetes schema cannot check in deploy/k8s (scripts/k8s/validate.sh): the shards' Job is Indexed, its
completions, parallelism, `--shard auto/N` and the merge's SHARDS agree; both Jobs use the same RUN_NAME and mount the
same results claim at /results; the shards write under /results/$RUN_NAME with a barrier there.

usage: consistency.py SHARDS_JOB_YAML MERGE_JOB_YAML
"""
import re
import sys

import yaml


def job(path):
    return next(doc for doc in yaml.safe_load_all(open(path)) if doc and doc.get("kind") == "Job")


def env(container):
    return {item["name"]: item.get("value") for item in container.get("env", [])}


def main():
    shards, merge = job(sys.argv[1]), job(sys.argv[2])
    problems = []
    spec = shards["spec"]
    container = spec["template"]["spec"]["containers"][0]
    command = " ".join(container.get("command", []) + container.get("args", []))
    match = re.search(r"--shard auto/(\d+)", command)
    count = int(match.group(1)) if match else None
    if spec.get("completionMode") != "Indexed":
        problems.append("the shards' Job is not completionMode: Indexed (JOB_COMPLETION_INDEX is then not set)")
    if count is None:
        problems.append("the shards' command has no --shard auto/N")
    elif not (spec.get("completions") == spec.get("parallelism") == count):
        problems.append(f"completions {spec.get('completions')}, parallelism {spec.get('parallelism')} and --shard auto/{count} differ")
    merge_container = merge["spec"]["template"]["spec"]["containers"][0]
    if env(merge_container).get("SHARDS") != str(count):
        problems.append(f"the merge waits for SHARDS={env(merge_container).get('SHARDS')}, the shards are {count}")
    if env(container).get("RUN_NAME") != env(merge_container).get("RUN_NAME"):
        problems.append("the shards and the merge have different RUN_NAMEs")
    for name in ['--barrier "/results/$RUN_NAME/barrier"', '--output "/results/$RUN_NAME/shard-$JOB_COMPLETION_INDEX"']:
        if name not in command:
            problems.append(f"the shards' command lacks {name}")
    merge_command = " ".join(merge_container.get("command", []) + merge_container.get("args", []))
    if "sambabench merge /results/$RUN_NAME/shard-*" not in merge_command:
        problems.append("the merge does not read /results/$RUN_NAME/shard-*")
    for which, template, mounted in [("shards", spec["template"]["spec"], container), ("merge", merge["spec"]["template"]["spec"], merge_container)]:
        claims = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in template.get("volumes", [])}
        mounts = {m["mountPath"]: m["name"] for m in mounted.get("volumeMounts", [])}
        if claims.get(mounts.get("/results")) != "sambabench-results":
            problems.append(f"the {which} Job does not mount the claim sambabench-results at /results")
        if template.get("restartPolicy") != "Never":
            problems.append(f"the {which} Job's pods may restart (a shard run twice sends its share twice)")
    for problem in problems:
        print("k8s: " + problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
