/* kfk._kfk.Consumer: a thin wrapper of kfk_consumer (include/kfk.h). The
 * kafka-python semantics live in Python (kfk/consumer/group.py and the
 * original consumer); here are kfk's calls with Python values.
 *
 * Partitions are tuples: tp = (topic, partition); an offset list element is
 * (topic, partition, offset[, metadata[, leader_epoch]]). Offsets may be
 * the constants OFFSET_BEGINNING (-2), OFFSET_END (-1), OFFSET_STORED
 * (-1000); OFFSET_INVALID (-1001) means "none". Errors raise the
 * kfk.errors class of the kfk_err code; after close() every call raises
 * KafkaError. Blocking calls release the GIL; callbacks run on the thread
 * calling poll/unsubscribe/close.
 *
 *   Consumer(conf: dict of kfk conf keys, on_commit=None, on_rebalance=None)
 *       on_commit(err, [(topic, partition, offset, err)]): async and auto
 *       commit results, inside poll. on_rebalance(kind, [tp]): kind
 *       REBALANCE_ASSIGNED (after the partitions were assigned),
 *       REBALANCE_REVOKED / REBALANCE_LOST (before they are taken away);
 *       the (un)assignment itself is done here, eager or cooperative.
 *   assign([(topic, partition[, offset])]) / assign(None): replace
 *   incremental_assign(same) / incremental_unassign([tp])
 *   assignment() -> [(topic, partition, start offset)]
 *   subscribe([names or '^regex']) / unsubscribe() / subscription() -> [str] or None
 *   poll(timeout_ms, max_records=0, record_cls=None, key_deserializer=None,
 *        value_deserializer=None, tp_cls=None) -> [record], or with tp_cls
 *       {tp_cls(topic, partition): [record]}: up to max_records (0: one
 *       batch of at most 1024), waiting up to timeout_ms (<0: forever) for
 *       the first. A record is a ConsumerRecord (record_cls, which must be
 *       kfk._kfk.ConsumerRecord, see record.c) or with record_cls None a
 *       plain tuple, with kafka-python 3.0's ConsumerRecord fields: (topic, partition, leader_epoch, offset,
 *       timestamp, timestamp_type (0 create, 1 log append, None), key,
 *       value, headers [(str, bytes|None)], checksum None,
 *       serialized_key_size, serialized_value_size, serialized_header_size).
 *       Deserializers are callables applied to non-None bytes. A partition
 *       error (e.g. OFFSET_OUT_OF_RANGE with auto.offset.reset=none; the
 *       exception has topic, partition and offset attributes, offset < 0
 *       when there was no position at all) or a callback's exception is
 *       raised once the records before it were returned (at the next call).
 *       store=True stores the end of each partition's returned records
 *       (for enable.auto.offset.store=false).
 *   seek(topic, partition, offset) / seek_time(topic, partition, ts_ms)
 *   pause([tp]) / resume([tp]) -> [(topic, partition, err)]
 *   position([tp]) -> [(topic, partition, offset, leader_epoch, err)]
 *   committed([tp], timeout_ms=0) -> [(topic, partition, offset, metadata, leader_epoch, err)]
 *   commit(offsets=None, asynchronous=False): offsets as offset list elements
 *   store_offsets([(topic, partition, offset[, metadata[, leader_epoch]])])
 *       -> [(topic, partition, err)]
 *   store_records(records, n): stores offset + 1 (and leader_epoch) of the
 *       first n of a list poll returned, per partition (with
 *       enable.auto.offset.store=false: iteration marks what it handed out)
 *   task_done(topic, partition, offset, leader_epoch=-1):
 *       kfk_consumer_task_done for a record already returned by poll
 *   pop_logs() -> [str]: kfk's log lines (task_done reports, offset resets)
 *   watermarks(topic, partition, timeout_ms=0) -> (low, high)
 *   cached_watermarks(topic, partition) -> (low, high)
 *   lag(topic, partition) -> int
 *   list_offsets([(topic, partition, offset[, timestamp])], timeout_ms=0)
 *       -> [(topic, partition, offset, timestamp, leader_epoch, err)]
 *   offsets_view() -> [(topic, partition, position, high_watermark, committed, done)]
 *   metadata(topics=None, timeout_ms=0, internal=True) -> {topic: [partition
 *       ids]} (None: every topic, internal ones unless internal=False;
 *       unknown topics left out)
 *   group_metadata() -> (group_id, generation, member_id, group_instance_id) or None
 *   generation() -> int; rebalance_protocol() -> "EAGER"/"COOPERATIVE"
 *   stats() -> dict of kfk_consumer_stats
 *   close(commit=True) -> kfk_err of the final commit (0); commit=False
 *       stops at once (kfk_consumer_destroy)
 *   closed -> bool
 */
#include <pthread.h>
#include <string.h>

#include "kfkpy.h"
#include "record.h"

#define LOG_MAX 64
#define BATCH_MAX 1024
#define TP_KEYS 64

typedef struct {
    PyObject_HEAD
    kfk_consumer *c;
    PyObject *on_commit, *on_rebalance;
    int busy;         /* threads inside a GIL-released call */
    int polling;
    /* Raised by the next call: a partition error or a callback's exception
     * met while records were being returned. */
    int pending_err;
    char pending_msg[256];
    PyObject *pending_topic;
    int32_t pending_partition;
    int64_t pending_offset;
    PyObject *pending_type, *pending_value, *pending_tb;
    /* The topic of the last record, as a str: one per partition run. */
    char *topic_c;
    PyObject *topic_py;
    /* The poll dict's keys (tp_cls instances) for the partitions of
     * tp_keys_topic below TP_KEYS, made once, not at every poll. */
    PyObject *tp_keys[TP_KEYS];
    PyObject *tp_keys_topic, *tp_keys_cls;
    pthread_mutex_t log_lock;
    char *logs[LOG_MAX];
    int nlogs;
} Consumer;

/* Py_XSETREF is not in the limited API. */
#define XSETREF(dst, src)       \
    do {                        \
        PyObject *old_ = (dst); \
        (dst) = (src);          \
        Py_XDECREF(old_);       \
    } while (0)

#define CHECK_OPEN(self)                                                  \
    do {                                                                  \
        if (!(self)->c)                                                   \
            return kfkpy_raise(KFK_ERR_DESTROYED, "Consumer is closed");  \
    } while (0)

/* ---------------------------------------------------------------- lists */

static int tp_from(PyObject *item, PyObject **topic, long *partition, Py_ssize_t *n)
{
    if (!PyTuple_Check(item) && !PyList_Check(item)) {
        PyErr_Format(PyExc_TypeError, "expected a (topic, partition, ...) tuple, got %R", item);
        return -1;
    }
    *n = PySequence_Size(item);
    if (*n < 2) {
        PyErr_Format(PyExc_TypeError, "expected a (topic, partition, ...) tuple, got %R", item);
        return -1;
    }
    *topic = PySequence_GetItem(item, 0);
    PyObject *p = PySequence_GetItem(item, 1);
    if (!*topic || !p)
        goto fail;
    if (!PyUnicode_Check(*topic)) {
        PyErr_Format(PyExc_TypeError, "topic must be a str, got %R", *topic);
        goto fail;
    }
    *partition = PyLong_AsLong(p);
    if (*partition == -1 && PyErr_Occurred())
        goto fail;
    Py_DECREF(p);
    return 0;
fail:
    Py_XDECREF(*topic);
    Py_XDECREF(p);
    return -1;
}

static int long_at(PyObject *item, Py_ssize_t i, long long *out)
{
    PyObject *v = PySequence_GetItem(item, i);
    if (!v)
        return -1;
    if (v == Py_None) {
        Py_DECREF(v);
        return 1;
    }
    *out = PyLong_AsLongLong(v);
    Py_DECREF(v);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* A kfk list from a sequence of tuples. fields: what the third and later
 * items mean (0: nothing, 'o': offset[, metadata[, leader_epoch]], 't':
 * offset[, timestamp]). None gives NULL without an exception when
 * none_ok. */
static kfk_partition_list *list_from(PyObject *seq, char fields, int none_ok)
{
    if (seq == Py_None && none_ok)
        return NULL;
    if (!PySequence_Check(seq) || PyUnicode_Check(seq)) {
        PyErr_Format(PyExc_TypeError, "expected a list of (topic, partition, ...) tuples, got %R",
                     seq);
        return NULL;
    }
    Py_ssize_t n = PySequence_Size(seq);
    if (n < 0)
        return NULL;
    kfk_partition_list *l = kfk_partition_list_new((int)n);
    if (!l)
        return (kfk_partition_list *)PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_GetItem(seq, i), *topic = NULL;
        long partition;
        Py_ssize_t len;
        if (!item || tp_from(item, &topic, &partition, &len) < 0) {
            Py_XDECREF(item);
            goto fail;
        }
        PyObject *tb = PyUnicode_AsUTF8String(topic);
        kfk_partition *e = tb ? kfk_partition_list_add(l, PyBytes_AsString(tb), (int32_t)partition)
                              : NULL;
        Py_XDECREF(tb);
        Py_DECREF(topic);
        if (!e) {
            Py_DECREF(item);
            if (!PyErr_Occurred())
                PyErr_NoMemory();
            goto fail;
        }
        long long v;
        int rc = 0;
        if (fields && len > 2 && (rc = long_at(item, 2, &v)) == 0)
            e->offset = v;
        if (rc >= 0 && fields == 't' && len > 3 && (rc = long_at(item, 3, &v)) == 0)
            e->timestamp = v;
        if (rc >= 0 && fields == 'o' && len > 3) {
            PyObject *md = PySequence_GetItem(item, 3), *mb = NULL;
            if (!md)
                rc = -1;
            else if (PyUnicode_Check(md)) {
                if (!(mb = PyUnicode_AsUTF8String(md)))
                    rc = -1;
            } else if (md != Py_None) {
                PyErr_Format(PyExc_TypeError, "commit metadata must be a str, got %R", md);
                rc = -1;
            }
            if (rc >= 0 && mb && kfk_partition_set_metadata(e, PyBytes_AsString(mb))) {
                PyErr_NoMemory();
                rc = -1;
            }
            Py_XDECREF(mb);
            Py_XDECREF(md);
        }
        if (rc >= 0 && fields == 'o' && len > 4 && (rc = long_at(item, 4, &v)) == 0)
            e->leader_epoch = (int32_t)v;
        Py_DECREF(item);
        if (rc < 0)
            goto fail;
    }
    return l;
fail:
    kfk_partition_list_destroy(l);
    return NULL;
}

/* The UTF-8 of seq[i], a str, kept alive as bytes in keep[i]. */
static const char *name_at(PyObject *seq, Py_ssize_t i, PyObject *keep)
{
    PyObject *s = PySequence_GetItem(seq, i);
    if (!s)
        return NULL;
    if (!PyUnicode_Check(s)) {
        PyErr_Format(PyExc_TypeError, "topic must be a str, got %R", s);
        Py_DECREF(s);
        return NULL;
    }
    PyObject *b = PyUnicode_AsUTF8String(s);
    Py_DECREF(s);
    if (!b)
        return NULL;
    PyTuple_SetItem(keep, i, b);
    return PyBytes_AsString(b);
}

/* [make(e) for each partition e] of a kfk list (owned by the caller; NULL:
 * empty). */
static PyObject *parts_of(const kfk_partition_list *l, PyObject *(*make)(const kfk_partition *))
{
    PyObject *out = PyList_New(l ? l->count : 0);
    for (int i = 0; out && l && i < l->count; i++) {
        PyObject *t = make(&l->elems[i]);
        if (!t) {
            Py_CLEAR(out);
            break;
        }
        PyList_SetItem(out, i, t);
    }
    return out;
}

/* The tuples parts_of makes, named by their fields after (topic, partition). */
static PyObject *tp_tuple(const kfk_partition *e)
{
    return Py_BuildValue("(si)", e->topic, (int)e->partition);
}

static PyObject *offset_tuple(const kfk_partition *e)
{
    return Py_BuildValue("(siL)", e->topic, (int)e->partition, (long long)e->offset);
}

static PyObject *offset_err_tuple(const kfk_partition *e)
{
    return Py_BuildValue("(siLi)", e->topic, (int)e->partition, (long long)e->offset, e->err);
}

static PyObject *err_tuple(const kfk_partition *e)
{
    return Py_BuildValue("(sii)", e->topic, (int)e->partition, e->err);
}

static PyObject *position_tuple(const kfk_partition *e)
{
    return Py_BuildValue("(siLii)", e->topic, (int)e->partition, (long long)e->offset,
                         (int)e->leader_epoch, e->err);
}

static PyObject *committed_tuple(const kfk_partition *e)
{
    return Py_BuildValue("(siLzii)", e->topic, (int)e->partition, (long long)e->offset,
                         e->metadata, (int)e->leader_epoch, e->err);
}

static PyObject *timed_tuple(const kfk_partition *e)
{
    return Py_BuildValue("(siLLii)", e->topic, (int)e->partition, (long long)e->offset,
                         (long long)e->timestamp, (int)e->leader_epoch, e->err);
}

/* ------------------------------------------------------------ callbacks */

/* Keeps the first exception of a callback for the caller of poll. */
static void keep_exception(Consumer *self)
{
    if (self->pending_type || self->pending_err) {
        PyErr_WriteUnraisable(self->on_rebalance ? self->on_rebalance : Py_None);
        return;
    }
    PyErr_Fetch(&self->pending_type, &self->pending_value, &self->pending_tb);
}

static void rebalance_cb(kfk_consumer *c, int kind, const kfk_partition_list *parts, void *opaque)
{
    Consumer *self = opaque;
    int coop = strcmp(kfk_consumer_rebalance_protocol(c), "COOPERATIVE") == 0;
    if (kind == KFK_REBALANCE_ASSIGNED)
        coop ? kfk_consumer_incremental_assign(c, parts) : kfk_consumer_assign(c, parts);
    if (self->on_rebalance) {
        PyGILState_STATE g = PyGILState_Ensure();
        PyObject *l = parts_of(parts, tp_tuple);
        PyObject *r = l ? PyObject_CallFunction(self->on_rebalance, "iO", kind, l) : NULL;
        Py_XDECREF(l);
        if (!r)
            keep_exception(self);
        Py_XDECREF(r);
        PyGILState_Release(g);
    }
    if (kind != KFK_REBALANCE_ASSIGNED)
        coop ? kfk_consumer_incremental_unassign(c, parts) : kfk_consumer_assign(c, NULL);
}

static void commit_cb(kfk_consumer *c, int err, const kfk_partition_list *offsets, void *opaque)
{
    Consumer *self = opaque;
    if (!self->on_commit)
        return;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *l = parts_of(offsets, offset_err_tuple);
    PyObject *r = l ? PyObject_CallFunction(self->on_commit, "iO", err, l) : NULL;
    Py_XDECREF(l);
    if (!r)
        keep_exception(self);
    Py_XDECREF(r);
    PyGILState_Release(g);
}

/* I/O thread: must not block or take the GIL; keeps the last LOG_MAX lines. */
static void log_cb(void *opaque, const char *message)
{
    Consumer *self = opaque;
    char *copy = strdup(message);
    if (!copy)
        return;
    pthread_mutex_lock(&self->log_lock);
    if (self->nlogs == LOG_MAX) {
        free(self->logs[0]);
        memmove(self->logs, self->logs + 1, (LOG_MAX - 1) * sizeof *self->logs);
        self->nlogs--;
    }
    self->logs[self->nlogs++] = copy;
    pthread_mutex_unlock(&self->log_lock);
}

/* ------------------------------------------------------------ lifecycle */

static int Consumer_init(Consumer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"conf", "on_commit", "on_rebalance", NULL};
    PyObject *conf_dict, *on_commit = Py_None, *on_rebalance = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO", kwlist, &conf_dict, &on_commit,
                                     &on_rebalance))
        return -1;
    if (self->c) {
        kfkpy_raise(KFK_ERR_STATE, "Consumer is initialized already");
        return -1;
    }
    if ((on_commit != Py_None && !PyCallable_Check(on_commit)) ||
        (on_rebalance != Py_None && !PyCallable_Check(on_rebalance))) {
        PyErr_SetString(PyExc_TypeError, "on_commit and on_rebalance must be callable or None");
        return -1;
    }
    kfk_conf *conf = kfkpy_conf_from_dict(conf_dict);
    if (!conf)
        return -1;
    char errstr[512] = "";
    kfk_consumer *c;
    Py_BEGIN_ALLOW_THREADS
    c = kfk_consumer_new(conf, errstr, sizeof errstr);
    Py_END_ALLOW_THREADS
    if (!c) {
        kfk_conf_destroy(conf);
        kfkpy_raise(KFK_ERR_CONFIG, errstr);
        return -1;
    }
    if (on_commit != Py_None) {
        Py_INCREF(on_commit);
        self->on_commit = on_commit;
    }
    if (on_rebalance != Py_None) {
        Py_INCREF(on_rebalance);
        self->on_rebalance = on_rebalance;
    }
    kfk_consumer_set_commit_cb(c, commit_cb, self);
    kfk_consumer_set_rebalance_cb(c, rebalance_cb, self);
    kfk_consumer_set_log_cb(c, log_cb, self);
    self->c = c;
    return 0;
}

static PyObject *Consumer_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    allocfunc alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
    Consumer *self = (Consumer *)alloc(type, 0);
    if (self)
        pthread_mutex_init(&self->log_lock, NULL);
    return (PyObject *)self;
}

/* Frees the kfk side; 0 or the final commit's error. */
static int release(Consumer *self, int close)
{
    int err = 0;
    kfk_consumer *c = self->c;
    self->c = NULL;
    if (c) {
        /* close runs rebalance and commit callbacks: they take the GIL. */
        Py_BEGIN_ALLOW_THREADS
        if (close)
            err = kfk_consumer_close(c);
        else
            kfk_consumer_destroy(c);
        Py_END_ALLOW_THREADS
    }
    return err;
}

static int Consumer_traverse(Consumer *self, visitproc visit, void *arg)
{
    for (int i = 0; i < TP_KEYS; i++)
        Py_VISIT(self->tp_keys[i]);
    Py_VISIT(self->tp_keys_topic);
    Py_VISIT(self->tp_keys_cls);
    Py_VISIT(self->on_commit);
    Py_VISIT(self->on_rebalance);
    Py_VISIT(self->pending_value);
    Py_VISIT(self->pending_tb);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static void clear_tp_keys(Consumer *self)
{
    for (int i = 0; i < TP_KEYS; i++)
        Py_CLEAR(self->tp_keys[i]);
    Py_CLEAR(self->tp_keys_topic);
    Py_CLEAR(self->tp_keys_cls);
}

static int Consumer_clear(Consumer *self)
{
    clear_tp_keys(self);
    Py_CLEAR(self->on_commit);
    Py_CLEAR(self->on_rebalance);
    Py_CLEAR(self->pending_type);
    Py_CLEAR(self->pending_value);
    Py_CLEAR(self->pending_tb);
    Py_CLEAR(self->pending_topic);
    return 0;
}

static void Consumer_dealloc(Consumer *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    release(self, 0);
    Consumer_clear(self);
    Py_CLEAR(self->topic_py);
    free(self->topic_c);
    for (int i = 0; i < self->nlogs; i++)
        free(self->logs[i]);
    pthread_mutex_destroy(&self->log_lock);
    freefunc tp_free = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tp_free(self);
    Py_DECREF(tp);
}

static PyObject *Consumer_close(Consumer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"commit", NULL};
    int commit = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|p", kwlist, &commit))
        return NULL;
    if (!self->c)
        return PyLong_FromLong(0);
    if (self->busy)
        return kfkpy_raise(KFK_ERR_STATE, "Consumer is in use by another thread");
    self->busy++;
    int err = release(self, commit);
    self->busy--;
    Consumer_clear(self);
    return PyLong_FromLong(err);
}

static PyObject *Consumer_closed(Consumer *self, void *unused)
{
    return PyBool_FromLong(self->c == NULL);
}

/* ----------------------------------------------------------- assignment */

static PyObject *rc_result(int rc, const char *what)
{
    if (rc)
        return kfkpy_raise(rc, what);
    Py_RETURN_NONE;
}

static PyObject *assign_with(Consumer *self, PyObject *arg,
                             int (*fn)(kfk_consumer *, const kfk_partition_list *), char fields)
{
    CHECK_OPEN(self);
    kfk_partition_list *l = list_from(arg, fields, fn == kfk_consumer_assign);
    if (!l && PyErr_Occurred())
        return NULL;
    int rc = fn(self->c, l);
    kfk_partition_list_destroy(l);
    return rc_result(rc, NULL);
}

static PyObject *Consumer_assign(Consumer *self, PyObject *arg)
{
    return assign_with(self, arg, kfk_consumer_assign, 'o');
}

static PyObject *Consumer_incremental_assign(Consumer *self, PyObject *arg)
{
    return assign_with(self, arg, kfk_consumer_incremental_assign, 'o');
}

static PyObject *Consumer_incremental_unassign(Consumer *self, PyObject *arg)
{
    return assign_with(self, arg, kfk_consumer_incremental_unassign, 0);
}

static PyObject *Consumer_assignment(Consumer *self, PyObject *unused)
{
    CHECK_OPEN(self);
    kfk_partition_list *l = kfk_consumer_assignment(self->c);
    if (!l)
        return PyErr_NoMemory();
    PyObject *out = parts_of(l, offset_tuple);
    kfk_partition_list_destroy(l);
    return out;
}

static PyObject *Consumer_subscribe(Consumer *self, PyObject *arg)
{
    CHECK_OPEN(self);
    if (!PySequence_Check(arg) || PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "subscribe takes a list of topic names, got %R", arg);
        return NULL;
    }
    Py_ssize_t n = PySequence_Size(arg);
    if (n < 0)
        return NULL;
    const char **names = PyMem_Calloc(n ? n : 1, sizeof *names);
    PyObject *items = PyTuple_New(n); /* keeps the strs alive */
    int rc = -1;
    if (!names || !items) {
        PyErr_NoMemory();
        goto out;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!(names[i] = name_at(arg, i, items)))
            goto out;
    }
    rc = kfk_consumer_subscribe(self->c, names, (int)n);
out:
    PyMem_Free(names);
    Py_XDECREF(items);
    if (rc < 0 && PyErr_Occurred())
        return NULL;
    return rc_result(rc, rc == KFK_ERR_INVALID_ARG
                             ? "subscribe needs group.id, at least one topic and valid patterns"
                             : NULL);
}

static PyObject *Consumer_unsubscribe(Consumer *self, PyObject *unused)
{
    CHECK_OPEN(self);
    int rc;
    self->busy++;
    Py_BEGIN_ALLOW_THREADS
    rc = kfk_consumer_unsubscribe(self->c);
    Py_END_ALLOW_THREADS
    self->busy--;
    if (self->pending_type) {
        PyErr_Restore(self->pending_type, self->pending_value, self->pending_tb);
        self->pending_type = self->pending_value = self->pending_tb = NULL;
        return NULL;
    }
    if (rc == KFK_ERR_NOENT)
        Py_RETURN_NONE;
    return rc_result(rc, NULL);
}

static PyObject *Consumer_subscription(Consumer *self, PyObject *unused)
{
    CHECK_OPEN(self);
    kfk_partition_list *l = kfk_consumer_subscription(self->c);
    if (!l)
        Py_RETURN_NONE;
    PyObject *out = PyList_New(l->count);
    for (int i = 0; out && i < l->count; i++) {
        PyObject *s = PyUnicode_FromString(l->elems[i].topic);
        if (!s) {
            Py_CLEAR(out);
            break;
        }
        PyList_SetItem(out, i, s);
    }
    kfk_partition_list_destroy(l);
    return out;
}

/* ----------------------------------------------------------------- poll */

/* *seen: the topic string of a message of the same poll batch (alive until
 * the batch is released) that self->topic_py already holds; the same
 * pointer is the same topic, with no strcmp. */
static PyObject *topic_str(Consumer *self, const char *topic, const char **seen)
{
    if (topic != *seen && (!self->topic_c || strcmp(self->topic_c, topic) != 0)) {
        char *copy = strdup(topic);
        PyObject *s = PyUnicode_FromString(topic);
        if (!copy || !s) {
            free(copy);
            Py_XDECREF(s);
            return s ? PyErr_NoMemory() : NULL;
        }
        free(self->topic_c);
        Py_XDECREF(self->topic_py);
        self->topic_c = copy;
        self->topic_py = s;
    }
    *seen = topic;
    Py_INCREF(self->topic_py);
    return self->topic_py;
}

static PyObject *bytes_or_none(const void *p, size_t len)
{
    if (!p)
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize(p, (Py_ssize_t)len);
}

static PyObject *deserialize(PyObject *fn, PyObject *raw)
{
    if (!raw || fn == Py_None || raw == Py_None)
        return raw;
    PyObject *v = PyObject_CallFunctionObjArgs(fn, raw, NULL);
    Py_DECREF(raw);
    return v;
}

/* The headers as a list of (str, bytes or None), NULL (not an exception)
 * when there are none: the record makes an empty list if it is read. */
static int headers_of(const kfk_consumer_message *m, PyObject **out, Py_ssize_t *size)
{
    *out = NULL;
    *size = -1;
    if (!m->header_count)
        return 0;
    PyObject *l = PyList_New((Py_ssize_t)m->header_count);
    if (!l)
        return -1;
    *size = 0;
    for (size_t i = 0; i < m->header_count; i++) {
        const kfk_header *h = &m->headers[i];
        PyObject *t = Py_BuildValue("(sN)", h->name, bytes_or_none(h->value, h->value_len));
        if (!t) {
            Py_DECREF(l);
            return -1;
        }
        *size += (Py_ssize_t)strlen(h->name) + (h->value ? (Py_ssize_t)h->value_len : 0);
        PyList_SetItem(l, (Py_ssize_t)i, t);
    }
    /* It holds (str, bytes) pairs only: no cycle unless the application
     * puts one in; untracked, the collector has less to visit. */
    PyObject_GC_UnTrack(l);
    *out = l;
    return 0;
}

static int atomic_value(PyObject *v)
{
    return v == Py_None || PyBytes_CheckExact(v) || PyUnicode_CheckExact(v) ||
           PyLong_CheckExact(v) || PyFloat_CheckExact(v);
}

/* The record of message m: a ConsumerRecord, or with as_tuple a plain
 * tuple of its fields. Numbers stay C values in the record (made ints when
 * read): a record is one allocation besides its key and value. */
static PyObject *record_of(Consumer *self, const kfk_consumer_message *m, int as_tuple,
                           PyObject *kd, PyObject *vd, const char **seen)
{
    PyObject *topic = topic_str(self, m->topic, seen);
    PyObject *key = deserialize(kd, bytes_or_none(m->key, m->key_len));
    PyObject *value = deserialize(vd, bytes_or_none(m->value, m->value_len));
    PyObject *headers;
    Py_ssize_t hsize;
    kfkpy_record *r = NULL;
    if (topic && key && value && headers_of(m, &headers, &hsize) == 0 &&
        !(r = kfkpy_record_alloc()))
        Py_XDECREF(headers);
    if (!r) {
        Py_XDECREF(topic);
        Py_XDECREF(key);
        Py_XDECREF(value);
        return NULL;
    }
    for (int i = 0; i < KFKPY_REC_N; i++)
        r->f[i] = NULL;
    r->f[KFKPY_REC_TOPIC] = topic;
    r->f[KFKPY_REC_KEY] = key;
    r->f[KFKPY_REC_VALUE] = value;
    r->f[KFKPY_REC_HEADERS] = headers;
    r->partition = m->partition;
    r->leader_epoch = m->leader_epoch;
    r->offset = m->offset;
    r->timestamp = m->timestamp;
    r->timestamp_type = m->timestamp_type == KFK_TIMESTAMP_CREATE       ? 0
                        : m->timestamp_type == KFK_TIMESTAMP_LOG_APPEND ? 1
                                                                        : -1;
    r->key_size = m->key ? (int32_t)m->key_len : -1;
    r->value_size = m->value ? (int32_t)m->value_len : -1;
    r->header_size = (int32_t)hsize;
    if (as_tuple) {
        PyObject *t = kfkpy_record_tuple(r);
        Py_DECREF(r);
        return t;
    }
    /* Made untracked: the collector need not visit a record whose key and
     * value hold no references (its headers list is untracked too). */
    if (!atomic_value(key) || !atomic_value(value))
        PyObject_GC_Track(r);
    return (PyObject *)r;
}

/* Raises what a callback or a partition error left for this call. */
static int raise_pending(Consumer *self)
{
    if (self->pending_type) {
        PyErr_Restore(self->pending_type, self->pending_value, self->pending_tb);
        self->pending_type = self->pending_value = self->pending_tb = NULL;
        return -1;
    }
    if (self->pending_err) {
        int err = self->pending_err;
        self->pending_err = 0;
        kfkpy_raise(err, self->pending_msg);
        /* Which partition: the exception's topic, partition and offset. */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyObject *partition = PyLong_FromLong(self->pending_partition);
        PyObject *offset = PyLong_FromLongLong(self->pending_offset);
        if (value && partition && offset && self->pending_topic &&
            (PyObject_SetAttrString(value, "topic", self->pending_topic) < 0 ||
             PyObject_SetAttrString(value, "partition", partition) < 0 ||
             PyObject_SetAttrString(value, "offset", offset) < 0))
            PyErr_Clear();
        Py_XDECREF(partition);
        Py_XDECREF(offset);
        Py_CLEAR(self->pending_topic);
        PyErr_Restore(type, value, tb);
        return -1;
    }
    return 0;
}

/* The same topic and partition: the pointers of one fetch's messages are
 * equal; others compare by name. */
static int same_partition(const kfk_consumer_message *a, const kfk_consumer_message *b)
{
    return a->partition == b->partition &&
           (a->topic == b->topic || strcmp(a->topic ? a->topic : "", b->topic ? b->topic : "") == 0);
}

/* Where a poll's records go: a list, or with tp_cls a dict of
 * per-partition lists. A partition's list is made at the size of the run
 * of its records in the batch, and filled by index. */
typedef struct {
    Consumer *self;
    PyObject *out, *tp_cls;
    PyObject *cur;       /* the list of the current run's partition */
    PyObject *cur_topic; /* its topic (a reference) */
    int32_t cur_part;
    Py_ssize_t fill, len; /* cur's next index and size: append past it */
} sink;

/* The tp_cls instance (topic, partition): a new reference, NULL with an
 * exception. */
static PyObject *tp_key(Consumer *self, PyObject *cls, PyObject *topic, int32_t partition)
{
    int keep = partition >= 0 && partition < TP_KEYS;
    if (keep && (self->tp_keys_topic != topic || self->tp_keys_cls != cls)) {
        clear_tp_keys(self);
        Py_INCREF(topic);
        self->tp_keys_topic = topic;
        Py_INCREF(cls);
        self->tp_keys_cls = cls;
    }
    if (keep && self->tp_keys[partition]) {
        Py_INCREF(self->tp_keys[partition]);
        return self->tp_keys[partition];
    }
    PyObject *key = NULL, *kt = Py_BuildValue("((Oi))", topic, (int)partition);
    if (kt)
        key = kfkpy_tuple_new((PyTypeObject *)cls, kt, NULL);
    Py_XDECREF(kt);
    if (key && keep) {
        Py_INCREF(key);
        self->tp_keys[partition] = key;
    }
    return key;
}

/* Opens the run of msgs[i] (its records up to the next other partition or
 * error): finds or makes its partition's list. */
static int sink_open(sink *s, PyObject *topic, kfk_consumer_message *const *msgs, int i, int n)
{
    const kfk_consumer_message *m = msgs[i];
    Py_ssize_t run = 1;
    while (i + run < n && !msgs[i + run]->err && same_partition(msgs[i + run], m))
        run++;
    PyObject *key = tp_key(s->self, s->tp_cls, topic, m->partition);
    PyObject *l = key ? PyDict_GetItem(s->out, key) : NULL;
    Py_ssize_t fill = 0, len = 0;
    if (l) {
        fill = len = PyList_Size(l); /* a run before this one: appended to */
    } else if (key) {
        l = PyList_New(run);
        if (l && PyDict_SetItem(s->out, key, l) < 0)
            Py_CLEAR(l);
        Py_XDECREF(l); /* the dict owns it */
        len = run;
    }
    Py_XDECREF(key);
    if (!l)
        return -1;
    s->cur = l;
    s->fill = fill;
    s->len = len;
    Py_INCREF(topic);
    XSETREF(s->cur_topic, topic);
    s->cur_part = m->partition;
    return 0;
}

/* Adds record r of msgs[i] (topic: its topic). Steals r. */
static int sink_add(sink *s, PyObject *r, PyObject *topic, kfk_consumer_message *const *msgs,
                    int i, int n)
{
    if (!r)
        return -1;
    if (s->tp_cls == Py_None) {
        int rc = PyList_Append(s->out, r);
        Py_DECREF(r);
        return rc;
    }
    if ((!s->cur || topic != s->cur_topic || msgs[i]->partition != s->cur_part) &&
        sink_open(s, topic, msgs, i, n) < 0) {
        Py_DECREF(r);
        return -1;
    }
    if (s->fill < s->len)
        return PyList_SetItem(s->cur, s->fill++, r); /* steals r */
    int rc = PyList_Append(s->cur, r);
    Py_DECREF(r);
    return rc;
}

static PyObject *Consumer_poll(Consumer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"timeout_ms", "max_records", "record_cls", "key_deserializer",
                             "value_deserializer", "tp_cls", "store", NULL};
    int timeout_ms, max = 0, store = 0;
    PyObject *cls = Py_None, *kd = Py_None, *vd = Py_None, *tp_cls = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "i|iOOOOp", kwlist, &timeout_ms, &max, &cls, &kd,
                                     &vd, &tp_cls, &store))
        return NULL;
    CHECK_OPEN(self);
    if (raise_pending(self) < 0)
        return NULL;
    if ((cls != Py_None && cls != (PyObject *)kfkpy_record_type) ||
        (tp_cls != Py_None &&
         (!PyType_Check(tp_cls) || !PyType_IsSubtype((PyTypeObject *)tp_cls, &PyTuple_Type)))) {
        PyErr_SetString(PyExc_TypeError,
                        "record_cls must be ConsumerRecord or None, tp_cls a tuple subclass");
        return NULL;
    }
    if (self->polling)
        return kfkpy_raise(KFK_ERR_STATE, "Consumer is being polled by another thread");
    PyObject *out = tp_cls == Py_None ? PyList_New(0) : PyDict_New();
    if (!out)
        return NULL;
    sink sk = {self, out, tp_cls, NULL, NULL, -1, 0, 0};
    kfk_consumer_message *msgs[BATCH_MAX];
    int first = 1, count = 0, failed = 0;
    self->polling = 1;
    self->busy++;
    while (!failed) {
        int want = max > 0 ? max - count : BATCH_MAX;
        if (want <= 0)
            break;
        if (want > BATCH_MAX)
            want = BATCH_MAX;
        int n, wait = first ? timeout_ms : 0;
        Py_BEGIN_ALLOW_THREADS
        n = kfk_consumer_poll_batch(self->c, msgs, want, wait);
        Py_END_ALLOW_THREADS
        first = 0;
        int i = 0, errors = 0;
        const char *seen = NULL;
        for (; i < n; i++) {
            const kfk_consumer_message *m = msgs[i];
            if (m->err == KFK_ERR_PARTITION_EOF)
                continue;
            if (m->err) {
                /* The first one is raised; other partitions' records go on. */
                errors++;
                if (self->pending_err)
                    continue;
                self->pending_err = m->err;
                if (m->err == KFK_ERR_OFFSET_OUT_OF_RANGE && m->offset < 0)
                    snprintf(self->pending_msg, sizeof self->pending_msg,
                             "%s [%d]: no offset to start from (none committed) and "
                             "auto.offset.reset is none",
                             m->topic ? m->topic : "?", (int)m->partition);
                else
                    snprintf(self->pending_msg, sizeof self->pending_msg,
                             "%s [%d] at offset %lld: %s", m->topic ? m->topic : "?",
                             (int)m->partition, (long long)m->offset, kfk_err_str(m->err));
                Py_XDECREF(self->pending_topic);
                self->pending_topic = PyUnicode_FromString(m->topic ? m->topic : "");
                if (!self->pending_topic)
                    PyErr_Clear();
                self->pending_partition = m->partition;
                self->pending_offset = m->offset;
                continue;
            }
            PyObject *r = record_of(self, m, cls == Py_None, kd, vd, &seen);
            if (sink_add(&sk, r, self->topic_py, msgs, i, n) < 0) {
                failed = 1;
                break;
            }
            count++;
            /* The last record of each run from one partition marks it done. */
            if (store && (i + 1 == n || !same_partition(msgs[i + 1], m)))
                kfk_consumer_store_offset(self->c, m);
        }
        kfk_consumer_messages_release(msgs, n);
        if (i < n || errors || n < want || max <= 0 || self->pending_type)
            break;
    }
    self->busy--;
    self->polling = 0;
    Py_XDECREF(sk.cur_topic);
    if (failed || (count == 0 && raise_pending(self) < 0)) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

/* -------------------------------------------------------------- offsets */

/* (topic, partition, offset or timestamp) through fn. */
static PyObject *seek_with(Consumer *self, PyObject *args,
                           int (*fn)(kfk_consumer *, const char *, int32_t, int64_t))
{
    const char *topic;
    int partition;
    long long where;
    if (!PyArg_ParseTuple(args, "siL", &topic, &partition, &where))
        return NULL;
    CHECK_OPEN(self);
    int rc = fn(self->c, topic, partition, where);
    return rc_result(rc, rc == KFK_ERR_NOENT ? "seek: the partition is not assigned" : NULL);
}

static PyObject *Consumer_seek(Consumer *self, PyObject *args)
{
    return seek_with(self, args, kfk_consumer_seek);
}

static PyObject *Consumer_seek_time(Consumer *self, PyObject *args)
{
    return seek_with(self, args, kfk_consumer_seek_time);
}

static PyObject *pause_with(Consumer *self, PyObject *arg,
                            int (*fn)(kfk_consumer *, kfk_partition_list *))
{
    CHECK_OPEN(self);
    kfk_partition_list *l = list_from(arg, 0, 0);
    if (!l)
        return NULL;
    fn(self->c, l);
    PyObject *out = parts_of(l, err_tuple);
    kfk_partition_list_destroy(l);
    return out;
}

static PyObject *Consumer_pause(Consumer *self, PyObject *arg)
{
    return pause_with(self, arg, kfk_consumer_pause);
}

static PyObject *Consumer_resume(Consumer *self, PyObject *arg)
{
    return pause_with(self, arg, kfk_consumer_resume);
}

static PyObject *Consumer_position(Consumer *self, PyObject *arg)
{
    CHECK_OPEN(self);
    kfk_partition_list *l = list_from(arg, 0, 0);
    if (!l)
        return NULL;
    kfk_consumer_position(self->c, l);
    PyObject *out = parts_of(l, position_tuple);
    kfk_partition_list_destroy(l);
    return out;
}

static PyObject *Consumer_committed(Consumer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"partitions", "timeout_ms", NULL};
    PyObject *arg;
    int timeout_ms = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i", kwlist, &arg, &timeout_ms))
        return NULL;
    CHECK_OPEN(self);
    kfk_partition_list *l = list_from(arg, 0, 0);
    if (!l)
        return NULL;
    int rc;
    self->busy++;
    Py_BEGIN_ALLOW_THREADS
    rc = kfk_consumer_committed(self->c, l, timeout_ms);
    Py_END_ALLOW_THREADS
    self->busy--;
    PyObject *out = NULL;
    if (rc)
        kfkpy_raise(rc, rc == KFK_ERR_INVALID_ARG ? "committed needs a group_id" : NULL);
    else
        out = parts_of(l, committed_tuple);
    kfk_partition_list_destroy(l);
    return out;
}

static PyObject *Consumer_commit(Consumer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"offsets", "asynchronous", NULL};
    PyObject *arg = Py_None;
    int async = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|Op", kwlist, &arg, &async))
        return NULL;
    CHECK_OPEN(self);
    kfk_partition_list *l = list_from(arg, 'o', 1);
    if (!l && PyErr_Occurred())
        return NULL;
    int rc;
    self->busy++;
    Py_BEGIN_ALLOW_THREADS
    rc = kfk_consumer_commit(self->c, l, async);
    Py_END_ALLOW_THREADS
    self->busy--;
    kfk_partition_list_destroy(l);
    if (rc == KFK_ERR_NOENT && !l)
        Py_RETURN_NONE; /* nothing to commit */
    return rc_result(rc, rc == KFK_ERR_INVALID_ARG
                             ? "commit needs a group_id and offsets >= 0"
                             : NULL);
}

static PyObject *Consumer_store_offsets(Consumer *self, PyObject *arg)
{
    CHECK_OPEN(self);
    kfk_partition_list *l = list_from(arg, 'o', 0);
    if (!l)
        return NULL;
    kfk_consumer_store_offsets(self->c, l);
    PyObject *out = parts_of(l, err_tuple);
    kfk_partition_list_destroy(l);
    return out;
}

/* Puts record r's end (offset + 1, leader_epoch) into l for its partition. */
static int store_end(kfk_partition_list *l, kfkpy_record *r)
{
    PyObject *topic = r->f[KFKPY_REC_TOPIC];
    PyObject *part = kfkpy_record_field(r, KFKPY_REC_PARTITION);
    PyObject *epoch = kfkpy_record_field(r, KFKPY_REC_LEADER_EPOCH);
    PyObject *offset = kfkpy_record_field(r, KFKPY_REC_OFFSET);
    long p = part ? PyLong_AsLong(part) : -1;
    long ep = epoch == Py_None ? -1 : epoch ? PyLong_AsLong(epoch) : -1;
    long long off = offset ? PyLong_AsLongLong(offset) : -1;
    Py_XDECREF(part);
    Py_XDECREF(epoch);
    Py_XDECREF(offset);
    PyObject *tb = topic && !PyErr_Occurred() ? PyUnicode_AsUTF8String(topic) : NULL;
    if (!tb || PyErr_Occurred()) {
        Py_XDECREF(tb);
        return -1;
    }
    const char *t = PyBytes_AsString(tb);
    kfk_partition *e = kfk_partition_list_find(l, t, (int32_t)p);
    if (!e)
        e = kfk_partition_list_add(l, t, (int32_t)p);
    Py_DECREF(tb);
    if (!e) {
        PyErr_NoMemory();
        return -1;
    }
    e->offset = off + 1;
    e->leader_epoch = (int32_t)ep;
    return 0;
}

/* Stores the end of the first n records (kafka-python ConsumerRecord field
 * order: topic, partition, leader_epoch, offset, ...) as their partitions'
 * stored offsets: what iteration hands out is done once handed out. Only
 * the last record of each run from one partition is read in full. */
static PyObject *Consumer_store_records(Consumer *self, PyObject *args)
{
    PyObject *records;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "On", &records, &n))
        return NULL;
    CHECK_OPEN(self);
    if (!PyList_Check(records) || n < 0 || n > PyList_Size(records)) {
        PyErr_SetString(PyExc_ValueError, "store_records takes a list of records and a count");
        return NULL;
    }
    kfk_partition_list *l = kfk_partition_list_new(8);
    if (!l)
        return PyErr_NoMemory();
    kfkpy_record *run = NULL; /* the last record of the current run */
    for (Py_ssize_t i = 0; i < n; i++) {
        kfkpy_record *r = (kfkpy_record *)PyList_GetItem(records, i);
        if (!r || !PyObject_TypeCheck((PyObject *)r, kfkpy_record_type)) {
            PyErr_Format(PyExc_TypeError, "record %zd is not a ConsumerRecord", i);
            goto fail;
        }
        if (run && r->f[KFKPY_REC_TOPIC] == run->f[KFKPY_REC_TOPIC] &&
            r->f[KFKPY_REC_PARTITION] == run->f[KFKPY_REC_PARTITION] &&
            r->partition == run->partition) {
            run = r;
            continue;
        }
        if (run && store_end(l, run) < 0)
            goto fail;
        run = r;
    }
    if (run && store_end(l, run) < 0)
        goto fail;
    if (l->count)
        kfk_consumer_store_offsets(self->c, l);
    kfk_partition_list_destroy(l);
    Py_RETURN_NONE;
fail:
    kfk_partition_list_destroy(l);
    return NULL;
}

static PyObject *Consumer_task_done(Consumer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"topic", "partition", "offset", "leader_epoch", NULL};
    const char *topic;
    int partition, epoch = -1;
    long long offset;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "siL|i", kwlist, &topic, &partition, &offset,
                                     &epoch))
        return NULL;
    CHECK_OPEN(self);
    /* The fields task_done reads, for a record whose message was released. */
    kfk_consumer_message m;
    memset(&m, 0, sizeof m);
    m.topic = topic;
    m.partition = partition;
    m.offset = offset;
    m.leader_epoch = epoch;
    int rc = kfk_consumer_task_done(self->c, &m);
    return rc_result(rc, rc == KFK_ERR_NOENT ? "task_done: the partition is not assigned" : NULL);
}

static PyObject *Consumer_pop_logs(Consumer *self, PyObject *unused)
{
    pthread_mutex_lock(&self->log_lock);
    int n = self->nlogs;
    char *lines[LOG_MAX];
    memcpy(lines, self->logs, n * sizeof *lines);
    self->nlogs = 0;
    pthread_mutex_unlock(&self->log_lock);
    PyObject *out = PyList_New(n);
    for (int i = 0; i < n; i++) {
        PyObject *s = out ? PyUnicode_DecodeUTF8(lines[i], strlen(lines[i]), "replace") : NULL;
        if (s)
            PyList_SetItem(out, i, s);
        else
            Py_CLEAR(out);
        free(lines[i]);
    }
    return out;
}

static PyObject *Consumer_watermarks(Consumer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"topic", "partition", "timeout_ms", NULL};
    const char *topic;
    int partition, timeout_ms = 0, rc;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "si|i", kwlist, &topic, &partition, &timeout_ms))
        return NULL;
    CHECK_OPEN(self);
    int64_t low = -1, high = -1;
    self->busy++;
    Py_BEGIN_ALLOW_THREADS
    rc = kfk_consumer_watermarks(self->c, topic, partition, &low, &high,
                                 timeout_ms > 0 ? timeout_ms : 60000);
    Py_END_ALLOW_THREADS
    self->busy--;
    if (rc)
        return kfkpy_raise(rc, NULL);
    return Py_BuildValue("(LL)", (long long)low, (long long)high);
}

static PyObject *Consumer_cached_watermarks(Consumer *self, PyObject *args)
{
    const char *topic;
    int partition;
    if (!PyArg_ParseTuple(args, "si", &topic, &partition))
        return NULL;
    CHECK_OPEN(self);
    int64_t low = -1, high = -1;
    int rc = kfk_consumer_cached_watermarks(self->c, topic, partition, &low, &high);
    if (rc)
        return kfkpy_raise(rc, rc == KFK_ERR_NOENT ? "the partition is not assigned" : NULL);
    return Py_BuildValue("(LL)", (long long)low, (long long)high);
}

static PyObject *Consumer_lag(Consumer *self, PyObject *args)
{
    const char *topic;
    int partition;
    if (!PyArg_ParseTuple(args, "si", &topic, &partition))
        return NULL;
    CHECK_OPEN(self);
    return PyLong_FromLongLong(kfk_consumer_lag(self->c, topic, partition));
}

static PyObject *Consumer_list_offsets(Consumer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"partitions", "timeout_ms", NULL};
    PyObject *arg;
    int timeout_ms = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i", kwlist, &arg, &timeout_ms))
        return NULL;
    CHECK_OPEN(self);
    kfk_partition_list *l = list_from(arg, 't', 0);
    if (!l)
        return NULL;
    int rc;
    self->busy++;
    Py_BEGIN_ALLOW_THREADS
    rc = kfk_consumer_list_offsets(self->c, l, timeout_ms > 0 ? timeout_ms : 60000);
    Py_END_ALLOW_THREADS
    self->busy--;
    PyObject *out = NULL;
    if (rc && rc != KFK_ERR_PARTIAL)
        kfkpy_raise(rc, NULL);
    else
        out = parts_of(l, timed_tuple);
    kfk_partition_list_destroy(l);
    return out;
}

static PyObject *Consumer_offsets_view(Consumer *self, PyObject *unused)
{
    CHECK_OPEN(self);
    kfk_offsets_view *v = kfk_consumer_offsets_view(self->c);
    if (!v)
        return PyErr_NoMemory();
    PyObject *out = PyList_New(v->count);
    for (int i = 0; out && i < v->count; i++) {
        const kfk_partition_offsets *e = &v->elems[i];
        PyObject *t = Py_BuildValue("(siLLLL)", e->topic, (int)e->partition,
                                    (long long)e->position, (long long)e->high_watermark,
                                    (long long)e->committed, (long long)e->done);
        if (!t) {
            Py_CLEAR(out);
            break;
        }
        PyList_SetItem(out, i, t);
    }
    kfk_offsets_view_destroy(v);
    return out;
}

/* ------------------------------------------------------ cluster, group */

static PyObject *Consumer_metadata(Consumer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"topics", "timeout_ms", "internal", NULL};
    PyObject *arg = Py_None;
    int timeout_ms = 0, internal = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|Oip", kwlist, &arg, &timeout_ms, &internal))
        return NULL;
    CHECK_OPEN(self);
    Py_ssize_t n = -1;
    const char **names = NULL;
    PyObject *items = NULL, *out = NULL;
    if (arg != Py_None) {
        if (!PySequence_Check(arg) || PyUnicode_Check(arg)) {
            PyErr_Format(PyExc_TypeError, "metadata takes a list of topic names, got %R", arg);
            return NULL;
        }
        n = PySequence_Size(arg);
        if (n < 0)
            return NULL;
        names = PyMem_Calloc(n ? n : 1, sizeof *names);
        items = PyTuple_New(n);
        if (!names || !items) {
            PyErr_NoMemory();
            goto out;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            if (!(names[i] = name_at(arg, i, items)))
                goto out;
        }
    }
    kfk_partition_list *l = NULL;
    int err;
    self->busy++;
    Py_BEGIN_ALLOW_THREADS
    err = kfk_consumer_topic_partitions(self->c, names, (int)n, internal, timeout_ms, &l);
    Py_END_ALLOW_THREADS
    self->busy--;
    if (err) {
        kfkpy_raise(err, kfk_err_str(err));
        goto out;
    }
    /* Sorted by topic: each topic's ids are one run of the list. */
    out = PyDict_New();
    for (int i = 0, j; out && i < l->count; i = j) {
        const char *topic = l->elems[i].topic;
        for (j = i; j < l->count && strcmp(l->elems[j].topic, topic) == 0; j++)
            ;
        if (l->elems[i].partition < 0)
            continue; /* the topic's error: left out */
        PyObject *ids = PyList_New(j - i);
        for (int k = i; ids && k < j; k++) {
            PyObject *id = PyLong_FromLong(l->elems[k].partition);
            if (!id)
                Py_CLEAR(ids);
            else
                PyList_SetItem(ids, k - i, id);
        }
        if (!ids || PyDict_SetItemString(out, topic, ids) < 0)
            Py_CLEAR(out);
        Py_XDECREF(ids);
    }
    kfk_partition_list_destroy(l);
out:
    PyMem_Free(names);
    Py_XDECREF(items);
    return out;
}

static PyObject *Consumer_group_metadata(Consumer *self, PyObject *unused)
{
    CHECK_OPEN(self);
    kfk_group_metadata *gm = kfk_consumer_group_metadata(self->c);
    if (!gm)
        Py_RETURN_NONE;
    PyObject *out = Py_BuildValue("(sisz)", kfk_group_metadata_group_id(gm),
                                  (int)kfk_group_metadata_generation_id(gm),
                                  kfk_group_metadata_member_id(gm),
                                  kfk_group_metadata_group_instance_id(gm));
    kfk_group_metadata_destroy(gm);
    return out;
}

static PyObject *Consumer_generation(Consumer *self, PyObject *unused)
{
    CHECK_OPEN(self);
    return PyLong_FromLong(kfk_consumer_generation(self->c));
}

static PyObject *Consumer_rebalance_protocol(Consumer *self, PyObject *unused)
{
    CHECK_OPEN(self);
    return PyUnicode_FromString(kfk_consumer_rebalance_protocol(self->c));
}

static PyObject *Consumer_stats(Consumer *self, PyObject *unused)
{
    CHECK_OPEN(self);
    kfk_consumer_stats s;
    kfk_consumer_stats_get(self->c, &s);
    return Py_BuildValue("{sLsLsLsLsLsLsLsLsL}", "fetch_requests", (long long)s.fetch_requests,
                         "messages", (long long)s.messages, "offset_resets",
                         (long long)s.offset_resets, "commits", (long long)s.commits,
                         "rebalances", (long long)s.rebalances, "throttles",
                         (long long)s.throttles, "throttle_ms", (long long)s.throttle_ms,
                         "truncations", (long long)s.truncations, "rebootstraps",
                         (long long)s.rebootstraps);
}

/* ----------------------------------------------------------------- type */

#define KW (METH_VARARGS | METH_KEYWORDS)
static PyMethodDef Consumer_methods[] = {
    {"close", (PyCFunction)(void (*)(void))Consumer_close, KW, "Closes (commit=True)."},
    {"assign", (PyCFunction)Consumer_assign, METH_O, "Replaces the assignment."},
    {"incremental_assign", (PyCFunction)Consumer_incremental_assign, METH_O, "Adds partitions."},
    {"incremental_unassign", (PyCFunction)Consumer_incremental_unassign, METH_O,
     "Removes partitions."},
    {"assignment", (PyCFunction)Consumer_assignment, METH_NOARGS, "The assignment."},
    {"subscribe", (PyCFunction)Consumer_subscribe, METH_O, "Subscribes to topics/patterns."},
    {"unsubscribe", (PyCFunction)Consumer_unsubscribe, METH_NOARGS, "Leaves the group."},
    {"subscription", (PyCFunction)Consumer_subscription, METH_NOARGS, "The subscription."},
    {"poll", (PyCFunction)(void (*)(void))Consumer_poll, KW, "Records polled."},
    {"seek", (PyCFunction)Consumer_seek, METH_VARARGS, "Moves a partition's position."},
    {"seek_time", (PyCFunction)Consumer_seek_time, METH_VARARGS, "Seeks to a timestamp."},
    {"pause", (PyCFunction)Consumer_pause, METH_O, "Stops fetching partitions."},
    {"resume", (PyCFunction)Consumer_resume, METH_O, "Restarts fetching partitions."},
    {"position", (PyCFunction)Consumer_position, METH_O, "Positions of partitions."},
    {"committed", (PyCFunction)(void (*)(void))Consumer_committed, KW, "Committed offsets."},
    {"commit", (PyCFunction)(void (*)(void))Consumer_commit, KW, "Commits offsets."},
    {"store_offsets", (PyCFunction)Consumer_store_offsets, METH_O, "Stores offsets."},
    {"task_done", (PyCFunction)(void (*)(void))Consumer_task_done, KW, "Marks a record done."},
    {"store_records", (PyCFunction)Consumer_store_records, METH_VARARGS,
     "Stores the end of the first n records."},
    {"pop_logs", (PyCFunction)Consumer_pop_logs, METH_NOARGS, "kfk's log lines since last."},
    {"watermarks", (PyCFunction)(void (*)(void))Consumer_watermarks, KW, "(low, high)."},
    {"cached_watermarks", (PyCFunction)Consumer_cached_watermarks, METH_VARARGS,
     "(low, high) from the last fetch."},
    {"lag", (PyCFunction)Consumer_lag, METH_VARARGS, "High watermark minus position."},
    {"list_offsets", (PyCFunction)(void (*)(void))Consumer_list_offsets, KW, "ListOffsets."},
    {"offsets_view", (PyCFunction)Consumer_offsets_view, METH_NOARGS, "Offsets of each partition."},
    {"metadata", (PyCFunction)(void (*)(void))Consumer_metadata, KW, "{topic: [partitions]}."},
    {"group_metadata", (PyCFunction)Consumer_group_metadata, METH_NOARGS, "Group metadata."},
    {"generation", (PyCFunction)Consumer_generation, METH_NOARGS, "Group generation."},
    {"rebalance_protocol", (PyCFunction)Consumer_rebalance_protocol, METH_NOARGS,
     "EAGER or COOPERATIVE."},
    {"stats", (PyCFunction)Consumer_stats, METH_NOARGS, "Counters."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Consumer_getset[] = {
    {"closed", (getter)Consumer_closed, NULL, "Whether close() was called.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Consumer_slots[] = {
    {Py_tp_new, Consumer_new},
    {Py_tp_init, Consumer_init},
    {Py_tp_dealloc, Consumer_dealloc},
    {Py_tp_traverse, Consumer_traverse},
    {Py_tp_clear, Consumer_clear},
    {Py_tp_methods, Consumer_methods},
    {Py_tp_getset, Consumer_getset},
    {Py_tp_doc, "kfk_consumer: kfk.KafkaConsumer's C core."},
    {0, NULL},
};

static PyType_Spec Consumer_spec = {
    "kfk._kfk.Consumer", sizeof(Consumer), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    Consumer_slots,
};

int kfkpy_consumer_add(PyObject *module)
{
    PyObject *type = PyType_FromSpec(&Consumer_spec);
    if (!type || PyModule_AddObject(module, "Consumer", type) < 0) {
        Py_XDECREF(type);
        return -1;
    }
    if (PyModule_AddIntConstant(module, "OFFSET_BEGINNING", KFK_OFFSET_BEGINNING) < 0 ||
        PyModule_AddIntConstant(module, "OFFSET_END", KFK_OFFSET_END) < 0 ||
        PyModule_AddIntConstant(module, "OFFSET_STORED", KFK_OFFSET_STORED) < 0 ||
        PyModule_AddIntConstant(module, "OFFSET_INVALID", KFK_OFFSET_INVALID) < 0 ||
        PyModule_AddIntConstant(module, "REBALANCE_ASSIGNED", KFK_REBALANCE_ASSIGNED) < 0 ||
        PyModule_AddIntConstant(module, "REBALANCE_REVOKED", KFK_REBALANCE_REVOKED) < 0 ||
        PyModule_AddIntConstant(module, "REBALANCE_LOST", KFK_REBALANCE_LOST) < 0)
        return -1;
    return 0;
}
