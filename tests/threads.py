"""Helpers for tests of reads run on reader threads (hrkb.readers)."""

import threading

from hrkb.readers import READER_NAME


def threads_calling(monkeypatch, owner, name: str) -> list[str]:
    """The names of the threads that call ``owner.name`` from now on, in call order (undone with ``monkeypatch``)."""
    called_in = []
    function = getattr(owner, name)

    def traced(*args, **kwargs):
        called_in.append(threading.current_thread().name)
        return function(*args, **kwargs)

    monkeypatch.setattr(owner, name, traced)
    return called_in


def readers_left(timeout: float = 10) -> list[threading.Thread]:
    """The reader threads still running once each has had ``timeout`` seconds to end."""
    for thread in threading.enumerate():
        if thread.name == READER_NAME:
            thread.join(timeout=timeout)
    return [thread for thread in threading.enumerate() if thread.name == READER_NAME]
