/*  Tunables of the native core, each with the reason for its value.
    Changing one is a performance decision: measure with benchmarks/ first. */
#ifndef ZMQCORE_CONFIG_H
#define ZMQCORE_CONFIG_H

/*  Messages per chunk of a pipe's queue.  Larger chunks mean fewer
    allocations per message (one malloc per ZC_PIPE_GRANULARITY messages) but
    more memory held by an idle pipe (one spare chunk is kept).  With 64-byte
    messages 256 gives 16 KiB chunks. */
#define ZC_PIPE_GRANULARITY 256

/*  Commands per chunk of a mailbox's queue.  Commands are rare (sent only on
    state transitions), so a small chunk keeps idle sockets cheap. */
#define ZC_MAILBOX_GRANULARITY 64

/*  Bodies up to this size live inside zc_msg_t itself: no allocation.  The
    value makes sizeof(zc_msg_t) exactly 64 bytes (one cache line). */
#define ZC_MSG_MAX_INLINE 48

/*  Default high-water marks (messages), as libzmq: 1000 each way. */
#define ZC_DEFAULT_HWM 1000

/*  Most file descriptors one poller call returns at once. */
#define ZC_POLLER_MAX_EVENTS 256

#endif
