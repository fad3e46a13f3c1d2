/* The broker set: which link serves which node id.
 *
 * Until the first Metadata response only the bootstrap servers are known;
 * they get pseudo node ids -1, -2, ... After it, the brokers the cluster
 * advertises replace them (the bootstrap links close once idle), and each
 * later response adds, removes and re-addresses brokers: a broker whose
 * host or port changed gets a new link, its old one finishes its requests
 * and closes. I/O thread only. */
#ifndef KFK_BROKER_H
#define KFK_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "client/metadata.h"
#include "net/io.h"

typedef struct kfk_hostport {
    char host[256];
    int port;
} kfk_hostport;

/* Parses "host:port[,host:port...]" (IPv6 as "[::1]:9092", an optional
 * "PLAINTEXT://"-style prefix per entry, blanks around commas). Returns the
 * number of entries (>= 1) in a kfk_malloc'ed array, or a negative
 * KFK_ERR_CONFIG / KFK_ERR_NOMEM with a message naming the bad entry. */
int kfk_bootstrap_parse(const char *list, kfk_hostport **out, char *errstr, size_t errlen);

typedef struct kfk_broker {
    int32_t id;
    kfk_link *link;
} kfk_broker;

typedef struct kfk_brokers {
    kfk_io *io;
    kfk_broker *v; /* sorted by id; bootstrap ones (negative ids) first */
    int n, cap;
    int bootstrap; /* 1 while v holds the bootstrap servers */
    kfk_hostport *servers; /* bootstrap.servers, kept to bootstrap again */
    int nservers;
} kfk_brokers;

/* Creates one link per bootstrap server (the list is copied). 0 or
 * KFK_ERR_NOMEM. */
int kfk_brokers_init(kfk_brokers *b, kfk_io *io, const kfk_hostport *servers, int n);
/* Releases every link (they close once idle) and frees the set. */
void kfk_brokers_release(kfk_brokers *b);

/* Aligns the set with md's brokers. 0 or KFK_ERR_NOMEM (the set then keeps
 * what it could update). */
int kfk_brokers_update(kfk_brokers *b, const kfk_metadata *md);

kfk_link *kfk_brokers_get(const kfk_brokers *b, int32_t id);

/* 1 when no known broker can be reached: none is up and every link failed
 * twice in a row (a connection lost, then the attempt to reconnect; or two
 * attempts), so one dropped connection alone does not count. */
int kfk_brokers_unreachable(const kfk_brokers *b);

/* Starts over from the bootstrap servers, as at creation (KIP-899): fresh
 * links, whose names are looked up again, replace the set; the old links
 * close once idle. 0, or KFK_ERR_NOMEM with the set unchanged. */
int kfk_brokers_rebootstrap(kfk_brokers *b);

/* The broker to send a request to when any will do: a ready one with the
 * fewest requests pending, else one connecting or idle, else the one whose
 * reconnect backoff ends first; ties broken from a random start so load
 * spreads. NULL only if the set is empty. */
kfk_link *kfk_brokers_least_loaded(const kfk_brokers *b, uint64_t *rng);

#endif
