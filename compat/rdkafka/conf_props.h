/* librdkafka 2.0.2's configuration properties (conf_props.c) and what kfk
 * does with each. Internal to conf.c. */
#ifndef KFK_RDK_CONF_PROPS_H
#define KFK_RDK_CONF_PROPS_H

/* Scope and kind, as librdkafka's properties table has them. */
#define RDK_F_GLOBAL 0x001
#define RDK_F_TOPIC 0x002
#define RDK_F_PRODUCER 0x004
#define RDK_F_CONSUMER 0x008
#define RDK_F_HIDDEN 0x010 /* not shown by properties_show, dumped */
#define RDK_F_DEPRECATED 0x020
#define RDK_F_SENSITIVE 0x040
#define RDK_F_HIGH 0x080
#define RDK_F_MED 0x100
#define RDK_F_EXPERIMENTAL 0x200

enum rdk_ptype {
    RDK_STR,
    RDK_INT,
    RDK_DBL,
    RDK_BOOL,
    RDK_S2I,      /* one of values: "a|a2,b" (a2 a synonym of a, shown as a) */
    RDK_S2F,      /* CSV flags of values; '!' marks a value kfk lacks */
    RDK_PTR,      /* set through its rd_kafka_conf_set_*() call */
    RDK_ALIAS,    /* values names the property */
    RDK_INTERNAL, /* not settable */
    RDK_INVALID,  /* never settable: values is the error text */
    RDK_PATLIST,  /* comma separated regular expressions */
    RDK_KSTR,     /* a string kept untrimmed */
};

/* What kfk does with a property. */
enum rdk_use {
    RDK_USE_KFK,     /* translated to the kfk key: set or default value */
    RDK_USE_KFK_SET, /* translated only when set (librdkafka's default is kfk's) */
    RDK_USE_LAYER,   /* the layer reads it (rdk_conf_str) */
    RDK_USE_NONE,    /* accepted, no effect on correctness */
    RDK_USE_REFUSE,  /* kfk cannot honour it: rdk_conf_build fails when set */
};

/* How a value becomes kfk's. */
enum rdk_xlat {
    RDK_X_SAME,
    RDK_X_MIN1024, /* raised to kfk's least request size */
    RDK_X_MIN1,
    RDK_X_MAX1000, /* lowered to kfk's most requests in flight */
    RDK_X_POS,     /* -1 (never) left out */
    RDK_X_UPPER,
    RDK_X_PROBE, /* "probe": the system's store */
    RDK_X_NONE,  /* "none": empty */
    RDK_X_KIB,   /* KiB to bytes, at most INT32_MAX */
    RDK_X_KIB40, /* KiB to bytes, at most 2^40 */
    RDK_X_ZEROINF, /* 0 (no limit) to INT32_MAX */
    RDK_X_DBL,     /* fractional milliseconds, truncated */
    RDK_X_CODEC,   /* inherit: the global codec */
    RDK_X_RESET,   /* smallest, largest, error to earliest, latest, none */
    RDK_X_ACKS,    /* -1, 0, 1; other counts refused (brokers reject them) */
};

typedef struct rdk_prop {
    const char *name;
    unsigned short flags;
    unsigned char type, use;
    int vmin, vmax;
    const char *def;    /* as rd_kafka_conf_get shows it; NULL: unset */
    const char *values; /* by type: see enum rdk_ptype */
    const char *kfk;    /* kfk's key, or NULL */
    unsigned char xlat;
    const char *unsupported; /* why kfk refuses any value, or NULL */
    const char *desc;
} rdk_prop;

extern const rdk_prop rdk_props_table[];
extern const int rdk_props_cnt;

/* A conf's values, by table index (conf.c). */
struct rdk_prop_val {
    char *v;           /* NULL: the default (or unset) */
    unsigned char set; /* set by the application, so dup copies it */
};

struct rdk_props {
    struct rdk_prop_val e[1]; /* rdk_props_cnt of them */
};

/* The property named name in scope (RDK_F_GLOBAL or RDK_F_TOPIC),
 * aliases followed; -1 when none. */
int rdk_prop_find(int scope, const char *name);
/* Property i's current value: as set, else its default (props NULL: the
 * default); NULL when it has none. */
const char *rdk_prop_value(const struct rdk_props *props, int i);

/* Formats into errstr (nothing when it is NULL or of size 0). */
void rdk_seterr(char *errstr, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
