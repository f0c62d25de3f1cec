"""Differential API tests (zmqcore by default, pyzmq with ZMQCORE_TEST_IMPL=zmq)."""
