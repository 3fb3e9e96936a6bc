#include <libwebsockets.h>

// LWS_PRE expands to an arithmetic expression that Swift does not import as a constant.
// lws_write() needs this many writable bytes before the buffer it sends.
static inline size_t chorus_lws_pre(void) { return LWS_PRE; }
