"""A raw SMTP client on asyncio streams, for tests that must control every byte and every pause.

smtplib normalises line ends and dot-stuffs; slow-loris and smuggling tests need to send exactly
the bytes they mean, when they mean, and read exactly what the server answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from tests.conftest import Running, make_settings


@dataclass
class Reply:
    code: int
    text: str

    @property
    def enhanced(self) -> str:
        return self.text.split(" ", 1)[0]


class RawClient:
    """One TCP connection to the gateway; `command` sends a line and reads the reply."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, running: Running) -> tuple[RawClient, Reply]:
        reader, writer = await asyncio.open_connection(running.host, running.port, limit=2**20)
        client = cls(reader, writer)
        return client, await client.reply()

    async def reply(self, timeout: float = 15) -> Reply:
        """One (possibly multi-line) reply; code 0 when the server closed the connection."""
        lines = []
        async with asyncio.timeout(timeout):
            while True:
                line = await self.reader.readline()
                if not line:
                    return Reply(0, "connection closed")
                lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))
                if len(line) < 4 or line[3:4] != b"-":
                    break
        last = lines[-1]
        return Reply(int(last[:3]), "\n".join(x[4:] for x in lines))

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def command(self, line: str) -> Reply:
        await self.send(line.encode() + b"\r\n")
        return await self.reply()

    async def transaction(self, mail_from: str, rcpts: list[str], data: bytes) -> Reply:
        """MAIL, RCPT..., DATA with `data` sent exactly as given (it must end with CRLF.CRLF)."""
        reply = await self.command(f"MAIL FROM:<{mail_from}>")
        if reply.code != 250:
            return reply
        for rcpt in rcpts:
            reply = await self.command(f"RCPT TO:<{rcpt}>")
            if reply.code != 250:
                return reply
        reply = await self.command("DATA")
        if reply.code != 354:
            return reply
        await self.send(data)
        return await self.reply(timeout=120)

    async def closed(self, timeout: float = 10) -> bool:
        """True once the server has closed the connection (EOF)."""
        async with asyncio.timeout(timeout):
            while await self.reader.read(65536):
                pass
        return True

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()


def crlf(text: str) -> bytes:
    """Text with LF line ends -> CRLF bytes ending in the DATA end marker."""
    return text.replace("\n", "\r\n").encode() + b".\r\n"


async def gateway_with(start_gateway, db_url, tmp_path, dkim_key, sink=None, **sections):
    """A gateway with extra config sections, delivering to `sink` when given."""
    if sink is not None:
        sections["delivery__smtp"] = {"port": sink.port, **sections.get("delivery__smtp", {})}
    return await start_gateway(make_settings(db_url, tmp_path, dkim_key[0], **sections))
