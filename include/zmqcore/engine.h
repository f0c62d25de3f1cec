/*  The ZMTP 3.1 engine: one connected stream socket (tcp or ipc) on an I/O
    thread.  It does the greeting, the NULL mechanism's READY exchange and
    the socket-type check, then moves frames between the fd and its
    session: the decoder reads many frames per read (large bodies straight
    into their own buffer), the encoder batches small frames into one write
    and hands large bodies to writev.  Heartbeats (PING/PONG) and the
    handshake deadline run on the poller's timers.  Io thread only, except
    that once the handshake is done the socket's thread may write what it
    sent itself while the engine is idle (direct.h); every entry point
    then holds the pipe's direct lock.

    The mechanism step is the one place PLAIN and CURVE will plug in: the
    engine asks it for handshake commands to send and feeds it the
    commands received until it reports ready. */
#ifndef ZMQCORE_ENGINE_H
#define ZMQCORE_ENGINE_H

#include "zmqcore/decoder.h"
#include "zmqcore/encoder.h"
#include "zmqcore/poller.h"

struct zc_session;

typedef struct zc_engine zc_engine_t;

/*  What a session asks of its engine.  There are two engines: this ZMTP
    one and the raw one of STREAM sockets (engine_raw.h).  Each starts its
    struct with a pointer to its table, so a session holds either as a
    zc_engine_t and calls the functions below. */
typedef struct zc_engine_ops {
    void (*destroy) (zc_engine_t *e);
    void (*restart_output) (zc_engine_t *e);
    void (*restart_input) (zc_engine_t *e);
    int (*output_done) (const zc_engine_t *e);
    int (*fd) (const zc_engine_t *e);
    void (*stop_direct) (zc_engine_t *e);   /*  NULL: never direct */
} zc_engine_ops_t;

/*  Takes fd (connected, non-blocking) and starts the handshake.  NULL with
    errno (fd is then closed). */
zc_engine_t *zc_engine_new(struct zc_session *ss, zc_poller_t *poller, int fd);

static inline const zc_engine_ops_t *zc_engine_ops(const zc_engine_t *e)
{
    return *(const zc_engine_ops_t *const *) (const void *) e;
}

/*  Closes the fd and frees everything (pending messages included). */
static inline void zc_engine_destroy(zc_engine_t *e)
{
    zc_engine_ops(e)->destroy(e);
}

/*  The session's pipe has messages again / room again. */
static inline void zc_engine_restart_output(zc_engine_t *e)
{
    zc_engine_ops(e)->restart_output(e);
}

static inline void zc_engine_restart_input(zc_engine_t *e)
{
    zc_engine_ops(e)->restart_input(e);
}

/*  1 when everything handed to the engine has reached the kernel. */
static inline int zc_engine_output_done(const zc_engine_t *e)
{
    return zc_engine_ops(e)->output_done(e);
}

static inline int zc_engine_fd(const zc_engine_t *e)
{
    return zc_engine_ops(e)->fd(e);
}

/*  The socket let go of the pipe: no more direct writes (direct.h); the
    engine stops taking the pipe's lock, which may go with the pipe. */
static inline void zc_engine_stop_direct(zc_engine_t *e)
{
    if (zc_engine_ops(e)->stop_direct)
        zc_engine_ops(e)->stop_direct(e);
}

#endif
