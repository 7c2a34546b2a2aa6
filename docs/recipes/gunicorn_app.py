"""The WSGI app gunicorn_server.py runs."""

import os


def app(environ: dict, start_response) -> list:  # type: ignore[no-untyped-def]
    body = f"hello from gunicorn_server {os.getppid()}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
