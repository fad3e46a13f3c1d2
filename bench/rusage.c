/* Runs a command and writes its exit status, wall time, CPU seconds (user
 * and system, all threads) and peak RSS to a file:
 *   rusage OUTFILE COMMAND [ARG...]
 * bench/run measures every client through it. A child forked from this
 * small program starts with a small memory high-water mark; one forked from
 * Python would start with Python's, since Linux carries ru_maxrss across
 * exec. */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double secs(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUTFILE COMMAND [ARG...]\n", argv[0]);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) return 2;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = fopen(argv[1], "w");
    if (!f) return 2;
    fprintf(f, "%d %.6f %.6f %.6f %ld\n", rc,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            secs(ru.ru_utime), secs(ru.ru_stime), ru.ru_maxrss);
    return fclose(f) ? 2 : rc;
}
