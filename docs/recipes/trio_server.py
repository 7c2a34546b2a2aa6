"""trio's serve_listeners on a sockffi socket."""

import signal

import _serve
import trio


async def handle(stream: trio.SocketStream) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = await stream.receive_some(4096)
        if not chunk:
            return
        data += chunk
    await stream.send_all(_serve.http_reply())
    await stream.aclose()


async def main() -> None:
    server = _serve.listen()
    watch = _serve.Watch(server)
    # [recipe]
    # trio owns the socket from here.
    listener = trio.SocketListener(trio.socket.from_stdlib_socket(server.to_socket()))
    # [/recipe]
    async with trio.open_nursery() as nursery:
        nursery.start_soon(trio.serve_listeners, handle, [listener])
        with trio.open_signal_receiver(signal.SIGTERM) as signals:
            async for _ in signals:
                break
        nursery.cancel_scope.cancel()
    watch.released()


trio.run(main)
