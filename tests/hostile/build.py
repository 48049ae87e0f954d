"""Write the hostile corpus to tests/hostile/cases/<name>.eml (for swaks --data or manual runs).

    python -m tests.hostile.build

The files are generated, not edited: tests/test_hostile.py checks they match corpus.py.
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile.corpus import cases

FOLDER = Path(__file__).parent / "cases"


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    for case in cases():
        (FOLDER / f"{case.name}.eml").write_bytes(case.data)
    print(f"wrote {len(cases())} cases to {FOLDER}")


if __name__ == "__main__":
    main()
