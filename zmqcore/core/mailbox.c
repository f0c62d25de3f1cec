/*  Mailbox: a mutex-guarded ring of commands plus a signaler.

    Why a mutex and not a lock-free queue: commands are rare (one per pipe
    state transition, never one per message), writers are many, and an
    uncontended mutex costs tens of nanoseconds.

    `signalled` makes the signaler edge-triggered: the post that finds it
    clear sets it and owes exactly one write to the signaler; later posts
    owe none.  The write is made outside the lock (zc_mailbox_wake, maybe
    later, after the GIL is released): a reader woken on the same core
    must not find the lock still held by the thread that woke it, which
    would cost two more context switches per wake-up.  The reader clears
    `signalled` only once it has consumed that write, so the signaler fd
    is readable at most once per clear-to-set cycle and every readable
    state is drained by the next receive that finds the ring empty (a
    stale fd would make blocked readers spin and zmq.FD lie). */
#include "zmqcore/mailbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/clock.h"
#include "zmqcore/config.h"

zc_mailbox_t *zc_mailbox_new(void)
{
    zc_mailbox_t *mb = calloc(1, sizeof *mb);
    if (!mb)
        return NULL;
    mb->cap = ZC_MAILBOX_GRANULARITY;
    mb->ring = malloc(mb->cap * sizeof *mb->ring);
    if (!mb->ring || zc_signaler_init(&mb->signaler) < 0) {
        int err = mb->ring ? errno : ENOMEM;
        free(mb->ring);
        free(mb);
        errno = err;
        return NULL;
    }
    pthread_mutex_init(&mb->lock, NULL);
    atomic_init(&mb->refs, 1);
    return mb;
}

void zc_mailbox_ref(zc_mailbox_t *mb)
{
    atomic_fetch_add_explicit(&mb->refs, 1, memory_order_relaxed);
}

void zc_mailbox_unref(zc_mailbox_t *mb)
{
    if (atomic_fetch_sub_explicit(&mb->refs, 1, memory_order_acq_rel) != 1)
        return;
    pthread_mutex_destroy(&mb->lock);
    zc_signaler_close(&mb->signaler);
    free(mb->ring);
    free(mb);
}

/*  Doubles the ring, keeping commands in order.  Called with the lock held. */
static int grow(zc_mailbox_t *mb)
{
    unsigned ncap = mb->cap * 2;
    zc_command_t *nring = malloc(ncap * sizeof *nring);
    if (!nring)
        return -1;
    for (unsigned i = 0; i < mb->count; i++)
        nring[i] = mb->ring[(mb->head + i) % mb->cap];
    free(mb->ring);
    mb->ring = nring;
    mb->cap = ncap;
    mb->head = 0;
    return 0;
}

int zc_mailbox_post(zc_mailbox_t *mb, const zc_command_t *cmd)
{
    pthread_mutex_lock(&mb->lock);
    if (mb->count == mb->cap && grow(mb) < 0) {
        pthread_mutex_unlock(&mb->lock);
        errno = ENOMEM;
        return -1;
    }
    mb->ring[(mb->head + mb->count) % mb->cap] = *cmd;
    mb->count++;
    atomic_store_explicit(&mb->pending, 1, memory_order_relaxed);
    int wake = !mb->signalled;
    mb->signalled = 1;
    pthread_mutex_unlock(&mb->lock);
    return wake;
}

void zc_mailbox_wake(zc_mailbox_t *mb)
{
    zc_signaler_send(&mb->signaler);
}

int zc_mailbox_send(zc_mailbox_t *mb, const zc_command_t *cmd)
{
    int rc = zc_mailbox_post(mb, cmd);
    if (rc > 0)
        zc_mailbox_wake(mb);
    return rc < 0 ? -1 : 0;
}

/*  Pops a command if there is one.  Called with the lock held. */
static int pop(zc_mailbox_t *mb, zc_command_t *cmd)
{
    if (mb->count == 0)
        return 0;
    *cmd = mb->ring[mb->head];
    mb->head = (mb->head + 1) % mb->cap;
    mb->count--;
    return 1;
}

int zc_mailbox_recv(zc_mailbox_t *mb, zc_command_t *cmd, int timeout_ms)
{
    int64_t deadline = timeout_ms > 0 ? zc_clock_ms() + timeout_ms : 0;
    for (;;) {
        pthread_mutex_lock(&mb->lock);
        int got = pop(mb, cmd);
        int owed = mb->signalled;
        if (!got)
            atomic_store_explicit(&mb->pending, 0, memory_order_relaxed);
        pthread_mutex_unlock(&mb->lock);
        if (got)
            return 0;
        /*  Empty.  Nothing owed and no time to wait: the fd cannot be
            readable, spare the syscall. */
        if (!owed && timeout_ms == 0) {
            errno = EAGAIN;
            return -1;
        }
        /*  Sleep on the signaler; if a write is owed, it is (or soon will
            be) there to consume. */
        int wait_ms = timeout_ms > 0 ? zc_ms_until(deadline) : timeout_ms;
        int rc = zc_signaler_wait(&mb->signaler, wait_ms);
        if (rc < 0)
            return -1;  /*  EINTR: the caller checks for signals */
        if (rc == 0) {
            errno = EAGAIN;
            return -1;
        }
        /*  Readable: the one write this cycle owed (no other can be
            there).  Consume it, then look again: commands posted
            meanwhile are in the ring (their posts saw `signalled` set and
            wrote nothing). */
        zc_signaler_drain(&mb->signaler);
        pthread_mutex_lock(&mb->lock);
        mb->signalled = 0;
        pthread_mutex_unlock(&mb->lock);
    }
}
