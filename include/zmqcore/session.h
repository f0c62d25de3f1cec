/*  A session joins one pipe of a socket to one connection (engine) on an
    I/O thread.  A connecting session outlives its connections: it owns the
    connecter, makes a new engine after each reconnect, and its pipe queues
    messages while disconnected.  An accepted session lives as long as its
    one connection.  Io thread only, except where noted. */
#ifndef ZMQCORE_SESSION_H
#define ZMQCORE_SESSION_H

#include <stdint.h>

#include "zmqcore/address.h"
#include "zmqcore/child.h"
#include "zmqcore/io_thread.h"
#include "zmqcore/msg.h"
#include "zmqcore/pipe.h"
#include "zmqcore/poller.h"
#include "zmqcore/socket.h"

struct zc_engine;

typedef struct zc_session {
    zc_child_t child;               /*  first: the socket sees a zc_child_t */
    zc_socket_t *socket;            /*  owner; alive while we are */
    zc_options_t options;           /*  the socket's, when we were made */
    zc_address_t address;           /*  connect: where to; accept: unused */
    int connecting;                 /*  made by connect: reconnects */

    zc_pipe_t *pipe;                /*  our end, or NULL (not yet / gone) */
    zc_pipe_owner_t pipe_owner;
    struct zc_engine *engine;       /*  the live connection, or NULL */

    /*  connecter (connecting sessions) */
    int connect_fd;
    zc_poll_handle_t connect_handle;
    zc_poll_handler_t handler;      /*  connect fd and our timers */
    int reconnect_ivl;              /*  current back-off, ms */
    int accepted_fd;                /*  accepted: the fd until started */

    struct zc_listener *listener;   /*  accepted sessions: our owner */
    int listener_index;
    int out_more;                   /*  last part pulled had MORE */
    int in_more;                    /*  last part pushed had MORE */
    int req_in_state;               /*  REQ: where in a reply the
                                       connection is (session.c) */
    int handshakes;                 /*  connections made so far */
    int hiccups_pending;            /*  SUB/XSUB: HICCUPs sent whose marker
                                       has not come back: drop until then */

    int terminating;                /*  our owner asked us to end */
    int keep_open;                  /*  the socket let go of our pipe but
                                       wants the connection kept (PIPE_TERM
                                       arg): an accepted session lives on,
                                       dropping input, until it breaks */
} zc_session_t;

/*  Ends the session (io thread): after LINGER (child.term_linger) for what
    is still queued, then it reports to its owner and frees itself. */
void zc_session_term(void *self);

/*  Creates a session for socket s (on its thread: reads its options).
    A connecting session gets its pipe here (attached to s), so messages
    queue before the first connection.  NULL with errno. */
zc_session_t *zc_session_new_connecting(zc_socket_t *s, struct zc_io_thread *io,
                                        const zc_address_t *addr, const char *endpoint);
struct zc_listener;
zc_session_t *zc_session_new_accepted(struct zc_listener *l, int fd);

/*  Io thread: starts connecting / the accepted connection's handshake. */
void zc_session_start(void *self);

/*  Called by the engine (io thread). */
/*  -1 EAGAIN at HWM, or -1 EPROTO: the message breaks the pattern (a REQ's
    reply without its delimiter): the engine drops the connection. */
int zc_session_push_msg(zc_session_t *ss, zc_msg_t *msg);
void zc_session_flush(zc_session_t *ss);
int zc_session_pull_msg(zc_session_t *ss, zc_msg_t *msg);    /*  -1 EAGAIN: none */
/*  The handshake is done; peer_id: the Identity the peer announced
    (possibly empty). */
void zc_session_engine_ready(zc_session_t *ss, const unsigned char *peer_id, size_t peer_id_len);
/*  The connection ended.  protocol_error: the peer broke the protocol
    (a connecting session then stops reconnecting, as libzmq). */
void zc_session_engine_error(zc_session_t *ss, int handshake_done, int protocol_error);
/*  The engine wrote all it had and the pipe has nothing more: a lingering
    session may finish. */
void zc_session_engine_idle(zc_session_t *ss);

#endif
