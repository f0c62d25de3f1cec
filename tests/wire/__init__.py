"""Raw-socket ZMTP 3.1 peers, well-behaved and hostile, against the `zmq` fixture."""
