/*  Distributor; see dist.h. */
#include "zmqcore/dist.h"

void zc_dist_init(zc_dist_t *d)
{
    zc_pipe_array_init(&d->pipes, ZC_SLOT_LB);
    d->matching = 0;
    d->missed = 0;
    d->more = 0;
}

void zc_dist_destroy(zc_dist_t *d)
{
    zc_pipe_array_destroy(&d->pipes);
    zc_dist_init(d);
}

int zc_dist_attach(zc_dist_t *d, zc_pipe_t *p)
{
    if (zc_pipe_array_push(&d->pipes, p) < 0)
        return -1;
    /*  Active at once, but not matched: mid-message, a newcomer waits for
        the next message. */
    zc_pipe_array_activate(&d->pipes, p);
    return 0;
}

void zc_dist_activated(zc_dist_t *d, zc_pipe_t *p)
{
    zc_pipe_array_activate(&d->pipes, p);
}

/*  Takes the matched pipe at slot i out of the match. */
static void unmatch_at(zc_dist_t *d, int i)
{
    d->matching--;
    zc_pipe_array_swap(&d->pipes, i, d->matching);
}

void zc_dist_terminated(zc_dist_t *d, zc_pipe_t *p)
{
    int i = zc_pipe_array_slot(&d->pipes, p);
    if (i >= 0 && i < d->matching)
        unmatch_at(d, i);
    zc_pipe_array_remove(&d->pipes, p);
}

void zc_dist_match(zc_dist_t *d, zc_pipe_t *p)
{
    int i = zc_pipe_array_slot(&d->pipes, p);
    int active = d->pipes.active;
    if (i < d->matching || (i >= active && i < active + d->missed))
        return;     /*  matched already */
    if (i < active) {
        zc_pipe_array_swap(&d->pipes, i, d->matching);
        d->matching++;
    } else {
        /*  Not writable now: it will miss this message. */
        zc_pipe_array_swap(&d->pipes, i, active + d->missed);
        d->missed++;
    }
}

void zc_dist_match_all(zc_dist_t *d)
{
    d->matching = d->pipes.active;
    d->missed = d->pipes.n - d->pipes.active;
}

void zc_dist_unmatch(zc_dist_t *d)
{
    d->matching = 0;
    d->missed = 0;
}

void zc_dist_reverse_match(zc_dist_t *d)
{
    int m = d->matching, active = d->pipes.active;
    int k = active - m;
    int swaps = m < k ? m : k;
    /*  Swapping the first `swaps` matched with the last `swaps` unmatched
        brings all unmatched to the front. */
    for (int i = 0; i < swaps; i++)
        zc_pipe_array_swap(&d->pipes, i, active - 1 - i);
    d->matching = k;
    d->missed = d->pipes.n - active - d->missed;
}

int zc_dist_check_hwm(zc_dist_t *d)
{
    for (int i = 0; i < d->matching; i++) {
        zc_pipe_t *p = d->pipes.pipes[i];
        if (p->hwm && p->msgs_written - p->peers_msgs_read >= p->hwm)
            return 0;
    }
    return 1;
}

void zc_dist_send(zc_dist_t *d, zc_msg_t *msg, uint64_t *dropped)
{
    int more = zc_msg_more(msg);
    if (!d->more) {
        /*  A new message: pipes at HWM lose it. */
        *dropped += (uint64_t) d->missed;
        d->missed = 0;
        for (int i = 0; i < d->matching;) {
            if (zc_pipe_check_write(d->pipes.pipes[i])) {
                i++;
                continue;
            }
            unmatch_at(d, i);
            zc_pipe_array_deactivate_at(&d->pipes, d->matching);
            ++*dropped;
        }
    }
    d->more = more;
    int n = d->matching;
    if (n == 0) {
        zc_msg_close(msg);
        return;
    }
    for (int i = 0; i < n; i++) {
        zc_pipe_t *p = d->pipes.pipes[i];
        zc_msg_t part;
        if (i == n - 1)
            part = *msg;    /*  the last pipe takes the original */
        else
            zc_msg_copy(&part, msg);
        if (zc_pipe_write(p, &part) < 0)
            zc_msg_close(&part);
        if (!more)
            zc_pipe_flush(p);
    }
    if (!more)
        d->matching = 0;
}
