/*  The registry of socket types and hooks several patterns share. */
#include "zmqcore/patterns.h"

#include <errno.h>
#include <string.h>

const zc_pattern_t *zc_pattern_for(int type)
{
    switch (type) {
    case ZC_PAIR: return &zc_pair_pattern;
    case ZC_PUSH: return &zc_push_pattern;
    case ZC_PULL: return &zc_pull_pattern;
    case ZC_DEALER: return &zc_dealer_pattern;
    case ZC_ROUTER: return &zc_router_pattern;
    case ZC_REQ: return &zc_req_pattern;
    case ZC_REP: return &zc_rep_pattern;
    case ZC_PUB: return &zc_pub_pattern;
    case ZC_SUB: return &zc_sub_pattern;
    case ZC_XPUB: return &zc_xpub_pattern;
    case ZC_XSUB: return &zc_xsub_pattern;
    case ZC_STREAM: return &zc_stream_pattern;
    default: return NULL;
    }
}

int zc_pattern_send_unsupported(zc_socket_t *s, zc_msg_t *msg)
{
    (void) s;
    (void) msg;
    errno = ENOTSUP;
    return -1;
}

int zc_pattern_recv_unsupported(zc_socket_t *s, zc_msg_t *msg)
{
    (void) s;
    (void) msg;
    errno = ENOTSUP;
    return -1;
}

int zc_pattern_never(zc_socket_t *s)
{
    (void) s;
    return 0;
}

void zc_pattern_ignore_pipe(zc_socket_t *s, zc_pipe_t *p)
{
    (void) s;
    (void) p;
}

int zc_subscription_msg(zc_msg_t *m, int subscribe, const void *prefix, size_t len)
{
    if (zc_msg_init_size(m, len + 1) < 0)
        return -1;
    unsigned char *d = zc_msg_data(m);
    d[0] = subscribe ? 1 : 0;
    if (len > 0)
        memcpy(d + 1, prefix, len);
    return 0;
}
