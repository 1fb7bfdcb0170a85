#!/usr/bin/env bash
# SDK compatibility check, run by `make test`: the official openai SDK (chat.completions and responses, streaming)
# and anthropic SDK (messages.stream) read the mock's streams, and must reconstruct the same text, reasoning, tool
# calls and usage that sambabench records for the same requests and seed. Each API runs twice against a freshly
# started mock (same seed, so request i gets the same answer): once through the SDK, once through sambabench.
# The SDKs come from PyPI into a virtual environment (.build-sdk-venv); without PyPI the check fails and says so.
# `--install-only` only prepares that environment (make test does it first, so the Swift suite's SDK test runs too).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/sdk-compat
. scripts/lib/mock-address.sh
bin=${SAMBABENCH_BIN:-.build/debug/sambabench}
venv=${SDK_VENV:-.build-sdk-venv}
requests=${REQUESTS:-8}
work=$(mktemp -d "${TMPDIR:-/tmp}/sdk-compat.XXXXXX")
mock_pid=

fail() { echo "sdk-compat: FAILED: $*" >&2; exit 1; }
cleanup() {
    if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

install_only=false
[ "${1:-}" = "--install-only" ] && install_only=true

if ! $install_only && [ ! -x "$bin" ]; then
    swift build --product sambabench >/dev/null || fail "could not build sambabench"
fi

if ! "$venv/bin/python" -c 'import openai, anthropic' 2>/dev/null; then
    echo "sdk-compat: installing the openai and anthropic SDKs from PyPI into $venv"
    python3 -m venv "$venv" || fail "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
    if ! "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"; then
        fail "could not install $(grep -v '^#' "$here/requirements.txt" | tr '\n' ' ')from PyPI (is https://pypi.org reachable?). This check needs the official SDKs; it does not pass without them."
    fi
fi
py="$venv/bin/python"
if $install_only; then
    echo "sdk-compat: SDKs ready in $venv"
    exit 0
fi

start_mock() {
    rm -f "$work/mock.address"
    "$bin" mock --port 0 --address-file "$work/mock.address" --seed 11 --ttft 20ms --decode-rate 4000 \
        --tokens-per-chunk 3-9 --output-tokens 20-60 --reasoning-share 0.25 --tool-call-share 0.5 >"$work/mock.log" 2>&1 &
    mock_pid=$!
    url=$(mock_address "$work/mock.address" "$mock_pid" "$work/mock.log" 10) || fail "the mock did not start"
}
stop_mock() { kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true; mock_pid=; }

prompt=$(sed -n 's/^  - "\(.*\)"$/\1/p' "$here/scenario.yaml")
# Every API check.py has a runner for; an API whose requests differ from the shared scenario's (no tools, say) has
# its own scenario-API.yaml beside it.
for api in $("$py" "$here/check.py" --list-apis); do
    scenario=$here/scenario.yaml
    [ -f "$here/scenario-$api.yaml" ] && scenario=$here/scenario-$api.yaml
    start_mock
    "$py" "$here/check.py" --api "$api" --base-url "$url" --requests "$requests" --prompt "$prompt" --max-tokens 48 \
        --tools "$here/tools.json" >"$work/sdk-$api.jsonl" || fail "the official SDK could not read the mock's $api stream (above)"
    stop_mock
    start_mock
    SAMBANOVA_API_KEY=sdk-compat "$bin" run "$scenario" --api "$api" --base-url "$url" --requests "$requests" \
        --output "$work/run-$api" --quiet >"$work/run-$api.log" 2>&1 || fail "sambabench run ($api) failed: $(tail -5 "$work/run-$api.log")"
    stop_mock
    "$py" "$here/compare.py" "$work/sdk-$api.jsonl" "$work/run-$api/responses.jsonl" || fail "$api: the SDK and sambabench disagree"
done
echo "sdk-compat: passed (openai $("$py" -c 'import openai; print(openai.__version__)'), anthropic $("$py" -c 'import anthropic; print(anthropic.__version__)'))"
