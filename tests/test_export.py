"""Evidence exports: a round trip verifies offline; any tampering with the export is named."""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from gateway import evidence
from gateway.cli import main
from storage import archive
from tests.conftest import settings_toml
from tests.record_helpers import fill_thread, migrated_engine, new_thread


@pytest.fixture
def engine(db_url):
    engine = migrated_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def config(db_url, tmp_path, dkim_key) -> str:
    path = tmp_path / "gateway.toml"
    path.write_text(settings_toml(db_url, tmp_path, dkim_key[0]))
    return str(path)


def export_zip(config: str, thread_id: str, path: Path) -> None:
    assert main(["threads", "export", thread_id, "--config", config, "-o", str(path)]) == 0


def rewrite_zip(path: Path, change) -> None:
    """Rewrite a zip with `change(files)` applied (files: name -> bytes)."""
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    change(files)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def test_zip_round_trip_holds_exact_bytes_and_verifies_offline(engine, config, tmp_path, capsys):
    """Every message as received and every copy as delivered, byte-exact, and a clean verify."""
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 3)
    path = tmp_path / "evidence.zip"
    export_zip(config, tid, path)
    assert "9 files, 12 records" in capsys.readouterr().out  # 3 received + 6 delivered
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        first = zf.read(manifest["messages"][0]["file"])
        sums = zf.read("SHA256SUMS").decode()
    assert len([n for n in names if n.endswith(".eml")]) == 9
    assert first == archive.get_message(engine, stored.messages[0]).raw
    assert manifest["messages"][0]["findings"][0]["text"] == "+1 415 555 2600"
    assert manifest["messages"][0]["decision"]["rule"] == "contact"
    assert [e["kind"] for e in manifest["ledger"][:4]] == [
        "inbound",
        "decision",
        "outgoing",
        "outgoing",
    ]
    assert manifest["chain"]["length"] == 12
    assert f"{hashlib.sha256(first).hexdigest()}  {manifest['messages'][0]['file']}" in sums
    check = evidence.verify_export(path)
    assert check.ok, check.problems
    assert (check.files, check.records, check.head) == (9, 12, manifest["chain"]["head"])
    assert main(["archive", "verify-export", str(path)]) == 0  # no --config: offline


def test_sha256sum_checks_an_unpacked_export(engine, config, tmp_path):
    """A third party can check every file with the standard sha256sum tool."""
    tid = new_thread(engine)
    fill_thread(engine, tid, 2)
    path = tmp_path / "evidence.zip"
    export_zip(config, tid, path)
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    done = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == 7  # manifest + 2 received + 4 delivered
    (folder / "received" / sorted(p.name for p in (folder / "received").iterdir())[0]).write_bytes(
        b"forged"
    )
    assert (
        subprocess.run(
            ["sha256sum", "-c", "--quiet", "SHA256SUMS"],
            cwd=folder,
            check=False,
            capture_output=True,
        ).returncode
        == 1
    )


def test_a_changed_byte_in_a_message_fails_with_the_file_named(engine, config, tmp_path, capsys):
    tid = new_thread(engine)
    fill_thread(engine, tid, 2)
    path = tmp_path / "evidence.zip"
    export_zip(config, tid, path)
    target = "delivered/00003-delivery-"

    def flip(files):
        name = next(n for n in files if n.startswith(target))
        data = bytearray(files[name])
        data[10] ^= 0x20
        files[name] = bytes(data)

    rewrite_zip(path, flip)
    check = evidence.verify_export(path)
    assert len(check.problems) == 2
    assert check.problems[0].startswith(target)
    assert "does not match the manifest's" in check.problems[0]
    assert "is not the content the ledger recorded" in check.problems[1]
    capsys.readouterr()
    assert main(["archive", "verify-export", str(path)]) == 1
    assert "problem: delivered/00003-delivery-" in capsys.readouterr().err


def test_an_edited_manifest_fails_even_with_consistent_file_hashes(engine, config, tmp_path):
    """Editing a finding or a ledger entry in the manifest is caught by the hashes."""
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 2)
    path = tmp_path / "evidence.zip"
    export_zip(config, tid, path)

    def edit(files):
        manifest = json.loads(files["manifest.json"])
        manifest["messages"][1]["findings"][0]["text"] = "nothing to see"
        manifest["ledger"][2]["meta"] = {"recipient": "someone@else.org"}
        files["manifest.json"] = json.dumps(manifest).encode()

    rewrite_zip(path, edit)
    assert evidence.verify_export(path).problems == [
        f"ledger seq 3 (outgoing delivery:{stored.deliveries[0][0]}): entry was edited "
        "(its hash does not recompute)",
        f"ledger seq 6 (decision message:{stored.messages[1]}): the message's decision or "
        "findings were edited",
    ]


def test_a_removed_file_and_a_removed_record_fail(engine, config, tmp_path):
    tid = new_thread(engine)
    fill_thread(engine, tid, 2)
    path = tmp_path / "evidence.zip"
    export_zip(config, tid, path)
    with zipfile.ZipFile(path) as zf:
        victim = json.loads(zf.read("manifest.json"))["messages"][1]["file"]
    rewrite_zip(path, lambda files: files.pop(victim))
    assert evidence.verify_export(path).problems == [
        f"{victim}: listed in the manifest but missing from the export"
    ]

    def drop_entry(files):
        manifest = json.loads(files["manifest.json"])
        del manifest["ledger"][2]
        files["manifest.json"] = json.dumps(manifest).encode()

    export_zip(config, tid, tmp_path / "second.zip")
    rewrite_zip(tmp_path / "second.zip", drop_entry)
    problems = evidence.verify_export(tmp_path / "second.zip").problems
    assert any(p.startswith("ledger seq 4 (outgoing") and "expected seq 3" in p for p in problems)
    assert any(p.startswith("chain: the manifest's head") for p in problems)


def test_mbox_round_trip_and_tamper(engine, config, tmp_path):
    """mboxrd quoting is undone exactly; the manifest sits next to the mbox."""
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 2)
    path = tmp_path / "thread.mbox"
    assert (
        main(["threads", "export", tid, "--config", config, "--format", "mbox", "-o", str(path)])
        == 0
    )
    assert (tmp_path / "thread.mbox.manifest.json").exists()
    files = evidence.read_mbox(path.read_bytes())
    first_copy = archive.deliveries_of(engine, stored.messages[0])[0]
    assert files[f"delivered/00003-delivery-{first_copy.id}.eml"] == first_copy.outgoing
    assert len(files) == 6
    assert evidence.verify_export(path).ok
    assert main(["archive", "verify-export", str(path), "--json"]) == 0
    path.write_bytes(path.read_bytes().replace(b"round 1", b"round 9", 1))
    problems = evidence.verify_export(path).problems
    assert problems
    assert "does not match the manifest's" in problems[0]


def test_mbox_quoting_is_reversible(tmp_path):
    """Lines that look like mbox separators inside a message are quoted and unquoted exactly."""
    data = b"Subject: x\r\n\r\nFrom the start\r\n>From quoted\r\nplain\r\n"
    export = evidence.Export(
        manifest={"format": evidence.FORMAT}, files={"a.eml": data, "b.eml": b"x"}
    )
    path = tmp_path / "t.mbox"
    evidence.write_mbox(export, path)
    assert b"\n>From the start" in path.read_bytes()
    assert evidence.read_mbox(path.read_bytes()) == {"a.eml": data, "b.eml": b"x"}


def test_export_errors_are_clear(engine, config, tmp_path, capsys):
    assert (
        main(["threads", "export", "th_nope", "--config", config, "-o", str(tmp_path / "x.zip")])
        == 1
    )
    assert "no thread 'th_nope'" in capsys.readouterr().err
    (tmp_path / "not.zip").write_bytes(b"hello")
    assert main(["archive", "verify-export", str(tmp_path / "not.zip")]) == 1
    assert "manifest" in capsys.readouterr().err


def test_the_hand_verification_in_the_docs_works(engine, config, tmp_path):
    """docs/evidence.md's Python snippet and jq line, run on a fresh export, agree with it."""
    import re
    import shutil
    import sys

    tid = new_thread(engine)
    fill_thread(engine, tid, 2)
    path = tmp_path / "evidence.zip"
    export_zip(config, tid, path)
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    docs = (Path(__file__).parent.parent / "docs" / "evidence.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", docs, re.S).group(1)
    done = subprocess.run(
        [sys.executable, "-c", snippet], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("chain OK: 8 records, head ")
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / manifest["ledger"][0]["file"]).write_bytes(b"forged")
    done = subprocess.run(
        [sys.executable, "-c", snippet], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert manifest["ledger"][0]["file"] in done.stderr
    if shutil.which("jq"):
        jq = re.search(r"```sh\n(jq -cS .*?)```", docs, re.S).group(1)
        done = subprocess.run(
            ["sh", "-c", jq], cwd=folder, capture_output=True, text=True, check=True
        )
        assert done.stdout.split()[0] == manifest["ledger"][0]["hash"]


def test_a_malformed_manifest_is_a_problem_not_a_traceback(engine, config, tmp_path):
    tid = new_thread(engine)
    fill_thread(engine, tid, 1)
    path = tmp_path / "evidence.zip"
    export_zip(config, tid, path)

    def garble(files):
        manifest = json.loads(files["manifest.json"])
        manifest["ledger"] = ["not an entry"]
        files["manifest.json"] = json.dumps(manifest).encode()

    rewrite_zip(path, garble)
    problems = evidence.verify_export(path).problems
    assert problems[0].startswith("manifest.json is malformed (AttributeError")
