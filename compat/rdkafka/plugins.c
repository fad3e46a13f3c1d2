/* plugin.library.paths: librdkafka's plugins, loaded when the property is
 * set: each library's conf_init(conf) runs (it adds its interceptors and
 * may set properties); they stay loaded until the conf is destroyed. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

struct rdk_plugin {
    struct rdk_plugin *next;
    void *handle;
    char path[];
};

typedef rd_kafka_resp_err_t(conf_init_fn)(rd_kafka_conf_t *conf, void **plug_opaque,
                                          char *errstr, size_t errstr_size);

/* dlerror's text, its newlines as librdkafka writes them. */
static void dl_error(char *errstr, size_t size, const char *fmt, const char *what) {
    const char *e = dlerror();
    if (!size) return;
    snprintf(errstr, size, fmt, what, e ? e : "No error returned from dlerror()");
    for (char *s = errstr; (s = strchr(s, '\n'));) *s = '.';
}

/* As librdkafka: the path as given, else with ".so" when its file name
 * has no extension. */
static void *open_lib(const char *path, char *errstr, size_t size) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h) return h;
    dl_error(errstr, size, "%s failed: %s", "dlopen()");
    const char *fname = strrchr(path, '/');
    fname = fname ? fname + 1 : path;
    const char *dot = strrchr(fname, '.');
    if (dot && dot >= fname + strlen(fname) - 3) return NULL;
    size_t len = strlen(path);
    char *ext = malloc(len + 4);
    if (!ext) return NULL;
    memcpy(ext, path, len);
    memcpy(ext + len, ".so", 4);
    h = dlopen(ext, RTLD_NOW | RTLD_LOCAL);
    if (!h) dl_error(errstr, size, "%s failed: %s", "dlopen()");
    free(ext);
    return h;
}

static rd_kafka_resp_err_t load(rd_kafka_conf_t *conf, const char *path, char *errstr,
                                size_t size) {
    for (const struct rdk_plugin *p = conf->plugins; p; p = p->next)
        if (!strcmp(p->path, path)) {
            snprintf(errstr, size, "Ignoring duplicate plugin %s", path);
            return RD_KAFKA_RESP_ERR_NO_ERROR;
        }
    void *h = open_lib(path, errstr, size);
    if (!h) return RD_KAFKA_RESP_ERR__FS;
    conf_init_fn *init;
    *(void **)&init = dlsym(h, "conf_init");
    if (!init) {
        dl_error(errstr, size, "Failed to load symbol \"%s\": %s", "conf_init");
        dlclose(h);
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    void *plug_opaque = NULL;
    rd_kafka_resp_err_t err = init(conf, &plug_opaque, errstr, size);
    if (err) {
        dlclose(h);
        return err;
    }
    size_t len = strlen(path) + 1;
    struct rdk_plugin *p = malloc(sizeof *p + len);
    if (!p) {
        dlclose(h);
        snprintf(errstr, size, "Out of memory loading plugin %s", path);
        return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    }
    p->handle = h;
    memcpy(p->path, path, len);
    struct rdk_plugin **tail = &conf->plugins;
    while (*tail) tail = &(*tail)->next;
    p->next = NULL;
    *tail = p;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

void rdk_plugins_unload(rd_kafka_conf_t *conf) {
    for (struct rdk_plugin *p = conf->plugins, *next; p; p = next) {
        next = p->next;
        dlclose(p->handle);
        free(p);
    }
    conf->plugins = NULL;
}

rd_kafka_conf_res_t rdk_plugins_set(rd_kafka_conf_t *conf, const char *paths, char *errstr,
                                    size_t size) {
    char none[1] = "";
    if (!errstr) errstr = none, size = 0;
    rdk_plugins_unload(conf);
    if (!paths || !*paths) return RD_KAFKA_CONF_OK;
    char *copy = strdup(paths);
    if (!copy) {
        snprintf(errstr, size, "Out of memory setting \"plugin.library.paths\"");
        return RD_KAFKA_CONF_INVALID;
    }
    rd_kafka_conf_res_t res = RD_KAFKA_CONF_OK;
    for (char *s = copy, *t; s && *s; s = t) {
        char *path = s;
        if ((t = strchr(s, ';'))) *t++ = '\0';
        if (load(conf, path, errstr, size)) {
            size_t elen = size ? strlen(errstr) : 0;
            if (elen + strlen("(plugin )") + strlen(path) < size)
                snprintf(errstr + elen, size - elen, " (plugin %s)", path);
            rdk_plugins_unload(conf);
            res = RD_KAFKA_CONF_INVALID;
            break;
        }
    }
    free(copy);
    return res;
}
