#include "CZlib.h"
#include <zlib.h>

int sb_deflate(const uint8_t *in, size_t length, uint8_t *out, size_t *outLength) {
    uLongf written = (uLongf)*outLength;
    int rc = compress2(out, &written, in, (uLong)length, Z_DEFAULT_COMPRESSION);
    *outLength = (size_t)written;
    return rc == Z_OK ? 0 : rc;
}

int sb_inflate(const uint8_t *in, size_t length, uint8_t *out, size_t *outLength) {
    uLongf written = (uLongf)*outLength;
    int rc = uncompress(out, &written, in, (uLong)length);
    *outLength = (size_t)written;
    return rc == Z_OK ? 0 : rc;
}

size_t sb_deflate_bound(size_t length) { return (size_t)compressBound((uLong)length); }
