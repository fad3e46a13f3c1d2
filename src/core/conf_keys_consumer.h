/* The consumer's configuration keys, in the form of conf_keys.h. */
#ifndef KFK_CONF_KEYS_CONSUMER_H
#define KFK_CONF_KEYS_CONSUMER_H

/* clang-format off */
#define KFK_CONF_KEYS_CONSUMER(X)
#define KFK_CONF_ALIASES_CONSUMER(X)
/* clang-format on */

#endif
