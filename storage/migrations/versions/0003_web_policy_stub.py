"""policy stub for the web branch: thread stage and per-thread exemptions

The `policy` helper's own migration replaces this one at merge (same tables and column).

Revision ID: web_policy_stub
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "web_policy_stub"
down_revision: str | None = "ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add thread.stage and the threadexemption table."""
    with op.batch_alter_table("thread") as batch_op:
        batch_op.add_column(
            sa.Column("stage", sa.String(length=16), nullable=False, server_default="inquiry")
        )
    op.create_table(
        "threadexemption",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("thread_id", sa.String(length=32), sa.ForeignKey("thread.id"), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_threadexemption_thread_id", "threadexemption", ["thread_id"])


def downgrade() -> None:
    """Remove them again."""
    op.drop_index("ix_threadexemption_thread_id", table_name="threadexemption")
    op.drop_table("threadexemption")
    with op.batch_alter_table("thread") as batch_op:
        batch_op.drop_column("stage")
