/* kfk._kfk.Admin: kfk_admin for kfk.KafkaAdminClient. */
#include "kfkpy.h"

int kfkpy_admin_add(PyObject *module)
{
    return 0;
}
