"""tiktoken's side of bench.sh: the same file, split into the same lines, each encoded alone on one thread
(encode_ordinary, as sambabench counts ordinary text), repeated for SECONDS.

usage: bench_tiktoken.py DATA_DIR NAME TEXT_FILE SECONDS
"""
import sys
import time

from make_fixtures import tiktoken_encoding

data_dir, name, path, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
encoding = tiktoken_encoding(data_dir, name)
with open(path, encoding="utf-8") as f:
    documents = [line + "\n" for line in f.read().split("\n")]
size = sum(len(d.encode("utf-8")) for d in documents)
tokens = sum(len(encoding.encode_ordinary(d)) for d in documents)
passes = 0
start = time.perf_counter()
while True:
    for d in documents:
        encoding.encode_ordinary(d)
    passes += 1
    elapsed = time.perf_counter() - start
    if elapsed >= seconds:
        break
print(f"tiktoken {name} bytes={size} tokens={tokens} MB/s={size * passes / elapsed / 1e6:.2f}")
