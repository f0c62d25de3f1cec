"""Options as attributes: ``sock.linger = 0``, ``sock.sndhwm``."""

from zmqcore.constants import ContextOption, SocketOption


class AttributeSetter:
    """Maps unknown upper-cased attribute names to get()/set() of options."""

    _option_enum = SocketOption

    def __setattr__(self, key, value):
        if key in self.__dict__ or hasattr(type(self), key) or key.startswith("_"):
            object.__setattr__(self, key, value)
            return
        opt = self._option_enum.__members__.get(key.upper())
        if opt is None:
            # As pyzmq: a subclass declares its own attributes on the class.
            raise AttributeError(f"{type(self).__name__} has no such option: {key.upper()}")
        self._set_attr_opt(key.upper(), opt, value)

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        opt = self._option_enum.__members__.get(key.upper())
        if opt is None:
            raise AttributeError(f"{type(self).__name__} has no attribute {key!r}")
        return self._get_attr_opt(key.upper(), opt)

    def _set_attr_opt(self, name, opt, value):
        self.set(opt, value)

    def _get_attr_opt(self, name, opt):
        return self.get(opt)


class ContextAttributeSetter(AttributeSetter):
    _option_enum = ContextOption
