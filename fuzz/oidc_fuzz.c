/* libFuzzer target for the OIDC provider's parsers of untrusted bytes: the
 * token endpoint's JSON answer and the access token's JWT claims.
 *
 * Byte 0 picks the HTTP status (200 or an error); the rest is the answer.
 * Whatever token it yields has its claims read, and the whole input is
 * read as a token too. Besides never crashing or over-reading, a parsed
 * token must be a NUL-terminated string. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "net/oidc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    long status = data[0] & 1 ? 200 : 400 + data[0] % 100;
    char err[512], *tok = NULL;
    int64_t expires_in;
    kfk_jwt_claims claims;
    if (kfk_oidc_parse_response(status, (const char *)data + 1, size - 1, &tok, &expires_in, err,
                                sizeof err) == 0) {
        if (!tok || !*tok) abort();
        kfk_jwt_claims_parse(tok, &claims, err, sizeof err);
        kfk_free(tok);
    }
    char *s = kfk_malloc(size);
    if (!s) return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    kfk_jwt_claims_parse(s, &claims, err, sizeof err);
    kfk_free(s);
    return 0;
}
