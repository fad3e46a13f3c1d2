/* Debian's librdkafka 2.0.2, loaded beside ours in its own link-map
 * namespace (it exports the same names and calls itself through them;
 * RTLD_DEEPBIND would do, but ASan refuses it), so tests compare behaviour
 * side by side. Memory it frees must come from its namespace's malloc. */
#ifndef RDK_TEST_DEBIAN_RDK_H
#define RDK_TEST_DEBIAN_RDK_H

#include <dlfcn.h>
#include <stdio.h>

#define DEBIAN_RDKAFKA "/usr/lib/x86_64-linux-gnu/librdkafka.so.1"

static void *debian_rdk(void) {
    static void *h;
    if (!h) {
        h = dlmopen(LM_ID_NEWLM, DEBIAN_RDKAFKA, RTLD_NOW | RTLD_LOCAL);
        if (!h) fprintf(stderr, "dlopen %s: %s\n", DEBIAN_RDKAFKA, dlerror());
    }
    return h;
}

/* Debian's function name (or its namespace's libc's), or NULL (reported)
 * when missing. */
static void *debian_sym(const char *name) {
    void *h = debian_rdk();
    void *f = h ? dlsym(h, name) : NULL;
    if (h && !f) fprintf(stderr, "dlsym %s: %s\n", name, dlerror());
    if (f && f == dlsym(RTLD_DEFAULT, name)) {
        fprintf(stderr, "%s: Debian's resolved to ours\n", name);
        return NULL;
    }
    return f;
}

#endif
