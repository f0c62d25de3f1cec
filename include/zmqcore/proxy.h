/*  The built-in proxy (zmq_proxy, zmq_proxy_steerable) and pyzmq's
    monitored queue, run entirely in C on the calling thread, which must not
    hold the GIL and must be the only user of the sockets meanwhile.

    Whole messages go frontend -> backend and backend -> frontend.  A side
    is read only while the other side can take a message (its POLLOUT), so
    a full peer holds messages back in the reading socket's queue instead
    of growing the proxy (libzmq 4.3.5 does the same).  Each part is copied
    to `capture`, if any, before it is forwarded; a capture that cannot
    take a part holds the proxy up, as libzmq's blocking send does.

    Control (steerable), one frame per command, as libzmq 4.3.5:
      PAUSE / RESUME / TERMINATE  stop / restart forwarding / return 0;
                                  each answered with an empty frame
      STATISTICS                  answered with 8 native-endian uint64
                                  frames: frontend parts in, bytes in,
                                  parts out, bytes out, then the same for
                                  the backend.  Counts are of frames.
      anything else               answered with an empty frame, ignored.
    Where 4.3.5 is plainly wrong we follow its documentation and libzmq's
    later fix: PAUSE pauses (4.3.5 swaps PAUSE and RESUME), and a control
    socket that cannot send (SUB, PULL) gets no empty answer instead of
    ending the proxy with ENOTSUP.

    State lives in a zc_proxy_t, so a run interrupted by a signal (EINTR)
    resumes where it stopped when zc_proxy_run is called again: nothing is
    lost, statistics and PAUSE survive. */
#ifndef ZMQCORE_PROXY_H
#define ZMQCORE_PROXY_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "zmqcore/msg.h"
#include "zmqcore/socket.h"

/*  Frames handled in one go from one side before looking at the other
    side and at control (libzmq's proxy_burst_size). */
#define ZC_PROXY_BURST 1000

enum { ZC_PROXY_ACTIVE = 0, ZC_PROXY_PAUSED = 1, ZC_PROXY_TERMINATED = 2 };

/*  Indexes into zc_proxy_t.stats, in STATISTICS order. */
enum {
    ZC_PROXY_FRONT_IN_MSGS = 0, ZC_PROXY_FRONT_IN_BYTES = 1,
    ZC_PROXY_FRONT_OUT_MSGS = 2, ZC_PROXY_FRONT_OUT_BYTES = 3,
    ZC_PROXY_BACK_IN_MSGS = 4, ZC_PROXY_BACK_IN_BYTES = 5,
    ZC_PROXY_BACK_OUT_MSGS = 6, ZC_PROXY_BACK_OUT_BYTES = 7
};

typedef struct zc_proxy {
    zc_socket_t *frontend, *backend, *capture, *control;
    int state;
    uint64_t stats[8];

    /*  Monitored queue (zc_proxy_set_prefixes): capture gets a prefix
        frame ahead of each message, [0] for frontend -> backend, [1] the
        other way; and between two ROUTERs the first two frames (the
        routing ids) swap places. */
    int has_prefix;
    zc_msg_t prefix[2];
    int swap_ids;

    /*  The message under way, kept across calls (EINTR, a full peer). */
    int dir;                /*  -1 none, 0 frontend -> backend, 1 back */
    zc_msg_t held[2];       /*  parts read, not yet forwarded */
    int held_more[2];
    int nheld;
    int parts;              /*  parts read so far of this message */
    int captured;           /*  held[0] already copied to capture */
    int prefix_sent;

    atomic_int stop;        /*  zc_proxy_stop was called */
} zc_proxy_t;

/*  Sets up a run; capture and control may be NULL.  Never fails. */
void zc_proxy_init(zc_proxy_t *p, zc_socket_t *frontend, zc_socket_t *backend,
                   zc_socket_t *capture, zc_socket_t *control);

/*  Monitored-queue mode (needs a capture socket).  0, or -1 ENOMEM. */
int zc_proxy_set_prefixes(zc_proxy_t *p, const void *in_prefix, size_t in_len,
                          const void *out_prefix, size_t out_len);

/*  Runs until TERMINATE (0) or an error (-1 with errno): ETERM when the
    context ends, EINTR for a signal or every ZC_PROXY_SIGNAL_CHECK_MS
    (check for signals, call again to go on), ENOTSOCK after
    zc_proxy_stop, or whatever a socket reports (ENOTSUP: the capture
    cannot send, ...). */
int zc_proxy_run(zc_proxy_t *p);

/*  Any thread: makes the run return -1 with ENOTSOCK soon (one of its
    sockets is about to be closed).  Only while the run can still be
    going on: the caller makes sure `p` outlives this call. */
void zc_proxy_stop(zc_proxy_t *p);

/*  Drops whatever message was under way. */
void zc_proxy_fini(zc_proxy_t *p);

#endif
