/*  An I/O thread: a native pthread that runs a poller loop and owns the
    objects registered in that poller (listeners, connecters, sessions,
    engines).  Other threads talk to it only through its mailbox, whose fd is
    registered in the poller like any other:

      ZC_CMD_STOP   leave the loop (the thread then ends; stop() joins it)
      ZC_CMD_CALL   run cmd.fn(cmd.fn_arg) on the io thread, in posting order

    Other command types are ignored for now.  The thread blocks every
    signal, so Python's signal handlers keep running on the main thread.

    Lifecycle, from the thread that owns the io thread object (the context):
        new -> [start] -> stop -> destroy
    Until start and after stop no thread runs the loop, so the owner may use
    the poller directly then (e.g. in tests).  While running, only the io
    thread may touch the poller (from callbacks and ZC_CMD_CALL functions). */
#ifndef ZMQCORE_IO_THREAD_H
#define ZMQCORE_IO_THREAD_H

#include "zmqcore/mailbox.h"
#include "zmqcore/pipe.h"
#include "zmqcore/poller.h"

typedef struct zc_io_thread zc_io_thread_t;

/*  Creates the poller and mailbox and registers the mailbox fd; the thread
    does not run yet.  Returns NULL with errno set on failure. */
zc_io_thread_t *zc_io_thread_new(void);

/*  Starts the thread.  Owner thread; once.  Returns 0, or -1 with errno
    (EAGAIN from pthread_create, EINVAL if started before). */
int zc_io_thread_start(zc_io_thread_t *t);

/*  Posts ZC_CMD_STOP and joins the thread.  Commands posted before it have
    run when this returns; later ones are never run.  Owner thread, never
    the io thread itself (EDEADLK).  Idempotent, and a no-op if the thread
    was never started.  Returns 0, or -1 with errno. */
int zc_io_thread_stop(zc_io_thread_t *t);

/*  Stops the thread if needed, then frees the poller and drops the io
    thread's reference to the mailbox.  Owner thread.  NULL is a no-op. */
void zc_io_thread_destroy(zc_io_thread_t *t);

/*  The mailbox to post commands to.  Any thread; valid until destroy (take
    a reference with zc_mailbox_ref to keep it longer). */
zc_mailbox_t *zc_io_thread_mailbox(zc_io_thread_t *t);

/*  Who handles the commands (ACTIVATE_READ, PIPE_TERM, ...) that name a
    pipe end owned on this thread; embedded in the owner (a session). */
typedef struct zc_pipe_owner {
    void (*on_command)(void *owner, zc_pipe_t *p, const zc_command_t *cmd);
    void *owner;
} zc_pipe_owner_t;

/*  Routes commands for pipe end p to `owner` until removed.  Io thread.
    0, or -1 (ENOMEM). */
int zc_io_thread_add_pipe(zc_io_thread_t *t, zc_pipe_t *p, zc_pipe_owner_t *owner);
void zc_io_thread_remove_pipe(zc_io_thread_t *t, zc_pipe_t *p);

/*  Posts fn(arg) to run on the io thread.  Any thread.  0, or -1. */
int zc_io_thread_call(zc_io_thread_t *t, void (*fn)(void *), void *arg);

/*  The thread's poller.  Use it only on the io thread while it runs. */
zc_poller_t *zc_io_thread_poller(zc_io_thread_t *t);

/*  Number of fds registered by users of the thread (its own mailbox is not
    counted), for choosing the least-loaded io thread.  Any thread. */
int zc_io_thread_load(const zc_io_thread_t *t);

#endif
