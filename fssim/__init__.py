"""FreeSWITCH simulator: an ESL server modelling mod_conference as recorded from a real
FreeSWITCH (see fssim/README.md). A development and test tool, never for production.

``Simulator`` is imported on first use, so that ``python -m fssim.cli`` (and the
``fssim`` script) can patch with gevent before anything imports ``ssl`` or sockets."""

__all__ = ["Simulator"]


def __getattr__(name):
    if name == "Simulator":
        from fssim.simulator import Simulator
        return Simulator
    raise AttributeError(f"module 'fssim' has no attribute {name!r}")
