/*  Distributor: sends each message to a chosen subset of pipes (PUB/XPUB
    fan-out, XSUB's upstream).  A pipe at HWM loses the message, not the
    others (libzmq's lossy fan-out); the caller counts the drops.

    The pipes live in a pipe array with the active (writable as far as we
    know) ones in front, and within those the ones matched for the message
    under way in front again: [0, matching) within [0, active).  Matching a
    pipe twice is a no-op, so overlapping subscriptions deliver once.
    Matched pipes that are not active (at HWM) gather right after the
    active ones, [active, active + missed), to be counted as drops once. */
#ifndef ZMQCORE_DIST_H
#define ZMQCORE_DIST_H

#include <stdint.h>

#include "zmqcore/msg.h"
#include "zmqcore/pipe_array.h"

typedef struct zc_dist {
    zc_pipe_array_t pipes;
    int matching;
    int missed;
    int more;           /*  a multipart message is under way */
} zc_dist_t;

void zc_dist_init(zc_dist_t *d);
void zc_dist_destroy(zc_dist_t *d);
int zc_dist_attach(zc_dist_t *d, zc_pipe_t *p);      /*  0, or -1 ENOMEM */
void zc_dist_activated(zc_dist_t *d, zc_pipe_t *p);
void zc_dist_terminated(zc_dist_t *d, zc_pipe_t *p);

/*  Choosing the pipes for a message's first part. */
void zc_dist_match(zc_dist_t *d, zc_pipe_t *p);
void zc_dist_match_all(zc_dist_t *d);
void zc_dist_unmatch(zc_dist_t *d);
/*  The matched become the unmatched active pipes and the other way round
    (INVERT_MATCHING). */
void zc_dist_reverse_match(zc_dist_t *d);

/*  1 if every matched pipe can take a new message now (XPUB_NODROP). */
int zc_dist_check_hwm(zc_dist_t *d);

/*  Sends one part to the matched pipes and takes *msg.  A pipe at HWM on
    a first part leaves the match (and the active set until it has room
    again) and adds one to *dropped.  After the last part the pipes are
    flushed and unmatched. */
void zc_dist_send(zc_dist_t *d, zc_msg_t *msg, uint64_t *dropped);

#endif
