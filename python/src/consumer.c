/* kfk._kfk.Consumer: kfk_consumer for kfk.KafkaConsumer. */
#include "kfkpy.h"

int kfkpy_consumer_add(PyObject *module)
{
    return 0;
}
