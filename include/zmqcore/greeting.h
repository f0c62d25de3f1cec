/*  The 64-byte ZMTP 3.x greeting (ZMTP-NOTES §2).

      0     FF                  signature start
      1..8  padding             libzmq: identity_len + 1 as a big-endian
                                uint64 (for ZMTP/1.0 peers); 1 when the
                                socket has no routing id
      9     7F                  signature end (low bit 1: not ZMTP/1.0)
      10    major (03)
      11    minor (01 = 3.1, 00 = 3.0)
      12..31 mechanism          ASCII, NUL-padded ("NULL", "PLAIN", "CURVE")
      32    as-server           00/01; libzmq always sends 00: never derive
                                the local role from the peer's byte
      33..63 filler             zeros

    For libzmq's staged send (§2.1) send bytes [0, 10) first, then byte 10
    once the peer's signature is known to be versioned, then [11, 64).
    Pure functions, any thread. */
#ifndef ZMQCORE_GREETING_H
#define ZMQCORE_GREETING_H

#include <stddef.h>

enum {
    ZC_GREETING_SIZE = 64,
    ZC_GREETING_SIGNATURE_SIZE = 10,   /*  FF + padding + 7F */
    ZC_GREETING_MAJOR_OFFSET = 10,
    ZC_GREETING_MECHANISM_OFFSET = 12,
    ZC_GREETING_MECHANISM_SIZE = 20,
    ZC_GREETING_AS_SERVER_OFFSET = 32,
    ZC_ZMTP_MAJOR = 3,
    ZC_ZMTP_MINOR = 1                  /*  zmqcore announces ZMTP 3.1 */
};

/*  A ZMTP 3.1 greeting with padding 1 (no routing id), as libzmq sends.
    mechanism: at most 20 characters (longer ones are cut). */
void zc_greeting_build(unsigned char out[64], const char *mechanism, int as_server);

/*  The same with every variable field chosen: minor version (0: 3.0) and
    the padding value libzmq derives from the routing id length. */
void zc_greeting_build_ex(unsigned char out[64], const char *mechanism,
                          int as_server, int minor, size_t identity_len);

typedef struct {
    int major;              /*  -1 until byte 10 has been seen */
    int minor;              /*  -1 until byte 11 has been seen */
    char mechanism[21];     /*  NUL-terminated */
    int as_server;          /*  the peer's byte (0/1; other values → 1) */
} zc_greeting_t;

/*  Parses the peer's greeting incrementally from the len bytes received so
    far (call again with more).
      1   len ≥ 64 and bytes [0, 64) are a valid 3.x greeting; *out is full.
      0   no decision yet: more bytes are needed.
     -1   errno EPROTO, decided as early as the bytes allow: byte 0 is not
          FF; byte 9 has its low bit clear (ZMTP/1.0); the major version
          (byte 10) is below 3 (ZMTP/1.0 or 2.0: out->major then holds it,
          so the engine can report a version problem); the mechanism is not
          1..20 printable ASCII characters followed only by NULs.
    out is filled as far as the bytes go.  Versions above 3.x are accepted
    (RFC 37: accept any version ≥ our own).  Comparing the mechanism with
    the local one is the caller's job. */
int zc_greeting_parse(const unsigned char *buf, size_t len, zc_greeting_t *out);

#endif
