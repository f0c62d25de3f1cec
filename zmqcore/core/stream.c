/*  Socket options for stream connections; see stream.h. */
#include "zmqcore/stream.h"

#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "zmqcore/address.h"

void zc_stream_set_buffers(int fd, const zc_options_t *o)
{
    if (o->sndbuf >= 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &o->sndbuf, sizeof o->sndbuf);
    if (o->rcvbuf >= 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, sizeof o->rcvbuf);
}

void zc_stream_tune(int fd, int transport, const zc_options_t *o)
{
    zc_stream_set_buffers(fd, o);
    if (transport != ZC_TRANSPORT_TCP)
        return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (o->tcp_keepalive >= 0)
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &o->tcp_keepalive, sizeof o->tcp_keepalive);
    if (o->tcp_keepalive == 1) {
        if (o->tcp_keepalive_cnt > 0)
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &o->tcp_keepalive_cnt,
                       sizeof o->tcp_keepalive_cnt);
        if (o->tcp_keepalive_idle > 0)
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &o->tcp_keepalive_idle,
                       sizeof o->tcp_keepalive_idle);
        if (o->tcp_keepalive_intvl > 0)
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &o->tcp_keepalive_intvl,
                       sizeof o->tcp_keepalive_intvl);
    }
    if (o->tcp_maxrt > 0)
        setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &o->tcp_maxrt, sizeof o->tcp_maxrt);
    if (o->tos > 0)
        setsockopt(fd, IPPROTO_IP, IP_TOS, &o->tos, sizeof o->tos);
}
