/* What a test sets on the mock beyond faults and leaders: API version
 * limits, brokers' racks, topics' Metadata errors, errors that also delay
 * their answer, and how many errors are still queued. */
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

int mock_api_limits(const kfk_mock *m, int16_t api, int16_t *min, int16_t *max) {
    if (api < 0 || api >= KFK_API_KEY_COUNT || !m->limits[api].set) return 0;
    const mock_api_limit *l = &m->limits[api];
    if (l->off) return -1;
    if (l->min > *min) *min = l->min;
    if (l->max < *max) *max = l->max;
    return *min > *max ? -1 : 0;
}

int kfk_mock_set_api_versions(kfk_mock *m, int16_t api_key, int16_t min, int16_t max) {
    if (api_key < 0 || api_key >= KFK_API_KEY_COUNT || !kfk_api_info_get(api_key)) return -1;
    m->limits[api_key] = (mock_api_limit){true, min < 0 || max < 0, min, max};
    return 0;
}

int kfk_mock_set_rack(kfk_mock *m, int32_t broker_id, const char *rack) {
    if (!mock_broker_get(m, broker_id)) return -1;
    char *copy = NULL;
    if (rack && !(copy = mock_strdup(kfk_str_of(rack)))) return -1;
    kfk_free(m->brokers[broker_id - 1].rack);
    m->brokers[broker_id - 1].rack = copy;
    return 0;
}

int kfk_mock_set_topic_error(kfk_mock *m, const char *topic, int16_t err) {
    if (!topic) return -1;
    mock_topic *t = mock_topic_find(m, kfk_str_of(topic));
    if (!t && mock_topic_add(m, kfk_str_of(topic), 1, 1, &t)) return -1;
    t->err = err;
    return 0;
}

int kfk_mock_set_max_message_bytes(kfk_mock *m, const char *topic, int32_t max_bytes) {
    mock_topic *t = topic ? mock_topic_find(m, kfk_str_of(topic)) : NULL;
    if (!t || max_bytes < 0) return -1;
    t->max_message_bytes = max_bytes;
    return 0;
}

int kfk_mock_push_error_rtt(kfk_mock *m, int32_t broker_id, int16_t api_key, int16_t err, int32_t rtt_ms) {
    if (rtt_ms < 0 || kfk_mock_push_error(m, broker_id, api_key, 1, err)) return -1;
    m->faults[m->nfaults - 1].rtt_ms = rtt_ms;
    return 0;
}

int32_t kfk_mock_error_count(const kfk_mock *m, int32_t broker_id, int16_t api_key) {
    int32_t n = 0;
    for (int i = 0; i < m->nfaults; i++)
        if (m->faults[i].api == api_key && m->faults[i].broker == broker_id) n += m->faults[i].count;
    return n;
}

int32_t kfk_mock_take_delay(kfk_mock *m) {
    int32_t d = m->fault_rtt_ms;
    m->fault_rtt_ms = 0;
    return d;
}
