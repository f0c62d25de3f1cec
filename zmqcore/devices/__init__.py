"""Devices: proxies and queues run in a background thread or process.

pyzmq's ``zmq.devices``: the sockets are made, configured, bound and
connected in the thread (or process) that runs the device, from what the
``bind_in``/``connect_out``/``setsockopt_mon``... calls queued up.
"""

from zmqcore import DeviceType, proxy
from zmqcore.devices import (basedevice, monitoredqueue, monitoredqueuedevice,
                             proxydevice, proxysteerabledevice)
from zmqcore.devices.basedevice import *  # noqa: F401,F403
from zmqcore.devices.monitoredqueue import *  # noqa: F401,F403
from zmqcore.devices.monitoredqueuedevice import *  # noqa: F401,F403
from zmqcore.devices.proxydevice import *  # noqa: F401,F403
from zmqcore.devices.proxysteerabledevice import *  # noqa: F401,F403

__all__ = (basedevice.__all__ + proxydevice.__all__ + proxysteerabledevice.__all__
           + monitoredqueue.__all__ + monitoredqueuedevice.__all__)
