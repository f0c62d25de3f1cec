/*  Zero-copy release, the one place where the core's threads hand
    something back to Python.  A message sent with copy=False points into a
    Python buffer; whichever thread drops the message's last reference calls
    zcb_release(), which only queues the buffer (no GIL, no Python API).
    The Cython layer drains the queue under the GIL and releases the
    buffers.  (pyzmq's garbage collector thread, rebuilt on a mutex.)

    The queue is reference counted by the Context and by every buffer in
    flight, so a buffer released after its Context is gone is still safe. */
#ifndef ZMQCORE_BACKEND_RELEASE_QUEUE_H
#define ZMQCORE_BACKEND_RELEASE_QUEUE_H

#include <Python.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct zcb_release_queue zcb_release_queue_t;

typedef struct zcb_buffer {
    struct zcb_buffer *next;
    zcb_release_queue_t *queue;
    Py_buffer view;             /*  keeps the Python object alive */
    PyObject *tracker;          /*  an event to set when released, or NULL */
} zcb_buffer_t;

struct zcb_release_queue {
    pthread_mutex_t lock;
    zcb_buffer_t *head;
    atomic_int pending;         /*  buffers queued, cheap to poll */
    atomic_int refs;
};

static inline zcb_release_queue_t *zcb_queue_new(void)
{
    zcb_release_queue_t *q = (zcb_release_queue_t *) calloc(1, sizeof *q);
    if (!q)
        return NULL;
    pthread_mutex_init(&q->lock, NULL);
    atomic_init(&q->refs, 1);
    atomic_init(&q->pending, 0);
    return q;
}

static inline void zcb_queue_ref(zcb_release_queue_t *q)
{
    atomic_fetch_add(&q->refs, 1);
}

static inline void zcb_queue_unref(zcb_release_queue_t *q)
{
    if (atomic_fetch_sub(&q->refs, 1) != 1)
        return;
    pthread_mutex_destroy(&q->lock);
    free(q);
}

/*  The zc_free_fn of copy=False messages.  Any thread, no GIL. */
static void zcb_release(void *data, void *hint)
{
    (void) data;
    zcb_buffer_t *b = (zcb_buffer_t *) hint;
    zcb_release_queue_t *q = b->queue;
    pthread_mutex_lock(&q->lock);
    b->next = q->head;
    q->head = b;
    atomic_fetch_add(&q->pending, 1);
    pthread_mutex_unlock(&q->lock);
}

/*  Takes every queued buffer.  Caller holds the GIL and releases them. */
static inline zcb_buffer_t *zcb_queue_take(zcb_release_queue_t *q)
{
    if (atomic_load_explicit(&q->pending, memory_order_relaxed) == 0)
        return NULL;
    pthread_mutex_lock(&q->lock);
    zcb_buffer_t *all = q->head;
    q->head = NULL;
    atomic_store(&q->pending, 0);
    pthread_mutex_unlock(&q->lock);
    return all;
}

#endif
