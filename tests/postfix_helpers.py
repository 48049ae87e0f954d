"""A real Postfix in front of (and behind) the gateway, and OpenDKIM checking what arrives.

`PostfixInstance` writes its own main.cf/master.cf into a temporary folder, listens on loopback
ephemeral ports only and is started with `postfix -c DIR start` (stopped at the end). Every
setting here is the one docs/deploy-postfix.md documents; the interop tests exercise each.

One Postfix plays both roles of a production setup:
  front   (port `front`)    the public MX: accepts mail for the relay domain and hands it to the
                            gateway through the `relay-gateway` transport (transport_maps);
  reinject (port `reinject`) the gateway's smarthost: accepts only from loopback, refuses
                            relay-domain recipients (loop guard), and delivers the rest;
the "internet" behind it is a virtual(8) maildir (`mail/sink/`) that every recipient lands in,
except the domain `bounce.test`, which Postfix's error(8) transport refuses (a DSN goes back).

`DkimDns` answers the one TXT query a verifier makes for the published key, from a local table,
on a private loopback address; `opendkim_verify` runs OpenDKIM's verifier in its own mount
namespace where /etc/resolv.conf points at that responder (root only; nothing else on the
machine sees it).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from pathlib import Path

import dns.message
import dns.rdatatype
import dns.rrset

from tests.ops_helpers import free_port

MASTER_CF = """\
# service type  private unpriv  chroot  wakeup  maxproc command + args
{front_port} inet n - n - - smtpd
  -o syslog_name=postfix/front
  -o smtpd_relay_restrictions=reject_unauth_destination
  -o smtpd_tls_security_level=may
{reinject_port} inet n - n - - smtpd
  -o syslog_name=postfix/reinject
  -o smtpd_client_restrictions=permit_mynetworks,reject
  -o smtpd_recipient_restrictions=$reinject_recipient_restrictions
  -o smtpd_tls_security_level=may
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters
relay-gateway unix - - n - 20 smtp
  -o syslog_name=postfix/relay-gateway
  -o smtp_tls_security_level=none
  -o smtp_helo_name=mx.interop.test
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {d}/queue
data_directory = {d}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = {d}/maillog
maillog_file_prefixes = {d}
myhostname = mx.interop.test
mydomain = interop.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
smtputf8_enable = yes

# The relay domain is handed to the gateway; nothing else is.
relay_domains = {relay_domain}
transport_maps = inline:{{ {{ {relay_domain} = relay-gateway:{next_hops} }},
    {{ bounce.test = error:5.1.1 mailbox unavailable }} }}
relay_recipient_maps =

# Loop guard on the reinjection port: mail the gateway sends never goes to the relay domain.
reinject_recipient_restrictions =
    check_recipient_access inline:{{ {{ {relay_domain} = REJECT 5.7.1 relay domain mail must not come back from the gateway (loop) }} }},
    permit_mynetworks, reject

# Size: Postfix refuses first; the gateway's limit is a little higher for the Received lines.
message_size_limit = {size_limit}

# TLS for clients (STARTTLS on both listeners).
smtpd_tls_cert_file = {d}/etc/tls.crt
smtpd_tls_key_file = {d}/etc/tls.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1

# Stand-in for the internet: every other recipient lands in one maildir.
virtual_mailbox_domains = example.net, example.org
virtual_mailbox_base = {d}/mail
virtual_mailbox_maps = static:sink/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100

# Retry fast in a test (production keeps the defaults).
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
"""


class PostfixInstance:
    """A Postfix with its own config dir, queue and maildir, on loopback ephemeral ports."""

    def __init__(
        self, folder: Path, gateway_ports: list[int], relay_domain: str, size_limit: int = 1_000_000
    ) -> None:
        self.dir = folder
        self.etc = folder / "etc"  # the config directory, kept apart from queue and data
        self.front = free_port()
        self.reinject = free_port()
        self.gateway_ports = gateway_ports  # several: tried in order (Postfix 3.5+)
        self.relay_domain = relay_domain
        self.size_limit = size_limit

    def write(self) -> None:
        """main.cf, master.cf, a self-signed TLS pair, and folders owned as Postfix wants."""
        self.etc.mkdir(parents=True, exist_ok=True)
        (self.etc / "main.cf").write_text(
            MAIN_CF.format(
                d=self.dir,
                relay_domain=self.relay_domain,
                next_hops=", ".join(f"[127.0.0.1]:{port}" for port in self.gateway_ports),
                size_limit=self.size_limit,
            )
        )
        (self.etc / "master.cf").write_text(
            MASTER_CF.format(
                front_port=f"127.0.0.1:{self.front}",
                reinject_port=f"127.0.0.1:{self.reinject}",
                relay_domain=self.relay_domain,
            )
        )
        _self_signed(self.etc / "tls.crt", self.etc / "tls.key")
        for sub in ("queue", "data", "mail"):
            (self.dir / sub).mkdir(exist_ok=True)
        subprocess.run(["chown", "postfix:postfix", str(self.dir / "data")], check=True)
        subprocess.run(["chown", "65534:65534", str(self.dir / "mail")], check=True)

    def postfix(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["postfix", "-c", str(self.etc), *args], capture_output=True, text=True, timeout=60
        )

    def start(self) -> None:
        """`postfix -c DIR start`, then wait until both listeners answer."""
        self.write()
        result = self.postfix("start")
        if result.returncode != 0:
            raise AssertionError(f"postfix start failed: {result.stderr}\n{self.log()}")
        for port in (self.front, self.reinject):
            _wait_port(port, what=f"postfix port {port}", log=self.log)

    def stop(self) -> None:
        """`postfix -c DIR stop` (master and every child)."""
        self.postfix("stop")
        with contextlib.suppress(FileNotFoundError):
            pid = (self.dir / "queue" / "pid" / "master.pid").read_text().strip()
            for _ in range(100):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.05)

    def log(self) -> str:
        path = self.dir / "maillog"
        return path.read_text(errors="replace")[-4000:] if path.exists() else "(no maillog)"

    def delivered(self) -> list[Path]:
        """Files in the sink maildir's new/ folder, oldest first."""
        new = self.dir / "mail" / "sink" / "new"
        return sorted(new.iterdir(), key=lambda p: p.stat().st_mtime) if new.exists() else []


def swaks(port: int, *args: str) -> subprocess.CompletedProcess:
    """The real swaks client against a loopback port."""
    return subprocess.run(
        ["swaks", "--server", f"127.0.0.1:{port}", "--helo", "client.example", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _wait_port(port: int, what: str, log, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} never listened: {log()}")


def _self_signed(cert: Path, key: Path) -> None:
    """A throwaway RSA certificate for mx.interop.test (cryptography, no openssl CLI needed)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mx.interop.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(private, hashes.SHA256())
    )
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o600)
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


class DkimDns:
    """A stub DNS responder on a private loopback address with one table of TXT records."""

    def __init__(self, records: dict[str, str]) -> None:
        self.records = {name.rstrip(".").lower(): text for name, text in records.items()}
        self.queries: list[str] = []
        self.address = ""
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind UDP port 53 on the first free 127.53.x.y (root; no clash with a real resolver)."""
        for last in range(2, 250):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind((f"127.53.{last}.53", 53))
            except OSError:
                sock.close()
                continue
            self._sock, self.address = sock, f"127.53.{last}.53"
            break
        else:
            raise AssertionError("no free 127.53.x.53:53 for the stub DNS responder")
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._running = True
        self._thread.start()

    def _serve(self) -> None:
        while self._running:
            try:
                data, peer = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".").lower()
            self.queries.append(name)
            text = self.records.get(name)
            if text is not None and question.rdtype == dns.rdatatype.TXT:
                chunks = " ".join(f'"{text[i : i + 250]}"' for i in range(0, len(text), 250))
                response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "TXT", chunks))
            else:
                response.set_rcode(3)  # NXDOMAIN
            self._sock.sendto(response.to_wire(), peer)

    def stop(self) -> None:
        self._running = False
        if self._sock is not None:
            self._sock.close()
        if self._thread is not None:
            self._thread.join(2)


def opendkim_verify(message: bytes, dns_address: str, folder: Path) -> subprocess.CompletedProcess:
    """OpenDKIM's `opendkim-testmsg` (verify mode) with resolv.conf pointing at the stub.

    `unshare --mount` gives the verifier a private mount namespace in which a resolv.conf of
    ours is bind-mounted over /etc/resolv.conf; the rest of the machine keeps its resolver.
    """
    resolv = folder / "resolv.conf"
    resolv.write_text(f"nameserver {dns_address}\noptions attempts:1 timeout:2\n")
    script = f"mount --bind {resolv} /etc/resolv.conf && exec opendkim-testmsg"
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", script],
        input=message,
        capture_output=True,
        timeout=30,
    )
