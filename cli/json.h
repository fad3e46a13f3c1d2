/* JSON output as kcat writes it (yajl's escaping: \" \\ \b \f \n \r \t,
 * other bytes below 0x20 as \u00XX in upper case, everything else raw). */
#ifndef KFK_CLI_JSON_H
#define KFK_CLI_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "kfk.h"

/* Writes s (len bytes, any content) as a quoted JSON string. 0 or -1. */
int cli_json_string(FILE *out, const void *s, size_t len);

/* One consumed message as kcat's -J object (no delimiter after it):
 * topic, partition, offset, tstype and ts (when the record has a timestamp),
 * broker (the node it was fetched from, -1 unknown), headers as a flat
 * [name, value, ...] array (when there are any), key, payload. 0 or -1. */
int cli_json_message(FILE *out, const kfk_consumer_message *m, int32_t broker);

#endif
