"""``python -m sockffi`` and the ``sockffi`` console script."""

import signal
import sys


def main() -> None:
    # The start-up's quiet Ctrl-C (sockffi/__init__.py) ends here: from now
    # on a Ctrl-C is a KeyboardInterrupt, which the command handles.
    from . import _STARTING

    try:
        if _STARTING and signal.getsignal(signal.SIGINT) is _STARTING.pop():
            signal.signal(signal.SIGINT, signal.default_int_handler)
        from .cli import main as run

        status = run()
        # Done: a Ctrl-C from here on would only interrupt the interpreter's own
        # shutdown ("Exception ignored on threading shutdown"), so it is ignored.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:  # while starting, or right after the command's work
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if sys.stderr is not None:
            sys.stderr.write("sockffi: interrupted\n")
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    main()
