/* Debian's librdkafka 2.0.2, loaded beside ours (RTLD_DEEPBIND: its own
 * symbols bind to itself), so tests compare behaviour side by side. */
#ifndef RDK_TEST_DEBIAN_RDK_H
#define RDK_TEST_DEBIAN_RDK_H

#include <dlfcn.h>
#include <stdio.h>

#define DEBIAN_RDKAFKA "/usr/lib/x86_64-linux-gnu/librdkafka.so.1"

static void *debian_rdk(void) {
    static void *h;
    if (!h) {
        h = dlopen(DEBIAN_RDKAFKA, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        if (!h) fprintf(stderr, "dlopen %s: %s\n", DEBIAN_RDKAFKA, dlerror());
    }
    return h;
}

/* Debian's function name, or NULL (reported) when missing. */
static void *debian_sym(const char *name) {
    void *h = debian_rdk();
    void *f = h ? dlsym(h, name) : NULL;
    if (h && !f) fprintf(stderr, "dlsym %s: %s\n", name, dlerror());
    return f;
}

#endif
