/* GSSAPI's settings: the sasl.kerberos.* keys and the Java client's
 * Krb5LoginModule line; the blocking first step (kinit, the KDC) handed
 * over as a job, never run by the step itself or the connection, and
 * sasl.kerberos.min.time.before.relogin. No KDC here: the ticket cache is
 * empty, so the GSS-API fails at once without one (the exchange itself
 * runs against the KDC and broker of tests/security/gssapi_test.c). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn_frames.h"
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

#ifdef KFK_HAVE_GSSAPI
/* ------------------------------------------- the blocking step as a job */

static int64_t ms_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char dir[64];

__attribute__((destructor)) static void remove_dir(void) {
    char cmd[96];
    if (!dir[0]) return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* No KDC, no system krb5.conf, an empty ticket cache. */
static void no_kdc(void) {
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/kfk-gss-test-XXXXXX");
        if (!mkdtemp(dir)) abort();
    }
    char cache[128];
    snprintf(cache, sizeof cache, "FILE:%s/no-cache", dir);
    setenv("KRB5_CONFIG", "/dev/null", 1);
    setenv("KRB5CCNAME", cache, 1);
}

/* Lines in the file the kinit commands below append to. */
static int runs(const char *name) {
    char path[128], line[64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    int n = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) n++;
    fclose(f);
    return n;
}

static kfk_sasl *kinit_creds(const char *cmd, int64_t relogin_ms) {
    char err[256] = "";
    kfk_sasl_conf conf = {.mechanism = "GSSAPI", .service_name = "kafka",
                          .principal = "client@KFK.TEST", .kinit_cmd = cmd,
                          .min_relogin_ms = relogin_ms};
    kfk_sasl *s = kfk_sasl_new(&conf, err, sizeof err);
    if (!s) printf("     kfk_sasl_new: %s\n", err);
    return s;
}

/* One exchange's first step: the job, run here (the I/O layer runs it on
 * a resolver thread), then the result. */
static int exchange(kfk_sasl *s, char *err, size_t errlen) {
    kfk_sasl_exchange x;
    kfk_wbuf out = {0};
    kfk_sasl_begin(&x, s, "broker.example");
    int rc = kfk_sasl_step(&x, NULL, 0, &out, err, errlen);
    CHECK_EQ(rc, KFK_SASL_BLOCKED);
    CHECK(x.job != NULL);
    CHECK_EQ(out.len, 0);
    if (x.job) {
        kfk_sasl_job *j = x.job;
        x.job = NULL;
        j->run(j);
        x.job = j;
        rc = kfk_sasl_step(&x, NULL, 0, &out, err, errlen);
    }
    kfk_wbuf_free(&out);
    kfk_sasl_end(&x);
    return rc;
}

TEST(the_first_step_is_handed_over_not_run) {
    no_kdc();
    char cmd[256], err[512] = "";
    snprintf(cmd, sizeof cmd, "sleep 1; echo run >> %s/handed", dir);
    kfk_sasl *s = kinit_creds(cmd, 60000);
    REQUIRE(s);
    kfk_sasl_exchange x;
    kfk_wbuf out = {0};
    kfk_sasl_begin(&x, s, "broker.example");
    int64_t t0 = ms_now();
    CHECK_EQ(kfk_sasl_step(&x, NULL, 0, &out, err, sizeof err), KFK_SASL_BLOCKED);
    CHECK(ms_now() - t0 < 500); /* kinit (a 1 s command) did not run */
    CHECK_EQ(runs("handed"), 0);
    /* Stepping again before the job ran changes nothing. */
    CHECK_EQ(kfk_sasl_step(&x, NULL, 0, &out, err, sizeof err), KFK_SASL_BLOCKED);
    REQUIRE(x.job);
    kfk_sasl_job *j = x.job;
    x.job = NULL;
    j->run(j);
    CHECK_EQ(runs("handed"), 1);
    x.job = j;
    int rc = kfk_sasl_step(&x, NULL, 0, &out, err, sizeof err);
    printf("     -> %d: %s\n", rc, err);
    CHECK_EQ(rc, KFK_ERR_AUTHENTICATION);
    CHECK(strstr(err, "kafka/broker.example") != NULL);
    CHECK(strstr(err, "kinit.cmd failed") == NULL); /* it did not fail */
    kfk_wbuf_free(&out);
    kfk_sasl_end(&x);
    kfk_sasl_free(s);
}

TEST(kinit_runs_again_only_after_min_time_before_relogin) {
    no_kdc();
    char cmd[256], err[512];
    snprintf(cmd, sizeof cmd, "echo run >> %s/relogin", dir);
    kfk_sasl *s = kinit_creds(cmd, 2000);
    REQUIRE(s);
    int64_t t0 = ms_now();
    CHECK(exchange(s, err, sizeof err) < 0);
    CHECK(exchange(s, err, sizeof err) < 0);
    int first = runs("relogin");
    if (ms_now() - t0 < 2000) CHECK_EQ(first, 1); /* else too slow to tell */
    usleep(2100 * 1000);
    CHECK(exchange(s, err, sizeof err) < 0);
    CHECK_EQ(runs("relogin"), first + 1);
    kfk_sasl_free(s);
    /* 0 turns it off, as in librdkafka: the cache is used as it is. */
    snprintf(cmd, sizeof cmd, "echo run >> %s/never", dir);
    s = kinit_creds(cmd, 0);
    REQUIRE(s);
    CHECK(exchange(s, err, sizeof err) < 0);
    CHECK_EQ(runs("never"), 0);
    kfk_sasl_free(s);
}

TEST(a_failed_kinit_is_named_with_what_it_printed) {
    no_kdc();
    char err[512] = "";
    kfk_sasl *s = kinit_creds("echo 'kinit: Client not found in Kerberos database' >&2; exit 3",
                              60000);
    REQUIRE(s);
    CHECK_EQ(exchange(s, err, sizeof err), KFK_ERR_AUTHENTICATION);
    printf("     -> %s\n", err);
    CHECK(strstr(err, "sasl.kerberos.kinit.cmd failed: exit status 3: kinit: Client not found "
                      "in Kerberos database") != NULL);
    kfk_sasl_free(s);
    /* librdkafka's default is a list: all of it runs, reading nothing. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "false || read x || echo second >> %s/list", dir);
    s = kinit_creds(cmd, 60000);
    REQUIRE(s);
    CHECK(exchange(s, err, sizeof err) < 0);
    CHECK_EQ(runs("list"), 1);
    kfk_sasl_free(s);
}

TEST(a_job_outlives_the_client_and_its_exchange) {
    no_kdc();
    kfk_sasl *s = kinit_creds("true", 60000);
    REQUIRE(s);
    char err[256];
    kfk_wbuf out = {0};
    kfk_sasl_exchange x;
    kfk_sasl_begin(&x, s, "broker.example");
    REQUIRE_EQ(kfk_sasl_step(&x, NULL, 0, &out, err, sizeof err), KFK_SASL_BLOCKED);
    kfk_sasl_job *j = x.job;
    x.job = NULL;
    kfk_sasl_end(&x);
    kfk_sasl_free(s); /* destroy does not wait for a KDC */
    j->run(j);        /* what it needs of the settings is still there */
    j->free(j);
    /* Ended before the job was taken: the exchange frees it. */
    s = kinit_creds("true", 60000);
    REQUIRE(s);
    kfk_sasl_begin(&x, s, "broker.example");
    CHECK_EQ(kfk_sasl_step(&x, NULL, 0, &out, err, sizeof err), KFK_SASL_BLOCKED);
    kfk_sasl_end(&x);
    kfk_sasl_free(s);
    kfk_wbuf_free(&out);
}

/* ---------------------------------------------- in a sans-I/O connection */

/* ApiVersions, then SaslHandshake accepted: the connection is in AUTH. */
static void to_auth(kfk_conn *c) {
    kfk_api_versions_response_api_version apis[] = {
        {.api_key = KFK_API_API_VERSIONS, .min_version = 0, .max_version = 3},
        {.api_key = KFK_API_SASL_HANDSHAKE, .min_version = 0, .max_version = 1},
        {.api_key = KFK_API_SASL_AUTHENTICATE, .min_version = 0, .max_version = 2},
    };
    negotiate(c, apis, 3, 0);
    sent_frame f[2];
    REQUIRE_EQ(take_frames(c, f, 2), 1);
    CHECK_EQ(f[0].key, KFK_API_SASL_HANDSHAKE);
    kfk_str mech = {"GSSAPI", 6};
    kfk_sasl_handshake_response hs;
    kfk_sasl_handshake_response_init(&hs);
    hs.mechanisms.items = &mech;
    hs.mechanisms.count = 1;
    answer(c, &f[0], &kfk_sasl_handshake_response_desc, &hs, 0);
}

TEST(the_connection_hands_the_step_over_and_waits) {
    no_kdc();
    char cmd[256];
    snprintf(cmd, sizeof cmd, "echo 'kinit: no such principal'; echo run >> %s/conn; exit 1",
             dir);
    kfk_sasl *s = kinit_creds(cmd, 60000);
    REQUIRE(s);
    kfk_conn_conf conf = {.client_id = "t", .request_timeout_ms = 30000, .max_in_flight = 5,
                          .max_response_bytes = 1 << 20, .sasl = s};
    kfk_conn *c = kfk_conn_new(&conf, 1);
    REQUIRE(c);
    kfk_conn_set_host(c, "broker.example");
    to_auth(c);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_AUTH);
    sent_frame f[2];
    CHECK_EQ(take_frames(c, f, 2), 0); /* nothing to send until the job ran */
    CHECK_EQ(runs("conn"), 0);
    kfk_sasl_job *j = kfk_conn_auth_job(c);
    REQUIRE(j);
    CHECK(kfk_conn_auth_job(c) == NULL); /* handed over once */
    j->run(j);
    CHECK_EQ(runs("conn"), 1);
    CHECK_EQ(kfk_conn_auth_resume(c, j, 0), KFK_ERR_AUTHENTICATION);
    const char *why;
    CHECK_EQ(kfk_conn_last_error(c, &why), KFK_ERR_AUTHENTICATION);
    printf("     -> %s\n", why);
    CHECK(strstr(why, "kinit.cmd failed: exit status 1: kinit: no such principal") != NULL);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_DOWN);

    /* The connection closed while the job was out: given back, it is freed. */
    to_auth(c);
    j = kfk_conn_auth_job(c);
    REQUIRE(j);
    kfk_conn_close(c, KFK_ERR_TRANSPORT, "gone");
    CHECK_EQ(kfk_conn_auth_resume(c, j, 0), 0);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_DOWN);
    kfk_conn_free(c);
    kfk_sasl_free(s);
}
#endif
