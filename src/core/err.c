#include <stddef.h>

#include "core/err_table.h"
#include "kfk.h"

static const kfk_err_info *find(int err) {
    int lo = 0, hi = kfk_err_table_len - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (kfk_err_table[mid].code == err) return &kfk_err_table[mid];
        if (kfk_err_table[mid].code < err)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

const char *kfk_err_name(int err) {
    const kfk_err_info *e = find(err);
    return e ? e->name : "UNKNOWN";
}

const char *kfk_err_str(int err) {
    const kfk_err_info *e = find(err);
    return e ? e->message : "Unknown error code";
}

int kfk_err_retriable(int err) {
    const kfk_err_info *e = find(err);
    return e ? e->retriable : 0;
}

const char *kfk_version(void) { return KFK_VERSION_STR; }
