# Tests of the ZMTP codec (decoder, encoder, greeting, commands/metadata),
# included from _testing.pyx for tests/core/test_codec.py and
# tests/fuzz/test_fuzz_codec.py.
#
# The byte-pushing loops (feeding a decoder in chunks, draining an encoder
# with partial writes) run in C without the GIL; results come back as plain
# Python values.  Errors of the C functions come back as OSError(errno).
#
# Names: private helpers start with _cd; public ones are decode_*,
# encode_*, Codec*, greeting_*, command_*, metadata_*, property_*, ping_*,
# pong_*, error_*, subscribe_*, socket_type*.

from libc.errno cimport errno
from libc.stdint cimport int64_t, uint16_t, uint64_t
from libc.stdlib cimport malloc as _cd_malloc, free as _cd_free, realloc as _cd_realloc
from libc.string cimport memcpy as _cd_memcpy, memset as _cd_memset
from posix.uio cimport iovec as _cd_iovec

from zmqcore.backend cimport core as _cc
from zmqcore.backend.core cimport zc_msg_t


cdef object _cd_oserror(int err):
    import os
    return OSError(err, os.strerror(err))


cdef inline uint64_t _cd_rand(uint64_t *s) noexcept nogil:
    # xorshift64*: deterministic per seed, good enough for chunk sizes.
    cdef uint64_t x = s[0]
    x ^= x >> 12
    x ^= x << 25
    x ^= x >> 27
    s[0] = x
    return x * <uint64_t> 0x2545F4914F6CDD1DULL


cdef struct _CdFrames:
    zc_msg_t *msgs
    size_t n
    size_t cap


cdef int _cd_frames_push(_CdFrames *f, zc_msg_t *m) noexcept nogil:
    cdef size_t ncap
    cdef zc_msg_t *nm
    if f.n == f.cap:
        ncap = f.cap * 2 if f.cap else 16
        nm = <zc_msg_t *> _cd_realloc(f.msgs, ncap * sizeof(zc_msg_t))
        if nm == NULL:
            return -1
        f.msgs = nm
        f.cap = ncap
    f.msgs[f.n] = m[0]
    f.n += 1
    return 0


cdef list _cd_frames_take(_CdFrames *f):
    """Converts the frames to [(flags, bytes)] and frees them."""
    cdef list out = []
    cdef size_t i
    for i in range(f.n):
        out.append((f.msgs[i].flags,
                    (<char *> _cc.zc_msg_data(&f.msgs[i]))[:_cc.zc_msg_size(&f.msgs[i])]))
        _cc.zc_msg_close(&f.msgs[i])
    _cd_free(f.msgs)
    f.msgs = NULL
    f.n = f.cap = 0
    return out


cdef inline size_t _cd_next_chunk(int64_t chunk, size_t bufsize, uint64_t *rng) noexcept nogil:
    if chunk > 0:
        return <size_t> chunk
    if chunk == 0:
        return 1 + <size_t> (_cd_rand(rng) % (2 * bufsize + 1))
    return 1 + <size_t> (_cd_rand(rng) % <uint64_t> (-chunk))


def decode_stream(data, int64_t chunk=0, size_t bufsize=_cc.ZC_IN_BATCH_SIZE,
                  int64_t maxmsgsize=-1, bint engine=False, uint64_t seed=1):
    """Decodes `data` with a fresh decoder.

    chunk > 0 feeds that many bytes per call, 0 random sizes up to
    2*bufsize+1, < 0 random sizes up to -chunk.  engine=False feeds slices of
    `data` itself (the decoder must copy); engine=True copies each chunk into
    the region zc_decoder_get_buffer hands out first, as a read() would (no
    more than that region's size), which exercises the zero-copy path.

    Returns a dict: frames [(flags, body)], errno (0 if none), consumed
    (bytes used before the end or the error), idle (no partial frame left),
    zero_copy_bytes, body_reads (reads that went straight into a body),
    msg_live (a partial body still held after the error/end).
    """
    cdef const unsigned char[::1] view = data if len(data) else b"\0"
    cdef const unsigned char *src = &view[0]
    cdef size_t total = len(data)
    cdef _cc.zc_decoder_t d
    cdef _CdFrames frames
    cdef size_t pos = 0, consumed = 0, n, left, used, cap
    cdef unsigned char *buf
    cdef const unsigned char *p
    cdef int rc = 0, err = 0, oom = 0
    cdef uint64_t rng = seed if seed else 1
    cdef uint64_t body_reads = 0
    frames.msgs = NULL
    frames.n = frames.cap = 0
    if _cc.zc_decoder_init(&d, bufsize, maxmsgsize) < 0:
        raise _cd_oserror(errno)
    with nogil:
        while pos < total and not err and not oom:
            n = _cd_next_chunk(chunk, bufsize, &rng)
            if n > total - pos:
                n = total - pos
            if engine:
                _cc.zc_decoder_get_buffer(&d, &buf, &cap)
                if buf != d.buf:
                    body_reads += 1
                if n > cap:
                    n = cap
                _cd_memcpy(buf, src + pos, n)
                p = buf
            else:
                p = src + pos
            pos += n
            left = n
            while True:
                rc = _cc.zc_decoder_decode(&d, p, left, &used)
                if rc < 0:
                    err = errno
                    break
                if used > left:     # contract breach: report it loudly
                    err = -1
                    break
                p += used
                left -= used
                consumed += used
                if rc == 0:
                    if left != 0:
                        err = -2    # 0 must mean "all consumed"
                    break
                if _cd_frames_push(&frames, _cc.zc_decoder_msg(&d)) < 0:
                    _cc.zc_msg_close(_cc.zc_decoder_msg(&d))
                    oom = 1
                    break
    result = {
        "idle": bool(_cc.zc_decoder_idle(&d)),
        "msg_live": bool(d.msg_live),
        "zero_copy_bytes": d.zero_copy_bytes,
        "decoded": d.frames,
    }
    _cc.zc_decoder_fini(&d)
    result["frames"] = _cd_frames_take(&frames)
    if oom:
        raise MemoryError()
    result["errno"] = err
    result["consumed"] = consumed
    result["body_reads"] = body_reads
    return result


cdef class CodecDecoder:
    """One decoder, driven step by step from Python."""
    cdef _cc.zc_decoder_t d

    def __cinit__(self, size_t bufsize=_cc.ZC_IN_BATCH_SIZE, int64_t maxmsgsize=-1):
        if _cc.zc_decoder_init(&self.d, bufsize, maxmsgsize) < 0:
            raise _cd_oserror(errno)

    def __dealloc__(self):
        _cc.zc_decoder_fini(&self.d)

    def feed(self, data):
        """Feeds bytes (from outside the decoder); returns the frames
        completed, or raises OSError.  All bytes must be consumed."""
        cdef const unsigned char[::1] view = data if len(data) else b"\0"
        cdef const unsigned char *p = &view[0]
        cdef size_t left = len(data), used
        cdef int rc
        cdef zc_msg_t m
        out = []
        while True:
            rc = _cc.zc_decoder_decode(&self.d, p, left, &used)
            if rc < 0:
                raise _cd_oserror(errno)
            assert used <= left
            p += used
            left -= used
            if rc == 0:
                assert left == 0
                return out
            m = _cc.zc_decoder_msg(&self.d)[0]
            _cc.zc_decoder_msg_taken(&self.d)
            out.append((m.flags, (<char *> _cc.zc_msg_data(&m))[:m.size]))
            _cc.zc_msg_close(&m)

    def read(self, data):
        """Like a read(): copies data (at most the size get_buffer gives)
        into get_buffer's region and decodes it there.  Returns (frames,
        bytes_taken, went_into_body)."""
        cdef unsigned char *buf
        cdef size_t cap, n
        cdef const unsigned char[::1] view = data if len(data) else b"\0"
        _cc.zc_decoder_get_buffer(&self.d, &buf, &cap)
        n = min(<size_t> len(data), cap)
        _cd_memcpy(buf, &view[0], n)
        into_body = buf != self.d.buf
        return self._feed_in_place(buf, n), n, into_body

    cdef list _feed_in_place(self, unsigned char *buf, size_t n):
        cdef size_t used
        cdef int rc
        cdef zc_msg_t m
        out = []
        while True:
            rc = _cc.zc_decoder_decode(&self.d, buf, n, &used)
            if rc < 0:
                raise _cd_oserror(errno)
            buf += used
            n -= used
            if rc == 0:
                return out
            m = _cc.zc_decoder_msg(&self.d)[0]
            out.append((m.flags, (<char *> _cc.zc_msg_data(&m))[:m.size]))
            _cc.zc_msg_close(&m)

    def buffer_size(self):
        """(size get_buffer offers, 1 if it is a body rather than the batch)."""
        cdef unsigned char *buf
        cdef size_t cap
        _cc.zc_decoder_get_buffer(&self.d, &buf, &cap)
        return cap, buf != self.d.buf

    @property
    def idle(self):
        return bool(_cc.zc_decoder_idle(&self.d))

    @property
    def msg_live(self):
        return bool(self.d.msg_live)

    @property
    def zero_copy_bytes(self):
        return self.d.zero_copy_bytes


# ---- encoder -----------------------------------------------------------------

cdef struct _CdTrack:
    uint64_t frees          # external bodies released
    uint64_t live           # external bodies not yet released


cdef void _cd_ext_free(void *data, void *hint) noexcept nogil:
    # Poison before freeing: if the encoder still used this body after
    # closing it, the output would show 0xDD bytes (and ASan would report).
    cdef _CdTrack *t = <_CdTrack *> hint
    cdef size_t *block = (<size_t *> data) - 1
    _cd_memset(data, 0xDD, block[0])
    _cd_free(block)
    t.frees += 1
    t.live -= 1


cdef int _cd_make_msg(zc_msg_t *m, int flags, const unsigned char *body,
                      size_t size, bint external, _CdTrack *t) noexcept nogil:
    cdef size_t *block
    if external:
        block = <size_t *> _cd_malloc(sizeof(size_t) + (size if size else 1))
        if block == NULL:
            return -1
        block[0] = size
        if size:
            _cd_memcpy(<void *> (block + 1), body, size)
        if _cc.zc_msg_init_external(m, <void *> (block + 1), size, _cd_ext_free, t) < 0:
            _cd_free(block)
            return -1
        t.live += 1
    else:
        if _cc.zc_msg_init_size(m, size) < 0:
            return -1
        if size:
            _cd_memcpy(_cc.zc_msg_data(m), body, size)
    m.flags = <unsigned char> flags
    return 0


cdef struct _CdOut:
    unsigned char *data
    size_t n
    size_t cap
    uint64_t iov_calls
    uint64_t writes
    uint64_t by_ref_bytes   # bytes written from iovecs outside the batch
    int max_iovs


cdef int _cd_out_put(_CdOut *o, const void *src, size_t n) noexcept nogil:
    cdef size_t ncap
    cdef unsigned char *nd
    if o.n + n > o.cap:
        ncap = o.cap * 2 if o.cap else 65536
        while ncap < o.n + n:
            ncap *= 2
        nd = <unsigned char *> _cd_realloc(o.data, ncap)
        if nd == NULL:
            return -1
        o.data = nd
        o.cap = ncap
    _cd_memcpy(o.data + o.n, src, n)
    o.n += n
    return 0


cdef int _cd_drain_step(_cc.zc_encoder_t *e, _CdOut *o, uint64_t *rng,
                        size_t max_write) noexcept nogil:
    """One writev() that writes a random prefix of what is pending."""
    cdef _cc.iovec iov[2]
    cdef int k, i
    cdef size_t total = 0, n, take, left
    cdef unsigned char *base
    k = _cc.zc_encoder_iov(e, iov, 2)
    o.iov_calls += 1
    if k > o.max_iovs:
        o.max_iovs = k
    for i in range(k):
        total += iov[i].iov_len
    if total == 0:
        return 0
    if max_write == 0:
        n = 1 + <size_t> (_cd_rand(rng) % total)
    else:
        n = max_write if max_write < total else total
    left = n
    for i in range(k):
        if left == 0:
            break
        take = iov[i].iov_len if iov[i].iov_len < left else left
        base = <unsigned char *> iov[i].iov_base
        if base < e.batch or base >= e.batch + e.cap:
            o.by_ref_bytes += take
        if _cd_out_put(o, base, take) < 0:
            return -1
        left -= take
    _cc.zc_encoder_advance(e, n)
    o.writes += 1
    return 0


def encode_frames(frames, size_t batch=_cc.ZC_OUT_BATCH_SIZE, int64_t copy_max=-1,
                  bint external=False, uint64_t seed=1, size_t max_write=0):
    """Encodes [(flags, body)] (flags: ZC_MSG_MORE=1 | ZC_MSG_COMMAND=2)
    with one encoder, draining it the way an engine would: add while
    has_room, else one write of a random prefix of the iovecs (max_write=0)
    or of at most max_write bytes.  external=True makes every body an
    EXTERNAL message whose release is tracked (and poisons the body).

    Returns a dict: data (the wire bytes), writes, iov_calls, max_iovs,
    by_ref_bytes, frees (external bodies released), live (not released).
    """
    cdef _cc.zc_encoder_t e
    cdef _CdTrack track
    cdef _CdOut out
    cdef zc_msg_t m
    cdef uint64_t rng = seed if seed else 1
    cdef const unsigned char[::1] view
    cdef int rc = 0, cflags
    cdef size_t blen
    track.frees = track.live = 0
    _cd_memset(&out, 0, sizeof(out))
    if _cc.zc_encoder_init(&e, batch) < 0:
        raise _cd_oserror(errno)
    if copy_max >= 0:
        _cc.zc_encoder_set_copy_max(&e, <size_t> copy_max)
    try:
        for flags, body in frames:
            view = body if len(body) else b"\0"
            cflags = flags
            blen = len(body)
            with nogil:
                while not _cc.zc_encoder_has_room(&e):
                    rc = _cd_drain_step(&e, &out, &rng, max_write)
                    if rc < 0:
                        break
                if rc == 0:
                    rc = _cd_make_msg(&m, cflags, &view[0], blen, external, &track)
                if rc == 0:
                    _cc.zc_encoder_add(&e, &m)
            if rc < 0:
                raise MemoryError()
        with nogil:
            while not _cc.zc_encoder_empty(&e):
                rc = _cd_drain_step(&e, &out, &rng, max_write)
                if rc < 0:
                    break
        if rc < 0:
            raise MemoryError()
        result = {
            "data": (<char *> out.data)[:out.n] if out.n else b"",
            "writes": out.writes,
            "iov_calls": out.iov_calls,
            "max_iovs": out.max_iovs,
            "by_ref_bytes": out.by_ref_bytes,
        }
    finally:
        _cc.zc_encoder_fini(&e)
        _cd_free(out.data)
    result["frees"] = track.frees
    result["live"] = track.live
    return result


cdef class CodecEncoder:
    """One encoder, driven step by step from Python.  External bodies are
    tracked: `frees` counts releases, `live` those still held."""
    cdef _cc.zc_encoder_t e
    cdef _CdTrack track

    def __cinit__(self, size_t batch=_cc.ZC_OUT_BATCH_SIZE, int64_t copy_max=-1):
        self.track.frees = self.track.live = 0
        if _cc.zc_encoder_init(&self.e, batch) < 0:
            raise _cd_oserror(errno)
        if copy_max >= 0:
            _cc.zc_encoder_set_copy_max(&self.e, <size_t> copy_max)

    def __dealloc__(self):
        _cc.zc_encoder_fini(&self.e)

    def close(self):
        """fini now (closes held messages) and re-init empty."""
        _cc.zc_encoder_fini(&self.e)
        if _cc.zc_encoder_init(&self.e, _cc.ZC_ENCODER_HEADER_MAX) < 0:
            raise _cd_oserror(errno)

    def add(self, int flags, body, bint external=False):
        cdef zc_msg_t m
        cdef const unsigned char[::1] view = body if len(body) else b"\0"
        if _cd_make_msg(&m, flags, &view[0], len(body), external, &self.track) < 0:
            raise MemoryError()
        _cc.zc_encoder_add(&self.e, &m)

    def add_raw(self, data):
        cdef const unsigned char[::1] view = data if len(data) else b"\0"
        if _cc.zc_encoder_add_raw(&self.e, &view[0], len(data)) < 0:
            raise _cd_oserror(errno)

    def has_room(self):
        return bool(_cc.zc_encoder_has_room(&self.e))

    def iov(self, int max=2):
        """[(bytes, in_batch)] as zc_encoder_iov describes them."""
        cdef _cc.iovec iov[2]
        cdef int k, i
        cdef unsigned char *base
        if max > 2:
            max = 2
        k = _cc.zc_encoder_iov(&self.e, iov, max)
        out = []
        for i in range(k):
            base = <unsigned char *> iov[i].iov_base
            out.append(((<char *> base)[:iov[i].iov_len],
                        self.e.batch <= base < self.e.batch + self.e.cap))
        return out

    def advance(self, size_t n):
        _cc.zc_encoder_advance(&self.e, n)

    def empty(self):
        return bool(_cc.zc_encoder_empty(&self.e))

    def pending(self):
        return _cc.zc_encoder_pending(&self.e)

    @property
    def frees(self):
        return self.track.frees

    @property
    def live(self):
        return self.track.live


def codec_constants():
    return {
        "ZC_IN_BATCH_SIZE": _cc.ZC_IN_BATCH_SIZE,
        "ZC_OUT_BATCH_SIZE": _cc.ZC_OUT_BATCH_SIZE,
        "ZC_ENCODER_COPY_MAX": _cc.ZC_ENCODER_COPY_MAX,
        "ZC_MSG_MORE": _cc.ZC_MSG_MORE,
        "ZC_MSG_COMMAND": _cc.ZC_MSG_COMMAND,
        "ZC_MSG_MAX_INLINE": _cc.ZC_MSG_MAX_INLINE,
        "ZC_GREETING_SIZE": _cc.ZC_GREETING_SIZE,
        "ZC_PING_MAX_CONTEXT": _cc.ZC_PING_MAX_CONTEXT,
    }


# ---- greeting ------------------------------------------------------------------

def greeting_build(bytes mechanism=b"NULL", bint as_server=False, minor=None,
                   size_t identity_len=0):
    cdef unsigned char out[64]
    if minor is None and identity_len == 0:
        _cc.zc_greeting_build(out, mechanism, as_server)
    else:
        _cc.zc_greeting_build_ex(out, mechanism, as_server,
                                 _cc.ZC_ZMTP_MINOR if minor is None else minor,
                                 identity_len)
    return (<char *> out)[:64]


def greeting_parse(data):
    """(rc, errno, {major, minor, mechanism, as_server})."""
    cdef _cc.zc_greeting_t g
    cdef const unsigned char[::1] view = data if len(data) else b"\0"
    cdef int rc = _cc.zc_greeting_parse(&view[0], len(data), &g)
    err = errno if rc < 0 else 0
    return rc, err, {"major": g.major, "minor": g.minor,
                     "mechanism": <bytes> g.mechanism, "as_server": g.as_server}


# ---- commands and metadata -------------------------------------------------------

def command_build(bytes name, body=b"", cap=None):
    """zc_command_build.  With cap: (needed, bytes written into a buffer of
    cap bytes) to check the snprintf contract; else the body."""
    cdef const unsigned char[::1] view = body if len(body) else b"\0"
    cdef size_t need = _cc.zc_command_build(NULL, 0, name, &view[0], len(body))
    cdef size_t c
    cdef unsigned char *out
    if cap is not None:
        c = cap
        out = <unsigned char *> _cd_malloc(c + 1)
        _cd_memset(out, 0xEE, c + 1)
        n = _cc.zc_command_build(out, c, name, &view[0], len(body))
        guard_ok = out[c] == 0xEE       # never writes past cap
        res = (n, (<char *> out)[:min(n, c)], guard_ok)
        _cd_free(out)
        return res
    if need == 0:
        raise _cd_oserror(22)
    out = <unsigned char *> _cd_malloc(need)
    n = _cc.zc_command_build(out, need, name, &view[0], len(body))
    res = (<char *> out)[:n]
    _cd_free(out)
    return res


def command_msg(bytes name, body=b""):
    """zc_command_msg -> (flags, body)."""
    cdef zc_msg_t m
    cdef const unsigned char[::1] view = body if len(body) else b"\0"
    if _cc.zc_command_msg(&m, name, &view[0], len(body)) < 0:
        raise _cd_oserror(errno)
    res = (m.flags, (<char *> _cc.zc_msg_data(&m))[:m.size])
    _cc.zc_msg_close(&m)
    return res


def command_name(body):
    """(name, data) or OSError(EPROTO)."""
    cdef const unsigned char[::1] view = body if len(body) else b"\0"
    cdef const unsigned char *name
    cdef const unsigned char *data
    cdef size_t nl, dl
    if _cc.zc_command_name(&view[0], len(body), &name, &nl, &data, &dl) < 0:
        raise _cd_oserror(errno)
    return (<const char *> name)[:nl], (<const char *> data)[:dl]


def command_is(bytes name, bytes expected):
    return bool(_cc.zc_command_is(name, len(name), expected))


def property_build(bytes name, value=b""):
    cdef const unsigned char[::1] view = value if len(value) else b"\0"
    cdef size_t need = _cc.zc_property_build(NULL, 0, name, &view[0], len(value))
    if need == 0:
        raise _cd_oserror(22)
    cdef unsigned char *out = <unsigned char *> _cd_malloc(need)
    _cc.zc_property_build(out, need, name, &view[0], len(value))
    res = (<char *> out)[:need]
    _cd_free(out)
    return res


def metadata_build(bytes socket_type, identity=None, cap=None):
    """zc_metadata_build; identity None = no Identity property."""
    ident = identity if identity is not None else b""
    cdef const unsigned char[::1] view = ident if len(ident) else b"\0"
    cdef int with_id = identity is not None
    cdef int need = _cc.zc_metadata_build(NULL, 0, socket_type, &view[0], len(ident), with_id)
    cdef size_t c
    cdef unsigned char *out
    if need < 0:
        raise _cd_oserror(errno)
    c = need if cap is None else cap
    out = <unsigned char *> _cd_malloc(c + 1)
    _cd_memset(out, 0xEE, c + 1)
    n = _cc.zc_metadata_build(out, c, socket_type, &view[0], len(ident), with_id)
    guard_ok = out[c] == 0xEE
    res = (<char *> out)[:min(<size_t> n, c)]
    _cd_free(out)
    if cap is None:
        return res
    return n, res, guard_ok


def metadata_parse(data):
    """dict(socket_type, identity, has_identity, properties) or OSError."""
    cdef const unsigned char[::1] view = data if len(data) else b"\0"
    cdef _cc.zc_metadata_t md
    if _cc.zc_metadata_parse(&view[0], len(data), &md) < 0:
        raise _cd_oserror(errno)
    return {
        "socket_type": None if md.socket_type == NULL
                       else (<const char *> md.socket_type)[:md.socket_type_len],
        "identity": None if not md.has_identity
                    else (b"" if md.identity == NULL
                          else (<const char *> md.identity)[:md.identity_len]),
        "has_identity": bool(md.has_identity),
        "properties": md.properties,
    }


def metadata_items(data):
    """[(name, value)] via zc_metadata_next, or OSError."""
    cdef const unsigned char[::1] view = data if len(data) else b"\0"
    cdef const unsigned char *name
    cdef const unsigned char *value
    cdef size_t nl, vl, pos = 0
    cdef int rc
    out = []
    while True:
        rc = _cc.zc_metadata_next(&view[0], len(data), &pos, &name, &nl, &value, &vl)
        if rc < 0:
            raise _cd_oserror(errno)
        if rc == 0:
            return out
        out.append(((<const char *> name)[:nl], (<const char *> value)[:vl]))


def property_name_is(bytes name, bytes expected):
    return bool(_cc.zc_property_name_is(name, len(name), expected))


def socket_type_from_name(bytes name):
    return _cc.zc_socket_type_from_name(name, len(name))


def socket_type_name(int t):
    cdef const char *n = _cc.zc_socket_type_name(t)
    return None if n == NULL else (<bytes> n).decode()


def socket_types_compatible(int ours, int theirs):
    return bool(_cc.zc_socket_types_compatible(ours, theirs))


def ping_build(uint16_t ttl_ds, context=b""):
    cdef const unsigned char[::1] view = context if len(context) else b"\0"
    cdef size_t need = _cc.zc_ping_build(NULL, 0, ttl_ds, &view[0], len(context))
    cdef unsigned char *out = <unsigned char *> _cd_malloc(need)
    _cc.zc_ping_build(out, need, ttl_ds, &view[0], len(context))
    res = (<char *> out)[:need]
    _cd_free(out)
    return res


def ping_parse(data):
    """PING data (after the name) -> (ttl_ds, context), or OSError."""
    cdef const unsigned char[::1] view = data if len(data) else b"\0"
    cdef uint16_t ttl
    cdef const unsigned char *ctx
    cdef size_t cl
    if _cc.zc_ping_parse(&view[0], len(data), &ttl, &ctx, &cl) < 0:
        raise _cd_oserror(errno)
    return ttl, (<const char *> ctx)[:cl]


def pong_build(context=b""):
    cdef const unsigned char[::1] view = context if len(context) else b"\0"
    cdef size_t need = _cc.zc_pong_build(NULL, 0, &view[0], len(context))
    cdef unsigned char *out = <unsigned char *> _cd_malloc(need)
    _cc.zc_pong_build(out, need, &view[0], len(context))
    res = (<char *> out)[:need]
    _cd_free(out)
    return res


def error_build(bytes reason):
    cdef size_t need = _cc.zc_error_build(NULL, 0, reason)
    cdef unsigned char *out = <unsigned char *> _cd_malloc(need)
    _cc.zc_error_build(out, need, reason)
    res = (<char *> out)[:need]
    _cd_free(out)
    return res


def error_parse(data):
    """ERROR data (after the name) -> reason, or OSError."""
    cdef const unsigned char[::1] view = data if len(data) else b"\0"
    cdef const unsigned char *r
    cdef size_t rl
    if _cc.zc_error_parse(&view[0], len(data), &r, &rl) < 0:
        raise _cd_oserror(errno)
    return (<const char *> r)[:rl]


def subscribe_build(bint subscribe, topic=b""):
    cdef const unsigned char[::1] view = topic if len(topic) else b"\0"
    cdef size_t need = _cc.zc_subscribe_build(NULL, 0, subscribe, &view[0], len(topic))
    cdef unsigned char *out = <unsigned char *> _cd_malloc(need)
    _cc.zc_subscribe_build(out, need, subscribe, &view[0], len(topic))
    res = (<char *> out)[:need]
    _cd_free(out)
    return res
