/*  Commands are what threads tell each other through mailboxes.  Each is a
    small tagged struct; the receiver dispatches on `type`.  A command that
    names a pipe carries both its address and its id: the receiver looks the
    address up among its own pipes and checks the id, so a stale command for
    a pipe that is gone (and whose memory may be reused) is ignored. */
#ifndef ZMQCORE_COMMAND_H
#define ZMQCORE_COMMAND_H

#include <stdint.h>

struct zc_pipe;

typedef enum zc_command_type {
    ZC_CMD_NONE = 0,
    /*  Context is terminating: blocking calls must fail with ETERM. */
    ZC_CMD_STOP,
    /*  The peer flushed into a pipe whose reader was asleep. */
    ZC_CMD_ACTIVATE_READ,
    /*  The peer read `arg` messages in total; writing may resume. */
    ZC_CMD_ACTIVATE_WRITE,
    /*  The peer closed its end; read what is left, then let go.  `arg` 1:
        a session keeps its connection open (see zc_pipe_t.keep_open). */
    ZC_CMD_PIPE_TERM,
    /*  A connecter made a pipe to us (inproc); `pipe` is our end. */
    ZC_CMD_BIND,
    /*  New limits for an inproc pipe made before its bind: `arg` holds
        our end's HWM in its high 32 bits and the peer's in the low 32. */
    ZC_CMD_HWM,
    /*  To a socket: a child it asked to terminate has finished (`fn_arg`
        the child, `arg` its id); see child.h. */
    ZC_CMD_CHILD_TERMINATED,
    /*  A socket finished closing (sent to the context's mailbox). */
    ZC_CMD_REAPED,
    /*  Run a callback on the receiving thread (io thread use). */
    ZC_CMD_CALL,
    /*  To a socket: the connection behind `pipe` was made anew (SUB and
        XSUB send their subscriptions again). */
    ZC_CMD_HICCUP
} zc_command_type_t;

typedef struct zc_command {
    zc_command_type_t type;
    struct zc_pipe *pipe;   /*  the receiver's end of the pipe concerned */
    uint64_t pipe_id;       /*  that end's id, checked before use */
    uint64_t arg;           /*  meaning depends on type */
    void (*fn) (void *);    /*  ZC_CMD_CALL only */
    void *fn_arg;
} zc_command_t;

#endif
