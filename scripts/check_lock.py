"""Is requirements/lock*.txt in step with pyproject.toml? Every dependency that pyproject.toml
names (its [project] dependencies, plus the dev extra for lock-dev.txt, plus [build-system]
requires) must be pinned in the lock at a version its specifier allows. Reads the files only:
no network, no install. `make install` runs it after installing from the lock;
tests/ops/test_lock.py runs it too. Exit status 1, with what is missing, when `make lock` is due.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
BUILD_IN = ROOT / "requirements" / "build.in"
LOCKS = {
    # lock file: the optional-dependency groups it holds besides the runtime ones
    ROOT / "requirements" / "lock.txt": (),
    ROOT / "requirements" / "lock-dev.txt": ("dev",),
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def pins(lock_text: str) -> dict[str, set[str]]:
    """{canonical name: pinned versions} of a pip-compile/uv lock (a name may be pinned twice,
    under different markers); every pin must carry at least one hash."""
    found: dict[str, set[str]] = {}
    lines = lock_text.splitlines()
    for i, line in enumerate(lines):
        match = PIN.match(line)
        if not match:
            continue
        block = [line]
        for nxt in lines[i + 1 :]:
            if not nxt.startswith((" ", "\t")):
                break
            block.append(nxt)
        if "--hash=sha256:" not in "\n".join(block):
            raise ValueError(f"{match.group(1)}=={match.group(2)} has no hash")
        found.setdefault(canonicalize_name(match.group(1)), set()).add(match.group(2))
    return found


def required(pyproject: dict, extras: tuple[str, ...], build_in: str) -> list[Requirement]:
    reqs = [Requirement(r) for r in pyproject["project"].get("dependencies", [])]
    for extra in extras:
        reqs += [Requirement(r) for r in pyproject["project"]["optional-dependencies"][extra]]
    reqs += [Requirement(r) for r in pyproject.get("build-system", {}).get("requires", [])]
    for line in build_in.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            reqs.append(Requirement(line))
    return reqs


def problems(
    lock: Path, extras: tuple[str, ...], pyproject: Path = PYPROJECT, build_in: Path = BUILD_IN
) -> list[str]:
    """What `lock` lacks for pyproject.toml: names not pinned, or pinned outside the specifier."""
    if not lock.exists():
        return [f"{lock.name} does not exist"]
    project = tomllib.loads(pyproject.read_text())
    locked = pins(lock.read_text())
    found = []
    for req in required(project, extras, build_in.read_text()):
        if req.marker is not None and not req.marker.evaluate({"python_version": "3.11"}):
            continue
        versions = locked.get(canonicalize_name(req.name))
        if not versions:
            found.append(f"{lock.name}: {req} is not in the lock")
        elif not any(req.specifier.contains(Version(v), prereleases=True) for v in versions):
            found.append(f"{lock.name}: {req} but the lock pins {', '.join(sorted(versions))}")
    return found


def main() -> int:
    found = [p for lock, extras in LOCKS.items() for p in problems(lock, extras)]
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print(
            "The lock is out of date with pyproject.toml: run `make lock` (and commit "
            "requirements/), then `make install`.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
