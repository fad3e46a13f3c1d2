/* The share consumer's public calls without a broker: configuration
 * errors name the key, bad arguments are refused, acknowledging something
 * the last poll did not return is a state error, and a consumer that never
 * joined closes at once. */
#include <string.h>

#include "kfk.h"
#include "test.h"

/* A conf for a broker that is not there (nothing listens on port 1). */
static kfk_conf *conf_with(const char *key, const char *value) {
    char err[256];
    kfk_conf *c = kfk_conf_new();
    if (kfk_conf_set(c, "bootstrap.servers", "127.0.0.1:1", err, sizeof err)) return c;
    if (key) kfk_conf_set(c, key, value, err, sizeof err);
    return c;
}

TEST(group_id_is_required) {
    char err[256] = "";
    kfk_conf *conf = conf_with(NULL, NULL);
    kfk_share_consumer *c = kfk_share_consumer_new(conf, err, sizeof err);
    CHECK(c == NULL);
    CHECK(strstr(err, "group.id") != NULL);
    kfk_conf_destroy(conf); /* still the caller's */
    CHECK(kfk_share_consumer_new(NULL, err, sizeof err) == NULL);
}

TEST(acknowledgement_mode_is_checked_by_name) {
    char err[256] = "";
    kfk_conf *conf = kfk_conf_new();
    CHECK(kfk_conf_set(conf, "share.acknowledgement.mode", "sometimes", err, sizeof err) != 0);
    CHECK(strstr(err, "share.acknowledgement.mode") != NULL);
    CHECK_EQ(kfk_conf_set(conf, "share.acknowledgement.mode", "explicit", err, sizeof err), 0);
    CHECK_STR(kfk_conf_get(conf, "share.acknowledgement.mode"), "explicit");
    kfk_conf_destroy(conf);
    conf = kfk_conf_new();
    CHECK_STR(kfk_conf_get(conf, "share.acknowledgement.mode"), "implicit"); /* Java's default */
    kfk_conf_destroy(conf);
}

TEST(bad_arguments_are_refused) {
    char err[256] = "";
    kfk_share_consumer *c = kfk_share_consumer_new(conf_with("group.id", "g"), err, sizeof err);
    REQUIRE(c);
    const char *regex[1] = {"^t.*"}, *empty[1] = {""}, *ok[1] = {"t"};
    CHECK_EQ(kfk_share_consumer_subscribe(c, regex, 1), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_share_consumer_subscribe(c, empty, 1), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_share_consumer_subscribe(c, ok, 0), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_share_consumer_subscribe(c, ok, 1), 0);
    /* A message this consumer never returned. */
    kfk_consumer_message m;
    memset(&m, 0, sizeof m);
    m.topic = "t";
    CHECK_EQ(kfk_share_consumer_acknowledge(c, &m, KFK_ACK_ACCEPT), KFK_ERR_STATE);
    CHECK_EQ(kfk_share_consumer_acknowledge(c, &m, 7), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_share_consumer_acknowledge(c, NULL, KFK_ACK_ACCEPT), KFK_ERR_INVALID_ARG);
    m.err = KFK_ERR_UNSUPPORTED_VERSION; /* an event */
    CHECK_EQ(kfk_share_consumer_acknowledge(c, &m, KFK_ACK_ACCEPT), KFK_ERR_INVALID_ARG);
    /* Nothing to send: no results, no error. */
    kfk_partition_list *res = NULL;
    CHECK_EQ(kfk_share_consumer_commit_sync(c, &res, 100), 0);
    REQUIRE(res);
    CHECK_EQ(res->count, 0);
    kfk_partition_list_destroy(res);
    CHECK_EQ(kfk_share_consumer_commit_async(c), 0);
    CHECK_EQ(kfk_share_consumer_close(c), 0); /* never joined: nothing to leave */
    kfk_share_consumer_destroy(NULL);
    CHECK_EQ(kfk_share_consumer_close(NULL), 0);
}
