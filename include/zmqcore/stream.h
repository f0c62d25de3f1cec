/*  Settings for connected stream sockets (tcp and ipc), shared by the
    listener and the connecter. */
#ifndef ZMQCORE_STREAM_H
#define ZMQCORE_STREAM_H

#include "zmqcore/options.h"

/*  SO_SNDBUF / SO_RCVBUF when the options ask for them. */
void zc_stream_set_buffers(int fd, const zc_options_t *o);

/*  TCP_NODELAY (always: ZMTP batches by itself), keepalive, TOS, buffers. */
void zc_stream_tune(int fd, int transport, const zc_options_t *o);

#endif
