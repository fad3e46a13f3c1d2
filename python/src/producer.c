/* kfk._kfk.Producer: kfk_producer for kfk.KafkaProducer, and the future
 * each send returns (kfk._kfk.FutureRecordMetadata).
 *
 * The send path is C end to end: serializers are called from here, the
 * record goes to kfk_producer_send without a copy on our side, and the
 * future is the only object made per message. Delivery reports complete
 * futures on the thread that polls (send, poll, flush, get, close), never
 * on kfk's I/O thread. */
#include "kfkpy.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define MAX_HEADERS 64

/* Set by kfk/producer/future.py: the classes a future hands out and the
 * function that logs an exception raised by a user's callback. */
static PyObject *record_metadata_cls, *topic_partition_cls, *callback_failed;
static PyObject *future_type, *producer_type;

/* The thread state saved while this thread waits in kfk with the GIL
 * released; NULL while it holds the GIL. A delivery callback takes the GIL
 * back through it. */
static _Thread_local PyThreadState *released;
/* Set while this thread runs delivery callbacks: no waiting from inside. */
static _Thread_local int in_delivery;

/* Runs stmt, a call into producer self's kfk_producer, with the GIL
 * released; close waits until no thread is inside one. */
#define BLOCKING(self, stmt)                                                                   \
    do {                                                                                       \
        atomic_fetch_add(&(self)->busy, 1);                                                    \
        released = PyEval_SaveThread();                                                        \
        stmt;                                                                                  \
        PyEval_RestoreThread(released);                                                        \
        released = NULL;                                                                       \
        atomic_fetch_sub(&(self)->busy, 1);                                                    \
    } while (0)

typedef struct Producer {
    PyObject_HEAD
    kfk_producer *p;
    kfk_admin *admin;      /* made on the first partitions_for */
    PyObject *admin_conf;  /* dict for that admin */
    PyObject *topics;      /* topic name -> its UTF-8 bytes */
    PyObject *last_topic, *last_utf8; /* the last entry used: sends to one
                                         topic skip the dict */
    PyObject *key_ser, *value_ser; /* callables or NULL */
    int ser_full;          /* serializers take (topic, headers, data) */
    int max_block_ms;
    atomic_int busy;       /* threads inside BLOCKING */
} Producer;

enum { PENDING, SUCCEEDED, FAILED };

typedef struct Future {
    PyObject_HEAD
    Producer *owner;       /* while pending: the producer to poll (borrowed:
                              a producer completes every pending future
                              before it goes) */
    PyObject *topic;
    int32_t partition;
    int state;
    int64_t offset, timestamp;
    int32_t key_size, value_size, header_size;
    PyObject *value;       /* RecordMetadata, made on first use */
    PyObject *exception;
    PyObject *callbacks, *errbacks; /* see future_fire; or NULL */
} Future;

/* ------------------------------------------------------------------ future */

/* A vectorcall's arguments as (args tuple, kwargs dict or NULL), for the
 * slow paths that parse them the classic way. */
static int classic_args(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                        PyObject **tuple, PyObject **dict)
{
    *dict = NULL;
    if (!(*tuple = PyTuple_New(nargs)))
        return -1;
    for (Py_ssize_t i = 0; i < nargs; i++) {
        Py_INCREF(args[i]);
        PyTuple_SetItem(*tuple, i, args[i]);
    }
    Py_ssize_t nk = kwnames ? PyTuple_Size(kwnames) : 0;
    if (nk == 0)
        return 0;
    if (!(*dict = PyDict_New()))
        goto fail;
    for (Py_ssize_t j = 0; j < nk; j++)
        if (PyDict_SetItem(*dict, PyTuple_GetItem(kwnames, j), args[nargs + j]) < 0)
            goto fail;
    return 0;
fail:
    Py_CLEAR(*tuple);
    Py_CLEAR(*dict);
    return -1;
}

/* TopicPartitions already made: topic -> list indexed by partition. They
 * are immutable, so every future of a partition shares one. */
static PyObject *tp_cache;
/* The last topic looked up there and its list: a run of reports for one
 * topic skips the dict. */
static PyObject *tp_last_topic, *tp_last_list;

static void tp_cache_clear(void)
{
    Py_CLEAR(tp_last_topic);
    Py_CLEAR(tp_last_list);
    if (tp_cache)
        PyDict_Clear(tp_cache);
}

/* cls(*items) for a namedtuple class cls; steals items (a tuple). Its
 * contents are atomic or such tuples: untracked, as CPython would untrack
 * a plain tuple of them at its next collection. */
static PyObject *namedtuple_of(PyObject *cls, PyObject *items)
{
    static PyObject *holder; /* (items,): kfkpy_tuple_new keeps no reference */
    if (!items)
        return NULL;
    if (!holder || Py_REFCNT(holder) != 1) {
        Py_XDECREF(holder);
        if (!(holder = PyTuple_New(1))) {
            Py_DECREF(items);
            return NULL;
        }
    }
    PyTuple_SetItem(holder, 0, items);
    PyObject *r = kfkpy_tuple_new((PyTypeObject *)cls, holder, NULL);
    if (r)
        PyObject_GC_UnTrack(r);
    return r;
}

static PyObject *topic_partition(PyObject *topic, int32_t partition)
{
    if (!topic_partition_cls) {
        PyErr_SetString(PyExc_RuntimeError, "import kfk first (kfk.producer.future)");
        return NULL;
    }
    if (partition < 0 || partition > 65535)
        return namedtuple_of(topic_partition_cls, Py_BuildValue("(Oi)", topic, partition));
    PyObject *list = tp_last_list;
    if (topic != tp_last_topic) {
        list = tp_cache ? PyDict_GetItemWithError(tp_cache, topic) : NULL;
        if (!list && PyErr_Occurred())
            return NULL;
        if (list) {
            Py_CLEAR(tp_last_topic);
            Py_CLEAR(tp_last_list);
            Py_INCREF(topic);
            Py_INCREF(list);
            tp_last_topic = topic;
            tp_last_list = list;
        }
    }
    if (list && partition < PyList_Size(list)) {
        PyObject *tp = PyList_GetItem(list, partition);
        if (tp != Py_None) {
            Py_INCREF(tp);
            return tp;
        }
    }
    PyObject *tp = namedtuple_of(topic_partition_cls, Py_BuildValue("(Oi)", topic, partition));
    if (!tp)
        return NULL;
    if (!tp_cache && !(tp_cache = PyDict_New()))
        goto fail;
    if (!list) {
        if (PyDict_Size(tp_cache) >= 1024)
            tp_cache_clear();
        if (!(list = PyList_New(0)) || PyDict_SetItem(tp_cache, topic, list) < 0) {
            Py_XDECREF(list);
            goto fail;
        }
        Py_DECREF(list); /* the dict owns it */
    }
    while (PyList_Size(list) <= partition)
        if (PyList_Append(list, Py_None) < 0)
            goto fail;
    Py_INCREF(tp);
    PyList_SetItem(list, partition, tp);
    return tp;
fail:
    Py_DECREF(tp);
    return NULL;
}

/* The int for a timestamp, reusing the last one made when equal: records
 * sent within one millisecond are reported one after another. */
static PyObject *timestamp_int(int64_t ts)
{
    static PyObject *last;
    static int64_t last_ts;
    if (!last || last_ts != ts) {
        PyObject *t = PyLong_FromLongLong(ts);
        if (!t)
            return NULL;
        Py_XDECREF(last);
        last = t;
        last_ts = ts;
    }
    Py_INCREF(last);
    return last;
}

static PyObject *future_value(Future *f)
{
    if (f->state != SUCCEEDED)
        Py_RETURN_NONE;
    if (!record_metadata_cls) {
        PyErr_SetString(PyExc_RuntimeError, "import kfk first (kfk.producer.future)");
        return NULL;
    }
    if (!f->value) {
        PyObject *tp = topic_partition(f->topic, f->partition);
        if (!tp)
            return NULL;
        PyObject *items[] = {
            PyLong_FromLong(f->partition),     PyLong_FromLongLong(f->offset),
            timestamp_int(f->timestamp),       PyLong_FromLong(f->key_size),
            PyLong_FromLong(f->value_size),    PyLong_FromLong(f->header_size),
        };
        int ok = 1;
        for (size_t i = 0; i < sizeof items / sizeof *items; i++)
            ok &= items[i] != NULL;
        /* PyTuple_Pack, not Py_BuildValue: parsing its format cost more
         * than the rest. Made by tuple's tp_new, not allocated and filled
         * here: tuples cache their hash from 3.14, and only it sets that up. */
        if (ok)
            f->value = namedtuple_of(record_metadata_cls,
                                     PyTuple_Pack(9, f->topic, items[0], tp, items[1], items[2],
                                                  Py_None, items[3], items[4], items[5]));
        for (size_t i = 0; i < sizeof items / sizeof *items; i++)
            Py_XDECREF(items[i]);
        Py_DECREF(tp);
        if (!f->value)
            return NULL;
    }
    Py_INCREF(f->value);
    return f->value;
}

/* A stored callback is the callable itself, or (for add_callback(fn, *args))
 * the call's own args tuple: (fn, *args). Calls it with arg appended. */
static PyObject *call_entry(PyObject *entry, PyObject *arg)
{
    if (!PyTuple_CheckExact(entry))
        return PyObject_CallFunctionObjArgs(entry, arg, NULL);
    Py_ssize_t n = PyTuple_Size(entry);
    PyObject *fn = PyTuple_GetItem(entry, 0);
    if (n == 2)
        return PyObject_CallFunctionObjArgs(fn, PyTuple_GetItem(entry, 1), arg, NULL);
    PyObject *args = PyTuple_New(n);
    if (!args)
        return NULL;
    for (Py_ssize_t i = 1; i < n; i++) {
        PyObject *a = PyTuple_GetItem(entry, i);
        Py_INCREF(a);
        PyTuple_SetItem(args, i - 1, a);
    }
    Py_INCREF(arg);
    PyTuple_SetItem(args, n - 1, arg);
    PyObject *r = PyObject_Call(fn, args, NULL);
    Py_DECREF(args);
    return r;
}

/* Runs a stored callback with arg; an exception from it is logged, not
 * raised. */
static void run_one(PyObject *entry, PyObject *arg)
{
    PyObject *r = call_entry(entry, arg);
    if (r) {
        Py_DECREF(r);
        return;
    }
    PyObject *fn = PyTuple_CheckExact(entry) ? PyTuple_GetItem(entry, 0) : entry;
    if (!callback_failed) {
        PyErr_WriteUnraisable(fn);
        return;
    }
    PyObject *type, *val, *tb;
    PyErr_Fetch(&type, &val, &tb);
    PyErr_NormalizeException(&type, &val, &tb);
    r = PyObject_CallFunctionObjArgs(callback_failed, fn, val ? val : Py_None, NULL);
    if (r)
        Py_DECREF(r);
    else
        PyErr_WriteUnraisable(fn);
    Py_XDECREF(type);
    Py_XDECREF(val);
    Py_XDECREF(tb);
}

/* Runs the callbacks (or errbacks) of a future that just completed; both
 * are dropped, which breaks any cycle through them. A slot holds one
 * stored callback, or a list of them once there are several (no callable
 * is an exact list). */
static void future_fire(Future *f)
{
    PyObject *cbs = f->state == SUCCEEDED ? f->callbacks : f->errbacks;
    PyObject *other = f->state == SUCCEEDED ? f->errbacks : f->callbacks;
    f->callbacks = f->errbacks = NULL;
    Py_XDECREF(other);
    if (!cbs)
        return;
    PyObject *arg = f->state == SUCCEEDED ? future_value(f) : (Py_INCREF(f->exception), f->exception);
    if (!arg) {
        PyErr_WriteUnraisable((PyObject *)f);
    } else if (PyList_CheckExact(cbs)) {
        Py_ssize_t n = PyList_Size(cbs);
        for (Py_ssize_t i = 0; i < n; i++)
            run_one(PyList_GetItem(cbs, i), arg);
        Py_DECREF(arg);
    } else {
        run_one(cbs, arg);
        Py_DECREF(arg);
    }
    Py_DECREF(cbs);
}

/* Futures are not tracked by the cyclic GC: tracking one per record costs
 * the send path more than anything else. Cycles cannot outlive delivery:
 * callbacks are dropped when they run, the value refers to nothing back,
 * and get() raises a copy of the exception (a raised exception keeps its
 * traceback, whose frames may hold the future). */
static void future_dealloc(Future *f)
{
    PyTypeObject *tp = Py_TYPE(f);
    Py_XDECREF(f->value);
    Py_XDECREF(f->exception);
    Py_XDECREF(f->callbacks);
    Py_XDECREF(f->errbacks);
    Py_XDECREF(f->topic);
    PyObject_Free(f);
    Py_DECREF(tp);
}

/* f(*args, **kwargs) as one callable. */
static PyObject *bind_args(PyObject *args, PyObject *kwargs)
{
    static PyObject *partial;
    if (!partial) {
        PyObject *ft = PyImport_ImportModule("functools");
        if (!ft)
            return NULL;
        partial = PyObject_GetAttrString(ft, "partial");
        Py_DECREF(ft);
        if (!partial)
            return NULL;
    }
    return PyObject_Call(partial, args, kwargs);
}

static PyObject *future_add(Future *f, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames, int errback)
{
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "a callable is required");
        return NULL;
    }
    /* What run_one calls: fn alone, or (fn, *args); with keywords, a
     * functools.partial. */
    PyObject *entry;
    if (kwnames && PyTuple_Size(kwnames) > 0) {
        PyObject *tuple, *dict;
        if (classic_args(args, nargs, kwnames, &tuple, &dict) < 0)
            return NULL;
        entry = bind_args(tuple, dict);
        Py_DECREF(tuple);
        Py_DECREF(dict);
        if (!entry)
            return NULL;
    } else if (nargs == 1) {
        entry = args[0];
        Py_INCREF(entry);
    } else {
        if (!(entry = PyTuple_New(nargs)))
            return NULL;
        for (Py_ssize_t i = 0; i < nargs; i++) {
            Py_INCREF(args[i]);
            PyTuple_SetItem(entry, i, args[i]);
        }
        /* Seen by no one but this future, which the collector does not
         * track either. */
        PyObject_GC_UnTrack(entry);
    }
    if (f->state == PENDING) {
        PyObject **slot = errback ? &f->errbacks : &f->callbacks;
        if (!*slot) {
            *slot = entry;
        } else {
            if (!PyList_CheckExact(*slot)) {
                PyObject *l = PyList_New(1);
                if (!l) {
                    Py_DECREF(entry);
                    return NULL;
                }
                PyList_SetItem(l, 0, *slot);
                *slot = l;
            }
            int rc = PyList_Append(*slot, entry);
            Py_DECREF(entry);
            if (rc < 0)
                return NULL;
        }
    } else {
        if (f->state == (errback ? FAILED : SUCCEEDED)) {
            PyObject *arg = errback ? (Py_INCREF(f->exception), f->exception) : future_value(f);
            if (!arg) {
                Py_DECREF(entry);
                return NULL;
            }
            run_one(entry, arg);
            Py_DECREF(arg);
        }
        Py_DECREF(entry);
    }
    Py_INCREF(f);
    return (PyObject *)f;
}

static PyObject *future_add_callback(Future *f, PyObject *const *args, Py_ssize_t nargs,
                                     PyObject *kwnames)
{
    return future_add(f, args, nargs, kwnames, 0);
}

static PyObject *future_add_errback(Future *f, PyObject *const *args, Py_ssize_t nargs,
                                    PyObject *kwnames)
{
    return future_add(f, args, nargs, kwnames, 1);
}

static PyObject *future_add_both(Future *f, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames)
{
    PyObject *r = future_add(f, args, nargs, kwnames, 0);
    if (!r)
        return NULL;
    Py_DECREF(r);
    return future_add(f, args, nargs, kwnames, 1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Polls the owner until f completes or timeout seconds (< 0: forever)
 * pass. 0 done, 1 timed out, -1 with an exception. */
static int future_wait(Future *f, double timeout)
{
    if (f->state != PENDING)
        return 0;
    if (in_delivery) {
        kfkpy_raise(KFK_ERR_STATE, "cannot wait for a send inside a delivery callback");
        return -1;
    }
    double deadline = timeout < 0 ? 0 : now_s() + timeout;
    while (f->state == PENDING) {
        Producer *p = f->owner;
        if (!p || !p->p) {
            kfkpy_raise(KFK_ERR_STATE, "the producer is closed");
            return -1;
        }
        /* Slices, so that a report polled by another thread is seen. */
        int slice = 100;
        if (timeout >= 0) {
            double left = deadline - now_s();
            if (left <= 0)
                return 1;
            if (left * 1000 < slice)
                slice = (int)(left * 1000) + 1;
        }
        kfk_producer *kp = p->p;
        Py_INCREF(f);
        BLOCKING(p, kfk_producer_poll(kp, slice));
        Py_DECREF(f);
        if (PyErr_CheckSignals() < 0)
            return -1;
    }
    return 0;
}

/* An optional timeout (seconds; None: forever) argument: *timeout < 0 for
 * forever. */
static int timeout_arg(PyObject *args, PyObject *kwargs, double *timeout)
{
    static char *kwlist[] = {"timeout", NULL};
    PyObject *t = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", kwlist, &t))
        return -1;
    *timeout = -1;
    if (t != Py_None) {
        *timeout = PyFloat_AsDouble(t);
        if (*timeout == -1 && PyErr_Occurred())
            return -1;
        if (*timeout < 0) {
            PyErr_Format(PyExc_ValueError, "Invalid timeout: %R", t);
            return -1;
        }
    }
    return 0;
}

static PyObject *future_get(Future *f, PyObject *args, PyObject *kwargs)
{
    double timeout;
    if (timeout_arg(args, kwargs, &timeout) < 0)
        return NULL;
    int rc = future_wait(f, timeout);
    if (rc < 0)
        return NULL;
    if (rc == 1) {
        char msg[96];
        snprintf(msg, sizeof msg, "Timeout after waiting for %g secs.", timeout);
        return kfkpy_raise(KFK_ERR_TIMED_OUT, msg);
    }
    if (f->state == FAILED) {
        PyObject *args = PyObject_GetAttrString(f->exception, "args");
        PyObject *copy = args ? PyObject_Call((PyObject *)Py_TYPE(f->exception), args, NULL)
                              : NULL;
        Py_XDECREF(args);
        if (!copy) { /* a class that cannot be rebuilt from its args */
            PyErr_Clear();
            copy = f->exception;
            Py_INCREF(copy);
        }
        PyErr_SetObject((PyObject *)Py_TYPE(copy), copy);
        Py_DECREF(copy);
        return NULL;
    }
    return future_value(f);
}

static PyObject *future_succeeded(Future *f, PyObject *unused)
{
    return PyBool_FromLong(f->state == SUCCEEDED);
}

static PyObject *future_failed(Future *f, PyObject *unused)
{
    return PyBool_FromLong(f->state == FAILED);
}

static PyObject *future_retriable(Future *f, PyObject *unused)
{
    if (f->state != FAILED)
        Py_RETURN_FALSE;
    PyObject *r = PyObject_GetAttrString(f->exception, "retriable");
    if (!r) {
        PyErr_Clear();
        Py_RETURN_FALSE;
    }
    int t = PyObject_IsTrue(r);
    Py_DECREF(r);
    if (t < 0)
        return NULL;
    return PyBool_FromLong(t);
}

static PyObject *future_get_is_done(Future *f, void *unused)
{
    return PyBool_FromLong(f->state != PENDING);
}

static PyObject *future_get_value(Future *f, void *unused)
{
    return future_value(f);
}

static PyObject *future_get_exception(Future *f, void *unused)
{
    PyObject *e = f->exception ? f->exception : Py_None;
    Py_INCREF(e);
    return e;
}

static PyObject *future_get_topic_partition(Future *f, void *unused)
{
    return topic_partition(f->topic, f->partition);
}

static PyObject *future_repr(Future *f)
{
    static const char *names[] = {"pending", "succeeded", "failed"};
    return PyUnicode_FromFormat("<FutureRecordMetadata %U %s>", f->topic, names[f->state]);
}

static PyMethodDef future_methods[] = {
    {"get", (PyCFunction)(void (*)(void))future_get, METH_VARARGS | METH_KEYWORDS,
     "get($self, /, timeout=None)\n--\n\nThe RecordMetadata once the record is written "
     "(polling the producer meanwhile), or its exception; KafkaTimeoutError after timeout "
     "seconds."},
    {"add_callback", (PyCFunction)(void (*)(void))future_add_callback,
     METH_FASTCALL | METH_KEYWORDS, "add_callback(f, *args, **kwargs): f(*args, metadata) on success."},
    {"add_errback", (PyCFunction)(void (*)(void))future_add_errback,
     METH_FASTCALL | METH_KEYWORDS, "add_errback(f, *args, **kwargs): f(*args, exception) on failure."},
    {"add_both", (PyCFunction)(void (*)(void))future_add_both, METH_FASTCALL | METH_KEYWORDS,
     "add_both(f, *args, **kwargs): f on success and on failure."},
    {"succeeded", (PyCFunction)future_succeeded, METH_NOARGS, "Done and written."},
    {"failed", (PyCFunction)future_failed, METH_NOARGS, "Done and not written."},
    {"retriable", (PyCFunction)future_retriable, METH_NOARGS,
     "Failed with an error worth sending again."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef future_getset[] = {
    {"is_done", (getter)future_get_is_done, NULL, "True once the outcome is known.", NULL},
    {"value", (getter)future_get_value, NULL, "The RecordMetadata, or None.", NULL},
    {"exception", (getter)future_get_exception, NULL, "The error, or None.", NULL},
    {"topic_partition", (getter)future_get_topic_partition, NULL,
     "TopicPartition of the record (partition -1 until one is chosen).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot future_slots[] = {
    {Py_tp_dealloc, future_dealloc},
    {Py_tp_methods, future_methods},
    {Py_tp_getset, future_getset},
    {Py_tp_repr, future_repr},
    {Py_tp_doc, "The outcome of one KafkaProducer.send."},
    {0, NULL},
};

static PyType_Spec future_spec = {
    "kfk._kfk.FutureRecordMetadata", sizeof(Future), 0,
    Py_TPFLAGS_DEFAULT, future_slots,
};

/* --------------------------------------------------------------- delivery */

/* Exception for a failed delivery: err with errstr. */
static PyObject *delivery_exception(int err, const char *errstr)
{
    kfkpy_raise(err, errstr);
    PyObject *type, *val, *tb;
    PyErr_Fetch(&type, &val, &tb);
    PyErr_NormalizeException(&type, &val, &tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return val;
}

static void on_delivery(kfk_producer *kp, const kfk_delivery *d, void *opaque)
{
    PyThreadState *ts = released;
    if (ts) {
        PyEval_RestoreThread(ts);
        released = NULL;
    }
    Future *f = d->opaque;
    f->owner = NULL;
    f->partition = d->partition;
    f->offset = d->offset;
    f->timestamp = d->timestamp_ms;
    if (d->err == 0) {
        f->state = SUCCEEDED;
    } else {
        f->state = FAILED;
        f->exception = delivery_exception(d->err, d->errstr);
        if (!f->exception) {
            PyErr_WriteUnraisable((PyObject *)f);
            f->exception = Py_None;
            Py_INCREF(Py_None);
        }
    }
    if (f->callbacks || f->errbacks) {
        in_delivery++;
        future_fire(f);
        in_delivery--;
    }
    Py_DECREF(f);
    if (ts)
        released = PyEval_SaveThread();
}

/* --------------------------------------------------------------- producer */

static int closed(Producer *self)
{
    if (self->p)
        return 0;
    kfkpy_raise(KFK_ERR_STATE, "KafkaProducer already closed!");
    return 1;
}

/* Producer(conf, admin_conf, key_serializer, value_serializer,
 *          serializers_take_topic, max_block_ms) */
static int producer_init(Producer *self, PyObject *args, PyObject *kwargs)
{
    PyObject *conf_dict, *admin_conf, *kser, *vser;
    int full, max_block_ms;
    if (self->p) {
        PyErr_SetString(PyExc_RuntimeError, "the producer is already initialized");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "O!O!OOpi", &PyDict_Type, &conf_dict, &PyDict_Type, &admin_conf,
                          &kser, &vser, &full, &max_block_ms))
        return -1;
    kfk_conf *conf = kfkpy_conf_from_dict(conf_dict);
    if (!conf)
        return -1;
    char errstr[512] = "";
    kfk_producer_callbacks cbs = {.delivery = on_delivery};
    kfk_producer *p;
    Py_BEGIN_ALLOW_THREADS
    p = kfk_producer_new(conf, &cbs, errstr, sizeof errstr);
    Py_END_ALLOW_THREADS
    if (!p) {
        kfk_conf_destroy(conf);
        kfkpy_raise(KFK_ERR_CONFIG, errstr);
        return -1;
    }
    if (!(self->topics = PyDict_New())) {
        kfk_producer_destroy(p);
        return -1;
    }
    self->p = p;
    Py_INCREF(admin_conf);
    self->admin_conf = admin_conf;
    if (kser != Py_None) {
        Py_INCREF(kser);
        self->key_ser = kser;
    }
    if (vser != Py_None) {
        Py_INCREF(vser);
        self->value_ser = vser;
    }
    self->ser_full = full;
    self->max_block_ms = max_block_ms;
    return 0;
}

/* Stops the producer at once; pending futures fail. */
static void producer_stop(Producer *self)
{
    kfk_producer *p = self->p;
    if (p) {
        /* Reports run here with the GIL held: callbacks see p gone. */
        self->p = NULL;
        if (atomic_load(&self->busy) > 0) {
            /* Other threads are in p: fail what they wait for, let them out. */
            kfk_producer_purge(p, KFK_PURGE_QUEUE | KFK_PURGE_INFLIGHT);
            Py_BEGIN_ALLOW_THREADS
            while (atomic_load(&self->busy) > 0) {
                struct timespec ms = {0, 1000000};
                nanosleep(&ms, NULL);
            }
            Py_END_ALLOW_THREADS
        }
        kfk_producer_destroy(p);
    }
    if (self->admin) {
        kfk_admin *a = self->admin;
        self->admin = NULL;
        Py_BEGIN_ALLOW_THREADS
        kfk_admin_destroy(a);
        Py_END_ALLOW_THREADS
    }
}

static void producer_dealloc(Producer *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    producer_stop(self);
    Py_CLEAR(self->admin_conf);
    Py_CLEAR(self->topics);
    Py_CLEAR(self->last_topic);
    Py_CLEAR(self->last_utf8);
    Py_CLEAR(self->key_ser);
    Py_CLEAR(self->value_ser);
    freefunc tp_free = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tp_free(self);
    Py_DECREF(tp);
}

static int producer_traverse(Producer *self, visitproc visit, void *arg)
{
    Py_VISIT(self->key_ser);
    Py_VISIT(self->value_ser);
    Py_VISIT(self->admin_conf);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int producer_clear(Producer *self)
{
    Py_CLEAR(self->key_ser);
    Py_CLEAR(self->value_ser);
    return 0;
}

/* data run through ser (ser(data) or ser.serialize(topic, headers, data)). */
static PyObject *serialize(Producer *self, PyObject *ser, PyObject *topic, PyObject *headers,
                           PyObject *data)
{
    if (!ser) {
        Py_INCREF(data);
        return data;
    }
    if (self->ser_full)
        return PyObject_CallMethod(ser, "serialize", "OOO", topic, headers, data);
    return PyObject_CallFunctionObjArgs(ser, data, NULL);
}

/* Points *ptr and *len at obj's bytes; *hold gets a reference to keep while
 * they are used. -1 with TypeError for anything but bytes, bytearray,
 * memoryview or None. */
static int bytes_of(PyObject *obj, const char *what, PyObject **hold, const void **ptr,
                    size_t *len, int32_t *size)
{
    Py_ssize_t n;
    char *s;
    if (obj == Py_None) {
        *ptr = NULL;
        *len = 0;
        *size = -1;
        return 0;
    }
    if (PyBytes_Check(obj)) {
        Py_INCREF(obj);
        *hold = obj;
    } else if (PyByteArray_Check(obj)) {
        *hold = PyBytes_FromStringAndSize(PyByteArray_AsString(obj), PyByteArray_Size(obj));
    } else if (PyMemoryView_Check(obj)) {
        *hold = PyBytes_FromObject(obj);
    } else {
        PyErr_Format(PyExc_TypeError, "Unsupported type for serialized %s: %R", what,
                     (PyObject *)Py_TYPE(obj));
        return -1;
    }
    if (!*hold || PyBytes_AsStringAndSize(*hold, &s, &n) < 0)
        return -1;
    *ptr = s;
    *len = (size_t)n;
    *size = (int32_t)n;
    return 0;
}

/* headers (None or a list of (str, bytes)) into hs; their serialized size
 * (-1 for none) in *size. *names gets a tuple holding the encoded names
 * and the values. */
static int headers_of(PyObject *headers, kfk_header *hs, size_t *count, int32_t *size,
                      PyObject **names)
{
    *count = 0;
    *size = -1;
    if (headers == Py_None)
        return 0;
    if (!PyList_Check(headers)) {
        PyErr_SetString(PyExc_TypeError, "headers must be list-type");
        return -1;
    }
    Py_ssize_t n = PyList_Size(headers);
    if (n > MAX_HEADERS) {
        PyErr_Format(PyExc_ValueError, "at most %d headers per record", MAX_HEADERS);
        return -1;
    }
    int32_t total = 0;
    if (n > 0 && !(*names = PyTuple_New(2 * n)))
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GetItem(headers, i);
        PyObject *k, *v;
        if (!PyTuple_Check(item) || PyTuple_Size(item) != 2 ||
            !PyUnicode_Check(k = PyTuple_GetItem(item, 0)) ||
            !PyBytes_Check(v = PyTuple_GetItem(item, 1))) {
            PyErr_SetString(PyExc_TypeError, "All headers items must be (str, bytes) tuples");
            return -1;
        }
        Py_ssize_t klen, vlen;
        char *ks, *vs;
        PyObject *kb = PyUnicode_AsUTF8String(k);
        if (!kb)
            return -1;
        PyTuple_SetItem(*names, 2 * i, kb);
        Py_INCREF(v); /* kept: the list may change while kfk reads it */
        PyTuple_SetItem(*names, 2 * i + 1, v);
        if (PyBytes_AsStringAndSize(kb, &ks, &klen) < 0 ||
            PyBytes_AsStringAndSize(v, &vs, &vlen) < 0)
            return -1;
        hs[i].name = ks;
        hs[i].value = vs;
        hs[i].value_len = (size_t)vlen;
        total += (int32_t)(klen + vlen);
    }
    *count = (size_t)n;
    if (n > 0)
        *size = total;
    return 0;
}

/* Queues m. The fast try never waits and keeps the GIL; a full buffer is
 * drained by polling (reports count against buffer.memory) until
 * max_block_ms, and a topic without metadata yet waits in kfk with the GIL
 * released. */
static int send_blocking(Producer *self, kfk_message *m)
{
    int rc = kfk_producer_send(self->p, m, KFK_SEND_NONBLOCK);
    if (rc == 0 || (rc != KFK_ERR_QUEUE_FULL && rc != KFK_ERR_NOENT))
        return rc;
    if (in_delivery)
        return rc;
    kfk_producer *kp = self->p;
    if (rc == KFK_ERR_NOENT) {
        BLOCKING(self, rc = kfk_producer_send(kp, m, 0));
        if (rc != KFK_ERR_QUEUE_FULL)
            return rc;
    }
    double deadline = now_s() + self->max_block_ms / 1000.0;
    while (rc == KFK_ERR_QUEUE_FULL && now_s() < deadline) {
        BLOCKING(self, kfk_producer_poll(kp, 10));
        if (!self->p)
            return KFK_ERR_DESTROYED;
        rc = kfk_producer_send(kp, m, KFK_SEND_NONBLOCK);
    }
    return rc;
}

/* topic's UTF-8 as bytes (new reference), from a cache of encoded topic
 * names: the 3.9 limited API has no borrowed UTF-8 view of a str. */
static PyObject *topic_utf8(Producer *self, PyObject *topic)
{
    if (topic == self->last_topic) {
        Py_INCREF(self->last_utf8);
        return self->last_utf8;
    }
    PyObject *b = PyDict_GetItemWithError(self->topics, topic);
    if (b) {
        PyObject *old_topic = self->last_topic, *old_utf8 = self->last_utf8;
        Py_INCREF(topic);
        Py_INCREF(b);
        self->last_topic = topic;
        self->last_utf8 = b;
        Py_XDECREF(old_topic);
        Py_XDECREF(old_utf8);
        Py_INCREF(b);
        return b;
    }
    if (PyErr_Occurred())
        return NULL;
    if (PyDict_Size(self->topics) >= 1024)
        PyDict_Clear(self->topics);
    b = PyUnicode_AsUTF8String(topic);
    if (b && PyDict_SetItem(self->topics, topic, b) < 0)
        Py_CLEAR(b);
    return b;
}

/* send's keyword names, interned: a call site's names are the same objects. */
static PyObject *send_kw[6];

/* Keyword arguments of send by identity with send_kw, into slots (after
 * nargs positional ones). 0 for anything else: the full parser then
 * decides (and names a wrong keyword). */
static int fast_kwargs(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                       PyObject **slots[])
{
    Py_ssize_t n = PyTuple_Size(kwnames);
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *k = PyTuple_GetItem(kwnames, j);
        int i = 0;
        while (i < 6 && send_kw[i] != k)
            i++;
        if (i == 6 || i < nargs)
            return 0;
        *slots[i] = args[nargs + j];
    }
    return 1;
}

/* send(topic, value=None, key=None, headers=None, partition=None,
 *      timestamp_ms=None) -> FutureRecordMetadata. A vectorcall method:
 * no argument tuple or keyword dict is made per record. */
static PyObject *producer_send(Producer *self, PyObject *const *args, Py_ssize_t nargs,
                               PyObject *kwnames)
{
    static char *kwlist[] = {"topic", "value", "key", "headers", "partition", "timestamp_ms",
                             NULL};
    PyObject *topic, *value = Py_None, *key = Py_None, *headers = Py_None;
    PyObject *partition = Py_None, *timestamp = Py_None;
    PyObject **slots[] = {&topic, &value, &key, &headers, &partition, &timestamp};
    if (nargs < 1 || nargs > 6 || (kwnames && !fast_kwargs(args, nargs, kwnames, slots))) {
        PyObject *tuple, *dict;
        if (classic_args(args, nargs, kwnames, &tuple, &dict) < 0)
            return NULL;
        int ok = PyArg_ParseTupleAndKeywords(tuple, dict, "O|OOOOO", kwlist, &topic, &value,
                                             &key, &headers, &partition, &timestamp);
        Py_DECREF(tuple);
        Py_XDECREF(dict);
        if (!ok)
            return NULL;
        /* Still held by the caller's arguments. */
    } else {
        for (Py_ssize_t i = 0; i < nargs; i++)
            *slots[i] = args[i];
    }
    if (closed(self))
        return NULL;
    if (!PyUnicode_Check(topic)) {
        PyErr_Format(PyExc_TypeError, "topic must be a str, not %R", topic);
        return NULL;
    }
    if (value == Py_None && key == Py_None) {
        PyErr_SetString(PyExc_ValueError, "Need at least one: key or value");
        return NULL;
    }
    kfk_message m = {.partition = KFK_PARTITION_ANY};
    kfk_header hs[MAX_HEADERS];
    if (partition != Py_None) {
        long pn = PyLong_AsLong(partition);
        if (pn == -1 && PyErr_Occurred())
            return NULL;
        if (pn < 0 || pn > INT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "partition must be >= 0");
            return NULL;
        }
        m.partition = (int32_t)pn;
    }
    if (timestamp != Py_None) {
        m.timestamp_ms = PyLong_AsLongLong(timestamp);
        if (m.timestamp_ms == -1 && PyErr_Occurred())
            return NULL;
    }
    PyObject *tbytes = topic_utf8(self, topic);
    if (!tbytes)
        return NULL;
    m.topic = PyBytes_AsString(tbytes);
    Future *f = NULL;
    PyObject *kbytes = NULL, *vbytes = NULL, *khold = NULL, *vhold = NULL, *names = NULL;
    int32_t ksz, vsz, hsz;
    PyObject *hdr_arg = headers;
    PyObject *empty = NULL;
    if ((self->key_ser || self->value_ser) && self->ser_full && headers == Py_None)
        hdr_arg = empty = PyList_New(0);
    if ((self->key_ser || self->value_ser) && self->ser_full && !hdr_arg)
        goto fail;
    if (!(kbytes = serialize(self, self->key_ser, topic, hdr_arg, key)) ||
        !(vbytes = serialize(self, self->value_ser, topic, hdr_arg, value)))
        goto fail;
    /* After the serializers: a Serializer may add headers. */
    if (headers_of(hdr_arg, hs, &m.header_count, &hsz, &names) < 0 ||
        bytes_of(kbytes, "key", &khold, &m.key, &m.key_len, &ksz) < 0 ||
        bytes_of(vbytes, "value", &vhold, &m.value, &m.value_len, &vsz) < 0)
        goto fail;
    m.headers = hs;
    f = PyObject_New(Future, (PyTypeObject *)future_type);
    if (!f) /* PyObject_New took a reference to the (heap) type */
        goto fail;
    f->owner = self;
    Py_INCREF(topic);
    f->topic = topic;
    f->partition = m.partition;
    f->state = PENDING;
    f->offset = f->timestamp = -1;
    f->key_size = ksz;
    f->value_size = vsz;
    f->header_size = hsz;
    f->value = f->exception = f->callbacks = f->errbacks = NULL;
    m.opaque = f;
    /* Serializers and callbacks run Python code: the producer may be
     * closed by now. Serve reports waiting since the last call (no wait). */
    if (closed(self))
        goto fail;
    if (!in_delivery)
        kfk_producer_poll(self->p, 0);
    if (closed(self))
        goto fail;
    int rc = send_blocking(self, &m);
    if (rc != 0) {
        if (rc == KFK_ERR_TIMED_OUT || rc == KFK_ERR_NOENT) {
            char msg[128];
            snprintf(msg, sizeof msg, "Failed to update metadata after %.1f secs.",
                     self->max_block_ms / 1000.0);
            kfkpy_raise(KFK_ERR_TIMED_OUT, msg);
        } else if (rc == KFK_ERR_FATAL && self->p) {
            char errstr[512];
            int cause = kfk_producer_fatal_error(self->p, errstr, sizeof errstr);
            kfkpy_raise(cause ? cause : rc, errstr);
        } else {
            kfkpy_raise(rc, NULL);
        }
        goto fail;
    }
    Py_INCREF(f); /* kfk's reference, dropped in on_delivery */
    Py_XDECREF(khold);
    Py_XDECREF(vhold);
    Py_DECREF(kbytes);
    Py_DECREF(vbytes);
    Py_XDECREF(empty);
    Py_XDECREF(names);
    Py_DECREF(tbytes);
    return (PyObject *)f;
fail:
    if (f) {
        f->owner = NULL;
        Py_DECREF(f);
    }
    Py_XDECREF(khold);
    Py_XDECREF(vhold);
    Py_XDECREF(kbytes);
    Py_XDECREF(vbytes);
    Py_XDECREF(empty);
    Py_XDECREF(names);
    Py_DECREF(tbytes);
    return NULL;
}

static int ms_arg(PyObject *args, PyObject *kwargs, int *ms)
{
    double t;
    if (timeout_arg(args, kwargs, &t) < 0)
        return -1;
    *ms = t < 0 ? -1 : (t * 1000 > INT32_MAX ? INT32_MAX : (int)(t * 1000));
    return 0;
}

static int no_wait_in_delivery(void)
{
    if (!in_delivery)
        return 0;
    kfkpy_raise(KFK_ERR_STATE, "cannot wait inside a delivery callback");
    return -1;
}

/* poll(timeout=0 seconds) -> how many reports ran */
static PyObject *producer_poll(Producer *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"timeout", NULL};
    double t = 0;
    PyObject *to = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", kwlist, &to))
        return NULL;
    if (to && to != Py_None && (t = PyFloat_AsDouble(to)) == -1 && PyErr_Occurred())
        return NULL;
    if (closed(self) || no_wait_in_delivery() < 0)
        return NULL;
    int n;
    kfk_producer *kp = self->p;
    BLOCKING(self, n = kfk_producer_poll(kp, t <= 0 ? 0 : (int)(t * 1000)));
    return PyLong_FromLong(n);
}

/* flush(timeout=None seconds) */
static PyObject *producer_flush(Producer *self, PyObject *args, PyObject *kwargs)
{
    int ms, rc;
    if (ms_arg(args, kwargs, &ms) < 0 || closed(self) || no_wait_in_delivery() < 0)
        return NULL;
    kfk_producer *kp = self->p;
    BLOCKING(self, rc = kfk_producer_flush(kp, ms));
    if (rc != 0)
        return kfkpy_raise(rc, rc == KFK_ERR_TIMED_OUT ? "Timeout waiting for the flush" : NULL);
    Py_RETURN_NONE;
}

/* close(timeout=None seconds): flushes up to timeout, then stops; records
 * left fail. Closing twice is fine. */
static PyObject *producer_close(Producer *self, PyObject *args, PyObject *kwargs)
{
    int ms;
    if (ms_arg(args, kwargs, &ms) < 0 || no_wait_in_delivery() < 0)
        return NULL;
    kfk_producer *kp = self->p;
    if (kp) {
        /* Sends from callbacks during close see the producer going. */
        BLOCKING(self, kfk_producer_flush(kp, ms));
        producer_stop(self);
    }
    Py_RETURN_NONE;
}

/* Raises for a transactional call's error, with the cause kfk keeps. */
static PyObject *txn_raise(Producer *self, int rc)
{
    char errstr[512] = "";
    if (rc == KFK_ERR_FATAL && self->p) {
        int cause = kfk_producer_fatal_error(self->p, errstr, sizeof errstr);
        return kfkpy_raise(cause ? cause : rc, errstr);
    }
    if (rc == KFK_ERR_TRANSACTION_ABORTABLE && self->p) {
        kfk_producer_txn_error(self->p, errstr, sizeof errstr);
        return kfkpy_raise(rc, errstr);
    }
    return kfkpy_raise(rc, NULL);
}

static PyObject *txn_timed(Producer *self, PyObject *args,
                           int (*fn)(kfk_producer *, int))
{
    int ms, rc;
    if (!PyArg_ParseTuple(args, "i", &ms) || closed(self) || no_wait_in_delivery() < 0)
        return NULL;
    kfk_producer *kp = self->p;
    BLOCKING(self, rc = fn(kp, ms));
    if (rc != 0)
        return txn_raise(self, rc);
    Py_RETURN_NONE;
}

static PyObject *producer_init_transactions(Producer *self, PyObject *args)
{
    return txn_timed(self, args, kfk_producer_init_transactions);
}

static PyObject *producer_commit_transaction(Producer *self, PyObject *args)
{
    return txn_timed(self, args, kfk_producer_commit_transaction);
}

static PyObject *producer_abort_transaction(Producer *self, PyObject *args)
{
    return txn_timed(self, args, kfk_producer_abort_transaction);
}

static PyObject *producer_begin_transaction(Producer *self, PyObject *unused)
{
    if (closed(self))
        return NULL;
    int rc = kfk_producer_begin_transaction(self->p);
    if (rc != 0)
        return txn_raise(self, rc);
    Py_RETURN_NONE;
}

/* send_offsets_to_transaction([(topic, partition, offset, metadata,
 * leader_epoch)], group_id, generation_id, member_id, group_instance_id,
 * timeout_ms) */
static PyObject *producer_send_offsets(Producer *self, PyObject *args)
{
    PyObject *items;
    const char *group, *member, *instance;
    int generation, ms;
    if (!PyArg_ParseTuple(args, "O!sizzi", &PyList_Type, &items, &group, &generation, &member,
                          &instance, &ms) ||
        closed(self) || no_wait_in_delivery() < 0)
        return NULL;
    kfk_partition_list *list = kfk_partition_list_new((int)PyList_Size(items));
    kfk_group_metadata *gm = kfk_group_metadata_new(group, generation, member, instance);
    if (!list || !gm)
        goto nomem;
    for (Py_ssize_t i = 0; i < PyList_Size(items); i++) {
        const char *topic, *meta;
        int partition, epoch;
        long long offset;
        if (!PyArg_ParseTuple(PyList_GetItem(items, i), "siLzi", &topic, &partition, &offset,
                              &meta, &epoch))
            goto fail;
        kfk_partition *e = kfk_partition_list_add(list, topic, partition);
        if (!e || (meta && kfk_partition_set_metadata(e, meta) != 0))
            goto nomem;
        e->offset = offset;
        e->leader_epoch = epoch;
    }
    int rc;
    kfk_producer *kp = self->p;
    BLOCKING(self, rc = kfk_producer_send_offsets_to_transaction(kp, list, gm, ms));
    kfk_partition_list_destroy(list);
    kfk_group_metadata_destroy(gm);
    if (rc != 0)
        return txn_raise(self, rc);
    Py_RETURN_NONE;
nomem:
    PyErr_NoMemory();
fail:
    kfk_partition_list_destroy(list);
    kfk_group_metadata_destroy(gm);
    return NULL;
}

/* partitions_for(topic, allow_auto_create, timeout_ms) -> (err, errstr,
 * [partition ids]) from one Metadata request. */
static PyObject *producer_partitions_for(Producer *self, PyObject *args)
{
    const char *topic;
    int autocreate, ms;
    if (!PyArg_ParseTuple(args, "spi", &topic, &autocreate, &ms) || closed(self))
        return NULL;
    if (!self->admin) {
        kfk_conf *conf = kfkpy_conf_from_dict(self->admin_conf);
        if (!conf)
            return NULL;
        char errstr[512] = "";
        kfk_admin *a;
        Py_BEGIN_ALLOW_THREADS
        a = kfk_admin_new(conf, errstr, sizeof errstr);
        Py_END_ALLOW_THREADS
        if (!a) {
            kfk_conf_destroy(conf);
            return kfkpy_raise(KFK_ERR_CONFIG, errstr);
        }
        self->admin = a;
    }
    kfk_admin_options o = {.timeout_ms = ms > 0 ? ms : 1};
    kfk_admin_result *r;
    kfk_admin *a = self->admin;
    const char *names[] = {topic};
    Py_BEGIN_ALLOW_THREADS
    r = kfk_admin_metadata(a, names, 1, autocreate, &o, NULL, NULL);
    Py_END_ALLOW_THREADS
    if (!r)
        return PyErr_NoMemory();
    PyObject *out = NULL;
    if (r->err != 0 || r->ntopics < 1) {
        out = Py_BuildValue("(is[])", r->err ? r->err : KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION,
                            r->errstr ? r->errstr : "");
    } else {
        const kfk_topic_desc *t = &r->topics[0];
        PyObject *ids = PyList_New(t->npartitions);
        for (int i = 0; ids && i < t->npartitions; i++)
            PyList_SetItem(ids, i, PyLong_FromLong(t->partitions[i].id));
        if (ids)
            out = Py_BuildValue("(isN)", t->err, t->errstr ? t->errstr : "", ids);
    }
    kfk_admin_result_destroy(r);
    return out;
}

/* stats() -> dict of kfk_producer_stats */
static PyObject *producer_stats(Producer *self, PyObject *unused)
{
    if (closed(self))
        return NULL;
    kfk_producer_stats s;
    kfk_producer_stats_get(self->p, &s);
    return Py_BuildValue(
        "{sLsLsLsLsLsLsLsLsLsisisLsLsLsisi}", "epoch-bumps", (long long)s.epoch_bumps,
        "batches-retried", (long long)s.batches_retried, "batches-split",
        (long long)s.batches_split, "buffer-bytes", (long long)s.buffer_bytes, "buffer-peak",
        (long long)s.buffer_peak, "throttles", (long long)s.throttles, "throttle-time-ms",
        (long long)s.throttle_ms, "rebootstraps", (long long)s.rebootstraps, "leader-hints",
        (long long)s.leader_hints, "produce-version-min", s.produce_version_min,
        "produce-version-max", s.produce_version_max, "txn-commits", (long long)s.txn_commits,
        "txn-aborts", (long long)s.txn_aborts, "producer-id", (long long)s.producer_id,
        "producer-epoch", s.producer_epoch, "txn-version", s.txn_version);
}

/* api_version(api_key) -> the version last used, -1 if none yet */
static PyObject *producer_api_version(Producer *self, PyObject *key)
{
    long k = PyLong_AsLong(key);
    if ((k == -1 && PyErr_Occurred()) || closed(self))
        return NULL;
    return PyLong_FromLong(kfk_producer_api_version(self->p, (int)k));
}

static PyObject *producer_get_closed(Producer *self, void *unused)
{
    return PyBool_FromLong(self->p == NULL);
}

/* _setup(RecordMetadata, TopicPartition, callback_failed(fn, exc)) */
static PyObject *producer_setup(PyObject *cls, PyObject *args)
{
    PyObject *rm, *tp, *cf;
    if (!PyArg_ParseTuple(args, "O!O!O", &PyType_Type, &rm, &PyType_Type, &tp, &cf))
        return NULL;
    if (!PyType_IsSubtype((PyTypeObject *)rm, &PyTuple_Type) ||
        !PyType_IsSubtype((PyTypeObject *)tp, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "RecordMetadata and TopicPartition must be tuple subclasses");
        return NULL;
    }
    tp_cache_clear();
    Py_INCREF(rm);
    Py_INCREF(tp);
    Py_INCREF(cf);
    Py_XDECREF(record_metadata_cls);
    Py_XDECREF(topic_partition_cls);
    Py_XDECREF(callback_failed);
    record_metadata_cls = rm;
    topic_partition_cls = tp;
    callback_failed = cf;
    Py_RETURN_NONE;
}

static PyMethodDef producer_methods[] = {
    {"send", (PyCFunction)(void (*)(void))producer_send, METH_FASTCALL | METH_KEYWORDS,
     "send($self, /, topic, value=None, key=None, headers=None, partition=None, "
     "timestamp_ms=None)\n--\n\nQueues a record (value and key serialized, headers a list of "
     "(str, bytes)); returns its FutureRecordMetadata."},
    {"poll", (PyCFunction)(void (*)(void))producer_poll, METH_VARARGS | METH_KEYWORDS,
     "poll($self, /, timeout=0)\n--\n\nRuns waiting delivery reports, waiting up to timeout "
     "seconds for the first; how many ran."},
    {"flush", (PyCFunction)(void (*)(void))producer_flush, METH_VARARGS | METH_KEYWORDS,
     "flush($self, /, timeout=None)\n--\n\nSends everything queued and waits (up to timeout "
     "seconds) for its reports."},
    {"close", (PyCFunction)(void (*)(void))producer_close, METH_VARARGS | METH_KEYWORDS,
     "close($self, /, timeout=None)\n--\n\nFlushes up to timeout seconds, then stops."},
    {"_init_transactions", (PyCFunction)producer_init_transactions, METH_VARARGS, NULL},
    {"_begin_transaction", (PyCFunction)producer_begin_transaction, METH_NOARGS, NULL},
    {"_send_offsets_to_transaction", (PyCFunction)producer_send_offsets, METH_VARARGS, NULL},
    {"_commit_transaction", (PyCFunction)producer_commit_transaction, METH_VARARGS, NULL},
    {"_abort_transaction", (PyCFunction)producer_abort_transaction, METH_VARARGS, NULL},
    {"_partitions_for", (PyCFunction)producer_partitions_for, METH_VARARGS, NULL},
    {"_stats", (PyCFunction)producer_stats, METH_NOARGS, NULL},
    {"_api_version", (PyCFunction)producer_api_version, METH_O, NULL},
    {"_setup", (PyCFunction)producer_setup, METH_VARARGS | METH_CLASS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef producer_getset[] = {
    {"_closed", (getter)producer_get_closed, NULL, "True once closed.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot producer_slots[] = {
    {Py_tp_init, producer_init},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_dealloc, producer_dealloc},
    {Py_tp_traverse, producer_traverse},
    {Py_tp_clear, producer_clear},
    {Py_tp_methods, producer_methods},
    {Py_tp_getset, producer_getset},
    {Py_tp_doc, "kfk's producer; kfk.KafkaProducer is the API over it."},
    {0, NULL},
};

static PyType_Spec producer_spec = {
    "kfk._kfk.Producer", sizeof(Producer), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC, producer_slots,
};

int kfkpy_producer_add(PyObject *module)
{
    static const char *kw[] = {"topic", "value", "key", "headers", "partition", "timestamp_ms"};
    for (int i = 0; i < 6; i++)
        if (!send_kw[i] && !(send_kw[i] = PyUnicode_InternFromString(kw[i])))
            return -1;
    future_type = PyType_FromSpec(&future_spec);
    if (!future_type)
        return -1;
    producer_type = PyType_FromSpec(&producer_spec);
    if (!producer_type)
        return -1;
    Py_INCREF(future_type);
    Py_INCREF(producer_type);
    if (PyModule_AddObject(module, "FutureRecordMetadata", future_type) < 0 ||
        PyModule_AddObject(module, "Producer", producer_type) < 0)
        return -1;
    return 0;
}
