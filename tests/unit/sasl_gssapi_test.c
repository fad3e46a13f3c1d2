/* GSSAPI's settings: the sasl.kerberos.* keys and the Java client's
 * Krb5LoginModule line (the exchange itself runs against the KDC and
 * broker of tests/security/gssapi_test.c). */
#include <string.h>

#include "net/sasl.h"
#include "test.h"

static kfk_sasl *gss(const char *keytab, const char *principal, const char *jaas, char *err,
                     size_t errlen) {
    kfk_sasl_conf conf = {.mechanism = "GSSAPI", .service_name = "kafka", .keytab = keytab,
                          .principal = principal, .jaas_config = jaas};
    return kfk_sasl_new(&conf, err, errlen);
}

TEST(settings_are_checked) {
    char err[256] = "";
#ifdef KFK_HAVE_GSSAPI
    /* A keytab needs the principal whose keys it holds. */
    CHECK(gss("/k.keytab", NULL, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "sasl.kerberos.principal") != NULL);
    CHECK(gss(NULL, NULL, "a.PlainLoginModule required;", err, sizeof err) == NULL);
    CHECK(strstr(err, "Krb5LoginModule") != NULL);
    CHECK(gss(NULL, NULL, "x.Krb5LoginModule required useKeyTab=true;", err, sizeof err) == NULL);
    CHECK(strstr(err, "keyTab") != NULL);
    /* No keytab: the ticket cache. */
    kfk_sasl *s = gss(NULL, "kafkaclient", NULL, err, sizeof err);
    REQUIRE(s);
    CHECK_EQ(s->mech, KFK_SASL_GSSAPI);
    CHECK(s->gss->keytab == NULL);
    CHECK_STR(s->gss->service, "kafka");
    kfk_sasl_free(s);
#else
    CHECK(gss(NULL, NULL, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "without Kerberos") != NULL);
#endif
}

#ifdef KFK_HAVE_GSSAPI
TEST(jaas_line_overrides_the_keys) {
    char err[256] = "";
    kfk_sasl *s = gss("/other.keytab", "other@R", "com.sun.security.auth.module.Krb5LoginModule "
                      "required useKeyTab=true storeKey=true keyTab=\"/etc/c.keytab\" "
                      "principal=\"client@KFK.TEST\" serviceName=\"kfk\";", err, sizeof err);
    REQUIRE(s);
    CHECK_STR(s->gss->keytab, "/etc/c.keytab");
    CHECK_STR(s->gss->principal, "client@KFK.TEST");
    CHECK_STR(s->gss->service, "kfk");
    kfk_sasl_free(s);
    /* useTicketCache without useKeyTab: the cache, whatever keytab the keys name. */
    s = gss("/other.keytab", "other@R",
            "x.Krb5LoginModule required useTicketCache=true;", err, sizeof err);
    REQUIRE(s);
    CHECK(s->gss->keytab == NULL);
    kfk_sasl_free(s);
}
#endif
