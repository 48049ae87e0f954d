"""web: full-text index of archived messages, search indexes, support sessions

SQLite gets an FTS5 table, PostgreSQL a tsvector column with a GIN index; both are named
`message_fts` and keyed by the message id (storage/search.py writes and reads them).

Revision ID: web
Revises: policy
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "web"
down_revision: str | None = "policy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the text index, the filter indexes and the session table."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE message_fts USING fts5("
            "body, tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE TABLE message_fts ("
            "message_id INTEGER PRIMARY KEY REFERENCES message(id), tsv TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_message_fts_tsv ON message_fts USING GIN (tsv)")
    op.create_index("ix_finding_category_message", "finding", ["category", "message_id"])
    op.create_index("ix_participant_address", "participant", ["address"])
    op.create_index("ix_message_received_at", "message", ["received_at"])
    op.create_index("ix_message_sender_id", "message", ["sender_id"])
    op.create_table(
        "websession",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_websession_username", "websession", ["username"])
    op.create_index("ix_websession_expires_at", "websession", ["expires_at"])


def downgrade() -> None:
    """Drop everything upgrade created."""
    op.drop_table("websession")
    op.drop_index("ix_message_sender_id", table_name="message")
    op.drop_index("ix_message_received_at", table_name="message")
    op.drop_index("ix_participant_address", table_name="participant")
    op.drop_index("ix_finding_category_message", table_name="finding")
    op.execute("DROP TABLE message_fts")
