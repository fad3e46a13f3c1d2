/* Exponential backoff with jitter, as the Java client's ExponentialBackoff:
 * base * 2^attempts, times a random factor in [0.8, 1.2], capped at max.
 * Used for reconnects (reconnect.backoff.ms) and retries (retry.backoff.ms). */
#ifndef KFK_BACKOFF_H
#define KFK_BACKOFF_H

#include <stdint.h>

/* xorshift64*: cheap, good enough for jitter; never 0 once seeded. */
uint64_t kfk_rand_next(uint64_t *state);
/* A seed that differs between processes and handles. */
uint64_t kfk_rand_seed(const void *salt);

/* The delay before attempt number `attempts` + 1 (0 for the first retry). */
int64_t kfk_backoff_ms(int32_t base_ms, int32_t max_ms, int attempts, uint64_t *rng);

#endif
