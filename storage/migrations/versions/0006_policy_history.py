"""policy history: one summary row per (thread, sender), so a decision reads one row

Backfilled here from the archived decisions, exactly as storage.policy_state summarises them.

Revision ID: policy_history
Revises: record
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "policy_history"
down_revision: str | None = "record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table and fill it from every inbound message with a sender."""
    history = op.create_table(
        "policy_history",
        sa.Column("thread_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("contact", sa.Integer(), nullable=False),
        sa.Column("tail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"]),
        sa.ForeignKeyConstraint(["sender_id"], ["participant.id"]),
        sa.PrimaryKeyConstraint("thread_id", "sender_id"),
    )
    op.bulk_insert(history, list(_backfill(op.get_bind()).values()))


def _backfill(bind) -> dict:
    """The rows for the messages archived so far, read in id order (newest decides the tail)."""
    rows: dict = {}
    result = bind.execute(
        sa.text(
            "SELECT thread_id, sender_id, action, status, decision FROM message "
            "WHERE kind = 'inbound' AND sender_id IS NOT NULL ORDER BY id"
        )
    )
    for thread_id, sender_id, action, status, decision in result:
        if isinstance(decision, str):  # SQLite hands JSON back as text
            decision = json.loads(decision)
        decision = decision or {}
        row = rows.setdefault(
            (thread_id, sender_id),
            {
                "thread_id": thread_id,
                "sender_id": sender_id,
                "messages": 0,
                "flagged": 0,
                "contact": 0,
                "tail": [],
            },
        )
        row["messages"] += 1
        row["flagged"] += action == "flag"
        row["contact"] += status != "rejected" and "contact" in decision.get("categories", ())
        row["tail"] = list(decision.get("tail", ()))
    return rows


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("policy_history")
