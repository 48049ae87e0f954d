"""kill -9 at random moments under load, ten rounds per database (twenty in the suite).

Two `gateway serve` processes share one database (SQLite file or PostgreSQL schema) and a steady
stream of messages; each round SIGKILLs one of them at a random moment - inside an SMTP
transaction, an archive commit, a claim, or between the upstream's 250 and `mark_delivered` -
and restarts it. No message that got a 250 may be lost; a duplicate is accepted only in the
documented crash window (a kill between the upstream's acceptance and our `delivered` record).
bench/soak_kill.py runs the same thing for as many rounds as you like.
"""

from __future__ import annotations

from tests.ops_helpers import kill_rounds

ROUNDS = 10


async def test_random_kill_9_rounds_lose_nothing(db_url, tmp_path, dkim_key):
    report = await kill_rounds(db_url, tmp_path, dkim_key[0], ROUNDS)
    print(report.summary())  # shown with -s; the numbers behind docs/operations.md
    assert report.rounds == ROUNDS
    assert report.acked >= 50, report.summary()  # there was real load between the kills
    assert report.lost == set(), report.summary()
    assert report.unexplained_duplicates == [], report.summary()
    assert report.delivered >= report.acked
