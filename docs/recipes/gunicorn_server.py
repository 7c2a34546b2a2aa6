"""gunicorn (a separate process) serving a WSGI app on a sockffi socket."""

import os
import signal
import subprocess
import sys

import _serve

import sockffi

server = _serve.listen()
watch = _serve.Watch(server)
here = os.path.dirname(os.path.abspath(__file__))
# [recipe]
fd = server.detach()  # a unix socket's file stays: gunicorn serves on it
# pass_fds gives gunicorn its own copy of the fd (inheritable in the child
# whatever its flag says here); gunicorn takes that copy over (fd://N).
command = [sys.executable, "-m", "gunicorn", "--workers", "2", "gunicorn_app:app"]
gunicorn = subprocess.Popen([*command, "--bind", f"fd://{fd}"], pass_fds=[fd], cwd=here)
sockffi.close(fd)  # this process's copy; gunicorn's stays open
# [/recipe]
signal.signal(signal.SIGTERM, lambda signum, frame: gunicorn.terminate())
gunicorn.wait()
watch.released()
