/* What every security test reads: the environment that `scripts/kafka-local
 * env --secure` prints, and the files in its KFK_SSL_DIR. */
#ifndef KFK_SEC_ENV_H
#define KFK_SEC_ENV_H

#include <stdio.h>
#include <stdlib.h>

#include "test.h"

/* The variable's value; unset or empty fails the test (and gives NULL). */
static inline const char *env(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) {
        kfk_test_fail(__FILE__, __LINE__,
                      "%s is not set (eval \"$(scripts/kafka-local env --secure)\")", name);
        return NULL;
    }
    return v;
}

/* KFK_SSL_DIR/name, in one of 8 rotating buffers. */
static inline char *ssl_file(const char *name) {
    static char paths[8][512];
    static int next;
    const char *dir = env("KFK_SSL_DIR");
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir ? dir : "", name);
    return p;
}

#endif
