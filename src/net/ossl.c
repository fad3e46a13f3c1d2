#define KFK_OSSL_TABLE_ONLY
#include "net/ossl.h"

#include <pthread.h>
#include <stdio.h>

#include "core/dynlib.h"

struct kfk_ossl_table kfk_ossl;
static char ossl_error[256]; /* why OpenSSL could not be loaded; "" when it was */

static void ossl_load(void) {
    /* The headers kfk is built with are OpenSSL 3's: no other ABI will do.
     * libssl depends on libcrypto, so its handle finds libcrypto's calls. */
    static const char *const sonames[] = {"libssl.so.3", "libssl.3.dylib", NULL};
#define KFK_OSSL_SYM(f) {#f, (void **)&kfk_ossl.f},
    const kfk_dynsym syms[] = {KFK_OSSL_FUNCS(KFK_OSSL_SYM)};
#undef KFK_OSSL_SYM
    kfk_dynlib_load(sonames, syms, sizeof syms / sizeof syms[0], ossl_error, sizeof ossl_error);
}

int kfk_ossl_load(char *errstr, size_t errlen) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, ossl_load);
    if (!*ossl_error) return 0;
    snprintf(errstr, errlen, "%s", ossl_error);
    return -1;
}
