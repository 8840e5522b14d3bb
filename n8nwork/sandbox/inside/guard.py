"""The walls of a sandboxed child: the import allow-list, an empty root and ``nobody`` (when
root), rlimits, calls without audit events taken out of ``os``/``posix``/``_imp``, the
default-deny audit hook, and builtins without ``open``/``input`` and with a guarded
``__import__``. Imports nothing from n8nwork (it runs inside the sandbox)."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

# Modules user code may import. All are computation-only: no files, no network, no processes,
# no threads, no interpreter introspection. Left out on purpose: os, sys, importlib, gc,
# inspect, types, ctypes, pickle, marshal, threading, multiprocessing, asyncio, socket, ssl,
# select, signal, resource, pathlib, shutil, tempfile, glob, zipfile/tarfile/gzip/zlib
# (decompression bombs), sqlite3, urllib.request, http, email, subprocess, pty, code.
# (io is here for StringIO/BytesIO; opening files through it is refused by the audit hook.)
ALLOWED_MODULES = frozenset(
    {
        "base64",
        "binascii",
        "bisect",
        "calendar",
        "cmath",
        "collections",
        "collections.abc",
        "copy",
        "csv",
        "dataclasses",
        "datetime",
        "decimal",
        "difflib",
        "enum",
        "fractions",
        "functools",
        "hashlib",
        "heapq",
        "hmac",
        "html",
        "html.entities",
        "html.parser",
        "io",
        "ipaddress",
        "itertools",
        "json",
        "math",
        "numbers",
        "operator",
        "pprint",
        "random",
        "re",
        "secrets",
        "statistics",
        "string",
        "struct",
        "textwrap",
        "time",
        "typing",
        "unicodedata",
        "urllib",
        "urllib.parse",
        "uuid",
        "zoneinfo",
    }
)

# Imported at run time by the C code of allowed modules (through the builtins of the calling
# frame, i.e. our guarded __import__): datetime.strptime needs _strptime, str.encode needs
# the codecs. Harmless, preloaded, and allowed through the guard but not advertised.
INTERNAL_MODULES = frozenset({"_strptime", "_uuid", "_json", "encodings"})

# Loaded by the zygote for its own work; removed from sys.modules in children, so that even a
# recovered real __import__ would have to load them again (and the audit hook refuses that).
ZYGOTE_ONLY_MODULES = ("socket", "_socket", "select", "selectors", "signal")

NOBODY = 65534


class SandboxViolation(PermissionError):
    """Raised by the audit hook when user code attempts something the sandbox refuses."""


class SandboxImportError(ImportError):
    """Raised by the sandbox's ``__import__`` for modules outside the allow-list."""


def lock_down(out_fd: int, devnull: int, limits: dict[str, Any]) -> None:
    """Make this process a sandbox: nothing open but stdio (/dev/null) and ``out_fd``,
    ``nobody`` when root, rlimits, no zygote-only modules, the audit hook."""
    import resource
    import signal

    for fd in (0, 1, 2):
        if fd != out_fd:
            os.dup2(devnull, fd)
    keep = {0, 1, 2, out_fd}
    for fd in _open_fds():
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)
    if os.geteuid() == 0:
        _enter_empty_root()
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    _disarm_unaudited_file_calls()
    cpu = max(1, int(-(-float(limits["cpu_seconds"]) // 1)))
    memory = int(limits["memory_mb"]) * 1024 * 1024
    settings = [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_NOFILE, (int(limits.get("open_files", 16)),) * 2),
        (resource.RLIMIT_FSIZE, (0, 0)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_NPROC, (0, 0)),
    ]
    for which, value in settings:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, value)
    # A backstop for the parent's wall clock: SIGALRM ends this process even if the parent
    # and the zygote are gone.
    signal.alarm(max(1, int(-(-float(limits.get("wall_seconds", 60)) // 1))) + 2)
    for name in ZYGOTE_ONLY_MODULES:
        sys.modules.pop(name, None)
    install_audit_hook()


_JAIL_PARENTS = ("/tmp", "/dev/shm", "/var/tmp", "/run")


def _enter_empty_root() -> None:
    """chroot into a fresh directory that is deleted at once: the file system is gone for
    this process (no /etc, no /proc, no data directory, nowhere to create anything), also
    for the calls the audit hook never hears of (``os.stat``, ``os.mkfifo``, ``os.mknod``).
    Needs root; the caller drops privileges right after."""
    name = f".n8nwork-jail-{os.getpid()}-{os.urandom(8).hex()}"
    for parent in _JAIL_PARENTS:
        path = os.path.join(parent, name)
        try:
            os.mkdir(path, 0o000)
        except OSError:
            continue
        break
    else:  # a read-only file system: the walls without root's (see the module docstring)
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    finally:
        os.rmdir(path)
    try:
        os.fchdir(fd)
        os.chroot(".")
        os.chdir("/")
    finally:
        os.close(fd)


# File-system calls that raise no audit event but create or probe files. Without root (no
# chroot) they are taken out of ``os`` and ``posix``; with root the empty root refuses them.
_UNAUDITED_FILE_CALLS = (
    "mkfifo",
    "mknod",
    "stat",
    "lstat",
    "access",
    "readlink",
    "statvfs",
    "pathconf",
    "chroot",
)
# Ways to a fresh copy of a built-in module (``posix`` with the calls above intact) or to a
# native library, and to signal a process by pidfd: none raises an audit event.
_UNAUDITED_LOADERS = (
    ("_imp", ("create_builtin", "create_dynamic", "exec_builtin", "exec_dynamic")),
    ("posix", ("pidfd_open",)),
    ("os", ("pidfd_open",)),
    ("_signal", ("pidfd_send_signal",)),
    ("signal", ("pidfd_send_signal",)),
)


def _disarm_unaudited_file_calls() -> None:
    """Take out of the loaded modules the calls the audit hook never hears of."""

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise SandboxViolation("access to files is not allowed")

    def refuse(what: str) -> Any:
        message = f"'{what}' is not allowed in the sandbox"

        def refused_call(*args: Any, **kwargs: Any) -> Any:
            raise SandboxViolation(message)

        return refused_call

    for module in (os, sys.modules.get("posix")):
        for name in _UNAUDITED_FILE_CALLS:
            if module is not None and hasattr(module, name):
                setattr(module, name, refused)
    for module_name, names in _UNAUDITED_LOADERS:
        loaded = sys.modules.get(module_name)
        for name in names:
            if loaded is not None and hasattr(loaded, name):
                setattr(loaded, name, refuse(f"{module_name}.{name}"))


def _open_fds() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 256))


def install_audit_hook() -> None:
    """Install the default-deny audit hook. Its state lives only in its closure (frozensets
    and strings), and it calls no module-level function that user code could replace."""
    allowed_events = frozenset(
        {
            "exec",
            "compile",
            "builtins.id",
            "sys._getframe",
            "sys._getframemodulename",
            "object.__getattr__",
            "object.__delattr__",
            "time.sleep",
            "random.seed",
            "array.__new__",
            "function.__new__",
            "sys.excepthook",
        }
    )
    file_events = frozenset(
        {
            "open",
            "os.listdir",
            "os.scandir",
            "os.walk",
            "os.fwalk",
            "os.chdir",
            "os.chmod",
            "os.chown",
            "os.chflags",
            "os.link",
            "os.symlink",
            "os.mkdir",
            "os.remove",
            "os.rename",
            "os.rmdir",
            "os.truncate",
            "os.utime",
            "os.lockf",
            "os.getxattr",
            "os.setxattr",
            "os.listxattr",
            "os.removexattr",
            "glob.glob",
            "glob.glob/2",
            "shutil.copyfile",
            "shutil.copymode",
            "shutil.copystat",
            "shutil.copytree",
            "shutil.chown",
            "shutil.make_archive",
            "shutil.move",
            "shutil.rmtree",
            "shutil.unpack_archive",
            "tempfile.mkstemp",
            "tempfile.mkdtemp",
            "pathlib.Path.glob",
            "pathlib.Path.rglob",
            "setopencode",
            "mmap.__new__",
            "fcntl.fcntl",
            "fcntl.ioctl",
            "fcntl.flock",
            "fcntl.lockf",
        }
    )
    process_events = frozenset(
        {
            "os.system",
            "os.exec",
            "os.fork",
            "os.forkpty",
            "os.posix_spawn",
            "os.spawn",
            "os.startfile",
            "pty.spawn",
            "subprocess.Popen",
        }
    )
    signal_events = frozenset({"os.kill", "os.killpg", "signal.pthread_kill"})
    env_events = frozenset({"os.putenv", "os.unsetenv"})
    allowed_imports = ALLOWED_MODULES | INTERNAL_MODULES
    violation = SandboxViolation
    startswith = str.startswith
    str_type = str
    type_of = type
    length = len

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in allowed_events:
            return
        if event == "object.__setattr__":
            if length(args) > 1 and args[1] == "__code__":
                raise violation("replacing code objects is not allowed")
            return
        if event == "import":
            name: Any = args[0] if length(args) else None
            if type_of(name) is not str_type:  # never format what user code may control
                raise violation("import is not allowed")
            if name in allowed_imports or startswith(name, "encodings."):
                return
            raise violation(f"import of '{name}' is not allowed")
        if event in file_events:
            raise violation("access to files is not allowed")
        if event in process_events:
            raise violation("starting processes is not allowed")
        if event in signal_events:
            raise violation("sending signals is not allowed")
        if event in env_events:
            raise violation("changing the environment is not allowed")
        if startswith(event, "socket.") or startswith(event, "http.") or event == "urllib.Request":
            raise violation("network access is not allowed")
        if startswith(event, "ctypes."):
            raise violation("ctypes is not allowed")
        if event == "code.__new__" or startswith(event, "marshal."):
            raise violation("creating code objects is not allowed")
        raise violation(f"'{event}' is not allowed in the sandbox")

    sys.addaudithook(hook)


_REMOVED_BUILTINS = frozenset(
    {"open", "input", "breakpoint", "exit", "quit", "help", "license", "credits", "copyright"}
)


def safe_builtins() -> dict[str, Any]:
    import builtins

    real_import = builtins.__import__
    allowed = ALLOWED_MODULES | INTERNAL_MODULES
    module_type = type(sys)

    def guarded_import(
        name: str,
        globals: Any = None,
        locals: Any = None,
        fromlist: Any = (),
        level: int = 0,
    ) -> Any:
        if level:
            raise SandboxImportError("relative imports are not allowed")
        if name not in allowed and not name.startswith("encodings."):
            raise SandboxImportError(f"import of '{name}' is not allowed")
        module = real_import(name, globals, locals, fromlist, level)
        for attr in fromlist or ():
            if attr == "*":
                continue
            full = f"{name}.{attr}"
            value = getattr(module, attr, None)
            if isinstance(value, module_type) and value.__name__ not in allowed:
                raise SandboxImportError(f"import of '{value.__name__}' is not allowed")
            if value is None and hasattr(module, "__path__") and full not in allowed:
                raise SandboxImportError(f"import of '{full}' is not allowed")
        return module

    safe = {k: v for k, v in vars(builtins).items() if k not in _REMOVED_BUILTINS}
    safe["__import__"] = guarded_import
    return safe
