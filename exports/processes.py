"""Who holds a job: a worker's name, and whether that worker is known to be dead."""

from __future__ import annotations

import os
import secrets
import socket


def worker_name() -> str:
    """``host:pid:token``: the lease owner written on a job this process claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def owner_is_dead(owner: str) -> bool:
    """True if ``owner`` (``host:pid:token``) was a process of this host that no longer exists.

    When a worker's pool child is killed, the worker's main process sees it at once and, with
    ``acks_late`` + ``reject_on_worker_lost``, hands the message back to the broker; the next
    child gets it within seconds. Its lease still names the dead child, so without this check
    the job would wait for the lease to lapse. A host that died is not "this host": its jobs
    wait for the lease (docs/reliability.md).
    """
    host, _sep, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
