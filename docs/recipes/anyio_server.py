"""anyio's SocketListener on a sockffi socket (on asyncio)."""

import signal

import _serve
import anyio
import anyio.abc


async def handle(stream: anyio.abc.SocketStream) -> None:
    async with stream:
        data = b""
        while b"\r\n\r\n" not in data:
            data += await stream.receive()
        await stream.send(_serve.http_reply())


async def main() -> None:
    server = _serve.listen()
    watch = _serve.Watch(server)
    # [recipe]
    # anyio takes the fd over.
    listener = await anyio.abc.SocketListener.from_socket(server.detach())
    # [/recipe]
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(listener.serve, handle)
        with anyio.open_signal_receiver(signal.SIGTERM) as signals:
            async for _ in signals:
                break
        tasks.cancel_scope.cancel()
    await listener.aclose()
    watch.released()


anyio.run(main)
