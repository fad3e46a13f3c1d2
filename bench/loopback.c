/* The machine's loopback copy bandwidth, the ceiling for the 1 MiB
 * workloads: a connected pair of TCP sockets on 127.0.0.1 (the path
 * between a client and the local broker), one thread writing BYTES in
 * 1 MiB writes, the other reading them.
 *   loopback [BYTES]     (default 4 GiB)
 * Prints: loopback: bytes N, secs S, MB/s M, GB/s G */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

typedef struct pipe_end {
    int fd;
    long long bytes;
    int failed;
} pipe_end;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *reader(void *arg) {
    pipe_end *r = arg;
    char *buf = malloc(CHUNK);
    long long left = r->bytes;
    while (buf && left > 0) {
        ssize_t n = read(r->fd, buf, CHUNK);
        if (n <= 0) break;
        left -= n;
    }
    r->failed = !buf || left > 0;
    free(buf);
    return NULL;
}

/* A listening socket on an ephemeral port, a client connected to it, the
 * accepted end: fds[0] writes, fds[1] reads. */
static int tcp_pair(int fds[2]) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) ||
        getsockname(l, (struct sockaddr *)&a, &len))
        return -1;
    fds[0] = socket(AF_INET, SOCK_STREAM, 0);
    if (fds[0] < 0 || connect(fds[0], (struct sockaddr *)&a, sizeof a)) return -1;
    fds[1] = accept(l, NULL, NULL);
    close(l);
    return fds[1] < 0 ? -1 : 0;
}

int main(int argc, char **argv) {
    long long bytes = argc > 1 ? atoll(argv[1]) : 4LL << 30;
    int fds[2];
    char *buf = malloc(CHUNK);
    if (bytes <= 0 || !buf || tcp_pair(fds)) {
        fprintf(stderr, "usage: %s [BYTES > 0] (or no loopback socket: %s)\n", argv[0],
                strerror(errno));
        return 2;
    }
    memset(buf, 'A', CHUNK);
    pipe_end r = {.fd = fds[1], .bytes = bytes};
    pthread_t t;
    double start = now_s();
    pthread_create(&t, NULL, reader, &r);
    long long left = bytes;
    while (left > 0) {
        ssize_t n = write(fds[0], buf, left < CHUNK ? (size_t)left : CHUNK);
        if (n <= 0) break;
        left -= n;
    }
    pthread_join(t, NULL);
    double secs = now_s() - start;
    if (left > 0 || r.failed) {
        fprintf(stderr, "loopback: the transfer stopped early\n");
        return 1;
    }
    printf("loopback: bytes %lld, secs %.3f, MB/s %.1f, GB/s %.3f\n", bytes, secs,
           (double)bytes / secs / (1 << 20), (double)bytes / secs / 1e9);
    close(fds[0]);
    close(fds[1]);
    free(buf);
    return 0;
}
