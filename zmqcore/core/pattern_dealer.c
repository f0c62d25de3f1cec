/*  DEALER (RFC 28): round-robin out like PUSH, fair-queued in like PULL;
    messages pass through untouched. */
#include <errno.h>

#include "zmqcore/patterns.h"

void zc_pattern_probe(zc_socket_t *s, zc_pipe_t *p)
{
    if (!s->options.probe_router)
        return;
    zc_msg_t probe;
    zc_msg_init(&probe);
    if (zc_pipe_write(p, &probe) < 0) {
        zc_msg_close(&probe);
        return;
    }
    /*  Wake the peer now: a pipe may join during any call that reads
        commands, and only sends make the wake-up they leave behind. */
    zc_wake_slot_t *slot = p->wake_slot;
    p->wake_slot = NULL;
    zc_pipe_flush(p);
    p->wake_slot = slot;
}

int zc_dealer_attach(zc_socket_t *s, zc_pipe_t *p)
{
    zc_pattern_probe(s, p);
    if (zc_fq_attach(&s->fq, p) < 0)
        return -1;
    if (zc_lb_attach(&s->lb, p) < 0) {
        zc_fq_terminated(&s->fq, p);
        return -1;
    }
    return 0;
}

void zc_dealer_read_activated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_fq_activated(&s->fq, p);
}

void zc_dealer_write_activated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_lb_activated(&s->lb, p);
}

void zc_dealer_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_fq_terminated(&s->fq, p);
    zc_lb_terminated(&s->lb, p);
}

int zc_pattern_fq_recv(zc_socket_t *s, zc_msg_t *msg, zc_pipe_t **from)
{
    zc_pipe_t *drained;
    for (;;) {
        if (zc_fq_recv(&s->fq, msg, &drained) == 0) {
            if (from)
                *from = s->fq.last;
            return 0;
        }
        if (!drained)
            return -1;
        zc_socket_detach_pipe(s, drained);
    }
}

int zc_dealer_has_in(zc_socket_t *s)
{
    zc_pipe_t *drained;
    for (;;) {
        if (zc_fq_has_in(&s->fq, &drained))
            return 1;
        if (!drained)
            return 0;
        zc_socket_detach_pipe(s, drained);
    }
}

static int dealer_send(zc_socket_t *s, zc_msg_t *msg)
{
    return zc_lb_send(&s->lb, msg);
}

static int dealer_recv(zc_socket_t *s, zc_msg_t *msg)
{
    return zc_pattern_fq_recv(s, msg, NULL);
}

static int dealer_has_out(zc_socket_t *s)
{
    return zc_lb_has_out(&s->lb);
}

const zc_pattern_t zc_dealer_pattern = {
    .type = ZC_DEALER,
    .xsend = dealer_send,
    .xrecv = dealer_recv,
    .xhas_in = zc_dealer_has_in,
    .xhas_out = dealer_has_out,
    .xattach = zc_dealer_attach,
    .xread_activated = zc_dealer_read_activated,
    .xwrite_activated = zc_dealer_write_activated,
    .xpipe_terminated = zc_dealer_terminated,
};
