/*  Load balancer over pipes; see lb.h. */
#include "zmqcore/lb.h"

#include <errno.h>
#include <stdlib.h>

void zc_lb_init(zc_lb_t *lb)
{
    lb->pipes = NULL;
    lb->n = lb->active = lb->cap = lb->current = 0;
    lb->sending = NULL;
    lb->dropping = 0;
}

void zc_lb_destroy(zc_lb_t *lb)
{
    free(lb->pipes);
    zc_lb_init(lb);
}

static void swap(zc_lb_t *lb, int i, int j)
{
    zc_pipe_t *t = lb->pipes[i];
    lb->pipes[i] = lb->pipes[j];
    lb->pipes[j] = t;
    lb->pipes[i]->lb_index = i;
    lb->pipes[j]->lb_index = j;
}

int zc_lb_attach(zc_lb_t *lb, zc_pipe_t *p)
{
    if (lb->n == lb->cap) {
        int ncap = lb->cap ? lb->cap * 2 : 4;
        zc_pipe_t **np = realloc(lb->pipes, ncap * sizeof *np);
        if (!np) {
            errno = ENOMEM;
            return -1;
        }
        lb->pipes = np;
        lb->cap = ncap;
    }
    p->lb_index = lb->n;
    lb->pipes[lb->n++] = p;
    zc_lb_activated(lb, p);
    return 0;
}

void zc_lb_activated(zc_lb_t *lb, zc_pipe_t *p)
{
    if (p->lb_index < lb->active)
        return;
    swap(lb, p->lb_index, lb->active);
    lb->active++;
}

/*  Moves the pipe at `i` out of the active region. */
static void deactivate(zc_lb_t *lb, int i)
{
    lb->active--;
    swap(lb, i, lb->active);
    if (lb->current == lb->active)
        lb->current = 0;
}

void zc_lb_terminated(zc_lb_t *lb, zc_pipe_t *p)
{
    int i = p->lb_index;
    if (i < 0)
        return;
    /*  Mid-message on this pipe: the rest of the message has nowhere to go. */
    if (p == lb->sending) {
        lb->sending = NULL;
        lb->dropping = 1;
    }
    if (i < lb->active)
        deactivate(lb, i);
    lb->n--;
    swap(lb, p->lb_index, lb->n);
    p->lb_index = -1;
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
        while (lb->active > 0 && !zc_pipe_check_write(lb->pipes[lb->current]))
            deactivate(lb, lb->current);
        if (lb->active == 0) {
            errno = EAGAIN;
            return -1;
        }
        p = lb->pipes[lb->current];
    }
    if (zc_pipe_write(p, msg) < 0)
        return -1;
    if (more) {
        lb->sending = p;
    } else {
        lb->sending = NULL;
        zc_pipe_flush(p);
        if (++lb->current >= lb->active)
            lb->current = 0;
    }
    return 0;
}

int zc_lb_has_out(zc_lb_t *lb)
{
    if (lb->sending || lb->dropping)
        return 1;
    while (lb->active > 0) {
        if (zc_pipe_check_write(lb->pipes[lb->current]))
            return 1;
        deactivate(lb, lb->current);
    }
    return 0;
}
