#!/usr/bin/env python3
"""moto server whose requests each run atomically.

moto's server is threaded and its DynamoDB backend checks a condition and applies the
write without a lock, so two concurrent conditional writes (or transactions) can both
pass. Real DynamoDB serialises the writes to an item, and the portal's concurrency tests
rely on exactly that. Serialising every request restores it; requests stay concurrent on
the wire (keep-alive connections are served by their own threads).

Usage: moto-server.py -H 127.0.0.1 -p 5000   (the same arguments as moto_server)
"""
import os
import sys
import threading

import moto.server as server

_lock = threading.Lock()


class SerializedDispatcher(server.DomainDispatcherApplication):
    def __call__(self, environ, start_response):
        with _lock:
            # Materialise the body inside the lock: the backend work may be lazy.
            return list(super().__call__(environ, start_response))


server.DomainDispatcherApplication = SerializedDispatcher

if __name__ == "__main__":
    # Stopped at the end of a test run (SIGTERM, SIGINT): exit at once. moto's own handler
    # exits cleanly, and a clean interpreter exit frees every object moto holds (7 GB after
    # the full suite) one by one, which took minutes while the test script waited on it.
    server.signal_handler = lambda *_: os._exit(0)
    server.main(sys.argv[1:])
