// The C++ API (include/kfk.hpp) against the real broker: produce and
// consume through it with exact content, lambdas as callbacks, and the
// error paths (a bad key throws kfk::error naming it; the non-throwing
// forms report instead).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cpp_it.hpp"

static void bad_key_throws() {
    kfk::conf c;
    bool thrown = false;
    try {
        c.set("no.such.key", "1");
    } catch (const kfk::error &e) {
        thrown = true;
        EXPECT(e.code() == KFK_ERR_CONFIG || e.code() == KFK_ERR_INVALID_ARG);
        EXPECT(std::string(e.what()).find("no.such.key") != std::string::npos);
        const std::runtime_error &base_ref = e; // derives std::runtime_error
        EXPECT(base_ref.what() == e.what());
    }
    EXPECT(thrown);
    kfk::error_code ec;
    c.set("linger.ms", "not-a-number", ec);
    EXPECT(ec);
    EXPECT(ec.message().find("linger.ms") != std::string::npos);
    c.set("linger.ms", "5", ec);
    EXPECT(!ec);
    EXPECT(c.get("linger.ms") == "5");
}

static void produce_and_consume() {
    const int n = 1000;
    std::string topic = "kfk-it-cpp-" + std::to_string(std::chrono::steady_clock::now()
                                                          .time_since_epoch()
                                                          .count());
    kfk::admin admin(base());
    kfk_new_topic t{};
    t.name = topic.c_str();
    t.partitions = 2;
    t.replication_factor = -1;
    kfk::admin_result created = admin.create_topics({t});
    EXPECT(created && created->err == 0);

    std::atomic<int> delivered{0}, failed{0};
    kfk::producer p(base().set("linger.ms", "5"), [&](const kfk_delivery &d) {
        if (d.err) failed++;
        delivered++;
    });
    unsigned long long sent_sum = 0;
    for (int i = 0; i < n; i++) {
        std::string key = "k" + std::to_string(i), value = "value-" + std::to_string(i * 7);
        kfk_header h{"i", key.data(), key.size()};
        kfk::record r;
        r.topic = topic;
        r.key = key;
        r.value = value;
        r.headers = {&h, 1};
        p.send(r);
        for (char ch : value) sent_sum = sent_sum * 31 + static_cast<unsigned char>(ch);
    }
    p.flush(30000);
    while (p.poll(0) > 0) {
    }
    EXPECT(delivered == n);
    EXPECT(failed == 0);

    std::string group = topic + "-g";
    kfk::consumer c(base().set("group.id", group).set("auto.offset.reset", "earliest"));
    int assigned = 0;
    c.set_rebalance_cb([&](int kind, const kfk_partition_list &l) {
        kfk::partition_list copy(kfk_partition_list_copy(&l));
        bool cooperative = c.rebalance_protocol() == "COOPERATIVE";
        if (kind == KFK_REBALANCE_ASSIGNED) {
            assigned += l.count;
            cooperative ? c.incremental_assign(copy) : c.assign(copy);
        } else {
            cooperative ? c.incremental_unassign(copy) : c.unassign();
        }
    });
    kfk::partition_list parts = c.topic_partitions({topic}, 10000);
    EXPECT(parts.get()->count == 2);
    EXPECT(parts.get()->elems[1].partition == 1 && parts.get()->elems[1].err == 0);
    c.subscribe({topic});
    std::vector<int> seen(n, 0);
    int got = 0, bad = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (got < n && std::chrono::steady_clock::now() < until) {
        std::vector<kfk::message> batch = c.poll_batch(100, 500);
        for (kfk::message &m : batch) {
            if (m.err()) {
                bad++;
                continue;
            }
            std::string_view k = m.key(), v = m.value();
            int i = std::atoi(std::string(k.substr(1)).c_str());
            bool ok = k[0] == 'k' && i >= 0 && i < n && v == "value-" + std::to_string(i * 7) &&
                      m.headers().size() == 1 &&
                      std::string_view(static_cast<const char *>(m.headers().data()[0].value),
                                       m.headers().data()[0].value_len) == k &&
                      m.topic() == topic;
            if (!ok) {
                bad++;
            } else if (!seen[static_cast<size_t>(i)]++) {
                got++;
            }
        }
        kfk::consumer::release(batch);
        EXPECT(batch.empty());
    }
    EXPECT(got == n);
    EXPECT(bad == 0);
    EXPECT(assigned == 2);
    c.commit();
    kfk::error_code ec;
    c.commit(nullptr, false, ec); // nothing new stored: NOENT, reported, not thrown
    EXPECT(ec.value == KFK_ERR_NOENT);
    kfk::partition_list where;
    where.add(topic, 0);
    where.add(topic, 1);
    c.committed(where, 10000);
    int64_t total = 0;
    for (const kfk_partition &e : where) total += e.offset;
    EXPECT(total == n);
    EXPECT(c.close() == 0);

    // The admin's asynchronous form with a lambda, delivered by its poll.
    admin.fd();
    bool called = false;
    admin.describe_cluster(nullptr, [&](kfk::admin_result r) { called = r && r->err == 0; });
    admin.poll(10000);
    EXPECT(called);
}

int main() {
    bad_key_throws();
    produce_and_consume();
    std::printf("%s\n", failures ? "FAIL cpp_api" : "ok   cpp_api");
    return failures ? 1 : 0;
}
