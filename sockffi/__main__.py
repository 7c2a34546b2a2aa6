"""``python -m sockffi`` and the ``sockffi`` console script."""

import signal
import sys


def main() -> None:
    try:
        from .cli import main as run

        status = run()
        # Done: a Ctrl-C from here on would only interrupt the interpreter's own
        # shutdown ("Exception ignored on threading shutdown"), so it is ignored.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:  # while starting, or right after the command's work
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    main()
