/*  Load balancer over pipes; see lb.h. */
#include "zmqcore/lb.h"

void zc_lb_init(zc_lb_t *lb)
{
    zc_pipe_array_init(&lb->pipes, ZC_SLOT_LB);
    lb->current = 0;
    lb->sending = NULL;
    lb->dropping = 0;
}

void zc_lb_destroy(zc_lb_t *lb)
{
    zc_pipe_array_destroy(&lb->pipes);
    zc_lb_init(lb);
}

int zc_lb_attach(zc_lb_t *lb, zc_pipe_t *p)
{
    if (zc_pipe_array_push(&lb->pipes, p) < 0)
        return -1;
    zc_pipe_array_activate(&lb->pipes, p);
    return 0;
}

void zc_lb_activated(zc_lb_t *lb, zc_pipe_t *p)
{
    zc_pipe_array_activate(&lb->pipes, p);
}

/*  Takes the pipe at active slot i out of the rotation. */
static void deactivate(zc_lb_t *lb, int i)
{
    zc_pipe_array_deactivate_at(&lb->pipes, i);
    if (lb->current >= lb->pipes.active)
        lb->current = 0;
}

void zc_lb_terminated(zc_lb_t *lb, zc_pipe_t *p)
{
    /*  Mid-message on this pipe: the rest of the message has nowhere to go. */
    if (p == lb->sending) {
        lb->sending = NULL;
        lb->dropping = 1;
    }
    zc_pipe_array_remove(&lb->pipes, p);
    if (lb->current >= lb->pipes.active)
        lb->current = 0;
}

int zc_lb_send(zc_lb_t *lb, zc_msg_t *msg)
{
    int more = msg->flags & ZC_MSG_MORE;
    if (ZC_UNLIKELY(lb->dropping)) {
        /*  Swallow the remaining parts of a message whose pipe vanished. */
        zc_msg_close(msg);
        lb->dropping = more;
        return 0;
    }
    zc_pipe_t *p = lb->sending;
    if (!p) {
        zc_pipe_array_t *a = &lb->pipes;
        while (a->active > 0 && !zc_pipe_check_write(a->pipes[lb->current]))
            deactivate(lb, lb->current);
        if (a->active == 0) {
            errno = EAGAIN;
            return -1;
        }
        p = a->pipes[lb->current];
    }
    if (zc_pipe_write(p, msg) < 0)
        return -1;
    if (more) {
        lb->sending = p;
    } else {
        lb->sending = NULL;
        zc_pipe_flush(p);
        if (++lb->current >= lb->pipes.active)
            lb->current = 0;
    }
    return 0;
}

int zc_lb_has_out(zc_lb_t *lb)
{
    if (lb->sending || lb->dropping)
        return 1;
    zc_pipe_array_t *a = &lb->pipes;
    while (a->active > 0) {
        if (zc_pipe_check_write(a->pipes[lb->current]))
            return 1;
        deactivate(lb, lb->current);
    }
    return 0;
}
