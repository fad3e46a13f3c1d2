/* The OIDC provider's sans-I/O parts: the token endpoint's answer, the
 * JWT's claims, the refresh rule, the request body, and the settings
 * (sasl.oauthbearer.*) as kfk_sasl_new reads them. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "net/oidc.h"
#include "net/sasl.h"
#include "test.h"

static void b64url(const char *in, char *out) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t n = strlen(in), o = 0;
    const unsigned char *p = (const unsigned char *)in;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        if (i + 1 < n) out[o++] = tab[(v >> 6) & 63];
        if (i + 2 < n) out[o++] = tab[v & 63];
    }
    out[o] = '\0';
}

/* A compact JWS with this payload and a fake signature. */
static void jwt(const char *payload, char *out) {
    char body[1024];
    b64url(payload, body);
    sprintf(out, "eyJhbGciOiJSUzI1NiJ9.%s.c2ln", body);
}

TEST(response_gives_token_and_expires_in) {
    const char *body = "{\"access_token\":\"a.b\\/c.d\",\"token_type\":\"bearer\","
                       "\"expires_in\":300,\"extra\":{\"x\":[1,2,{\"y\":null}]}}";
    char *tok;
    int64_t exp;
    char err[256];
    REQUIRE_EQ(kfk_oidc_parse_response(200, body, strlen(body), &tok, &exp, err, sizeof err), 0);
    CHECK_STR(tok, "a.b/c.d");
    CHECK_EQ(exp, 300);
    kfk_free(tok);
}

TEST(response_without_expires_in) {
    const char *body = " { \"access_token\" : \"t\" } ";
    char *tok;
    int64_t exp;
    char err[256];
    REQUIRE_EQ(kfk_oidc_parse_response(200, body, strlen(body), &tok, &exp, err, sizeof err), 0);
    CHECK_STR(tok, "t");
    CHECK_EQ(exp, -1);
    kfk_free(tok);
}

TEST(response_errors_are_clear) {
    char *tok = (char *)1;
    int64_t exp;
    char err[256];
    const char *e401 = "{\"error\":\"invalid_client\",\"error_description\":\"wrong secret\"}";
    CHECK_EQ(kfk_oidc_parse_response(401, e401, strlen(e401), &tok, &exp, err, sizeof err),
             KFK_ERR_AUTHENTICATION);
    CHECK(tok == NULL);
    CHECK_STR(err, "HTTP status 401: invalid_client: wrong secret");
    CHECK_EQ(kfk_oidc_parse_response(500, "<html>", 6, &tok, &exp, err, sizeof err),
             KFK_ERR_AUTHENTICATION);
    CHECK_STR(err, "HTTP status 500");
    CHECK_EQ(kfk_oidc_parse_response(200, "{\"access_token\":", 16, &tok, &exp, err, sizeof err),
             KFK_ERR_AUTHENTICATION);
    CHECK_STR(err, "the answer is not a JSON object");
    CHECK_EQ(kfk_oidc_parse_response(200, "{\"a\":1} x", 9, &tok, &exp, err, sizeof err),
             KFK_ERR_AUTHENTICATION);
    CHECK_STR(err, "the answer is not a JSON object");
    CHECK_EQ(kfk_oidc_parse_response(200, "{\"expires_in\":5}", 16, &tok, &exp, err, sizeof err),
             KFK_ERR_AUTHENTICATION);
    CHECK_STR(err, "the answer has no access_token");
    const char *mac = "{\"access_token\":\"t\",\"token_type\":\"mac\"}";
    CHECK_EQ(kfk_oidc_parse_response(200, mac, strlen(mac), &tok, &exp, err, sizeof err),
             KFK_ERR_AUTHENTICATION);
    CHECK_STR(err, "token_type mac is not Bearer");
}

TEST(deep_nesting_is_refused) {
    char body[200] = "{\"a\":";
    for (int i = 0; i < 60; i++) strcat(body, "[");
    char *tok;
    int64_t exp;
    char err[256];
    CHECK_EQ(kfk_oidc_parse_response(200, body, strlen(body), &tok, &exp, err, sizeof err),
             KFK_ERR_AUTHENTICATION);
}

TEST(jwt_claims) {
    char t[2048], err[256];
    jwt("{\"sub\":\"kfk-client\",\"iat\":1700000000,\"exp\":1700000010.0,\"aud\":[\"kafka\"]}", t);
    kfk_jwt_claims c;
    REQUIRE_EQ(kfk_jwt_claims_parse(t, &c, err, sizeof err), 0);
    CHECK_EQ(c.exp_ms, 1700000010000LL);
    CHECK_EQ(c.iat_ms, 1700000000000LL);
    CHECK_STR(c.sub, "kfk-client");
}

TEST(jwt_errors_never_quote_the_token) {
    char t[2048], err[256];
    kfk_jwt_claims c;
    jwt("{\"sub\":\"x\"}", t);
    CHECK_EQ(kfk_jwt_claims_parse(t, &c, err, sizeof err), KFK_ERR_AUTHENTICATION);
    CHECK_STR(err, "the access token's JWT has no valid exp claim");
    CHECK_EQ(kfk_jwt_claims_parse("secretopaque", &c, err, sizeof err), KFK_ERR_AUTHENTICATION);
    CHECK(strstr(err, "secretopaque") == NULL);
    CHECK_EQ(kfk_jwt_claims_parse("a.!!!.b", &c, err, sizeof err), KFK_ERR_AUTHENTICATION);
    CHECK_STR(err, "the access token's JWT payload is not a JSON object");
    CHECK_EQ(kfk_jwt_claims_parse("a.b.c.d", &c, err, sizeof err), KFK_ERR_AUTHENTICATION);
}

TEST(refresh_at_80_percent) {
    CHECK_EQ(kfk_oidc_refresh_at(1000, 11000), 9000);
    CHECK_EQ(kfk_oidc_refresh_at(0, 3600000), 2880000);
    CHECK_EQ(kfk_oidc_refresh_at(5000, 4000), 5000); /* expired: at once */
}

TEST(form_body) {
    char *f = kfk_oidc_form(NULL);
    CHECK_STR(f, "grant_type=client_credentials");
    kfk_free(f);
    f = kfk_oidc_form("kafka read&write=1");
    CHECK_STR(f, "grant_type=client_credentials&scope=kafka+read%26write%3D1");
    kfk_free(f);
}

/* ------------------------------------------------------------ settings */

static kfk_sasl *oidc_creds(const char *url, const char *id, const char *secret, char *err) {
    kfk_sasl_conf c = {.mechanism = "OAUTHBEARER", .oauth_method = "oidc",
                       .token_endpoint_url = url, .client_id = id, .client_secret = secret};
    return kfk_sasl_new(&c, err, 256);
}

TEST(settings_errors_name_key_and_value) {
    char err[256];
    CHECK(oidc_creds("", "a", "b", err) == NULL);
    CHECK_STR(err, "sasl.oauthbearer.method=oidc needs sasl.oauthbearer.token.endpoint.url");
    CHECK(oidc_creds("ftp://idp/token", "a", "b", err) == NULL);
    CHECK_STR(err, "sasl.oauthbearer.token.endpoint.url ftp://idp/token: not an http:// or "
                   "https:// URL");
    CHECK(oidc_creds("https://idp/token", "", "b", err) == NULL);
    CHECK(strstr(err, "sasl.oauthbearer.client.id") != NULL);
    CHECK(oidc_creds("https://idp/token", "a", NULL, err) == NULL);
    CHECK(strstr(err, "sasl.oauthbearer.client.secret") != NULL);
    kfk_sasl *s = oidc_creds("https://idp/token", "a", "b", err);
    REQUIRE(s);
    CHECK(s->oidc != NULL);
    kfk_sasl_free(s); /* no thread started yet: nothing to stop */
}

TEST(java_style_settings_imply_oidc) {
    char err[256];
    kfk_sasl_conf c = {
        .mechanism = "OAUTHBEARER",
        .token_endpoint_url = "https://idp/token",
        .jaas_config = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule "
                       "required clientId=\"cid\" clientSecret=\"s3cret\" scope=\"kafka\";"};
    kfk_sasl *s = kfk_sasl_new(&c, err, sizeof err);
    REQUIRE(s);
    CHECK(s->oidc != NULL);
    kfk_sasl_free(s);
    c.jaas_config = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule "
                    "required clientId=\"cid\";";
    CHECK(kfk_sasl_new(&c, err, sizeof err) == NULL);
    CHECK(strstr(err, "clientSecret") != NULL);
}

TEST(extensions_go_into_the_message) {
    char err[256];
    kfk_sasl_conf c = {.mechanism = "OAUTHBEARER",
                       .jaas_config = "OAuthBearerLoginModule required "
                                      "unsecuredLoginStringClaim_sub=\"u\";",
                       .extensions = "traceId=abc,logicalCluster=lkc-1"};
    kfk_sasl *s = kfk_sasl_new(&c, err, sizeof err);
    REQUIRE(s);
    kfk_sasl_exchange x;
    kfk_sasl_begin(&x, s, NULL);
    kfk_wbuf w = {0};
    CHECK_EQ(kfk_sasl_step(&x, NULL, 0, &w, err, sizeof err), KFK_SASL_SEND);
    const char *want = "\001traceId=abc\001logicalCluster=lkc-1\001\001";
    REQUIRE(w.len > strlen(want));
    CHECK_MEM(w.data + w.len - strlen(want), want, strlen(want));
    kfk_sasl_end(&x);
    kfk_wbuf_free(&w);
    kfk_sasl_free(s);
    c.extensions = "auth=x";
    CHECK(kfk_sasl_new(&c, err, sizeof err) == NULL);
    CHECK(strstr(err, "sasl.oauthbearer.extensions auth=x") == err);
    c.extensions = "bad key=1";
    CHECK(kfk_sasl_new(&c, err, sizeof err) == NULL);
}
