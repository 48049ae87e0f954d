"""Everything a decision depended on, recorded with it, and the one function that decides.

A decision stores: the policy version (sha256 of the canonical [policy]), the rule that fired,
every finding with its span, confidence, detector version, verdict and rule, the thread stage and
the sender's history counts, the number tail left for accumulation, the detector module versions
and the footer templates (name and sha256 of the source) that the recipient's copy was built
with. Months later, "why was this held?" is answered from the row alone.

`evaluate` is shared by the decide stage and by `gateway policy replay`, so a replay decides
exactly as the live gateway would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any

import jinja2

from gateway.context import Decision, Finding
from gateway.policy import accumulate
from gateway.policy.engine import Exemption, History, PolicyView, decide, warning_categories
from gateway.scanning.scanner import Scanner
from gateway.scanning.text import ScanText
from storage.policy_state import PolicyState

FOOTER_TEMPLATES = ("footer.txt.j2", "footer.html.j2")


def detector_versions(scanner: Scanner) -> dict[str, str]:
    """module -> version of every detector the scanner runs (VERSION, else NAME, else the name)."""
    versions = {}
    for module in scanner.detectors:
        short = module.__name__.rsplit(".", 1)[-1]
        versions[short] = str(getattr(module, "VERSION", getattr(module, "NAME", short)))
    versions["accumulate"] = accumulate.VERSION
    return versions


def history_from(state: PolicyState) -> History:
    """The engine's view of the stored state."""
    return History(
        stage=state.stage,
        sender_role=state.sender_role,
        flagged=state.flagged,
        shared_contact=state.shared_contact,
        exemptions=tuple(Exemption(i, scope) for i, scope in state.exemptions),
    )


def evaluate(
    scanner: Scanner,
    view: PolicyView,
    message: EmailMessage,
    findings: Sequence[Finding],
    state: PolicyState,
    texts: Sequence[ScanText] | None = None,
) -> tuple[Decision, tuple[Finding, ...]]:
    """Decide one message given its findings and the thread's state: (decision, all findings).

    The returned findings include those made by joining number fragments across messages.
    `texts`: the scan stage's extraction without documents, if any (accumulate.fragments).
    """
    settings = view.settings.escalation
    tail = state.tail
    head, ending = accumulate.fragments(message, findings, settings.tail_fragments, texts)
    joined = accumulate.join_scan(scanner, tail, head) if settings.accumulate else []
    everything = (*findings, *(a.finding for a in joined))
    decision = decide(everything, view, history_from(state))
    extra: dict[str, Any] = {
        "tail": accumulate.next_tail(ending, bool(joined), settings.tail_fragments),
        "accumulated": [{"text": a.finding.text, "here": list(a.here)} for a in joined],
        "detectors": detector_versions(scanner),
    }
    decision = Decision(
        decision.action,
        decision.reasons,
        decision.rule,
        {**decision.provenance, **extra},
    )
    return decision, everything


_SOURCES: dict[tuple[int, str], tuple[str, str, object]] = {}


def _source_hash(env: jinja2.Environment, name: str) -> tuple[str, str]:
    """(resolved name, sha256 of its source), cached while the file is unchanged.

    Reading and hashing four template files per message would cost more than the decision; the
    loader's `uptodate` check (a stat) says when an admin changed one.
    """
    cached = _SOURCES.get((id(env), name))
    if cached is not None and (cached[2] is None or cached[2]()):  # type: ignore[operator]
        return cached[0], cached[1]
    resolved = name
    try:
        source, _path, uptodate = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        resolved = name.rsplit("_", 1)[0] + "_other." + name.split(".", 1)[1]
        source, _path, uptodate = env.loader.get_source(env, resolved)  # type: ignore[union-attr]
    digest = hashlib.sha256(source.encode()).hexdigest()
    _SOURCES[(id(env), name)] = (resolved, digest, uptodate)
    return resolved, digest


def footer_provenance(
    env: jinja2.Environment, decision: Decision, findings: Sequence[Finding]
) -> dict[str, str]:
    """template name -> sha256 of its source, for the footer templates a copy is built from."""
    names = list(FOOTER_TEMPLATES)
    for category in warning_categories(decision, findings):
        for suffix in ("txt", "html"):
            names.append(f"footers/warning_{category}.{suffix}.j2")
    result = {}
    for name in names:
        try:
            resolved, digest = _source_hash(env, name)
        except jinja2.TemplateNotFound:
            continue
        result[resolved] = digest
    return result


def redaction_texts(decision: Decision, findings: Sequence[Finding]) -> list[str]:
    """What a redacted copy must not contain: acted-on findings' texts, and for findings made
    across messages, the fragments of this message that are part of them."""
    rows = decision.provenance.get("findings")
    acted = (
        [f for f, row in zip(findings, rows, strict=False) if row["action"] != "deliver"]
        if rows is not None and len(rows) == len(findings)
        else list(findings)
    )
    texts = [f.text for f in acted if f.part != "thread" and f.category != "limit"]
    accumulated = {a["text"]: a["here"] for a in decision.provenance.get("accumulated", ())}
    for finding in acted:
        if finding.part == "thread":
            texts.extend(accumulated.get(finding.text, ()))
    return texts
