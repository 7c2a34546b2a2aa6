"""tornado's HTTPServer on a sockffi socket."""

import asyncio
import signal

import _serve
import tornado.web
from tornado.httpserver import HTTPServer


class Hello(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write(_serve.body())


async def main() -> None:
    server = _serve.listen(nonblocking=True)  # tornado needs a non-blocking socket
    watch = _serve.Watch(server)
    # [recipe]
    http = HTTPServer(tornado.web.Application([("/", Hello)]))
    # tornado owns the socket from here, and closes it on stop().
    http.add_sockets([server.to_socket()])
    # [/recipe]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    http.stop()
    await http.close_all_connections()
    watch.released()


asyncio.run(main())
