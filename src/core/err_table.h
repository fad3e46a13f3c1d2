#ifndef KFK_ERR_TABLE_H
#define KFK_ERR_TABLE_H

typedef struct kfk_err_info {
    int code;
    int retriable;
    const char *name;
    const char *message;
} kfk_err_info;

/* Sorted by code, local errors (most negative) first. */
extern const kfk_err_info kfk_err_table[];
extern const int kfk_err_table_len;

#endif
