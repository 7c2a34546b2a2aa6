"""``python -m sockffi`` and the ``sockffi`` console script."""

import sys


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:  # Ctrl-C while starting: no traceback for that
        sys.exit(130)
    sys.exit(run())


if __name__ == "__main__":
    main()
