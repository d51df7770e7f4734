"""Keep a submission's code inside its folder while it is graded.

Autograders such as otter-grader and nbgrader run the student's notebook and the
tests in the same Python process, with the grader's file permissions. :func:`confine`
installs an audit hook (PEP 578; it cannot be removed once installed) that refuses,
for the rest of the process:

* opening a file for writing outside the submission folder, in its ``tests/``
  folder, or with a Python extension (a planted ``gradlab.py`` would shadow the
  grader on import);
* reading notebooks, databases or archives (``.ipynb``, ``.db``, ``.zip``) outside
  the folder: the instructor's source notebook and gradebook;
* creating, removing, renaming or changing the mode of paths outside the folder;
* starting programs (``subprocess``, ``os.system``, ``os.exec*``, ``os.fork``).

It is a guard for a grading run, not a security boundary against native code
(``ctypes``): run untrusted code in a container too (Gradescope does).
"""

from __future__ import annotations

import os
import sys
import tempfile

__all__ = ["confine"]

_PROGRAMS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
             "os.forkpty", "pty.spawn")  # fmt: skip
_PATH_EVENTS = {  # audit event -> positions of its path arguments
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.rename": (0, 1),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.truncate": (0,),
    "os.symlink": (0, 1),
    "os.link": (0, 1),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
    "shutil.move": (0, 1),
    "shutil.copyfile": (1,),
}
_CODE_SUFFIXES = (".py", ".pyc", ".pth", ".so", ".pyd")
_SECRET_SUFFIXES = (".ipynb", ".db", ".zip")
_installed: list[str] = []


def _writes(mode, flags) -> bool:
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    if isinstance(flags, int):
        return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND))
    return False


def confine(folder=None, *, allow=()) -> None:
    """Refuse writes outside ``folder`` (default: the working directory) from now on.

    Parameters
    ----------
    folder : path-like, optional
        The submission folder; its ``tests`` subfolder stays read-only.
    allow : sequence of callables, optional
        ``allow(path) -> bool`` for extra paths that may be written (the grader's
        own result file). By default otter's result pickle, a ``tmp*.pkl`` file
        directly in the system temporary folder, is allowed.
    """
    root = os.path.realpath(os.fspath(folder if folder is not None else os.getcwd()))
    if root in _installed:
        return
    tests = os.path.join(root, "tests")
    temp = os.path.realpath(tempfile.gettempdir())

    def otter_results(path: str) -> bool:
        head, name = os.path.split(path)
        return head == temp and name.startswith("tmp") and name.endswith(".pkl")

    allowed = (otter_results, *allow)

    def within(path) -> bool:
        real = os.path.realpath(os.fsdecode(path))
        return real == root or real.startswith(root + os.sep)

    def inside(path) -> bool:
        if isinstance(path, int):  # a file descriptor already opened
            return True
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        if any(ok(real) for ok in allowed):
            return True
        if real.endswith(_CODE_SUFFIXES) or real == tests or real.startswith(tests + os.sep):
            return False
        return real == root or real.startswith(root + os.sep)

    def hook(event: str, args: tuple) -> None:
        if event == "open" and _writes(args[1], args[2]):
            if not inside(args[0]):
                raise PermissionError(f"grading: writing {args[0]!r} is not allowed")
        elif event == "open" and isinstance(args[0], str | bytes):
            name = os.fsdecode(args[0])
            if name.endswith(_SECRET_SUFFIXES) and not within(name):
                raise PermissionError(f"grading: reading {name!r} is not allowed")
        elif event in _PATH_EVENTS:
            for i in _PATH_EVENTS[event]:
                if i < len(args) and not inside(args[i]):
                    raise PermissionError(f"grading: {event} on {args[i]!r} is not allowed")
        elif event.startswith(_PROGRAMS):
            raise PermissionError(f"grading: {event} is not allowed")

    sys.addaudithook(hook)
    _installed.append(root)
