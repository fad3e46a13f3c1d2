/* A truncation of a partition's log, as an unclean leader election leaves
 * it: whole batches go from the cut on, a new leader epoch starts there,
 * and what the partition knows of producers and transactions is rebuilt
 * from the batches left, as Kafka reloads its producer state from the log:
 * a producer's next sequence follows its last batch left; one with none
 * left may start anywhere; a transaction whose marker went is open again. */
#include "kfk.h"
#include "mock/mock_int.h"
#include "records/records.h"

static uint32_t be32_at(const uint8_t *b) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Each producer's recent batches and epoch from the log left. */
static void producers_replay(mock_part *p) {
    for (int32_t i = 0; i < p->nproducers; i++) {
        p->producers[i].epoch = -1; /* no batch left: no state */
        p->producers[i].nrecent = 0;
    }
    for (size_t i = p->bhead; i < p->bcount; i++) {
        const uint8_t *b = p->log + p->batches[i].pos;
        int64_t pid = (int64_t)((uint64_t)be32_at(b + 43) << 32 | be32_at(b + 47));
        mock_pstate *s = pid >= 0 ? mock_pstate_get(p, pid, 0) : NULL;
        if (!s) continue;
        int16_t epoch = (int16_t)(b[51] << 8 | b[52]);
        if (b[22] & KFK_ATTR_CONTROL) {
            /* A marker of a newer epoch fences the older batches. */
            if (epoch > s->epoch) {
                s->epoch = epoch;
                s->nrecent = 0;
            }
            continue;
        }
        int32_t first = (int32_t)be32_at(b + 53);
        int64_t last = ((int64_t)first + (int32_t)be32_at(b + 23)) % ((int64_t)INT32_MAX + 1);
        mock_pstate_record(s, epoch, first, (int32_t)last, p->batches[i].base);
    }
}

int kfk_mock_truncate(kfk_mock *m, const char *topic, int32_t partition, int64_t offset) {
    mock_topic *t = mock_topic_find(m, kfk_str_of(topic));
    mock_part *p = t && partition >= 0 && partition < t->nparts ? &t->parts[partition] : NULL;
    if (!p || offset < p->log_start || offset > p->hw) return -1;
    size_t i = mock_part_find(p, offset);
    /* Whole batches go: one holding offset goes from its base. */
    if (i < p->bcount && p->batches[i].base < offset) offset = p->batches[i].base;
    if (i < p->bcount) {
        size_t cut = p->batches[i].pos;
        m->bytes -= p->len - cut;
        p->len = cut;
        p->bcount = i;
    }
    if (p->bhead == p->bcount) p->bhead = p->bcount = p->head = p->len = 0;
    p->hw = offset;
    producers_replay(p);
    if (mock_txn_rebuild(p) || mock_epoch_new(p, p->leader_epoch + 1, offset)) return -1;
    m->data_version++;
    return 0;
}
