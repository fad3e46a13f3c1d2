/* Module kfk._kfk: the error factory, configuration from a dict, and the
 * types of producer.c, consumer.c and admin.c. */
#include <string.h>

#include "kfkpy.h"

/* kfk.errors.for_code(code, message) -> exception instance; set by
 * kfk/__init__.py so that C raises the same classes Python code catches. */
static PyObject *error_factory;

PyObject *kfkpy_raise(int code, const char *msg)
{
    if (!msg || !*msg)
        msg = kfk_err_str(code);
    if (!error_factory) {
        PyErr_Format(PyExc_RuntimeError, "kfk error %d: %s", code, msg);
        return NULL;
    }
    PyObject *exc = PyObject_CallFunction(error_factory, "is", code, msg);
    if (exc) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

/* value as the text kfk_conf_set takes; NULL with TypeError if it has none. */
static PyObject *conf_value_text(PyObject *key, PyObject *value)
{
    if (PyBool_Check(value))
        return PyUnicode_FromString(value == Py_True ? "true" : "false");
    if (PyLong_Check(value) || PyFloat_Check(value))
        return PyObject_Str(value);
    if (PyUnicode_Check(value)) {
        Py_INCREF(value);
        return value;
    }
    PyErr_Format(PyExc_TypeError, "configuration %R: %R is not a str, int, float or bool",
                 key, value);
    return NULL;
}

kfk_conf *kfkpy_conf_from_dict(PyObject *props)
{
    if (!PyDict_Check(props)) {
        PyErr_SetString(PyExc_TypeError, "configuration must be a dict");
        return NULL;
    }
    kfk_conf *conf = kfk_conf_new();
    if (!conf)
        return (kfk_conf *)PyErr_NoMemory();
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(props, &pos, &key, &value)) {
        if (!PyUnicode_Check(key)) {
            PyErr_Format(PyExc_TypeError, "configuration key %R is not a str", key);
            goto fail;
        }
        PyObject *text = conf_value_text(key, value);
        if (!text)
            goto fail;
        /* PyUnicode_AsUTF8AndSize is not in the 3.9 limited API */
        PyObject *kb = PyUnicode_AsUTF8String(key);
        PyObject *vb = PyUnicode_AsUTF8String(text);
        Py_DECREF(text);
        if (!kb || !vb) {
            Py_XDECREF(kb);
            Py_XDECREF(vb);
            goto fail;
        }
        char errstr[512];
        int rc = kfk_conf_set(conf, PyBytes_AsString(kb), PyBytes_AsString(vb), errstr,
                              sizeof errstr);
        Py_DECREF(kb);
        Py_DECREF(vb);
        if (rc != 0) {
            kfkpy_raise(KFK_ERR_CONFIG, errstr);
            goto fail;
        }
    }
    return conf;
fail:
    kfk_conf_destroy(conf);
    return NULL;
}

newfunc kfkpy_tuple_new;

/* Where a tuple's items start, in bytes from the object (0: unknown).
 * The limited API hides the layout; it is found once on this interpreter
 * by looking for items put in by PyTuple_SetItem, and then used only if
 * an instance made with tp_alloc and filled there is an equal tuple with
 * the same hash (a tuple that caches its hash in a field tp_alloc zeroes
 * fails that, and records are then made by tuple's tp_new). */
static Py_ssize_t items_at;

static Py_ssize_t items_find(PyTypeObject *sub, allocfunc alloc)
{
    /* 16 items: the words looked at (the header's and the first items')
     * are inside the object. */
    PyObject *probe = alloc(sub, 16), *marks[3] = {Py_None, Py_True, Py_False};
    Py_ssize_t at = 0;
    if (!probe)
        return 0;
    for (Py_ssize_t i = 0; i < 3; i++) {
        Py_INCREF(marks[i]);
        PyTuple_SetItem(probe, i, marks[i]);
    }
    PyObject **words = (PyObject **)probe;
    for (Py_ssize_t w = 1; w < 14 && !at; w++)
        if (words[w] == marks[0] && words[w + 1] == marks[1] && words[w + 2] == marks[2])
            at = w * (Py_ssize_t)sizeof(PyObject *);
    Py_DECREF(probe);
    return at;
}

static Py_ssize_t items_check(PyTypeObject *sub)
{
    allocfunc alloc = (allocfunc)PyType_GetSlot(sub, Py_tp_alloc);
    Py_ssize_t at = alloc ? items_find(sub, alloc) : 0;
    PyObject *plain = Py_BuildValue("(iss)", 7, "a", "b");
    PyObject *made = at && plain ? alloc(sub, 3) : NULL;
    for (Py_ssize_t i = 0; made && i < 3; i++) {
        PyObject *item = PyTuple_GetItem(plain, i);
        Py_INCREF(item);
        ((PyObject **)((char *)made + at))[i] = item;
    }
    int ok = made && PyTuple_Size(made) == 3 && PyObject_Hash(made) == PyObject_Hash(plain) &&
             PyObject_RichCompareBool(made, plain, Py_EQ) == 1;
    Py_XDECREF(made);
    Py_XDECREF(plain);
    PyErr_Clear();
    return ok ? at : 0;
}

static void items_drop(PyObject **items, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        Py_DECREF(items[i]);
}

PyObject *kfkpy_tuple_of(PyObject *cls, PyObject **items, Py_ssize_t n)
{
    allocfunc alloc = cls != Py_None && items_at
                          ? (allocfunc)PyType_GetSlot((PyTypeObject *)cls, Py_tp_alloc)
                          : NULL;
    if (alloc) {
        PyObject *r = alloc((PyTypeObject *)cls, n);
        if (!r) {
            items_drop(items, n);
            return NULL;
        }
        memcpy((char *)r + items_at, items, (size_t)n * sizeof *items);
        return r;
    }
    PyObject *t = PyTuple_New(n);
    if (!t) {
        items_drop(items, n);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        PyTuple_SetItem(t, i, items[i]);
    if (cls == Py_None)
        return t;
    PyObject *args = PyTuple_New(1);
    if (!args) {
        Py_DECREF(t);
        return NULL;
    }
    PyTuple_SetItem(args, 0, t);
    PyObject *r = kfkpy_tuple_new((PyTypeObject *)cls, args, NULL);
    Py_DECREF(args);
    return r;
}

/* Reads tuple's tp_new from a heap subtype: PyType_GetSlot takes no static
 * type before 3.10. */
static int tuple_new_init(void)
{
    static PyType_Slot sub_slots[] = {{0, NULL}};
    static PyType_Spec sub_spec = {"kfk._kfk._tuple", 0, 0, Py_TPFLAGS_DEFAULT, sub_slots};
    PyObject *bases = PyTuple_Pack(1, (PyObject *)&PyTuple_Type);
    PyObject *sub = bases ? PyType_FromSpecWithBases(&sub_spec, bases) : NULL;
    Py_XDECREF(bases);
    if (!sub)
        return -1;
    kfkpy_tuple_new = (newfunc)PyType_GetSlot((PyTypeObject *)sub, Py_tp_new);
    items_at = items_check((PyTypeObject *)sub);
    Py_DECREF(sub);
    if (!kfkpy_tuple_new) {
        PyErr_SetString(PyExc_RuntimeError, "kfk: tuple has no tp_new");
        return -1;
    }
    return 0;
}

static PyObject *set_error_factory(PyObject *self, PyObject *factory)
{
    if (!PyCallable_Check(factory)) {
        PyErr_SetString(PyExc_TypeError, "the error factory must be callable");
        return NULL;
    }
    Py_INCREF(factory);
    Py_XDECREF(error_factory);
    error_factory = factory;
    Py_RETURN_NONE;
}

static PyObject *version(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromString(kfk_version());
}

static PyObject *err_name(PyObject *self, PyObject *code)
{
    long c = PyLong_AsLong(code);
    if (c == -1 && PyErr_Occurred())
        return NULL;
    return PyUnicode_FromString(kfk_err_name((int)c));
}

static PyMethodDef module_methods[] = {
    {"_set_error_factory", set_error_factory, METH_O,
     "Sets the callable (code, message) -> exception used for kfk errors."},
    {"version", version, METH_NOARGS, "libkfk's version string."},
    {"err_name", err_name, METH_O, "The name of a kfk_err code (Kafka's error names)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "kfk._kfk", "kfk's C core for the kfk package.", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__kfk(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    if (tuple_new_init() < 0 || kfkpy_producer_add(m) < 0 || kfkpy_consumer_add(m) < 0 ||
        kfkpy_admin_add(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
