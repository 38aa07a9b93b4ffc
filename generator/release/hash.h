/* SHA-256 (nettle) as lowercase hex, for manifests. */
#ifndef POLICYGEN_RELEASE_HASH_H
#define POLICYGEN_RELEASE_HASH_H

#include <stddef.h>

#define HASH_SHA256_HEX_SIZE 65 /* 64 hex digits and a NUL */

/* Writes the SHA-256 of data as 64 lowercase hex digits and a NUL into out. */
void hash_sha256_hex(const void *data, size_t len, char out[HASH_SHA256_HEX_SIZE]);

#endif
