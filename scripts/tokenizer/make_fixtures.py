"""Writes Tests/TokenizerTests/Fixtures/<name>.txt: for each fixture text (texts.py), its token count and the
FNV-1a hash of its ids, from the reference libraries (tiktoken for o200k_base/cl100k_base, Hugging Face
`tokenizers` for the tokenizer.json variants). Run by scripts/tokenizer/make-fixtures.sh.

usage: make_fixtures.py DATA_DIR [--show INDEX NAME]   (--show prints one text and its reference ids)
"""
import json
import os
import sys

import tiktoken
import tiktoken.load
import tiktoken_ext.openai_public as openai_public
import tokenizers

from texts import texts

COUNT = 10_000
HERE = os.path.dirname(__file__)
OUT = os.path.join(HERE, "..", "..", "Tests", "TokenizerTests", "Fixtures")

# The split patterns of other families, put on SmolLM2's vocabulary to check each hand-compiled pattern.
LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
DEEPSEEK = ["\\p{N}{1,3}", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
            "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"]


def split(regex):
    return {"type": "Split", "pattern": {"Regex": regex}, "behavior": "Isolated", "invert": False}


BYTE_LEVEL_NO_REGEX = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}

# name -> (pre_tokenizer or None for the file's own, ignore_merges). TokenizerFixtureTests makes the same variants.
VARIANTS = {
    "smollm2": (None, False),
    "smollm2-llama3": ({"type": "Sequence", "pretokenizers": [split(LLAMA3), BYTE_LEVEL_NO_REGEX]}, True),
    "smollm2-qwen2": ({"type": "Sequence", "pretokenizers": [split(QWEN2), BYTE_LEVEL_NO_REGEX]}, False),
    "smollm2-deepseek": ({"type": "Sequence", "pretokenizers": [split(p) for p in DEEPSEEK] + [BYTE_LEVEL_NO_REGEX]}, False),
}


def tiktoken_encoding(data_dir, name):
    original = openai_public.load_tiktoken_bpe

    def local(url, expected_hash=None):
        # The same file, from the local copy; tiktoken still checks its SHA-256 against the published one.
        return tiktoken.load.load_tiktoken_bpe(os.path.join(data_dir, f"{name}.tiktoken"), expected_hash)

    openai_public.load_tiktoken_bpe = local
    try:
        spec = getattr(openai_public, name)()
    finally:
        openai_public.load_tiktoken_bpe = original
    return tiktoken.Encoding(name=spec["name"], pat_str=spec["pat_str"], mergeable_ranks=spec["mergeable_ranks"],
                             special_tokens={})


def hf_tokenizer(data_dir, variant):
    with open(os.path.join(data_dir, "smollm2", "tokenizer.json"), encoding="utf-8") as f:
        document = json.load(f)
    pre, ignore_merges = VARIANTS[variant]
    if pre is not None:
        document["pre_tokenizer"] = pre
    document["model"]["ignore_merges"] = ignore_merges
    return tokenizers.Tokenizer.from_str(json.dumps(document))


def encoder(data_dir, name):
    if name in ("o200k_base", "cl100k_base"):
        encoding = tiktoken_encoding(data_dir, name)
        return encoding.encode_ordinary
    tokenizer = hf_tokenizer(data_dir, name)
    return lambda text: tokenizer.encode(text, add_special_tokens=False).ids


def fnv(ids):
    h = 0xCBF29CE484222325
    for token in ids:
        h = ((h ^ token) * 0x100000001B3) & ((1 << 64) - 1)
    return h


def main():
    data_dir = sys.argv[1]
    all_texts = texts(COUNT)
    if len(sys.argv) > 2 and sys.argv[2] == "--show":
        index, name = int(sys.argv[3]), sys.argv[4]
        print(repr(all_texts[index]))
        print(encoder(data_dir, name)(all_texts[index]))
        return
    for name in ["o200k_base", "cl100k_base"] + list(VARIANTS):
        encode = encoder(data_dir, name)
        lines = [f"# {name}: token count and the low 32 bits of FNV-1a-64 of the ids of each of {COUNT} texts (scripts/tokenizer/texts.py)"]
        tokens = 0
        for text in all_texts:
            ids = encode(text)
            tokens += len(ids)
            lines.append(f"{len(ids)} {fnv(ids) & 0xFFFFFFFF:08x}")
        with open(os.path.join(OUT, f"{name}.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        print(f"{name}: {COUNT} texts, {tokens} tokens")


if __name__ == "__main__":
    main()
