/*  Socket options; see options.h. */
#include "zmqcore/options.h"

#include <errno.h>
#include <string.h>

#include "zmqcore/config.h"
#include "zmqcore/socket.h"     /*  the socket types */

void zc_options_init(zc_options_t *o, int type)
{
    memset(o, 0, sizeof *o);
    o->type = type;
    o->sndhwm = o->rcvhwm = ZC_DEFAULT_HWM;
    /*  A subscriber does not wait for its subscriptions to go out when it
        closes (libzmq). */
    o->linger = type == ZC_SUB || type == ZC_XSUB ? 0 : -1;
    o->rcvtimeo = o->sndtimeo = -1;
    o->maxmsgsize = -1;
    o->reconnect_ivl = 100;
    o->handshake_ivl = 30000;
    o->backlog = 100;
    o->heartbeat_timeout = -1;
    o->tcp_keepalive = o->tcp_keepalive_cnt = -1;
    o->tcp_keepalive_idle = o->tcp_keepalive_intvl = -1;
    o->sndbuf = o->rcvbuf = -1;
    o->stream_notify = 1;
}

int zc_options_conflate_in(const zc_options_t *o)
{
    int t = o->type;
    return o->conflate && (t == ZC_SUB || t == ZC_DEALER || t == ZC_PULL);
}

int zc_options_conflate_out(const zc_options_t *o)
{
    int t = o->type;
    return o->conflate && (t == ZC_PUB || t == ZC_DEALER || t == ZC_PUSH);
}

/*  Where a pattern option lives, or NULL when the socket type does not take
    it.  libzmq's REP is a ROUTER inside and its REQ a DEALER: they take
    their base type's options. */
static int *pattern_field(zc_options_t *o, int option)
{
    int t = o->type;
    int router = t == ZC_ROUTER || t == ZC_REP;
    int dealer = t == ZC_DEALER || t == ZC_REQ;
    switch (option) {
    case ZC_OPT_ROUTER_MANDATORY: return router ? &o->router_mandatory : NULL;
    case ZC_OPT_ROUTER_HANDOVER: return router ? &o->router_handover : NULL;
    case ZC_OPT_PROBE_ROUTER: return router || dealer ? &o->probe_router : NULL;
    case ZC_OPT_REQ_CORRELATE: return t == ZC_REQ ? &o->req_correlate : NULL;
    case ZC_OPT_REQ_RELAXED: return t == ZC_REQ ? &o->req_relaxed : NULL;
    default: return NULL;
    }
}

/*  Where an int option lives, and the smallest value libzmq accepts. */
static int *int_field(zc_options_t *o, int option, int *min, int *max)
{
    *max = 0x7fffffff;
    switch (option) {
    case ZC_OPT_SNDHWM: *min = 0; return &o->sndhwm;
    case ZC_OPT_RCVHWM: *min = 0; return &o->rcvhwm;
    case ZC_OPT_LINGER: *min = -1; return &o->linger;
    case ZC_OPT_RCVTIMEO: *min = -1; return &o->rcvtimeo;
    case ZC_OPT_SNDTIMEO: *min = -1; return &o->sndtimeo;
    case ZC_OPT_RECONNECT_IVL: *min = -1; return &o->reconnect_ivl;
    case ZC_OPT_RECONNECT_IVL_MAX: *min = 0; return &o->reconnect_ivl_max;
    case ZC_OPT_CONNECT_TIMEOUT: *min = 0; return &o->connect_timeout;
    case ZC_OPT_HANDSHAKE_IVL: *min = 0; return &o->handshake_ivl;
    case ZC_OPT_BACKLOG: *min = 0; return &o->backlog;
    case ZC_OPT_HEARTBEAT_IVL: *min = 0; return &o->heartbeat_ivl;
    case ZC_OPT_HEARTBEAT_TTL: *min = 0; *max = 6553599; return &o->heartbeat_ttl;
    case ZC_OPT_HEARTBEAT_TIMEOUT: *min = -1; return &o->heartbeat_timeout;
    case ZC_OPT_TCP_KEEPALIVE: *min = -1; *max = 1; return &o->tcp_keepalive;
    case ZC_OPT_TCP_KEEPALIVE_CNT: *min = -1; return &o->tcp_keepalive_cnt;
    case ZC_OPT_TCP_KEEPALIVE_IDLE: *min = -1; return &o->tcp_keepalive_idle;
    case ZC_OPT_TCP_KEEPALIVE_INTVL: *min = -1; return &o->tcp_keepalive_intvl;
    case ZC_OPT_TCP_MAXRT: *min = 0; return &o->tcp_maxrt;
    case ZC_OPT_IPV6: *min = 0; *max = 1; return &o->ipv6;
    case ZC_OPT_IMMEDIATE: *min = 0; *max = 1; return &o->immediate;
    case ZC_OPT_SNDBUF: *min = -1; return &o->sndbuf;
    case ZC_OPT_RCVBUF: *min = -1; return &o->rcvbuf;
    case ZC_OPT_TOS: *min = 0; return &o->tos;
    case ZC_OPT_CONFLATE: *min = 0; *max = 1; return &o->conflate;
    default: return NULL;
    }
}

int zc_options_set(zc_options_t *o, int option, const void *value, size_t len)
{
    if (option == ZC_OPT_ROUTING_ID) {
        /*  1..255 bytes, and not starting with 0: that prefix is kept for
            generated ids (libzmq). */
        const unsigned char *v = value;
        if (len < 1 || len > sizeof o->routing_id || v[0] == 0) {
            errno = EINVAL;
            return -1;
        }
        memcpy(o->routing_id, v, len);
        o->routing_id_len = (int) len;
        return 0;
    }
    if (option == ZC_OPT_CONNECT_ROUTING_ID) {
        /*  Like ROUTING_ID, but names the peer of the next connect. */
        const unsigned char *v = value;
        if (len < 1 || len > sizeof o->connect_routing_id || v[0] == 0) {
            errno = EINVAL;
            return -1;
        }
        memcpy(o->connect_routing_id, v, len);
        o->connect_routing_id_len = (int) len;
        return 0;
    }
    if (option == ZC_OPT_MAXMSGSIZE) {
        if (len != sizeof(int64_t)) {
            errno = EINVAL;
            return -1;
        }
        memcpy(&o->maxmsgsize, value, sizeof(int64_t));
        return 0;
    }
    if (len != sizeof(int)) {
        errno = EINVAL;
        return -1;
    }
    int v;
    memcpy(&v, value, sizeof v);
    if (option == ZC_OPT_INVERT_MATCHING) {
        o->invert_matching = v != 0;    /*  any value: libzmq is relaxed */
        return 0;
    }
    if (option == ZC_OPT_IPV4ONLY) {
        if (v < 0 || v > 1) {
            errno = EINVAL;
            return -1;
        }
        o->ipv6 = !v;
        return 0;
    }
    int *pattern = pattern_field(o, option);
    if (pattern) {
        if (v < 0) {
            errno = EINVAL;
            return -1;
        }
        *pattern = v != 0;
        return 0;
    }
    if (option == ZC_OPT_STREAM_NOTIFY) {
        /*  Write-only, as in libzmq: not in int_field, so reading fails. */
        if (v < 0 || v > 1) {
            errno = EINVAL;
            return -1;
        }
        o->stream_notify = v;
        return 0;
    }
    int min, max;
    int *field = int_field(o, option, &min, &max);
    if (!field || v < min || v > max) {
        errno = EINVAL;
        return -1;
    }
    *field = v;
    return 0;
}

int zc_options_get_int64(const zc_options_t *o, int option, int64_t *value)
{
    if (option == ZC_OPT_MAXMSGSIZE) {
        *value = o->maxmsgsize;
        return 0;
    }
    if (option == ZC_OPT_TYPE) {
        *value = o->type;
        return 0;
    }
    if (option == ZC_OPT_INVERT_MATCHING) {
        *value = o->invert_matching;
        return 0;
    }
    if (option == ZC_OPT_IPV4ONLY) {
        *value = !o->ipv6;
        return 0;
    }
    int min, max;
    const int *field = int_field((zc_options_t *) o, option, &min, &max);
    if (!field) {
        errno = EINVAL;
        return -1;
    }
    *value = *field;
    return 0;
}
