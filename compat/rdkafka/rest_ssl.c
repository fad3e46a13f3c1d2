/* Certificates from memory (rd_kafka_conf_set_ssl_cert) become librdkafka's
 * PEM properties, which the configuration hands to kfk's TLS setup; what
 * kfk's TLS cannot take (PKCS#12, a verify callback, engines) is
 * refused or, for void setters, has no effect. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

static const char *const pem_props[RD_KAFKA_CERT__CNT] = {
    [RD_KAFKA_CERT_PUBLIC_KEY] = "ssl.certificate.pem",
    [RD_KAFKA_CERT_PRIVATE_KEY] = "ssl.key.pem",
    [RD_KAFKA_CERT_CA] = "ssl.ca.pem",
};

/* DER as PEM: base64 in 64-column lines between label's markers. NULL:
 * out of memory. */
static char *der_to_pem(const unsigned char *der, size_t size, const char *label) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t chars = (size + 2) / 3 * 4;
    char *pem = malloc(chars + chars / 64 + 2 * strlen(label) + 64);
    if (!pem) return NULL;
    char *p = pem + sprintf(pem, "-----BEGIN %s-----\n", label);
    size_t col = 0;
    for (size_t i = 0; i < size; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        if (i + 1 < size) v |= (uint32_t)der[i + 1] << 8;
        if (i + 2 < size) v |= der[i + 2];
        *p++ = b64[v >> 18];
        *p++ = b64[(v >> 12) & 63];
        *p++ = i + 1 < size ? b64[(v >> 6) & 63] : '=';
        *p++ = i + 2 < size ? b64[v & 63] : '=';
        if ((col += 4) == 64) *p++ = '\n', col = 0;
    }
    if (col) *p++ = '\n';
    sprintf(p, "-----END %s-----\n", label);
    return pem;
}

/* Reads the DER element header at *pos: its tag, and its contents' extent
 * [*pos, *end) after the call. 0: malformed or past limit. */
static int der_next(const unsigned char *der, size_t limit, size_t *pos, int *tag, size_t *end) {
    size_t i = *pos;
    if (i + 2 > limit) return 0;
    *tag = der[i++];
    size_t len = der[i++];
    if (len & 0x80) {
        size_t n = len & 0x7f;
        if (n == 0 || n > 4 || i + n > limit) return 0;
        for (len = 0; n--;) len = len << 8 | der[i++];
    }
    if (len > limit - i) return 0;
    *pos = i;
    *end = i + len;
    return 1;
}

/* "CERTIFICATE" when der is one DER SEQUENCE, as an X.509 certificate is. */
static const char *der_cert_label(const unsigned char *der, size_t size) {
    size_t pos = 0, end;
    int tag;
    return der_next(der, size, &pos, &tag, &end) && tag == 0x30 && end == size ? "CERTIFICATE"
                                                                               : NULL;
}

/* The PEM label of a DER private key, from its structure: PKCS#8
 * (plain or encrypted), PKCS#1 RSA, SEC1 EC or DSA. NULL: none of them. */
static const char *der_key_label(const unsigned char *der, size_t size) {
    size_t pos = 0, end, e;
    int tag, first = 0, second = 0, n = 0;
    if (!der_next(der, size, &pos, &tag, &end) || tag != 0x30) return NULL;
    for (; pos < end; pos = e, n++) {
        if (!der_next(der, end, &pos, &tag, &e)) return NULL;
        if (n == 0) first = tag;
        if (n == 1) second = tag;
    }
    if (first == 0x30 && second == 0x04 && n == 2) return "ENCRYPTED PRIVATE KEY";
    if (first != 0x02) return NULL;
    if (second == 0x30) return "PRIVATE KEY"; /* version, algorithm, key */
    if (second == 0x04) return "EC PRIVATE KEY";
    if (second == 0x02) return n == 6 ? "DSA PRIVATE KEY" : "RSA PRIVATE KEY";
    return NULL;
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
    /* A NULL value resets a string property, as librdkafka's conf_set does. */
    if (!buffer) return rd_kafka_conf_set(conf, prop, NULL, errstr, errstr_size);

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
    } else if (cert_enc == RD_KAFKA_CERT_ENC_DER) {
        const char *label = cert_type == RD_KAFKA_CERT_PRIVATE_KEY ? der_key_label(buffer, size)
                                                                   : der_cert_label(buffer, size);
        if (!label) {
            snprintf(errstr, errstr_size, "Failed to read DER %s: %s (%zu bytes)",
                     cert_type == RD_KAFKA_CERT_PRIVATE_KEY ? "private key" : "certificate",
                     cert_type == RD_KAFKA_CERT_PRIVATE_KEY ? "not PKCS#8, RSA, EC or DSA"
                                                            : "not an X.509 certificate",
                     size);
            return RD_KAFKA_CONF_INVALID;
        }
        if (!(pem = der_to_pem(buffer, size, label))) goto oom;
    } else if (cert_enc == RD_KAFKA_CERT_ENC_PKCS12) {
        snprintf(errstr, errstr_size,
                 "rd_kafka_conf_set_ssl_cert: kfk does not implement PKCS#12 %s; give it as "
                 "PEM or DER",
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
