"""Private test module: the native core's internals, exposed to tests/core
and to fuzzers (libzmq's unittests/ role).  Not part of the API."""

include "testing/poller.pxi"
include "testing/pipe.pxi"
include "testing/codec.pxi"
include "testing/hashmap.pxi"
