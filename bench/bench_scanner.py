"""Scanner throughput over the labelled corpus, next to a plain-`re` email+phone baseline.

    .venv/bin/python bench/bench_scanner.py [--corpus tests/corpus] [--rounds 5] [--breakdown]

Reports MB/s of scanned message text on one core (the texts the extractor yields, so both
scanners see exactly the same input), and the p50/p99 time per message for the full scan
(extraction included) and per 5 KB message (the corpus messages padded or cut to 5 KB of text).
Times are CPU time of this process (`time.process_time`), not wall time: on a machine shared
with other work, wall time mostly measures the other work; the baseline ratio is what matters.
`--breakdown` adds where the scanner's time goes over the corpus: the shared views (built once
per text, used by several detectors) and each detector with its gate, the views prebuilt, with
how many texts each gate let through and how many the detector reported something on. The
parts are timed one text at a time, so their sum is a little above the whole scan's time.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from gateway import mime
from gateway.scanning.document import ScanDoc
from gateway.scanning.payments import keyword_hits, token_view
from gateway.scanning.scanner import Scanner
from gateway.scanning.spelled import address_view, number_runs, tokens
from gateway.scanning.text import extract

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


def baseline(text: str) -> int:
    """The naive scanner: one regex for addresses, one for digit runs."""
    return len(EMAIL.findall(text)) + len(PHONE.findall(text))


def load(corpus: Path) -> list[bytes]:
    """Every .eml of the corpus."""
    return [p.read_bytes() for p in sorted((corpus / "messages").glob("*.eml"))]


def five_kb(texts: list[str]) -> str:
    """A 5 KB text made from corpus texts (so its content is realistic mail)."""
    joined = "\n\n".join(texts)
    while len(joined) < 5120:
        joined += "\n\n" + joined
    return joined[:5120]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("tests/corpus"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--breakdown", action="store_true", help="where the time goes")
    args = parser.parse_args()
    raws = load(args.corpus)
    scanner = Scanner(allowed_domains=("gigbridge.io", "relay.gigbridge.io"))
    messages = [mime.parse(raw) for raw in raws]
    texts = [extract(m) for m in messages]
    size = sum(len(t.text.encode()) for ts in texts for t in ts)

    def throughput(fn) -> float:
        best = float("inf")
        for _ in range(args.rounds):
            started = time.process_time()
            for ts in texts:
                fn(ts)
            best = min(best, time.process_time() - started)
        return size / best / 1e6

    ours = throughput(scanner.scan_texts)
    naive = throughput(lambda ts: [baseline(t.text) for t in ts])
    per_message = []
    for message in messages * args.rounds:
        started = time.process_time()
        scanner.scan(message)
        per_message.append((time.process_time() - started) * 1000)
    samples = [five_kb([t.text for t in ts]) for ts in texts]
    per_5kb = []
    for text in samples * args.rounds:
        started = time.process_time()
        scanner.scan_text(text)
        per_5kb.append((time.process_time() - started) * 1000)

    table = Table(title=f"scanner over {len(raws)} corpus messages ({size / 1e6:.2f} MB of text)")
    for column in ("measure", "value"):
        table.add_column(column)
    table.add_row("scanner MB/s (one core)", f"{ours:.1f}")
    table.add_row("plain re email+phone MB/s", f"{naive:.1f}")
    table.add_row("ratio scanner / baseline", f"{ours / naive:.2f}")
    table.add_row(
        "per message p50 / p99 ms (with extraction)",
        f"{statistics.median(per_message):.3f} / {_p99(per_message):.3f}",
    )
    table.add_row(
        "per 5 KB text p50 / p99 ms", f"{statistics.median(per_5kb):.3f} / {_p99(per_5kb):.3f}"
    )
    Console().print(table)
    if args.breakdown:
        Console().print(breakdown(scanner, [t for ts in texts for t in ts], args.rounds))


VIEWS = (
    ("view: fold", lambda doc: doc.folded),
    ("view: words (spelled.tokens)", tokens),
    ("view: address (spelled.address_view)", address_view),
    (
        "view: payment anchors (token_view, keyword_hits)",
        lambda d: (token_view(d), keyword_hits(d)),
    ),
    ("view: spelled number runs", number_runs),
)


def breakdown(scanner: Scanner, items: list, rounds: int) -> Table:
    """CPU ms over the corpus of each shared view and each detector (gate included), best of
    `rounds`; detectors are timed on documents whose views are already built."""
    context = scanner.context
    table = Table(title=f"where the time goes ({len(items)} texts, CPU ms, best of {rounds})")
    for column in ("part", "CPU ms", "texts run", "texts reported"):
        table.add_column(column)

    def docs() -> list[ScanDoc]:
        return [ScanDoc(item.part, item.text, context) for item in items]

    for name, view in VIEWS:
        best = float("inf")
        for _ in range(rounds):
            fresh = docs()
            for earlier, build in VIEWS:  # the views this one may read, built beforehand
                if earlier == name:
                    break
                for doc in fresh:
                    build(doc)
            started = time.process_time()
            for doc in fresh:
                view(doc)
            best = min(best, time.process_time() - started)
        table.add_row(name, f"{best * 1000:.1f}", "", "")
    for detector in scanner.detectors:
        relevant = getattr(detector, "relevant", None)
        best = float("inf")
        ran = reported = 0
        for _ in range(rounds):
            fresh = docs()
            for doc in fresh:
                for _name, build in VIEWS:
                    build(doc)
            ran = reported = 0
            started = time.process_time()
            for doc in fresh:
                if relevant is None or relevant(doc):
                    ran += 1
                    reported += bool(list(detector.detect(doc)))
            best = min(best, time.process_time() - started)
        name = detector.__name__.rsplit(".", 1)[-1]
        table.add_row(name, f"{best * 1000:.1f}", str(ran), str(reported))
    return table


def _p99(values: list[float]) -> float:
    """The 99th percentile."""
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


if __name__ == "__main__":
    main()
