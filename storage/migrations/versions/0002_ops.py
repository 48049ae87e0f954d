"""ops: count delivery crashes so a poison message is set aside

Revision ID: ops
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ops"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add delivery.crashes (attempts that ended in a crash, not in an SMTP answer)."""
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("crashes", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop delivery.crashes."""
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("crashes")
