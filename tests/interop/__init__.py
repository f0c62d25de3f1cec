"""zmqcore <-> libzmq over tcp:// and ipc:// (zmqcore by default, libzmq on both ends with ZMQCORE_TEST_IMPL=zmq)."""
