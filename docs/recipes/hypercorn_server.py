"""hypercorn serving an ASGI app on a sockffi socket."""

import asyncio
import signal

import _serve
from hypercorn.asyncio import serve
from hypercorn.config import Config


async def app(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": _serve.body()})


async def main() -> None:
    server = _serve.listen()
    watch = _serve.Watch(server)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    # [recipe]
    config = Config()
    # hypercorn adopts the fd (socket(fileno=...)) and closes it.
    config.bind = [f"fd://{server.detach()}"]
    await serve(app, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]
    # [/recipe]
    watch.released()


asyncio.run(main())
