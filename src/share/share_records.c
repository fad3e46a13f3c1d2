/* A ShareFetch partition's acquired records (share_records.h). */
#include "share/share_records.h"

#include "consumer/chunk.h"
#include "consumer/fetch_parse.h"
#include "core/alloc.h"

/* Acquired offsets one partition's answer may list in all. */
#define MAX_SPAN (INT64_C(1) << 20)

int kfk_share_records_take(kfk_share_records *r, const kfk_share_fetch_response_partition_data *pd,
                           kfk_rxbuf *rx, kfk_share_acks *gaps, kfk_wbuf *zbuf) {
    r->head = r->tail = NULL;
    r->count = 0;
    int n = pd->acquired_records.count;
    if (n <= 0) return 0;
    kfk_share_range *ranges = kfk_malloc((size_t)n * sizeof *ranges);
    if (!ranges) return KFK_ERR_NOMEM;
    int64_t pos = INT64_MAX, span = 0;
    int nr = 0;
    for (int i = 0; i < n; i++) {
        const kfk_share_fetch_response_acquired_records *ar = &pd->acquired_records.items[i];
        /* A range that cannot be real (backwards, or more offsets in all
         * than any answer holds) is left alone: its gaps would be listed
         * one by one. */
        if (ar->first_offset < 0 || ar->last_offset < ar->first_offset ||
            ar->last_offset == INT64_MAX ||
            ar->last_offset - ar->first_offset >= MAX_SPAN - span)
            continue;
        span += ar->last_offset - ar->first_offset + 1;
        ranges[nr++] = (kfk_share_range){ar->first_offset, ar->last_offset, ar->delivery_count};
        if (ar->first_offset < pos) pos = ar->first_offset;
    }
    n = nr;
    if (n == 0) {
        kfk_free(ranges);
        return 0;
    }
    kfk_fetch_parse pp = {.topic = r->topic, .partition = r->partition, .broker = r->broker,
                          .part = r->part, .pos = pos, .check_crcs = r->check_crcs,
                          .max_decompressed = r->max_decompressed, .next_pos = pos,
                          .last_epoch = -1};
    kfk_chunk *ch = pd->records.len > 0 ? kfk_chunk_new(rx) : NULL;
    if (ch) kfk_chunk_reserve(ch, pd->records.ptr, (size_t)pd->records.len);
    if (ch) kfk_fetch_parse_run(&pp, ch, pd->records.ptr, (size_t)pd->records.len, zbuf);
    int kept = kfk_share_filter(&pp.head, &pp.tail, ranges, n, gaps);
    kfk_free(ranges);
    if (ch) kfk_chunk_unref(ch);
    if (kept < 0) return KFK_ERR_NOMEM;
    r->head = pp.head;
    r->tail = pp.tail;
    r->count = kept;
    return 0;
}
