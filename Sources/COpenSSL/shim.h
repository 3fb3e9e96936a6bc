#ifndef CHORUS_COPENSSL_SHIM_H
#define CHORUS_COPENSSL_SHIM_H
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/ec.h>
#include <openssl/srtp.h>

// Functions for OpenSSL macros that Swift cannot import.

static inline long chorus_DTLSv1_get_timeout(SSL *ssl, struct timeval *tv) {
    return DTLSv1_get_timeout(ssl, tv);
}

static inline long chorus_DTLSv1_handle_timeout(SSL *ssl) {
    return DTLSv1_handle_timeout(ssl);
}

static inline long chorus_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline long chorus_BIO_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}

static inline long chorus_DTLS_set_link_mtu(SSL *ssl, long mtu) {
    return DTLS_set_link_mtu(ssl, mtu);
}

static inline long chorus_SSL_CTX_set_options(SSL_CTX *ctx, unsigned long options) {
    return SSL_CTX_set_options(ctx, options);
}

static inline long chorus_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

static inline long chorus_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_max_proto_version(ctx, version);
}

static inline long chorus_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return SSL_CTX_set1_groups_list(ctx, list);
}

static inline long chorus_SSL_set_options_no_query_mtu(SSL *ssl) {
    return SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
}

static inline long chorus_BIO_reset(BIO *bio) {
    return BIO_reset(bio);
}

// DTLS-SRTP options for a context: the MTU comes from DTLS_set_link_mtu instead of the socket,
// and neither session tickets nor renegotiation are used by WebRTC.
static inline uint64_t chorus_SSL_CTX_set_dtls_srtp_options(SSL_CTX *ctx) {
    return SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
}

static inline long chorus_SSL_CTX_set_session_cache_off(SSL_CTX *ctx) {
    return SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}

static inline int chorus_SSL_set_app_data(SSL *ssl, void *data) {
    return SSL_set_app_data(ssl, data);
}

static inline void *chorus_SSL_get_app_data(const SSL *ssl) {
    return SSL_get_app_data(ssl);
}

#endif
