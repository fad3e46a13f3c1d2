// Helpers for the C++ API's integration tests: EXPECT that counts
// failures, the broker from KFK_BOOTSTRAP, a conf pointing at it.
#ifndef KFK_CPP_IT_HPP
#define KFK_CPP_IT_HPP

#include <cstdio>
#include <cstdlib>
#include <string>

#include "kfk.hpp"

static int failures = 0;
#define EXPECT(cond)                                                                    \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            std::fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
            failures++;                                                                 \
        }                                                                               \
    } while (0)

static inline std::string bootstrap() {
    const char *b = std::getenv("KFK_BOOTSTRAP");
    if (!b || !*b) {
        std::fprintf(stderr, "KFK_BOOTSTRAP is not set\n");
        std::exit(1);
    }
    return b;
}

static inline kfk::conf base() {
    kfk::conf c;
    c.set("bootstrap.servers", bootstrap());
    return c;
}

#endif
