"""policy: thread stage and per-thread policy exemptions

Revision ID: policy
Revises: ops
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "policy"
down_revision: str | None = "ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add thread.stage and the threadexemption table."""
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "stage",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="",
            )
        )
    op.create_table(
        "threadexemption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("removed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("removed_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("threadexemption", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_threadexemption_thread_id"), ["thread_id"], unique=False
        )


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("threadexemption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_threadexemption_thread_id"))
    op.drop_table("threadexemption")
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.drop_column("stage")
