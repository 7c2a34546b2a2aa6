"""asyncio's start_server on a sockffi socket."""

import asyncio
import signal
import socket

import _serve


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(_serve.http_reply())
    await writer.drain()
    writer.close()


async def main() -> None:
    server = _serve.listen()
    watch = _serve.Watch(server)
    # [recipe]
    sock = server.to_socket()  # asyncio owns the socket from here, and closes it
    if sock.family == socket.AF_UNIX:
        aserver = await asyncio.start_unix_server(handle, sock=sock)
    else:
        aserver = await asyncio.start_server(handle, sock=sock)
    # [/recipe]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with aserver:
        await stop.wait()
    watch.released()


asyncio.run(main())
