"""Chapter kernels forked from one process that has already imported the libraries.

A fresh Python kernel spends about a second of CPU importing IPython, pandas,
Altair and the rest before a chapter's first line runs, and a build starts a
dozen of them. The build (lacbook.execute) starts one server per run that
imports those libraries once and runs none of the book's code; each chapter's
kernel is a fork of it. A forked kernel is a new process, like a fresh one,
in which only those imports have happened: the chapter's code, the book's
package and the data are all loaded after the fork, in the chapter's
environment and folder, so chapters still share no state.

jupyter_client starts kernels from a kernel spec's command line, and this
module is that command (`kernel_spec`): a small launcher that hands its
arguments, environment, folder and standard streams to the server over a Unix
socket and lives exactly as long as the forked kernel. When the launcher ends
(a shutdown, a timeout, a kill) the server kills its kernel; when the server
ends, ipykernel's parent poller ends the kernels.

usage: python -m lacbook.kernelfork -f CONNECTION_FILE   (the launcher; needs LACBOOK_KERNEL_SERVER)
       python -m lacbook.kernelfork --serve SOCKET       (the server; says "ready" once listening)
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import struct
import sys
import traceback

SERVER = "LACBOOK_KERNEL_SERVER"  # the environment variable naming the server's socket

# What every chapter's kernel imports, directly or through lacbook. A module left out
# costs its import time in each kernel, nothing else; lacbook itself is not loaded here,
# since it reads the chapter's environment (language, data) when it is imported.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython", "pandas", "pandas.io.formats.style",
           "altair", "vl_convert", "babel.numbers", "babel.dates", "babel.messages.pofile", "myst_nb.ext.glue")

HEADER = struct.Struct("!I")  # the request's length, before its JSON


def kernel_spec(python: str = sys.executable) -> dict:
    """The kernel spec (kernel.json) whose command is this module's launcher. Interrupts go as
    messages, since a signal to the launcher would not reach the kernel."""
    return {"argv": [python, "-m", "lacbook.kernelfork", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel, forked)", "language": "python",
            "interrupt_mode": "message", "metadata": {"debugger": True}}


def launch(argv: list[str]) -> int:
    """The launcher: have the server fork a kernel with these arguments, this process's
    environment, folder and standard streams; return the kernel's exit status."""
    path = os.environ.get(SERVER)
    if not path:
        sys.exit(f"lacbook.kernelfork: {SERVER} is not set; the build sets it to its kernel server's socket")
    request = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.connect(path)
        socket.send_fds(server, [HEADER.pack(len(request)) + request], [0, 1, 2])
        status = b""
        while chunk := server.recv(64):
            status += chunk
    if not status:
        sys.exit(f"lacbook.kernelfork: the kernel server ({path}) ended before the kernel did")
    return int(status)


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """One launcher's request and the three standard streams it passed."""
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    if len(data) < HEADER.size or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise ValueError("malformed request")
    (length,) = HEADER.unpack_from(data)
    data = data[HEADER.size:]
    while len(data) < length:
        chunk = conn.recv(length - len(data))
        if not chunk:
            raise ValueError("request cut short")
        data += chunk
    return json.loads(data), fds


def _become_kernel(request: dict, streams: list[int]) -> None:
    """In the forked child, the server's own files closed: take the launcher's streams, folder
    and environment, and run ipykernel as `python -m ipykernel_launcher ARGS` would. Never returns."""
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for target, fd in enumerate(streams):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # ipykernel read JPY_PARENT_PID when the server imported it: name its parent, the server, here.
        sys.argv = ["ipykernel_launcher", *request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        del sys.path[0]  # the server's folder; ipykernel puts the kernel's own back (as ipykernel_launcher does)
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 (the kernel's end, whatever it is, is its exit status)
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def serve(path: str) -> None:
    """The server: import PRELOAD, listen on `path`, fork a kernel per launcher, report each
    kernel's exit status to its launcher, kill a kernel whose launcher is gone. Ends when its
    standard input closes (the build ended), killing the kernels left."""
    import importlib
    import threading

    for name in PRELOAD:
        importlib.import_module(name)
    if threading.active_count() != 1:  # forking a process with threads can copy a held lock
        sys.exit(f"lacbook.kernelfork: importing {', '.join(PRELOAD)} started a thread; the server cannot fork")
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_write)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ, "accept")
    events.register(wake_read, selectors.EVENT_READ, "reap")
    events.register(sys.stdin, selectors.EVENT_READ, "stdin")
    kernels: dict[int, socket.socket | None] = {}  # pid: its launcher's connection (None once gone)
    print("ready", flush=True)
    try:
        while True:
            for key, _ in events.select():
                if key.data == "stdin":
                    if not sys.stdin.buffer.read1(1):
                        return
                elif key.data == "accept":
                    conn, _ = listener.accept()
                    try:
                        request, streams = _receive(conn)
                    except (ValueError, OSError) as error:
                        print(f"lacbook.kernelfork: a launcher's request was refused: {error}", file=sys.stderr)
                        conn.close()
                        continue
                    pid = os.fork()
                    if pid == 0:
                        for own in [events, listener, conn, *(c for c in kernels.values() if c)]:
                            own.close()
                        os.close(wake_read)
                        os.close(wake_write)
                        _become_kernel(request, streams)
                    for fd in streams:
                        os.close(fd)
                    kernels[pid] = conn
                    events.register(conn, selectors.EVENT_READ, pid)
                elif key.data == "reap":
                    os.read(wake_read, 4096)
                    for pid in list(kernels):
                        done, status = os.waitpid(pid, os.WNOHANG)
                        if not done:
                            continue
                        conn = kernels.pop(pid)
                        if conn:
                            events.unregister(conn)
                            try:
                                conn.sendall(str(os.waitstatus_to_exitcode(status)).encode())
                            except OSError:  # its launcher ended meanwhile: nobody left to tell
                                pass
                            conn.close()
                elif kernels.get(key.data) is key.fileobj and not key.fileobj.recv(1):  # the launcher is gone
                    events.unregister(key.fileobj)
                    key.fileobj.close()
                    kernels[key.data] = None
                    os.kill(key.data, signal.SIGKILL)  # not reaped yet, so the pid is still this kernel's
    finally:
        for pid in kernels:
            os.kill(pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"] and len(argv) == 2:
        serve(argv[1])
        return 0
    return launch(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
