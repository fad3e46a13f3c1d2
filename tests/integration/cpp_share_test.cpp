// The share consumer through the C++ API (kfk::share_consumer) against the
// real broker. With share groups (4.2 and later): 100 records produced, a
// member in explicit mode accepts each exactly once (one released record
// comes back with delivery count 2 first), the ack callback and
// commit_sync report every partition without error, and nothing is
// delivered again. Without (3.9): the first poll throws kfk::error
// UNSUPPORTED_VERSION; the error_code form returns the event instead.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cpp_it.hpp"

// Share groups are generally available (on by default) from Kafka 4.2;
// scripts/kafka-local's default is 4.4.0.
static bool share_groups() {
    const char *v = std::getenv("KFK_BROKER_VERSION");
    if (!v || !*v) v = std::getenv("KFK_KAFKA_VERSION_RUNNING");
    if (!v || !*v) return true;
    int major = std::atoi(v);
    const char *dot = std::strchr(v, '.');
    int minor = dot ? std::atoi(dot + 1) : 0;
    return major > 4 || (major == 4 && minor >= 2);
}

static std::string new_topic(kfk::admin &admin, int partitions) {
    std::string topic = "kfk-it-cppshare-" + std::to_string(std::chrono::steady_clock::now()
                                                                .time_since_epoch()
                                                                .count());
    kfk_new_topic t{};
    t.name = topic.c_str();
    t.partitions = partitions;
    t.replication_factor = -1;
    kfk::admin_result created = admin.create_topics({t});
    EXPECT(created && created->err == 0);
    return topic;
}

static void unsupported_throws() {
    kfk::admin admin(base());
    std::string topic = new_topic(admin, 1);
    kfk::share_consumer c(base().set("group.id", topic + "-g"));
    c.subscribe({topic});
    int code = 0;
    try {
        c.poll(30000);
    } catch (const kfk::error &e) {
        code = e.code();
        EXPECT(std::string(e.what()).find("kfk_share_consumer_poll") != std::string::npos);
    }
    EXPECT(code == KFK_ERR_UNSUPPORTED_VERSION);
    kfk::error_code ec;
    kfk::message m = c.poll(5000, ec); // again, as an event, without throwing
    EXPECT(ec.value == KFK_ERR_UNSUPPORTED_VERSION);
    EXPECT(m && m.err() == KFK_ERR_UNSUPPORTED_VERSION);
    EXPECT(c.close() == 0);
}

static void accepts_each_once() {
    const int n = 100;
    kfk::admin admin(base());
    std::string topic = new_topic(admin, 2), group = topic + "-g";
    kfk_config_op earliest{KFK_CONFIG_GROUP, group.c_str(), "share.auto.offset.reset", "earliest",
                           KFK_CONFIG_SET};
    kfk::admin_result set = admin.alter_configs(earliest);
    EXPECT(set && set->err == 0);

    kfk::producer p(base());
    for (int i = 0; i < n; i++) {
        std::string value = "share-value-" + std::to_string(i);
        kfk::record r;
        r.topic = topic;
        r.partition = i % 2;
        r.value = value;
        p.send(r);
    }
    p.flush(30000);

    kfk::share_consumer c(base()
                              .set("group.id", group)
                              .set("share.acknowledgement.mode", "explicit")
                              .set("max.poll.records", "20"));
    int acked_ok = 0, acked_failed = 0;
    c.set_ack_cb([&](const kfk_partition_list &results) {
        for (int i = 0; i < results.count; i++) results.elems[i].err ? acked_failed++ : acked_ok++;
    });
    c.subscribe({topic});
    std::vector<int> accepted(n, 0);
    int distinct = 0, bad = 0, released = -1, redelivered = 0, polls = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((distinct < n || redelivered == 0) && std::chrono::steady_clock::now() < until) {
        kfk::message m = c.poll(500);
        if (!m) continue;
        std::string_view v = m.value();
        int i = v.substr(0, 12) == "share-value-" ? std::atoi(std::string(v.substr(12)).c_str())
                                                  : -1;
        if (i < 0 || i >= n || m.topic() != topic || m.delivery_count() < 1) {
            bad++;
            continue;
        }
        if (released < 0) { // the first record goes back once
            released = i;
            EXPECT(m.delivery_count() == 1);
            c.acknowledge(m, KFK_ACK_RELEASE);
            continue;
        }
        if (i == released) {
            redelivered++;
            EXPECT(m.delivery_count() == 2);
        }
        c.acknowledge(m); // accept
        kfk::error_code twice;
        c.acknowledge(m, KFK_ACK_ACCEPT, twice);
        EXPECT(twice.value == KFK_ERR_STATE);
        if (!accepted[static_cast<size_t>(i)]++) distinct++;
        if (++polls % 25 == 0 && distinct < n) c.commit_async(); // the last one: commit_sync
    }
    EXPECT(distinct == n);
    EXPECT(bad == 0);
    EXPECT(redelivered == 1);
    for (int k = 0; k < n; k++) EXPECT(accepted[static_cast<size_t>(k)] == 1);
    kfk::partition_list results = c.commit_sync(10000);
    EXPECT(results.size() >= 1);
    for (const kfk_partition &r : results) EXPECT(r.err == 0);
    // Accepted records never come back.
    auto quiet = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    int again = 0;
    while (std::chrono::steady_clock::now() < quiet) {
        kfk::message m = c.poll(500);
        if (m) again++;
    }
    EXPECT(again == 0);
    EXPECT(acked_ok > 0);
    EXPECT(acked_failed == 0);
    EXPECT(c.close() == 0);
}

int main() {
    try {
        if (share_groups()) accepts_each_once();
        else unsupported_throws();
    } catch (const kfk::error &e) {
        std::fprintf(stderr, "  FAIL: kfk::error %s: %s\n", e.name(), e.what());
        failures++;
    }
    std::printf("%s\n", failures ? "FAIL cpp_share" : "ok   cpp_share");
    return failures ? 1 : 0;
}
