"""Postfix as a plain relay on loopback, from a temporary config folder: the MTA baseline.

Why Postfix: it is what operators already run in front of (and behind) the gateway, so "no
slower than Postfix relaying the same load" is the bar the scale issue sets. This starts a
private instance (`postfix -c DIR start`) with its own queue and data folders, listening on an
ephemeral 127.0.0.1 port, relaying everything from 127.0.0.0/8 to one next hop (the bench's
counting sink) with no DNS, no local delivery and no chroot. It never touches the system
instance's /etc/postfix or port 25. Needs root (Postfix's master runs as root and drops to the
`postfix` user); Debian's postfix package provides the binaries.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

SYSTEM_MASTER_CF = Path("/etc/postfix/master.cf")
SERVICE_LINE = re.compile(r"^(\S+)(\s+)(inet|unix|unix-dgram|fifo|pass)\s")


class PostfixError(RuntimeError):
    """Postfix could not be started or stopped; the message says what to check."""


def free_port() -> int:
    """A free loopback TCP port (closed again at once; Postfix binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main_cf(folder: Path, relay_port: int) -> str:
    """A relay-only main.cf: accept from loopback, send everything to [127.0.0.1]:relay_port."""
    return f"""\
compatibility_level = 3.6
queue_directory = {folder}/queue
data_directory = {folder}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = postfix.bench
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:{relay_port}
disable_dns_lookups = yes
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = none
message_size_limit = 52428800
maillog_file_prefixes = {folder}
maillog_file = {folder}/maillog
biff = no
"""


def master_cf(listen_port: int) -> str:
    """Debian's master.cf with smtpd on the given loopback port and chroot off everywhere."""
    lines = []
    for line in SYSTEM_MASTER_CF.read_text().splitlines():
        match = SERVICE_LINE.match(line)
        if match is None:
            lines.append(line)
            continue
        fields = line.split()
        if fields[0] == "smtp" and fields[1] == "inet":
            fields[0] = f"127.0.0.1:{listen_port}"
        if fields[0] in ("submission", "smtps", "628"):
            continue
        fields[4] = "n"  # chroot: the temporary queue has no etc/ copies for a chroot
        lines.append(" ".join(fields))
    return "\n".join(lines) + "\n"


class PostfixRelay:
    """One private Postfix instance; `start()` returns its SMTP port, `stop()` shuts it down."""

    def __init__(self, folder: Path, relay_port: int) -> None:
        self.folder = folder
        self.conf = folder / "conf"
        self.relay_port = relay_port
        self.port = 0

    def _postfix(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        # Postfix only prints its errors to a terminal; with `script` they land in the output.
        command = " ".join(["postfix", "-c", str(self.conf), *argv])
        done = subprocess.run(
            ["script", "-qec", command, "/dev/null"], capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise PostfixError(f"`{command}` failed: {done.stdout.strip()} {done.stderr.strip()}")
        return done

    def start(self) -> int:
        if shutil.which("postfix") is None:
            raise PostfixError("postfix is not installed (Debian: apt-get install postfix)")
        if os.geteuid() != 0:
            raise PostfixError("a private Postfix instance needs root (its master runs as root)")
        for sub in ("conf", "queue", "data"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        shutil.chown(self.folder / "data", user="postfix")
        self.port = free_port()
        (self.conf / "main.cf").write_text(main_cf(self.folder, self.relay_port))
        (self.conf / "master.cf").write_text(master_cf(self.port))
        self._postfix("check")
        self._postfix("start")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self.port
            time.sleep(0.1)
        raise PostfixError(f"Postfix did not listen on 127.0.0.1:{self.port}; see {self.log}")

    @property
    def log(self) -> Path:
        return self.folder / "maillog"

    @property
    def master_pid(self) -> int | None:
        try:
            return int((self.folder / "queue" / "pid" / "master.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def queue_count(self) -> int:
        """Messages still in Postfix's queue (incoming + active + deferred)."""
        total = 0
        for name in ("incoming", "active", "deferred", "maildrop"):
            base = self.folder / "queue" / name
            if base.exists():
                total += sum(len(files) for _, _, files in os.walk(base))
        return total

    def stop(self) -> None:
        pid = self.master_pid
        self._postfix("stop", check=False)
        deadline = time.monotonic() + 15
        while pid is not None and time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        if pid is not None:
            self._postfix("abort", check=False)
