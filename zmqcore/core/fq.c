/*  Fair queue over pipes; see fq.h. */
#include "zmqcore/fq.h"

#include <errno.h>
#include <stdlib.h>

void zc_fq_init(zc_fq_t *fq)
{
    fq->pipes = NULL;
    fq->n = fq->active = fq->cap = fq->current = 0;
    fq->reading = NULL;
}

void zc_fq_destroy(zc_fq_t *fq)
{
    free(fq->pipes);
    zc_fq_init(fq);
}

static void swap(zc_fq_t *fq, int i, int j)
{
    zc_pipe_t *t = fq->pipes[i];
    fq->pipes[i] = fq->pipes[j];
    fq->pipes[j] = t;
    fq->pipes[i]->fq_index = i;
    fq->pipes[j]->fq_index = j;
}

int zc_fq_attach(zc_fq_t *fq, zc_pipe_t *p)
{
    if (fq->n == fq->cap) {
        int ncap = fq->cap ? fq->cap * 2 : 4;
        zc_pipe_t **np = realloc(fq->pipes, ncap * sizeof *np);
        if (!np) {
            errno = ENOMEM;
            return -1;
        }
        fq->pipes = np;
        fq->cap = ncap;
    }
    p->fq_index = fq->n;
    fq->pipes[fq->n++] = p;
    zc_fq_activated(fq, p);
    return 0;
}

void zc_fq_activated(zc_fq_t *fq, zc_pipe_t *p)
{
    if (p->fq_index < 0 || p->fq_index < fq->active)
        return;
    swap(fq, p->fq_index, fq->active);
    fq->active++;
}

static void deactivate(zc_fq_t *fq, int i)
{
    fq->active--;
    swap(fq, i, fq->active);
    if (fq->current == fq->active)
        fq->current = 0;
}

void zc_fq_terminated(zc_fq_t *fq, zc_pipe_t *p)
{
    int i = p->fq_index;
    if (i < 0)
        return;
    if (i < fq->active) {
        /*  Keep `current` on the same pipe when another one moves. */
        fq->active--;
        swap(fq, i, fq->active);
        if (fq->current == fq->active)
            fq->current = 0;
    }
    fq->n--;
    swap(fq, p->fq_index, fq->n);
    p->fq_index = -1;
    if (fq->reading == p)
        fq->reading = NULL;
}

int zc_fq_recv(zc_fq_t *fq, zc_msg_t *msg, zc_pipe_t **drained)
{
    *drained = NULL;
    /*  Parts of one message are published together, so the rest of a
        message under way is always there. */
    if (fq->reading && zc_pipe_read(fq->reading, msg)) {
        if (!(msg->flags & ZC_MSG_MORE)) {
            fq->reading = NULL;
            if (++fq->current >= fq->active)
                fq->current = 0;
        }
        return 0;
    }
    fq->reading = NULL;
    while (fq->active > 0) {
        zc_pipe_t *p = fq->pipes[fq->current];
        if (zc_pipe_read(p, msg)) {
            if (msg->flags & ZC_MSG_MORE)
                fq->reading = p;
            else if (++fq->current >= fq->active)
                fq->current = 0;
            return 0;
        }
        deactivate(fq, fq->current);
        if (p->peer_terminated) {
            *drained = p;
            break;
        }
    }
    errno = EAGAIN;
    return -1;
}

int zc_fq_has_in(zc_fq_t *fq, zc_pipe_t **drained)
{
    *drained = NULL;
    if (fq->reading)
        return 1;
    while (fq->active > 0) {
        zc_pipe_t *p = fq->pipes[fq->current];
        if (zc_pipe_check_read(p))
            return 1;
        deactivate(fq, fq->current);
        if (p->peer_terminated) {
            *drained = p;
            return 0;
        }
    }
    return 0;
}
