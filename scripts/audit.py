"""`make audit`: pip-audit of the locked dependencies (requirements/lock*.txt), that never passes
without having checked.

pip-audit, asked about a release its vulnerability service does not answer for, skips that
dependency with a note and still exits 0 ("No known vulnerabilities found"). Here it reads
pip-audit's JSON report instead and tells three outcomes apart:

    0  every locked dependency was checked and none has a known vulnerability
    1  a locked dependency has a known vulnerability (listed), not ignored below
    3  the vulnerability service could not check every dependency (unreachable, or it did not
       know a release): NOT AUDITED, with what failed

The services are tried in turn (AUDIT_SERVICE=pypi|osv|esms picks one; default pypi, then
osv); the first that checks every dependency of every lock decides. Vulnerabilities that do
not apply are ignored by id in requirements/audit-ignore.txt, one per line with its reason.
AUDIT_UNREACHABLE=warn turns outcome 3 into a warning (exit 0) for CI on a machine that
cannot reach any service; outcome 1 fails whatever it says.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / "requirements" / "audit-ignore.txt"
SERVICES = ("pypi", "osv")
NOT_AUDITED = 3


def ignored_ids(path: Path = IGNORE_FILE) -> list[str]:
    """Vulnerability ids from the ignore file: `ID  # reason` per line; a line without a reason
    is refused, so that every ignore says why."""
    if not path.exists():
        return []
    ids = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        vuln_id, _, reason = text.partition("#")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {vuln_id.strip()} has no reason after '#'")
        ids.append(vuln_id.strip())
    return ids


def run_pip_audit(lock: Path, service: str, ignore: list[str]) -> tuple[dict | None, str]:
    """pip-audit's JSON report for one lock file, or None and the reason it gave none."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        argv = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(lock),
            "--require-hashes",
            "--disable-pip",  # the lock pins everything with hashes: no resolver, no venv
            "--vulnerability-service",
            service,
            "--format",
            "json",
            "--output",
            str(out),
            "--progress-spinner",
            "off",
        ]
        for vuln_id in ignore:
            argv += ["--ignore-vuln", vuln_id]
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
        if out.exists() and out.stat().st_size:
            return json.loads(out.read_text()), ""
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        return None, (lines[-1] if lines else f"pip-audit exited with status {proc.returncode}")


def audit_with(service: str, locks: list[Path], ignore: list[str]) -> tuple[list[str], list[str]]:
    """(vulnerabilities found, reasons the service could not audit everything)."""
    found: list[str] = []
    unaudited: list[str] = []
    for lock in locks:
        report, error = run_pip_audit(lock, service, ignore)
        if report is None:
            unaudited.append(f"{lock.name}: {error}")
            continue
        skipped = [d for d in report["dependencies"] if d.get("skip_reason")]
        if skipped:
            sample = skipped[0]["skip_reason"]
            unaudited.append(
                f"{lock.name}: {len(skipped)} of {len(report['dependencies'])} dependencies "
                f"not checked (e.g. {sample})"
            )
        for dep in report["dependencies"]:
            for vuln in dep.get("vulns", []):
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
                aliases = ", ".join(vuln.get("aliases") or [])
                found.append(
                    f"{lock.name}: {dep['name']} {dep['version']}: {vuln['id']}"
                    f"{f' ({aliases})' if aliases else ''}; fixed in {fixed}"
                )
    return sorted(set(found)), unaudited


def main(argv: list[str]) -> int:
    locks = [Path(a) for a in argv] or [ROOT / "requirements" / "lock.txt"]
    for lock in locks:
        if not lock.exists():
            print(f"audit: {lock} does not exist (run `make lock`)", file=sys.stderr)
            return 2
    chosen = os.environ.get("AUDIT_SERVICE", "").strip()
    services = (chosen,) if chosen else SERVICES
    ignore = ignored_ids()
    failures: list[str] = []
    for service in services:
        found, unaudited = audit_with(service, locks, ignore)
        if unaudited:
            failures += [f"service {service}: {reason}" for reason in unaudited]
            continue
        names = ", ".join(lock.name for lock in locks)
        if found:
            print(f"audit: known vulnerabilities in {names} (service {service}):")
            for line in found:
                print(f"  {line}")
            print(
                "Raise the lower bound in pyproject.toml and run `make lock`, or add the id with "
                "its reason to requirements/audit-ignore.txt.",
            )
            return 1
        ignored = f", {len(ignore)} ignored by id" if ignore else ""
        print(f"audit: no known vulnerabilities in {names} (service {service}{ignored})")
        return 0
    print("audit: NOT AUDITED - no vulnerability service checked every locked dependency:")
    for line in failures:
        print(f"  {line}")
    if os.environ.get("AUDIT_UNREACHABLE", "") == "warn":
        print("audit: AUDIT_UNREACHABLE=warn: going on without an audit.")
        return 0
    return NOT_AUDITED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
