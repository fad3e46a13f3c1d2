#!/usr/bin/env python3
"""Random assignor cases for AssignorCheck.java and assignor_driver.c.

usage: gen_cases.py COUNT SEED
Cases vary topics, partition counts, member ids (so Java's HashMap order
varies), static members, subscription versions, subscriptions (equal or not),
previously owned partitions (including conflicting claims and generations)
and, for range and cooperative-sticky, consumer and replica racks."""
import random
import sys

ASSIGNORS = ["range", "roundrobin", "cooperative-sticky"]


def name(rng, prefix):
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-"
    return prefix + "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))


def one_case(rng, out):
    assignor = rng.choice(ASSIGNORS)
    ntopics = rng.randint(1, 5)
    big = rng.random() < 0.2
    topics = {}
    while len(topics) < ntopics:
        topics[name(rng, "t")] = rng.randint(1, 40 if big else 12)
    racks = ["ra", "rb", "rc"]
    use_racks = (assignor == "range" and rng.random() < 0.4 or
                 assignor == "cooperative-sticky" and rng.random() < 0.6)
    # Replicas: mostly on some racks (rack-aware), sometimes every partition
    # on every rack (not rack-aware, though members have racks).
    all_racks = rng.random() < 0.15
    out.append("case " + assignor)
    for t, n in topics.items():
        if use_racks:
            per = ["|".join(racks if all_racks or rng.random() < 0.15 else
                            rng.sample(racks, rng.randint(0, 2))) or "_" for _ in range(n)]
            out.append("topic %s %d %s" % (t, n, ";".join(per)))
        else:
            out.append("topic %s %d -" % (t, n))
    nmembers = rng.randint(1, 20 if big else 7)
    ids = set()
    while len(ids) < nmembers:
        ids.add(name(rng, "consumer-"))
    ids = list(ids)
    rng.shuffle(ids)
    equal = rng.random() < 0.5
    names = list(topics)
    common = rng.sample(names, rng.randint(1, len(names)))
    gen = rng.randint(1, 20)
    # A previous owner per partition; some partitions unowned or claimed twice.
    owned = {m: {} for m in ids}
    if rng.random() < 0.5:
        # A previous round-robin spread over some of today's members: the
        # others joined since, and those partitions' other owners left.
        prev = rng.sample(ids, rng.randint(1, len(ids)))
        k = 0
        for t, n in topics.items():
            for p in range(n):
                owner = prev[k % len(prev)] if rng.random() < 0.8 else None
                k += 1
                if owner:
                    owned[owner].setdefault(t, []).append(p)
        topics_iter = {}
    else:
        topics_iter = topics
    for t, n in topics_iter.items():
        for p in range(n):
            r = rng.random()
            if r < 0.25:
                continue
            for m in rng.sample(ids, 2 if r > 0.95 and len(ids) > 1 else 1):
                owned[m].setdefault(t, []).append(p)
    for m in ids:
        subs = common if equal else rng.sample(names, rng.randint(1, len(names)))
        subs = list(subs)
        if rng.random() < 0.1:
            subs.append("missing-topic")
        version = rng.choice([3, 3, 3, 2, 1, 0])
        mgen = rng.choice([gen, gen, gen, gen - 1, -1])
        instance = name(rng, "i-") if rng.random() < 0.3 else "-"
        # "rd" holds no replica; "-" is a member without a rack.
        rack = rng.choice(racks + ["rd", "-"]) if use_racks else "-"
        if assignor == "cooperative-sticky":
            ud = rng.choice(["%08x" % (mgen & 0xffffffff), "%08x" % (mgen & 0xffffffff), "-", "01"])
        else:
            ud = rng.choice(["-", "-", "cafe"])
        own = "/".join("%s:%s" % (t, ",".join(map(str, ps))) for t, ps in owned[m].items())
        if rng.random() < 0.15:
            own = ""  # a new member
        out.append("member %s %s %s %d %s %d %s %s" % (
            m, instance, rack, mgen, ud, version, ",".join(subs), own or "-"))
    out.append("end")


def main():
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        one_case(rng, out)
    print("\n".join(out))


main()
