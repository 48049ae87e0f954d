"""`gateway archive verify`: recompute every ledger entry and every content hash from the rows.

Why a separate module: appending (storage.ledger) must stay small and fast on the SMTP path;
checking is a batch job that streams the archive a page of threads at a time (entries, then the
referenced rows in chunks), so 100,000 messages never sit in memory at once.

What it names (each `Problem` has thread, seq, kind, ref and a sentence):
  changed    an entry's fields no longer hash to its stored hash; a body, decision, finding,
             envelope, recipient or audit event no longer matches the entry's content hash;
             sealed bytes that fail authentication
  removed    a link points to no entry (records deleted from the chain), the chain is shorter
             than the thread says, or the row an entry names is gone
  inserted   a message or outgoing copy that no entry names; an entry the thread head skips
  reordered  an entry that hashes correctly only at another position; a body that is the one
             recorded for another record of the thread (bodies swapped)
Purged and erased bodies are not problems: they are counted ("body purged, hash kept"); the
entry and the content hash kept in the row still verify.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from storage import bodies, ledger
from storage.db import session_scope
from storage.models import AuditEvent, Delivery, Finding, LedgerEntry, Message, Thread

THREAD_PAGE = 200
ROW_CHUNK = 500
ENTRY_COLUMNS = (
    LedgerEntry.thread_id, LedgerEntry.seq, LedgerEntry.kind, LedgerEntry.ref,
    LedgerEntry.content_sha256, LedgerEntry.meta, LedgerEntry.at, LedgerEntry.prev_hash,
    LedgerEntry.hash,
)  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the record."""

    thread_id: str
    seq: int | None
    kind: str
    ref: str
    what: str  # changed | removed | inserted | reordered
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "thread": self.thread_id,
            "seq": self.seq,
            "kind": self.kind,
            "ref": self.ref,
            "what": self.what,
            "detail": self.detail,
        }


@dataclass
class VerifyReport:
    """The outcome of one verification run."""

    threads: int = 0
    records: int = 0
    purged: int = 0
    erased: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "threads": self.threads,
            "records": self.records,
            "bodies_purged": self.purged,
            "bodies_erased": self.erased,
            "seconds": round(self.seconds, 3),
            "records_per_second": round(self.rate, 1),
            "problems": [p.as_dict() for p in self.problems],
        }


Progress = Callable[[int, int], None]


def count_records(engine: Engine, thread_id: str | None = None) -> int:
    """How many ledger entries a run will check (for a progress bar's total)."""
    with session_scope(engine) as session:
        query = select(func.count()).select_from(LedgerEntry)
        if thread_id is not None:
            query = query.where(LedgerEntry.thread_id == thread_id)
        return session.execute(query).scalar_one()


def verify_archive(
    engine: Engine, *, thread_id: str | None = None, progress: Progress | None = None
) -> VerifyReport:
    """Check every thread (or one) and return the report; never raises on tampering."""
    started = time.perf_counter()
    report = VerifyReport()
    total = count_records(engine, thread_id)
    for page in _thread_pages(engine, thread_id):
        with session_scope(engine) as session:
            _verify_page(session, page, report)
        report.threads += len(page)
        if progress is not None:
            progress(report.records, total)
    report.seconds = time.perf_counter() - started
    return report


def _thread_pages(engine: Engine, thread_id: str | None) -> Iterator[list[Any]]:
    """(id, chain_head, chain_length) of the threads, a page at a time, by id."""
    last = ""
    while True:
        with session_scope(engine) as session:
            query = select(Thread.id, Thread.chain_head, Thread.chain_length)
            if thread_id is not None:
                query = query.where(Thread.id == thread_id)
            rows = session.execute(
                query.where(Thread.id > last).order_by(Thread.id).limit(THREAD_PAGE)
            ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id
        if thread_id is not None:
            return


def _chunks(items: list, size: int = ROW_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fetch(session, columns: Iterable[Any], key: Any, ids: list) -> dict[Any, Any]:
    """Rows by primary key, fetched in chunks."""
    found: dict[Any, Any] = {}
    for chunk in _chunks(sorted(set(ids))):
        for row in session.execute(select(*columns).where(key.in_(chunk))):
            found[row[0]] = row
    return found


def _ref_id(ref: str, prefix: str) -> int | None:
    name, _, value = ref.partition(":")
    return int(value) if name == prefix and value.isdigit() else None


def _verify_page(session, threads: list[Any], report: VerifyReport) -> None:
    """Everything about one page of threads."""
    ids = [t.id for t in threads]
    entries: dict[str, list[Any]] = defaultdict(list)
    for chunk in _chunks(ids, 100):
        for row in session.execute(
            select(*ENTRY_COLUMNS).where(LedgerEntry.thread_id.in_(chunk))
            .order_by(LedgerEntry.thread_id, LedgerEntry.seq)
        ):  # fmt: skip
            entries[row.thread_id].append(row)
    refs = _Rows(session, ids, [e for t in ids for e in entries[t]])
    for thread in threads:
        chain = entries[thread.id]
        report.records += len(chain)
        _check_links(thread, chain, report.problems)
        _check_contents(thread.id, chain, refs, report)
        _check_unrecorded(thread.id, chain, refs, report.problems)


class _Rows:
    """The rows a page of entries names, and every message/delivery of its threads."""

    def __init__(self, session, thread_ids: list[str], entries: list[Any]) -> None:
        self.keys = bodies.thread_keys(session, thread_ids)
        message_ids = [i for e in entries if (i := _ref_id(e.ref, "message")) is not None]
        delivery_ids = [i for e in entries if (i := _ref_id(e.ref, "delivery")) is not None]
        audit_ids = [i for e in entries if (i := _ref_id(e.ref, "audit")) is not None]
        self.thread_messages: dict[str, list[int]] = defaultdict(list)
        for chunk in _chunks(thread_ids, 100):
            for mid, tid in session.execute(
                select(Message.id, Message.thread_id).where(Message.thread_id.in_(chunk))
            ):
                self.thread_messages[tid].append(mid)
        all_messages = [m for ms in self.thread_messages.values() for m in ms]
        self.messages = _fetch(
            session,
            (
                Message.id, Message.thread_id, Message.body_state, Message.raw, Message.sha256,
                Message.action, Message.decision, Message.mail_from, Message.rcpt_tos,
            ),
            Message.id,
            message_ids,
        )  # fmt: skip
        self.findings: dict[int, list[Any]] = defaultdict(list)
        for chunk in _chunks(sorted(set(message_ids))):
            for row in session.execute(
                select(Finding.message_id, *(getattr(Finding, f) for f in ledger.FINDING_FIELDS))
                .where(Finding.message_id.in_(chunk))
                .order_by(Finding.id)
            ):
                self.findings[row.message_id].append(row)
        self.deliveries = _fetch(
            session,
            (
                Delivery.id, Delivery.message_id, Delivery.body_state, Delivery.outgoing,
                Delivery.outgoing_sha256, Delivery.recipient,
            ),
            Delivery.id,
            delivery_ids,
        )  # fmt: skip
        self.message_deliveries: dict[int, list[int]] = defaultdict(list)
        for chunk in _chunks(all_messages):
            for did, mid in session.execute(
                select(Delivery.id, Delivery.message_id).where(Delivery.message_id.in_(chunk))
            ):
                self.message_deliveries[mid].append(did)
        self.message_thread = {mid: tid for tid, ms in self.thread_messages.items() for mid in ms}
        self.audits = {
            row.id: row
            for chunk in _chunks(sorted(set(audit_ids)))
            for row in session.execute(select(AuditEvent).where(AuditEvent.id.in_(chunk))).scalars()
        }


def _check_links(thread: Any, chain: list[Any], problems: list[Problem]) -> None:
    """Each entry hashes to itself and links to the one before; the head is the last."""
    by_hash = {e.hash: e for e in chain}
    prev_hash, prev_seq = "", 0
    for entry in chain:
        p = _problem_for(thread.id, entry)
        if entry.seq != prev_seq + 1 and entry.prev_hash not in by_hash:
            missing = f"seq {prev_seq + 1}" + (
                f"..{entry.seq - 1}" if entry.seq - 1 > prev_seq + 1 else ""
            )
            problems.append(p("removed", f"{missing} missing: the chain jumps to seq {entry.seq}"))
        recomputed = ledger.hash_of(entry)
        if recomputed != entry.hash:
            original = _original_seq(thread.id, entry, by_hash)
            if original is not None and original != entry.seq:
                problems.append(
                    p(
                        "reordered",
                        f"this record was seq {original}, now it sits at seq {entry.seq}",
                    )
                )
            else:
                problems.append(p("changed", "the entry's fields no longer hash to its hash"))
        elif entry.prev_hash != prev_hash:
            linked = by_hash.get(entry.prev_hash)
            if linked is not None:
                problems.append(
                    p("reordered", f"it follows seq {linked.seq} in the chain, not seq {prev_seq}")
                )
            elif entry.seq == prev_seq + 1:
                problems.append(
                    p("removed", "the record it follows is missing (its prev_hash names no entry)")
                )
        prev_hash, prev_seq = entry.hash, entry.seq
    if thread.chain_length > prev_seq:
        problems.append(
            Problem(
                thread.id, prev_seq + 1, "", "", "removed",
                f"the thread has {thread.chain_length} records but the chain ends at seq "
                f"{prev_seq}",
            )
        )  # fmt: skip
    elif thread.chain_length < prev_seq or (chain and thread.chain_head != prev_hash):
        problems.append(
            Problem(
                thread.id, prev_seq, "", "", "inserted",
                f"the thread's head names {thread.chain_length} records ending in "
                f"{thread.chain_head[:12]}, the chain has {prev_seq} ending in {prev_hash[:12]}",
            )
        )  # fmt: skip


def _original_seq(thread_id: str, entry: Any, by_hash: dict[str, Any]) -> int | None:
    """The position at which this entry's fields hash correctly, if its link says where."""
    before = by_hash.get(entry.prev_hash)
    candidate = 1 if entry.prev_hash == "" else (before.seq + 1 if before else None)
    for seq in {candidate, *(s for s in (entry.seq - 1, entry.seq + 1) if s > 0)} - {None}:
        recomputed = ledger.entry_hash(
            thread_id, seq, entry.kind, entry.ref, entry.content_sha256,
            entry.meta or {}, entry.at, entry.prev_hash,
        )  # fmt: skip
        if recomputed == entry.hash:
            return seq
    return None


def _problem_for(thread_id: str, entry: Any) -> Callable[[str, str], Problem]:
    def make(what: str, detail: str) -> Problem:
        return Problem(thread_id, entry.seq, entry.kind, entry.ref, what, detail)

    return make


def _check_contents(thread_id: str, chain: list[Any], rows: _Rows, report: VerifyReport) -> None:
    """Each entry's content hash recomputes from the row it names."""
    by_content: dict[str, list[int]] = defaultdict(list)
    for entry in chain:
        by_content[entry.content_sha256].append(entry.seq)
    key = rows.keys.get(thread_id)
    for entry in chain:
        p = _problem_for(thread_id, entry)
        if entry.kind in ledger.MESSAGE_KINDS:
            _check_message(entry, rows, key, by_content, report, p)
        elif entry.kind == "decision":
            _check_decision(entry, rows, p, report.problems)
        elif entry.kind == "outgoing":
            _check_delivery(entry, rows, key, by_content, report, p)
        elif _ref_id(entry.ref, "audit") is not None:
            audit = rows.audits.get(_ref_id(entry.ref, "audit"))
            if audit is None:
                report.problems.append(p("removed", f"{entry.ref} no longer exists"))
            elif ledger.audit_content(audit) != entry.content_sha256:
                report.problems.append(p("changed", f"{entry.ref} differs from what was recorded"))
        else:
            report.problems.append(p("changed", f"unknown record kind {entry.kind!r} or ref"))


def _check_body(state, data, key, thread_id, expected, entry, by_content, report, p) -> None:
    """A stored body (sealed, plain, purged or erased) against the entry's content hash."""
    if state == bodies.PURGED:
        report.purged += 1
        return
    if state == bodies.ERASED:
        report.erased += 1
        return
    try:
        plain = bodies.open_body(state, data, key, thread_id)
    except bodies.BodyTampered:
        report.problems.append(p("changed", "the sealed body fails authentication: bytes altered"))
        return
    except bodies.BodyUnavailable as exc:
        if exc.state == bodies.ERASED:
            report.erased += 1
        else:
            report.problems.append(p("changed", f"the body cannot be read: {exc}"))
        return
    digest = ledger.sha256_hex(plain)
    if digest == entry.content_sha256:
        if expected != entry.content_sha256:
            report.problems.append(p("changed", "the row's recorded sha256 was changed"))
        return
    others = [s for s in by_content.get(digest, []) if s != entry.seq]
    if others:
        report.problems.append(
            p("reordered", f"its body is the one recorded at seq {others[0]} (bodies swapped)")
        )
    else:
        report.problems.append(
            p("changed", f"body sha256 {digest[:16]}... differs from the recorded "
              f"{entry.content_sha256[:16]}...")
        )  # fmt: skip


def _check_message(entry, rows: _Rows, key, by_content, report: VerifyReport, p) -> None:
    message = rows.messages.get(_ref_id(entry.ref, "message"))
    if message is None:
        report.problems.append(p("removed", f"{entry.ref} no longer exists"))
        return
    if message.thread_id != entry.thread_id:
        report.problems.append(p("changed", f"{entry.ref} was moved to thread {message.thread_id}"))
        return
    if ledger.message_meta(message.mail_from, message.rcpt_tos) != (entry.meta or {}):
        report.problems.append(p("changed", "the envelope (sender or recipients) was changed"))
    _check_body(
        message.body_state, message.raw, key, entry.thread_id, message.sha256,
        entry, by_content, report, p,
    )  # fmt: skip


def _check_decision(entry, rows: _Rows, p, problems: list[Problem]) -> None:
    mid = _ref_id(entry.ref, "message")
    message = rows.messages.get(mid)
    if message is None:
        problems.append(p("removed", f"{entry.ref} no longer exists"))
        return
    if message.body_state == bodies.ERASED:
        return  # erasure blanks finding texts and reasons; the hash is kept in the entry
    digest = ledger.decision_content(message.action, message.decision, rows.findings[mid])
    if digest != entry.content_sha256:
        problems.append(p("changed", "the action, decision or findings differ from the record"))


def _check_delivery(entry, rows: _Rows, key, by_content, report: VerifyReport, p) -> None:
    delivery = rows.deliveries.get(_ref_id(entry.ref, "delivery"))
    if delivery is None:
        report.problems.append(p("removed", f"{entry.ref} no longer exists"))
        return
    if rows.message_thread.get(delivery.message_id) != entry.thread_id:
        report.problems.append(p("changed", f"{entry.ref} now belongs to another thread"))
        return
    if ledger.delivery_meta(delivery.recipient) != (entry.meta or {}):
        report.problems.append(p("changed", "the recipient of this copy was changed"))
    _check_body(
        delivery.body_state, delivery.outgoing, key, entry.thread_id, delivery.outgoing_sha256,
        entry, by_content, report, p,
    )  # fmt: skip


def _check_unrecorded(thread_id: str, chain: list[Any], rows: _Rows, problems) -> None:
    """Messages and copies of the thread that no entry names: inserted, or their entry removed."""
    named = {e.ref for e in chain}
    removed = any(p.thread_id == thread_id and p.what == "removed" for p in problems)
    what = "removed" if removed else "inserted"
    why = "its ledger entry was removed" if removed else "it was inserted behind the ledger"
    for mid in sorted(rows.thread_messages.get(thread_id, [])):
        if f"message:{mid}" not in named:
            problems.append(
                Problem(thread_id, None, "", f"message:{mid}", what,
                        f"no ledger entry names this message of the thread: {why}")
            )  # fmt: skip
        for did in sorted(rows.message_deliveries.get(mid, [])):
            if f"delivery:{did}" not in named:
                problems.append(
                    Problem(thread_id, None, "", f"delivery:{did}", what,
                            f"no ledger entry names this outgoing copy: {why}")
                )  # fmt: skip
