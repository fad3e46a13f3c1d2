/* kfk._kfk.Producer: kfk_producer for kfk.KafkaProducer. */
#include "kfkpy.h"

int kfkpy_producer_add(PyObject *module)
{
    return 0;
}
