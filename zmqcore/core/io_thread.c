/*  I/O thread: a pthread turning the poller loop.  See io_thread.h. */
#include "zmqcore/io_thread.h"
#include "zmqcore/hashmap.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IO_CREATED, IO_RUNNING, IO_STOPPED };

struct zc_io_thread {
    zc_poller_t *poller;            /*  io thread only while running */
    zc_mailbox_t *mailbox;          /*  one reference held */
    zc_poll_handle_t mailbox_handle;
    zc_poll_handler_t mailbox_handler;
    pthread_t thread;
    int state;                      /*  IO_*; owner thread only */
    int stopping;                   /*  io thread only: STOP received */
    zc_hashmap_t pipes;             /*  io thread only: zc_pipe_t* ->
                                        zc_pipe_owner_t* */
};

/*  The mailbox fd is readable: run every command waiting.  Io thread. */
static void mailbox_in_event(void *arg)
{
    zc_io_thread_t *t = arg;
    zc_command_t cmd;
    /*  recv with timeout 0 leaves the signaler drained once it reports the
        ring empty, so the level-triggered poller will not spin on it. */
    while (!t->stopping && zc_mailbox_recv(t->mailbox, &cmd, 0) == 0) {
        switch (cmd.type) {
        case ZC_CMD_STOP:
            t->stopping = 1;
            break;
        case ZC_CMD_CALL:
            if (cmd.fn)
                cmd.fn(cmd.fn_arg);
            break;
        default:
            if (cmd.pipe) {
                /*  Only an end still registered is dereferenced; the id
                    tells a reused address from the end the command meant. */
                zc_pipe_owner_t *o = zc_hashmap_get(&t->pipes, zc_hash_ptr(cmd.pipe), NULL, cmd.pipe);
                if (o && cmd.pipe->id == cmd.pipe_id)
                    o->on_command(o->owner, cmd.pipe, &cmd);
            }
            break;
        }
    }
}

static void *io_thread_main(void *arg)
{
    zc_io_thread_t *t = arg;
    while (!t->stopping) {
        if (zc_poller_wait(t->poller, -1) < 0 && errno != EINTR && errno != ENOMEM) {
            /*  epoll_wait/poll fail otherwise only on a corrupted poller:
                nothing can be trusted any more (libzmq asserts likewise). */
            fprintf(stderr, "zmqcore: io thread poller failed: %s\n", strerror(errno));
            abort();
        }
    }
    return NULL;
}

zc_io_thread_t *zc_io_thread_new(void)
{
    zc_io_thread_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    int err;
    t->poller = zc_poller_new();
    if (!t->poller)
        goto fail;
    t->mailbox = zc_mailbox_new();
    if (!t->mailbox)
        goto fail;
    t->mailbox_handler = (zc_poll_handler_t) {
        .in_event = mailbox_in_event, .out_event = NULL, .timer_event = NULL, .arg = t};
    t->mailbox_handle = zc_poller_add_fd(t->poller, zc_mailbox_fd(t->mailbox),
                                         &t->mailbox_handler);
    if (!t->mailbox_handle || zc_poller_set_pollin(t->poller, t->mailbox_handle) < 0)
        goto fail;
    t->state = IO_CREATED;
    return t;
fail:
    err = errno;
    if (t->mailbox)
        zc_mailbox_unref(t->mailbox);
    zc_poller_destroy(t->poller);
    free(t);
    errno = err;
    return NULL;
}

int zc_io_thread_start(zc_io_thread_t *t)
{
    if (t->state != IO_CREATED) {
        errno = EINVAL;
        return -1;
    }
    /*  Block every signal in the new thread from its first instruction: a
        thread inherits its creator's mask, so set it around the create. */
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    int rc = pthread_create(&t->thread, NULL, io_thread_main, t);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
#if defined(__linux__)
    pthread_setname_np(t->thread, "zmqcore/io");
#endif
    t->state = IO_RUNNING;
    return 0;
}

int zc_io_thread_stop(zc_io_thread_t *t)
{
    if (t->state != IO_RUNNING) {
        t->state = IO_STOPPED;
        return 0;
    }
    if (pthread_equal(pthread_self(), t->thread)) {
        errno = EDEADLK;
        return -1;
    }
    zc_command_t cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.type = ZC_CMD_STOP;
    if (zc_mailbox_send(t->mailbox, &cmd) < 0)
        return -1;
    int rc = pthread_join(t->thread, NULL);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    t->state = IO_STOPPED;
    return 0;
}

void zc_io_thread_destroy(zc_io_thread_t *t)
{
    if (!t)
        return;
    zc_io_thread_stop(t);
    zc_poller_rm_fd(t->poller, t->mailbox_handle);
    zc_poller_destroy(t->poller);
    zc_mailbox_unref(t->mailbox);
    zc_hashmap_fini(&t->pipes);
    free(t);
}

zc_mailbox_t *zc_io_thread_mailbox(zc_io_thread_t *t)
{
    return t->mailbox;
}

zc_poller_t *zc_io_thread_poller(zc_io_thread_t *t)
{
    return t->poller;
}

int zc_io_thread_load(const zc_io_thread_t *t)
{
    return zc_poller_load(t->poller) - 1;
}

int zc_io_thread_add_pipe(zc_io_thread_t *t, zc_pipe_t *p, zc_pipe_owner_t *owner)
{
    return zc_hashmap_put(&t->pipes, p, owner, zc_hash_ptr(p));
}

void zc_io_thread_remove_pipe(zc_io_thread_t *t, zc_pipe_t *p)
{
    zc_hashmap_del(&t->pipes, p, zc_hash_ptr(p));
}

int zc_io_thread_call(zc_io_thread_t *t, void (*fn)(void *), void *arg)
{
    zc_command_t cmd = {.type = ZC_CMD_CALL, .fn = fn, .fn_arg = arg};
    return zc_mailbox_send(t->mailbox, &cmd);
}
