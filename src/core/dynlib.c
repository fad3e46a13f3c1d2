#include "core/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

static void clear(const kfk_dynsym *syms, size_t nsyms) {
    for (size_t i = 0; i < nsyms; i++) *syms[i].addr = NULL;
}

/* Every symbol of syms from h; the name of the first missing one, or NULL. */
static const char *resolve(void *h, const kfk_dynsym *syms, size_t nsyms) {
    for (size_t i = 0; i < nsyms; i++) {
        *syms[i].addr = dlsym(h, syms[i].name);
        if (!*syms[i].addr) return syms[i].name;
    }
    return NULL;
}

int kfk_dynlib_load(const char *const *sonames, const kfk_dynsym *syms, size_t nsyms,
                    char *errstr, size_t errlen) {
    char first_error[256] = "", missing[160] = "";
    for (const char *const *so = sonames; *so; so++) {
        void *h = dlopen(*so, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            const char *why = dlerror();
            if (!*first_error) snprintf(first_error, sizeof first_error, "%s", why ? why : *so);
            continue;
        }
        const char *absent = resolve(h, syms, nsyms);
        if (!absent) return 0;
        if (!*missing) snprintf(missing, sizeof missing, "%s has no %s", *so, absent);
        clear(syms, nsyms);
        dlclose(h);
    }
    snprintf(errstr, errlen, "%s", *missing ? missing : *first_error ? first_error : "no library");
    return -1;
}
