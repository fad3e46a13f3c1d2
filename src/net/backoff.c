#include "net/backoff.h"

#include <time.h>
#include <unistd.h>

uint64_t kfk_rand_next(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

uint64_t kfk_rand_seed(const void *salt) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 16) ^
                 (uint64_t)(uintptr_t)salt;
    return s ? s : 0x9E3779B97F4A7C15ULL;
}

int64_t kfk_backoff_ms(int32_t base_ms, int32_t max_ms, int attempts, uint64_t *rng) {
    if (base_ms <= 0) return 0;
    if (max_ms < base_ms) max_ms = base_ms;
    int64_t term = base_ms;
    for (int i = 0; i < attempts && term < max_ms; i++) term *= 2;
    if (term > max_ms) term = max_ms; /* jitter still applies below the cap */
    /* Jitter of +-20% in 1/1000 steps spreads reconnect storms apart. */
    int64_t permille = 800 + (int64_t)(kfk_rand_next(rng) % 401);
    int64_t v = term * permille / 1000;
    return v > max_ms ? max_ms : v;
}
