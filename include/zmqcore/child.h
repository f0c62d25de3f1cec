/*  The I/O objects a socket owns on I/O threads (listeners, sessions) and
    the handshake that ends them, so that neither side ever touches freed
    memory (libzmq's own_t, reduced to what we need):

    - the socket asks a child to end by posting CALL(child->term) to the
      child's I/O thread; the child finishes (honouring LINGER), then posts
      CHILD_TERMINATED to the socket and frees itself;
    - a child never ends on its own: a connecting session whose peer broke
      the protocol stays, idle, until the socket ends it; accepted
      connections are not the socket's children but their listener's
      (same thread, see listener.h), so they may end whenever they like;
    - the socket is freed only when every child has terminated: a closed
      socket with children is kept by its context's first I/O thread (the
      reaper) until then. */
#ifndef ZMQCORE_CHILD_H
#define ZMQCORE_CHILD_H

#include <stdint.h>

struct zc_io_thread;

typedef struct zc_child {
    uint64_t id;                    /*  unique in the context */
    struct zc_io_thread *io;        /*  the thread it lives on */
    void (*term)(void *self);       /*  run on `io`: end, then report */
    int term_linger;                /*  ms, set by the socket before term */
    char *endpoint;                 /*  what bind/connect it came from */
    int is_listener;
    int terminating;                /*  socket side: term already asked */
} zc_child_t;

#endif
