/*  The socket types, one file each under zmqcore/core/pattern_*.c. */
#ifndef ZMQCORE_PATTERNS_H
#define ZMQCORE_PATTERNS_H

#include "zmqcore/socket.h"

extern const zc_pattern_t zc_pair_pattern;
extern const zc_pattern_t zc_push_pattern;
extern const zc_pattern_t zc_pull_pattern;

/*  The table for a socket type, or NULL if it is unknown. */
const zc_pattern_t *zc_pattern_for(int type);

/*  Hooks shared by patterns that have nothing to do for an event. */
int zc_pattern_send_unsupported(zc_socket_t *s, zc_msg_t *msg);
int zc_pattern_recv_unsupported(zc_socket_t *s, zc_msg_t *msg);
int zc_pattern_never(zc_socket_t *s);
void zc_pattern_ignore_pipe(zc_socket_t *s, zc_pipe_t *p);

#endif
