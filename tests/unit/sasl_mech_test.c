/* SASL credentials, JAAS lines and the mechanisms' messages, checked
 * against the RFCs' examples and against forged server messages. */
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "kfk.h"
#include "net/sasl.h"
#include "test.h"

static kfk_sasl *creds(const char *mech, const char *user, const char *pass) {
    char err[256] = "";
    kfk_sasl_conf conf = {.mechanism = mech, .username = user, .password = pass};
    kfk_sasl *s = kfk_sasl_new(&conf, err, sizeof err);
    if (!s) kfk_test_fail(__FILE__, __LINE__, "kfk_sasl_new: %s", err);
    return s;
}

static int step_str(kfk_sasl_exchange *x, const char *in, kfk_wbuf *out, char *err) {
    out->len = 0;
    return kfk_sasl_step(x, (const uint8_t *)in, in ? strlen(in) : 0, out, err, 256);
}

static int out_is(const kfk_wbuf *w, const char *want) {
    return w->len == strlen(want) && memcmp(w->data, want, w->len) == 0;
}

TEST(plain_message_is_authzid_user_password) {
    kfk_sasl *s = creds("PLAIN", "alice", "secret");
    REQUIRE(s);
    kfk_sasl_exchange x;
    kfk_sasl_begin(&x, s, NULL);
    kfk_wbuf w = {0};
    char err[256];
    CHECK_EQ(kfk_sasl_step(&x, NULL, 0, &w, err, sizeof err), KFK_SASL_SEND);
    CHECK_EQ(w.len, 13);
    CHECK_MEM(w.data, "\0alice\0secret", 13);
    CHECK_EQ(kfk_sasl_step(&x, NULL, 0, &w, err, sizeof err), KFK_SASL_DONE);
    kfk_sasl_end(&x);
    kfk_wbuf_free(&w);
    kfk_sasl_free(s);
}

/* RFC 7677 section 3. */
static const char *const rfc_nonce = "rOprNGfwEbeRWgbNEkqO";
static const char *const rfc_server_first =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

TEST(scram_sha256_matches_rfc7677) {
    kfk_sasl *s = creds("SCRAM-SHA-256", "user", "pencil");
    REQUIRE(s);
    kfk_sasl_exchange x;
    kfk_sasl_begin(&x, s, NULL);
    CHECK_EQ(strlen(x.nonce), 32); /* 24 random bytes, base64 */
    strcpy(x.nonce, rfc_nonce);
    kfk_wbuf w = {0};
    char err[256] = "";
    REQUIRE_EQ(step_str(&x, NULL, &w, err), KFK_SASL_SEND);
    CHECK(out_is(&w, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
    REQUIRE_EQ(step_str(&x, rfc_server_first, &w, err), KFK_SASL_SEND);
    CHECK(out_is(&w, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                     "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
    CHECK_EQ(step_str(&x, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", &w, err),
             KFK_SASL_DONE);
    kfk_sasl_end(&x);
    kfk_wbuf_free(&w);
    kfk_sasl_free(s);
}

/* Runs the RFC exchange up to the server-final message and returns what
 * the client makes of `final`. */
static int scram_final_result(const char *final, char *err) {
    kfk_sasl *s = creds("SCRAM-SHA-256", "user", "pencil");
    if (!s) return 0;
    kfk_sasl_exchange x;
    kfk_sasl_begin(&x, s, NULL);
    strcpy(x.nonce, rfc_nonce);
    kfk_wbuf w = {0};
    step_str(&x, NULL, &w, err);
    step_str(&x, rfc_server_first, &w, err);
    int rc = step_str(&x, final, &w, err);
    kfk_sasl_end(&x);
    kfk_wbuf_free(&w);
    kfk_sasl_free(s);
    return rc;
}

TEST(scram_refuses_a_forged_server_signature) {
    char err[256] = "";
    CHECK_EQ(scram_final_result("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", err),
             KFK_ERR_AUTHENTICATION);
    CHECK(strstr(err, "signature") != NULL);
    CHECK_EQ(scram_final_result("v=short", err), KFK_ERR_AUTHENTICATION);
    CHECK_EQ(scram_final_result("", err), KFK_ERR_AUTHENTICATION);
    CHECK_EQ(scram_final_result("e=invalid-proof", err), KFK_ERR_SASL_AUTHENTICATION_FAILED);
    CHECK(strstr(err, "invalid-proof") != NULL);
}

static int server_first_result(const char *first, char *err) {
    kfk_sasl *s = creds("SCRAM-SHA-512", "user", "pencil");
    if (!s) return 0;
    kfk_sasl_exchange x;
    kfk_sasl_begin(&x, s, NULL);
    strcpy(x.nonce, rfc_nonce);
    kfk_wbuf w = {0};
    step_str(&x, NULL, &w, err);
    int rc = step_str(&x, first, &w, err);
    kfk_sasl_end(&x);
    kfk_wbuf_free(&w);
    kfk_sasl_free(s);
    return rc;
}

TEST(scram_checks_the_server_first_message) {
    char err[256] = "";
    /* A nonce that does not extend ours: a replay or another session. */
    CHECK_EQ(server_first_result("r=XXXXNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", err),
             KFK_ERR_AUTHENTICATION);
    CHECK(strstr(err, "nonce") != NULL);
    /* Our nonce unchanged: the server added nothing. */
    CHECK_EQ(server_first_result("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", err),
             KFK_ERR_AUTHENTICATION);
    /* Iteration counts a hostile broker could use to stall or weaken us. */
    CHECK_EQ(server_first_result("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2147483647",
                                 err),
             KFK_ERR_AUTHENTICATION);
    CHECK_EQ(server_first_result("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1", err),
             KFK_ERR_AUTHENTICATION);
    CHECK_EQ(server_first_result("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-5", err),
             KFK_ERR_AUTHENTICATION);
    CHECK_EQ(server_first_result("r=rOprNGfwEbeRWgbNEkqOx,s=!!!,i=4096", err),
             KFK_ERR_AUTHENTICATION);
    CHECK_EQ(server_first_result("r=rOprNGfwEbeRWgbNEkqOx,i=4096", err), KFK_ERR_AUTHENTICATION);
    CHECK_EQ(server_first_result("garbage", err), KFK_ERR_AUTHENTICATION);
    CHECK_EQ(server_first_result("", err), KFK_ERR_AUTHENTICATION);
    /* Fine with a valid one (SHA-512 proof computed). */
    CHECK_EQ(server_first_result(rfc_server_first, err), KFK_SASL_SEND);
}

TEST(scram_escapes_the_user_name) {
    kfk_sasl *s = creds("SCRAM-SHA-256", "a=b,c", "pw");
    REQUIRE(s);
    kfk_sasl_exchange x;
    kfk_sasl_begin(&x, s, NULL);
    strcpy(x.nonce, "N");
    kfk_wbuf w = {0};
    char err[256];
    REQUIRE_EQ(step_str(&x, NULL, &w, err), KFK_SASL_SEND);
    CHECK(out_is(&w, "n,,n=a=3Db=2Cc,r=N"));
    kfk_sasl_end(&x);
    kfk_wbuf_free(&w);
    kfk_sasl_free(s);
}

static int token_calls;

static int token_cb(void *opaque, char *token, size_t size, int64_t *expiry, char *err,
                    size_t errlen) {
    token_calls++;
    if (opaque) {
        snprintf(err, errlen, "identity provider unreachable");
        return KFK_ERR_AUTHENTICATION;
    }
    snprintf(token, size, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ.");
    *expiry = INT64_MAX / 2; /* far future: cached */
    return 0;
}

TEST(oauthbearer_sends_the_token_and_acknowledges_errors) {
    char err[256] = "";
    kfk_sasl_conf conf = {.mechanism = "OAUTHBEARER", .token_cb = token_cb};
    kfk_sasl *s = kfk_sasl_new(&conf, err, sizeof err);
    REQUIRE(s);
    token_calls = 0;
    kfk_wbuf w = {0};
    for (int round = 0; round < 2; round++) {
        kfk_sasl_exchange x;
        kfk_sasl_begin(&x, s, NULL);
        REQUIRE_EQ(step_str(&x, NULL, &w, err), KFK_SASL_SEND);
        CHECK(out_is(&w, "n,,\001auth=Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ.\001\001"));
        if (round == 0) {
            CHECK_EQ(step_str(&x, "", &w, err), KFK_SASL_DONE);
        } else {
            /* A JSON error from the broker: acknowledge with %x01. */
            CHECK_EQ(step_str(&x, "{\"status\":\"invalid_token\"}", &w, err), KFK_SASL_SEND);
            CHECK(out_is(&w, "\001"));
        }
        kfk_sasl_end(&x);
    }
    CHECK_EQ(token_calls, 1); /* the cached token served the second exchange */
    kfk_wbuf_free(&w);
    kfk_sasl_free(s);

    /* A failing callback fails the exchange with its reason. */
    conf.token_opaque = &conf;
    s = kfk_sasl_new(&conf, err, sizeof err);
    REQUIRE(s);
    kfk_sasl_exchange x;
    kfk_sasl_begin(&x, s, NULL);
    kfk_wbuf w2 = {0};
    CHECK_EQ(step_str(&x, NULL, &w2, err), KFK_ERR_AUTHENTICATION);
    CHECK(strstr(err, "identity provider") != NULL);
    kfk_sasl_end(&x);
    kfk_wbuf_free(&w2);
    kfk_sasl_free(s);
}

TEST(unsecured_jwt_from_jaas) {
    char err[256] = "";
    kfk_sasl_conf conf = {
        .mechanism = "OAUTHBEARER",
        .jaas_config = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule "
                       "required unsecuredLoginStringClaim_sub=\"admin\";"};
    kfk_sasl *s = kfk_sasl_new(&conf, err, sizeof err);
    REQUIRE(s);
    char tok[512];
    REQUIRE_EQ(kfk_sasl_token(s, tok, sizeof tok, err, sizeof err), 0);
    /* {"alg":"none"} in base64url, then claims, then an empty signature. */
    CHECK(strncmp(tok, "eyJhbGciOiJub25lIn0.", 20) == 0);
    CHECK(tok[strlen(tok) - 1] == '.');
    kfk_sasl_free(s);
}

TEST(jaas_lines_are_parsed) {
    char mod[160], err[256] = "";
    char *user, *pass, *sub;
    CHECK_EQ(kfk_sasl_parse_jaas("org.apache.kafka.common.security.plain.PlainLoginModule required "
                                 "username=\"alice\" password=\"p\\\"w;d\";",
                                 mod, sizeof mod, &user, &pass, &sub, err, sizeof err),
             0);
    CHECK_STR(mod, "org.apache.kafka.common.security.plain.PlainLoginModule");
    CHECK_STR(user, "alice");
    CHECK_STR(pass, "p\"w;d");
    CHECK(sub == NULL);
    kfk_free(user);
    kfk_free(pass);
    CHECK_EQ(kfk_sasl_parse_jaas("  x.ScramLoginModule required\n username=bob password=\"s3\" ;  ",
                                 mod, sizeof mod, &user, &pass, &sub, err, sizeof err),
             0);
    CHECK_STR(user, "bob");
    CHECK_STR(pass, "s3");
    kfk_free(user);
    kfk_free(pass);
    /* Malformed: no flag, unterminated quote, no ';'. The error never
     * repeats the line, which holds the password. */
    const char *bad[] = {"x.PlainLoginModule username=\"a\" password=\"topsecret\";",
                         "x.PlainLoginModule required password=\"topsecret;",
                         "x.PlainLoginModule required password=\"topsecret\"", ""};
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(kfk_sasl_parse_jaas(bad[i], mod, sizeof mod, &user, &pass, &sub, err, sizeof err),
                 KFK_ERR_CONFIG);
        CHECK(strstr(err, "topsecret") == NULL);
        CHECK(user == NULL && pass == NULL);
    }
}

TEST(credentials_are_checked_on_creation) {
    char err[256] = "";
    kfk_sasl_conf conf = {.mechanism = "KERBEROS"};
    CHECK(kfk_sasl_new(&conf, err, sizeof err) == NULL);
    CHECK(strstr(err, "KERBEROS") && strstr(err, "GSSAPI"));
    conf = (kfk_sasl_conf){.mechanism = "PLAIN", .username = "u"};
    CHECK(kfk_sasl_new(&conf, err, sizeof err) == NULL);
    CHECK(strstr(err, "sasl.password") != NULL);
    conf = (kfk_sasl_conf){.mechanism = "OAUTHBEARER"};
    CHECK(kfk_sasl_new(&conf, err, sizeof err) == NULL);
    CHECK(strstr(err, "callback") != NULL);
    /* A JAAS module for another mechanism. */
    conf = (kfk_sasl_conf){.mechanism = "SCRAM-SHA-256",
                           .jaas_config = "a.PlainLoginModule required username=\"u\" "
                                          "password=\"hunter2\";"};
    CHECK(kfk_sasl_new(&conf, err, sizeof err) == NULL);
    CHECK(strstr(err, "ScramLoginModule") != NULL);
    CHECK(strstr(err, "hunter2") == NULL);
    /* JAAS overrides sasl.username / sasl.password. */
    conf = (kfk_sasl_conf){.mechanism = "SCRAM-SHA-512", .username = "x", .password = "y",
                           .jaas_config = "a.ScramLoginModule required username=\"u\" "
                                          "password=\"hunter2\";"};
    kfk_sasl *s = kfk_sasl_new(&conf, err, sizeof err);
    REQUIRE(s);
    CHECK_STR(s->username, "u");
    CHECK_STR(s->password, "hunter2");
    kfk_sasl_free(s);
}
