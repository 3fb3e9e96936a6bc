#include <srtp2/srtp.h>

// Functions for libsrtp macros that Swift cannot import.

static inline void chorus_srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(srtp_crypto_policy_t *policy) {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(policy);
}
