/* Certificates from memory (rd_kafka_conf_set_ssl_cert) become librdkafka's
 * PEM properties, which the configuration hands to kfk's TLS setup; what
 * kfk's TLS cannot take (PKCS#12, DER keys, a verify callback, engines) is
 * refused or, for void setters, has no effect. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

/* Until conf.c is merged into this branch: drop then. */
#pragma weak rd_kafka_conf_set

static const char *const pem_props[RD_KAFKA_CERT__CNT] = {
    [RD_KAFKA_CERT_PUBLIC_KEY] = "ssl.certificate.pem",
    [RD_KAFKA_CERT_PRIVATE_KEY] = "ssl.key.pem",
    [RD_KAFKA_CERT_CA] = "ssl.ca.pem",
};

/* A DER certificate as PEM: base64 in 64-column lines between the
 * CERTIFICATE markers. NULL: out of memory. */
static char *der_cert_to_pem(const unsigned char *der, size_t size) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char head[] = "-----BEGIN CERTIFICATE-----\n";
    static const char tail[] = "-----END CERTIFICATE-----\n";
    size_t chars = (size + 2) / 3 * 4;
    char *pem = malloc(sizeof(head) + chars + chars / 64 + 1 + sizeof(tail));
    if (!pem) return NULL;
    char *p = pem + sizeof(head) - 1;
    memcpy(pem, head, sizeof(head) - 1);
    size_t col = 0;
    for (size_t i = 0; i < size; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        if (i + 1 < size) v |= (uint32_t)der[i + 1] << 8;
        if (i + 2 < size) v |= der[i + 2];
        char quad[4] = {b64[v >> 18], b64[(v >> 12) & 63], i + 1 < size ? b64[(v >> 6) & 63] : '=',
                        i + 2 < size ? b64[v & 63] : '='};
        memcpy(p, quad, 4);
        p += 4;
        if ((col += 4) == 64) *p++ = '\n', col = 0;
    }
    if (col) *p++ = '\n';
    memcpy(p, tail, sizeof(tail));
    return pem;
}

rd_kafka_conf_res_t rd_kafka_conf_set_ssl_cert(rd_kafka_conf_t *conf,
                                               rd_kafka_cert_type_t cert_type,
                                               rd_kafka_cert_enc_t cert_enc, const void *buffer,
                                               size_t size, char *errstr, size_t errstr_size) {
    if ((int)cert_type < 0 || cert_type >= RD_KAFKA_CERT__CNT) {
        snprintf(errstr, errstr_size, "Invalid certificate type %d", (int)cert_type);
        return RD_KAFKA_CONF_INVALID;
    }
    const char *prop = pem_props[cert_type];
    /* "" is kfk's unset: clearing the certificate. */
    if (!buffer) return rd_kafka_conf_set(conf, prop, "", errstr, errstr_size);

    char *pem;
    if (cert_enc == RD_KAFKA_CERT_ENC_PEM) {
        if (!(pem = malloc(size + 1))) goto oom;
        memcpy(pem, buffer, size);
        pem[size] = '\0';
        if (!strstr(pem, "-----BEGIN ")) {
            free(pem);
            snprintf(errstr, errstr_size, "Failed to read PEM %s: no PEM block in %zu bytes",
                     prop, size);
            return RD_KAFKA_CONF_INVALID;
        }
    } else if (cert_enc == RD_KAFKA_CERT_ENC_DER && cert_type != RD_KAFKA_CERT_PRIVATE_KEY) {
        if (!(pem = der_cert_to_pem(buffer, size))) goto oom;
    } else if (cert_enc == RD_KAFKA_CERT_ENC_DER || cert_enc == RD_KAFKA_CERT_ENC_PKCS12) {
        snprintf(errstr, errstr_size,
                 "rd_kafka_conf_set_ssl_cert: kfk does not implement %s %s; give it as PEM",
                 cert_enc == RD_KAFKA_CERT_ENC_DER ? "DER-encoded" : "PKCS#12",
                 cert_type == RD_KAFKA_CERT_PRIVATE_KEY ? "private keys" : "certificates");
        return RD_KAFKA_CONF_INVALID;
    } else {
        snprintf(errstr, errstr_size, "Invalid certificate encoding %d", (int)cert_enc);
        return RD_KAFKA_CONF_INVALID;
    }
    rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, prop, pem, errstr, errstr_size);
    free(pem);
    return res;
oom:
    snprintf(errstr, errstr_size, "rd_kafka_conf_set_ssl_cert: out of memory");
    return RD_KAFKA_CONF_INVALID;
}

/* No errstr here: the return value is the refusal. NULL asks for the
 * default verification, which kfk does. */
rd_kafka_conf_res_t rd_kafka_conf_set_ssl_cert_verify_cb(
    rd_kafka_conf_t *conf,
    int (*ssl_cert_verify_cb)(rd_kafka_t *rk, const char *broker_name, int32_t broker_id,
                              int *x509_error, int depth, const char *buf, size_t size,
                              char *errstr, size_t errstr_size, void *opaque)) {
    (void)conf;
    return ssl_cert_verify_cb ? RD_KAFKA_CONF_INVALID : RD_KAFKA_CONF_OK;
}

void rd_kafka_conf_set_engine_callback_data(rd_kafka_conf_t *conf, void *callback_data) {
    (void)conf, (void)callback_data;
}
