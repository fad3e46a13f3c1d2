/* The optional libraries are not mapped into a process until a client
 * needs them: libsnappy (and libstdc++ with it) at the first snappy
 * batch, OpenSSL at the first TLS or SCRAM client, MIT Kerberos at the
 * first GSSAPI client. Each costs RSS in every
 * process that maps it (see docs/DESIGN.md, Memory). One test, in order:
 * the "not yet" checks need a process that has used neither. */
#include <stdio.h>
#include <string.h>

#include "net/sasl.h"
#include "records/compress.h"
#include "test.h"

/* 1 if /proc/self/maps names a file whose name contains lib. */
static int mapped(const char *lib) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return -1;
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) found = strstr(line, lib) != NULL;
    fclose(f);
    return found;
}

TEST(optional_libraries_load_at_first_use) {
    if (mapped("libc") < 0) return; /* no /proc: nothing to look at */
    REQUIRE(mapped("libc") == 1);
    CHECK_EQ(mapped("libsnappy"), 0);
#ifndef __SANITIZE_ADDRESS__ /* the sanitizers' runtime brings libstdc++ */
    CHECK_EQ(mapped("libstdc++"), 0);
#endif
    CHECK_EQ(mapped("libgssapi_krb5"), 0);
    CHECK_EQ(mapped("libkrb5"), 0);
    CHECK_EQ(mapped("libcurl"), 0);
    CHECK_EQ(mapped("libssl"), 0);
    CHECK_EQ(mapped("libcrypto"), 0);

    kfk_wbuf z = {0}, back = {0};
    const uint8_t in[] = "abcabcabcabcabcabc";
    REQUIRE(kfk_snappy_unavailable() == NULL);
    REQUIRE_EQ(kfk_compress(KFK_CODEC_SNAPPY, KFK_LEVEL_DEFAULT, in, sizeof in, &z), 0);
    REQUIRE_EQ(kfk_decompress(KFK_CODEC_SNAPPY, z.data, z.len, 1024, &back), 0);
    CHECK(back.len == sizeof in && memcmp(back.data, in, sizeof in) == 0);
    kfk_wbuf_free(&z);
    kfk_wbuf_free(&back);
    CHECK_EQ(mapped("libsnappy"), 1);
    CHECK_EQ(mapped("libgssapi_krb5"), 0);
    CHECK_EQ(mapped("libssl"), 0);

    char err[256] = "";
    kfk_sasl_conf plain = {.mechanism = "PLAIN", .username = "u", .password = "p"};
    kfk_sasl *s = kfk_sasl_new(&plain, err, sizeof err);
    CHECK(s != NULL);
    kfk_sasl_free(s);
    CHECK_EQ(mapped("libssl"), 0);
    kfk_sasl_conf scram = {.mechanism = "SCRAM-SHA-256", .username = "u", .password = "p"};
    s = kfk_sasl_new(&scram, err, sizeof err);
    CHECK(s != NULL);
    kfk_sasl_free(s);
    CHECK_EQ(mapped("libssl"), 1);
    CHECK_EQ(mapped("libcrypto"), 1);

#ifdef KFK_HAVE_GSSAPI
    kfk_sasl_conf conf = {.mechanism = "GSSAPI", .service_name = "kafka"};
    s = kfk_sasl_new(&conf, err, sizeof err);
    CHECK(s != NULL);
    kfk_sasl_free(s);
    CHECK_EQ(mapped("libgssapi_krb5"), 1);
    CHECK_EQ(mapped("libkrb5"), 1);
#endif
    CHECK_EQ(mapped("libcurl"), 0);
}
