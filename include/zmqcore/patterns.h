/*  The socket types, one file each under zmqcore/core/pattern_*.c. */
#ifndef ZMQCORE_PATTERNS_H
#define ZMQCORE_PATTERNS_H

#include "zmqcore/socket.h"

extern const zc_pattern_t zc_pair_pattern;
extern const zc_pattern_t zc_push_pattern;
extern const zc_pattern_t zc_pull_pattern;
extern const zc_pattern_t zc_dealer_pattern;
extern const zc_pattern_t zc_router_pattern;
extern const zc_pattern_t zc_req_pattern;
extern const zc_pattern_t zc_rep_pattern;
extern const zc_pattern_t zc_pub_pattern;
extern const zc_pattern_t zc_sub_pattern;
extern const zc_pattern_t zc_xpub_pattern;
extern const zc_pattern_t zc_xsub_pattern;
extern const zc_pattern_t zc_stream_pattern;

/*  DEALER's hooks, which REQ builds on. */
int zc_dealer_attach(zc_socket_t *s, zc_pipe_t *p);
void zc_dealer_read_activated(zc_socket_t *s, zc_pipe_t *p);
void zc_dealer_write_activated(zc_socket_t *s, zc_pipe_t *p);
void zc_dealer_terminated(zc_socket_t *s, zc_pipe_t *p);
int zc_dealer_has_in(zc_socket_t *s);
/*  PROBE_ROUTER: writes an empty message to a new pipe (ROUTER, DEALER,
    REQ, REP), so that a ROUTER peer learns our id at once. */
void zc_pattern_probe(zc_socket_t *s, zc_pipe_t *p);
/*  fq receive that lets go of drained pipes; *from: the pipe it came by. */
int zc_pattern_fq_recv(zc_socket_t *s, zc_msg_t *msg, zc_pipe_t **from);

/*  *m = the message form of a subscription: first byte 1 (subscribe) or
    0 (cancel), then the prefix.  0, or -1 ENOMEM. */
int zc_subscription_msg(zc_msg_t *m, int subscribe, const void *prefix, size_t len);

/*  Routing ids (ROUTER, STREAM).  The identified pipe with this id, or
    NULL (a hash lookup in s->ids). */
zc_pipe_t *zc_pattern_find_by_id(zc_socket_t *s, const unsigned char *id, size_t len);
/*  Makes p routable by its id (identified), or no longer.  0, or -1
    ENOMEM (p stays unidentified). */
int zc_pattern_identify(zc_socket_t *s, zc_pipe_t *p);
void zc_pattern_unidentify(zc_socket_t *s, zc_pipe_t *p);
/*  Gives p a generated id: 0x00 + a 32-bit counter from a random start
    (an identified p is then routed by the new one). */
void zc_pattern_generate_id(zc_socket_t *s, zc_pipe_t *p);
/*  A received message is shown behind its peer's id: *msg (the data) is
    kept in s->prefetched and *msg becomes the id, flagged MORE.  0, or -1
    ENOMEM (the data is dropped). */
int zc_pattern_prefetch_behind_id(zc_socket_t *s, zc_msg_t *msg, const zc_pipe_t *from);
/*  has_in of patterns that prefetch: a prefetched part, or a pipe ready. */
int zc_pattern_routed_has_in(zc_socket_t *s);

/*  The table for a socket type, or NULL if it is unknown. */
const zc_pattern_t *zc_pattern_for(int type);

/*  Hooks shared by patterns that have nothing to do for an event. */
int zc_pattern_send_unsupported(zc_socket_t *s, zc_msg_t *msg);
int zc_pattern_recv_unsupported(zc_socket_t *s, zc_msg_t *msg);
int zc_pattern_never(zc_socket_t *s);
void zc_pattern_ignore_pipe(zc_socket_t *s, zc_pipe_t *p);

#endif
