/* -J output: yajl's escaping and kcat's field order. */
#include <stdlib.h>

#include "json.h"
#include "test.h"

static char *capture(const kfk_consumer_message *m, const void *s, size_t len) {
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    if (m)
        cli_json_message(out, m, 7);
    else
        cli_json_string(out, s, len);
    fclose(out);
    return buf;
}

TEST(string_escaping) {
    const char in[] = "q\"b\\/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9\xff";
    char *s = capture(NULL, in, sizeof in - 1);
    CHECK_STR(s, "\"q\\\"b\\\\/\\b\\f\\n\\r\\t\\u0001\\u001F\x7f\xc3\xa9\xff\"");
    free(s);
    s = capture(NULL, "a\0b", 3);
    CHECK_STR(s, "\"a\\u0000b\"");
    free(s);
}

TEST(message_fields_in_kcat_order) {
    kfk_header h[2] = {{"n", "v", 1}, {"z", NULL, 0}};
    kfk_consumer_message m = {0};
    m.topic = "top";
    m.partition = 1;
    m.offset = 5;
    m.timestamp = 99;
    m.timestamp_type = KFK_TIMESTAMP_LOG_APPEND;
    m.value = "";
    m.headers = h;
    m.header_count = 2;
    char *s = capture(&m, NULL, 0);
    CHECK_STR(s, "{\"topic\":\"top\",\"partition\":1,\"offset\":5,\"tstype\":\"logappend\","
                 "\"ts\":99,\"broker\":7,\"headers\":[\"n\",\"v\",\"z\",null],\"key\":null,"
                 "\"payload\":\"\"}");
    free(s);
    /* No timestamp: no tstype or ts; no headers: no headers field. */
    m.timestamp_type = KFK_TIMESTAMP_NONE;
    m.header_count = 0;
    m.key = "k";
    m.key_len = 1;
    m.value = NULL;
    s = capture(&m, NULL, 0);
    CHECK_STR(s, "{\"topic\":\"top\",\"partition\":1,\"offset\":5,\"broker\":7,\"key\":\"k\","
                 "\"payload\":null}");
    free(s);
}
