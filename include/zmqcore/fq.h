/*  Fair queue: takes messages round-robin from the pipes that have some,
    whole multipart messages at a time.  A pipe whose peer has gone and
    which is drained is handed back (`drained`) so the socket can let go
    of it. */
#ifndef ZMQCORE_FQ_H
#define ZMQCORE_FQ_H

#include "zmqcore/msg.h"
#include "zmqcore/pipe_array.h"

typedef struct zc_fq {
    zc_pipe_array_t pipes;  /*  active: readable as far as we know */
    int current;            /*  next active slot to read */
    zc_pipe_t *reading;     /*  pipe of the multipart message under way */
    zc_pipe_t *last;        /*  pipe of the last part read (valid until
                                the next call that may detach pipes) */
} zc_fq_t;

void zc_fq_init(zc_fq_t *fq);
void zc_fq_destroy(zc_fq_t *fq);
int zc_fq_attach(zc_fq_t *fq, zc_pipe_t *p);     /*  0, or -1 ENOMEM */
void zc_fq_activated(zc_fq_t *fq, zc_pipe_t *p);
void zc_fq_terminated(zc_fq_t *fq, zc_pipe_t *p);
/*  0, or -1 EAGAIN.  *drained is set to a pipe whose peer is gone and
    which has nothing left (the caller detaches it), else NULL. */
int zc_fq_recv(zc_fq_t *fq, zc_msg_t *msg, zc_pipe_t **drained);
int zc_fq_has_in(zc_fq_t *fq, zc_pipe_t **drained);

#endif
