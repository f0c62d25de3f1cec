"""The ZMTP codec of the native core: frame decoder and encoder, greeting,
commands and metadata, through zmqcore._testing (testing/codec.pxi).

Golden bytes come from ZMTP-NOTES (captured from libzmq 4.3.5).  The
decoder/encoder loops run in C; these tests check what comes out.
"""

import errno
import os
import random
import struct

import pytest

t = pytest.importorskip("zmqcore._testing")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

pytestmark = pytest.mark.timeout(60)

C = t.codec_constants()
MORE = C["ZC_MSG_MORE"]
CMD = C["ZC_MSG_COMMAND"]
BATCH = C["ZC_IN_BATCH_SIZE"]
MiB = 1 << 20


def frame(flags_byte, body, long=None):
    """Wire bytes of one frame with an explicit flag byte."""
    if long is None:
        long = len(body) > 255
    if long:
        return bytes([flags_byte | 2]) + struct.pack(">Q", len(body)) + body
    return bytes([flags_byte, len(body)]) + body


def wire_flags(flags, size):
    """The flag byte the encoder must write for zc_msg flags and a size."""
    b = 0
    if flags & CMD:
        b |= 4
    elif flags & MORE:
        b |= 1
    if size > 255:
        b |= 2
    return b


def encode_ref(frames):
    """Reference encoder in Python (short header iff body <= 255)."""
    out = bytearray()
    for flags, body in frames:
        b = wire_flags(flags, len(body))
        if len(body) > 255:
            out += bytes([b]) + struct.pack(">Q", len(body))
        else:
            out += bytes([b, len(body)])
        out += body
    return bytes(out)


def decode_ok(data, **kw):
    r = t.decode_stream(data, **kw)
    assert r["errno"] == 0, os.strerror(r["errno"]) if r["errno"] > 0 else r["errno"]
    assert r["consumed"] == len(data)
    return r


# --- golden bytes (ZMTP-NOTES, libzmq 4.3.5 captures) --------------------------

READY_PULL = bytes.fromhex("041a05") + b"READY" + b"\x0bSocket-Type" + bytes.fromhex("00000004") + b"PULL"
READY_SUB = bytes.fromhex("041905") + b"READY" + b"\x0bSocket-Type" + bytes.fromhex("00000003") + b"SUB"
READY_DEALER_ID1 = (bytes.fromhex("042c05") + b"READY" + b"\x0bSocket-Type" + bytes.fromhex("00000006")
                    + b"DEALER" + b"\x08Identity" + bytes.fromhex("00000003") + b"id1")


@pytest.mark.parametrize("golden,socket_type,identity", [
    (READY_PULL, b"PULL", None),
    (READY_SUB, b"SUB", None),
    (READY_DEALER_ID1, b"DEALER", b"id1"),
])
def test_ready_golden_bytes_build_encode_decode_parse(golden, socket_type, identity):
    body = t.command_build(b"READY", t.metadata_build(socket_type, identity))
    out = t.encode_frames([(CMD, body)])
    assert out["data"] == golden
    r = decode_ok(golden, chunk=1)
    assert r["frames"] == [(CMD, golden[2:])]
    name, data = t.command_name(r["frames"][0][1])
    assert name == b"READY"
    md = t.metadata_parse(data)
    assert md["socket_type"] == socket_type
    assert md["has_identity"] == (identity is not None)
    assert md["identity"] == identity
    assert t.socket_type_from_name(md["socket_type"]) >= 0
    # The message-building helper makes the same frame.
    assert t.command_msg(b"READY", t.metadata_build(socket_type, identity)) == (CMD, golden[2:])


def test_ping_pong_golden_bytes():
    # libzmq's PING with HEARTBEAT_TTL 2000 ms and no context.
    ping = t.encode_frames([(CMD, t.ping_build(20))])["data"]
    assert ping == bytes.fromhex("0407") + b"\x04PING" + bytes.fromhex("0014")
    # PONG echoes the PING's context.
    wire = bytes.fromhex("040a") + b"\x04PING" + bytes.fromhex("000a") + b"ctx"
    (flags, body), = decode_ok(wire)["frames"]
    assert flags == CMD
    name, data = t.command_name(body)
    assert name == b"PING"
    ttl, ctx = t.ping_parse(data)
    assert (ttl, ctx) == (10, b"ctx")
    pong = t.encode_frames([(CMD, t.pong_build(ctx))])["data"]
    assert pong == bytes.fromhex("0408") + b"\x04PONG" + b"ctx"


def test_subscribe_cancel_golden_bytes():
    sub = t.encode_frames([(CMD, t.subscribe_build(True, b"AB"))])["data"]
    assert sub == bytes.fromhex("040c") + b"\x09SUBSCRIBE" + b"AB"
    cancel = t.encode_frames([(CMD, t.subscribe_build(False, b"AB"))])["data"]
    assert cancel == bytes.fromhex("0409") + b"\x06CANCEL" + b"AB"
    assert t.command_name(sub[2:]) == (b"SUBSCRIBE", b"AB")
    assert t.command_name(t.subscribe_build(True))[1] == b""


@pytest.mark.parametrize("flags,size,byte", [
    (0, 3, 0x00), (MORE, 3, 0x01), (0, 300, 0x02), (MORE, 300, 0x03),
    (CMD, 3, 0x04), (CMD, 300, 0x06),
])
def test_flag_byte_values(flags, size, byte):
    body = bytes(range(256)) * 2
    body = body[:size]
    data = t.encode_frames([(flags, body)])["data"]
    assert data[0] == byte
    assert data == frame(byte & ~2, body)
    assert decode_ok(data)["frames"] == [(flags, body)]


def test_short_long_header_boundary():
    assert t.encode_frames([(0, b"x" * 255)])["data"][:2] == b"\x00\xff"
    d = t.encode_frames([(0, b"x" * 256)])["data"]
    assert d[:9] == b"\x02" + struct.pack(">Q", 256)
    assert len(d) == 9 + 256


def test_greeting_golden_bytes():
    g = t.greeting_build(b"NULL", False)
    assert len(g) == 64
    assert g[:12] == bytes.fromhex("ff00000000000000017f0301")
    assert g[12:32] == b"NULL" + b"\0" * 16
    assert g[32] == 0
    assert g[33:] == b"\0" * 31
    assert t.greeting_build(b"CURVE", True)[32] == 1
    assert t.greeting_build(b"PLAIN", False)[12:32] == b"PLAIN" + b"\0" * 15
    # 3.0 and libzmq's routing-id padding.
    g30 = t.greeting_build(b"NULL", False, minor=0, identity_len=3)
    assert g30[1:9] == struct.pack(">Q", 4) and g30[11] == 0
    # Mechanism names longer than 20 are cut, never overflow.
    assert t.greeting_build(b"M" * 30)[12:32] == b"M" * 20


# --- greeting parsing ------------------------------------------------------------

def test_greeting_parse_incremental():
    g = t.greeting_build(b"CURVE", False)
    for n in range(64):
        rc, err, info = t.greeting_parse(g[:n])
        assert rc == 0, n
    rc, err, info = t.greeting_parse(g)
    assert rc == 1
    assert info == {"major": 3, "minor": 1, "mechanism": b"CURVE", "as_server": 0}
    # Longer input: only the first 64 bytes count (traffic may follow).
    assert t.greeting_parse(g + b"\x04\x05junk")[0] == 1


def test_greeting_parse_accepts_30_and_higher_versions_and_any_padding():
    g = bytearray(t.greeting_build(b"NULL", True, minor=0))
    rc, _, info = t.greeting_parse(bytes(g))
    assert rc == 1 and info["minor"] == 0 and info["as_server"] == 1
    g[10] = 4
    g[11] = 7
    g[1:9] = b"\xaa" * 8          # padding: no significance
    g[9] = 0xff                   # low bit set: versioned
    g[40] = 0x55                  # filler ignored
    rc, _, info = t.greeting_parse(bytes(g))
    assert rc == 1 and (info["major"], info["minor"]) == (4, 7)
    g[32] = 7
    assert t.greeting_parse(bytes(g))[2]["as_server"] == 1


@pytest.mark.parametrize("offset,value,decided_at", [
    (0, 0x00, 1),       # not FF: ZMTP/1.0 identity
    (0, 0x7f, 1),
    (9, 0x7e, 10),      # signature end low bit clear: ZMTP/1.0
    (10, 0x00, 11),     # ZMTP/1.0 versioned
    (10, 0x01, 11),     # ZMTP/2.0
    (10, 0x02, 11),
    (12, 0x00, 13),     # empty mechanism
    (12, 0x20, 13),     # space
    (13, 0x80, 14),     # not ASCII
    (14, 0x0a, 15),     # control char
    (17, 0x41, 18),     # "NULL\0A": character after the padding
])
def test_greeting_parse_refuses_as_early_as_possible(offset, value, decided_at):
    g = bytearray(t.greeting_build(b"NULL", False))
    g[offset] = value
    g = bytes(g)
    for n in range(decided_at):
        assert t.greeting_parse(g[:n])[0] == 0, n
    for n in (decided_at, 40, 64):
        rc, err, info = t.greeting_parse(g[:n])
        assert (rc, err) == (-1, errno.EPROTO), n
    if offset == 10:
        # The engine can tell a version problem from garbage.
        assert t.greeting_parse(g)[2]["major"] == value


def test_greeting_parse_full_20_char_mechanism():
    g = bytearray(t.greeting_build(b"ABCDEFGHIJKLMNOPQRST"))
    rc, _, info = t.greeting_parse(bytes(g))
    assert rc == 1 and info["mechanism"] == b"ABCDEFGHIJKLMNOPQRST"


# --- decoder: sizes, splits, batching --------------------------------------------

SIZES = [0, 1, 2, 47, 48, 49, 254, 255, 256, 4095, 4096, 8191, 8192, 8193, 65536, 5 * MiB + 7]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("engine", [False, True])
def test_frame_sizes_round_trip(size, engine):
    body = random.Random(size).randbytes(size)
    frames = [(MORE, b"head"), (0, body), (CMD, b"\x04PING\x00\x00")]
    enc = t.encode_frames(frames, seed=size + 1)
    assert enc["data"] == encode_ref(frames)
    assert enc["max_iovs"] <= 2
    for chunk in (0, 1 if size <= 65536 else 4093, len(enc["data"])):
        r = decode_ok(enc["data"], chunk=chunk, engine=engine, seed=size + 3)
        assert r["frames"] == frames
        assert r["idle"] and not r["msg_live"]


def test_every_split_point_one_byte_at_a_time():
    rnd = random.Random(5)
    frames = [(rnd.choice([0, MORE]), rnd.randbytes(n))
              for n in [0, 1, 30, 48, 49, 200, 255, 256, 300, 1000, 9000, 20000]]
    frames += [(CMD, b"\x05READY"), (0, b"")]
    data = encode_ref(frames)
    for engine in (False, True):
        for bufsize in (1, 7, 64, BATCH):
            r = decode_ok(data, chunk=1, bufsize=bufsize, engine=engine)
            assert r["frames"] == frames, (engine, bufsize)


def test_every_two_way_split():
    frames = [(MORE, b"a" * 300), (MORE, b""), (0, b"bc"), (CMD, b"\x04PONG"), (0, b"z" * 50)]
    data = encode_ref(frames) + frame(0x02, b"long-small", long=True)
    expect = frames + [(0, b"long-small")]
    for i in range(len(data) + 1):
        d = t.CodecDecoder(bufsize=16)
        got = d.feed(data[:i]) + d.feed(data[i:])
        assert got == expect, i
        assert d.idle


def test_many_frames_per_read():
    frames = [(MORE if i % 3 else 0, bytes([i % 256]) * (i % 40)) for i in range(5000)]
    data = encode_ref(frames)
    r = decode_ok(data, chunk=BATCH, engine=True)
    assert r["frames"] == frames
    # One read delivered hundreds of frames: the loop handed each out.
    assert r["decoded"] == 5000
    d = t.CodecDecoder()
    got, n, into_body = d.read(data[:BATCH])
    assert n == BATCH and not into_body and len(got) > 300


def test_large_body_is_read_in_place():
    body = random.Random(1).randbytes(3 * MiB)
    data = frame(0, body)
    r = decode_ok(data, chunk=BATCH, engine=True)
    assert r["frames"] == [(0, body)]
    # All but what arrived with the header went straight into the msg.
    assert r["zero_copy_bytes"] >= len(body) - BATCH
    assert r["body_reads"] > 0
    # Fed from outside, nothing is "in place".
    assert decode_ok(data, chunk=BATCH)["zero_copy_bytes"] == 0


def test_get_buffer_offers_body_only_while_remainder_is_large():
    d = t.CodecDecoder(bufsize=1024)
    assert d.buffer_size() == (1024, False)
    body = b"q" * 5000
    got, n, _ = d.read(frame(0, body)[:100])        # header + 91 body bytes
    assert got == [] and n == 100
    size, is_body = d.buffer_size()
    assert is_body and size == 5000 - 91
    got, n, into = d.read(body[91:4500])
    assert into and got == [] and n == 4500 - 91
    assert d.buffer_size() == (1024, False)         # 500 left < bufsize
    got, n, into = d.read(body[4500:] + frame(1, b"next"))
    assert not into
    assert got == [(0, body), (MORE, b"next")]
    assert d.zero_copy_bytes == 4500 - 91


def test_truncated_stream_leaves_partial_frame():
    data = frame(0, b"x" * 100)
    for cut in (1, 2, 50, 101):
        r = t.decode_stream(data[:cut], chunk=1)
        assert r["errno"] == 0 and r["frames"] == [] and not r["idle"]
    r = t.decode_stream(frame(0, b"y" * 100)[:60])
    assert r["msg_live"]          # fini frees it (checked under ASan)


# --- decoder leniency and refusals -----------------------------------------------

def test_long_header_with_small_size_accepted():
    data = bytes.fromhex("02") + struct.pack(">Q", 3) + b"abc"
    assert decode_ok(data, chunk=1)["frames"] == [(0, b"abc")]
    data = bytes.fromhex("06") + struct.pack(">Q", 0)
    assert decode_ok(data)["frames"] == [(CMD, b"")]


@pytest.mark.parametrize("flag_byte,flags", [
    (0x80, 0), (0xf8, 0), (0x81, MORE), (0x08 | 0x04, CMD), (0x10 | 0x02, 0), (0xfb, MORE),
])
def test_reserved_flag_bits_ignored(flag_byte, flags):
    body = b"xyz" if not flag_byte & 2 else b"L" * 3
    data = frame(flag_byte, body, long=bool(flag_byte & 2))
    assert decode_ok(data)["frames"] == [(flags, body)]


@pytest.mark.parametrize("flag_byte", [0x05, 0x07, 0x85, 0xff])
def test_command_with_more_refused(flag_byte):
    data = frame(flag_byte & ~2, b"\x04PING\x00\x00", long=bool(flag_byte & 2))
    r = t.decode_stream(frame(0, b"ok") + data)
    assert r["errno"] == errno.EPROTO
    assert r["frames"] == [(0, b"ok")]
    assert not r["msg_live"]


def test_maxmsgsize_boundary():
    assert decode_ok(frame(0, b"a" * 100), maxmsgsize=100)["frames"] == [(0, b"a" * 100)]
    r = t.decode_stream(frame(0, b"a" * 101), maxmsgsize=100)
    assert r["errno"] == errno.EMSGSIZE and r["frames"] == []
    r = t.decode_stream(frame(0, b""), maxmsgsize=0)
    assert r["errno"] == 0 and r["frames"] == [(0, b"")]
    r = t.decode_stream(frame(0, b"a"), maxmsgsize=0)
    assert r["errno"] == errno.EMSGSIZE
    # The limit applies per frame, commands included.
    r = t.decode_stream(frame(4, b"\x05READY" + b"m" * 50), maxmsgsize=10)
    assert r["errno"] == errno.EMSGSIZE


@pytest.mark.parametrize("size", [10**6, 2**40, 2**62])
def test_maxmsgsize_refused_from_the_header_alone(size):
    """EMSGSIZE comes right after the size octets, before any body byte and
    before any allocation (2^40 and 2^62 could not be allocated)."""
    d = t.CodecDecoder(maxmsgsize=1000)
    hdr = b"\x02" + struct.pack(">Q", size)
    assert d.feed(hdr[:8]) == []
    with pytest.raises(OSError) as e:
        d.feed(hdr[8:])
    assert e.value.errno == errno.EMSGSIZE
    assert not d.msg_live
    # The failure is sticky.
    with pytest.raises(OSError) as e:
        d.feed(b"\x00\x00")
    assert e.value.errno == errno.EMSGSIZE


@pytest.mark.parametrize("size", [2**63, 2**63 + 1, 2**64 - 1])
@pytest.mark.parametrize("maxmsgsize", [-1, 2**63 - 1])
def test_size_field_beyond_ssize_max_refused_without_limit(size, maxmsgsize):
    r = t.decode_stream(b"\x02" + struct.pack(">Q", size) + b"xxxx", maxmsgsize=maxmsgsize, chunk=1)
    assert r["errno"] == errno.EMSGSIZE
    assert r["frames"] == [] and not r["msg_live"]
    r = t.decode_stream(b"\x06" + struct.pack(">Q", size), maxmsgsize=maxmsgsize)
    assert r["errno"] == errno.EMSGSIZE


def test_huge_size_without_limit_allocates_only_what_arrives():
    # 2^62 announced, nothing sent: no error and no 2^62 allocation (the
    # body grows as bytes come; MAXMSGSIZE -1 must not mean "trust the header").
    r = t.decode_stream(b"\x02" + struct.pack(">Q", 2**62) + b"abc", maxmsgsize=-1)
    assert r["errno"] == 0 and r["frames"] == [] and r["msg_live"]


def test_decoder_init_refuses_zero_bufsize():
    with pytest.raises(OSError) as e:
        t.CodecDecoder(bufsize=0)
    assert e.value.errno == errno.EINVAL


# --- encoder -------------------------------------------------------------------------

def test_encoder_packs_small_frames_into_few_writes():
    frames = [(MORE if i % 2 else 0, b"m" * 20) for i in range(2000)]
    out = t.encode_frames(frames, max_write=1 << 30)
    assert out["data"] == encode_ref(frames)
    total = len(out["data"])
    assert out["writes"] <= total // (C["ZC_OUT_BATCH_SIZE"] - 30) + 2
    assert out["by_ref_bytes"] == 0 and out["max_iovs"] == 1


def test_encoder_large_bodies_go_by_reference_and_are_released_after_writing():
    rnd = random.Random(9)
    frames = [(MORE, b"h" * 10), (MORE, rnd.randbytes(C["ZC_ENCODER_COPY_MAX"])),
              (0, rnd.randbytes(3 * MiB)), (0, b"t")]
    for seed in range(1, 6):
        out = t.encode_frames(frames, external=True, seed=seed)
        # Bodies are poisoned when released: early release would show here.
        assert out["data"] == encode_ref(frames)
        assert out["by_ref_bytes"] >= C["ZC_ENCODER_COPY_MAX"] + 3 * MiB
        assert out["max_iovs"] == 2
        assert out["frees"] == len(frames) and out["live"] == 0


def test_encoder_step_by_step_contract():
    e = t.CodecEncoder(batch=64)
    assert e.empty() and e.has_room() and e.iov() == []
    e.add(MORE, b"abc")
    big = b"B" * 5000
    e.add(0, big, external=True)
    assert not e.has_room()               # large body pending
    (b1, in1), (b2, in2) = e.iov()
    assert in1 and not in2
    assert b1 == b"\x01\x03abc" + b"\x02" + struct.pack(">Q", 5000)
    assert b2 == big
    assert e.iov(max=1) == [(b1, True)]
    assert e.pending() == len(b1) + 5000
    e.advance(len(b1) + 4999)             # one byte short
    assert e.live == 1 and e.frees == 0 and not e.has_room()
    assert e.iov() == [(b"B", False)]
    e.advance(1)
    assert e.live == 0 and e.frees == 1   # released once fully written
    assert e.empty() and e.has_room()


def test_encoder_small_body_that_does_not_fit_goes_by_reference():
    e = t.CodecEncoder(batch=32)
    e.add(0, b"x" * 20)                   # 22 bytes used, 10 left
    assert e.has_room()
    e.add(MORE, b"y" * 30)                # header fits, body does not
    assert not e.has_room()
    parts = e.iov()
    assert [p for p, _ in parts] == [b"\x00\x14" + b"x" * 20 + b"\x01\x1e", b"y" * 30]
    e.advance(e.pending())
    assert e.empty()


def test_encoder_batch_never_moves_bytes_already_handed_out():
    e = t.CodecEncoder(batch=16)
    e.add(0, b"12345")                    # 7 bytes
    (first, _), = e.iov()
    e.advance(3)
    e.add(0, b"ab")                       # appended, nothing moved
    (rest, _), = e.iov()
    assert rest == first[3:] + b"\x00\x02ab"
    assert not e.has_room()               # 5 bytes left < 9: write first
    e.advance(e.pending())
    assert e.has_room() and e.empty()


def test_encoder_command_never_carries_more():
    assert t.encode_frames([(CMD | MORE, b"\x04PING\x00\x00")])["data"][0] == 0x04


def test_encoder_add_raw_then_frames():
    e = t.CodecEncoder(batch=128)
    g = t.greeting_build()
    e.add_raw(g)
    e.add(CMD, t.command_build(b"READY", t.metadata_build(b"PULL")))
    data = b"".join(p for p, _ in e.iov())
    assert data == g + READY_PULL
    with pytest.raises(OSError) as ex:
        e.add_raw(b"z" * 200)
    assert ex.value.errno == errno.EMSGSIZE
    with pytest.raises(OSError) as ex:
        e.add_raw(b"z" * 100)
    assert ex.value.errno == errno.EAGAIN
    e.advance(e.pending())
    e.add_raw(b"z" * 100)


def test_encoder_fini_closes_held_messages():
    e = t.CodecEncoder(batch=64)
    e.add(0, b"L" * 10000, external=True)
    e.advance(100)
    assert e.live == 1
    e.close()
    assert e.live == 0 and e.frees == 1


def test_encoder_zero_copy_threshold_tunable():
    frames = [(0, b"a" * 100), (0, b"")]
    out = t.encode_frames(frames, copy_max=0, external=True)
    assert out["data"] == encode_ref(frames)
    assert out["by_ref_bytes"] == 100
    assert out["frees"] == 2 and out["live"] == 0


def test_encoder_init_refuses_tiny_batch():
    with pytest.raises(OSError) as e:
        t.CodecEncoder(batch=8)
    assert e.value.errno == errno.EINVAL


# --- round trips ---------------------------------------------------------------------

body_sizes = st.one_of(st.integers(0, 60), st.integers(200, 300),
                       st.integers(4000, 9000), st.sampled_from([0, 48, 49, 255, 256, 70000]))


@st.composite
def traffic(draw):
    """Multipart messages with commands between them, as flags per frame."""
    frames = []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.booleans()):
            frames.append((CMD, draw(st.binary(min_size=1, max_size=40))))
        parts = draw(st.integers(1, 4))
        for i in range(parts):
            n = draw(body_sizes)
            byte = draw(st.integers(0, 255))
            frames.append((MORE if i < parts - 1 else 0, bytes([byte]) * n))
    return frames


@settings(max_examples=150, deadline=None)
@given(frames=traffic(), batch=st.sampled_from([9, 16, 100, 1000, 8192]),
       copy_max=st.sampled_from([-1, 0, 50, 100000]), external=st.booleans(),
       bufsize=st.sampled_from([1, 33, 1024, 8192]), engine=st.booleans(),
       seed=st.integers(1, 2**32))
def test_round_trip_encoder_to_decoder(frames, batch, copy_max, external, bufsize, engine, seed):
    out = t.encode_frames(frames, batch=batch, copy_max=copy_max, external=external, seed=seed)
    assert out["data"] == encode_ref(frames)
    assert out["live"] == 0
    r = decode_ok(out["data"], bufsize=bufsize, engine=engine, chunk=0, seed=seed)
    assert r["frames"] == frames
    assert r["idle"]


# --- commands and metadata ---------------------------------------------------------------

def test_command_build_snprintf_contract():
    need, written, guard = t.command_build(b"READY", b"body", cap=3)
    assert need == 10 and guard and len(written) == 3
    need, written, guard = t.command_build(b"READY", b"body", cap=10)
    assert written == b"\x05READYbody" and guard
    need, written, guard = t.command_build(b"READY", b"body", cap=0)
    assert need == 10
    with pytest.raises(OSError):
        t.command_build(b"")
    with pytest.raises(OSError):
        t.command_build(b"N" * 256)
    assert t.command_build(b"N" * 255)[:1] == b"\xff"
    with pytest.raises(OSError):
        t.command_msg(b"")


def test_metadata_build_snprintf_contract():
    full = t.metadata_build(b"DEALER", b"id1")
    for cap in range(len(full) + 2):
        need, written, guard = t.metadata_build(b"DEALER", b"id1", cap=cap)
        assert need == len(full) and guard
        if cap >= need:
            assert written == full
    with pytest.raises(OSError):
        t.metadata_build(b"DEALER", b"i" * 256)
    assert t.metadata_parse(t.metadata_build(b"ROUTER", b"i" * 255))["identity"] == b"i" * 255
    # Empty identity still sends the property (libzmq does from DEALER/REQ/ROUTER).
    md = t.metadata_parse(t.metadata_build(b"REQ", b""))
    assert md["has_identity"] and md["identity"] == b""


@pytest.mark.parametrize("cmd", [b"", b"\x00", b"\x00abc", b"\x05REA", b"\x06READY", b"\xff" + b"x" * 254])
def test_command_name_malformed(cmd):
    with pytest.raises(OSError) as e:
        t.command_name(cmd)
    assert e.value.errno == errno.EPROTO


def test_command_name_and_is():
    assert t.command_name(b"\x05READY") == (b"READY", b"")
    assert t.command_name(b"\x01Xdata") == (b"X", b"data")
    assert t.command_is(b"READY", b"READY")
    assert not t.command_is(b"ready", b"READY")    # command names are exact
    assert not t.command_is(b"READ", b"READY")


def prop(name, value):
    return bytes([len(name)]) + name + struct.pack(">I", len(value)) + value


def test_metadata_names_case_insensitive_and_unknown_skipped():
    data = prop(b"X-Foo", b"bar") + prop(b"socket-TYPE", b"PUB") + prop(b"IDENTITY", b"me") + prop(b"Resource", b"")
    md = t.metadata_parse(data)
    assert md == {"socket_type": b"PUB", "identity": b"me", "has_identity": True, "properties": 4}
    assert t.metadata_items(data)[0] == (b"X-Foo", b"bar")
    assert t.property_name_is(b"sOcKeT-tYpE", b"Socket-Type")
    assert not t.property_name_is(b"Socket-Typ", b"Socket-Type")
    assert t.property_build(b"X-Foo", b"bar") == prop(b"X-Foo", b"bar")


def test_metadata_empty_and_zero_length_name_tolerated():
    assert t.metadata_parse(b"")["properties"] == 0
    assert t.metadata_parse(b"")["socket_type"] is None
    md = t.metadata_parse(prop(b"", b"x") + prop(b"Socket-Type", b"SUB"))
    assert md["properties"] == 2 and md["socket_type"] == b"SUB"


def test_metadata_duplicates_first_wins():
    md = t.metadata_parse(prop(b"Socket-Type", b"PUB") + prop(b"Socket-Type", b"SUB"))
    assert md["socket_type"] == b"PUB"


def test_metadata_every_truncation_refused():
    data = READY_DEALER_ID1[8:]            # the properties of READY
    boundaries = {0, len(prop(b"Socket-Type", b"DEALER")), len(data)}
    for cut in range(len(data) + 1):
        if cut in boundaries:
            t.metadata_parse(data[:cut])
            continue
        with pytest.raises(OSError) as e:
            t.metadata_parse(data[:cut])
        assert e.value.errno == errno.EPROTO, cut


@pytest.mark.parametrize("junk", [b"\x00", b"\x01", b"\x00\x00\x00\x00", b"\x05ab", b"\xff"])
def test_metadata_leftover_bytes_refused(junk):
    with pytest.raises(OSError) as e:
        t.metadata_parse(t.metadata_build(b"PULL") + junk)
    assert e.value.errno == errno.EPROTO


def test_metadata_value_overrun_refused():
    bad = bytes([11]) + b"Socket-Type" + struct.pack(">I", 0xFFFFFFFF) + b"PULL"
    with pytest.raises(OSError):
        t.metadata_parse(bad)
    bad = bytes([11]) + b"Socket-Type" + struct.pack(">I", 5) + b"PULL"
    with pytest.raises(OSError):
        t.metadata_parse(bad)
    with pytest.raises(OSError):
        t.metadata_parse(bytes([20]) + b"short")


NAMES = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB",
         "STREAM", "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM", "PEER", "CHANNEL"]


def test_socket_type_names_numbers():
    for i, n in enumerate(NAMES):
        assert t.socket_type_from_name(n.encode()) == i
        assert t.socket_type_name(i) == n
    assert t.socket_type_from_name(b"pull") == -1
    assert t.socket_type_from_name(b"PUL") == -1
    assert t.socket_type_from_name(b"") == -1
    assert t.socket_type_from_name(b"PULLX") == -1
    assert t.socket_type_name(-1) is None and t.socket_type_name(21) is None


COMPAT = {
    "REQ": {"REP", "ROUTER"}, "REP": {"REQ", "DEALER"}, "DEALER": {"REP", "DEALER", "ROUTER"},
    "ROUTER": {"REQ", "DEALER", "ROUTER"}, "PUB": {"SUB", "XSUB"}, "XPUB": {"SUB", "XSUB"},
    "SUB": {"PUB", "XPUB"}, "XSUB": {"PUB", "XPUB"}, "PUSH": {"PULL"}, "PULL": {"PUSH"},
    "PAIR": {"PAIR"}, "CLIENT": {"SERVER"}, "SERVER": {"CLIENT"}, "RADIO": {"DISH"},
    "DISH": {"RADIO"}, "SCATTER": {"GATHER"}, "GATHER": {"SCATTER"}, "PEER": {"PEER"},
    "CHANNEL": {"CHANNEL"}, "STREAM": set(), "DGRAM": set(),
}


def test_socket_type_compatibility_table():
    for a, ai in ((n, i) for i, n in enumerate(NAMES)):
        for b, bi in ((n, i) for i, n in enumerate(NAMES)):
            assert t.socket_types_compatible(ai, bi) == (b in COMPAT[a]), (a, b)
            # The relation is symmetric.
            assert t.socket_types_compatible(ai, bi) == t.socket_types_compatible(bi, ai)
    assert not t.socket_types_compatible(-1, 0)
    assert not t.socket_types_compatible(0, 99)


def test_ping_context_truncated_to_16():
    ctx = bytes(range(40))
    body = t.ping_build(65535, ctx)
    assert body == b"\x04PING\xff\xff" + ctx[:16]
    assert t.ping_parse(b"\x00\x01" + ctx) == (1, ctx[:16])
    assert t.ping_parse(b"\x00\x00") == (0, b"")
    for bad in (b"", b"\x00"):
        with pytest.raises(OSError) as e:
            t.ping_parse(bad)
        assert e.value.errno == errno.EPROTO
    assert t.pong_build(ctx) == b"\x04PONG" + ctx[:16]
    assert t.pong_build() == b"\x04PONG"


def test_error_command():
    assert t.error_build(b"400") == b"\x05ERROR\x03400"
    assert t.error_build(b"") == b"\x05ERROR\x00"
    long = b"r" * 300
    assert t.error_build(long) == b"\x05ERROR\xff" + b"r" * 255
    name, data = t.command_name(t.error_build(b"500"))
    assert name == b"ERROR" and t.error_parse(data) == b"500"
    assert t.error_parse(b"\x00") == b""
    assert t.error_parse(b"\x01ab") == b"a"          # trailing bytes ignored, as libzmq
    for bad in (b"", b"\x02a", b"\xff"):
        with pytest.raises(OSError) as e:
            t.error_parse(bad)
        assert e.value.errno == errno.EPROTO
