/* Module kfk._kfk: the error factory, configuration from a dict, and the
 * types of producer.c, consumer.c and admin.c. */
#include <string.h>

#include "kfkpy.h"
#include "record.h"

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

/* The module's teardown (interpreter exit): what it keeps beyond objects. */
static void module_free(void *unused)
{
    kfkpy_record_release();
    Py_CLEAR(error_factory);
}

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "kfk._kfk", "kfk's C core for the kfk package.", -1,
    module_methods, NULL, NULL, NULL, module_free,
};

PyMODINIT_FUNC PyInit__kfk(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    if (tuple_new_init() < 0 || kfkpy_record_add(m) < 0 || kfkpy_producer_add(m) < 0 ||
        kfkpy_consumer_add(m) < 0 ||
        kfkpy_admin_add(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
