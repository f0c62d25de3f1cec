/*  ZMTP 3.x greeting.  See greeting.h for the layout. */
#include "zmqcore/greeting.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

void zc_greeting_build_ex(unsigned char out[64], const char *mechanism,
                          int as_server, int minor, size_t identity_len)
{
    uint64_t pad = (uint64_t) identity_len + 1;
    memset(out, 0, ZC_GREETING_SIZE);
    out[0] = 0xff;
    for (int i = 8; i >= 1; i--) {
        out[i] = (unsigned char) (pad & 0xff);
        pad >>= 8;
    }
    out[9] = 0x7f;
    out[10] = ZC_ZMTP_MAJOR;
    out[11] = (unsigned char) minor;
    if (mechanism) {
        size_t n = strlen(mechanism);
        if (n > ZC_GREETING_MECHANISM_SIZE)
            n = ZC_GREETING_MECHANISM_SIZE;
        memcpy(out + ZC_GREETING_MECHANISM_OFFSET, mechanism, n);
    }
    out[ZC_GREETING_AS_SERVER_OFFSET] = as_server ? 1 : 0;
}

void zc_greeting_build(unsigned char out[64], const char *mechanism, int as_server)
{
    zc_greeting_build_ex(out, mechanism, as_server, ZC_ZMTP_MINOR, 0);
}

static int proto_error(void)
{
    errno = EPROTO;
    return -1;
}

int zc_greeting_parse(const unsigned char *buf, size_t len, zc_greeting_t *out)
{
    out->major = -1;
    out->minor = -1;
    memset(out->mechanism, 0, sizeof out->mechanism);
    out->as_server = 0;

    if (len < 1)
        return 0;
    if (buf[0] != 0xff)
        return proto_error();
    /*  Bytes 1..8 are padding: no significance (RFC 23). */
    if (len < 10)
        return 0;
    if (!(buf[9] & 0x01))
        return proto_error();       /*  ZMTP/1.0 */
    if (len < 11)
        return 0;
    out->major = buf[10];
    if (buf[10] < ZC_ZMTP_MAJOR)
        return proto_error();       /*  ZMTP/1.0 or 2.0 */
    if (len < 12)
        return 0;
    out->minor = buf[11];

    /*  Mechanism: printable ASCII, then NULs only; checked byte by byte so
        garbage is refused as soon as it is seen. */
    size_t mech_end = ZC_GREETING_MECHANISM_OFFSET + ZC_GREETING_MECHANISM_SIZE;
    size_t avail = len < mech_end ? len : mech_end;
    int in_padding = 0;
    size_t name_len = 0;
    for (size_t i = ZC_GREETING_MECHANISM_OFFSET; i < avail; i++) {
        unsigned char c = buf[i];
        if (c == 0) {
            if (i == ZC_GREETING_MECHANISM_OFFSET)
                return proto_error();   /*  empty name */
            in_padding = 1;
        } else if (in_padding || c < 0x21 || c > 0x7e) {
            return proto_error();
        } else {
            out->mechanism[name_len++] = (char) c;
        }
    }
    if (len <= ZC_GREETING_AS_SERVER_OFFSET)
        return 0;
    out->as_server = buf[ZC_GREETING_AS_SERVER_OFFSET] != 0;
    /*  Filler (33..63) is ignored. */
    if (len < ZC_GREETING_SIZE)
        return 0;
    return 1;
}
