#include "proto/proto.h"

#include <string.h>

#include "kfk.h"

const kfk_api_info *kfk_api_info_get(int16_t api_key) {
    if (api_key < 0 || api_key >= KFK_API_KEY_COUNT || !kfk_api_infos[api_key].name) return NULL;
    return &kfk_api_infos[api_key];
}

const char *kfk_api_name(int api_key) {
    const kfk_api_info *ai = api_key <= INT16_MAX ? kfk_api_info_get((int16_t)api_key) : NULL;
    return ai ? ai->name : NULL;
}

int kfk_api_key_count(void) { return KFK_API_KEY_COUNT; }

const kfk_msg_desc *kfk_request_desc(int16_t api_key) {
    return api_key >= 0 && api_key < KFK_API_KEY_COUNT ? kfk_request_descs[api_key] : NULL;
}

const kfk_msg_desc *kfk_response_desc(int16_t api_key) {
    return api_key >= 0 && api_key < KFK_API_KEY_COUNT ? kfk_response_descs[api_key] : NULL;
}

/* -1 if unknown, else whether api_version is flexible. */
static int flexible(int16_t api_key, int16_t api_version) {
    const kfk_api_info *ai = kfk_api_info_get(api_key);
    if (!ai || api_version < ai->min_version || api_version > ai->max_version) return -1;
    return ai->flexible_min >= 0 && api_version >= ai->flexible_min;
}

int16_t kfk_request_header_version(int16_t api_key, int16_t api_version) {
    int flex = flexible(api_key, api_version);
    if (flex < 0) return -1;
    if (api_key == KFK_API_CONTROLLED_SHUTDOWN && api_version == 0) return 0;
    return flex ? 2 : 1;
}

int16_t kfk_response_header_version(int16_t api_key, int16_t api_version) {
    int flex = flexible(api_key, api_version);
    if (flex < 0) return -1;
    return flex && api_key != KFK_API_API_VERSIONS ? 1 : 0;
}

int kfk_request_header_write(kfk_wbuf *w, int16_t api_key, int16_t api_version,
                             int32_t correlation_id, const char *client_id) {
    int16_t hv = kfk_request_header_version(api_key, api_version);
    if (hv < 0) return kfk_api_info_get(api_key) ? KFK_ERR_UNSUPPORTED_VERSION : KFK_ERR_INVALID_ARG;
    kfk_request_header h;
    kfk_request_header_init(&h);
    h.request_api_key = api_key;
    h.request_api_version = api_version;
    h.correlation_id = correlation_id;
    h.client_id.ptr = client_id;
    if (client_id) {
        size_t n = strlen(client_id);
        if (n > 0x7fff) return KFK_ERR_INVALID_ARG;
        h.client_id.len = (int32_t)n;
    } else {
        h.client_id.len = -1;
    }
    return kfk_request_header_encode(w, hv, &h);
}

int kfk_request_header_read(kfk_rbuf *r, kfk_request_header *h) {
    if (kfk_rbuf_left(r) < 4) {
        kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
        return r->err;
    }
    int16_t key = (int16_t)((r->p[0] << 8) | r->p[1]);
    int16_t version = (int16_t)((r->p[2] << 8) | r->p[3]);
    int16_t hv = kfk_request_header_version(key, version);
    kfk_arena a = {0}; /* headers have no arrays: nothing is allocated */
    int rc = kfk_request_header_decode(r, hv < 0 ? 1 : hv, &a, h);
    return rc ? rc : hv < 0 ? KFK_ERR_UNSUPPORTED_VERSION : 0;
}

int kfk_response_header_write(kfk_wbuf *w, int16_t api_key, int16_t api_version,
                              int32_t correlation_id) {
    int16_t hv = kfk_response_header_version(api_key, api_version);
    if (hv < 0) return kfk_api_info_get(api_key) ? KFK_ERR_UNSUPPORTED_VERSION : KFK_ERR_INVALID_ARG;
    kfk_response_header h;
    kfk_response_header_init(&h);
    h.correlation_id = correlation_id;
    return kfk_response_header_encode(w, hv, &h);
}

int kfk_response_header_read(kfk_rbuf *r, int16_t api_key, int16_t api_version,
                             int32_t *correlation_id) {
    int16_t hv = kfk_response_header_version(api_key, api_version);
    if (hv < 0) return kfk_api_info_get(api_key) ? KFK_ERR_UNSUPPORTED_VERSION : KFK_ERR_INVALID_ARG;
    kfk_response_header h;
    kfk_arena a = {0}; /* headers have no arrays: nothing is allocated */
    int rc = kfk_response_header_decode(r, hv, &a, &h);
    if (!rc && correlation_id) *correlation_id = h.correlation_id;
    return rc;
}
