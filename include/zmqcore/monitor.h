/*  Socket monitors (zmq_socket_monitor): events about a socket's
    connections, sent as two-frame messages (6 bytes: uint16 event, uint32
    value, native byte order as libzmq; then the endpoint) to a PAIR socket
    bound at the address the user chose.  Events come from the socket's
    own thread and from I/O threads, hence the lock. */
#ifndef ZMQCORE_MONITOR_H
#define ZMQCORE_MONITOR_H

#include <stdint.h>

struct zc_socket;

enum {
    ZC_EVENT_CONNECTED = 0x0001,
    ZC_EVENT_CONNECT_DELAYED = 0x0002,
    ZC_EVENT_CONNECT_RETRIED = 0x0004,
    ZC_EVENT_LISTENING = 0x0008,
    ZC_EVENT_BIND_FAILED = 0x0010,
    ZC_EVENT_ACCEPTED = 0x0020,
    ZC_EVENT_ACCEPT_FAILED = 0x0040,
    ZC_EVENT_CLOSED = 0x0080,
    ZC_EVENT_CLOSE_FAILED = 0x0100,
    ZC_EVENT_DISCONNECTED = 0x0200,
    ZC_EVENT_MONITOR_STOPPED = 0x0400,
    ZC_EVENT_HANDSHAKE_FAILED_NO_DETAIL = 0x0800,
    ZC_EVENT_HANDSHAKE_SUCCEEDED = 0x1000,
    ZC_EVENT_HANDSHAKE_FAILED_PROTOCOL = 0x2000,
    ZC_EVENT_HANDSHAKE_FAILED_AUTH = 0x4000,
    ZC_EVENT_ALL = 0xffff
};

/*  Values of HANDSHAKE_FAILED_PROTOCOL (libzmq's numbers). */
enum {
    ZC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND = 0x10000001,
    ZC_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH = 0x11000002
};

/*  Starts (addr non-NULL) or stops (addr NULL: MONITOR_STOPPED is sent
    first) monitoring s.  Socket's thread.  0, or -1 with errno (EINVAL for
    a non-inproc address, EADDRINUSE, ...). */
int zc_socket_monitor(struct zc_socket *s, const char *addr, int events);

/*  Emits an event if it is monitored.  Any thread. */
void zc_monitor_event(struct zc_socket *s, int event, uint64_t value, const char *endpoint);

#endif
