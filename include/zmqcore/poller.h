/*  The readiness poller: one interface, one implementation chosen at build
    time (poller_epoll.c on Linux, poller_poll.c anywhere; setup.py compiles
    exactly one and defines ZC_POLLER_EPOLL or ZC_POLLER_POLL).

    Concept.  A poller belongs to one thread, its owner (an io thread), and
    is driven by calling zc_poller_wait() in a loop.  Objects living on that
    thread (engines, listeners, connecters, the io thread's own mailbox)
    register a file descriptor together with a handler: three C callbacks
    and an opaque pointer.  The poller calls the handler back, on the owner
    thread and from inside zc_poller_wait() only, when

      - the fd is readable, or in error / hung up   -> in_event(arg)
      - the fd is writable and pollout is set       -> out_event(arg)
      - a timer added with that handler falls due   -> timer_event(arg, id)

    Readiness is level-triggered: an fd stays reported until the handler
    reads, writes or resets its interest.  Error and hang-up conditions are
    reported through in_event even when pollin is not set (the kernel always
    reports them), so a handler must be ready to see them and remove its fd.

    Callbacks may call any function of this interface on the same poller:
    add or remove fds (their own or others'), change interest, add or cancel
    timers.  An fd removed during a batch of events is never dispatched
    again, not even for an event already collected in that batch; its handle
    is freed at the end of the zc_poller_wait() call that retired it, so a
    stale pointer inside the batch is always safe to test.

    Timers are one-shot, keyed by (handler, id), due at an absolute time of
    zc_clock_ms().  Timers due at the same time fire in the order they were
    added.  A timer added from inside a timer callback never fires in the
    same zc_poller_wait() call, so a handler that re-arms itself with a zero
    timeout cannot starve the fds.

    Threads.  Every function except zc_poller_load() must be called by the
    owner thread, or by any single thread while no thread owns the poller
    (before the io thread starts, after it was joined).  zc_poller_load()
    may be read from any thread. */
#ifndef ZMQCORE_POLLER_H
#define ZMQCORE_POLLER_H

#include <stdint.h>

/*  What a registered object gives the poller.  The struct is not copied:
    it must stay valid (typically embedded in its object) while its fd is
    registered or any of its timers is pending.  Unused callbacks may be
    NULL only if the matching event cannot happen (e.g. timer_event of an
    object that never adds timers; in_event is always required for fds). */
typedef struct zc_poll_handler {
    void (*in_event) (void *arg);
    void (*out_event) (void *arg);
    void (*timer_event) (void *arg, int id);
    void *arg;  /*  passed back to every callback */
} zc_poll_handler_t;

typedef struct zc_poller zc_poller_t;

/*  A registered fd.  Opaque; valid from zc_poller_add_fd() until
    zc_poller_rm_fd() (after which the caller must forget it). */
typedef struct zc_poll_entry *zc_poll_handle_t;

/*  Creates an empty poller.  Any thread (the caller then owns it).
    Returns NULL with errno set (ENOMEM, EMFILE, ...) on failure. */
zc_poller_t *zc_poller_new(void);

/*  Frees the poller and every handle still registered or retired; pending
    timers are dropped without firing.  Owner thread, never from a callback.
    Does not close any registered fd. */
void zc_poller_destroy(zc_poller_t *p);

/*  Registers fd with handler h, initially with no interest (neither pollin
    nor pollout; error/hang-up is still reported through in_event).  The fd
    must not already be registered in this poller, and must stay open until
    it is removed.  Owner thread.
    Returns the handle, or NULL with errno set (ENOMEM, EBADF, ...). */
zc_poll_handle_t zc_poller_add_fd(zc_poller_t *p, int fd, zc_poll_handler_t *h);

/*  Unregisters an fd.  Owner thread; safe from inside any callback of the
    current batch, including the callback of that very fd.  No callback of
    this handle runs afterwards.  Timers of the handler are NOT cancelled:
    use zc_poller_cancel_timer().  Returns 0 (removing twice is a bug). */
int zc_poller_rm_fd(zc_poller_t *p, zc_poll_handle_t handle);

/*  Turn interest in readability / writability on or off.  Owner thread.
    Idempotent.  Return 0, or -1 with errno set (ENOMEM from the kernel). */
int zc_poller_set_pollin(zc_poller_t *p, zc_poll_handle_t handle);
int zc_poller_reset_pollin(zc_poller_t *p, zc_poll_handle_t handle);
int zc_poller_set_pollout(zc_poller_t *p, zc_poll_handle_t handle);
int zc_poller_reset_pollout(zc_poller_t *p, zc_poll_handle_t handle);

/*  Turns POLLOUT on or off for a handle (which may be NULL: nothing to
    do), remembering the state in *state so that a repeat costs nothing. */
static inline void zc_poller_switch_pollout(zc_poller_t *p, zc_poll_handle_t handle,
                                            int *state, int on)
{
    if (*state == on || !handle)
        return;
    *state = on;
    if (on)
        zc_poller_set_pollout(p, handle);
    else
        zc_poller_reset_pollout(p, handle);
}

/*  Arms a one-shot timer: h->timer_event(h->arg, id) is called once
    timeout_ms (>= 0) have passed.  Owner thread.
    Returns 0, or -1 with errno ENOMEM. */
int zc_poller_add_timer(zc_poller_t *p, int timeout_ms, zc_poll_handler_t *h, int id);

/*  Disarms the pending timer (h, id); if several match, the one due first.
    Owner thread, callbacks included.  Returns 0, or -1 with errno ENOENT if
    no such timer is pending (it already fired or was never added). */
int zc_poller_cancel_timer(zc_poller_t *p, zc_poll_handler_t *h, int id);

/*  One turn of the loop.  Owner thread, never from a callback.
      1. Waits for fd events until the next timer is due, but no longer than
         max_timeout_ms (-1: no limit but the timers; 0: do not block).
         With no fd and no timer and max_timeout_ms == -1 it blocks forever.
      2. Dispatches the events collected (epoll collects at most
         ZC_POLLER_MAX_EVENTS fds per call; the rest stay ready for the
         next call).  For one fd, in_event runs before out_event.
      3. Fires every timer that is due by then.
      4. Frees the handles removed during this call.
    Returns the number of callbacks made (fd events + timers), or -1 with
    errno set: EINTR if a signal interrupted the wait (nothing dispatched),
    or the error of the kernel's poll call. */
int zc_poller_wait(zc_poller_t *p, int max_timeout_ms);

/*  Number of fds registered (added and not removed).  Any thread; the value
    may be stale by the time it is used, which is fine for its purpose:
    choosing the least-loaded io thread. */
int zc_poller_load(const zc_poller_t *p);

#endif
