#!/usr/bin/env bash
# Contract check, run by `make test`: schemathesis (PyPI, in .build-schemathesis-venv) fuzzes the mock with the
# operations of SambaNova's published API specification it serves (spec.yaml, extracted by extract-spec.py) and
# checks every answer against it: status codes, content types, response schemas, authentication, schema-violating
# requests refused and valid ones accepted. The build fails on any failure not listed, with its reason, in
# allowlist.json (documented quirks of the specification).
#   EXAMPLES=N   examples per operation (default 400: about 1.5-3 minutes on 2 cores)
#   SEED=N       schemathesis' seed (default 1, so CI runs repeat)
#   SCHEMATHESIS_REPORTS=DIR   keep schemathesis' reports (report.json, events.ndjson, st.log) there
#   --install-only   only prepares the virtual environment
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/schemathesis
. scripts/lib/mock-address.sh
bin=${SAMBABENCH_BIN:-.build/debug/sambabench}
venv=${SCHEMATHESIS_VENV:-.build-schemathesis-venv}
examples=${EXAMPLES:-400}
seed=${SEED:-1}
key=schemathesis-key
work=$(mktemp -d "${TMPDIR:-/tmp}/schemathesis.XXXXXX")
mock_pid=

fail() { echo "schemathesis: FAILED: $*" >&2; exit 1; }
cleanup() {
    if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

if ! "$venv/bin/st" --version 2>/dev/null | grep -q "4\.32\."; then
    echo "schemathesis: installing $(grep -v '^#' "$here/requirements.txt") from PyPI into $venv"
    python3 -m venv "$venv" || fail "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" \
        || fail "could not install schemathesis from PyPI (is https://pypi.org reachable?). This check needs it; it does not pass without it."
fi
[ "${1:-}" = "--install-only" ] && { echo "schemathesis: ready in $venv"; exit 0; }

if [ ! -x "$bin" ]; then
    swift build --product sambabench >/dev/null || fail "could not build sambabench"
fi

# Fast answers (the check is about shapes, not timing); reasoning and tool calls on, so every part of every answer
# shape is exercised.
"$bin" mock --port 0 --address-file "$work/mock.address" --api-key "$key" --ttft 0ms --decode-rate 1000000 \
    --tokens-per-chunk 1-6 --output-tokens 1-24 --reasoning-share 0.25 --tool-call-share 0.5 >"$work/mock.log" 2>&1 &
mock_pid=$!
url=$(mock_address "$work/mock.address" "$mock_pid" "$work/mock.log" 10) || fail "the mock did not start"

started=$(date +%s)
set +e
# From the scratch directory, so schemathesis' and hypothesis' caches stay out of the tree.
root=$(pwd)
st=$venv/bin/st
case $st in /*) ;; *) st=$root/$st ;; esac
(cd "$work" && HYPOTHESIS_STORAGE_DIRECTORY="$work/hypothesis" "$st" run "$root/$here/spec.yaml" --url "$url" -H "Authorization: Bearer $key" --seed "$seed" -n "$examples" \
    --continue-on-failure --no-color --request-timeout 10 --generation-database none --report json,ndjson --report-json-path "$work/report.json" --report-ndjson-path "$work/events.ndjson" \
    >"$work/st.log" 2>&1)
status=$?
set -e
elapsed=$(( $(date +%s) - started ))
if [ -n "${SCHEMATHESIS_REPORTS:-}" ]; then
    mkdir -p "$SCHEMATHESIS_REPORTS" && cp "$work"/report.json "$work"/events.ndjson "$work"/st.log "$SCHEMATHESIS_REPORTS"/ 2>/dev/null || true
fi
[ -s "$work/report.json" ] && [ -s "$work/events.ndjson" ] || { tail -40 "$work/st.log" >&2; fail "schemathesis wrote no report (exit $status)"; }
if ! "$venv/bin/python" "$here/judge.py" "$work/report.json" "$work/events.ndjson" "$here/allowlist.json" "$elapsed"; then
    echo "--- schemathesis' own report of the failures:" >&2
    sed -n '/FAILURES/,/SUMMARY/p' "$work/st.log" | head -400 >&2
    fail "failures outside $here/allowlist.json (above)"
fi
