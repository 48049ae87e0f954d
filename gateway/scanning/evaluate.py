"""Score the contact/payment scanners against the labelled corpus in ``tests/corpus``.

Usage::

    .venv/bin/python -m gateway.scanning.evaluate tests/corpus [--errors]

The corpus is a held-out test set: ``labels.csv`` (``file,contact,payment,language,note``) and
``messages/*.eml``. A message counts as predicted positive for a category when any finding the
scanner returns has that category. :func:`load_labels` and :func:`score` are pure; the scanner
is touched only in :func:`scan_findings`, imported lazily so that scoring works (and this
module imports) while the scanners are being rewritten.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import functools
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "CATEGORIES",
    "load_labels",
    "load_notes",
    "main",
    "scan_categories",
    "scan_findings",
    "score",
]

CATEGORIES: tuple[str, ...] = ("contact", "payment")
ALLOWED_DOMAINS: tuple[str, ...] = ("gigbridge.io", "relay.gigbridge.io")

Labels = dict[str, tuple[bool, bool]]
Metrics = dict[str, float]


# --------------------------------------------------------------------------- corpus


def _rows(corpus_dir: Path | str) -> list[dict[str, str]]:
    with (Path(corpus_dir) / "labels.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _flag(value: str, *, file: str, column: str) -> bool:
    if value.strip() not in ("0", "1"):
        raise ValueError(f"{file}: column {column!r} must be 0 or 1, got {value!r}")
    return value.strip() == "1"


def load_labels(corpus_dir: Path | str) -> Labels:
    """Read ``labels.csv``: file name -> (contact, payment)."""
    labels: Labels = {}
    for row in _rows(corpus_dir):
        name = row["file"]
        if name in labels:
            raise ValueError(f"{name}: listed twice in labels.csv")
        labels[name] = (
            _flag(row["contact"], file=name, column="contact"),
            _flag(row["payment"], file=name, column="payment"),
        )
    return labels


def load_notes(corpus_dir: Path | str) -> dict[str, tuple[str, str]]:
    """Read ``labels.csv``: file name -> (language, note), for error reports."""
    return {
        row["file"]: (row.get("language", ""), row.get("note", "")) for row in _rows(corpus_dir)
    }


# --------------------------------------------------------------------------- scoring


def _ratio(num: int, den: int, *, empty: float) -> float:
    return num / den if den else empty


def score(
    labels: Mapping[str, tuple[bool, bool]], predictions: Mapping[str, Iterable[str]]
) -> dict[str, Metrics]:
    """Confusion counts and precision/recall/F1 per category over the labelled files.

    ``predictions`` maps a file to the categories predicted positive; a file missing from it is
    predicted negative, and predictions for unlabelled files are ignored. When a ratio is
    undefined (nothing predicted, or nothing to find) it is 1.0 if there was nothing to get
    wrong on that side and 0.0 otherwise, so an all-quiet scanner on an all-negative corpus is
    perfect and an all-quiet scanner on a corpus with positives has recall 0.
    """
    result: dict[str, Metrics] = {}
    predicted = {name: set(cats) for name, cats in predictions.items()}
    for index, category in enumerate(CATEGORIES):
        tp = fp = fn = tn = 0
        for name, truth in labels.items():
            actual = truth[index]
            guess = category in predicted.get(name, set())
            if actual and guess:
                tp += 1
            elif guess:
                fp += 1
            elif actual:
                fn += 1
            else:
                tn += 1
        precision = _ratio(tp, tp + fp, empty=1.0 if fn == 0 else 0.0)
        recall = _ratio(tp, tp + fn, empty=1.0 if fp == 0 else 0.0)
        f1 = (
            _ratio(2 * precision * recall, precision + recall, empty=0.0)
            if precision + recall
            else 0.0
        )
        result[category] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    return result


# --------------------------------------------------------------------------- scanning


@functools.cache
def _scanner() -> Any:
    """The scanner under test, built once. Adapt here when its constructor changes."""
    from gateway.scanning.scanner import Scanner

    return Scanner(allowed_domains=ALLOWED_DOMAINS)


def scan_findings(raw: bytes) -> list[Any]:
    """Parse one message as the gateway does and return the scanner's findings for it."""
    from gateway.mime import parse

    return list(_scanner().scan(parse(raw)))


def _category(finding: Any) -> str:
    value = getattr(finding, "category", None)
    value = getattr(value, "value", value)  # an Enum member or a plain string
    return str(value).lower()


def scan_categories(raw: bytes) -> set[str]:
    """The categories the scanner finds in one message (any finding of a category counts)."""
    return {_category(f) for f in scan_findings(raw)}


# --------------------------------------------------------------------------- CLI


@dataclasses.dataclass
class _Outcome:
    categories: set[str]
    findings: list[Any]
    error: str | None = None


def _run(corpus_dir: Path, names: Sequence[str]) -> dict[str, _Outcome]:
    outcomes: dict[str, _Outcome] = {}
    for name in names:
        raw = (corpus_dir / "messages" / name).read_bytes()
        try:
            findings = scan_findings(raw)
        except Exception as exc:  # report a crash on one message, keep scoring the rest
            outcomes[name] = _Outcome(set(), [], f"{type(exc).__name__}: {exc}")
            continue
        outcomes[name] = _Outcome({_category(f) for f in findings}, findings)
    return outcomes


def _describe(finding: Any) -> str:
    if dataclasses.is_dataclass(finding) and not isinstance(finding, type):
        fields = {f.name: getattr(finding, f.name) for f in dataclasses.fields(finding)}
        shown = ", ".join(f"{k}={getattr(v, 'value', v)!r}" for k, v in fields.items())
        return f"{type(finding).__name__}({shown})"
    return repr(finding)


def main(argv: Sequence[str] | None = None) -> int:
    """Scan every corpus message, print precision/recall/F1 per category (and errors)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    parser = argparse.ArgumentParser(
        prog="python -m gateway.scanning.evaluate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("corpus", type=Path, help="corpus folder holding labels.csv and messages/")
    parser.add_argument("--errors", action="store_true", help="list every misclassified message")
    args = parser.parse_args(argv)

    console = Console()
    labels = load_labels(args.corpus)
    notes = load_notes(args.corpus)
    missing = [n for n in labels if not (args.corpus / "messages" / n).is_file()]
    if missing:
        console.print(
            f"[red]labels.csv names {len(missing)} missing files, e.g. {missing[0]}[/red]"
        )
        return 2
    outcomes = _run(args.corpus, sorted(labels))
    metrics = score(labels, {n: o.categories for n, o in outcomes.items()})

    positives = sum(1 for c, p in labels.values() if c or p)
    table = Table(title=f"Scanner vs corpus: {len(labels)} messages, {positives} positive")
    for column in ("category", "TP", "FP", "FN", "TN", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "category" else "right")
    for category, m in metrics.items():
        colour = "green" if m["f1"] >= 0.95 else "yellow" if m["f1"] >= 0.8 else "red"
        table.add_row(
            category,
            *(str(int(m[k])) for k in ("tp", "fp", "fn", "tn")),
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"[{colour}]{m['f1']:.3f}[/{colour}]",
        )
    console.print(table)

    crashed = {n: o for n, o in outcomes.items() if o.error}
    if crashed:
        console.print(
            f"[red]scanner raised on {len(crashed)} messages[/red] (counted as predicting nothing)"
        )
    if args.errors:
        for name, outcome in outcomes.items():
            wrong = []
            for index, category in enumerate(CATEGORIES):
                actual, guess = labels[name][index], category in outcome.categories
                if actual != guess:
                    wrong.append(("FN " if actual else "FP ") + category)
            if not wrong and not outcome.error:
                continue
            language, note = notes.get(name, ("", ""))
            console.print(f"\n[bold]{name}[/bold] [{language}] {', '.join(wrong)}")
            console.print(f"  note: {escape(note)}")
            if outcome.error:
                console.print(f"  [red]error: {escape(outcome.error)}[/red]")
            for finding in outcome.findings:
                console.print(f"  finding: {escape(_describe(finding))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
