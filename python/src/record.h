/* kfk._kfk.ConsumerRecord: the record type the consumer hands out, with
 * kafka-python 3.0's ConsumerRecord fields (a namedtuple there; a C type
 * here that reads like one, see record.c). Shared by record.c, which
 * defines the type, and consumer.c, which fills records in place. */
#ifndef KFKPY_RECORD_H
#define KFKPY_RECORD_H

#include "kfkpy.h"

enum {
    KFKPY_REC_TOPIC,
    KFKPY_REC_PARTITION,
    KFKPY_REC_LEADER_EPOCH,
    KFKPY_REC_OFFSET,
    KFKPY_REC_TIMESTAMP,
    KFKPY_REC_TIMESTAMP_TYPE,
    KFKPY_REC_KEY,
    KFKPY_REC_VALUE,
    KFKPY_REC_HEADERS,
    KFKPY_REC_CHECKSUM,
    KFKPY_REC_KEY_SIZE,
    KFKPY_REC_VALUE_SIZE,
    KFKPY_REC_HEADER_SIZE,
    KFKPY_REC_N
};

typedef struct {
    PyObject_HEAD
    /* Each field's object. NULL (never for topic, key and value): the
     * number in the C fields below, made an int when read; headers: an
     * empty list made on the first read; checksum: None. A record the
     * consumer made holds objects for topic, key, value and non-empty
     * headers only, so a record costs one allocation beyond its bytes. */
    PyObject *f[KFKPY_REC_N];
    int64_t offset, timestamp;
    int32_t partition, leader_epoch, key_size, value_size, header_size;
    int8_t timestamp_type; /* -1: None */
} kfkpy_record;

/* The type; set by kfkpy_record_add. */
extern PyTypeObject *kfkpy_record_type;

/* A record of kfkpy_record_type whose fields the caller sets, every one;
 * not tracked by the cycle collector (the caller tracks it if a field may
 * hold references). NULL with an exception. */
kfkpy_record *kfkpy_record_alloc(void);

/* Field i of record r: a new reference, NULL with an exception. */
PyObject *kfkpy_record_field(kfkpy_record *r, int i);

/* The tuple of record r's fields, NULL with an exception. */
PyObject *kfkpy_record_tuple(kfkpy_record *r);

int kfkpy_record_add(PyObject *module);

/* Frees the records kept for reuse (the module's teardown); records freed
 * later are not kept. */
void kfkpy_record_release(void);

#endif
