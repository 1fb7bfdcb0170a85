#!/usr/bin/env bash
# Checks the Kubernetes manifests in deploy/k8s offline (`make test`): each resource against the Kubernetes JSON
# schema, strictly (an unknown field fails), for the oldest and the newest version named below, with
# kubernetes-validate from PyPI (it ships the schemas), installed into .build-k8s-venv; then what a schema cannot see
# (scripts/k8s/consistency.py: the shard count agrees in every place, the merge reads where the shards write); and
# that a misspelt field does fail, so a pass means something.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.build-k8s-venv
if ! "$VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -q "1.37.0"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==1.37.0"
fi
for version in 1.30.0 1.37.0; do
  "$VENV/bin/kubernetes-validate" --strict --kubernetes-version "$version" deploy/k8s/*.yaml
done
"$VENV/bin/python" scripts/k8s/consistency.py deploy/k8s/shards-job.yaml deploy/k8s/merge-job.yaml
broken=$(mktemp --suffix=.yaml)
trap 'rm -f "$broken"' EXIT
sed 's/completionMode: Indexed/completionMod: Indexed/' deploy/k8s/shards-job.yaml > "$broken"
if "$VENV/bin/kubernetes-validate" --strict --quiet "$broken" >/dev/null 2>&1; then
  echo "k8s: a manifest with a misspelt field (completionMod) passed the validator: the check is not working" >&2
  exit 1
fi
echo "k8s: deploy/k8s/*.yaml valid for Kubernetes 1.30 and 1.37 (strict), consistent; a misspelt field is caught"
