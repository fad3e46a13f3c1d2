#include "json.h"

#include <inttypes.h>
#include <string.h>

int cli_json_string(FILE *out, const void *s, size_t len) {
    const unsigned char *p = s, *end = p + len, *run = p;
    if (putc('"', out) == EOF) return -1;
    for (; p < end; p++) {
        const char *esc = NULL;
        char hex[8];
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (*p < 0x20) {
                snprintf(hex, sizeof hex, "\\u%04X", *p);
                esc = hex;
            }
        }
        if (!esc) continue;
        /* Plain bytes go out in runs, not one call per byte. */
        if (p > run && fwrite(run, (size_t)(p - run), 1, out) != 1) return -1;
        if (fputs(esc, out) < 0) return -1;
        run = p + 1;
    }
    if (p > run && fwrite(run, (size_t)(p - run), 1, out) != 1) return -1;
    return putc('"', out) == EOF ? -1 : 0;
}

static int nullable(FILE *out, const void *p, size_t len) {
    if (!p) return fputs("null", out) < 0 ? -1 : 0;
    return cli_json_string(out, p, len);
}

int cli_json_message(FILE *out, const kfk_consumer_message *m, int32_t broker) {
    int rc = fputs("{\"topic\":", out) < 0 ? -1 : 0;
    if (!rc) rc = cli_json_string(out, m->topic, strlen(m->topic));
    if (!rc)
        rc = fprintf(out, ",\"partition\":%" PRId32 ",\"offset\":%" PRId64, m->partition,
                     m->offset) < 0;
    if (!rc && m->timestamp_type != KFK_TIMESTAMP_NONE)
        rc = fprintf(out, ",\"tstype\":\"%s\",\"ts\":%" PRId64,
                     m->timestamp_type == KFK_TIMESTAMP_CREATE ? "create" : "logappend",
                     m->timestamp) < 0;
    if (!rc) rc = fprintf(out, ",\"broker\":%" PRId32, broker) < 0;
    if (!rc && m->header_count) {
        rc = fputs(",\"headers\":[", out) < 0;
        for (size_t i = 0; !rc && i < m->header_count; i++) {
            const kfk_header *h = &m->headers[i];
            if (i) rc = putc(',', out) == EOF;
            if (!rc) rc = cli_json_string(out, h->name, strlen(h->name));
            if (!rc) rc = putc(',', out) == EOF;
            if (!rc) rc = nullable(out, h->value, h->value_len);
        }
        if (!rc) rc = putc(']', out) == EOF;
    }
    if (!rc) rc = fputs(",\"key\":", out) < 0;
    if (!rc) rc = nullable(out, m->key, m->key_len);
    if (!rc) rc = fputs(",\"payload\":", out) < 0;
    if (!rc) rc = nullable(out, m->value, m->value_len);
    if (!rc) rc = putc('}', out) == EOF;
    return rc ? -1 : 0;
}
