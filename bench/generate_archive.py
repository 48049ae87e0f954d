"""Fill a database with N realistic archived messages, stored through the real archive API.

Run:  .venv/bin/python bench/generate_archive.py [-n 100000] [--seed 1]
          [--database sqlite|postgresql | --url URL] [--config FILE]
          [--batch 500] [--workers K] [--force]

Import:  populate(engine, settings, n, seed) -> PopulateStats   (other benches call this)

What a generated archive holds, and why it is realistic enough to measure with:
  threads       about n/6 conversations, 2-4 participants each (one client, one or two
                freelancers, sometimes a client's colleague), in 8 languages (en, de, fr, es, pt,
                it, ru, hi), each on one project topic; message counts per thread are skewed
                (most threads short, a few long), times spread over the last two years.
  bodies        greetings, project context and sign-offs from tests/corpus/filler.py; about 14 %
                of messages carry a hand-labelled contact/payment core from the scanner corpus
                (tests/corpus/cases_*.py: spelled-out e-mails, split phone numbers, messenger
                handles, PayPal/IBAN/crypto with checksum-valid values, ...) and about 20 % a
                tricky negative core (ISBNs, VAT ids, order numbers); replies quote the previous
                message. Every message is multipart/alternative text + HTML, or (1 in 5)
                text/plain only, serialised as RFC 5322 bytes with CRLF line ends and the headers
                a provider writes (Received, From, To, Subject, Date, Message-ID, In-Reply-To,
                References, MIME-Version).
  decisions     each message is parsed (gateway.mime.parse), scanned with the real scanner
                (gateway.services.build_scanner(settings)) and decided with gateway.policy.decide
                under settings.policy, exactly as the decide stage does.
  storage       storage.archive.add_message, `batch` messages per transaction, so every content
                hash, chain hash and ledger entry is the one the gateway would have written.
  outgoing      one copy per recipient (none for a rejected message; `held` for a held one).
                SIMPLIFICATION: a copy is the received body with a rewritten header block (relay
                From/To, a relayed Message-ID at the relay domain, mapped In-Reply-To); it has no
                footer, no redaction and no DKIM signature, which the real pipeline would add.
                Its bytes are still distinct from the received ones and hashed separately.

Thread ids are `th_g<seed>_<n>` so a second run with the same seed into the same database stops
with a clear message instead of mixing two archives. Generation and scanning run in `workers`
forked processes (default: up to 2), storing stays in this process (one writer, as the gateway).
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import multiprocessing as mp
import os
import quopri
import random
import secrets
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.progress import (  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from gateway import mime, policy  # noqa: E402
from gateway.addresses import slug  # noqa: E402
from gateway.config import Settings, load_settings, parse_settings  # noqa: E402
from gateway.services import build_scanner  # noqa: E402
from gateway.stages.archive import STATUS_BY_ACTION  # noqa: E402
from storage import migrate  # noqa: E402
from storage.archive import MessageRecord, OutgoingRecord, add_message  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.models import Participant, Thread  # noqa: E402
from tests.corpus.build_corpus import Tokens, load_cases  # noqa: E402
from tests.corpus.case import Case  # noqa: E402
from tests.corpus.filler import LANGS, Lang  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_N = 100_000
MESSAGES_PER_THREAD = 6  # mean
POSITIVE_SHARE = 0.14  # messages whose body carries a contact/payment core
NEGATIVE_SHARE = 0.20  # messages with a look-alike that must NOT be flagged
HTML_SHARE = 0.8  # multipart/alternative; the rest text/plain only
SPAN_DAYS = 730
LANG_WEIGHTS = {"en": 40, "de": 10, "es": 10, "fr": 9, "pt": 9, "it": 8, "ru": 8, "hi": 6}
PROVIDERS = ("mail-ed1-f41.google.com", "mail-oi1-f170.outlook.com", "smtp.fastmail.com")

# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Person:
    """A planned participant; `id` is filled in once the row exists."""

    role: str
    name: str
    address: str
    relay_local: str
    id: int = 0


@dataclass(frozen=True)
class PlannedThread:
    """One conversation: language, topic, subject and the people in it."""

    id: str
    lang: str
    topic: str
    subject: str
    people: tuple[Person, ...]


@dataclass(frozen=True)
class Job:
    """One message to generate: which thread, its position there, and when it arrived."""

    index: int
    thread: int
    seq: int
    at: datetime


@dataclass
class Built:
    """A generated, scanned and decided message, ready for add_message."""

    job: Job
    raw: bytes
    subject: str
    message_id: str
    relayed_id: str
    sender: int
    recipients: list[int]
    copies: list[tuple[int, bytes]]
    findings: list[dict[str, Any]]
    decision: dict[str, Any]
    action: str


@dataclass
class PopulateStats:
    """What populate() wrote and how long it took."""

    messages: int = 0
    threads: int = 0
    deliveries: int = 0
    findings: int = 0
    raw_bytes: int = 0
    seconds: float = 0.0
    actions: Counter = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "threads": self.threads,
            "deliveries": self.deliveries,
            "findings": self.findings,
            "raw_bytes": self.raw_bytes,
            "seconds": round(self.seconds, 2),
            "messages_per_second": round(self.rate, 1),
            "actions": dict(self.actions),
        }


def _usable_cores() -> tuple[dict[str, list[Case]], dict[str, list[Case]]]:
    """(positive, negative) corpus cores per language that sit in the plain body or P.S."""
    positive: dict[str, list[Case]] = {}
    negative: dict[str, list[Case]] = {}
    for case in load_cases():
        if case.where in ("body", "ps") and case.html is None and not case.attach and case.text:
            pile = positive if (case.contact or case.payment) else negative
            pile.setdefault(case.lang, []).append(case)
    return positive, negative


def plan_threads(n: int, seed: int) -> list[PlannedThread]:
    """About n/6 threads with 2-4 participants each, deterministic for a seed."""
    rng = random.Random(f"threads:{seed}")
    count = max(1, n // MESSAGES_PER_THREAD)
    langs, weights = zip(*LANG_WEIGHTS.items(), strict=True)
    threads = []
    for t in range(count):
        lang_name = rng.choices(langs, weights)[0]
        lang = LANGS[lang_name]
        topic = rng.choice(sorted(lang.topics))
        size = rng.choices((2, 3, 4), (70, 22, 8))[0]
        picked = rng.sample(lang.people, k=min(size, len(lang.people)))
        roles = ["client", "freelancer", *rng.choices(("freelancer", "client"), k=size - 2)]
        people = tuple(
            Person(
                role=role,
                name=name,
                address=address.lower(),
                relay_local=f"{slug(name.split()[0])}.{rng.getrandbits(80):020x}",
            )
            for role, (name, address) in zip(roles, picked, strict=False)
        )
        threads.append(
            PlannedThread(
                id=f"th_g{seed:x}_{t:x}",
                lang=lang_name,
                topic=topic,
                subject=rng.choice(lang.topics[topic].subjects),
                people=people,
            )
        )
    return threads


def plan_jobs(n: int, seed: int, thread_count: int, now: datetime) -> list[Job]:
    """n messages over the threads (skewed sizes), in arrival order over the last two years."""
    rng = random.Random(f"jobs:{seed}")
    weights = [rng.paretovariate(1.6) for _ in range(thread_count)]
    owners = list(range(thread_count)) + rng.choices(
        range(thread_count), weights, k=max(0, n - thread_count)
    )
    owners = owners[:n]
    per_thread = Counter(owners)
    jobs = []
    for thread, count in per_thread.items():
        at = now - timedelta(days=rng.uniform(1, SPAN_DAYS))
        for seq in range(count):
            jobs.append(Job(0, thread, seq, min(at, now)))
            at += timedelta(hours=rng.expovariate(1 / 20))
    jobs.sort(key=lambda j: (j.at, j.thread, j.seq))
    return [Job(i, j.thread, j.seq, j.at) for i, j in enumerate(jobs)]


# --------------------------------------------------------------------------- one message


class MessageFactory:
    """Builds, scans and decides messages; one per worker process."""

    def __init__(self, settings: Settings, threads: Sequence[PlannedThread], seed: int) -> None:
        self.settings = settings
        self.threads = threads
        self.seed = seed
        self.scanner = build_scanner(settings)
        self.relay_domain = settings.relay.domain
        self.positives, self.negatives = _usable_cores()

    def relay(self, person: Person) -> str:
        return f"{person.relay_local}@{self.relay_domain}"

    def message_id(self, job_thread: int, seq: int, person: Person) -> str:
        domain = person.address.rpartition("@")[2]
        return f"<g{self.seed:x}.{job_thread:x}.{seq}.{seq * 7919 % 1000:03d}@{domain}>"

    def relayed_id(self, job_thread: int, seq: int) -> str:
        return f"<r{self.seed:x}.{job_thread:x}.{seq}@{self.relay_domain}>"

    def build(self, job: Job) -> Built:
        """The received bytes, one copy per recipient, findings and decision for one job."""
        rng = random.Random(f"msg:{self.seed}:{job.index}")
        thread = self.threads[job.thread]
        lang = LANGS[thread.lang]
        people = thread.people
        sender_i = (job.seq + job.thread) % len(people)
        if len(people) > 2 and rng.random() < 0.3:
            sender_i = rng.randrange(len(people))
        sender = people[sender_i]
        recipients = [i for i in range(len(people)) if i != sender_i]
        previous = people[(job.seq - 1 + job.thread) % len(people)] if job.seq else None
        text, subject = self._body(rng, lang, thread, sender, people[recipients[0]], job, previous)
        body_part = self._mime_body(rng, text)
        message_id = self.message_id(job.thread, job.seq, sender)
        parent = self.message_id(job.thread, job.seq - 1, previous) if previous else ""
        raw = self._received_headers(rng, job, sender, people, recipients, subject, message_id)
        raw += self._threading(parent) + body_part
        findings = self.scanner.scan(mime.parse(raw))
        decision = policy.decide(findings, self.settings.policy)
        relayed_id = self.relayed_id(job.thread, job.seq)
        relayed_parent = self.relayed_id(job.thread, job.seq - 1) if parent else ""
        copies = []
        if decision.action != "reject":
            for r in recipients:
                head = _header_block(
                    [
                        ("From", f'"{sender.name}" <{self.relay(sender)}>'),
                        ("To", f'"{people[r].name}" <{self.relay(people[r])}>'),
                        ("Subject", subject),
                        ("Date", format_datetime(job.at)),
                        ("Message-ID", relayed_id),
                    ]
                )
                copies.append((r, head + self._threading(relayed_parent) + body_part))
        return Built(
            job=job,
            raw=raw,
            subject=subject,
            message_id=message_id,
            relayed_id=relayed_id,
            sender=sender_i,
            recipients=recipients,
            copies=copies,
            findings=[f.as_dict() for f in findings],
            decision={**decision.as_dict(), "dropped_addresses": []},
            action=decision.action,
        )

    def _body(self, rng, lang: Lang, thread, sender, to, job, previous) -> tuple[str, str]:
        """Plain text of the message and its Subject."""
        topic = lang.topics[thread.topic]
        subject = (lang.reply_prefix if job.seq else "") + thread.subject
        paras = [rng.choice(lang.greet).format(to=to.name.split()[0])]
        context = rng.sample(topic.context, k=min(len(topic.context), rng.choice((1, 1, 2, 3))))
        roll = rng.random()
        core = None
        if roll < POSITIVE_SHARE:
            core = rng.choice(self.positives.get(thread.lang) or self.positives["en"])
        elif roll < POSITIVE_SHARE + NEGATIVE_SHARE:
            core = rng.choice(self.negatives.get(thread.lang) or self.negatives["en"])
        core_text = Tokens(rng).fill(core.text) if core else ""
        if core is not None and core.where == "body":
            context.insert(rng.randrange(len(context) + 1), core_text)
        paras += context
        tail = [rng.choice(lang.close) + "\n" + sender.name]
        if rng.random() < 0.4:
            tail[0] += "\n" + rng.choice(lang.roles)
        if core is not None and core.where == "ps":
            tail.append(f"{lang.ps} {core_text}")
        text = "\n\n".join(paras + tail)
        if previous is not None and rng.random() < 0.6:
            quoted = [rng.choice(lang.greet).format(to=sender.name.split()[0])]
            quoted += rng.sample(topic.quoted, k=min(len(topic.quoted), 2))
            intro = rng.choice(lang.quote_intro).format(
                date=rng.choice(lang.dates), name=previous.name, addr=self.relay(previous)
            )
            text += f"\n\n{intro}\n" + "\n>\n".join("> " + q for q in quoted)
        return text + "\n", subject

    def _mime_body(self, rng: random.Random, text: str) -> bytes:
        """MIME headers and body (no top-level RFC 5322 fields): text/plain or text + HTML.

        Written by hand rather than with EmailMessage.set_content: the same bytes a mail client
        writes (UTF-8, quoted-printable for Latin scripts, base64 otherwise), five times faster.
        """
        plain = _text_leaf("plain", text)
        if rng.random() >= HTML_SHARE:
            return b"MIME-Version: 1.0\r\n" + plain
        paras = "".join(
            f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>\n" for p in text.split("\n\n")
        )
        markup = (
            '<html><head><meta charset="utf-8"></head>\n'
            f'<body><div dir="ltr" style="font-family:Arial,sans-serif">\n{paras}</div>'
            "</body></html>\n"
        )
        boundary = f"000000000000{rng.getrandbits(64):016x}".encode()
        return (
            b"MIME-Version: 1.0\r\n"
            b'Content-Type: multipart/alternative; boundary="' + boundary + b'"\r\n\r\n'
            b"--" + boundary + b"\r\n" + plain + b"\r\n"
            b"--" + boundary + b"\r\n" + _text_leaf("html", markup) + b"\r\n"
            b"--" + boundary + b"--\r\n"
        )

    def _received_headers(self, rng, job, sender, people, recipients, subject, message_id):
        """The header block as the sender's provider wrote it (trace fields first)."""
        provider = rng.choice(PROVIDERS)
        stamp = format_datetime(job.at)
        received = (
            f"from {provider} ({provider} [198.51.100.{rng.randrange(2, 250)}])\r\n"
            f"\tby mx.{self.relay_domain} with ESMTPS id {rng.getrandbits(40):010x}\r\n"
            f"\tfor <{self.relay(people[recipients[0]])}>; {stamp}"
        )
        to = ", ".join(f'"{people[r].name}" <{self.relay(people[r])}>' for r in recipients)
        return _header_block(
            [
                ("Received", received),
                ("From", f'"{sender.name}" <{sender.address}>'),
                ("To", to),
                ("Subject", subject),
                ("Date", stamp),
                ("Message-ID", message_id),
            ]
        )

    @staticmethod
    def _threading(parent: str) -> bytes:
        if not parent:
            return b""
        return f"In-Reply-To: {parent}\r\nReferences: {parent}\r\n".encode()


def _header_block(fields: Sequence[tuple[str, str]]) -> bytes:
    """Header lines with CRLF ends; non-ASCII values as RFC 2047 encoded-words."""
    lines = []
    for name, value in fields:
        if not value.isascii():
            if name in ("From", "To"):  # encode the display names only, never the address
                value = ", ".join(_encode_mailbox(v) for v in value.split(", "))
            else:
                value = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
        lines.append(f"{name}: {value}\r\n".encode())
    return b"".join(lines)


def _encode_mailbox(mailbox: str) -> str:
    """'"Zoë Brun" <z@x>' -> '=?utf-8?b?...?= <z@x>'."""
    name, _, address = mailbox.rpartition(" <")
    name = name.strip('"')
    if name.isascii():
        return mailbox
    return f"{Header(name, 'utf-8').encode()} <{address}"


def _text_leaf(subtype: str, text: str) -> bytes:
    """A text/* leaf (headers + body) in UTF-8 with CRLF line ends."""
    crlf = text.replace("\n", "\r\n")
    if text.isascii():
        head = f"Content-Type: text/{subtype}; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit"
        return f"{head}\r\n\r\n{crlf}".encode()
    data = text.encode()
    latin = sum(c < 0x80 for c in data) > 0.8 * len(data)
    if latin:
        body = quopri.encodestring(data).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        cte = "quoted-printable"
    else:
        body = base64.encodebytes(crlf.encode()).replace(b"\n", b"\r\n")
        cte = "base64"
    head = f"Content-Type: text/{subtype}; charset=utf-8\r\nContent-Transfer-Encoding: {cte}"
    return f"{head}\r\n\r\n".encode() + body


# --------------------------------------------------------------------------- workers

_FACTORY: MessageFactory | None = None


def _init_worker(settings: Settings, threads: list[PlannedThread], seed: int) -> None:
    global _FACTORY
    _FACTORY = MessageFactory(settings, threads, seed)


def _build_chunk(jobs: list[Job]) -> list[Built]:
    assert _FACTORY is not None
    return [_FACTORY.build(job) for job in jobs]


def _chunks(items: Sequence[Job], size: int) -> Iterator[list[Job]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --------------------------------------------------------------------------- storing


def _insert_threads(engine: Engine, threads: list[PlannedThread], now: datetime) -> None:
    """Thread and participant rows in batches; fills in each Person's database id."""
    with session_scope(engine) as session:
        first = threads[0].id
        if session.get(Thread, first) is not None:
            raise SystemExit(
                f"the database already holds generated thread {first}: use another --seed "
                "or a fresh database"
            )
    for start in range(0, len(threads), 2000):
        part = threads[start : start + 2000]
        with session_scope(engine) as session:
            session.add_all(
                Thread(
                    id=t.id,
                    subject=t.subject,
                    created_at=now - timedelta(days=SPAN_DAYS + 1),
                )
                for t in part
            )
            session.flush()
            rows = [
                (i, Participant(thread_id=t.id, role=p.role, display_name=p.name,
                                address=p.address, relay_local=p.relay_local))
                for i, t in enumerate(part, start)
                for p in t.people
            ]  # fmt: skip
            session.add_all(r for _, r in rows)
            session.flush()
            ids: dict[int, list[int]] = {}
            for i, row in rows:
                ids.setdefault(i, []).append(row.id)
        for i, row_ids in ids.items():
            t = threads[i]
            threads[i] = PlannedThread(
                t.id,
                t.lang,
                t.topic,
                t.subject,
                tuple(
                    Person(p.role, p.name, p.address, p.relay_local, pid)
                    for p, pid in zip(t.people, row_ids, strict=True)
                ),
            )


def _store_chunk(
    engine: Engine,
    domain: str,
    threads: list[PlannedThread],
    built: list[Built],
    stats: PopulateStats,
) -> None:
    """One transaction for a chunk of messages, through storage.archive.add_message."""
    with session_scope(engine) as session:
        for b in built:
            thread = threads[b.job.thread]
            sender = thread.people[b.sender]
            held = b.action == "hold"
            outgoing = [
                OutgoingRecord(
                    recipient=thread.people[r].address,
                    recipient_id=thread.people[r].id,
                    envelope_from=f"bounces+{token}@{domain}",
                    verp_token=token,
                    data=data,
                    relayed_message_id=b.relayed_id,
                    status="held" if held else "delivered",
                )
                for r, data in b.copies
                for token in [secrets.token_hex(10)]
            ]
            add_message(
                session,
                MessageRecord(
                    thread_id=thread.id,
                    raw=b.raw,
                    sender_id=sender.id,
                    received_at=b.job.at,
                    mail_from=sender.address,
                    rcpt_tos=tuple(
                        f"{thread.people[r].relay_local}@{domain}" for r in b.recipients
                    ),
                    peer="198.51.100.7",
                    helo="mail.example.net",
                    tls=True,
                    subject=b.subject,
                    original_message_id=b.message_id,
                    relayed_message_id=b.relayed_id,
                    status=STATUS_BY_ACTION.get(b.action, "accepted"),
                    action=b.action,
                    decision=b.decision,
                    findings=tuple(b.findings),
                ),
                outgoing,
            )
            stats.messages += 1
            stats.deliveries += len(outgoing)
            stats.findings += len(b.findings)
            stats.raw_bytes += len(b.raw)
            stats.actions[b.action] += 1


def populate(
    engine: Engine,
    settings: Settings,
    n: int = DEFAULT_N,
    seed: int = 1,
    *,
    batch: int = 500,
    workers: int | None = None,
    console: Console | None = None,
    now: datetime | None = None,
) -> PopulateStats:
    """Archive `n` generated messages into a migrated database; return what was written.

    `workers` processes build and scan (default: min(2, CPUs); 0 builds in this process).
    `console` shows a progress bar (None: quiet). Deterministic for a seed, except the
    VERP tokens, which are random as in the gateway.
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    stats = PopulateStats()
    threads = plan_threads(n, seed)
    jobs = plan_jobs(n, seed, len(threads), now)
    _insert_threads(engine, threads, now)
    stats.threads = len(threads)
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    progress = _progress(console)
    with progress:
        task = progress.add_task("archiving", total=n, rate="")
        if workers <= 0:
            _init_worker(settings, threads, seed)
            results: Iterator[list[Built]] = map(_build_chunk, _chunks(jobs, batch))
            pool = None
        else:
            pool = mp.get_context("fork").Pool(
                workers, initializer=_init_worker, initargs=(settings, threads, seed)
            )
            results = pool.imap(_build_chunk, _chunks(jobs, batch))
        try:
            for built in results:
                _store_chunk(engine, settings.relay.domain, threads, built, stats)
                elapsed = time.perf_counter() - started
                progress.update(
                    task, advance=len(built), rate=f"{stats.messages / elapsed:,.0f} msg/s"
                )
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
    stats.seconds = time.perf_counter() - started
    return stats


def _progress(console: Console | None) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console or Console(quiet=True),
        disable=console is None,
    )


# --------------------------------------------------------------------------- command line

DEFAULT_SETTINGS = """
[platform]
name = "GigBridge"
domains = ["gigbridge.io"]
support_url = "https://gigbridge.io/help"

[relay]
domain = "relay.gigbridge.io"
"""


def default_settings() -> Settings:
    """The example platform with the shipped default policy and scanner options."""
    return parse_settings(DEFAULT_SETTINGS, source="generate_archive.py", base_dir=ROOT)


def _database_url(args: argparse.Namespace) -> str:
    """--url, or a fresh SQLite file under bench/results/, or a fresh PostgreSQL schema."""
    if args.url:
        return args.url
    if args.database == "postgresql":
        import psycopg

        schema = f"gen_{secrets.token_hex(4)}"
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        base = args.pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
        return f"{base}?options=-csearch_path%3D{schema}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"archive-{args.n}-seed{args.seed}.db"
    if path.exists():
        if not args.force:
            raise SystemExit(f"{path} exists: pass --force to replace it, or --url")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=DEFAULT_N, help="messages (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", help="an existing database URL (migrated first)")
    parser.add_argument("--pg-url", default=PG_DEFAULT, help="server for --database postgresql")
    parser.add_argument("--config", type=Path, help="gateway config: policy, scanner, relay")
    parser.add_argument("--batch", type=int, default=500, help="messages per transaction")
    parser.add_argument("--workers", type=int, default=None, help="build/scan processes")
    parser.add_argument("--force", action="store_true", help="replace an existing SQLite file")
    args = parser.parse_args(argv)
    console = Console()
    settings = load_settings(args.config) if args.config else default_settings()
    url = _database_url(args)
    engine = make_engine(url, synchronous="NORMAL")
    migrate.upgrade(engine)
    try:
        stats = populate(
            engine, settings, args.n, args.seed, batch=args.batch, workers=args.workers,
            console=console,
        )  # fmt: skip
    finally:
        engine.dispose()
    table = Table("what", "value", title=f"generated archive ({engine.dialect.name})")
    for key, value in stats.as_dict().items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
    console.print(table)
    console.print(f"database: {url}", markup=False, soft_wrap=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"generate-{engine.dialect.name}-{int(time.time())}.json"
    out.write_text(json.dumps({"url": url, "seed": args.seed, **stats.as_dict()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
