"""Fuzzing the ZMTP codec's parsers with arbitrary bytes (hypothesis).

Each parser runs in C through zmqcore._testing.  Besides "no crash" (run
this file under ASan too: ZMQCORE_SANITIZE=address,undefined), every result is
checked against a small reference model written in Python from the spec
(ZMTP-NOTES §2-§6), and against itself fed in different ways.

The whole file is bounded to well under 20 s: max_examples is set per test.
"""

import errno
import struct

import pytest

t = pytest.importorskip("zmqcore._testing")
pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings, strategies as st  # noqa: E402

pytestmark = pytest.mark.timeout(30)

C = t.codec_constants()
MORE = C["ZC_MSG_MORE"]
CMD = C["ZC_MSG_COMMAND"]

FUZZ = settings(max_examples=400, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- reference models -----------------------------------------------------------

def ref_decode(data, maxmsgsize):
    """-> (frames, errno or 0, complete: no partial frame at the end)."""
    frames = []
    i = 0
    n = len(data)
    while i < n:
        f = data[i]
        if f & 4 and f & 1:
            return frames, errno.EPROTO, False
        if f & 2:
            if n - i < 9:
                return frames, 0, False
            size = struct.unpack(">Q", data[i + 1:i + 9])[0]
            i += 9
        else:
            if n - i < 2:
                return frames, 0, False
            size = data[i + 1]
            i += 2
        if size >= 2**63 or (maxmsgsize >= 0 and size > maxmsgsize):
            return frames, errno.EMSGSIZE, False
        if n - i < size:
            return frames, 0, False
        flags = (MORE if f & 1 else 0) | (CMD if f & 4 else 0)
        frames.append((flags, data[i:i + size]))
        i += size
    return frames, 0, True


def ref_greeting(data):
    """-> rc of zc_greeting_parse (1, 0, -1)."""
    n = len(data)
    if n < 1:
        return 0
    if data[0] != 0xFF:
        return -1
    if n < 10:
        return 0
    if not data[9] & 1:
        return -1
    if n < 11:
        return 0
    if data[10] < 3:
        return -1
    mech = data[12:min(n, 32)]
    if mech[:1] == b"\0":
        return -1
    seen_nul = False
    for c in mech:
        if c == 0:
            seen_nul = True
        elif seen_nul or not 0x21 <= c <= 0x7E:
            return -1
    return 1 if n >= 64 else 0


def ref_metadata(data):
    """-> list of (name, value), or None for EPROTO."""
    out = []
    i = 0
    while i < len(data):
        nl = data[i]
        i += 1
        if len(data) - i < nl:
            return None
        name = data[i:i + nl]
        i += nl
        if len(data) - i < 4:
            return None
        vl = struct.unpack(">I", data[i:i + 4])[0]
        i += 4
        if len(data) - i < vl:
            return None
        out.append((name, data[i:i + vl]))
        i += vl
    return out


def encode_ref(frames):
    out = bytearray()
    for flags, body in frames:
        b = 4 if flags & CMD else (1 if flags & MORE else 0)
        if len(body) > 255:
            out += bytes([b | 2]) + struct.pack(">Q", len(body))
        else:
            out += bytes([b, len(body)])
        out += body
    return bytes(out)


# --- strategies -----------------------------------------------------------------

def headerish():
    """Byte strings that often look like frames: interesting flag bytes and
    sizes near the boundaries, glued to random filler."""
    flag = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 0x80, 0xFF, 0x0A])
    size8 = st.sampled_from([0, 1, 3, 255, 256, 2**31, 2**62, 2**63, 2**64 - 1])
    piece = st.one_of(
        st.builds(lambda f, s: bytes([f & ~2, s]), flag, st.integers(0, 255)),
        st.builds(lambda f, s: bytes([f | 2]) + struct.pack(">Q", s), flag, size8),
        st.binary(max_size=40),
    )
    return st.lists(piece, max_size=12).map(b"".join)


garbage = st.one_of(st.binary(max_size=600), headerish())


# --- decoder ------------------------------------------------------------------------

# No limit (-1) only in the examples, whose sizes are refused before any
# allocation (>= 2^63): with -1, random garbage asks for terabytes, which
# is ENOMEM (or an ASan abort) rather than a decoder property.
@FUZZ
@given(data=garbage, maxmsgsize=st.sampled_from([0, 5, 255, 300, 10**6]),
       seed=st.integers(1, 2**32), bufsize=st.sampled_from([1, 3, 64, 8192]))
@example(data=b"\x02" + b"\xff" * 8, maxmsgsize=-1, seed=1, bufsize=8192)
@example(data=b"\x00\x01a\x06\x80" + b"\x00" * 7, maxmsgsize=-1, seed=1, bufsize=1)
@example(data=b"\x05\x00", maxmsgsize=-1, seed=1, bufsize=8192)
def test_decoder_arbitrary_bytes_matches_model(data, maxmsgsize, seed, bufsize):
    frames, err, complete = ref_decode(data, maxmsgsize)
    results = [
        t.decode_stream(data, chunk=len(data) or 1, maxmsgsize=maxmsgsize, bufsize=bufsize),
        t.decode_stream(data, chunk=1, maxmsgsize=maxmsgsize, bufsize=bufsize),
        t.decode_stream(data, chunk=0, maxmsgsize=maxmsgsize, bufsize=bufsize, seed=seed),
        t.decode_stream(data, chunk=-7, maxmsgsize=maxmsgsize, bufsize=bufsize,
                        engine=True, seed=seed),
    ]
    for r in results:
        assert r["frames"] == frames
        assert r["errno"] == err
        if not err:
            assert r["consumed"] == len(data)
            assert r["idle"] == complete
        else:
            assert not r["msg_live"]        # nothing half-built kept after failure
        if maxmsgsize >= 0:
            assert all(len(body) <= maxmsgsize for _, body in r["frames"])
        assert all(not (f & MORE and f & CMD) for f, _ in r["frames"])


@settings(max_examples=200, deadline=None)
@given(frames=st.lists(st.tuples(st.sampled_from([0, MORE, CMD]),
                                 st.one_of(st.binary(max_size=300),
                                           st.integers(0, 20000).map(lambda n: b"\xab" * n))),
                       max_size=20),
       batch=st.sampled_from([9, 50, 8192]), seed=st.integers(1, 2**32))
def test_valid_encoder_output_round_trips(frames, batch, seed):
    out = t.encode_frames(frames, batch=batch, seed=seed)
    assert out["data"] == encode_ref(frames)
    r = t.decode_stream(out["data"], chunk=0, engine=True, seed=seed)
    assert r["errno"] == 0 and r["frames"] == frames and r["idle"]


@settings(max_examples=200, deadline=None)
@given(data=garbage)
def test_decoded_garbage_reencodes_canonically(data):
    """Whatever frames garbage yields, re-encoding them and decoding again
    gives the same frames (the decoder's output is always encodable)."""
    r = t.decode_stream(data, maxmsgsize=10**6)
    again = t.decode_stream(t.encode_frames(r["frames"])["data"])
    assert again["errno"] == 0 and again["frames"] == r["frames"]


# --- greeting -------------------------------------------------------------------------

def near_greeting():
    base = t.greeting_build(b"NULL", False)

    def mutate(edits):
        g = bytearray(base)
        for pos, val in edits:
            g[pos] = val
        return bytes(g)
    return st.lists(st.tuples(st.integers(0, 63), st.integers(0, 255)), max_size=4).map(mutate)


@FUZZ
@given(data=st.one_of(st.binary(max_size=80), near_greeting()))
def test_greeting_parse_matches_model_for_every_prefix(data):
    decided = None
    for n in range(len(data) + 1):
        rc, err, info = t.greeting_parse(data[:n])
        assert rc == ref_greeting(data[:n]), n
        if rc < 0:
            assert err == errno.EPROTO
        # Once decided, more bytes never change the verdict.
        if decided is not None:
            assert rc == decided
        elif rc != 0:
            decided = rc
        if rc == 1:
            assert 3 <= info["major"] and len(info["mechanism"]) >= 1


# --- metadata and commands -----------------------------------------------------------

def metadataish():
    name = st.one_of(st.sampled_from([b"Socket-Type", b"socket-type", b"Identity", b"IDENTITY",
                                      b"X-A", b""]), st.binary(max_size=10))
    value = st.binary(max_size=20)
    good = st.builds(lambda n, v: bytes([len(n)]) + n + struct.pack(">I", len(v)) + v, name, value)
    return st.lists(st.one_of(good, good, st.binary(max_size=6)), max_size=6).map(b"".join)


@FUZZ
@given(data=st.one_of(st.binary(max_size=100), metadataish()))
def test_metadata_parse_matches_model(data):
    expect = ref_metadata(data)
    if expect is None:
        with pytest.raises(OSError) as e:
            t.metadata_parse(data)
        assert e.value.errno == errno.EPROTO
        with pytest.raises(OSError):
            t.metadata_items(data)
        return
    assert t.metadata_items(data) == expect
    md = t.metadata_parse(data)
    assert md["properties"] == len(expect)
    st_vals = [v for n, v in expect if n.lower() == b"socket-type"]
    id_vals = [v for n, v in expect if n.lower() == b"identity"]
    assert md["socket_type"] == (st_vals[0] if st_vals else None)
    assert md["has_identity"] == bool(id_vals)
    assert md["identity"] == (id_vals[0] if id_vals else None)


@FUZZ
@given(body=st.binary(max_size=300))
def test_command_parsers_match_model(body):
    ok = len(body) >= 1 and body[0] >= 1 and len(body) - 1 >= body[0]
    if not ok:
        with pytest.raises(OSError):
            t.command_name(body)
    else:
        name, data = t.command_name(body)
        assert name == body[1:1 + body[0]] and data == body[1 + body[0]:]
    # PING / ERROR data parsers on the same bytes.
    if len(body) < 2:
        with pytest.raises(OSError):
            t.ping_parse(body)
    else:
        assert t.ping_parse(body) == (struct.unpack(">H", body[:2])[0], body[2:18])
    if len(body) < 1 or len(body) - 1 < body[0]:
        with pytest.raises(OSError):
            t.error_parse(body)
    else:
        assert t.error_parse(body) == body[1:1 + body[0]]
    assert t.socket_type_from_name(body[:8]) in range(-1, 21)
