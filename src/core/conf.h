/* Typed access to configuration values for the library's own modules. */
#ifndef KFK_CONF_H
#define KFK_CONF_H

#include <stdint.h>

#include "core/conf_keys.h"
#include "kfk.h"

/* FLAGS: a comma-separated set of the allowed values, parsed to bits. */
typedef enum kfk_conf_type {
    KFK_CONF_STRING,
    KFK_CONF_INT,
    KFK_CONF_BOOL,
    KFK_CONF_ENUM,
    KFK_CONF_FLAGS
} kfk_conf_type;

typedef enum kfk_conf_id {
#define KFK_CONF_ID(id, ...) KFK_CONF_##id,
    KFK_CONF_KEYS(KFK_CONF_ID)
#undef KFK_CONF_ID
    KFK_CONF_COUNT
} kfk_conf_id;

/* The value set, or the default. Strings stay owned by the conf. */
const char *kfk_conf_str(const kfk_conf *conf, kfk_conf_id id);
int64_t kfk_conf_int(const kfk_conf *conf, kfk_conf_id id);
int kfk_conf_bool(const kfk_conf *conf, kfk_conf_id id);
/* Index of the value in the key's allowed list. */
int kfk_conf_enum(const kfk_conf *conf, kfk_conf_id id);
/* 1 if the key was set (even to its default), 0 if it holds the default. */
int kfk_conf_is_set(const kfk_conf *conf, kfk_conf_id id);
/* The OAUTHBEARER token callback and its opaque (NULL: none). */
kfk_oauthbearer_token_cb kfk_conf_token_cb(const kfk_conf *conf, void **opaque);
/* The log callback and its opaque (NULL: stderr). */
kfk_log_line_cb kfk_conf_log_cb(const kfk_conf *conf, void **opaque);

/* The statistics callback and its opaque (NULL: none). */
kfk_stats_cb kfk_conf_stats_cb(const kfk_conf *conf, void **opaque);

#endif
