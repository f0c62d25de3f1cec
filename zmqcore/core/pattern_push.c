/*  PUSH (RFC 30): round-robin to the peers that have room; blocks (or
    EAGAIN) when none has. */
#include "zmqcore/patterns.h"

static int push_attach(zc_socket_t *s, zc_pipe_t *p)
{
    return zc_lb_attach(&s->lb, p);
}

static void push_write_activated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_lb_activated(&s->lb, p);
}

static void push_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_lb_terminated(&s->lb, p);
}

static int push_send(zc_socket_t *s, zc_msg_t *msg)
{
    return zc_lb_send(&s->lb, msg);
}

static int push_has_out(zc_socket_t *s)
{
    return zc_lb_has_out(&s->lb);
}

const zc_pattern_t zc_push_pattern = {
    .type = ZC_PUSH,
    .xsend = push_send,
    .xrecv = zc_pattern_recv_unsupported,
    .xhas_in = zc_pattern_never,
    .xhas_out = push_has_out,
    .xattach = push_attach,
    .xread_activated = zc_pattern_ignore_pipe,
    .xwrite_activated = push_write_activated,
    .xpipe_terminated = push_terminated,
};
