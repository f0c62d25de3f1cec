/*  PAIR (RFC 31): exactly one peer; a second one is refused. */
#include <errno.h>

#include "zmqcore/patterns.h"

static int pair_attach(zc_socket_t *s, zc_pipe_t *p)
{
    if (s->pair)
        return -1;
    s->pair = p;
    return 0;
}

static void pair_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    if (s->pair == p)
        s->pair = NULL;
}

static int pair_send(zc_socket_t *s, zc_msg_t *msg)
{
    zc_pipe_t *p = s->pair;
    if (!p || !zc_pipe_check_write(p)) {
        errno = EAGAIN;
        return -1;
    }
    if (zc_pipe_write(p, msg) < 0)
        return -1;
    if (!(msg->flags & ZC_MSG_MORE))
        zc_pipe_flush(p);
    return 0;
}

static int pair_recv(zc_socket_t *s, zc_msg_t *msg)
{
    zc_pipe_t *p = s->pair;
    if (p && zc_pipe_read(p, msg))
        return 0;
    if (p && p->peer_terminated)
        zc_socket_detach_pipe(s, p);
    errno = EAGAIN;
    return -1;
}

static int pair_has_in(zc_socket_t *s)
{
    return s->pair && zc_pipe_check_read(s->pair);
}

static int pair_has_out(zc_socket_t *s)
{
    return s->pair && zc_pipe_check_write(s->pair);
}

const zc_pattern_t zc_pair_pattern = {
    .type = ZC_PAIR,
    .xsend = pair_send,
    .xrecv = pair_recv,
    .xhas_in = pair_has_in,
    .xhas_out = pair_has_out,
    .xattach = pair_attach,
    .xread_activated = zc_pattern_ignore_pipe,
    .xwrite_activated = zc_pattern_ignore_pipe,
    .xpipe_terminated = pair_terminated,
};
