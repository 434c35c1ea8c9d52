"""Print the mutation score of each mutated module from mutmut's results (`make mutation`).

A mutant counts as killed when a test failed (or it ran past its time limit); a mutant that no
test reaches counts as survived. One line per module, then the total:
`mutation <module> killed=<n> total=<n> score=<percent>`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

DETECTED = {"killed", "timeout", "caught by type check"}
LINE = re.compile(r"^\s*(?P<key>[\w.]+)__mutmut_\d+: (?P<status>.+)$")


def main() -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    result = subprocess.run(  # noqa: S603 - our own venv's mutmut, fixed arguments
        [str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=True
    )
    killed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for line in result.stdout.splitlines():
        match = LINE.match(line)
        if match is None:
            continue
        # insieme.core.pii.x_redact -> insieme/core/pii.py (the function name is the last part)
        dotted = match["key"].rsplit(".", 1)[0]
        module = dotted.replace(".", "/") + ".py"
        status = match["status"].strip()
        if status == "skipped":
            continue
        total[module] += 1
        killed[module] += status in DETECTED
    if not total:
        print("mutation: no results (run `mutmut run` first)", file=sys.stderr)
        return 1
    for module in sorted(total):
        score = 100 * killed[module] / total[module]
        print(f"mutation {module} killed={killed[module]} total={total[module]} score={score:.1f}%")
    all_killed, all_total = sum(killed.values()), sum(total.values())
    print(
        f"mutation all killed={all_killed} total={all_total} "
        f"score={100 * all_killed / all_total:.1f}%"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
