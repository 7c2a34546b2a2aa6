"""An asyncio server that says plainly when its port is taken."""

import asyncio
import errno
import sys


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


async def serve(port: int) -> None:
    try:
        server = await asyncio.start_server(handle, "127.0.0.1", port)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            sys.exit(f"port {port} is in use: is another copy running?")
        raise
    async with server:
        await server.serve_forever()
