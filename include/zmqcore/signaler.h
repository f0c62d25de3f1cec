/*  A signaler is one file descriptor that becomes readable when signalled:
    an eventfd on Linux, the read end of a socketpair elsewhere.  It is the
    only way a thread is woken by another; a mailbox owns one. */
#ifndef ZMQCORE_SIGNALER_H
#define ZMQCORE_SIGNALER_H

typedef struct zc_signaler {
    int rfd;    /*  polled by the reader; readable while signalled */
    int wfd;    /*  written by senders (== rfd for eventfd) */
} zc_signaler_t;

/*  Returns 0, or -1 with errno set. */
int zc_signaler_init(zc_signaler_t *s);
void zc_signaler_close(zc_signaler_t *s);

/*  Makes rfd readable.  Any thread; async-signal-safe. */
void zc_signaler_send(zc_signaler_t *s);

/*  Clears every pending signal without blocking.  Reader thread only. */
void zc_signaler_drain(zc_signaler_t *s);

/*  Waits until rfd is readable or timeout_ms passes (-1 = forever, 0 = just
    check).  Returns 1 if readable, 0 on timeout, -1 with errno (EINTR). */
int zc_signaler_wait(zc_signaler_t *s, int timeout_ms);

#endif
