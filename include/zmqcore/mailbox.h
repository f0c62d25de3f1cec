/*  A mailbox is a queue of commands with many writers and one reader, and a
    signaler that wakes the reader.  The signaler is written only when the
    queue goes from "reader knows it is empty" to non-empty, so a busy
    reader costs its writers no syscalls.

    A mailbox is reference counted: pipes keep their owner's mailbox alive,
    so a peer can always post to it even after the owner closed (the
    commands are then dropped with the mailbox). */
#ifndef ZMQCORE_MAILBOX_H
#define ZMQCORE_MAILBOX_H

#include <pthread.h>
#include <stdatomic.h>
#include "command.h"
#include "signaler.h"

typedef struct zc_mailbox {
    pthread_mutex_t lock;       /*  guards the ring and `signalled` */
    zc_command_t *ring;         /*  circular buffer of `cap` commands */
    unsigned head, count, cap;
    int signalled;              /*  one write to the signaler is owed or
                                    made and not yet consumed by the reader */
    zc_signaler_t signaler;
    atomic_int refs;
    atomic_int pending;         /*  commands may be waiting: set by posts,
                                    cleared when the reader finds none, read
                                    without the lock (a hint: see below) */
} zc_mailbox_t;

/*  Returns a mailbox with one reference, or NULL with errno set. */
zc_mailbox_t *zc_mailbox_new(void);
void zc_mailbox_ref(zc_mailbox_t *mb);
void zc_mailbox_unref(zc_mailbox_t *mb);

/*  Posts a command and wakes the reader if needed.  Any thread.
    Returns 0, or -1 (ENOMEM). */
int zc_mailbox_send(zc_mailbox_t *mb, const zc_command_t *cmd);

/*  Posts a command without waking the reader.  Returns 1 when the caller
    must call zc_mailbox_wake() (soon: the reader may be asleep), 0 when
    not, -1 (ENOMEM).  Lets a caller holding the GIL make the wake-up's
    syscall after releasing it. */
int zc_mailbox_post(zc_mailbox_t *mb, const zc_command_t *cmd);
void zc_mailbox_wake(zc_mailbox_t *mb);

/*  Takes the oldest command.  Reader thread only.  Waits up to timeout_ms
    (-1 forever, 0 not at all) without holding any lock.
    Returns 0, or -1 with errno EAGAIN (timeout) or EINTR. */
int zc_mailbox_recv(zc_mailbox_t *mb, zc_command_t *cmd, int timeout_ms);

/*  Cheap check, without the lock, for the reader's busy path: nonzero if
    commands may be waiting.  A post is seen by the next check after it on
    this thread at the latest, so commands are never left unread for long
    while the reader keeps working. */
static inline int zc_mailbox_pending(zc_mailbox_t *mb)
{
    return atomic_load_explicit(&mb->pending, memory_order_relaxed);
}

/*  The fd that is readable while commands may be waiting (zmq.FD). */
static inline int zc_mailbox_fd(const zc_mailbox_t *mb) { return mb->signaler.rfd; }

#endif
