/* Host name resolution for broker connections. getaddrinfo() blocks: it
 * runs on the I/O thread, once per connection attempt (numeric addresses
 * and /etc/hosts names return at once; a slow DNS server stalls the
 * thread; an asynchronous resolver would slot in behind this interface). */
#ifndef KFK_RESOLVE_H
#define KFK_RESOLVE_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct kfk_addr {
    struct sockaddr_storage sa;
    socklen_t len;
} kfk_addr;

typedef struct kfk_addrs {
    kfk_addr *v;
    int n;
} kfk_addrs;

/* Every IPv4 and IPv6 address of host, in getaddrinfo's order. Returns 0,
 * or KFK_ERR_RESOLVE / KFK_ERR_NOMEM with a message in errstr. */
int kfk_resolve(const char *host, int port, kfk_addrs *out, char *errstr, size_t errlen);
void kfk_addrs_free(kfk_addrs *a);

/* "192.0.2.1:9092" or "[2001:db8::1]:9092". */
void kfk_addr_format(const kfk_addr *a, char *buf, size_t len);

#endif
