/* OpenSSL (libssl.so.3 and libcrypto.so.3 under it) loaded at first use,
 * not linked: the loader's relocations and OpenSSL's start-up touch ~1.7 MB
 * of its pages in every process that maps it, and most clients use
 * neither TLS nor SCRAM. Include this after the OpenSSL headers: each
 * OpenSSL function kfk calls (directly or through OpenSSL's own macros)
 * is a macro for its entry in a table that kfk_ossl_load fills. A new call
 * goes in KFK_OSSL_FUNCS too, or the build fails to link. */
#ifndef KFK_NET_OSSL_H
#define KFK_NET_OSSL_H

#include <stddef.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* Loads OpenSSL once per process (any thread; later calls return at once).
 * 0, or -1 with the loader's reason in errstr. Every use of OpenSSL is
 * behind a successful call: where a client is made with TLS or a SCRAM
 * mechanism, and where the admin client computes SCRAM credentials. */
int kfk_ossl_load(char *errstr, size_t errlen);

#define KFK_OSSL_FUNCS(X) \
    X(CRYPTO_memcmp) X(BIO_clear_flags) X(BIO_free) X(BIO_get_data) X(BIO_get_new_index) X(BIO_meth_new) \
    X(BIO_meth_set_ctrl) X(BIO_meth_set_read_ex) X(BIO_meth_set_write_ex) X(BIO_new) \
    X(BIO_new_file) X(BIO_new_mem_buf) X(BIO_set_data) X(BIO_set_flags) X(BIO_set_init) \
    X(ERR_clear_error) X(ERR_error_string_n) X(ERR_get_error) X(ERR_peek_error) \
    X(EVP_DecodeBlock) X(EVP_Digest) X(EVP_EncodeBlock) X(EVP_MD_get_size) X(EVP_PKCS82PKEY) \
    X(EVP_PKEY_free) X(EVP_sha256) X(EVP_sha512) X(HMAC) X(OBJ_obj2nid) X(OPENSSL_cipher_name) \
    X(OPENSSL_sk_delete) X(OPENSSL_sk_new_null) X(OPENSSL_sk_num) X(OPENSSL_sk_pop_free) \
    X(OPENSSL_sk_push) X(OPENSSL_sk_value) X(PEM_read_bio_PrivateKey) X(PEM_read_bio_X509) \
    X(PEM_read_bio_X509_CRL) X(PKCS12_SAFEBAG_free) X(PKCS12_SAFEBAG_get0_p8inf) \
    X(PKCS12_SAFEBAG_get1_cert) X(PKCS12_SAFEBAG_get_bag_nid) X(PKCS12_SAFEBAG_get_nid) \
    X(PKCS12_decrypt_skey) X(PKCS12_free) X(PKCS12_mac_present) X(PKCS12_parse) \
    X(PKCS12_unpack_authsafes) X(PKCS12_unpack_p7data) X(PKCS12_unpack_p7encdata) \
    X(PKCS12_verify_mac) X(PKCS5_PBKDF2_HMAC) X(PKCS7_free) X(PKCS8_PRIV_KEY_INFO_free) \
    X(RAND_bytes) X(SSL_CIPHER_get_name) X(SSL_CTX_check_private_key) X(SSL_CTX_ctrl) \
    X(SSL_CTX_free) X(SSL_CTX_get_cert_store) X(SSL_CTX_load_verify_dir) \
    X(SSL_CTX_load_verify_file) X(SSL_CTX_new) X(SSL_CTX_set_cipher_list) \
    X(SSL_CTX_set_ciphersuites) X(SSL_CTX_set_default_verify_paths) X(SSL_CTX_set_verify) \
    X(SSL_CTX_use_PrivateKey) X(SSL_CTX_use_certificate) X(SSL_ctrl) X(SSL_do_handshake) \
    X(SSL_free) X(SSL_get0_param) X(SSL_get_current_cipher) X(SSL_get_error) \
    X(SSL_get_verify_result) X(SSL_get_version) X(SSL_new) X(SSL_pending) X(SSL_read_ex) \
    X(SSL_set_bio) X(SSL_set_connect_state) X(SSL_write_ex) X(TLS_client_method) \
    X(X509_CRL_free) X(X509_STORE_add_cert) X(X509_STORE_add_crl) X(X509_STORE_set_flags) \
    X(X509_VERIFY_PARAM_set1_host) X(X509_VERIFY_PARAM_set1_ip_asc) X(X509_check_private_key) \
    X(X509_free) X(X509_verify_cert_error_string) X(d2i_PKCS12_bio)

#define KFK_OSSL_FIELD(f) __typeof__(&f) f;
extern struct kfk_ossl_table {
    KFK_OSSL_FUNCS(KFK_OSSL_FIELD)
} kfk_ossl;
#undef KFK_OSSL_FIELD

/* ossl.c, which fills the table, names the functions themselves. */
#ifndef KFK_OSSL_TABLE_ONLY
#define CRYPTO_memcmp (kfk_ossl.CRYPTO_memcmp)
#define BIO_clear_flags (kfk_ossl.BIO_clear_flags)
#define BIO_free (kfk_ossl.BIO_free)
#define BIO_get_data (kfk_ossl.BIO_get_data)
#define BIO_get_new_index (kfk_ossl.BIO_get_new_index)
#define BIO_meth_new (kfk_ossl.BIO_meth_new)
#define BIO_meth_set_ctrl (kfk_ossl.BIO_meth_set_ctrl)
#define BIO_meth_set_read_ex (kfk_ossl.BIO_meth_set_read_ex)
#define BIO_meth_set_write_ex (kfk_ossl.BIO_meth_set_write_ex)
#define BIO_new (kfk_ossl.BIO_new)
#define BIO_new_file (kfk_ossl.BIO_new_file)
#define BIO_new_mem_buf (kfk_ossl.BIO_new_mem_buf)
#define BIO_set_data (kfk_ossl.BIO_set_data)
#define BIO_set_flags (kfk_ossl.BIO_set_flags)
#define BIO_set_init (kfk_ossl.BIO_set_init)
#define ERR_clear_error (kfk_ossl.ERR_clear_error)
#define ERR_error_string_n (kfk_ossl.ERR_error_string_n)
#define ERR_get_error (kfk_ossl.ERR_get_error)
#define ERR_peek_error (kfk_ossl.ERR_peek_error)
#define EVP_DecodeBlock (kfk_ossl.EVP_DecodeBlock)
#define EVP_Digest (kfk_ossl.EVP_Digest)
#define EVP_EncodeBlock (kfk_ossl.EVP_EncodeBlock)
#define EVP_MD_get_size (kfk_ossl.EVP_MD_get_size)
#define EVP_PKCS82PKEY (kfk_ossl.EVP_PKCS82PKEY)
#define EVP_PKEY_free (kfk_ossl.EVP_PKEY_free)
#define EVP_sha256 (kfk_ossl.EVP_sha256)
#define EVP_sha512 (kfk_ossl.EVP_sha512)
#define HMAC (kfk_ossl.HMAC)
#define OBJ_obj2nid (kfk_ossl.OBJ_obj2nid)
#define OPENSSL_cipher_name (kfk_ossl.OPENSSL_cipher_name)
#define OPENSSL_sk_delete (kfk_ossl.OPENSSL_sk_delete)
#define OPENSSL_sk_new_null (kfk_ossl.OPENSSL_sk_new_null)
#define OPENSSL_sk_num (kfk_ossl.OPENSSL_sk_num)
#define OPENSSL_sk_pop_free (kfk_ossl.OPENSSL_sk_pop_free)
#define OPENSSL_sk_push (kfk_ossl.OPENSSL_sk_push)
#define OPENSSL_sk_value (kfk_ossl.OPENSSL_sk_value)
#define PEM_read_bio_PrivateKey (kfk_ossl.PEM_read_bio_PrivateKey)
#define PEM_read_bio_X509 (kfk_ossl.PEM_read_bio_X509)
#define PEM_read_bio_X509_CRL (kfk_ossl.PEM_read_bio_X509_CRL)
#define PKCS12_SAFEBAG_free (kfk_ossl.PKCS12_SAFEBAG_free)
#define PKCS12_SAFEBAG_get0_p8inf (kfk_ossl.PKCS12_SAFEBAG_get0_p8inf)
#define PKCS12_SAFEBAG_get1_cert (kfk_ossl.PKCS12_SAFEBAG_get1_cert)
#define PKCS12_SAFEBAG_get_bag_nid (kfk_ossl.PKCS12_SAFEBAG_get_bag_nid)
#define PKCS12_SAFEBAG_get_nid (kfk_ossl.PKCS12_SAFEBAG_get_nid)
#define PKCS12_decrypt_skey (kfk_ossl.PKCS12_decrypt_skey)
#define PKCS12_free (kfk_ossl.PKCS12_free)
#define PKCS12_mac_present (kfk_ossl.PKCS12_mac_present)
#define PKCS12_parse (kfk_ossl.PKCS12_parse)
#define PKCS12_unpack_authsafes (kfk_ossl.PKCS12_unpack_authsafes)
#define PKCS12_unpack_p7data (kfk_ossl.PKCS12_unpack_p7data)
#define PKCS12_unpack_p7encdata (kfk_ossl.PKCS12_unpack_p7encdata)
#define PKCS12_verify_mac (kfk_ossl.PKCS12_verify_mac)
#define PKCS5_PBKDF2_HMAC (kfk_ossl.PKCS5_PBKDF2_HMAC)
#define PKCS7_free (kfk_ossl.PKCS7_free)
#define PKCS8_PRIV_KEY_INFO_free (kfk_ossl.PKCS8_PRIV_KEY_INFO_free)
#define RAND_bytes (kfk_ossl.RAND_bytes)
#define SSL_CIPHER_get_name (kfk_ossl.SSL_CIPHER_get_name)
#define SSL_CTX_check_private_key (kfk_ossl.SSL_CTX_check_private_key)
#define SSL_CTX_ctrl (kfk_ossl.SSL_CTX_ctrl)
#define SSL_CTX_free (kfk_ossl.SSL_CTX_free)
#define SSL_CTX_get_cert_store (kfk_ossl.SSL_CTX_get_cert_store)
#define SSL_CTX_load_verify_dir (kfk_ossl.SSL_CTX_load_verify_dir)
#define SSL_CTX_load_verify_file (kfk_ossl.SSL_CTX_load_verify_file)
#define SSL_CTX_new (kfk_ossl.SSL_CTX_new)
#define SSL_CTX_set_cipher_list (kfk_ossl.SSL_CTX_set_cipher_list)
#define SSL_CTX_set_ciphersuites (kfk_ossl.SSL_CTX_set_ciphersuites)
#define SSL_CTX_set_default_verify_paths (kfk_ossl.SSL_CTX_set_default_verify_paths)
#define SSL_CTX_set_verify (kfk_ossl.SSL_CTX_set_verify)
#define SSL_CTX_use_PrivateKey (kfk_ossl.SSL_CTX_use_PrivateKey)
#define SSL_CTX_use_certificate (kfk_ossl.SSL_CTX_use_certificate)
#define SSL_ctrl (kfk_ossl.SSL_ctrl)
#define SSL_do_handshake (kfk_ossl.SSL_do_handshake)
#define SSL_free (kfk_ossl.SSL_free)
#define SSL_get0_param (kfk_ossl.SSL_get0_param)
#define SSL_get_current_cipher (kfk_ossl.SSL_get_current_cipher)
#define SSL_get_error (kfk_ossl.SSL_get_error)
#define SSL_get_verify_result (kfk_ossl.SSL_get_verify_result)
#define SSL_get_version (kfk_ossl.SSL_get_version)
#define SSL_new (kfk_ossl.SSL_new)
#define SSL_pending (kfk_ossl.SSL_pending)
#define SSL_read_ex (kfk_ossl.SSL_read_ex)
#define SSL_set_bio (kfk_ossl.SSL_set_bio)
#define SSL_set_connect_state (kfk_ossl.SSL_set_connect_state)
#define SSL_write_ex (kfk_ossl.SSL_write_ex)
#define TLS_client_method (kfk_ossl.TLS_client_method)
#define X509_CRL_free (kfk_ossl.X509_CRL_free)
#define X509_STORE_add_cert (kfk_ossl.X509_STORE_add_cert)
#define X509_STORE_add_crl (kfk_ossl.X509_STORE_add_crl)
#define X509_STORE_set_flags (kfk_ossl.X509_STORE_set_flags)
#define X509_VERIFY_PARAM_set1_host (kfk_ossl.X509_VERIFY_PARAM_set1_host)
#define X509_VERIFY_PARAM_set1_ip_asc (kfk_ossl.X509_VERIFY_PARAM_set1_ip_asc)
#define X509_check_private_key (kfk_ossl.X509_check_private_key)
#define X509_free (kfk_ossl.X509_free)
#define X509_verify_cert_error_string (kfk_ossl.X509_verify_cert_error_string)
#define d2i_PKCS12_bio (kfk_ossl.d2i_PKCS12_bio)
#endif

#endif
