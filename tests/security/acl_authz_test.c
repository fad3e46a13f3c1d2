/* "Authorization failed" from a broker with an authorizer (`scripts/
 * kafka-local up --secure`): alice, a SASL PLAIN user who is no super
 * user, is denied everything on one topic by an ACL the plaintext super
 * user (User:ANONYMOUS) creates. Her admin describe and delete of that
 * topic and her produce to it fail with TOPIC_AUTHORIZATION_FAILED on the
 * item that names it, not after the operation's timeout, and nothing
 * else she does on an open topic is refused.
 *
 * Reads KFK_BOOTSTRAP, KFK_BOOTSTRAP_SASL_PLAINTEXT, KFK_SASL_USERNAME,
 * KFK_SASL_PASSWORD and KFK_ACL_AUTHORIZER (`scripts/kafka-local env
 * --secure`); an unset one fails. */
#include "admin_it.h"
#include "sec_env.h"

enum { POLL_MS = 30000, OP_TIMEOUT_MS = 30000 };

/* A configuration for alice over SASL_PLAINTEXT with PLAIN. */
static kfk_conf *alice_conf(void) {
    const char *kv[] = {"bootstrap.servers", env("KFK_BOOTSTRAP_SASL_PLAINTEXT"),
                        "security.protocol", "SASL_PLAINTEXT",
                        "sasl.mechanism", "PLAIN",
                        "sasl.username", env("KFK_SASL_USERNAME"),
                        "sasl.password", env("KFK_SASL_PASSWORD"),
                        "client.id", "kfk-it-acl-authz",
                        NULL};
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    for (int i = 0; conf && kv[i]; i += 2) {
        if (!kv[i + 1] || kfk_conf_set(conf, kv[i], kv[i + 1], err, sizeof err)) {
            kfk_test_fail(__FILE__, __LINE__, "setting %s: %s", kv[i], kv[i + 1] ? err : "unset");
            kfk_conf_destroy(conf);
            return NULL;
        }
    }
    return conf;
}

static kfk_admin *alice_admin(void) {
    kfk_conf *conf = alice_conf();
    if (!conf) return NULL;
    char err[256] = "";
    kfk_admin *a = kfk_admin_new(conf, err, sizeof err);
    if (!a) {
        kfk_test_fail(__FILE__, __LINE__, "alice's admin: %s", err);
        kfk_conf_destroy(conf);
    }
    return a;
}

static kfk_acl deny_all(const char *topic, const char *principal) {
    return (kfk_acl){.resource_type = KFK_ACL_RESOURCE_TOPIC,
                     .resource_name = topic,
                     .pattern_type = KFK_ACL_PATTERN_LITERAL,
                     .principal = principal,
                     .host = "*",
                     .operation = KFK_ACL_OP_ALL,
                     .permission = KFK_ACL_PERMISSION_DENY};
}

/* The super user denies principal everything on topic and waits until the
 * broker's authorizer shows the ACL (it then enforces it). */
static int deny(kfk_admin *super, const char *topic, const char *principal) {
    kfk_acl acl = deny_all(topic, principal);
    kfk_admin_result *r = kfk_admin_create_acls(super, &acl, 1, NULL, NULL, NULL);
    int err = !r ? KFK_ERR_NOMEM : r->nitems && r->items[0].err ? r->items[0].err : r->err;
    if (err)
        kfk_test_fail(__FILE__, __LINE__, "create the DENY ACL: %s: %s", kfk_err_name(err),
                      r && r->nitems && r->items[0].errstr ? r->items[0].errstr : "");
    kfk_admin_result_destroy(r);
    if (err) return err;
    int64_t deadline = it_now_ms() + POLL_MS;
    for (;;) {
        r = kfk_admin_describe_acls(super, &acl, NULL, NULL, NULL);
        int n = r && !r->err ? r->nacls : 0;
        kfk_admin_result_destroy(r);
        if (n == 1) return 0;
        if (it_now_ms() >= deadline) {
            kfk_test_fail(__FILE__, __LINE__, "the DENY ACL on %s never showed", topic);
            return KFK_ERR_TIMED_OUT;
        }
        admin_sleep_ms(250);
    }
}

/* An item refused by the authorizer: that error, the topic named. */
static void check_denied(int line, const char *what, const char *name, int err,
                         const char *errstr, const char *topic) {
    if (err != KFK_ERR_TOPIC_AUTHORIZATION_FAILED)
        kfk_test_fail(__FILE__, line, "%s: %s (%s), want TOPIC_AUTHORIZATION_FAILED", what,
                      kfk_err_name(err), errstr ? errstr : "");
    if (!name || !strstr(name, topic))
        kfk_test_fail(__FILE__, line, "%s: item \"%s\" does not name %s", what,
                      name ? name : "(null)", topic);
    if (!errstr || !*errstr) kfk_test_fail(__FILE__, line, "%s: no message", what);
    printf("     %s: %s: %s: %s\n", what, name ? name : "", kfk_err_name(err),
           errstr ? errstr : "");
}

TEST(broker_runs_an_authorizer) {
    /* The other tests here mean nothing without one. */
    const char *v = env("KFK_ACL_AUTHORIZER");
    CHECK(v && strcmp(v, "1") == 0);
}

TEST(denied_topic_admin_describe_and_delete_fail_per_item) {
    char denied[128], open[128];
    it_topic(denied, sizeof denied, "authz-denied");
    it_topic(open, sizeof open, "authz-open");
    kfk_admin *super = admin_new();
    REQUIRE(super);
    if (admin_create(super, denied, 1) || admin_create(super, open, 1) ||
        deny(super, denied, "User:alice")) {
        kfk_admin_destroy(super);
        return;
    }
    kfk_admin *alice = alice_admin();
    if (!alice) {
        kfk_admin_destroy(super);
        return;
    }
    kfk_admin_options o = {.timeout_ms = OP_TIMEOUT_MS};

    /* Describe both: the open one answers, the denied one is refused. */
    const char *both[] = {open, denied};
    kfk_admin_result *r = kfk_admin_describe_topics(alice, both, 2, &o, NULL, NULL);
    REQUIRE(r);
    CHECK(r->err != KFK_ERR_TIMED_OUT);
    REQUIRE_EQ(r->ntopics, 2);
    CHECK_STR(r->topics[0].name, open);
    CHECK_EQ(r->topics[0].err, 0);
    CHECK_EQ(r->topics[0].npartitions, 1);
    check_denied(__LINE__, "describe", r->topics[1].name, r->topics[1].err, r->topics[1].errstr,
                 denied);
    kfk_admin_result_destroy(r);

    /* Delete the denied one: refused at once, not retried to the timeout. */
    r = kfk_admin_delete_topics(alice, &both[1], 1, &o, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    REQUIRE_EQ(r->nitems, 1);
    check_denied(__LINE__, "delete", r->items[0].name, r->items[0].err, r->items[0].errstr,
                 denied);
    kfk_admin_result_destroy(r);

    /* The topic is still there, as the super user sees it. */
    r = kfk_admin_describe_topics(super, &both[1], 1, NULL, NULL, NULL);
    REQUIRE(r);
    REQUIRE_EQ(r->ntopics, 1);
    CHECK_EQ(r->topics[0].err, 0);
    CHECK_EQ(r->topics[0].npartitions, 1);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(alice);

    kfk_acl acl = deny_all(denied, "User:alice");
    kfk_admin_result_destroy(kfk_admin_delete_acls(super, &acl, 1, NULL, NULL, NULL));
    kfk_admin_result_destroy(kfk_admin_delete_topics(super, both, 2, NULL, NULL, NULL));
    kfk_admin_destroy(super);
}

typedef struct reports {
    int n, ok, err;
    char topic[128], errstr[256];
} reports;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    reports *rep = opaque;
    rep->n++;
    if (!d->err) {
        rep->ok++;
        return;
    }
    rep->err = d->err;
    snprintf(rep->topic, sizeof rep->topic, "%s", d->topic ? d->topic : "");
    snprintf(rep->errstr, sizeof rep->errstr, "%s", d->errstr ? d->errstr : "");
}

TEST(denied_topic_produce_fails_with_topic_authorization_failed) {
    char denied[128], open[128];
    it_topic(denied, sizeof denied, "authz-produce");
    it_topic(open, sizeof open, "authz-produce-open");
    kfk_admin *super = admin_new();
    REQUIRE(super);
    if (admin_create(super, denied, 1) || admin_create(super, open, 1) ||
        deny(super, denied, "User:alice")) {
        kfk_admin_destroy(super);
        return;
    }
    reports rep = {0};
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &rep};
    kfk_conf *conf = alice_conf();
    REQUIRE(conf);
    char err[256] = "";
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) {
        kfk_conf_destroy(conf);
        kfk_admin_destroy(super);
        kfk_test_fail(__FILE__, __LINE__, "alice's producer: %s", err);
        return;
    }
    /* The open topic takes alice's record: the refusal below is the ACL. */
    kfk_message m = {.topic = open, .partition = 0, .value = "v", .value_len = 1};
    CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    CHECK_EQ(kfk_producer_flush(p, OP_TIMEOUT_MS), 0);
    CHECK_EQ(rep.ok, 1);
    CHECK_EQ(rep.n, 1);

    /* Any partition: the send needs the topic's metadata, which is refused. */
    m.topic = denied;
    m.partition = KFK_PARTITION_ANY;
    CHECK_EQ(kfk_producer_send(p, &m, 0), KFK_ERR_TOPIC_AUTHORIZATION_FAILED);

    /* A given partition is queued; its delivery report carries the error. */
    m.partition = 0;
    int rc = kfk_producer_send(p, &m, 0);
    if (rc == 0) {
        CHECK_EQ(kfk_producer_flush(p, OP_TIMEOUT_MS), 0);
        CHECK_EQ(rep.n, 2);
        check_denied(__LINE__, "produce", rep.topic, rep.err, rep.errstr, denied);
        CHECK(strstr(rep.errstr, denied) != NULL);
    } else {
        CHECK_EQ(rc, KFK_ERR_TOPIC_AUTHORIZATION_FAILED);
    }
    CHECK_EQ(rep.ok, 1);
    kfk_producer_destroy(p);

    kfk_acl acl = deny_all(denied, "User:alice");
    kfk_admin_result_destroy(kfk_admin_delete_acls(super, &acl, 1, NULL, NULL, NULL));
    const char *topics[] = {denied, open};
    kfk_admin_result_destroy(kfk_admin_delete_topics(super, topics, 2, NULL, NULL, NULL));
    kfk_admin_destroy(super);
}
