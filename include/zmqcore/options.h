/*  Socket options the core acts on, with libzmq's numbers, defaults and
    validation (EINVAL for what libzmq refuses).  I/O objects take a copy
    when they are made, as libzmq's sessions do: a later setsockopt changes
    later connections only. */
#ifndef ZMQCORE_OPTIONS_H
#define ZMQCORE_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

/*  libzmq option numbers. */
enum {
    ZC_OPT_ROUTING_ID = 5, ZC_OPT_SNDBUF = 11, ZC_OPT_RCVBUF = 12,
    ZC_OPT_TYPE = 16, ZC_OPT_LINGER = 17, ZC_OPT_RECONNECT_IVL = 18,
    ZC_OPT_BACKLOG = 19, ZC_OPT_RECONNECT_IVL_MAX = 21, ZC_OPT_MAXMSGSIZE = 22,
    ZC_OPT_SNDHWM = 23, ZC_OPT_RCVHWM = 24, ZC_OPT_RCVTIMEO = 27,
    ZC_OPT_SNDTIMEO = 28, ZC_OPT_IPV4ONLY = 31, ZC_OPT_ROUTER_MANDATORY = 33, ZC_OPT_TCP_KEEPALIVE = 34,
    ZC_OPT_TCP_KEEPALIVE_CNT = 35, ZC_OPT_TCP_KEEPALIVE_IDLE = 36,
    ZC_OPT_TCP_KEEPALIVE_INTVL = 37, ZC_OPT_IMMEDIATE = 39, ZC_OPT_IPV6 = 42,
    ZC_OPT_TOS = 57, ZC_OPT_CONNECT_ROUTING_ID = 61, ZC_OPT_HANDSHAKE_IVL = 66, ZC_OPT_HEARTBEAT_IVL = 75,
    ZC_OPT_HEARTBEAT_TTL = 76, ZC_OPT_HEARTBEAT_TIMEOUT = 77,
    ZC_OPT_CONNECT_TIMEOUT = 79, ZC_OPT_TCP_MAXRT = 80,
    ZC_OPT_INVERT_MATCHING = 74, ZC_OPT_CONFLATE = 54
};

/*  Pattern options: libzmq's socket types take them (xsetsockopt), each on
    some types only, any int >= 0 (non-zero: on); write-only. */
enum {
    ZC_OPT_PROBE_ROUTER = 51, ZC_OPT_REQ_CORRELATE = 52, ZC_OPT_REQ_RELAXED = 53,
    ZC_OPT_ROUTER_HANDOVER = 56
};
/*  STREAM sockets: deliver [id][""] when a connection opens or closes
    (libzmq: settable on any socket, not readable). */
enum { ZC_OPT_STREAM_NOTIFY = 73 };

typedef struct zc_options {
    int type;                       /*  the socket type */
    int sndhwm, rcvhwm;             /*  messages; 0 = no limit */
    int linger;                     /*  ms; -1 = forever */
    int rcvtimeo, sndtimeo;         /*  ms; -1 = forever */
    int64_t maxmsgsize;             /*  bytes; -1 = no limit */
    int reconnect_ivl, reconnect_ivl_max;   /*  ms; ivl -1: never */
    int connect_timeout, handshake_ivl;     /*  ms; 0 = none */
    int backlog;
    int heartbeat_ivl, heartbeat_ttl, heartbeat_timeout;   /*  ms */
    int tcp_keepalive, tcp_keepalive_cnt, tcp_keepalive_idle, tcp_keepalive_intvl;
    int tcp_maxrt;
    int ipv6, immediate;
    int sndbuf, rcvbuf, tos;
    unsigned char routing_id[255];
    int routing_id_len;
    int router_mandatory;
    int invert_matching;            /*  PUB/SUB: deliver what does not match */
    int conflate;                   /*  keep only the newest message */
    int stream_notify;              /*  STREAM: connect/disconnect notes; default 1 */
    unsigned char connect_routing_id[255];  /*  for the next connect only */
    int connect_routing_id_len;
    int probe_router;       /*  ROUTER, DEALER, REQ, REP: an empty message
                               first on every new pipe */
    int req_correlate, req_relaxed;     /*  REQ */
    int router_handover;    /*  ROUTER (and REP, where it does nothing) */
} zc_options_t;

void zc_options_init(zc_options_t *o, int type);

/*  Whether a socket's incoming / outgoing pipes conflate.  libzmq applies
    CONFLATE to DEALER, PULL, PUSH, PUB and SUB; here only in the
    direction that carries data, so a conflating SUB's subscriptions (or a
    conflating PUB's incoming ones) are never lost to each other. */
int zc_options_conflate_in(const zc_options_t *o);
int zc_options_conflate_out(const zc_options_t *o);

/*  0, or -1 with errno EINVAL (unknown option, bad value or size). */
int zc_options_set(zc_options_t *o, int option, const void *value, size_t len);

/*  Integer options: 0 and *value set, or -1 EINVAL. */
int zc_options_get_int64(const zc_options_t *o, int option, int64_t *value);

#endif
