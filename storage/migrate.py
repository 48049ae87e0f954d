"""Schema migrations through Alembic, called from code (`gateway db upgrade`, `gateway serve`).

Why programmatic: admins get one command and no alembic.ini to keep in sync; tests migrate each
fresh database exactly the way production does, so a migration that breaks is caught by every test.
"""

from __future__ import annotations

import ast
import contextlib
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, as storage/migrations/env.py leaves it


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic Config pointing at our migrations, optionally bound to an engine."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        url = engine.url.render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser syntax
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent: a current schema is left alone)."""
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


# ---------------------------------------------------------------- without Alembic
# `gateway serve` checks the schema at every start (each worker does); importing Alembic for
# that (and Mako and Pygments through it) costs every process about 6 MB that it never uses
# again. The two reads below give the same answers as Alembic's for this project's linear
# history (tests/test_storage.py compares them); anything unusual falls back to Alembic.


def stored_revision(engine: Engine) -> str | None:
    """current_revision() by one SELECT of Alembic's version table (None: no table, no row)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(rows) > 1:  # several heads stored: Alembic's own reading, which refuses it
        return current_revision(engine)
    return rows[0][0] if rows else None


@functools.cache
def shipped_head() -> str | None:
    """head_revision() from the migration files' `revision`/`down_revision` assignments."""
    revisions: dict[str, object] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        values: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AnnAssign | ast.Assign):
                targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
                for target in targets:
                    if isinstance(target, ast.Name) and node.value is not None:
                        with contextlib.suppress(ValueError):
                            values[target.id] = ast.literal_eval(node.value)
        if isinstance(values.get("revision"), str):
            revisions[values["revision"]] = values.get("down_revision")
    parents: set[object] = set()
    for down in revisions.values():
        parents.update(down if isinstance(down, tuple | list) else (down,))
    heads = [revision for revision in revisions if revision not in parents]
    if len(heads) != 1:  # a branch or a merge: Alembic decides (and explains)
        return head_revision()
    return heads[0]


def is_current(engine: Engine) -> bool:
    """True when the database schema matches this code's newest migration."""
    return stored_revision(engine) == shipped_head()
