/* Which broker coordinates a group or a transactional id: a hash of the
 * key over the brokers, unless a test moved it (kfk_mock_set_coordinator).
 * A moved key's state stays where it is, as Kafka's comes back from its
 * log on the new coordinator. */
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

static int32_t hashed(const kfk_mock *m, kfk_str key) {
    uint32_t h = 2166136261u;
    for (int32_t i = 0; i < key.len; i++) h = (h ^ (uint8_t)key.ptr[i]) * 16777619u;
    return (int32_t)(h % (uint32_t)m->nbrokers) + 1;
}

static mock_coord *find(const kfk_mock *m, int8_t key_type, kfk_str key) {
    for (int32_t i = 0; i < m->ncoords; i++) {
        mock_coord *k = &m->coords[i];
        if (k->key_type == key_type && key.len >= 0 && strlen(k->key) == (size_t)key.len &&
            !memcmp(k->key, key.ptr, (size_t)key.len))
            return k;
    }
    return NULL;
}

int32_t mock_coordinator_of(const kfk_mock *m, int8_t key_type, kfk_str key) {
    const mock_coord *k = find(m, key_type, key);
    return k ? k->broker : hashed(m, key);
}

int32_t mock_coordinator(const kfk_mock *m, kfk_str key) { return mock_coordinator_of(m, 0, key); }

int kfk_mock_set_coordinator(kfk_mock *m, int8_t key_type, const char *key, int32_t broker_id) {
    if (!key || (key_type != 0 && key_type != 1) || !mock_broker_get(m, broker_id)) return -1;
    kfk_str s = kfk_str_of(key);
    mock_coord *k = find(m, key_type, s);
    if (k) {
        k->broker = broker_id;
        return 0;
    }
    if (m->ncoords == m->ccap) {
        int32_t cap = m->ccap ? m->ccap * 2 : 8;
        mock_coord *n = kfk_realloc(m->coords, (size_t)cap * sizeof *n);
        if (!n) return -1;
        m->coords = n;
        m->ccap = cap;
    }
    char *copy = mock_strdup(s);
    if (!copy) return -1;
    m->coords[m->ncoords++] = (mock_coord){key_type, copy, broker_id};
    return 0;
}

void mock_coords_free(kfk_mock *m) {
    for (int32_t i = 0; i < m->ncoords; i++) kfk_free(m->coords[i].key);
    kfk_free(m->coords);
}
