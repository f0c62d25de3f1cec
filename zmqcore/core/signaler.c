/*  Signaler: eventfd on Linux, a non-blocking socketpair elsewhere. */
#include "zmqcore/signaler.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/eventfd.h>
#define ZC_USE_EVENTFD 1
#else
#include <sys/socket.h>
#endif

int zc_signaler_init(zc_signaler_t *s)
{
#if defined(ZC_USE_EVENTFD)
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        return -1;
    s->rfd = s->wfd = fd;
#else
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK);
        fcntl(sv[i], F_SETFD, FD_CLOEXEC);
    }
    s->rfd = sv[0];
    s->wfd = sv[1];
#endif
    return 0;
}

void zc_signaler_close(zc_signaler_t *s)
{
    if (s->rfd >= 0)
        close(s->rfd);
    if (s->wfd >= 0 && s->wfd != s->rfd)
        close(s->wfd);
    s->rfd = s->wfd = -1;
}

void zc_signaler_send(zc_signaler_t *s)
{
#if defined(ZC_USE_EVENTFD)
    uint64_t one = 1;
    ssize_t n;
    do
        n = write(s->wfd, &one, sizeof one);
    while (n < 0 && errno == EINTR);
#else
    unsigned char one = 1;
    ssize_t n;
    /*  EAGAIN means the pair is full of signals already: readable anyway. */
    do
        n = send(s->wfd, &one, 1, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
#endif
    (void) n;
}

void zc_signaler_drain(zc_signaler_t *s)
{
#if defined(ZC_USE_EVENTFD)
    uint64_t v;
    ssize_t n;
    do
        n = read(s->rfd, &v, sizeof v);
    while (n < 0 && errno == EINTR);
#else
    unsigned char buf[64];
    ssize_t n;
    do
        n = recv(s->rfd, buf, sizeof buf, 0);
    while (n == (ssize_t) sizeof buf || (n < 0 && errno == EINTR));
#endif
    (void) n;
}

int zc_signaler_wait(zc_signaler_t *s, int timeout_ms)
{
    struct pollfd pfd = {.fd = s->rfd, .events = POLLIN, .revents = 0};
    int rc = poll(&pfd, 1, timeout_ms);
    if (rc < 0)
        return -1;
    return rc > 0 ? 1 : 0;
}
