/* Libraries loaded at first use (dlopen) rather than at start-up: a
 * dependency that only one optional feature needs (libcurl for OIDC
 * tokens, MIT Kerberos for GSSAPI) then costs a process that never uses
 * the feature neither memory (libcurl and what it pulls in map ~4 MB) nor
 * the dynamic loader's time. */
#ifndef KFK_CORE_DYNLIB_H
#define KFK_CORE_DYNLIB_H

#include <stddef.h>

/* A function (or object) to look up: its name and where its address goes
 * (a function pointer, cast to void **). */
typedef struct kfk_dynsym {
    const char *name;
    void **addr;
} kfk_dynsym;

/* Opens the first of sonames (NULL-terminated) that loads and looks up
 * every symbol in it. 0; or -1 with errstr naming the library or the
 * missing symbol, and every addr left NULL. The library stays loaded for
 * the life of the process. Not thread-safe: callers run it once (under
 * pthread_once). */
int kfk_dynlib_load(const char *const *sonames, const kfk_dynsym *syms, size_t nsyms,
                    char *errstr, size_t errlen);

#endif
