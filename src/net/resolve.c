#include "net/resolve.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"

int kfk_resolve(const char *host, int port, kfk_addrs *out, char *errstr, size_t errlen) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_protocol = IPPROTO_TCP};
    struct addrinfo *res = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    *out = (kfk_addrs){0};
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(errstr, errlen, "resolve %s: %s", host, gai_strerror(rc));
        return KFK_ERR_RESOLVE;
    }
    int n = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) n++;
    out->v = kfk_calloc((size_t)n, sizeof *out->v);
    if (!out->v) {
        freeaddrinfo(res);
        snprintf(errstr, errlen, "resolve %s: out of memory", host);
        return KFK_ERR_NOMEM;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof out->v[0].sa) continue;
        memcpy(&out->v[out->n].sa, ai->ai_addr, ai->ai_addrlen);
        out->v[out->n++].len = ai->ai_addrlen;
    }
    freeaddrinfo(res);
    return 0;
}

void kfk_addrs_free(kfk_addrs *a) {
    kfk_free(a->v);
    *a = (kfk_addrs){0};
}

void kfk_addr_format(const kfk_addr *a, char *buf, size_t len) {
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (getnameinfo((const struct sockaddr *)&a->sa, a->len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(buf, len, "(unknown address)");
        return;
    }
    snprintf(buf, len, a->sa.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}
