"""Write tests/probe2: messages/*.eml and labels.csv from the case lists.

probe2 is a second independent judge: written from /work/shared/SCANNING-GUIDELINE.md only,
without reading gateway/scanning/, tests/corpus or tests/probe messages.
Run: ``.venv/bin/python -m tests.probe2.build_probe2``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .case import build
from .cases_both import BOTH
from .cases_contact import CONTACT
from .cases_negative import NEGATIVE
from .cases_payment import PAYMENT

HERE = Path(__file__).parent


def all_cases() -> list:
    """Every case, in file order (r0001.eml is the first)."""
    return CONTACT + PAYMENT + BOTH + NEGATIVE


def main() -> None:
    cases = all_cases()
    out = HERE / "messages"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.eml"):
        old.unlink()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["file", "contact", "payment", "language", "note"])
    for index, case in enumerate(cases, start=1):
        name = f"r{index:04d}.eml"
        (out / name).write_bytes(build(case, index))
        writer.writerow([name, case.contact, case.payment, case.lang, case.note])
    (HERE / "labels.csv").write_text(buf.getvalue(), encoding="utf-8")
    pos = sum(1 for c in cases if c.contact or c.payment)
    print(f"{len(cases)} messages, {pos} positive, {len(cases) - pos} negative")


if __name__ == "__main__":
    main()
