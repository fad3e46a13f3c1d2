/* The Kafka protocol as the rest of the library sees it: generated message
 * structs with T_init/T_encode/T_decode (gen/messages.h), the API table,
 * request and response headers, and lookup of message descriptors by API key
 * for code that handles any message (tests, fuzzers, the test broker stub).
 *
 * Encoders write only the message body: the caller adds the int32 size prefix. */
#ifndef KFK_PROTO_H
#define KFK_PROTO_H

#include "proto/codec.h"
#include "proto/gen/messages.h"

typedef struct kfk_api_info {
    int16_t key;
    const char *name; /* "Metadata" */
    int16_t min_version, max_version;
    int16_t flexible_min; /* -1 if never */
} kfk_api_info;

/* Indexed by API key; unassigned keys have name NULL. Use kfk_api_info_get. */
extern const kfk_api_info kfk_api_infos[KFK_API_KEY_COUNT];

/* NULL if the key is unknown. */
const kfk_api_info *kfk_api_info_get(int16_t api_key);
const kfk_msg_desc *kfk_request_desc(int16_t api_key);
const kfk_msg_desc *kfk_response_desc(int16_t api_key);

/* Header versions for a request or response of api_key at api_version, or -1
 * if the key or version is unknown. Requests use header v2 in flexible
 * versions, else v1 (v0 for ControlledShutdown v0); responses v1 in flexible
 * versions, else v0 (always v0 for ApiVersions, which clients must read before
 * they know what the broker supports). */
int16_t kfk_request_header_version(int16_t api_key, int16_t api_version);
int16_t kfk_response_header_version(int16_t api_key, int16_t api_version);

/* Writes the request header for api_key/api_version; client_id may be NULL.
 * Returns 0, KFK_ERR_INVALID_ARG (unknown key, client_id over 32767 bytes),
 * KFK_ERR_UNSUPPORTED_VERSION or KFK_ERR_NOMEM. */
int kfk_request_header_write(kfk_wbuf *w, int16_t api_key, int16_t api_version,
                             int32_t correlation_id, const char *client_id);
/* Reads the response header of an api_key/api_version response and returns
 * its correlation id. Returns 0 or a kfk_err; r is advanced past the header. */
int kfk_response_header_read(kfk_rbuf *r, int16_t api_key, int16_t api_version,
                             int32_t *correlation_id);

/* The broker's side, for test stubs. kfk_request_header_read picks the header
 * version from the API key and version the header starts with; for an unknown
 * key or version it reads a v1 header and returns KFK_ERR_UNSUPPORTED_VERSION,
 * so the caller can still answer with the correlation id. h->client_id points
 * into r. */
int kfk_request_header_read(kfk_rbuf *r, kfk_request_header *h);
int kfk_response_header_write(kfk_wbuf *w, int16_t api_key, int16_t api_version,
                              int32_t correlation_id);

#endif
