/* libFuzzer target for kfk_decompress: the first byte picks the codec, the
 * rest is decompressed with a 1 MiB limit. A failure must append nothing; a
 * success must fit the limit and, when small, survive kfk_compress and back. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "kfk.h"
#include "records/compress.h"

#define MAX_OUT ((size_t)1 << 20)
#define ROUND_TRIP_MAX ((size_t)64 << 10) /* larger ones would slow the search */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    kfk_codec codec = (kfk_codec)(data[0] % 5);
    kfk_wbuf out = {0}, z = {0}, back = {0};
    int rc = kfk_decompress(codec, data + 1, size - 1, MAX_OUT, &out);
    if (rc) {
        if (out.len || (rc != KFK_ERR_BAD_COMPRESSION && rc != KFK_ERR_DECOMPRESS_LIMIT)) abort();
    } else if (out.len > MAX_OUT) {
        abort();
    } else if (out.len <= ROUND_TRIP_MAX) {
        if (kfk_compress(codec, KFK_LEVEL_DEFAULT, out.data, out.len, &z) ||
            kfk_decompress(codec, z.data, z.len, out.len, &back) || back.len != out.len ||
            (out.len && memcmp(back.data, out.data, out.len) != 0))
            abort();
    }
    kfk_wbuf_free(&out);
    kfk_wbuf_free(&z);
    kfk_wbuf_free(&back);
    return 0;
}
