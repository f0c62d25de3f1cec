/*  Direct output: the socket's thread writes what it just sent straight to
    the connection, instead of waking the I/O thread to do it.

    Normally a send that finds its session asleep posts ACTIVATE_READ and
    the I/O thread wakes, reads the pipe and writes the socket: two thread
    hops per message on a request/reply path (sender -> I/O thread ->
    kernel).  When the connection's engine is idle (nothing half-written,
    no POLLOUT armed), the sender may instead take the engine's output for
    the moment and write itself: one hop fewer (pinned tcp REQ/REP: 6
    syscalls and 2 context switches per message instead of 9 and 3).  Batching is kept where it pays: a socket
    writes directly only when its last receive (or poll) had to wait, i.e.
    it runs request/reply lock-step; a socket streaming sends wakes the I/O
    thread as before, and that thread batches the queue into few writes.

    One zc_direct_t lives in each pipe pair.  Its lock guards the engine's
    output state and the session end's read side of the pipe.  The I/O
    thread holds it around every engine entry point while an engine is
    attached; the socket's thread only ever try-locks it (a busy engine
    means: fall back to the wake-up, which is always correct).  `target`
    is set and cleared by the I/O thread under the lock; the socket's
    thread reads it without the lock only as a hint. */
#ifndef ZMQCORE_DIRECT_H
#define ZMQCORE_DIRECT_H

#include <pthread.h>
#include <stdatomic.h>

typedef struct zc_direct {
    pthread_mutex_t lock;
    /*  The engine that may be written to directly, or NULL. */
    _Atomic(void *) target;
    /*  Under the lock, target non-NULL: writes what the pipe holds; one of
        the results below. */
    int (*write)(void *target);
} zc_direct_t;

enum {
    ZC_DIRECT_BUSY = 0,     /*  nothing written: wake the I/O thread */
    ZC_DIRECT_PARTIAL,      /*  some written, the kernel took no more (or
                               the write failed): the I/O thread finishes */
    ZC_DIRECT_DONE          /*  all of it reached the kernel; the pipe's
                               reader sleeps again, nobody to wake */
};

static inline void zc_direct_init(zc_direct_t *d)
{
    pthread_mutex_init(&d->lock, NULL);
    atomic_init(&d->target, NULL);
    d->write = NULL;
}

static inline void zc_direct_fini(zc_direct_t *d)
{
    pthread_mutex_destroy(&d->lock);
}

/*  A hint: an engine is attached (it may still be busy). */
static inline int zc_direct_available(zc_direct_t *d)
{
    return atomic_load_explicit(&d->target, memory_order_relaxed) != NULL;
}

/*  Socket's thread.  A ZC_DIRECT_ result; the caller wakes the reader
    unless it is ZC_DIRECT_DONE. */
static inline int zc_direct_try_write(zc_direct_t *d)
{
    if (pthread_mutex_trylock(&d->lock) != 0)
        return ZC_DIRECT_BUSY;
    void *t = atomic_load_explicit(&d->target, memory_order_relaxed);
    int rc = t ? d->write(t) : ZC_DIRECT_BUSY;
    pthread_mutex_unlock(&d->lock);
    return rc;
}

#endif
