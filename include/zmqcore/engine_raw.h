/*  The raw engine of STREAM sockets: one connected stream socket (tcp or
    ipc) with no ZMTP at all, libzmq's raw_engine.  No greeting, no
    handshake, no framing, no heartbeats: every read() becomes one message
    of the bytes read (at most ZC_IN_BATCH_SIZE), and the bodies of the
    messages the socket sends are written as they are, back to back.

    The connection is ready the moment it exists.  With STREAM_NOTIFY (the
    default) the engine tells the socket by an empty message when it
    starts, and by another when the peer closes it or it fails; both wait
    for room in the pipe like data does, so neither is lost at HWM.

    When the socket lets go of the pipe (it sent the connection an empty
    message), the engine writes what the socket had sent before, then
    closes the connection; a connecting session does not connect again
    (libzmq ends such sessions; ours stays idle until the socket ends it,
    see child.h).  Io thread only. */
#ifndef ZMQCORE_ENGINE_RAW_H
#define ZMQCORE_ENGINE_RAW_H

#include "zmqcore/engine.h"

/*  Takes fd (connected, non-blocking) and starts at once.  NULL with errno
    (fd is then closed). */
zc_engine_t *zc_engine_raw_new(struct zc_session *ss, zc_poller_t *poller, int fd);

#endif
