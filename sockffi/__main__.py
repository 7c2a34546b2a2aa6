"""``python -m sockffi`` and the ``sockffi`` console script."""

import sys


def main() -> None:
    from .cli import main as run

    sys.exit(run())


if __name__ == "__main__":
    main()
