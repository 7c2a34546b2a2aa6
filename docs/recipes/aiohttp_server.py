"""aiohttp.web on a sockffi socket."""

import asyncio
import signal

import _serve
from aiohttp import web


async def hello(request: web.Request) -> web.Response:
    return web.Response(body=_serve.body())


async def main() -> None:
    server = _serve.listen()
    watch = _serve.Watch(server)
    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    # [recipe]
    # aiohttp owns the socket from here, and closes it.
    site = web.SockSite(runner, server.to_socket())
    await site.start()
    # [/recipe]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    watch.released()


asyncio.run(main())
