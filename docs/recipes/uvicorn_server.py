"""uvicorn serving an ASGI app on a sockffi socket."""

import signal

import _serve
import uvicorn


async def app(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": _serve.body()})


server = _serve.listen()
watch = _serve.Watch(server)
# uvicorn raises the signal it stopped on again once it is done; a handler of
# our own takes it, so that this program can check the fd afterwards.
signal.signal(signal.SIGTERM, lambda signum, frame: None)
# [recipe]
# uvicorn's event loop owns the socket from here, and closes it.
sock = server.to_socket()
uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
# [/recipe]
watch.released()
