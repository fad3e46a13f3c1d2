/* kfk._kfk.ConsumerRecord (kfk.consumer.fetcher.ConsumerRecord): what the
 * consumer hands out. kafka-python's is a namedtuple; this is a C type so
 * that a record costs one allocation and its attributes read as slots:
 * numbers stay C values until read, an empty headers list is made when
 * read. It reads like the namedtuple: the same fields in the same order
 * (attributes, indexing and slicing, unpacking, len), equal to and hashed
 * as the tuple of its fields, its repr, _fields, _asdict, _replace, _make,
 * count, index, pickling. It is not a tuple subclass (a tuple keeps every
 * field as an object): isinstance(record, tuple) is False. */
#include "record.h"

#include <stddef.h>
#include <string.h>

#include <structmember.h>

PyTypeObject *kfkpy_record_type;

/* Records of the exact type, freed and kept for the next poll: a poll
 * makes about as many as the previous one's freed, so most records skip
 * the allocator and the collector's bookkeeping. Each keeps its reference
 * to the type. The GIL guards the list. */
#define FREE_MAX 1024
static kfkpy_record *free_records[FREE_MAX];
static int nfree;
static int keep_freed = 1; /* 0 after the module's teardown */

static char *field_names[KFKPY_REC_N + 1] = {
    "topic",    "partition", "leader_epoch",        "offset",
    "timestamp", "timestamp_type", "key",           "value",
    "headers",  "checksum",  "serialized_key_size", "serialized_value_size",
    "serialized_header_size", NULL};

kfkpy_record *kfkpy_record_alloc(void)
{
    while (nfree) {
        kfkpy_record *r = free_records[--nfree];
        if (Py_TYPE(r) == kfkpy_record_type) {
            Py_SET_REFCNT(r, 1);
            return r;
        }
        /* of a type made by an earlier import of the module */
        PyTypeObject *old = Py_TYPE(r);
        PyObject_GC_Del(r);
        Py_DECREF(old);
    }
    return PyObject_GC_New(kfkpy_record, kfkpy_record_type);
}

void kfkpy_record_release(void)
{
    while (nfree) {
        kfkpy_record *r = free_records[--nfree];
        PyTypeObject *tp = Py_TYPE(r);
        PyObject_GC_Del(r);
        Py_DECREF(tp);
    }
    /* Records freed from now on go back to the allocator. */
    keep_freed = 0;
}

PyObject *kfkpy_record_field(kfkpy_record *r, int i)
{
    PyObject *o = r->f[i];
    if (o) {
        Py_INCREF(o);
        return o;
    }
    switch (i) {
    case KFKPY_REC_PARTITION:
        return PyLong_FromLong(r->partition);
    case KFKPY_REC_LEADER_EPOCH:
        return PyLong_FromLong(r->leader_epoch);
    case KFKPY_REC_OFFSET:
        return PyLong_FromLongLong(r->offset);
    case KFKPY_REC_TIMESTAMP:
        return PyLong_FromLongLong(r->timestamp);
    case KFKPY_REC_TIMESTAMP_TYPE:
        if (r->timestamp_type < 0)
            Py_RETURN_NONE;
        return PyLong_FromLong(r->timestamp_type);
    case KFKPY_REC_HEADERS:
        /* Kept: the application may add to the list it was given. */
        if (!(r->f[i] = PyList_New(0)))
            return NULL;
        Py_INCREF(r->f[i]);
        return r->f[i];
    case KFKPY_REC_KEY_SIZE:
        return PyLong_FromLong(r->key_size);
    case KFKPY_REC_VALUE_SIZE:
        return PyLong_FromLong(r->value_size);
    case KFKPY_REC_HEADER_SIZE:
        return PyLong_FromLong(r->header_size);
    default:
        Py_RETURN_NONE;
    }
}

PyObject *kfkpy_record_tuple(kfkpy_record *r)
{
    PyObject *t = PyTuple_New(KFKPY_REC_N);
    for (int i = 0; t && i < KFKPY_REC_N; i++) {
        PyObject *item = kfkpy_record_field(r, i);
        if (!item) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SetItem(t, i, item);
    }
    return t;
}

static int is_record(PyObject *o)
{
    return PyObject_TypeCheck(o, kfkpy_record_type);
}

/* ------------------------------------------------------ object protocol */

static PyObject *rec_new(PyTypeObject *cls, PyObject *args, PyObject *kwds)
{
    PyObject *v[KFKPY_REC_N];
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOOOOOOO:ConsumerRecord", field_names,
                                     &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
                                     &v[8], &v[9], &v[10], &v[11], &v[12]))
        return NULL;
    allocfunc alloc = (allocfunc)PyType_GetSlot(cls, Py_tp_alloc);
    kfkpy_record *r = (kfkpy_record *)alloc(cls, 0);
    if (!r)
        return NULL;
    for (int i = 0; i < KFKPY_REC_N; i++) {
        Py_INCREF(v[i]);
        r->f[i] = v[i];
    }
    return (PyObject *)r;
}

static int rec_traverse(kfkpy_record *r, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(r));
    for (int i = 0; i < KFKPY_REC_N; i++)
        Py_VISIT(r->f[i]);
    return 0;
}

static int rec_clear(kfkpy_record *r)
{
    for (int i = 0; i < KFKPY_REC_N; i++)
        Py_CLEAR(r->f[i]);
    return 0;
}

static void rec_dealloc(kfkpy_record *r)
{
    PyTypeObject *tp = Py_TYPE(r);
    PyObject_GC_UnTrack(r);
    for (int i = 0; i < KFKPY_REC_N; i++)
        Py_XDECREF(r->f[i]);
    if (keep_freed && tp == kfkpy_record_type && nfree < FREE_MAX) {
        free_records[nfree++] = r;
        return;
    }
    PyObject_GC_Del(r);
    Py_DECREF(tp);
}

static PyObject *rec_repr(kfkpy_record *r)
{
    PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(r), "__name__");
    PyObject *parts = name ? PyList_New(KFKPY_REC_N) : NULL;
    PyObject *out = NULL;
    for (int i = 0; parts && i < KFKPY_REC_N; i++) {
        PyObject *v = kfkpy_record_field(r, i);
        PyObject *s = v ? PyUnicode_FromFormat("%s=%R", field_names[i], v) : NULL;
        Py_XDECREF(v);
        if (!s)
            goto out;
        PyList_SetItem(parts, i, s);
    }
    PyObject *sep = parts ? PyUnicode_FromString(", ") : NULL;
    PyObject *body = sep ? PyUnicode_Join(sep, parts) : NULL;
    if (body)
        out = PyUnicode_FromFormat("%U(%U)", name, body);
    Py_XDECREF(sep);
    Py_XDECREF(body);
out:
    Py_XDECREF(parts);
    Py_XDECREF(name);
    return out;
}

static Py_hash_t rec_hash(kfkpy_record *r)
{
    PyObject *t = kfkpy_record_tuple(r);
    Py_hash_t h = t ? PyObject_Hash(t) : -1;
    Py_XDECREF(t);
    return h;
}

/* Compared as the tuple of its fields, with records and tuples (a
 * namedtuple equals the plain tuple of its fields). */
static PyObject *rec_richcompare(PyObject *a, PyObject *b, int op)
{
    if (!is_record(b) && !PyTuple_Check(b))
        Py_RETURN_NOTIMPLEMENTED;
    PyObject *ta = kfkpy_record_tuple((kfkpy_record *)a);
    PyObject *tb = NULL;
    if (is_record(b))
        tb = kfkpy_record_tuple((kfkpy_record *)b);
    else {
        Py_INCREF(b);
        tb = b;
    }
    PyObject *out = ta && tb ? PyObject_RichCompare(ta, tb, op) : NULL;
    Py_XDECREF(ta);
    Py_XDECREF(tb);
    return out;
}

static PyObject *rec_iter(kfkpy_record *r)
{
    PyObject *t = kfkpy_record_tuple(r);
    PyObject *it = t ? PyObject_GetIter(t) : NULL;
    Py_XDECREF(t);
    return it;
}

static Py_ssize_t rec_length(PyObject *r)
{
    return KFKPY_REC_N;
}

static PyObject *rec_item(kfkpy_record *r, Py_ssize_t i)
{
    if (i < 0 || i >= KFKPY_REC_N) {
        PyErr_SetString(PyExc_IndexError, "ConsumerRecord index out of range");
        return NULL;
    }
    return kfkpy_record_field(r, (int)i);
}

/* An int index directly; a slice through the tuple. */
static PyObject *rec_subscript(kfkpy_record *r, PyObject *key)
{
    if (PyIndex_Check(key)) {
        Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        return rec_item(r, i < 0 ? i + KFKPY_REC_N : i);
    }
    PyObject *t = kfkpy_record_tuple(r);
    PyObject *out = t ? PyObject_GetItem(t, key) : NULL;
    Py_XDECREF(t);
    return out;
}

/* -------------------------------------------------- namedtuple's methods */

static PyObject *rec_asdict(kfkpy_record *r, PyObject *unused)
{
    PyObject *d = PyDict_New();
    for (int i = 0; d && i < KFKPY_REC_N; i++) {
        PyObject *v = kfkpy_record_field(r, i);
        if (!v || PyDict_SetItemString(d, field_names[i], v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static int field_index(PyObject *name)
{
    for (int i = 0; i < KFKPY_REC_N; i++)
        if (PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, field_names[i]) == 0)
            return i;
    return -1;
}

/* A copy with the fields named by keyword replaced. */
static PyObject *rec_replace(kfkpy_record *r, PyObject *args, PyObject *kwds)
{
    if (PyTuple_Size(args) != 0) {
        PyErr_SetString(PyExc_TypeError, "_replace takes keyword arguments only");
        return NULL;
    }
    PyTypeObject *tp = Py_TYPE(r);
    allocfunc alloc = (allocfunc)PyType_GetSlot(tp, Py_tp_alloc);
    kfkpy_record *c = (kfkpy_record *)alloc(tp, 0);
    if (!c)
        return NULL;
    memcpy(&c->f, &r->f, sizeof *r - offsetof(kfkpy_record, f));
    for (int i = 0; i < KFKPY_REC_N; i++)
        Py_XINCREF(c->f[i]);
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (kwds && PyDict_Next(kwds, &pos, &k, &v)) {
        int i = field_index(k);
        if (i < 0) {
            PyErr_Format(PyExc_ValueError, "Got unexpected field name: %R", k);
            Py_DECREF(c);
            return NULL;
        }
        Py_INCREF(v);
        Py_XDECREF(c->f[i]);
        c->f[i] = v;
    }
    return (PyObject *)c;
}

static PyObject *rec_make(PyObject *cls, PyObject *iterable)
{
    PyObject *t = PySequence_Tuple(iterable);
    PyObject *out = t ? PyObject_Call(cls, t, NULL) : NULL;
    Py_XDECREF(t);
    return out;
}

static PyObject *rec_reduce(kfkpy_record *r, PyObject *unused)
{
    PyObject *t = kfkpy_record_tuple(r);
    return t ? Py_BuildValue("(ON)", (PyObject *)Py_TYPE(r), t) : NULL;
}

/* tuple's method of that name on the tuple of the fields. */
static PyObject *tuple_call(kfkpy_record *r, const char *name, PyObject *args)
{
    PyObject *t = kfkpy_record_tuple(r);
    PyObject *m = t ? PyObject_GetAttrString(t, name) : NULL;
    PyObject *out = m ? PyObject_Call(m, args, NULL) : NULL;
    Py_XDECREF(m);
    Py_XDECREF(t);
    return out;
}

static PyObject *rec_count(kfkpy_record *r, PyObject *args)
{
    return tuple_call(r, "count", args);
}

static PyObject *rec_index(kfkpy_record *r, PyObject *args)
{
    return tuple_call(r, "index", args);
}

static PyObject *rec_get(kfkpy_record *r, void *i)
{
    return kfkpy_record_field(r, (int)(intptr_t)i);
}

#define FIELD_AT(i) (Py_ssize_t)(offsetof(kfkpy_record, f) + (i) * sizeof(PyObject *))
#define GETTER(name, i) {name, (getter)rec_get, NULL, NULL, (void *)(intptr_t)(i)}

/* Fields always held as objects read as slots: T_OBJECT_EX is the member
 * kind CPython's specializing interpreter reads inline. The others through
 * a getter. */
static PyMemberDef rec_members[] = {
    {"topic", T_OBJECT_EX, FIELD_AT(KFKPY_REC_TOPIC), READONLY, NULL},
    {"key", T_OBJECT_EX, FIELD_AT(KFKPY_REC_KEY), READONLY, NULL},
    {"value", T_OBJECT_EX, FIELD_AT(KFKPY_REC_VALUE), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyGetSetDef rec_getset[] = {
    GETTER("partition", KFKPY_REC_PARTITION),
    GETTER("leader_epoch", KFKPY_REC_LEADER_EPOCH),
    GETTER("offset", KFKPY_REC_OFFSET),
    GETTER("timestamp", KFKPY_REC_TIMESTAMP),
    GETTER("timestamp_type", KFKPY_REC_TIMESTAMP_TYPE),
    GETTER("headers", KFKPY_REC_HEADERS),
    GETTER("checksum", KFKPY_REC_CHECKSUM),
    GETTER("serialized_key_size", KFKPY_REC_KEY_SIZE),
    GETTER("serialized_value_size", KFKPY_REC_VALUE_SIZE),
    GETTER("serialized_header_size", KFKPY_REC_HEADER_SIZE),
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef rec_methods[] = {
    {"_asdict", (PyCFunction)rec_asdict, METH_NOARGS, "The fields as a dict, in order."},
    {"_replace", (PyCFunction)(void (*)(void))rec_replace, METH_VARARGS | METH_KEYWORDS,
     "A copy with the named fields replaced."},
    {"_make", (PyCFunction)rec_make, METH_O | METH_CLASS, "A record from an iterable of fields."},
    {"__reduce__", (PyCFunction)rec_reduce, METH_NOARGS, "For pickle and copy."},
    {"count", (PyCFunction)rec_count, METH_VARARGS, "How many fields equal the value."},
    {"index", (PyCFunction)rec_index, METH_VARARGS, "The first field equal to the value."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot rec_slots[] = {
    {Py_tp_doc, "A record consumed from a topic partition: topic, partition, leader_epoch, "
                "offset, timestamp, timestamp_type, key, value, headers, checksum, "
                "serialized_key_size, serialized_value_size, serialized_header_size."},
    {Py_tp_new, rec_new},
    {Py_tp_dealloc, rec_dealloc},
    {Py_tp_traverse, rec_traverse},
    {Py_tp_clear, rec_clear},
    {Py_tp_repr, rec_repr},
    {Py_tp_hash, rec_hash},
    {Py_tp_richcompare, rec_richcompare},
    {Py_tp_iter, rec_iter},
    {Py_tp_members, rec_members},
    {Py_tp_getset, rec_getset},
    {Py_tp_methods, rec_methods},
    {Py_sq_length, rec_length},
    {Py_sq_item, rec_item},
    {Py_mp_subscript, rec_subscript},
    {0, NULL},
};

/* Named where kafka-python's lives (its module is kfk.consumer.fetcher,
 * which pickle imports). */
static PyType_Spec rec_spec = {"kfk.consumer.fetcher.ConsumerRecord", sizeof(kfkpy_record), 0,
                               Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
                               rec_slots};

int kfkpy_record_add(PyObject *module)
{
    PyObject *type = PyType_FromSpec(&rec_spec);
    PyObject *fields = type ? PyTuple_New(KFKPY_REC_N) : NULL;
    for (int i = 0; fields && i < KFKPY_REC_N; i++) {
        PyObject *s = PyUnicode_InternFromString(field_names[i]);
        if (!s)
            Py_CLEAR(fields);
        else
            PyTuple_SetItem(fields, i, s);
    }
    PyObject *defaults = fields ? PyDict_New() : NULL;
    if (!defaults || PyObject_SetAttrString(type, "_fields", fields) < 0 ||
        PyObject_SetAttrString(type, "__match_args__", fields) < 0 ||
        PyObject_SetAttrString(type, "_field_defaults", defaults) < 0 ||
        PyModule_AddObject(module, "ConsumerRecord", type) < 0) {
        Py_XDECREF(defaults);
        Py_XDECREF(fields);
        Py_XDECREF(type);
        return -1;
    }
    Py_DECREF(defaults);
    Py_DECREF(fields);
    kfkpy_record_type = (PyTypeObject *)type; /* the module owns it */
    return 0;
}
