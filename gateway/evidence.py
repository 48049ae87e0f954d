"""Evidence exports of one thread, and their offline verification (docs/evidence.md).

An export holds every message of the thread as received and every copy as delivered, byte for
byte, plus `manifest.json`: the thread and its participants, each message's envelope, decision
and findings, every ledger entry (with the decision and audit documents their content hashes
cover) and the sha256 of every file. A zip also carries `SHA256SUMS` for `sha256sum -c`.

Why the ledger goes along: file hashes alone prove only that the files match the manifest; the
chain proves the manifest's records are the ones the gateway wrote, in that order, and its head
can be compared with one obtained independently (`gateway archive verify --thread ID --json`
prints nothing else to trust). `verify_export` needs no database: it imports only the pure
hash functions of storage.ledger.

mbox exports are mboxrd (`>From ` quoting, reversible), each message introduced by a
`From <file name> <date>` line; the manifest is written next to it as FILE.manifest.json.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage import ledger

FORMAT = "relay-gateway-evidence/1"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


@dataclass
class Export:
    """The files of an export (name -> bytes, in ledger order) and its manifest."""

    manifest: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    def manifest_bytes(self) -> bytes:
        return json.dumps(self.manifest, indent=2, ensure_ascii=False, sort_keys=True).encode()


class ExportError(Exception):
    """The export cannot be written (no such thread, file exists, ...)."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return ledger.iso(value) if value is not None else None


# ---------------------------------------------------------------- building


def build_export(engine, thread_id: str) -> Export:
    """Everything about one thread, read in one transaction (bodies opened through bodies)."""
    from sqlmodel import select

    from storage import bodies
    from storage.db import session_scope
    from storage.models import (
        AuditEvent,
        Delivery,
        Finding,
        LedgerEntry,
        Message,
        Participant,
        Thread,
    )

    with session_scope(engine) as session:
        thread = session.get(Thread, thread_id)
        if thread is None:
            raise ExportError(f"no thread {thread_id!r}")
        people = session.exec(
            select(Participant).where(Participant.thread_id == thread_id).order_by(Participant.id)
        ).all()
        entries = session.exec(
            select(LedgerEntry).where(LedgerEntry.thread_id == thread_id).order_by(LedgerEntry.seq)
        ).all()
        messages = {
            m.id: m
            for m in session.exec(
                select(Message).where(Message.thread_id == thread_id).order_by(Message.id)
            )
        }
        findings: dict[int, list[Finding]] = {m: [] for m in messages}
        deliveries: dict[int, Delivery] = {}
        if messages:
            for f in session.exec(
                select(Finding).where(Finding.message_id.in_(list(messages))).order_by(Finding.id)
            ):
                findings[f.message_id].append(f)
            for d in session.exec(
                select(Delivery)
                .where(Delivery.message_id.in_(list(messages)))
                .order_by(Delivery.id)
            ):
                deliveries[d.id] = d
        audit_ids = [int(e.ref.split(":")[1]) for e in entries if e.ref.startswith("audit:")]
        audits = {
            a.id: a for a in session.exec(select(AuditEvent).where(AuditEvent.id.in_(audit_ids)))
        }
        key = bodies.thread_keys(session, [thread_id]).get(thread_id)

        def body(state: str, data: bytes) -> bytes | None:
            try:
                return bodies.open_body(state, data, key, thread_id)
            except bodies.BodyTampered:
                raise ExportError(
                    f"thread {thread_id}: a sealed body fails authentication; run "
                    "`gateway archive verify --thread` first"
                ) from None
            except bodies.BodyUnavailable:
                return None

        export = Export(manifest={})
        ledger_rows = []
        file_of: dict[str, str] = {}
        for e in entries:
            row: dict[str, Any] = {
                "seq": e.seq,
                "kind": e.kind,
                "ref": e.ref,
                "content_sha256": e.content_sha256,
                "meta": e.meta or {},
                "at": e.at,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            ref_kind, _, ref_id = e.ref.partition(":")
            if e.kind in ledger.MESSAGE_KINDS and ref_kind == "message":
                m = messages.get(int(ref_id))
                data = body(m.body_state, m.raw) if m else None
                row.update(_file(export, f"received/{e.seq:05d}-message-{ref_id}.eml", data, m))
                if "file" in row:
                    file_of[e.ref] = row["file"]
            elif e.kind == "outgoing" and ref_kind == "delivery":
                d = deliveries.get(int(ref_id))
                data = body(d.body_state, d.outgoing) if d else None
                row.update(_file(export, f"delivered/{e.seq:05d}-delivery-{ref_id}.eml", data, d))
                if "file" in row:
                    file_of[e.ref] = row["file"]
            elif e.kind == "decision" and ref_kind == "message" and int(ref_id) in messages:
                m = messages[int(ref_id)]
                row["document"] = ledger.decision_document(m.action, m.decision, findings[m.id])
            elif ref_kind == "audit" and int(ref_id) in audits:
                row["document"] = ledger.audit_document(audits[int(ref_id)])
            ledger_rows.append(row)
        export.manifest = {
            "format": FORMAT,
            "exported_at": ledger.iso(datetime.now(UTC)),
            "thread": {
                "id": thread.id,
                "subject": thread.subject,
                "status": thread.status,
                "created_at": _iso(thread.created_at),
                "legal_hold": thread.legal_hold,
                "erased_at": _iso(thread.erased_at),
                "participants": [
                    {"id": p.id, "role": p.role, "name": p.display_name, "address": p.address}
                    for p in people
                ],
            },
            "chain": {"length": thread.chain_length, "head": thread.chain_head},
            "ledger": ledger_rows,
            "messages": [
                _message_json(m, findings[m.id], deliveries, file_of) for m in messages.values()
            ],
            "files": {name: _sha(data) for name, data in export.files.items()},
        }
        return export


def _file(export: Export, name: str, data: bytes | None, row: Any) -> dict[str, Any]:
    """Add a body to the export, or say why it is not there."""
    if row is None:
        return {"body": "missing"}
    if data is None:
        return {"body": row.body_state}  # purged | erased
    export.files[name] = data
    return {"body": "included", "file": name}


def _message_json(m, findings, deliveries, file_of) -> dict[str, Any]:
    """One message with its envelope, decision, findings and copies."""
    return {
        "id": m.id,
        "kind": m.kind,
        "received_at": _iso(m.received_at),
        "mail_from": m.mail_from,
        "rcpt_tos": list(m.rcpt_tos),
        "subject": m.subject,
        "original_message_id": m.original_message_id,
        "relayed_message_id": m.relayed_message_id,
        "status": m.status,
        "action": m.action,
        "decision": m.decision,
        "findings": [ledger.finding_dict(f) for f in findings],
        "sha256": m.sha256,
        "size": m.size,
        "chain_hash": m.chain_hash,
        "body": m.body_state,
        "file": file_of.get(f"message:{m.id}"),
        "deliveries": [
            {
                "id": d.id,
                "recipient": d.recipient,
                "status": d.status,
                "attempts": d.attempts,
                "last_response": d.last_response,
                "finished_at": _iso(d.finished_at),
                "sha256": d.outgoing_sha256,
                "file": file_of.get(f"delivery:{d.id}"),
            }
            for d in deliveries.values()
            if d.message_id == m.id
        ],
    }


# ---------------------------------------------------------------- writing


def write_zip(export: Export, path: Path) -> None:
    """manifest.json, SHA256SUMS and every file, in a zip."""
    manifest = export.manifest_bytes()
    sums = "".join(
        f"{_sha(data)}  {name}\n" for name, data in [(MANIFEST, manifest), *export.files.items()]
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, manifest)
        zf.writestr(SUMS, sums)
        for name, data in export.files.items():
            zf.writestr(name, data)


_FROM = re.compile(rb"^(>*From )", re.M)
_QUOTED = re.compile(rb"^>(>*From )", re.M)


def write_mbox(export: Export, path: Path) -> Path:
    """An mboxrd file with every message; the manifest next to it. Returns the manifest path."""
    stamp = datetime.now(UTC).strftime("%a %b %d %H:%M:%S %Y")
    with path.open("wb") as f:
        for name, data in export.files.items():
            f.write(f"From {name} {stamp}\n".encode())
            f.write(_FROM.sub(rb">\1", data))
            f.write(b"\n")
    manifest = manifest_path_for(path)
    manifest.write_bytes(export.manifest_bytes())
    return manifest


def manifest_path_for(mbox: Path) -> Path:
    return mbox.with_name(mbox.name + ".manifest.json")


def read_mbox(data: bytes) -> dict[str, bytes]:
    """The files of an mboxrd export, unquoted back to their exact bytes."""
    files: dict[str, bytes] = {}
    parts = re.split(rb"(?:^|\n)From (\S+) [^\n]*\n", data)
    if parts and parts[0].strip():
        raise ValueError("the file does not start with an mbox 'From ' line")
    bodies = parts[2::2]
    if bodies:
        bodies[-1] = bodies[-1].removesuffix(b"\n")  # the separator after the last message
    for name, body in zip(parts[1::2], bodies, strict=True):
        files[name.decode("utf-8", "replace")] = _QUOTED.sub(rb"\1", body)
    return files


# ---------------------------------------------------------------- verifying


@dataclass
class ExportCheck:
    """The outcome of verify_export."""

    problems: list[str] = field(default_factory=list)
    files: int = 0
    records: int = 0
    missing_bodies: int = 0
    head: str = ""
    thread: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def read_export(path: Path, manifest_path: Path | None = None) -> tuple[dict, dict[str, bytes]]:
    """(manifest, files) of a zip or mbox export; ValueError when it cannot be read at all."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            files = {name: zf.read(name) for name in zf.namelist()}
        if MANIFEST not in files:
            raise ValueError(f"{path}: no {MANIFEST} in the zip")
        manifest_data = files.pop(MANIFEST)
        files.pop(SUMS, None)
    else:
        manifest_path = manifest_path or manifest_path_for(path)
        if not manifest_path.exists():
            raise ValueError(f"{path} is not a zip, and its manifest {manifest_path} is missing")
        files = read_mbox(path.read_bytes())
        manifest_data = manifest_path.read_bytes()
    try:
        manifest = json.loads(manifest_data)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{MANIFEST} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{MANIFEST} is not a {FORMAT} manifest")
    return manifest, files


def verify_export(path: Path, manifest_path: Path | None = None) -> ExportCheck:
    """Check an export offline: file hashes, the chain, and the records against the manifest."""
    check = ExportCheck()
    try:
        manifest, files = read_export(path, manifest_path)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        check.problems.append(str(exc))
        return check
    listed = manifest.get("files", {})
    if not isinstance(listed, dict):
        check.problems.append(f"{MANIFEST}: 'files' is not an object of name -> sha256")
        listed = {}
    for name, expected in listed.items():
        if name not in files:
            check.problems.append(f"{name}: listed in the manifest but missing from the export")
        elif _sha(files[name]) != expected:
            check.problems.append(
                f"{name}: sha256 {_sha(files[name])} does not match the manifest's {expected}"
            )
    for name in files:
        if name not in listed:
            check.problems.append(f"{name}: in the export but not listed in the manifest")
    check.files = len(files)
    try:
        _verify_chain(manifest, files, check)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        check.problems.append(f"{MANIFEST} is malformed ({type(exc).__name__}: {exc})")
    return check


def _verify_chain(manifest: dict, files: dict[str, bytes], check: ExportCheck) -> None:
    """Every ledger entry recomputes and links; its content matches its file or document."""
    thread_id = manifest.get("thread", {}).get("id", "")
    check.thread = thread_id
    entries = manifest.get("ledger", [])
    prev, expected_seq = "", 1
    messages = {m["id"]: m for m in manifest.get("messages", [])}
    for e in entries:
        where = f"ledger seq {e.get('seq')} ({e.get('kind')} {e.get('ref')})"
        try:
            recomputed = ledger.entry_hash(
                thread_id, e["seq"], e["kind"], e["ref"], e["content_sha256"],
                e["meta"], e["at"], e["prev_hash"],
            )  # fmt: skip
        except (KeyError, TypeError):
            check.problems.append(f"{where}: entry is incomplete")
            continue
        if e["seq"] != expected_seq:
            check.problems.append(f"{where}: expected seq {expected_seq} (records removed?)")
        if e["prev_hash"] != prev:
            check.problems.append(f"{where}: does not link to the entry before it")
        if recomputed != e["hash"]:
            check.problems.append(f"{where}: entry was edited (its hash does not recompute)")
        name = e.get("file")
        if name is not None and name in files and _sha(files[name]) != e["content_sha256"]:
            check.problems.append(f"{where}: {name} is not the content the ledger recorded")
        if name is None and e.get("body") in ("purged", "erased"):
            check.missing_bodies += 1
        if (
            "document" in e
            and ledger.sha256_hex(ledger.canonical(e["document"])) != e["content_sha256"]
        ):
            check.problems.append(f"{where}: its document does not hash to its content_sha256")
        if e["kind"] == "decision":
            _decision_matches(e, messages, where, check)
        prev, expected_seq = e["hash"], e["seq"] + 1
    check.records = len(entries)
    chain = manifest.get("chain", {})
    check.head = prev
    if chain.get("head") != prev or chain.get("length") != len(entries):
        check.problems.append(
            f"chain: the manifest's head ({chain.get('length')} records, "
            f"{str(chain.get('head'))[:16]}) is not the last entry ({len(entries)}, {prev[:16]})"
        )


def _decision_matches(entry: dict, messages: dict, where: str, check: ExportCheck) -> None:
    """The decision shown in the manifest's message list is the one the ledger recorded."""
    message = messages.get(int(str(entry["ref"]).partition(":")[2] or 0))
    if message is None:
        return
    shown = ledger.decision_content(message["action"], message["decision"], message["findings"])
    if shown != entry["content_sha256"]:
        check.problems.append(f"{where}: the message's decision or findings were edited")


def default_output(thread_id: str, fmt: str) -> Path:
    return Path(f"{thread_id}-evidence.{fmt}")
