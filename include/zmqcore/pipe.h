/*  A pipe is a pair of ends joined by two ypipes, one each way.  Each end
    belongs to exactly one owner (a socket, or later a session on an I/O
    thread) and is touched only by that owner's thread.  Ends talk to each
    other through their owners' mailboxes:

      ACTIVATE_READ   "I flushed into your in-queue while you were asleep"
      ACTIVATE_WRITE  "I have read N messages in total": HWM credit
      PIPE_TERM       "I let go of my end; read what is left, then let go"

    High-water marks count whole messages.  A writer may have at most `hwm`
    messages written and not yet reported read (0 = no limit).  The reader
    reports every `lwm` messages, so the writer, once blocked, resumes after
    at most lwm reads.

    Lifetime: the pair is freed, with any messages still queued, when both
    ends have let go (zc_pipe_release).  Each end keeps its peer's owner
    mailbox alive, so posting to the peer is always safe.  Commands carry
    the end's id: an owner that finds a command for an end it no longer
    holds, or whose id differs, ignores it. */
#ifndef ZMQCORE_PIPE_H
#define ZMQCORE_PIPE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "zmqcore/command.h"
#include "zmqcore/direct.h"
#include "zmqcore/mailbox.h"
#include "zmqcore/msg.h"
#include "zmqcore/ypipe.h"

struct zc_pipe_pair;

/*  CONFLATE: a one-message queue whose writer replaces what the reader
    has not taken yet (libzmq's dbuffer).  A mutex is enough: a conflating
    socket trades throughput for freshness by definition. */
typedef struct zc_dbuffer {
    pthread_mutex_t lock;
    zc_msg_t msg;
    int has;                        /*  msg holds an unread message */
    int reader_waiting;             /*  the reader found it empty */
} zc_dbuffer_t;

/*  Where a socket's sends leave the wake-ups they owe, made once the call
    returns (zc_socket_flush_wake), so the syscall is made without the GIL
    and once per peer thread, not once per message. */
typedef struct zc_wake_slot {
    zc_mailbox_t *mailbox;          /*  a mailbox to signal (referenced) */
    struct zc_pipe *direct;         /*  a pipe whose engine the owner
                                       writes itself (direct.h), or NULL */
    int direct_ok;                  /*  the owner runs lock-step (its last
                                       receive waited): write directly */
} zc_wake_slot_t;

/*  Which of zc_pipe_t.slot a pipe array uses. */
enum { ZC_SLOT_LB = 0, ZC_SLOT_FQ = 1 };

typedef struct zc_pipe {
    zc_ypipe_t *in;                 /*  we read it */
    zc_ypipe_t *out;                /*  we write it */
    struct zc_pipe *peer;
    struct zc_pipe_pair *pair;
    _Atomic(zc_mailbox_t *) mailbox;    /*  our owner's; NULL until attached */
    uint64_t id;                    /*  unique within the context */

    /*  Owner thread only. */
    uint64_t hwm;                   /*  max messages in flight we write */
    uint64_t msgs_written;
    uint64_t peers_msgs_read;       /*  last credit from ACTIVATE_WRITE */
    uint64_t lwm;                   /*  report reads every lwm (0: never) */
    uint64_t msgs_read;
    int out_active;                 /*  0 while at HWM or peer gone */
    int peer_terminated;            /*  PIPE_TERM received */
    int set_index;                  /*  slot in the owner's pipe set */
    int slot[2];                    /*  slots in the owner's lb and fq
                                        (see pipe_array.h) */
    zc_wake_slot_t *wake_slot;      /*  owner's: where flush leaves a
                                        wake-up for the owner to make
                                        later (NULL: wake at once) */
    zc_direct_t *direct;            /*  the pair's (direct.h) */
    char *endpoint;                 /*  owner's: the endpoint it came by
                                        (malloc'ed; for unbind/disconnect) */
    void *user;                     /*  owner's data */

    /*  Routing id.  Whoever makes an end may set it to the peer's
        Identity before handing the end over (inproc); a ROUTER then keeps
        here the id it routes by (owner's).  rid_by_msg: the peer's
        Identity comes instead as the first message on this end, flagged
        ZC_MSG_ROUTING_ID (sessions of ROUTER sockets write one at every
        handshake, and an inproc binder to a ROUTER that connected before
        the bind). */
    unsigned char routing_id[255];
    unsigned char routing_id_len;
    unsigned char rid_by_msg;
    unsigned char identified;       /*  owner's: the ROUTER knows it */
    unsigned char keep_open;        /*  owner's: when we let go, a session
                                        keeps the connection open, dropping
                                        its input (a ROUTER's ignored or
                                        handed-over peer: libzmq leaves
                                        those connected too) */

    /*  Set when a direction conflates (zc_pipe_conflate): then that
        direction's messages go through the dbuffer instead of the ypipe. */
    zc_dbuffer_t *cin, *cout;
} zc_pipe_t;

/*  Creates a pipe pair.  a_hwm limits messages a writes to b, b_hwm the
    other way.  Owner mailboxes may be NULL (attach later); ids come from
    the context.  0, or -1 (ENOMEM). */
int zc_pipe_pair_new(zc_pipe_t **a, zc_pipe_t **b,
                     zc_mailbox_t *a_mailbox, zc_mailbox_t *b_mailbox,
                     uint64_t a_hwm, uint64_t b_hwm,
                     uint64_t a_id, uint64_t b_id);

/*  Makes p's incoming and/or outgoing direction conflate: only the newest
    message waits there, and it never fills up.  Right after creating the
    pair, before either end is handed to another thread.  0, or -1 ENOMEM. */
int zc_pipe_conflate(zc_pipe_t *p, int in, int out);

/*  The slow paths of a conflating direction (pipe.c). */
int zc_dbuffer_check_read(zc_dbuffer_t *d);
int zc_dbuffer_read(zc_dbuffer_t *d, zc_msg_t *msg);
void zc_dbuffer_write(zc_dbuffer_t *d, zc_msg_t *msg);
int zc_dbuffer_flush(zc_dbuffer_t *d);

/*  Sets the owner of an end made with a NULL mailbox.  Owner thread. */
void zc_pipe_attach_mailbox(zc_pipe_t *p, zc_mailbox_t *mb);

/*  Sets how many messages this end may have in flight (hwm) and, from the
    peer's limit, how often it reports reads (lwm).  Owner thread. */
void zc_pipe_set_hwms(zc_pipe_t *p, uint64_t hwm, uint64_t peer_hwm);

/*  Posts a command about `p->peer` to the peer's owner. */
void zc_pipe_send_to_peer(zc_pipe_t *p, zc_command_type_t type, uint64_t arg);

/*  The owner lets go of its end: tells the peer (unless the peer let go
    first) and drops the end's reference.  `p` must not be used after. */
void zc_pipe_terminate(zc_pipe_t *p);

/*  --- hot path, owner thread, inline ------------------------------------ */

static inline int zc_pipe_check_read(zc_pipe_t *p)
{
    if (ZC_UNLIKELY(p->cin != NULL))
        return zc_dbuffer_check_read(p->cin);
    return zc_ypipe_check_read(p->in);
}

/*  1 and *msg filled, or 0 when nothing is readable. */
static inline int zc_pipe_read(zc_pipe_t *p, zc_msg_t *msg)
{
    if (ZC_UNLIKELY(p->cin != NULL))
        return zc_dbuffer_read(p->cin, msg);
    if (!zc_ypipe_read(p->in, msg))
        return 0;
    if (!(msg->flags & ZC_MSG_MORE)) {
        p->msgs_read++;
        if (p->lwm && p->msgs_read % p->lwm == 0)
            zc_pipe_send_to_peer(p, ZC_CMD_ACTIVATE_WRITE, p->msgs_read);
    }
    return 1;
}

/*  1 if a new message may be written now. */
static inline int zc_pipe_check_write(zc_pipe_t *p)
{
    if (!p->out_active)
        return 0;
    if (p->hwm && p->msgs_written - p->peers_msgs_read >= p->hwm) {
        p->out_active = 0;
        return 0;
    }
    return 1;
}

/*  Writes one part (after zc_pipe_check_write for its first part).  Takes
    *msg.  0, or -1 (ENOMEM; *msg still the caller's). */
static inline int zc_pipe_write(zc_pipe_t *p, zc_msg_t *msg)
{
    int more = msg->flags & ZC_MSG_MORE;
    if (ZC_UNLIKELY(p->cout != NULL)) {
        zc_dbuffer_write(p->cout, msg);
        return 0;
    }
    if (zc_ypipe_write(p->out, msg, more) < 0)
        return -1;
    if (!more)
        p->msgs_written++;
    return 0;
}

/*  Tells a sleeping peer that there is something to read; see wake_slot. */
void zc_pipe_wake_reader(zc_pipe_t *p);

/*  The deferred half of a direct write (wake_slot.direct): writes to the
    peer's engine, and wakes the peer unless that wrote everything.  1 if
    anything was written directly. */
int zc_pipe_write_direct(zc_pipe_t *p);

/*  Publishes what was written; wakes the peer only if it slept. */
static inline void zc_pipe_flush(zc_pipe_t *p)
{
    if (ZC_UNLIKELY(p->cout != NULL)) {
        if (!zc_dbuffer_flush(p->cout))
            zc_pipe_wake_reader(p);
        return;
    }
    if (!zc_ypipe_flush(p->out))
        zc_pipe_wake_reader(p);
}

/*  Takes back the parts of an unfinished message (a connection broke
    mid-message).  Owner thread. */
static inline void zc_pipe_rollback(zc_pipe_t *p)
{
    if (!p->cout)
        zc_ypipe_rollback(p->out);
}

/*  ACTIVATE_WRITE arrived.  1 if the end became writable. */
static inline int zc_pipe_process_activate_write(zc_pipe_t *p, uint64_t msgs_read)
{
    p->peers_msgs_read = msgs_read;
    if (p->out_active || p->peer_terminated)
        return 0;
    p->out_active = 1;
    return 1;
}

#endif
