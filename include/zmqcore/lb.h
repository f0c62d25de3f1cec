/*  Load balancer: round-robin over the pipes that can take a message now.
    A multipart message stays on the pipe its first part took. */
#ifndef ZMQCORE_LB_H
#define ZMQCORE_LB_H

#include "zmqcore/msg.h"
#include "zmqcore/pipe_array.h"

typedef struct zc_lb {
    zc_pipe_array_t pipes;  /*  active: writable as far as we know */
    int current;            /*  next active slot to try */
    zc_pipe_t *sending;     /*  pipe of the multipart message under way */
    int dropping;           /*  its pipe went away mid-message: drop the rest */
} zc_lb_t;

void zc_lb_init(zc_lb_t *lb);
void zc_lb_destroy(zc_lb_t *lb);
int zc_lb_attach(zc_lb_t *lb, zc_pipe_t *p);     /*  0, or -1 ENOMEM */
void zc_lb_activated(zc_lb_t *lb, zc_pipe_t *p);
void zc_lb_terminated(zc_lb_t *lb, zc_pipe_t *p);
/*  0, or -1 EAGAIN when no pipe can take it. */
int zc_lb_send(zc_lb_t *lb, zc_msg_t *msg);
int zc_lb_has_out(zc_lb_t *lb);

#endif
