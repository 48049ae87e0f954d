"""the record: per-thread ledger, sealed bodies with per-thread keys, retention and legal hold

Revision ID: record
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "record"
down_revision: str | None = "web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", _str(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", _str(length=16), nullable=False),
        sa.Column("ref", _str(length=64), nullable=False),
        sa.Column("content_sha256", _str(length=64), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("at", _str(length=32), nullable=False),
        sa.Column("prev_hash", _str(length=64), nullable=False),
        sa.Column("hash", _str(length=64), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id", "seq", name="uq_ledger_thread_seq"),
    )
    op.create_table(
        "threadkey",
        sa.Column("thread_id", _str(length=32), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("destroyed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"]),
        sa.PrimaryKeyConstraint("thread_id"),
    )
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chain_length", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("legal_hold_reason", _str(length=2000), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    for table in ("message", "delivery"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("body_state", _str(length=8), nullable=False, server_default="plain")
            )


def downgrade() -> None:
    """Revert this revision."""
    for table in ("delivery", "message"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("body_state")
    with op.batch_alter_table("thread", schema=None) as batch_op:
        for column in ("erased_at", "legal_hold_reason", "legal_hold", "chain_length"):
            batch_op.drop_column(column)
    op.drop_table("threadkey")
    op.drop_table("ledger")
