/* kfk._kfk: the C extension under the kfk package. Each client type lives
 * in its own file and adds itself to the module; what they share is here.
 * The stable ABI (Py_LIMITED_API) only: no CPython internals. */
#ifndef KFKPY_H
#define KFKPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "kfk.h"

/* The vectorcall convention (args array, count, keyword names): CPython's
 * since 3.7, in the stable ABI's headers from 3.10; the value is fixed. */
#ifndef METH_FASTCALL
#define METH_FASTCALL 0x0080
#endif

/* Raises the kfk.errors exception for a kfk_err code (kfk.errors._from_kfk,
 * registered at import), with msg or kfk_err_str(code). Returns NULL. */
PyObject *kfkpy_raise(int code, const char *msg);

/* A kfk_conf from a dict of kfk (librdkafka-style) property names to
 * values (str, int, float or bool). Raises KafkaConfigurationError naming
 * the key and value of the first one refused. */
kfk_conf *kfkpy_conf_from_dict(PyObject *props);

/* tuple's tp_new: makes instances of namedtuple classes from a tuple
 * without running their Python __new__. Set before the types are added. */
extern newfunc kfkpy_tuple_new;

/* Each adds its types to the module; 0 on success, -1 with an exception. */
int kfkpy_record_add(PyObject *module);
int kfkpy_producer_add(PyObject *module);
int kfkpy_consumer_add(PyObject *module);
int kfkpy_admin_add(PyObject *module);

#endif
