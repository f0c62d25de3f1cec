/*  A listener: a bound tcp or ipc socket on an I/O thread that accepts
    connections and gives each one an accepted session.  The bind itself
    happens on the application thread, so errors (EADDRINUSE, ...) reach
    the caller of bind(). */
#ifndef ZMQCORE_LISTENER_H
#define ZMQCORE_LISTENER_H

#include "zmqcore/address.h"
#include "zmqcore/child.h"
#include "zmqcore/poller.h"
#include "zmqcore/socket.h"

typedef struct zc_listener {
    zc_child_t child;               /*  first: the socket sees a zc_child_t */
    zc_socket_t *socket;
    zc_options_t options;
    int fd;
    int transport;
    char ipc_path[108];             /*  file to unlink at close, or "" */
    unsigned long long ipc_dev, ipc_ino;    /*  ...if it is still ours */
    zc_poll_handle_t handle;
    zc_poll_handler_t handler;
    /*  Sessions of accepted connections live on our thread and are ours:
        unbind or close ends them with us. */
    struct zc_session **sessions;
    int nsessions, cap;
    int terminating;
} zc_listener_t;

struct zc_session;

/*  An accepted session ended (io thread). */
void zc_listener_session_done(zc_listener_t *l, struct zc_session *ss);

/*  Binds (application thread).  *endpoint_out receives the resolved
    endpoint (real port for ":*", for LAST_ENDPOINT).  NULL with errno. */
zc_listener_t *zc_listener_new(zc_socket_t *s, struct zc_io_thread *io,
                               const zc_address_t *addr, char *endpoint_out, size_t cap);

/*  Io thread: starts accepting. */
void zc_listener_start(void *self);

#endif
