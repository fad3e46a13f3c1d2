/* The rest of the API: socket callbacks, SASL extras and certificate
 * forms kfk cannot take are refused with the documented
 * answers, never crash, and need no handle to say so. */
#include <librdkafka/rdkafka.h>

#include "test.h"

static int verify_cb(rd_kafka_t *rk, const char *broker_name, int32_t broker_id, int *x509_error,
                     int depth, const char *buf, size_t size, char *errstr, size_t errstr_size,
                     void *opaque) {
    (void)rk, (void)broker_name, (void)broker_id, (void)x509_error, (void)depth, (void)buf;
    (void)size, (void)errstr, (void)errstr_size, (void)opaque;
    return 1;
}

TEST(ssl_cert_forms_kfk_cannot_take_are_refused_with_the_reason) {
    /* SEQUENCE { INTEGER 1 }: DER, but neither a key nor a certificate */
    static const unsigned char der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    char errstr[256];
    CHECK_EQ(rd_kafka_conf_set_ssl_cert(NULL, RD_KAFKA_CERT_PRIVATE_KEY, RD_KAFKA_CERT_ENC_PKCS12,
                                        der, sizeof(der), errstr, sizeof(errstr)),
             RD_KAFKA_CONF_INVALID);
    CHECK_STR(errstr, "rd_kafka_conf_set_ssl_cert: kfk does not implement PKCS#12 private keys; "
                      "give it as PEM or DER");
    CHECK_EQ(rd_kafka_conf_set_ssl_cert(NULL, RD_KAFKA_CERT_CA, RD_KAFKA_CERT_ENC_PKCS12, der,
                                        sizeof(der), errstr, sizeof(errstr)),
             RD_KAFKA_CONF_INVALID);
    CHECK(strstr(errstr, "kfk does not implement PKCS#12 certificates") != NULL);
    CHECK_EQ(rd_kafka_conf_set_ssl_cert(NULL, RD_KAFKA_CERT_PRIVATE_KEY, RD_KAFKA_CERT_ENC_DER,
                                        der, sizeof(der), errstr, sizeof(errstr)),
             RD_KAFKA_CONF_INVALID);
    CHECK_STR(errstr, "Failed to read DER private key: not PKCS#8, RSA, EC or DSA (5 bytes)");
    /* a length past the end */
    CHECK_EQ(rd_kafka_conf_set_ssl_cert(NULL, RD_KAFKA_CERT_CA, RD_KAFKA_CERT_ENC_DER, der, 4,
                                        errstr, sizeof(errstr)),
             RD_KAFKA_CONF_INVALID);
    CHECK_STR(errstr, "Failed to read DER certificate: not an X.509 certificate (4 bytes)");
    CHECK_EQ(rd_kafka_conf_set_ssl_cert(NULL, RD_KAFKA_CERT__CNT, RD_KAFKA_CERT_ENC_PEM, der,
                                        sizeof(der), errstr, sizeof(errstr)),
             RD_KAFKA_CONF_INVALID);
    CHECK_STR(errstr, "Invalid certificate type 3");
    CHECK_EQ(rd_kafka_conf_set_ssl_cert(NULL, RD_KAFKA_CERT_CA, RD_KAFKA_CERT_ENC__CNT, der,
                                        sizeof(der), errstr, sizeof(errstr)),
             RD_KAFKA_CONF_INVALID);
    CHECK_STR(errstr, "Invalid certificate encoding 3");
    CHECK_EQ(rd_kafka_conf_set_ssl_cert(NULL, RD_KAFKA_CERT_CA, RD_KAFKA_CERT_ENC_PEM,
                                        "not a certificate", 17, errstr, sizeof(errstr)),
             RD_KAFKA_CONF_INVALID);
    CHECK_STR(errstr, "Failed to read PEM ssl.ca.pem: no PEM block in 17 bytes");
}

TEST(ssl_verify_callback_is_refused_the_default_accepted) {
    CHECK_EQ(rd_kafka_conf_set_ssl_cert_verify_cb(NULL, verify_cb), RD_KAFKA_CONF_INVALID);
    CHECK_EQ(rd_kafka_conf_set_ssl_cert_verify_cb(NULL, NULL), RD_KAFKA_CONF_OK);
}

TEST(no_sasl_queue_and_no_unit_tests_to_fail) {
    CHECK(rd_kafka_queue_get_sasl(NULL) == NULL);
    CHECK_EQ(rd_kafka_unittest(), 0);
}
