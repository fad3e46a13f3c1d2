/* The producer's configuration keys, in the form of conf_keys.h. */
#ifndef KFK_CONF_KEYS_PRODUCER_H
#define KFK_CONF_KEYS_PRODUCER_H

/* clang-format off */
#define KFK_CONF_KEYS_PRODUCER(X)
#define KFK_CONF_ALIASES_PRODUCER(X)
/* clang-format on */

#endif
