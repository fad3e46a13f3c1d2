/* kfk._kfk.Admin: kfk_admin for kfk.KafkaAdminClient. Each method takes
 * plain tuples, runs the synchronous kfk call with the GIL released and
 * returns the result as tuples; kfk.admin shapes them as kafka-python does.
 * An operation that failed as a whole raises; per-item errors come back as
 * (code, message) in the tuples. */
#include "kfkpy.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    PyObject_HEAD
    kfk_admin *admin;
    int closed;
    int busy; /* calls running without the GIL: the last one destroys */
} Admin;

/* What one call allocates: C arrays and the tuples whose strings they
 * point into, released together at its end. */
typedef struct {
    void **blocks;
    int nblocks, cap;
    PyObject *keep; /* list */
} Scratch;

static int scratch_init(Scratch *s)
{
    memset(s, 0, sizeof *s);
    s->keep = PyList_New(0);
    return s->keep ? 0 : -1;
}

static void scratch_free(Scratch *s)
{
    for (int i = 0; i < s->nblocks; i++)
        free(s->blocks[i]);
    free(s->blocks);
    Py_XDECREF(s->keep);
}

static void *scratch_alloc(Scratch *s, size_t n)
{
    if (s->nblocks == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        void **b = realloc(s->blocks, (size_t)cap * sizeof *b);
        if (!b)
            return PyErr_NoMemory();
        s->blocks = b;
        s->cap = cap;
    }
    void *p = calloc(1, n ? n : 1);
    if (!p)
        return PyErr_NoMemory();
    s->blocks[s->nblocks++] = p;
    return p;
}

/* seq as a tuple kept alive until the call ends (other threads cannot
 * change it while the GIL is released). */
static PyObject *scratch_tuple(Scratch *s, PyObject *seq, const char *what)
{
    PyObject *t = PySequence_Tuple(seq);
    if (!t) {
        PyErr_Format(PyExc_TypeError, "%s must be a sequence", what);
        return NULL;
    }
    int rc = PyList_Append(s->keep, t);
    Py_DECREF(t);
    return rc < 0 ? NULL : t;
}

/* seq as a tuple (*t, kept as scratch_tuple keeps it) of *n items, and a
 * zeroed array of *n elements of size bytes for them. */
static void *scratch_items(Scratch *s, PyObject *seq, const char *what, size_t size, PyObject **t,
                           int *n)
{
    *t = scratch_tuple(s, seq, what);
    if (!*t)
        return NULL;
    *n = (int)PyTuple_Size(*t);
    return scratch_alloc(s, (size_t)*n * size);
}

/* UTF-8 of a str, valid while the call's scratch lives. */
static int get_str(Scratch *s, PyObject *o, const char **out, const char *what)
{
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be a str, not %R", what, o);
        return -1;
    }
    PyObject *b = PyUnicode_AsUTF8String(o);
    if (!b || PyList_Append(s->keep, b) < 0) {
        Py_XDECREF(b);
        return -1;
    }
    Py_DECREF(b);
    *out = PyBytes_AsString(b);
    return *out ? 0 : -1;
}

static int get_long(PyObject *o, long long *out, const char *what)
{
    *out = PyLong_AsLongLong(o);
    if (*out == -1 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %R", what, o);
        return -1;
    }
    return 0;
}

/* A tuple of str as a C array of n strings. */
static const char **str_array(Scratch *s, PyObject *seq, int *n, const char *what)
{
    PyObject *t;
    const char **a = scratch_items(s, seq, what, sizeof *a, &t, n);
    if (!a)
        return NULL;
    for (int i = 0; i < *n; i++)
        if (get_str(s, PyTuple_GetItem(t, i), &a[i], what) < 0)
            return NULL;
    return a;
}

/* A tuple of int as a C array of int32. */
static int32_t *int_array(Scratch *s, PyObject *seq, int *n, const char *what)
{
    PyObject *t;
    int32_t *a = scratch_items(s, seq, what, sizeof *a, &t, n);
    if (!a)
        return NULL;
    for (int i = 0; i < *n; i++) {
        long long v;
        if (get_long(PyTuple_GetItem(t, i), &v, what) < 0)
            return NULL;
        a[i] = (int32_t)v;
    }
    return a;
}

/* Rows of equal length (replica lists) flattened: rows of width ids each. */
static int32_t *matrix(Scratch *s, PyObject *seq, int *rows, int *width, const char *what)
{
    PyObject *t = scratch_tuple(s, seq, what);
    if (!t)
        return NULL;
    *rows = (int)PyTuple_Size(t);
    *width = 0;
    int32_t *flat = NULL;
    for (int r = 0; r < *rows; r++) {
        int n;
        int32_t *row = int_array(s, PyTuple_GetItem(t, r), &n, what);
        if (!row)
            return NULL;
        if (r == 0) {
            *width = n;
            flat = scratch_alloc(s, (size_t)*rows * (size_t)n * sizeof *flat);
            if (!flat)
                return NULL;
        } else if (n != *width) {
            PyErr_Format(PyExc_ValueError, "%s: every partition needs the same number of"
                         " replicas (%d and %d)", what, *width, n);
            return NULL;
        }
        memcpy(flat + (size_t)r * (size_t)n, row, (size_t)n * sizeof *row);
    }
    return flat;
}

/* Tuples (topic, partition[, offset[, timestamp or metadata, leader_epoch]])
 * as a partition list; fields says how many there are. */
static kfk_partition_list *plist(PyObject *seq, int with_offset, int with_commit)
{
    PyObject *t = PySequence_Tuple(seq);
    if (!t)
        return NULL;
    Py_ssize_t n = PyTuple_Size(t);
    kfk_partition_list *l = kfk_partition_list_new((int)n);
    if (!l) {
        Py_DECREF(t);
        return (kfk_partition_list *)PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *e = PyTuple_GetItem(t, i);
        const char *topic, *meta = NULL;
        int part, epoch = -1;
        long long offset = 0, ts = -1;
        int ok;
        if (with_commit)
            ok = PyArg_ParseTuple(e, "siLzi", &topic, &part, &offset, &meta, &epoch);
        else if (with_offset)
            ok = PyArg_ParseTuple(e, "siL|L", &topic, &part, &offset, &ts);
        else
            ok = PyArg_ParseTuple(e, "si", &topic, &part);
        if (!ok)
            goto fail;
        kfk_partition *p = kfk_partition_list_add(l, topic, part);
        if (!p || (meta && kfk_partition_set_metadata(p, meta) != 0)) {
            PyErr_NoMemory();
            goto fail;
        }
        p->offset = offset;
        p->timestamp = ts;
        p->leader_epoch = epoch;
    }
    Py_DECREF(t);
    return l;
fail:
    Py_DECREF(t);
    kfk_partition_list_destroy(l);
    return NULL;
}

/* ------------------------------------------------------------ results */

static PyObject *str_or_none(const char *s)
{
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

static PyObject *ints(const int32_t *a, int n)
{
    PyObject *l = PyList_New(n);
    for (int i = 0; l && i < n; i++) {
        PyObject *v = PyLong_FromLong(a[i]);
        if (!v) {
            Py_CLEAR(l);
            break;
        }
        PyList_SetItem(l, i, v);
    }
    return l;
}

/* A list of n objects made by f(base + i). */
#define LIST_OF(n, make)                                                       \
    do {                                                                       \
        out = PyList_New(n);                                                   \
        for (int i = 0; out && i < (n); i++) {                                 \
            PyObject *item_ = (make);                                          \
            if (!item_) {                                                      \
                Py_CLEAR(out);                                                 \
                break;                                                         \
            }                                                                  \
            PyList_SetItem(out, i, item_);                                     \
        }                                                                      \
    } while (0)

static PyObject *item_tuple(const kfk_admin_item *it)
{
    return Py_BuildValue("(NiN)", str_or_none(it->name), it->err, str_or_none(it->errstr));
}

static PyObject *items_list(const kfk_admin_result *r)
{
    PyObject *out;
    LIST_OF(r->nitems, item_tuple(&r->items[i]));
    return out;
}

static PyObject *partition_desc(const kfk_admin_partition *p)
{
    return Py_BuildValue("(iiiiNNN)", p->id, p->err, p->leader, p->leader_epoch,
                         ints(p->replicas, p->nreplicas), ints(p->isr, p->nisr),
                         ints(p->offline, p->noffline));
}

static PyObject *partitions_desc(const kfk_topic_desc *t)
{
    PyObject *out;
    LIST_OF(t->npartitions, partition_desc(&t->partitions[i]));
    return out;
}

static PyObject *topic_desc(const kfk_topic_desc *t)
{
    static const uint8_t zero[16];
    PyObject *id;
    if (memcmp(t->topic_id, zero, sizeof zero) == 0) {
        Py_INCREF(Py_None);
        id = Py_None;
    } else {
        id = PyBytes_FromStringAndSize((const char *)t->topic_id, 16);
    }
    return Py_BuildValue("(NiNNON)", str_or_none(t->name), t->err, str_or_none(t->errstr), id,
                         t->internal ? Py_True : Py_False, partitions_desc(t));
}

static PyObject *broker_desc(const kfk_broker_desc *b)
{
    return Py_BuildValue("(iNiN)", b->id, str_or_none(b->host), b->port, str_or_none(b->rack));
}

static PyObject *cluster_desc(const kfk_cluster_desc *c)
{
    PyObject *out;
    LIST_OF(c->nbrokers, broker_desc(&c->brokers[i]));
    if (!out)
        return NULL;
    return Py_BuildValue("(NiN)", str_or_none(c->cluster_id), c->controller_id, out);
}

static PyObject *synonym(const kfk_config_synonym *s)
{
    return Py_BuildValue("(NNi)", str_or_none(s->name), str_or_none(s->value), s->source);
}

static PyObject *config_entry(const kfk_config_entry *e)
{
    PyObject *out;
    LIST_OF(e->nsynonyms, synonym(&e->synonyms[i]));
    if (!out)
        return NULL;
    return Py_BuildValue("(NNiOOON)", str_or_none(e->name), str_or_none(e->value), e->source,
                         e->is_default ? Py_True : Py_False, e->read_only ? Py_True : Py_False,
                         e->sensitive ? Py_True : Py_False, out);
}

static PyObject *config_resource(const kfk_config_resource *c)
{
    PyObject *out;
    LIST_OF(c->nentries, config_entry(&c->entries[i]));
    if (!out)
        return NULL;
    return Py_BuildValue("(iNiNN)", c->type, str_or_none(c->name), c->err,
                         str_or_none(c->errstr), out);
}

static PyObject *group_listing(const kfk_group_listing *g)
{
    return Py_BuildValue("(NNNNi)", str_or_none(g->group_id), str_or_none(g->protocol_type),
                         str_or_none(g->state), str_or_none(g->type), g->coordinator);
}

static PyObject *assigned(const kfk_topic_partition *tp)
{
    return Py_BuildValue("(Ni)", str_or_none(tp->topic), tp->partition);
}

static PyObject *member_tuple(const kfk_group_member *m)
{
    PyObject *out;
    LIST_OF(m->nassignment, assigned(&m->assignment[i]));
    if (!out)
        return NULL;
    return Py_BuildValue("(NNNNN)", str_or_none(m->member_id), str_or_none(m->instance_id),
                         str_or_none(m->client_id), str_or_none(m->host), out);
}

static PyObject *group_desc(const kfk_group_desc *g)
{
    PyObject *out;
    LIST_OF(g->nmembers, member_tuple(&g->members[i]));
    if (!out)
        return NULL;
    return Py_BuildValue("(NiNNNNiN)", str_or_none(g->group_id), g->err, str_or_none(g->errstr),
                         str_or_none(g->state), str_or_none(g->protocol_type),
                         str_or_none(g->protocol), g->coordinator, out);
}

/* (topic, partition, offset, timestamp, leader_epoch, metadata, err) */
static PyObject *partition_result(const kfk_partition *p)
{
    return Py_BuildValue("(NiLLiNi)", str_or_none(p->topic), p->partition, (long long)p->offset,
                         (long long)p->timestamp, p->leader_epoch, str_or_none(p->metadata),
                         p->err);
}

static PyObject *partitions_result(const kfk_admin_result *r)
{
    PyObject *out;
    int n = r->partitions ? r->partitions->count : 0;
    LIST_OF(n, partition_result(&r->partitions->elems[i]));
    return out;
}

/* (resource_type, resource_name, pattern_type, principal, host, operation,
 * permission) */
static PyObject *acl_tuple(const kfk_acl *x)
{
    return Py_BuildValue("(iNiNNii)", x->resource_type, str_or_none(x->resource_name),
                         x->pattern_type, str_or_none(x->principal), str_or_none(x->host),
                         x->operation, x->permission);
}

static PyObject *acl_filter_result(const kfk_acl_filter_result *f)
{
    PyObject *out;
    LIST_OF(f->nacls, acl_tuple(&f->acls[i]));
    if (!out)
        return NULL;
    return Py_BuildValue("(iNN)", f->err, str_or_none(f->errstr), out);
}

/* ------------------------------------------------------------- calling */

static int admin_enter(Admin *self)
{
    if (self->closed || !self->admin) {
        kfkpy_raise(KFK_ERR_STATE, "KafkaAdminClient is closed");
        return -1;
    }
    self->busy++;
    return 0;
}

static void admin_leave(Admin *self)
{
    if (--self->busy == 0 && self->closed && self->admin) {
        kfk_admin *a = self->admin;
        self->admin = NULL;
        Py_BEGIN_ALLOW_THREADS
        kfk_admin_destroy(a);
        Py_END_ALLOW_THREADS
    }
}

/* The result, or NULL with the exception when the operation failed as a
 * whole (PARTIAL is no failure: the items say). */
static kfk_admin_result *check(kfk_admin_result *r)
{
    if (!r)
        return (kfk_admin_result *)PyErr_NoMemory();
    if (r->err && r->err != KFK_ERR_PARTIAL) {
        kfkpy_raise(r->err, r->errstr);
        kfk_admin_result_destroy(r);
        return NULL;
    }
    return r;
}

static kfk_admin_options options(int timeout_ms, int validate_only)
{
    kfk_admin_options o = {timeout_ms > 0 ? timeout_ms : 0, validate_only};
    return o;
}

static PyObject *finish(kfk_admin_result *r, PyObject *(*make)(const kfk_admin_result *))
{
    if (!r)
        return NULL;
    PyObject *out = make(r);
    kfk_admin_result_destroy(r);
    return out;
}

/* Runs CALL (an expression using a, and o: the options of TIMEOUT and
 * VALIDATE) without the GIL; OUT = MAKE(result), or OUT stays NULL with the
 * exception (client closed, operation failed as a whole). */
#define RUN(OUT, TIMEOUT, VALIDATE, CALL, MAKE)                                \
    do {                                                                       \
        if (admin_enter(self) < 0)                                             \
            break;                                                             \
        kfk_admin_options o = options(TIMEOUT, VALIDATE);                      \
        kfk_admin *a = self->admin;                                            \
        kfk_admin_result *r;                                                   \
        Py_BEGIN_ALLOW_THREADS                                                 \
        r = (CALL);                                                            \
        Py_END_ALLOW_THREADS                                                   \
        admin_leave(self);                                                     \
        OUT = finish(check(r), MAKE);                                          \
    } while (0)

static PyObject *topics_result(const kfk_admin_result *r)
{
    PyObject *out;
    LIST_OF(r->ntopics, topic_desc(&r->topics[i]));
    return out;
}

static PyObject *metadata_result(const kfk_admin_result *r)
{
    PyObject *topics = topics_result(r);
    if (!topics)
        return NULL;
    return Py_BuildValue("(NN)", cluster_desc(&r->cluster), topics);
}

static PyObject *cluster_result(const kfk_admin_result *r)
{
    return cluster_desc(&r->cluster);
}

static PyObject *configs_result(const kfk_admin_result *r)
{
    PyObject *out;
    LIST_OF(r->nconfigs, config_resource(&r->configs[i]));
    return out;
}

static PyObject *groups_result(const kfk_admin_result *r)
{
    PyObject *out;
    LIST_OF(r->ngroups, group_listing(&r->groups[i]));
    if (!out)
        return NULL;
    return Py_BuildValue("(NiN)", out, r->err, str_or_none(r->errstr));
}

static PyObject *group_descs_result(const kfk_admin_result *r)
{
    PyObject *out;
    LIST_OF(r->ngroup_descs, group_desc(&r->group_descs[i]));
    return out;
}

static PyObject *acls_result(const kfk_admin_result *r)
{
    PyObject *out;
    LIST_OF(r->nacls, acl_tuple(&r->acls[i]));
    return out;
}

static PyObject *acl_filters_result(const kfk_admin_result *r)
{
    PyObject *out;
    LIST_OF(r->nacl_filters, acl_filter_result(&r->acl_filters[i]));
    return out;
}

/* --------------------------------------------------------------- methods */

typedef PyObject *(*result_fn)(const kfk_admin_result *);
typedef kfk_admin_result *(*names_fn)(kfk_admin *, const char *const *, int,
                                      const kfk_admin_options *, kfk_admin_cb, void *);
typedef kfk_admin_result *(*plain_fn)(kfk_admin *, const kfk_admin_options *, kfk_admin_cb,
                                      void *);

/* The calls on names (topics, groups): (names, timeout_ms) -> make(result). */
static PyObject *names_call(Admin *self, PyObject *args, const char *what, names_fn call,
                            result_fn make)
{
    PyObject *seq;
    int timeout_ms = 0;
    if (!PyArg_ParseTuple(args, "O|i", &seq, &timeout_ms))
        return NULL;
    Scratch s;
    if (scratch_init(&s) < 0)
        return NULL;
    PyObject *out = NULL;
    int n;
    const char **names = str_array(&s, seq, &n, what);
    if (names)
        RUN(out, timeout_ms, 0, call(a, names, n, &o, NULL, NULL), make);
    scratch_free(&s);
    return out;
}

/* The calls with no arguments but (timeout_ms). */
static PyObject *plain_call(Admin *self, PyObject *args, plain_fn call, result_fn make)
{
    int timeout_ms = 0;
    if (!PyArg_ParseTuple(args, "|i", &timeout_ms))
        return NULL;
    PyObject *out = NULL;
    RUN(out, timeout_ms, 0, call(a, &o, NULL, NULL), make);
    return out;
}

/* create_topics(((name, partitions, replication, assignment rows or None,
 * ((key, value), ...)), ...), timeout_ms, validate_only) -> items */
static PyObject *Admin_create_topics(Admin *self, PyObject *args)
{
    PyObject *seq;
    int timeout_ms = 0, validate = 0;
    if (!PyArg_ParseTuple(args, "O|ip", &seq, &timeout_ms, &validate))
        return NULL;
    Scratch s;
    if (scratch_init(&s) < 0)
        return NULL;
    PyObject *out = NULL;
    PyObject *t;
    int n;
    kfk_new_topic *topics = scratch_items(&s, seq, "new_topics", sizeof *topics, &t, &n);
    if (!topics)
        goto done;
    for (int i = 0; i < n; i++) {
        PyObject *assignment, *configs;
        int parts, rf;
        if (!PyArg_ParseTuple(PyTuple_GetItem(t, i), "siiOO", &topics[i].name, &parts, &rf,
                              &assignment, &configs))
            goto done;
        topics[i].partitions = parts;
        topics[i].replication_factor = (int16_t)rf;
        if (assignment != Py_None) {
            int rows = 0;
            topics[i].assignment = matrix(&s, assignment, &rows, &topics[i].replicas_per_partition,
                                          "replica_assignments");
            if (!topics[i].assignment && PyErr_Occurred())
                goto done;
            topics[i].partitions = rows;
        }
        PyObject *ct = scratch_tuple(&s, configs, "topic_configs");
        if (!ct)
            goto done;
        int nc = (int)PyTuple_Size(ct);
        const char **kv = scratch_alloc(&s, (size_t)nc * 2 * sizeof *kv);
        if (!kv)
            goto done;
        for (int c = 0; c < nc; c++)
            if (!PyArg_ParseTuple(PyTuple_GetItem(ct, c), "ss", &kv[2 * c], &kv[2 * c + 1]))
                goto done;
        topics[i].configs = kv;
        topics[i].nconfigs = nc;
    }
    RUN(out, timeout_ms, validate, kfk_admin_create_topics(a, topics, n, &o, NULL, NULL),
        items_list);
done:
    scratch_free(&s);
    return out;
}

/* delete_topics((name, ...), timeout_ms) -> items */
static PyObject *Admin_delete_topics(Admin *self, PyObject *args)
{
    return names_call(self, args, "topics", kfk_admin_delete_topics, items_list);
}

/* metadata(names or None, timeout_ms) -> ((cluster_id, controller, brokers),
 * topics): one Metadata request, topics in the broker's order. */
static PyObject *Admin_metadata(Admin *self, PyObject *args)
{
    PyObject *seq;
    int timeout_ms = 0;
    if (!PyArg_ParseTuple(args, "O|i", &seq, &timeout_ms))
        return NULL;
    Scratch s;
    if (scratch_init(&s) < 0)
        return NULL;
    PyObject *out = NULL;
    int n = -1;
    const char **names = NULL;
    if (seq != Py_None && !(names = str_array(&s, seq, &n, "topics")))
        goto done;
    RUN(out, timeout_ms, 0, kfk_admin_metadata(a, names, n, 0, &o, NULL, NULL), metadata_result);
done:
    scratch_free(&s);
    return out;
}

/* describe_topics((name, ...), timeout_ms) -> topics */
static PyObject *Admin_describe_topics(Admin *self, PyObject *args)
{
    return names_call(self, args, "topics", kfk_admin_describe_topics, topics_result);
}

/* list_topics(internal, timeout_ms) -> topics (no partitions) */
static PyObject *Admin_list_topics(Admin *self, PyObject *args)
{
    int internal = 0, timeout_ms = 0;
    if (!PyArg_ParseTuple(args, "|pi", &internal, &timeout_ms))
        return NULL;
    PyObject *out = NULL;
    RUN(out, timeout_ms, 0, kfk_admin_list_topics(a, internal, &o, NULL, NULL), topics_result);
    return out;
}

/* create_partitions(((topic, total, assignment rows or None), ...),
 * timeout_ms, validate_only) -> items */
static PyObject *Admin_create_partitions(Admin *self, PyObject *args)
{
    PyObject *seq;
    int timeout_ms = 0, validate = 0;
    if (!PyArg_ParseTuple(args, "O|ip", &seq, &timeout_ms, &validate))
        return NULL;
    Scratch s;
    if (scratch_init(&s) < 0)
        return NULL;
    PyObject *out = NULL;
    PyObject *t;
    int n;
    kfk_new_partitions *parts = scratch_items(&s, seq, "topic_partitions", sizeof *parts, &t, &n);
    if (!parts)
        goto done;
    for (int i = 0; i < n; i++) {
        PyObject *assignment;
        int total;
        if (!PyArg_ParseTuple(PyTuple_GetItem(t, i), "siO", &parts[i].topic, &total, &assignment))
            goto done;
        parts[i].total = total;
        if (assignment != Py_None) {
            parts[i].assignment = matrix(&s, assignment, &parts[i].nassignment,
                                         &parts[i].replicas_per_partition, "new_assignments");
            if (!parts[i].assignment && PyErr_Occurred())
                goto done;
        }
    }
    RUN(out, timeout_ms, validate, kfk_admin_create_partitions(a, parts, n, &o, NULL, NULL),
        items_list);
done:
    scratch_free(&s);
    return out;
}

/* describe_configs(((type, name, keys or None), ...), timeout_ms) ->
 * ((type, name, err, errstr, ((name, value, source, is_default, read_only,
 * sensitive, synonyms), ...)), ...) */
static PyObject *Admin_describe_configs(Admin *self, PyObject *args)
{
    PyObject *seq;
    int timeout_ms = 0;
    if (!PyArg_ParseTuple(args, "O|i", &seq, &timeout_ms))
        return NULL;
    Scratch s;
    if (scratch_init(&s) < 0)
        return NULL;
    PyObject *out = NULL;
    PyObject *t;
    int n;
    kfk_config_resource *res = scratch_items(&s, seq, "config_resources", sizeof *res, &t, &n);
    if (!res)
        goto done;
    for (int i = 0; i < n; i++) {
        PyObject *keys;
        if (!PyArg_ParseTuple(PyTuple_GetItem(t, i), "isO", &res[i].type, &res[i].name, &keys))
            goto done;
        if (keys != Py_None && !(res[i].keys = str_array(&s, keys, &res[i].nkeys, "configs")))
            goto done;
    }
    RUN(out, timeout_ms, 0, kfk_admin_describe_configs(a, res, n, &o, NULL, NULL), configs_result);
done:
    scratch_free(&s);
    return out;
}

/* alter_configs(((type, resource, name, value or None, op), ...),
 * timeout_ms, validate_only) -> items, one per distinct resource */
static PyObject *Admin_alter_configs(Admin *self, PyObject *args)
{
    PyObject *seq;
    int timeout_ms = 0, validate = 0;
    if (!PyArg_ParseTuple(args, "O|ip", &seq, &timeout_ms, &validate))
        return NULL;
    Scratch s;
    if (scratch_init(&s) < 0)
        return NULL;
    PyObject *out = NULL;
    PyObject *t;
    int n;
    kfk_config_op *ops = scratch_items(&s, seq, "config ops", sizeof *ops, &t, &n);
    if (!ops)
        goto done;
    for (int i = 0; i < n; i++) {
        if (!PyArg_ParseTuple(PyTuple_GetItem(t, i), "isszi", &ops[i].resource_type,
                              &ops[i].resource, &ops[i].name, &ops[i].value, &ops[i].op))
            goto done;
    }
    RUN(out, timeout_ms, validate, kfk_admin_alter_configs(a, ops, n, &o, NULL, NULL), items_list);
done:
    scratch_free(&s);
    return out;
}

/* describe_cluster(timeout_ms) -> (cluster_id, controller, brokers) */
static PyObject *Admin_describe_cluster(Admin *self, PyObject *args)
{
    return plain_call(self, args, kfk_admin_describe_cluster, cluster_result);
}

/* list_groups(timeout_ms) -> (groups, err, errstr): err PARTIAL when a
 * broker did not answer. */
static PyObject *Admin_list_groups(Admin *self, PyObject *args)
{
    return plain_call(self, args, kfk_admin_list_groups, groups_result);
}

/* describe_groups((group, ...), timeout_ms) -> group descriptions */
static PyObject *Admin_describe_groups(Admin *self, PyObject *args)
{
    return names_call(self, args, "group_ids", kfk_admin_describe_groups,
                      group_descs_result);
}

/* delete_groups((group, ...), timeout_ms) -> items */
static PyObject *Admin_delete_groups(Admin *self, PyObject *args)
{
    return names_call(self, args, "group_ids", kfk_admin_delete_groups, items_list);
}

enum plist_op { LIST_GROUP_OFFSETS, ALTER_GROUP_OFFSETS, DELETE_GROUP_OFFSETS, LIST_OFFSETS,
                DELETE_RECORDS };

/* The calls on a partition list; results as partition_result tuples. */
static PyObject *plist_call(Admin *self, PyObject *args, enum plist_op op)
{
    const char *group = NULL;
    PyObject *seq;
    int timeout_ms = 0;
    int ok = (op == LIST_OFFSETS || op == DELETE_RECORDS)
                 ? PyArg_ParseTuple(args, "O|i", &seq, &timeout_ms)
                 : PyArg_ParseTuple(args, "sO|i", &group, &seq, &timeout_ms);
    if (!ok)
        return NULL;
    kfk_partition_list *l = NULL;
    if (!(op == LIST_GROUP_OFFSETS && seq == Py_None) &&
        !(l = plist(seq, op != DELETE_GROUP_OFFSETS && op != LIST_GROUP_OFFSETS,
                    op == ALTER_GROUP_OFFSETS)))
        return NULL;
    /* The group string stays valid: args holds it. */
    PyObject *out = NULL;
    RUN(out, timeout_ms, 0,
        op == LIST_GROUP_OFFSETS     ? kfk_admin_list_group_offsets(a, group, l, &o, NULL, NULL)
        : op == ALTER_GROUP_OFFSETS  ? kfk_admin_alter_group_offsets(a, group, l, &o, NULL, NULL)
        : op == DELETE_GROUP_OFFSETS ? kfk_admin_delete_group_offsets(a, group, l, &o, NULL, NULL)
        : op == LIST_OFFSETS         ? kfk_admin_list_offsets(a, l, &o, NULL, NULL)
                                     : kfk_admin_delete_records(a, l, &o, NULL, NULL),
        partitions_result);
    kfk_partition_list_destroy(l);
    return out;
}

/* list_group_offsets(group, ((topic, partition), ...) or None, timeout_ms) */
static PyObject *Admin_list_group_offsets(Admin *self, PyObject *args)
{
    return plist_call(self, args, LIST_GROUP_OFFSETS);
}

/* alter_group_offsets(group, ((topic, partition, offset, metadata or None,
 * leader_epoch), ...), timeout_ms) */
static PyObject *Admin_alter_group_offsets(Admin *self, PyObject *args)
{
    return plist_call(self, args, ALTER_GROUP_OFFSETS);
}

/* delete_group_offsets(group, ((topic, partition), ...), timeout_ms) */
static PyObject *Admin_delete_group_offsets(Admin *self, PyObject *args)
{
    return plist_call(self, args, DELETE_GROUP_OFFSETS);
}

/* list_offsets(((topic, partition, spec[, timestamp]), ...), timeout_ms):
 * spec is a KFK_OFFSET_* code. */
static PyObject *Admin_list_offsets(Admin *self, PyObject *args)
{
    return plist_call(self, args, LIST_OFFSETS);
}

/* delete_records(((topic, partition, before_offset), ...), timeout_ms) */
static PyObject *Admin_delete_records(Admin *self, PyObject *args)
{
    return plist_call(self, args, DELETE_RECORDS);
}

/* Tuples shaped as acl_tuple's (None strings: any) as n kfk_acls. */
static kfk_acl *acl_array(Scratch *s, PyObject *seq, int *n, const char *what)
{
    PyObject *t;
    kfk_acl *acls = scratch_items(s, seq, what, sizeof *acls, &t, n);
    if (!acls)
        return NULL;
    for (int i = 0; i < *n; i++) {
        kfk_acl *x = &acls[i];
        if (!PyArg_ParseTuple(PyTuple_GetItem(t, i), "izizzii", &x->resource_type,
                              &x->resource_name, &x->pattern_type, &x->principal, &x->host,
                              &x->operation, &x->permission))
            return NULL;
    }
    return acls;
}

typedef kfk_admin_result *(*acls_fn)(kfk_admin *, const kfk_acl *, int,
                                     const kfk_admin_options *, kfk_admin_cb, void *);

/* The calls on ACLs or filters: (acls, timeout_ms) -> make(result). */
static PyObject *acls_call(Admin *self, PyObject *args, const char *what, acls_fn call,
                           result_fn make)
{
    PyObject *seq;
    int timeout_ms = 0;
    if (!PyArg_ParseTuple(args, "O|i", &seq, &timeout_ms))
        return NULL;
    Scratch s;
    if (scratch_init(&s) < 0)
        return NULL;
    PyObject *out = NULL;
    int n;
    kfk_acl *acls = acl_array(&s, seq, &n, what);
    if (acls)
        RUN(out, timeout_ms, 0, call(a, acls, n, &o, NULL, NULL), make);
    scratch_free(&s);
    return out;
}

/* create_acls((acl, ...), timeout_ms) -> items, one per ACL */
static PyObject *Admin_create_acls(Admin *self, PyObject *args)
{
    return acls_call(self, args, "acls", kfk_admin_create_acls, items_list);
}

/* describe_acls(filter, timeout_ms) -> the matching ACLs */
static PyObject *Admin_describe_acls(Admin *self, PyObject *args)
{
    PyObject *filter;
    int timeout_ms = 0;
    if (!PyArg_ParseTuple(args, "O|i", &filter, &timeout_ms))
        return NULL;
    Scratch s;
    if (scratch_init(&s) < 0)
        return NULL;
    PyObject *out = NULL;
    PyObject *one = PyTuple_Pack(1, filter);
    int n;
    kfk_acl *f = one ? acl_array(&s, one, &n, "acl_filter") : NULL;
    Py_XDECREF(one);
    if (f)
        RUN(out, timeout_ms, 0, kfk_admin_describe_acls(a, f, &o, NULL, NULL), acls_result);
    scratch_free(&s);
    return out;
}

/* delete_acls((filter, ...), timeout_ms) -> ((err, errstr, deleted ACLs),
 * ...), one per filter */
static PyObject *Admin_delete_acls(Admin *self, PyObject *args)
{
    return acls_call(self, args, "acl_filters", kfk_admin_delete_acls, acl_filters_result);
}

/* elect_leaders(((topic, partition), ...) or None, unclean, timeout_ms) ->
 * partition_result tuples (err per partition) */
static PyObject *Admin_elect_leaders(Admin *self, PyObject *args)
{
    PyObject *seq;
    int unclean = 0, timeout_ms = 0;
    if (!PyArg_ParseTuple(args, "O|pi", &seq, &unclean, &timeout_ms))
        return NULL;
    kfk_partition_list *l = NULL;
    if (seq != Py_None && !(l = plist(seq, 0, 0)))
        return NULL;
    PyObject *out = NULL;
    RUN(out, timeout_ms, 0, kfk_admin_elect_leaders(a, l, unclean, &o, NULL, NULL),
        partitions_result);
    kfk_partition_list_destroy(l);
    return out;
}

/* api_version(api_key): the version of that API the latest request used,
 * -1 before one. */
static PyObject *Admin_api_version(Admin *self, PyObject *args)
{
    int key;
    if (!PyArg_ParseTuple(args, "i", &key) || admin_enter(self) < 0)
        return NULL;
    int v = kfk_admin_api_version(self->admin, key);
    admin_leave(self);
    return PyLong_FromLong(v);
}

/* close(): destroys the handle now, or when the last running call ends. */
static PyObject *Admin_close(Admin *self, PyObject *unused)
{
    if (!self->closed) {
        self->closed = 1;
        self->busy++;
        admin_leave(self);
    }
    Py_RETURN_NONE;
}

static PyObject *Admin_get_closed(Admin *self, void *unused)
{
    return PyBool_FromLong(self->closed);
}

static int Admin_init(Admin *self, PyObject *args, PyObject *kwargs)
{
    PyObject *props;
    static char *kwlist[] = {"conf", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O", kwlist, &props))
        return -1;
    if (self->admin) {
        PyErr_SetString(PyExc_RuntimeError, "Admin is already initialised");
        return -1;
    }
    kfk_conf *conf = kfkpy_conf_from_dict(props);
    if (!conf)
        return -1;
    char errstr[512] = "";
    kfk_admin *a;
    Py_BEGIN_ALLOW_THREADS
    a = kfk_admin_new(conf, errstr, sizeof errstr);
    Py_END_ALLOW_THREADS
    if (!a) {
        kfk_conf_destroy(conf);
        kfkpy_raise(KFK_ERR_CONFIG, errstr);
        return -1;
    }
    self->admin = a;
    self->closed = 0;
    return 0;
}

static void Admin_dealloc(Admin *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    if (self->admin) {
        kfk_admin *a = self->admin;
        self->admin = NULL;
        Py_BEGIN_ALLOW_THREADS
        kfk_admin_destroy(a);
        Py_END_ALLOW_THREADS
    }
    freefunc free_fn = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    free_fn(self);
    Py_DECREF(tp);
}

#define METH(name, doc) {#name, (PyCFunction)Admin_##name, METH_VARARGS, doc}

static PyMethodDef Admin_methods[] = {
    METH(create_topics, "Creates topics: one (name, err, errstr) per topic."),
    METH(delete_topics, "Deletes topics: one (name, err, errstr) per topic."),
    METH(metadata, "One Metadata request: (cluster, topics)."),
    METH(describe_topics, "Describes topics with their partitions."),
    METH(list_topics, "Every topic, without partitions."),
    METH(create_partitions, "Adds partitions: one (topic, err, errstr) per topic."),
    METH(describe_configs, "Describes config resources with synonyms."),
    METH(alter_configs, "Incremental config changes: one item per resource."),
    METH(describe_cluster, "(cluster_id, controller_id, brokers)."),
    METH(list_groups, "(groups, err, errstr) from every broker."),
    METH(describe_groups, "Describes groups with members and assignments."),
    METH(delete_groups, "Deletes groups: one (group, err, errstr) per group."),
    METH(list_group_offsets, "A group's committed offsets."),
    METH(alter_group_offsets, "Commits offsets for an empty group."),
    METH(delete_group_offsets, "Deletes a group's committed offsets."),
    METH(list_offsets, "Offsets of partitions by spec or time."),
    METH(delete_records, "Deletes records before offsets."),
    METH(create_acls, "Creates ACLs: one (\"\", err, errstr) per ACL."),
    METH(describe_acls, "The ACLs matching a filter."),
    METH(delete_acls, "Deletes the ACLs matching each filter: (err, errstr, deleted) each."),
    METH(elect_leaders, "Elects preferred (or unclean) leaders: err per partition."),
    METH(api_version, "The version of an API the latest request used (-1: none yet)."),
    {"close", (PyCFunction)Admin_close, METH_NOARGS, "Frees the admin client."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Admin_getset[] = {
    {"closed", (getter)Admin_get_closed, NULL, "Whether close() was called.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Admin_slots[] = {
    {Py_tp_doc, "kfk_admin: the C core of kfk.KafkaAdminClient."},
    {Py_tp_init, Admin_init},
    {Py_tp_dealloc, Admin_dealloc},
    {Py_tp_methods, Admin_methods},
    {Py_tp_getset, Admin_getset},
    {Py_tp_new, PyType_GenericNew},
    {0, NULL},
};

static PyType_Spec Admin_spec = {
    "kfk._kfk.Admin", sizeof(Admin), 0, Py_TPFLAGS_DEFAULT, Admin_slots,
};

int kfkpy_admin_add(PyObject *module)
{
    PyObject *type = PyType_FromSpec(&Admin_spec);
    if (!type)
        return -1;
    if (PyModule_AddObject(module, "Admin", type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}
