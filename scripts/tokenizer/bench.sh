#!/usr/bin/env bash
# Tokenizer throughput beside tiktoken's, on the same text on this machine, one thread each.
# usage: scripts/tokenizer/bench.sh [TEXT_FILE] [SECONDS]
# The default text is the repository's README.md, docs/ and the GPL (English prose, markdown and code), about
# 300 KB. Target (issue 16): sambabench's MB/s >= tiktoken's for each encoding, and the same token count.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${2:-3}"
text="${1:-}"
if [ -z "$text" ]; then
  text=.cache/tokenizer-work/bench-text.txt
  mkdir -p .cache/tokenizer-work
  cat README.md docs/*.md /usr/share/common-licenses/GPL-3 > "$text"
fi
scripts/tokenizer/fetch-data.sh
python=.cache/tokenizer-work/venv/bin/python
"$python" -m pip install --quiet tiktoken==0.14.0 tokenizers==0.23.3
swift build -c release --product sambabench-tokenizer-bench >/dev/null
dir="${SAMBABENCH_TOKENIZER_DIR:-$PWD/.cache/tokenizers}"
status=0
for name in o200k_base cl100k_base; do
  swift_line=$(SAMBABENCH_TOKENIZER_DIR="$dir" .build/release/sambabench-tokenizer-bench "$name" "$text" "$seconds")
  tiktoken_line=$(cd scripts/tokenizer && "$OLDPWD/$python" bench_tiktoken.py "$dir" "$name" "$OLDPWD/$text" "$seconds")
  echo "$swift_line"
  echo "$tiktoken_line"
  swift_mbs=${swift_line##*MB/s=}
  tiktoken_mbs=${tiktoken_line##*MB/s=}
  swift_tokens=$(echo "$swift_line" | sed 's/.*tokens=\([0-9]*\).*/\1/')
  tiktoken_tokens=$(echo "$tiktoken_line" | sed 's/.*tokens=\([0-9]*\).*/\1/')
  verdict=$(awk -v s="$swift_mbs" -v t="$tiktoken_mbs" 'BEGIN { printf "%s (%.2fx)", (s >= t ? "met" : "MISSED"), s / t }')
  echo "$name: sambabench $swift_mbs MB/s vs tiktoken $tiktoken_mbs MB/s, target >= tiktoken: $verdict; tokens $swift_tokens vs $tiktoken_tokens"
  case "$verdict" in MISSED*) status=1 ;; esac
  [ "$swift_tokens" = "$tiktoken_tokens" ] || status=1
done
exit $status
