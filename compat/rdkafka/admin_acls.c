/* ACL bindings and filters; CreateAcls, DescribeAcls, DeleteAcls. The
 * codes of librdkafka's enums are Kafka's (its BROKER resource is Kafka's
 * CLUSTER, 4), so they pass to kfk as they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"

struct rd_kafka_AclBinding_s {
    rd_kafka_ResourceType_t restype;
    char *name; /* NULL in a filter: any */
    rd_kafka_ResourcePatternType_t pattern;
    char *principal, *host;
    rd_kafka_AclOperation_t operation;
    rd_kafka_AclPermissionType_t permission;
    rd_kafka_error_t *error; /* DeleteAcls: this binding's deletion error */
};

struct rd_kafka_acl_result_s {
    rd_kafka_error_t *error;
};

struct rd_kafka_DeleteAcls_result_response_s {
    rd_kafka_error_t *error;
    rd_kafka_AclBinding_t **acls;
    size_t nacls;
};

const char *rd_kafka_AclOperation_name(rd_kafka_AclOperation_t acl_operation) {
    static const char *const names[] = {
        "UNKNOWN", "ANY",      "ALL",            "READ",          "WRITE",
        "CREATE",  "DELETE",   "ALTER",          "DESCRIBE",      "CLUSTER_ACTION",
        "DESCRIBE_CONFIGS",    "ALTER_CONFIGS",  "IDEMPOTENT_WRITE"};
    if ((unsigned)acl_operation >= (unsigned)RD_KAFKA_ACL_OPERATION__CNT) return "UNSUPPORTED";
    return names[acl_operation];
}

const char *rd_kafka_AclPermissionType_name(rd_kafka_AclPermissionType_t acl_permission_type) {
    static const char *const names[] = {"UNKNOWN", "ANY", "DENY", "ALLOW"};
    if ((unsigned)acl_permission_type >= (unsigned)RD_KAFKA_ACL_PERMISSION_TYPE__CNT)
        return "UNSUPPORTED";
    return names[acl_permission_type];
}

static char *dup_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}

static rd_kafka_AclBinding_t *binding_new(rd_kafka_ResourceType_t restype, const char *name,
                                          rd_kafka_ResourcePatternType_t pattern,
                                          const char *principal, const char *host,
                                          rd_kafka_AclOperation_t operation,
                                          rd_kafka_AclPermissionType_t permission) {
    rd_kafka_AclBinding_t *b = calloc(1, sizeof(*b));
    if (!b) return NULL;
    b->restype = restype;
    b->pattern = pattern;
    b->operation = operation;
    b->permission = permission;
    b->name = dup_or_null(name);
    b->principal = dup_or_null(principal);
    b->host = dup_or_null(host);
    if ((name && !b->name) || (principal && !b->principal) || (host && !b->host)) {
        rd_kafka_AclBinding_destroy(b);
        return NULL;
    }
    return b;
}

rd_kafka_AclBinding_t *rd_kafka_AclBinding_new(rd_kafka_ResourceType_t restype, const char *name,
                                               rd_kafka_ResourcePatternType_t resource_pattern_type,
                                               const char *principal, const char *host,
                                               rd_kafka_AclOperation_t operation,
                                               rd_kafka_AclPermissionType_t permission_type,
                                               char *errstr, size_t errstr_size) {
    const char *why = NULL;
    if (!name)
        why = "Invalid resource name";
    else if (!principal)
        why = "Invalid principal";
    else if (!host)
        why = "Invalid host";
    else if (restype <= RD_KAFKA_RESOURCE_ANY || restype >= RD_KAFKA_RESOURCE__CNT)
        why = "Invalid resource type";
    else if (resource_pattern_type <= RD_KAFKA_RESOURCE_PATTERN_MATCH ||
             resource_pattern_type >= RD_KAFKA_RESOURCE_PATTERN_TYPE__CNT)
        why = "Invalid resource pattern type";
    else if (operation <= RD_KAFKA_ACL_OPERATION_ANY || operation >= RD_KAFKA_ACL_OPERATION__CNT)
        why = "Invalid operation";
    else if (permission_type <= RD_KAFKA_ACL_PERMISSION_TYPE_ANY ||
             permission_type >= RD_KAFKA_ACL_PERMISSION_TYPE__CNT)
        why = "Invalid permission type";
    if (why) {
        snprintf(errstr, errstr_size, "%s", why);
        return NULL;
    }
    rd_kafka_AclBinding_t *b = binding_new(restype, name, resource_pattern_type, principal, host,
                                           operation, permission_type);
    if (!b) snprintf(errstr, errstr_size, "Out of memory");
    return b;
}

rd_kafka_AclBindingFilter_t *rd_kafka_AclBindingFilter_new(
    rd_kafka_ResourceType_t restype, const char *name,
    rd_kafka_ResourcePatternType_t resource_pattern_type, const char *principal,
    const char *host, rd_kafka_AclOperation_t operation,
    rd_kafka_AclPermissionType_t permission_type, char *errstr, size_t errstr_size) {
    const char *why = NULL;
    if (restype <= RD_KAFKA_RESOURCE_UNKNOWN || restype >= RD_KAFKA_RESOURCE__CNT)
        why = "Invalid resource type";
    else if (resource_pattern_type <= RD_KAFKA_RESOURCE_PATTERN_UNKNOWN ||
             resource_pattern_type >= RD_KAFKA_RESOURCE_PATTERN_TYPE__CNT)
        why = "Invalid resource pattern type";
    else if (operation <= RD_KAFKA_ACL_OPERATION_UNKNOWN ||
             operation >= RD_KAFKA_ACL_OPERATION__CNT)
        why = "Invalid operation";
    else if (permission_type <= RD_KAFKA_ACL_PERMISSION_TYPE_UNKNOWN ||
             permission_type >= RD_KAFKA_ACL_PERMISSION_TYPE__CNT)
        why = "Invalid permission type";
    if (why) {
        snprintf(errstr, errstr_size, "%s", why);
        return NULL;
    }
    rd_kafka_AclBindingFilter_t *b = binding_new(restype, name, resource_pattern_type, principal,
                                                 host, operation, permission_type);
    if (!b) snprintf(errstr, errstr_size, "Out of memory");
    return b;
}

rd_kafka_ResourceType_t rd_kafka_AclBinding_restype(const rd_kafka_AclBinding_t *acl) {
    return acl->restype;
}
const char *rd_kafka_AclBinding_name(const rd_kafka_AclBinding_t *acl) {
    return acl->name;
}
const char *rd_kafka_AclBinding_principal(const rd_kafka_AclBinding_t *acl) {
    return acl->principal;
}
const char *rd_kafka_AclBinding_host(const rd_kafka_AclBinding_t *acl) {
    return acl->host;
}
rd_kafka_AclOperation_t rd_kafka_AclBinding_operation(const rd_kafka_AclBinding_t *acl) {
    return acl->operation;
}
rd_kafka_AclPermissionType_t rd_kafka_AclBinding_permission_type(const rd_kafka_AclBinding_t *acl) {
    return acl->permission;
}
rd_kafka_ResourcePatternType_t rd_kafka_AclBinding_resource_pattern_type(
    const rd_kafka_AclBinding_t *acl) {
    return acl->pattern;
}
const rd_kafka_error_t *rd_kafka_AclBinding_error(const rd_kafka_AclBinding_t *acl) {
    return acl->error;
}

void rd_kafka_AclBinding_destroy(rd_kafka_AclBinding_t *acl_binding) {
    if (!acl_binding) return;
    free(acl_binding->name);
    free(acl_binding->principal);
    free(acl_binding->host);
    if (acl_binding->error) rd_kafka_error_destroy(acl_binding->error);
    free(acl_binding);
}

void rd_kafka_AclBinding_destroy_array(rd_kafka_AclBinding_t **acl_bindings,
                                       size_t acl_bindings_cnt) {
    for (size_t i = 0; i < acl_bindings_cnt; i++) rd_kafka_AclBinding_destroy(acl_bindings[i]);
}

static void binding_free(void *p) {
    rd_kafka_AclBinding_destroy(p);
}

static kfk_acl kfk_acl_of(const rd_kafka_AclBinding_t *b) {
    return (kfk_acl){(int)b->restype, b->name, (int)b->pattern, b->principal, b->host,
                     (int)b->operation, (int)b->permission};
}

static rd_kafka_AclBinding_t *binding_from(const kfk_acl *k) {
    return binding_new((rd_kafka_ResourceType_t)k->resource_type, k->resource_name,
                       (rd_kafka_ResourcePatternType_t)k->pattern_type, k->principal, k->host,
                       (rd_kafka_AclOperation_t)k->operation,
                       (rd_kafka_AclPermissionType_t)k->permission);
}

/* An error object for kfk's err (NULL for 0); *nomem set when it cannot be. */
static rd_kafka_error_t *error_of(int kerr, const char *kerrstr, int *nomem) {
    if (!kerr) return NULL;
    char *msg = rdk_admin_errstr(kerr, kerrstr);
    rd_kafka_error_t *e = msg ? rdk_error_new(rdk_err(kerr), 0, 0, 0, "%s", msg) : NULL;
    free(msg);
    if (!e) *nomem = 1;
    return e;
}

/* ------------------------------------------------------------- CreateAcls */

static void acl_result_free(void *p) {
    rd_kafka_acl_result_t *r = p;
    if (r->error) rd_kafka_error_destroy(r->error);
    free(r);
}

const rd_kafka_error_t *rd_kafka_acl_result_error(const rd_kafka_acl_result_t *aclres) {
    return aclres->error;
}

static int fill_create(rdk_admin_call *c, const kfk_admin_result *kr, rdk_admin_res *res) {
    (void)c;
    if (rdk_admin_res_items(res, (size_t)kr->nitems, acl_result_free)) return -1;
    int nomem = 0;
    for (int i = 0; i < kr->nitems; i++) {
        rd_kafka_acl_result_t *r = calloc(1, sizeof(*r));
        if (!r) return -1;
        res->items[i] = r;
        r->error = error_of(kr->items[i].err, kr->items[i].errstr, &nomem);
    }
    return nomem ? -1 : 0;
}

void rd_kafka_CreateAcls(rd_kafka_t *rk, rd_kafka_AclBinding_t **new_acls, size_t new_acls_cnt,
                         const rd_kafka_AdminOptions_t *options, rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_CREATEACLS_RESULT, options, rkqu,
                                           fill_create, &ko);
    if (!c) return;
    if (new_acls_cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "No acls to create");
        return;
    }
    kfk_acl *k = calloc(new_acls_cnt, sizeof(*k));
    if (!k) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    for (size_t i = 0; i < new_acls_cnt; i++) k[i] = kfk_acl_of(new_acls[i]);
    kfk_admin *a = rdk_admin_call_client(c);
    if (a) kfk_admin_create_acls(a, k, (int)new_acls_cnt, &ko, rdk_admin_call_done, c);
    free(k);
}

const rd_kafka_acl_result_t **rd_kafka_CreateAcls_result_acls(
    const rd_kafka_CreateAcls_result_t *result, size_t *cntp) {
    return (const rd_kafka_acl_result_t **)rdk_admin_items(result, cntp);
}

/* ----------------------------------------------------------- DescribeAcls */

static int fill_describe(rdk_admin_call *c, const kfk_admin_result *kr, rdk_admin_res *res) {
    (void)c;
    if (rdk_admin_res_items(res, (size_t)kr->nacls, binding_free)) return -1;
    for (int i = 0; i < kr->nacls; i++)
        if (!(res->items[i] = binding_from(&kr->acls[i]))) return -1;
    return 0;
}

void rd_kafka_DescribeAcls(rd_kafka_t *rk, rd_kafka_AclBindingFilter_t *acl_filter,
                           const rd_kafka_AdminOptions_t *options, rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_DESCRIBEACLS_RESULT, options, rkqu,
                                           fill_describe, &ko);
    if (!c) return;
    if (!acl_filter) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "No acl binding filters specified");
        return;
    }
    kfk_acl f = kfk_acl_of(acl_filter);
    kfk_admin *a = rdk_admin_call_client(c);
    if (a) kfk_admin_describe_acls(a, &f, &ko, rdk_admin_call_done, c);
}

const rd_kafka_AclBinding_t **rd_kafka_DescribeAcls_result_acls(
    const rd_kafka_DescribeAcls_result_t *result, size_t *cntp) {
    return (const rd_kafka_AclBinding_t **)rdk_admin_items(result, cntp);
}

/* ------------------------------------------------------------- DeleteAcls */

static void response_free(void *p) {
    rd_kafka_DeleteAcls_result_response_t *r = p;
    rd_kafka_AclBinding_destroy_array(r->acls, r->nacls);
    free(r->acls);
    if (r->error) rd_kafka_error_destroy(r->error);
    free(r);
}

static int fill_delete(rdk_admin_call *c, const kfk_admin_result *kr, rdk_admin_res *res) {
    (void)c;
    if (rdk_admin_res_items(res, (size_t)kr->nacl_filters, response_free)) return -1;
    int nomem = 0;
    for (int i = 0; i < kr->nacl_filters && !nomem; i++) {
        const kfk_acl_filter_result *f = &kr->acl_filters[i];
        rd_kafka_DeleteAcls_result_response_t *r = calloc(1, sizeof(*r));
        if (!r) return -1;
        res->items[i] = r;
        r->error = error_of(f->err, f->errstr, &nomem);
        if (f->nacls && !(r->acls = calloc((size_t)f->nacls, sizeof(*r->acls)))) return -1;
        for (int j = 0; j < f->nacls && !nomem; j++) {
            rd_kafka_AclBinding_t *b = binding_from(&f->acls[j]);
            if (!b) return -1;
            r->acls[r->nacls++] = b;
            if (f->acl_results) b->error = error_of(f->acl_results[j].err, f->acl_results[j].errstr, &nomem);
        }
    }
    return nomem ? -1 : 0;
}

void rd_kafka_DeleteAcls(rd_kafka_t *rk, rd_kafka_AclBindingFilter_t **del_acls,
                         size_t del_acls_cnt, const rd_kafka_AdminOptions_t *options,
                         rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_DELETEACLS_RESULT, options, rkqu,
                                           fill_delete, &ko);
    if (!c) return;
    if (del_acls_cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "No acl binding filters specified");
        return;
    }
    kfk_acl *k = calloc(del_acls_cnt, sizeof(*k));
    if (!k) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    for (size_t i = 0; i < del_acls_cnt; i++) k[i] = kfk_acl_of(del_acls[i]);
    kfk_admin *a = rdk_admin_call_client(c);
    if (a) kfk_admin_delete_acls(a, k, (int)del_acls_cnt, &ko, rdk_admin_call_done, c);
    free(k);
}

const rd_kafka_DeleteAcls_result_response_t **rd_kafka_DeleteAcls_result_responses(
    const rd_kafka_DeleteAcls_result_t *result, size_t *cntp) {
    return (const rd_kafka_DeleteAcls_result_response_t **)rdk_admin_items(result, cntp);
}

const rd_kafka_error_t *rd_kafka_DeleteAcls_result_response_error(
    const rd_kafka_DeleteAcls_result_response_t *result_response) {
    return result_response->error;
}

const rd_kafka_AclBinding_t **rd_kafka_DeleteAcls_result_response_matching_acls(
    const rd_kafka_DeleteAcls_result_response_t *result_response, size_t *matching_acls_cntp) {
    *matching_acls_cntp = result_response->nacls;
    return (const rd_kafka_AclBinding_t **)result_response->acls;
}
