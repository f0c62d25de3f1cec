/*  One-shot timers of a poller, shared by every poller implementation.

    A binary min-heap ordered by (due time, insertion sequence): the next
    timer is found in O(1), added and fired in O(log n).  Cancelling scans
    for (handler, id), O(n); objects keep few timers (reconnect, handshake,
    heartbeat), so n stays small.  Due times are absolute zc_clock_ms().

    Threads: a zc_timers_t is owned by its poller's thread; every function
    runs there.  Timer callbacks may add and cancel timers of the same set. */
#ifndef ZMQCORE_TIMERS_H
#define ZMQCORE_TIMERS_H

#include <stddef.h>
#include <stdint.h>

#include "zmqcore/clock.h"
#include "zmqcore/poller.h"

typedef struct zc_timer {
    int64_t when;           /*  due at this zc_clock_ms() */
    uint64_t seq;           /*  insertion order, breaks ties of `when` */
    zc_poll_handler_t *handler;
    int id;
} zc_timer_t;

typedef struct zc_timers {
    zc_timer_t *heap;       /*  heap[0] is due first */
    size_t count, cap;
    uint64_t next_seq;      /*  seq of the next timer added */
} zc_timers_t;

void zc_timers_init(zc_timers_t *t);

/*  Frees the heap; pending timers are dropped without firing. */
void zc_timers_fini(zc_timers_t *t);

/*  Adds a timer due at absolute time `when`.  Returns 0, or -1 (ENOMEM). */
int zc_timers_add(zc_timers_t *t, int64_t when, zc_poll_handler_t *h, int id);

/*  Removes the pending timer (h, id) due first.  Returns 0, or -1 (ENOENT). */
int zc_timers_cancel(zc_timers_t *t, zc_poll_handler_t *h, int id);

/*  Milliseconds from `now` until the next timer is due: 0 if one is due
    already, -1 if there is none.  Capped at INT32_MAX. */
int zc_timers_timeout(const zc_timers_t *t, int64_t now);

/*  Fires, in order, every timer due at `now` that was added before this
    call started; timers added by the callbacks wait for the next call.
    Returns the number fired. */
int zc_timers_execute(zc_timers_t *t, int64_t now);

static inline size_t zc_timers_count(const zc_timers_t *t) { return t->count; }

/*  Adds a timer due timeout_ms from now (negative: now). */
static inline int zc_timers_add_in(zc_timers_t *t, int timeout_ms, zc_poll_handler_t *h, int id)
{
    return zc_timers_add(t, zc_clock_ms() + (timeout_ms < 0 ? 0 : timeout_ms), h, id);
}

/*  How long a poller may sleep: until the next timer, and no longer than
    max_timeout_ms (-1: no cap of its own).  -1 means forever. */
static inline int zc_timers_wait_ms(const zc_timers_t *t, int max_timeout_ms)
{
    int timeout = t->count > 0 ? zc_timers_timeout(t, zc_clock_ms()) : -1;
    if (max_timeout_ms >= 0 && (timeout < 0 || timeout > max_timeout_ms))
        timeout = max_timeout_ms;
    return timeout;
}

#endif
