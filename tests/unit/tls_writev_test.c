/* TLS writes (kfk_tls_writev): small pieces in a row share one TLS record,
 * large ones go out from where they are, and a write the socket refuses is
 * finished later with the same bytes. A client session against an
 * in-process OpenSSL server over a socketpair; the server counts the
 * records it receives. */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kfk.h"
#include "net/tls.h"
#include "test.h"

typedef struct peer {
    SSL_CTX *sctx;
    SSL *srv;
    kfk_tls_ctx *cctx;
    kfk_tls *cli;
    int fd[2]; /* client, server */
    int records; /* application data records received */
} peer;

static void on_record(int write_p, int version, int type, const void *buf, size_t len, SSL *ssl,
                      void *arg) {
    (void)version, (void)ssl;
    const uint8_t *h = buf;
    if (!write_p && type == SSL3_RT_HEADER && len >= 5 && h[0] == SSL3_RT_APPLICATION_DATA)
        ((peer *)arg)->records++;
}

/* A self-signed P-256 certificate for the server. */
static int server_ctx(peer *p) {
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    if (!key || !x) return -1;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_set_pubkey(x, key);
    int ok = X509_sign(x, key, EVP_sha256()) > 0 && (p->sctx = SSL_CTX_new(TLS_server_method())) &&
             SSL_CTX_use_certificate(p->sctx, x) == 1 && SSL_CTX_use_PrivateKey(p->sctx, key) == 1;
    X509_free(x);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

static void peer_open(peer *p, int sndbuf) {
    memset(p, 0, sizeof *p);
    REQUIRE_EQ(server_ctx(p), 0);
    REQUIRE_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fd), 0);
    if (sndbuf) {
        setsockopt(p->fd[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
        setsockopt(p->fd[1], SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof sndbuf);
    }
    kfk_tls_conf c = {.verify_certificate = 0, .endpoint_identification = "none"};
    char err[256];
    p->cctx = kfk_tls_ctx_new(&c, err, sizeof err);
    REQUIRE(p->cctx);
    p->cli = kfk_tls_new(p->cctx, p->fd[0], "localhost");
    p->srv = SSL_new(p->sctx);
    REQUIRE(p->cli && p->srv);
    SSL_set_fd(p->srv, p->fd[1]);
    SSL_set_accept_state(p->srv);
    int done = 0;
    for (int i = 0; i < 1000 && !done; i++) {
        unsigned ev;
        int rc = kfk_tls_handshake(p->cli, &ev, err, sizeof err);
        REQUIRE(rc == 0 || rc == KFK_TLS_WANT);
        int s = SSL_do_handshake(p->srv);
        done = rc == 0 && s == 1;
    }
    REQUIRE(done);
    SSL_set_msg_callback(p->srv, on_record);
    SSL_set_msg_callback_arg(p->srv, p);
}

static void peer_close(peer *p) {
    kfk_tls_free(p->cli);
    SSL_free(p->srv);
    SSL_CTX_free(p->sctx);
    kfk_tls_ctx_free(p->cctx);
    close(p->fd[0]);
    close(p->fd[1]);
}

/* Reads what the server has into out (at *got, up to cap). */
static void drain(peer *p, uint8_t *out, size_t *got, size_t cap) {
    size_t n;
    while (*got < cap && SSL_read_ex(p->srv, out + *got, cap - *got, &n) == 1) *got += n;
}

/* Writes pieces until all are taken: returns the calls that said WANT. */
static int write_all(peer *p, struct iovec *iov, int n, uint8_t *out, size_t *got, size_t cap) {
    int wants = 0;
    char err[256];
    for (int guard = 0; guard < 100000; guard++) {
        unsigned ev;
        ssize_t w = kfk_tls_writev(p->cli, iov, n, &ev, err, sizeof err);
        if (w == KFK_TLS_WANT) {
            wants++;
            drain(p, out, got, cap);
            continue;
        }
        if (w < 0) {
            CHECK_EQ((long)w, 0L); /* an error */
            return -1;
        }
        if (n == 0 && w == 0) return wants;
        while (w > 0) { /* as kfk_conn_sent: skip what was taken */
            size_t k = (size_t)w < iov->iov_len ? (size_t)w : iov->iov_len;
            iov->iov_base = (uint8_t *)iov->iov_base + k;
            iov->iov_len -= k;
            w -= (ssize_t)k;
            if (!iov->iov_len) iov++, n--;
        }
    }
    CHECK(!"writes never finished");
    return wants;
}

TEST(small_pieces_share_one_record) {
    peer p;
    peer_open(&p, 0);
    uint8_t src[20][100], out[4096];
    struct iovec iov[20];
    for (int i = 0; i < 20; i++) {
        memset(src[i], 'a' + i, sizeof src[i]);
        iov[i] = (struct iovec){src[i], sizeof src[i]};
    }
    size_t got = 0;
    write_all(&p, iov, 20, out, &got, sizeof out);
    drain(&p, out, &got, sizeof out);
    REQUIRE_EQ(got, (size_t)2000);
    for (int i = 0; i < 20; i++) CHECK_MEM(out + i * 100, src[i], 100);
    CHECK_EQ(p.records, 1);
    peer_close(&p);
}

TEST(large_piece_between_small_ones) {
    peer p;
    peer_open(&p, 0);
    static uint8_t big[10000], out[20000];
    uint8_t a[50], b[60], c[70];
    memset(a, 1, sizeof a), memset(b, 2, sizeof b), memset(c, 3, sizeof c);
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 7);
    struct iovec iov[] = {{a, sizeof a}, {b, sizeof b}, {big, sizeof big}, {c, sizeof c}};
    size_t got = 0;
    write_all(&p, iov, 4, out, &got, sizeof out);
    drain(&p, out, &got, sizeof out);
    REQUIRE_EQ(got, sizeof a + sizeof b + sizeof big + sizeof c);
    CHECK_MEM(out, a, sizeof a);
    CHECK_MEM(out + 50, b, sizeof b);
    CHECK_MEM(out + 110, big, sizeof big);
    CHECK_MEM(out + 10110, c, sizeof c);
    CHECK_EQ(p.records, 3); /* a+b, big, c */
    peer_close(&p);
}

/* A small socket buffer makes writes block in the middle of staged and
 * large pieces; every byte still arrives once, in order (a retry with other
 * bytes would fail in OpenSSL). */
TEST(blocked_writes_resume_with_the_same_bytes) {
    peer p;
    peer_open(&p, 4096);
    enum { N = 400 };
    static uint8_t data[N * 3000], out[N * 3000];
    struct iovec iov[N];
    size_t total = 0;
    for (int i = 0; i < N; i++) {
        size_t len = i % 3 == 0 ? 2900 : (size_t)(i % 50) + 1; /* large and small mixed */
        if (i % 7 == 0) len = 6000;
        iov[i] = (struct iovec){data + total, len};
        total += len;
    }
    for (size_t i = 0; i < total; i++) data[i] = (uint8_t)(i * 131 + i / 251);
    size_t got = 0;
    int wants = write_all(&p, iov, N, out, &got, sizeof out);
    CHECK(wants > 0);
    drain(&p, out, &got, sizeof out);
    REQUIRE_EQ(got, total);
    CHECK_MEM(out, data, total);
    peer_close(&p);
}
