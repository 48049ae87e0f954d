"""The production resolver (dnspython's asyncio resolver) against a real DNS server on loopback.

The server is a few lines of dnspython on a UDP socket: it answers from a dict, or says
NXDOMAIN or SERVFAIL, or stays silent (a timeout). No packet leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from gateway.auth.resolver import DnspythonResolver, DnsTemporaryError


class LoopbackDns(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.records = {
            ("example.org.", "TXT"): ['"v=spf1 " "ip4:192.0.2.0/24 -all"'],
            ("mail.example.org.", "A"): ["192.0.2.10"],
            ("example.org.", "MX"): ["10 Mail.Example.org."],
        }
        self.servfail = {"broken.example."}
        self.silent = {"slow.example."}
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        query = dns.message.from_wire(data)
        question = query.question[0]
        name, rdtype = question.name.to_text().lower(), dns.rdatatype.to_text(question.rdtype)
        if name in self.silent:
            return
        response = dns.message.make_response(query)
        if name in self.servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
        elif (name, rdtype) in self.records:
            response.answer.append(
                dns.rrset.from_text(name, 300, "IN", rdtype, *self.records[(name, rdtype)])
            )
        elif not any(key[0] == name for key in self.records):
            response.set_rcode(dns.rcode.NXDOMAIN)
        self.transport.sendto(response.to_wire(), addr)


@pytest.fixture
async def resolver():
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(LoopbackDns, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    yield DnspythonResolver(timeout=0.5, nameservers=["127.0.0.1"], port=port)
    transport.close()


async def test_answers_in_the_interface_shape(resolver):
    assert await resolver.query("Example.ORG.", "TXT") == ("v=spf1 ip4:192.0.2.0/24 -all",)
    assert await resolver.query("mail.example.org", "A") == ("192.0.2.10",)
    assert await resolver.query("example.org", "MX") == ("10 mail.example.org",)


async def test_nxdomain_and_nodata_are_empty(resolver):
    assert await resolver.query("nothing.example", "TXT") == ()
    assert await resolver.query("mail.example.org", "TXT") == ()


async def test_servfail_and_silence_are_temporary(resolver):
    with pytest.raises(DnsTemporaryError):
        await resolver.query("broken.example", "TXT")
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(DnsTemporaryError, match="timeout"):
        await resolver.query("slow.example", "TXT")
    assert loop.time() - started < 3
