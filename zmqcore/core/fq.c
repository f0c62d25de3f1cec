/*  Fair queue over pipes; see fq.h. */
#include "zmqcore/fq.h"

void zc_fq_init(zc_fq_t *fq)
{
    zc_pipe_array_init(&fq->pipes, ZC_SLOT_FQ);
    fq->current = 0;
    fq->reading = NULL;
    fq->last = NULL;
}

void zc_fq_destroy(zc_fq_t *fq)
{
    zc_pipe_array_destroy(&fq->pipes);
    zc_fq_init(fq);
}

int zc_fq_attach(zc_fq_t *fq, zc_pipe_t *p)
{
    if (zc_pipe_array_push(&fq->pipes, p) < 0)
        return -1;
    zc_pipe_array_activate(&fq->pipes, p);
    return 0;
}

void zc_fq_activated(zc_fq_t *fq, zc_pipe_t *p)
{
    if (zc_pipe_array_slot(&fq->pipes, p) >= 0)
        zc_pipe_array_activate(&fq->pipes, p);
}

static void deactivate(zc_fq_t *fq, int i)
{
    zc_pipe_array_deactivate_at(&fq->pipes, i);
    if (fq->current >= fq->pipes.active)
        fq->current = 0;
}

void zc_fq_terminated(zc_fq_t *fq, zc_pipe_t *p)
{
    zc_pipe_array_remove(&fq->pipes, p);
    if (fq->current >= fq->pipes.active)
        fq->current = 0;
    if (fq->reading == p)
        fq->reading = NULL;
    if (fq->last == p)
        fq->last = NULL;
}

/*  A message ended: the next one comes from the next pipe. */
static void advance(zc_fq_t *fq)
{
    fq->reading = NULL;
    if (++fq->current >= fq->pipes.active)
        fq->current = 0;
}

int zc_fq_recv(zc_fq_t *fq, zc_msg_t *msg, zc_pipe_t **drained)
{
    *drained = NULL;
    /*  Parts of one message are published together, so the rest of a
        message under way is always there. */
    if (fq->reading && zc_pipe_read(fq->reading, msg)) {
        fq->last = fq->reading;
        if (!(msg->flags & ZC_MSG_MORE))
            advance(fq);
        return 0;
    }
    fq->reading = NULL;
    zc_pipe_array_t *a = &fq->pipes;
    while (a->active > 0) {
        zc_pipe_t *p = a->pipes[fq->current];
        if (zc_pipe_read(p, msg)) {
            fq->last = p;
            if (msg->flags & ZC_MSG_MORE)
                fq->reading = p;
            else
                advance(fq);
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
    zc_pipe_array_t *a = &fq->pipes;
    while (a->active > 0) {
        zc_pipe_t *p = a->pipes[fq->current];
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
