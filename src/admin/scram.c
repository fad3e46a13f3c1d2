/* SCRAM users: AlterUserScramCredentials and DescribeUserScramCredentials,
 * each one request to any broker (KRaft brokers forward changes to the
 * controller). The broker stores only the salt and the salted password
 * (RFC 5802's SaltedPassword = PBKDF2-HMAC(password, salt, iterations)),
 * computed here so the password itself is never sent. */

#include "admin/admin_int.h"
#include "net/ossl.h"

enum { SCRAM_MIN_ITERATIONS = 4096, SCRAM_MAX_ITERATIONS = 16384, SCRAM_SALT_LEN = 32 };

static void send_any(kfk_aop *op, int16_t api_key,
                     int (*on_response)(kfk_asub *, kfk_response *)) {
    kfk_asub *s = kfk_asub_new(op, on_response, NULL);
    if (!s) return;
    s->r.dest = KFK_DEST_ANY;
    s->r.req = (kfk_request){.api_key = api_key, .max_version = -1, .msg = op->ctx};
    kfk_asub_send(s);
}

/* ------------------------------------------------------------------ alter */

static int on_alter(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_alter_user_scram_credentials_response m;
    int err = kfk_alter_user_scram_credentials_response_decode(&resp->body, resp->version, &a, &m);
    kfk_admin_item *items = err ? NULL : kfk_ares_alloc(r, (size_t)m.results.count, sizeof *items);
    if (!err && !items && m.results.count) err = KFK_ERR_NOMEM;
    for (int32_t i = 0; !err && i < m.results.count; i++) {
        const kfk_alter_user_scram_credentials_response_result *x = &m.results.items[i];
        items[i].name = kfk_ares_str(r, x->user);
        kfk_ares_item_err(r, &items[i], x->error_code, x->error_message);
    }
    if (!err) {
        r->items = items;
        r->nitems = m.results.count;
        kfk_ares_items_done(r, items, m.results.count);
    }
    kfk_arena_reset(&a);
    return err;
}

static void start_alter(kfk_aop *op) {
    send_any(op, KFK_API_ALTER_USER_SCRAM_CREDENTIALS, on_alter);
}

static const EVP_MD *scram_md(int mechanism) {
    return mechanism == KFK_SCRAM_SHA_256   ? EVP_sha256()
           : mechanism == KFK_SCRAM_SHA_512 ? EVP_sha512()
                                            : NULL;
}

/* The upsertion for op: a random salt and the salted password. 0, or an
 * error with errstr set (never naming the password). */
static int upsertion(kfk_aop *op, const kfk_scram_credential_op *in,
                     kfk_alter_user_scram_credentials_request_scram_credential_upsertion *out,
                     const char **errstr) {
    int32_t iter = in->iterations ? in->iterations : SCRAM_MIN_ITERATIONS;
    if (iter < SCRAM_MIN_ITERATIONS || iter > SCRAM_MAX_ITERATIONS) {
        *errstr = "iterations must be from 4096 to 16384";
        return KFK_ERR_INVALID_ARG;
    }
    const EVP_MD *md = scram_md(in->mechanism);
    int hlen = EVP_MD_get_size(md);
    uint8_t *salt = kfk_arena_alloc(&op->arena, SCRAM_SALT_LEN);
    uint8_t *salted = kfk_arena_alloc(&op->arena, (size_t)hlen);
    if (!salt || !salted) return KFK_ERR_NOMEM;
    if (RAND_bytes(salt, SCRAM_SALT_LEN) != 1 ||
        PKCS5_PBKDF2_HMAC(in->password, (int)strlen(in->password), salt, SCRAM_SALT_LEN, iter,
                          md, hlen, salted) != 1) {
        *errstr = "OpenSSL could not salt the password";
        return KFK_ERR_UNSUPPORTED_FEATURE;
    }
    out->mechanism = (int8_t)in->mechanism;
    out->iterations = iter;
    out->salt = (kfk_bytes){salt, SCRAM_SALT_LEN};
    out->salted_password = (kfk_bytes){salted, hlen};
    return 0;
}

kfk_admin_result *kfk_admin_alter_user_scram_credentials(kfk_admin *a,
                                                         const kfk_scram_credential_op *ops,
                                                         int n, const kfk_admin_options *o,
                                                         kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_alter);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (n <= 0 || !ops) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no credentials given");
    char unloaded[256];
    if (kfk_ossl_load(unloaded, sizeof unloaded) != 0)
        return kfk_aop_fail(op, KFK_ERR_UNSUPPORTED_FEATURE,
                            "salting SCRAM passwords needs OpenSSL (libssl.so.3), which did not load");
    int nup = 0, ndel = 0;
    for (int i = 0; i < n; i++) {
        if (!ops[i].user || !*ops[i].user)
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "a SCRAM credential without a user");
        if (!scram_md(ops[i].mechanism))
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG,
                                "SCRAM mechanism must be KFK_SCRAM_SHA_256 or KFK_SCRAM_SHA_512");
        if (ops[i].password) nup++;
        else ndel++;
    }
    kfk_alter_user_scram_credentials_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    if (!m) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_alter_user_scram_credentials_request_init(m);
    m->upsertions.items = kfk_arena_array(&op->arena, (size_t)nup + 1, sizeof *m->upsertions.items);
    m->deletions.items = kfk_arena_array(&op->arena, (size_t)ndel + 1, sizeof *m->deletions.items);
    if (!m->upsertions.items || !m->deletions.items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    int ok = 1;
    for (int i = 0; i < n; i++) {
        kfk_str user = kfk_str_of(kfk_aop_strdup(op, ops[i].user, &ok));
        if (!ops[i].password) {
            m->deletions.items[m->deletions.count++] =
                (kfk_alter_user_scram_credentials_request_scram_credential_deletion){
                    .name = user, .mechanism = (int8_t)ops[i].mechanism};
            continue;
        }
        kfk_alter_user_scram_credentials_request_scram_credential_upsertion *u =
            &m->upsertions.items[m->upsertions.count++];
        u->name = user;
        const char *why = NULL;
        int err = upsertion(op, &ops[i], u, &why);
        if (err) return kfk_aop_fail(op, err, why);
    }
    if (!ok) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    op->ctx = m;
    return kfk_aop_run(op);
}

/* --------------------------------------------------------------- describe */

static int fill_user(kfk_admin_result *r, kfk_user_scram_desc *out,
                     const kfk_describe_user_scram_credentials_response_result *x) {
    kfk_admin_item it = {0};
    kfk_ares_item_err(r, &it, x->error_code, x->error_message);
    kfk_scram_credential_info *c =
        kfk_ares_alloc(r, (size_t)x->credential_infos.count + 1, sizeof *c);
    out->user = kfk_ares_str(r, x->user);
    if (!c || !out->user) return KFK_ERR_NOMEM;
    for (int32_t j = 0; j < x->credential_infos.count; j++)
        c[j] = (kfk_scram_credential_info){x->credential_infos.items[j].mechanism,
                                           x->credential_infos.items[j].iterations};
    out->err = it.err;
    out->errstr = it.errstr;
    out->credentials = c;
    out->ncredentials = x->credential_infos.count;
    return 0;
}

static int on_describe(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_describe_user_scram_credentials_response m;
    int err =
        kfk_describe_user_scram_credentials_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code) {
        kfk_aop_error(s->op, m.error_code, kfk_ares_str(r, m.error_message));
    } else if (!err) {
        kfk_user_scram_desc *u = kfk_ares_alloc(r, (size_t)m.results.count + 1, sizeof *u);
        if (!u) err = KFK_ERR_NOMEM;
        int failed = 0;
        for (int32_t i = 0; !err && i < m.results.count; i++) {
            err = fill_user(r, &u[i], &m.results.items[i]);
            failed |= u[i].err != 0;
        }
        if (!err) {
            r->scram_users = u;
            r->nscram_users = m.results.count;
            if (failed && !r->err) {
                r->err = KFK_ERR_PARTIAL;
                r->errstr = "some users failed: see each user's error";
            }
        }
    }
    kfk_arena_reset(&a);
    return err;
}

static void start_describe(kfk_aop *op) {
    send_any(op, KFK_API_DESCRIBE_USER_SCRAM_CREDENTIALS, on_describe);
}

kfk_admin_result *kfk_admin_describe_user_scram_credentials(kfk_admin *a,
                                                            const char *const *users, int n,
                                                            const kfk_admin_options *o,
                                                            kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_describe);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (n < 0 || (n > 0 && !users)) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "bad user list");
    kfk_describe_user_scram_credentials_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    if (!m) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_describe_user_scram_credentials_request_init(m);
    m->users.count = -1; /* null: every user */
    if (n > 0) {
        m->users.items = kfk_arena_array(&op->arena, (size_t)n, sizeof *m->users.items);
        if (!m->users.items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        int ok = 1;
        for (int i = 0; i < n; i++)
            m->users.items[i].name = kfk_str_of(kfk_aop_strdup(op, users[i], &ok));
        if (!ok) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        m->users.count = n;
    }
    op->ctx = m;
    return kfk_aop_run(op);
}
