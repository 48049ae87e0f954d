"""Alembic environment: runs migrations on the connection or URL the gateway hands over.

The gateway calls Alembic programmatically (storage/migrate.py), passing its own connection in
`config.attributes["connection"]`, so migrations run on exactly the engine the service uses
(SQLite pragmas, PostgreSQL search_path) and no alembic.ini is needed.
"""

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.db import make_engine

target_metadata = SQLModel.metadata


def _run(connection) -> None:
    """Configure and run the migrations inside one transaction."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER needs batch mode
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
