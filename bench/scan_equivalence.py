"""Do two versions of the scanner find exactly the same things? (A check for speed work.)

    .venv/bin/python bench/scan_equivalence.py --source /tmp/scanref [--random 4000]

`--source` is a directory holding another checkout's `gateway` package (for instance
`git archive main gateway | tar -x -C /tmp/scanref`). The same texts are scanned by this
checkout and, in a subprocess with `PYTHONPATH=<source>`, by the other one, and every finding
(category, kind, text, span, part, confidence, detector version) is compared exactly. Texts:
every corpus and hostile-corpus text, every line of them, random windows of them, the bench's
5 KB samples, every string literal of the scanner tests, and seeded random mixtures of corpus
words, disguises (other scripts' digits, look-alikes, invisibles) and noise. Exit status 1 and
the first differences when anything differs.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_FILES = (
    "test_detect_contact.py",
    "test_detect_payment.py",
    "test_scanner.py",
    "test_scan_gate.py",
    "test_scan_text.py",
    "test_corpus.py",
)
NOISE = [
    *"0123456789١٢٣४५६４５６➊⓵ @.:+-()/_#$€£",
    "\u200b",
    "\u00ad",
    "\ufeff",
    "а",
    "е",
    "о",
    "р",
    "ѕ",
    "Ａ",
    "ｍ",
    " at ",
    " dot ",
    "[at]",
    "(dot)",
    " gmail ",
    " com",
    "wa.me/",
    "t.me/",
    "iban ",
    "DE89 3704 0044 0532 0130 00",
    "4532 0151 1283 0366",
    "+44 7911 123456",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    " paypal ",
    " pix ",
    " venmo ",
    " zelle ",
    " whatsapp ",
    " telegram ",
    "@",
    " my ",
    " me ",
    " pay ",
    " five ",
    " nine ",
    " seven ",
    " two ",
    " zero ",
    "\n",
]


def texts() -> list[tuple[str, str]]:
    """(part, text) pairs to scan: deterministic for a given seed and corpus."""
    sys.path.append(str(ROOT))
    from bench.bench_scanner import five_kb
    from gateway import mime
    from gateway.scanning.text import extract

    out: list[tuple[str, str]] = []
    extracted: list[list[str]] = []
    for folder in (ROOT / "tests" / "corpus" / "messages", ROOT / "tests" / "hostile" / "cases"):
        for path in sorted(folder.glob("*.eml")):
            try:
                items = extract(mime.parse(path.read_bytes()))
            except RecursionError:  # a hostile case that the parser itself gives up on
                continue
            extracted.append([i.text for i in items])
            out.extend((i.part, i.text) for i in items)
    flat = [t for ts in extracted for t in ts]
    out.extend(("line", line) for t in flat for line in t.splitlines() if line.strip())
    out.extend(("5kb", five_kb(ts)) for ts in extracted if ts)
    for name in TEST_FILES:
        tree = ast.parse((ROOT / "tests" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
                out.append(("test", node.value))
    return out


def random_texts(count: int, seed: int) -> list[tuple[str, str]]:
    """Seeded mixtures of corpus words, windows of corpus text, disguises and noise."""
    base = [t for _, t in texts() if len(t) > 20]
    words = sorted({w for t in base for w in t.split()})
    rng = random.Random(seed)
    out = []
    for index in range(count):
        mode = index % 3
        if mode == 0:  # a random window of a real text
            t = rng.choice(base)
            a = rng.randrange(len(t))
            out.append(("rnd", t[a : a + rng.randint(1, 400)]))
        elif mode == 1:  # words and noise
            pieces = [
                rng.choice(words) if rng.random() < 0.6 else rng.choice(NOISE)
                for _ in range(rng.randint(1, 40))
            ]
            out.append(("rnd", " ".join(pieces) if rng.random() < 0.5 else "".join(pieces)))
        else:  # a real text with a disguise spliced in
            t = rng.choice(base)
            a = rng.randrange(len(t))
            out.append(("rnd", t[:a] + rng.choice(NOISE) + t[a:]))
    return out


def dump(count: int, seed: int) -> list[list]:
    """Every text's findings as plain lists, in text order."""
    from gateway.scanning.scanner import Scanner
    from gateway.scanning.text import ScanText

    scanner = Scanner(
        allowed_domains=("gigbridge.io", "relay.gigbridge.io"), work_domains=("github.com",)
    )
    result = []
    for part, text in texts() + random_texts(count, seed):
        findings = scanner.scan_texts([ScanText(part, text)])
        result.append(
            [
                [f.category, f.kind, f.text, f.start, f.end, f.part, f.confidence, f.detector]
                for f in findings
            ]
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="directory holding the other `gateway`")
    parser.add_argument("--random", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dump", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        json.dump(dump(args.random, args.seed), sys.stdout)
        return
    if args.source is None or not (args.source / "gateway").is_dir():
        parser.error("--source must be a directory holding a `gateway` package")
    env = dict(os.environ, PYTHONPATH=str(args.source.resolve()))
    command = [sys.executable, "-P", str(Path(__file__).resolve()), "--dump"]
    command += ["--random", str(args.random), "--seed", str(args.seed)]
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        sys.exit(
            f"the scan with {args.source} failed:\n{done.stderr.decode(errors='replace')[-2000:]}"
        )
    other = json.loads(done.stdout)
    sys.path.append(str(ROOT))
    ours = json.loads(json.dumps(dump(args.random, args.seed)))
    allt = texts() + random_texts(args.random, args.seed)
    differ = [i for i, (a, b) in enumerate(zip(ours, other, strict=True)) if a != b]
    total = sum(len(f) for f in ours)
    print(f"{len(ours)} texts, {total} findings here, {sum(len(f) for f in other)} there")
    for i in differ[:10]:
        print("DIFF", repr(allt[i][1][:300]))
        print("  here: ", ours[i])
        print("  there:", other[i])
    if differ:
        print(f"{len(differ)} texts differ")
        sys.exit(1)
    print("identical")


if __name__ == "__main__":
    main()
