"""`gateway scan`: .eml files, text files and stdin; JSON lines or a table; exit codes."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from gateway.cli import main

EML = b"From: ann@example.org\r\nSubject: hello\r\n\r\nWrite to me at ann.lee@gmail.com\r\n"


def test_json_is_one_object_per_input(tmp_path: Path, capsys):
    """Each input yields exactly one JSON line with findings (spans included) and the action."""
    (tmp_path / "m.eml").write_bytes(EML)
    (tmp_path / "clean.txt").write_text("The invoice total is 450 EUR, due 2026-12-01.\n")
    assert main(["scan", "--json", str(tmp_path / "m.eml"), str(tmp_path / "clean.txt")]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["path"] for line in lines] == [
        str(tmp_path / "m.eml"),
        str(tmp_path / "clean.txt"),
    ]
    (finding,) = [f for f in lines[0]["findings"] if f["kind"] == "email"]
    assert finding["category"] == "contact"
    assert finding["text"] == "ann.lee@gmail.com"
    assert set(finding) == {"category", "kind", "text", "start", "end", "confidence", "part"}
    # the example config redacts contact details before a contract (rule inquiry-contact)
    assert lines[0]["action"] == "redact"
    assert lines[1] == {"path": str(tmp_path / "clean.txt"), "findings": [], "action": "deliver"}


def test_stdin_is_scanned_as_text(capsys, monkeypatch):
    """`-` reads standard input; spans index into that text."""
    text = "Text me: +44 7911 123456 thanks"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["scan", "--json", "-"]) == 0
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    (finding,) = line["findings"]
    assert text[finding["start"] : finding["end"]] == finding["text"]
    assert finding["kind"] == "phone"


def test_unreadable_input_is_reported_and_others_still_scanned(tmp_path: Path, capsys):
    """A missing file gets a message on stderr and exit 2; the readable input is still scanned."""
    (tmp_path / "m.eml").write_bytes(EML)
    code = main(["scan", "--json", str(tmp_path / "missing.eml"), str(tmp_path / "m.eml")])
    captured = capsys.readouterr()
    assert code == 2
    assert "cannot read" in captured.err
    assert "missing.eml" in captured.err
    assert len(captured.out.splitlines()) == 1


def test_table_output_for_people(tmp_path: Path, capsys):
    """Without --json the result is a readable summary and table."""
    (tmp_path / "m.eml").write_bytes(EML)
    assert main(["scan", str(tmp_path / "m.eml")]) == 0
    out = capsys.readouterr().out
    assert "action redact" in out
    assert "ann.lee@gmail.com" in out


def test_text_whose_first_line_has_a_colon_is_not_taken_for_mail(capsys, monkeypatch):
    """ "IBAN: ..." on stdin is scanned as text, not parsed as a header block."""
    text = "IBAN: DE44 5001 0517 5407 3249 31, BIC INGDDEFFXXX"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["scan", "--json", "-"]) == 0
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {f["kind"] for f in line["findings"]} == {"iban", "swift"}
