/* libFuzzer target for the mock cluster's request handling: the input is
 * one request frame (size prefix removed) as a client would send it, fed
 * to a three-broker mock holding a topic with data and followers. It must
 * answer, park or refuse, never crash or over-read; an answer must frame
 * itself. The mock is rebuilt every 256 inputs so its state stays small. */
#include <stdlib.h>
#include <string.h>

#include "kfk.h"
#include "mock/mock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kfk_mock *m;
static unsigned runs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!m || ++runs % 256 == 0) {
        kfk_mock_free(m);
        int ports[3] = {9092, 9093, 9094};
        m = kfk_mock_new(3, "127.0.0.1", ports, 1 << 20);
        if (!m || kfk_mock_create_topic(m, "t", 3, 2) != 0) abort();
        /* Followers: broker 2 of partition 0 (no rack: any client's), broker 3
         * of partition 1 (rack "r", its log lagging at 1..2). */
        if (kfk_mock_set_follower(m, "t", 0, 2) || kfk_mock_set_follower(m, "t", 1, 3) ||
            kfk_mock_set_rack(m, 3, "r") || kfk_mock_set_follower_wmarks(m, "t", 1, 1, 2))
            abort();
    }
    kfk_wbuf out = {0};
    int32_t broker = size ? data[size - 1] % 4 : 1; /* 0: a broker that does not exist */
    int rc = kfk_mock_handle(m, broker, data, size, 1000, -1, &out);
    if (rc == KFK_MOCK_REPLY) {
        if (out.len < 8) abort();
        uint32_t n = (uint32_t)out.data[0] << 24 | (uint32_t)out.data[1] << 16 |
                     (uint32_t)out.data[2] << 8 | out.data[3];
        if (n != out.len - 4) abort();
    } else if (rc != KFK_MOCK_NO_REPLY && rc != KFK_MOCK_PARK && rc >= 0) {
        abort();
    } else if (rc != KFK_MOCK_REPLY && out.len) {
        abort();
    }
    kfk_wbuf_free(&out);
    return 0;
}
