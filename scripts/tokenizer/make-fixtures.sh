#!/usr/bin/env bash
# Regenerates Tests/TokenizerTests/Fixtures/*.txt with the reference libraries from PyPI (tiktoken, tokenizers),
# installed into .cache/tokenizer-work/venv. They are used only here and by bench.sh; sambabench never runs Python.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/tokenizer/fetch-data.sh --test
python=.cache/tokenizer-work/venv/bin/python
"$python" -m pip install --quiet tiktoken==0.14.0 tokenizers==0.23.3
"$python" scripts/tokenizer/make_fixtures.py "${SAMBABENCH_TOKENIZER_DIR:-$PWD/.cache/tokenizers}" "$@"
