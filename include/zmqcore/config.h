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

/*  ---- ZMTP codec (decoder.h, encoder.h) ---- */

/*  Bytes the engine reads from a socket at once.  8 KiB is libzmq's
    in_batch_size: big enough that a stream of small frames costs one read()
    per ~100 frames, small enough to stay in L1/L2 while it is decoded.
    Bodies whose unread remainder is at least this large are read straight
    into their own message instead (no copy). */
#define ZC_IN_BATCH_SIZE 8192

/*  Bytes of headers and small bodies the encoder packs into one write.
    8 KiB is libzmq's out_batch_size, for the same reasons as above. */
#define ZC_OUT_BATCH_SIZE 8192

/*  Bodies of at least this many bytes are not copied into the encoder's
    batch: they are written from the message itself as their own iovec.
    Below it, a memcpy is cheaper than an extra iovec segment and keeps the
    batch dense; at half a batch, copying would also leave little room for
    the frames that follow. */
#define ZC_ENCODER_COPY_MAX 4096

/*  Reads an engine makes per poller wake-up before it yields to the
    other connections of its I/O thread.  Each read takes up to a batch (or
    a large body), so one busy peer gets at most this many batches ahead. */
#define ZC_ENGINE_READS_PER_EVENT 16

/*  How long the proxy loop runs without the GIL before it hands back to
    Python to check for signals (proxy.c): the longest Ctrl-C can wait. */
#define ZC_PROXY_SIGNAL_CHECK_MS 100

/*  Largest body the decoder allocates on the word of a frame header
    alone.  Bigger frames grow (doubling) as their bytes arrive, so a peer
    announcing a huge frame costs memory only for what it really sends,
    even with MAXMSGSIZE unlimited.  Above the batch size, so ordinary large
    messages still go straight into their own buffer. */
#define ZC_DECODER_EAGER_MAX (1024 * 1024)

#endif
