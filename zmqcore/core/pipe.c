/*  Pipe pairs: creation, owner attachment, termination. */
#include "zmqcore/pipe.h"

#include <stdlib.h>
#include <string.h>

typedef struct zc_pipe_pair {
    zc_pipe_t ends[2];
    zc_ypipe_t queues[2];   /*  queues[0]: a -> b, queues[1]: b -> a */
    zc_dbuffer_t *dbufs[2]; /*  the same directions when they conflate */
    zc_direct_t direct;     /*  shared by both ends: see direct.h */
    atomic_int refs;        /*  ends not yet released */
} zc_pipe_pair_t;

/*  How often a reader reports progress for a writer limited to hwm: about
    half way, so the writer resumes while the queue still holds work, but at
    most every 1024 messages below the mark for large HWMs. */
static uint64_t compute_lwm(uint64_t hwm)
{
    if (hwm == 0)
        return 0;
    return hwm > 2048 ? hwm - 1024 : (hwm + 1) / 2;
}

static void init_end(zc_pipe_t *p, zc_pipe_pair_t *pair, zc_pipe_t *peer,
                     zc_ypipe_t *in, zc_ypipe_t *out, zc_mailbox_t *mb,
                     uint64_t hwm, uint64_t peer_hwm, uint64_t id)
{
    memset(p, 0, sizeof *p);
    p->in = in;
    p->out = out;
    p->peer = peer;
    p->pair = pair;
    p->id = id;
    p->hwm = hwm;
    p->lwm = compute_lwm(peer_hwm);
    p->out_active = 1;
    p->set_index = p->slot[ZC_SLOT_LB] = p->slot[ZC_SLOT_FQ] = -1;
    if (mb)
        zc_mailbox_ref(mb);
    atomic_init(&p->mailbox, mb);
}

int zc_pipe_pair_new(zc_pipe_t **a, zc_pipe_t **b,
                     zc_mailbox_t *a_mailbox, zc_mailbox_t *b_mailbox,
                     uint64_t a_hwm, uint64_t b_hwm,
                     uint64_t a_id, uint64_t b_id)
{
    zc_pipe_pair_t *pair = calloc(1, sizeof *pair);
    if (!pair)
        return -1;
    if (zc_ypipe_init(&pair->queues[0]) < 0) {
        free(pair);
        return -1;
    }
    if (zc_ypipe_init(&pair->queues[1]) < 0) {
        zc_ypipe_destroy(&pair->queues[0]);
        free(pair);
        return -1;
    }
    zc_pipe_t *ea = &pair->ends[0], *eb = &pair->ends[1];
    init_end(ea, pair, eb, &pair->queues[1], &pair->queues[0], a_mailbox,
             a_hwm, b_hwm, a_id);
    init_end(eb, pair, ea, &pair->queues[0], &pair->queues[1], b_mailbox,
             b_hwm, a_hwm, b_id);
    zc_direct_init(&pair->direct);
    ea->direct = eb->direct = &pair->direct;
    atomic_init(&pair->refs, 2);
    *a = ea;
    *b = eb;
    return 0;
}

/*  --- conflation ------------------------------------------------------------ */

/*  The direction written by `writer` conflates from now on. */
static int conflate_direction(zc_pipe_t *writer)
{
    zc_pipe_pair_t *pair = writer->pair;
    int i = writer == &pair->ends[0] ? 0 : 1;   /*  queues[0]: a -> b */
    if (!pair->dbufs[i]) {
        zc_dbuffer_t *d = calloc(1, sizeof *d);
        if (!d)
            return -1;
        pthread_mutex_init(&d->lock, NULL);
        zc_msg_init(&d->msg);
        pair->dbufs[i] = d;
    }
    writer->cout = pair->dbufs[i];
    writer->peer->cin = pair->dbufs[i];
    /*  Never full: the writer replaces instead of waiting. */
    writer->hwm = 0;
    writer->peer->lwm = 0;
    return 0;
}

int zc_pipe_conflate(zc_pipe_t *p, int in, int out)
{
    if (in && conflate_direction(p->peer) < 0)
        return -1;
    if (out && conflate_direction(p) < 0)
        return -1;
    return 0;
}

int zc_dbuffer_check_read(zc_dbuffer_t *d)
{
    pthread_mutex_lock(&d->lock);
    int has = d->has;
    if (!has)
        d->reader_waiting = 1;
    pthread_mutex_unlock(&d->lock);
    return has;
}

int zc_dbuffer_read(zc_dbuffer_t *d, zc_msg_t *msg)
{
    pthread_mutex_lock(&d->lock);
    int has = d->has;
    if (has) {
        *msg = d->msg;
        msg->flags &= (uint8_t) ~ZC_MSG_MORE;   /*  one part per message */
        zc_msg_init(&d->msg);
        d->has = 0;
    } else {
        d->reader_waiting = 1;
    }
    pthread_mutex_unlock(&d->lock);
    return has;
}

void zc_dbuffer_write(zc_dbuffer_t *d, zc_msg_t *msg)
{
    zc_msg_t old;
    pthread_mutex_lock(&d->lock);
    old = d->msg;
    int had = d->has;
    d->msg = *msg;
    d->has = 1;
    pthread_mutex_unlock(&d->lock);
    if (had)
        zc_msg_close(&old);     /*  outside the lock: may free a body */
}

int zc_dbuffer_flush(zc_dbuffer_t *d)
{
    pthread_mutex_lock(&d->lock);
    int wake = d->reader_waiting && d->has;
    if (wake)
        d->reader_waiting = 0;
    pthread_mutex_unlock(&d->lock);
    return !wake;
}

void zc_pipe_set_hwms(zc_pipe_t *p, uint64_t hwm, uint64_t peer_hwm)
{
    p->hwm = p->cout ? 0 : hwm;
    p->lwm = p->cin ? 0 : compute_lwm(peer_hwm);
}

void zc_pipe_attach_mailbox(zc_pipe_t *p, zc_mailbox_t *mb)
{
    zc_mailbox_ref(mb);
    zc_mailbox_t *old = atomic_exchange_explicit(&p->mailbox, mb, memory_order_acq_rel);
    if (old)
        zc_mailbox_unref(old);
}

void zc_pipe_send_to_peer(zc_pipe_t *p, zc_command_type_t type, uint64_t arg)
{
    zc_pipe_t *peer = p->peer;
    zc_mailbox_t *mb = atomic_load_explicit(&peer->mailbox, memory_order_acquire);
    /*  No owner yet (an inproc connect waiting for its bind): the owner
        examines the pipe when it attaches, so nothing is lost. */
    if (!mb)
        return;
    zc_command_t cmd = {.type = type, .pipe = peer, .pipe_id = peer->id, .arg = arg};
    zc_mailbox_send(mb, &cmd);
}

/*  Posts ACTIVATE_READ to the peer's owner; the syscall that signals it is
    left in `slot` if there is one. */
static void post_activate_read(zc_pipe_t *p, zc_wake_slot_t *slot)
{
    zc_pipe_t *peer = p->peer;
    zc_mailbox_t *mb = atomic_load_explicit(&peer->mailbox, memory_order_acquire);
    if (!mb)
        return;
    zc_command_t cmd = {.type = ZC_CMD_ACTIVATE_READ, .pipe = peer, .pipe_id = peer->id};
    if (!slot) {
        zc_mailbox_send(mb, &cmd);
        return;
    }
    if (zc_mailbox_post(mb, &cmd) <= 0)
        return;
    /*  Leave the syscall to the owner; it holds a reference until then. */
    zc_mailbox_t *prev = slot->mailbox;
    if (prev == mb)
        return;
    if (prev) {
        zc_mailbox_wake(prev);
        zc_mailbox_unref(prev);
    }
    zc_mailbox_ref(mb);
    slot->mailbox = mb;
}

void zc_pipe_wake_reader(zc_pipe_t *p)
{
    zc_wake_slot_t *slot = p->wake_slot;
    /*  One pipe per call may go direct: the usual request or reply. */
    if (slot && slot->direct_ok && !slot->direct && zc_direct_available(p->direct)) {
        slot->direct = p;
        return;
    }
    post_activate_read(p, slot);
}

int zc_pipe_write_direct(zc_pipe_t *p)
{
    int rc = zc_direct_try_write(p->direct);
    if (rc != ZC_DIRECT_DONE)
        post_activate_read(p, p->wake_slot);
    return rc != ZC_DIRECT_BUSY;
}

static void pair_release(zc_pipe_pair_t *pair)
{
    if (atomic_fetch_sub_explicit(&pair->refs, 1, memory_order_acq_rel) != 1)
        return;
    zc_ypipe_destroy(&pair->queues[0]);
    zc_ypipe_destroy(&pair->queues[1]);
    zc_direct_fini(&pair->direct);
    for (int i = 0; i < 2; i++) {
        zc_dbuffer_t *d = pair->dbufs[i];
        if (d) {
            if (d->has)
                zc_msg_close(&d->msg);
            pthread_mutex_destroy(&d->lock);
            free(d);
        }
        zc_mailbox_t *mb = atomic_load(&pair->ends[i].mailbox);
        if (mb)
            zc_mailbox_unref(mb);
    }
    free(pair);
}

void zc_pipe_terminate(zc_pipe_t *p)
{
    if (!p->peer_terminated)
        zc_pipe_send_to_peer(p, ZC_CMD_PIPE_TERM, p->keep_open);
    pair_release(p->pair);
}
