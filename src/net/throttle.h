/* Broker throttling (KIP-219). Every response carries ThrottleTimeMs; from
 * the version each API gained KIP-219 on, a broker over its quota answers
 * at once and expects the client to send nothing more on that connection
 * for that long (older versions delayed the answer instead: nothing to do).
 * kfk_conn holds its waiting requests back until then (conn.h). */
#ifndef KFK_THROTTLE_H
#define KFK_THROTTLE_H

#include <stdint.h>

#include "core/buf.h"

/* The time the client must wait after this response body (after the
 * header) of api_key at version: its ThrottleTimeMs when that version
 * asks the client to throttle, else 0 (also for a body too short or
 * malformed to say). Reads a copy of *body; no allocation. */
int32_t kfk_throttle_peek(int16_t api_key, int16_t version, const kfk_rbuf *body);

#endif
