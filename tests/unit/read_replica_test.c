/* Preferred read replica (KIP-392), sans I/O: a replica the leader named
 * holds until metadata.max.age.ms passes, the leader epoch moves or the
 * node leaves metadata; one that could not be reached keeps client.rack
 * off its partition's leader Fetches for a while. */
#include "consumer/consumer_int.h"
#include "test.h"

enum { NOW = 100000, AGE = 300000 };

/* Fetching from node 2, named under leader epoch 7 at NOW. */
static kfk_cpart following(void) {
    return (kfk_cpart){.state = KFK_CP_ACTIVE, .read_replica = 2, .read_epoch = 7,
                       .read_until = NOW + AGE, .bad_replica = -1};
}

TEST(replica_holds_while_nothing_changed) {
    kfk_cpart p = following();
    CHECK(kfk_replica_lapse(&p, 7, 1, NOW) == NULL);
    CHECK(kfk_replica_lapse(&p, 7, 1, NOW + AGE - 1) == NULL);
}

TEST(no_replica_nothing_to_lapse) {
    kfk_cpart p = following();
    p.read_replica = -1;
    CHECK(kfk_replica_lapse(&p, 8, 0, NOW + 2 * AGE) == NULL);
}

TEST(replica_lapses_after_metadata_max_age) {
    kfk_cpart p = following();
    CHECK_STR(kfk_replica_lapse(&p, 7, 1, NOW + AGE), "metadata.max.age.ms passed");
}

TEST(replica_lapses_with_a_new_leader_epoch) {
    kfk_cpart p = following();
    CHECK_STR(kfk_replica_lapse(&p, 8, 1, NOW), "new leader epoch");
}

TEST(replica_lapses_when_gone_from_metadata) {
    kfk_cpart p = following();
    CHECK_STR(kfk_replica_lapse(&p, 7, 0, NOW), "not in metadata");
}

TEST(unreachable_replica_is_banned_for_a_while) {
    kfk_cpart p = following();
    CHECK(!kfk_replica_banned(&p, NOW));
    p.read_replica = -1;
    p.bad_replica = 2;
    p.bad_until = NOW + AGE;
    CHECK(kfk_replica_banned(&p, NOW));
    CHECK(!kfk_replica_banned(&p, NOW + AGE));
}
