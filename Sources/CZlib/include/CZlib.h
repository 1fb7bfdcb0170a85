#ifndef SAMBABENCH_CZLIB_H
#define SAMBABENCH_CZLIB_H
#include <stddef.h>
#include <stdint.h>

/// zlib's deflate (zlib format, default level) of `length` bytes into `out` (capacity `*outLength`, set to the size
/// written). Returns 0 on success.
int sb_deflate(const uint8_t *in, size_t length, uint8_t *out, size_t *outLength);
/// Inflates a zlib stream into `out` (capacity `*outLength`, set to the size written). Returns 0 on success.
int sb_inflate(const uint8_t *in, size_t length, uint8_t *out, size_t *outLength);
/// The most `sb_deflate` can write for `length` bytes.
size_t sb_deflate_bound(size_t length);
#endif
