"""What a gateway process loads before its first message (docs/performance.md, "Memory of a
25 MB message"): libraries that only some configurations use stay out of the others."""

from __future__ import annotations

import json
import subprocess
import sys

from gateway.scanning import normalize


def loaded_after(code: str) -> dict:
    """sys.modules (top-level names) and the fold table's state after running `code` fresh."""
    probe = (
        f"{code}\nimport json, sys\nfold = sys.modules.get('gateway.scanning.normalize')\n"
        "print(json.dumps({'modules': sorted({m.split('.')[0] for m in sys.modules} | "
        "{m for m in sys.modules if m.startswith('gateway.')}), "
        "'table': bool(fold and fold._BMP)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_worker_loads_no_web_framework_no_alembic_no_psycopg_no_fold_table():
    """A worker without `[ops] listen` or `[web]`, on SQLite: FastAPI, uvicorn, Alembic and
    psycopg are not imported, nor is the fold table built (the first non-ASCII text builds it)."""
    state = loaded_after("import gateway.workers, gateway.server, gateway.scanning.scanner")
    for name in ("fastapi", "uvicorn", "starlette", "alembic", "mako", "psycopg"):
        assert name not in state["modules"], name
    assert not state["table"]


def test_the_supervisor_does_not_load_the_pipeline(tmp_path):
    """`gateway serve` with workers: the supervisor migrates the database (workers.prepare)
    and spawns the workers; the pipeline is theirs."""
    toml = (
        '[platform]\nname = "GigBridge"\n[relay]\ndomain = "relay.gigbridge.io"\nworkers = 2\n'
        f'[storage]\nurl = "sqlite:///{tmp_path}/gateway.db"\n[dkim]\nenabled = false\n'
    )
    state = loaded_after(
        "import gateway.cli, gateway.workers\nfrom gateway.config import parse_settings\n"
        f"gateway.workers.prepare(parse_settings({toml!r}, base_dir={str(tmp_path)!r}))"
    )
    for name in ("gateway.server", "gateway.smtp", "gateway.pipeline", "gateway.scanning"):
        assert name not in state["modules"], name


def test_the_per_character_fold_equals_the_table_fold():
    """fold_chars (the scanner's patterns at import) gives fold().text for every character."""
    chars = [chr(code) for code in range(0x80, 0x10000)]
    chars += [chr(code) for code in range(0x10000, 0x30000, 97)]
    assert [normalize.fold_chars(c) for c in chars] == [normalize.fold(c).text for c in chars]
    text = "Платформа ｐａｙ\u200bpal ➊❶ ﬁle Ⅻ 𝟘𝟙" * 3
    assert normalize.fold_chars(text) == normalize.fold(text).text
