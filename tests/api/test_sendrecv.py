"""send/recv and their sugar, pinned against pyzmq 27.3.0 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- send() accepts bytes, bytearray, memoryview and Frame (copy=True or False);
  send(str), send(int), send(None) raise TypeError.
- send() return value: None with copy=True (even with track=True). With copy=False
  and track=False it is quirky: below COPY_THRESHOLD (65536 B, where pyzmq copies
  anyway) a MessageTracker that is already done, from 65536 B up None.
- recv(copy=False) returns a zmq.Frame: .bytes, .buffer (a memoryview), len(),
  bytes(frame), memoryview(frame); .more is True on all but the last part.
  (zmq.Message is zmq.Frame.)  Frame(b"..") builds one; Frame("str") is a TypeError.
- RCVMORE is 1 after a non-final part and 0 after the final one.
- send_multipart validates every part before sending any: a str part raises
  TypeError and nothing at all is delivered.
- A partially sent multipart (SNDMORE, final part not yet sent) is invisible to the
  receiver (recv NOBLOCK -> Again, EVENTS has no POLLIN); a sender closed with a
  half-sent multipart delivers none of it.
- send_string encodes UTF-8 by default (encoding= honoured); send_string(bytes) is a
  TypeError; send_json sends UTF-8 JSON text; send_pyobj sends a pickle.
- send(..., copy=False, track=True) returns a MessageTracker that is not done while
  the message is queued and completes after it was received and released.
- recv_into(buf) returns the full message length and truncates to len(buf) (or nbytes).
"""

import gc
import json
import pickle

import pytest


def _payload(n):
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


@pytest.fixture
def pushpull(zmq, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    return push, pull


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "nocopy"])
@pytest.mark.parametrize(
    "kind", ["bytes", "bytearray", "memoryview", "frame"],
)
def test_send_buffer_kinds(zmq, pushpull, kind, copy):
    push, pull = pushpull
    raw = b"payload-" + kind.encode()
    obj = {
        "bytes": lambda: raw,
        "bytearray": lambda: bytearray(raw),
        "memoryview": lambda: memoryview(raw),
        "frame": lambda: zmq.Frame(raw),
    }[kind]()
    push.send(obj, copy=copy)
    assert pull.recv() == raw


@pytest.mark.parametrize("size", [0, 1, 29, 30, 31, 255, 256, 8192, 65535, 65536, 65537,
                                  1 << 20])
@pytest.mark.parametrize("copy", [True, False], ids=["copy", "nocopy"])
def test_sizes_roundtrip(zmq, pushpull, size, copy):
    push, pull = pushpull
    data = _payload(size)
    push.send(data, copy=copy)
    got = pull.recv(copy=copy)
    if copy:
        assert isinstance(got, bytes)
        assert got == data
    else:
        assert isinstance(got, zmq.Frame)
        assert len(got) == size
        assert got.bytes == data


def test_large_message_10mib(zmq, pushpull):
    push, pull = pushpull
    data = _payload(4096) * 2560
    push.send(data, copy=False)
    frame = pull.recv(copy=False)
    assert len(frame) == len(data)
    assert frame.buffer == memoryview(data)


def test_send_returns_none(zmq, pushpull):
    push, pull = pushpull
    assert push.send(b"a") is None
    assert push.send(b"a" * 100000, copy=False) is None
    assert push.send_multipart([b"a", b"b"]) is None
    assert push.send_string("s") is None
    assert push.send_json([1]) is None
    assert push.send_pyobj(1) is None
    assert len(pull.recv_multipart()) == 1
    assert len(pull.recv_multipart()) == 1
    assert pull.recv_multipart() == [b"a", b"b"]


def test_send_copy_false_return_values(zmq, pushpull):
    push, pull = pushpull
    small = push.send(b"s" * 100, copy=False)
    assert isinstance(small, zmq.MessageTracker)
    assert small.done is True
    assert push.send(b"b" * 65536, copy=False) is None
    assert push.send(b"c" * 100, copy=True) is None
    assert [len(pull.recv()) for _ in range(3)] == [100, 65536, 100]


def test_send_str_or_int_is_type_error(zmq, pushpull):
    push, pull = pushpull
    with pytest.raises(TypeError):
        push.send("text")
    with pytest.raises(TypeError):
        push.send(42)
    with pytest.raises(TypeError):
        push.send(None)
    # Nothing was sent.
    push.send(b"sentinel")
    assert pull.recv() == b"sentinel"


def test_flags_noblock_and_dontwait_are_the_same(zmq, pushpull):
    push, pull = pushpull
    assert zmq.NOBLOCK == zmq.DONTWAIT
    push.send(b"1", zmq.NOBLOCK)
    push.send(b"2", zmq.DONTWAIT)
    assert pull.poll(2000)
    assert pull.recv(zmq.DONTWAIT) == b"1"
    assert pull.poll(2000)
    assert pull.recv(zmq.NOBLOCK) == b"2"


def test_frame_object(zmq, pushpull):
    push, pull = pushpull
    push.send(b"hello frame")
    f = pull.recv(copy=False)
    assert isinstance(f, zmq.Frame)
    assert zmq.Message is zmq.Frame
    assert f.bytes == b"hello frame"
    assert isinstance(f.buffer, memoryview)
    assert f.buffer.tobytes() == b"hello frame"
    assert len(f) == 11
    assert bytes(f) == b"hello frame"
    assert bytes(memoryview(f)) == b"hello frame"
    assert f.more is False
    assert f.get(zmq.MORE) == 0


def test_frame_constructor(zmq):
    assert zmq.Frame(b"abc").bytes == b"abc"
    assert zmq.Frame(bytearray(b"abc")).bytes == b"abc"
    assert zmq.Frame().bytes == b""
    assert len(zmq.Frame(b"abcd")) == 4
    with pytest.raises(TypeError):
        zmq.Frame("str is not a buffer")


def test_sndmore_and_rcvmore(zmq, pushpull):
    push, pull = pushpull
    push.send(b"a", zmq.SNDMORE)
    push.send(b"b", zmq.SNDMORE)
    push.send(b"c")
    assert pull.recv() == b"a"
    assert pull.getsockopt(zmq.RCVMORE) == 1
    assert pull.rcvmore == 1
    assert pull.recv() == b"b"
    assert pull.rcvmore == 1
    assert pull.recv() == b"c"
    assert pull.getsockopt(zmq.RCVMORE) == 0


def test_multipart_roundtrip(zmq, pushpull):
    push, pull = pushpull
    parts = [b"", b"x", _payload(1000), _payload(100000), b"last"]
    push.send_multipart(parts)
    assert pull.recv_multipart() == parts
    push.send_multipart(parts, copy=False)
    assert pull.recv_multipart() == parts
    push.send_multipart([bytearray(b"ba"), memoryview(b"mv"), zmq.Frame(b"fr")])
    assert pull.recv_multipart() == [b"ba", b"mv", b"fr"]


def test_recv_multipart_frames_have_more_flags(zmq, pushpull):
    push, pull = pushpull
    push.send_multipart([b"1", b"2", b"3"])
    frames = pull.recv_multipart(copy=False)
    assert [type(f) for f in frames] == [zmq.Frame] * 3
    assert [f.bytes for f in frames] == [b"1", b"2", b"3"]
    assert [f.more for f in frames] == [True, True, False]


def test_recv_multipart_of_single_part(zmq, pushpull):
    push, pull = pushpull
    push.send(b"only")
    assert pull.recv_multipart() == [b"only"]


def test_send_multipart_bad_part_sends_nothing(zmq, pushpull):
    push, pull = pushpull
    with pytest.raises(TypeError):
        push.send_multipart([b"good", "bad str"])
    with pytest.raises(TypeError):
        push.send_multipart(["bad first", b"good"])
    push.send(b"sentinel")
    assert pull.recv() == b"sentinel"
    assert pull.rcvmore == 0


def test_partial_multipart_is_invisible(zmq, pushpull):
    push, pull = pushpull
    push.send(b"p1", zmq.SNDMORE)
    push.send(b"p2", zmq.SNDMORE)
    assert pull.poll(100) == 0
    assert not (pull.getsockopt(zmq.EVENTS) & zmq.POLLIN)
    with pytest.raises(zmq.Again):
        pull.recv(zmq.NOBLOCK)
    push.send(b"p3")
    assert pull.poll(2000) & zmq.POLLIN
    assert pull.recv_multipart() == [b"p1", b"p2", b"p3"]


def test_close_with_half_sent_multipart_delivers_nothing(zmq, ctx, inproc):
    ep = inproc()
    pull = ctx.socket(zmq.PULL)
    pull.bind(ep)
    push = ctx.socket(zmq.PUSH)
    push.connect(ep)
    push.send(b"whole")
    push.send(b"half", zmq.SNDMORE)
    push.close(linger=1000)
    assert pull.poll(2000)
    assert pull.recv_multipart() == [b"whole"]
    assert pull.poll(200) == 0


def test_send_recv_string(zmq, pushpull):
    push, pull = pushpull
    text = "h\u00e9llo \u4e16\u754c \U0001f600"
    push.send_string(text)
    assert pull.recv() == text.encode("utf-8")
    push.send_string(text)
    assert pull.recv_string() == text
    push.send_string("caf\u00e9", encoding="latin-1")
    assert pull.recv() == b"caf\xe9"
    push.send(b"caf\xe9")
    assert pull.recv_string(encoding="latin-1") == "caf\u00e9"
    push.send_string("")
    assert pull.recv_string() == ""


def test_send_string_rejects_bytes(zmq, pushpull):
    push, pull = pushpull
    with pytest.raises(TypeError):
        push.send_string(b"bytes")


def test_send_string_sndmore(zmq, pushpull):
    push, pull = pushpull
    push.send_string("a", zmq.SNDMORE)
    push.send_string("b")
    assert pull.recv_multipart() == [b"a", b"b"]


def test_send_recv_json(zmq, pushpull):
    push, pull = pushpull
    obj = {"a": [1, 2.5, None, True], "b": {"c": "\u00e9"}}
    push.send_json(obj)
    assert pull.recv_json() == obj
    push.send_json(obj)
    raw = pull.recv()
    assert isinstance(raw, bytes)
    assert json.loads(raw.decode("utf-8")) == obj
    push.send(json.dumps([3, 4]).encode())
    assert pull.recv_json() == [3, 4]


def test_send_recv_pyobj(zmq, pushpull):
    push, pull = pushpull
    obj = {"t": (1, 2), "s": {3, 4}, "b": b"\x00\xff", "n": None}
    push.send_pyobj(obj)
    assert pull.recv_pyobj() == obj
    push.send_pyobj(obj)
    assert pickle.loads(pull.recv()) == obj
    push.send(pickle.dumps([5, 6]))
    assert pull.recv_pyobj() == [5, 6]


def test_recv_copy_false_frame_survives_next_recv(zmq, pushpull):
    push, pull = pushpull
    push.send(b"first" * 1000)
    push.send(b"second" * 1000)
    f1 = pull.recv(copy=False)
    f2 = pull.recv(copy=False)
    assert f1.bytes == b"first" * 1000
    assert f2.bytes == b"second" * 1000


def test_sender_buffer_mutation_after_copy_send(zmq, pushpull):
    # With copy=True the message is a snapshot of the buffer at send time.
    push, pull = pushpull
    buf = bytearray(b"original" * 10000)
    push.send(buf, copy=True)
    buf[:8] = b"MUTATED!"
    assert pull.recv()[:8] == b"original"


def test_tracker_completes_after_receipt(zmq, pushpull):
    push, pull = pushpull
    data = _payload(200000)
    tracker = push.send(data, copy=False, track=True)
    assert isinstance(tracker, zmq.MessageTracker)
    # Still sitting in the pipe: zmq has not released the buffer.
    assert tracker.done is False
    frame = pull.recv(copy=False)
    assert frame.bytes == data
    del frame
    gc.collect()
    tracker.wait(2)  # raises NotDone if not released within 2 s
    assert tracker.done is True


def test_tracker_wait_timeout_raises_notdone(zmq, pushpull):
    push, pull = pushpull
    tracker = push.send(_payload(200000), copy=False, track=True)
    assert issubclass(zmq.NotDone, zmq.ZMQBaseError)
    with pytest.raises(zmq.NotDone):
        tracker.wait(0.05)
    assert len(pull.recv()) == 200000


def test_track_with_copy_returns_none(zmq, pushpull):
    # Only zero-copy sends can be tracked; copy=True ignores track.
    push, pull = pushpull
    assert push.send(b"x", copy=True, track=True) is None
    assert pull.recv() == b"x"


def test_recv_into(zmq, pushpull):
    push, pull = pushpull
    push.send(b"hello world")
    buf = bytearray(5)
    assert pull.recv_into(buf) == 11  # full length, truncated copy
    assert bytes(buf) == b"hello"
    push.send(b"hi")
    buf = bytearray(b"\x00" * 5)
    assert pull.recv_into(buf) == 2
    assert bytes(buf) == b"hi\x00\x00\x00"
    push.send(b"abcde")
    buf = bytearray(5)
    assert pull.recv_into(buf, nbytes=2) == 5
    assert bytes(buf) == b"ab\x00\x00\x00"


def test_order_is_preserved(zmq, pushpull):
    push, pull = pushpull
    n = 1500  # below the inproc queue limit (SNDHWM + RCVHWM = 2000)
    for i in range(n):
        push.send(b"%d" % i)
    assert [pull.recv() for _ in range(n)] == [b"%d" % i for i in range(n)]


def test_empty_message(zmq, pushpull):
    push, pull = pushpull
    push.send(b"")
    assert pull.recv() == b""
    push.send(b"", copy=False)
    f = pull.recv(copy=False)
    assert len(f) == 0 and f.bytes == b""
