/* The Java client's small programs beside the integration tests
 * (TxProduce.java, GroupConsume.java): compiled once per test process
 * against the kafka-clients jar that `scripts/kafka-local lib` resolves.
 * Needs java and javac 17+ (scripts/install-deps). Header-only. */
#ifndef KFK_JAVA_IT_H
#define KFK_JAVA_IT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

static char jit_dir[64];  /* javac's output, removed at exit */
static char jit_cp[1024]; /* java's class path */

static inline void jit_remove_dir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", jit_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", jit_dir);
}

/* Compiles tests/integration/<name>.java; 0, or -1 after failing the test. */
static inline int jit_compile(const char *name) {
    if (system("command -v java >/dev/null && command -v javac >/dev/null") != 0) {
        kfk_test_fail(__FILE__, __LINE__, "java/javac not found (scripts/install-deps)");
        return -1;
    }
    char cmd[2048], lib[512] = "";
    snprintf(cmd, sizeof cmd, "'%s/scripts/kafka-local' lib", KFK_SOURCE_DIR);
    FILE *f = popen(cmd, "r");
    while (f && fgets(lib, sizeof lib, f)) {
    }
    if (!f || pclose(f) != 0 || !lib[0]) {
        kfk_test_fail(__FILE__, __LINE__, "scripts/kafka-local lib failed");
        return -1;
    }
    lib[strcspn(lib, "\n")] = '\0';
    if (!jit_dir[0]) {
        snprintf(jit_dir, sizeof jit_dir, "/tmp/kfk-java-XXXXXX");
        if (!mkdtemp(jit_dir)) return -1;
        atexit(jit_remove_dir);
    }
    snprintf(cmd, sizeof cmd, "javac -d '%s' -cp '%s/*' '%s/tests/integration/%s.java'", jit_dir,
             lib, KFK_SOURCE_DIR, name);
    if (system(cmd) != 0) {
        kfk_test_fail(__FILE__, __LINE__, "javac failed: %s", cmd);
        return -1;
    }
    snprintf(jit_cp, sizeof jit_cp, "%s:%s/*", jit_dir, lib);
    return 0;
}

#endif
