"""The package's loggers, made on first use: importing logging (with
traceback, tokenize, string, ...) costs a program that never logs through
kfk milliseconds of start-up. The first use also gives the "kfk" logger
kafka-python's NullHandler."""


class Logger:
    """Stands for logging.getLogger(name): attribute reads go to it."""

    __slots__ = ("_name", "_logger")

    def __init__(self, name):
        self._name = name
        self._logger = None

    def __getattr__(self, attr):
        logger = self._logger
        if logger is None:
            import logging
            root = logging.getLogger("kfk")
            if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
                root.addHandler(logging.NullHandler())
            logger = self._logger = logging.getLogger(self._name)
        return getattr(logger, attr)
