"""``python -m sockffi`` and the ``sockffi`` console script."""

import sys


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:  # Ctrl-C while starting: no traceback for that
        sys.exit(130)
    status = run()
    # Done: a Ctrl-C now would only interrupt the interpreter's own shutdown
    # ("Exception ignored on threading shutdown"), so it is ignored from here.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(status)


if __name__ == "__main__":
    main()
