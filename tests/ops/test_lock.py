"""The lock files (requirements/lock*.txt, `make lock`) hold every dependency pyproject.toml
names, pinned with hashes; `make audit` never passes without having checked. Files only: no
network, no install."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # uses no database: CI's PostgreSQL pass leaves it out


ROOT = Path(__file__).resolve().parents[2]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_lock = _script("check_lock")
audit = _script("audit")


@pytest.mark.parametrize(
    "lock, extras", [("lock.txt", ()), ("lock-dev.txt", ("dev",))], ids=["runtime", "dev"]
)
def test_every_dependency_of_pyproject_is_in_the_lock(lock, extras):
    problems = check_lock.problems(ROOT / "requirements" / lock, extras)
    assert problems == [], "\n".join(problems) + "\nrun `make lock`"


def test_the_runtime_lock_agrees_with_the_dev_lock():
    """The image (lock.txt) runs the versions CI tested (lock-dev.txt)."""
    runtime = check_lock.pins((ROOT / "requirements" / "lock.txt").read_text())
    dev = check_lock.pins((ROOT / "requirements" / "lock-dev.txt").read_text())
    assert {n: v for n, v in runtime.items() if dev.get(n) != v} == {}


def test_no_torch_nor_cuda_in_the_lock():
    names = check_lock.pins((ROOT / "requirements" / "lock-dev.txt").read_text())
    assert not [n for n in names if n.startswith(("torch", "nvidia-", "triton"))]


def test_a_dependency_missing_from_the_lock_or_pinned_outside_its_range_is_reported(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[build-system]\nrequires = ["setuptools>=68"]\n'
        '[project]\nname = "x"\nversion = "1"\n'
        'dependencies = ["Django>=5.2,<6.0", "psycopg[binary]>=3.1", "newthing>=1.0",\n'
        "  \"win-only>=1; sys_platform == 'win32'\"]\n"
        '[project.optional-dependencies]\ndev = ["pytest>=99"]\n'
    )
    build_in = tmp_path / "build.in"
    build_in.write_text("# comment\nsetuptools>=68\n")
    lock = tmp_path / "lock.txt"
    lock.write_text(
        "django==5.2.20 \\\n    --hash=sha256:aa\n    # via x\n"
        "psycopg==3.3.9 ; python_full_version >= '3.11' \\\n    --hash=sha256:bb\n"
        "pytest==9.2.0 \\\n    --hash=sha256:cc\n"
        "setuptools==84.2.1 \\\n    --hash=sha256:dd\n"
    )
    assert check_lock.problems(lock, (), pyproject, build_in) == [
        "lock.txt: newthing>=1.0 is not in the lock"
    ]
    assert check_lock.problems(lock, ("dev",), pyproject, build_in)[-1] == (
        "lock.txt: pytest>=99 but the lock pins 9.2.0"
    )
    assert check_lock.problems(tmp_path / "absent.txt", (), pyproject, build_in) == [
        "absent.txt does not exist"
    ]


def test_a_pin_without_a_hash_is_refused():
    with pytest.raises(ValueError, match="no hash"):
        check_lock.pins("django==5.2.20\n    # via x\n")


def test_make_install_installs_from_the_lock_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    rule = re.search(r"^\$\(VENV\)/\.installed: (.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert "$(DEV_LOCK)" in rule.group(1)
    assert "--require-hashes -r $(DEV_LOCK)" in rule.group(2)
    assert "--no-deps" in rule.group(2)
    assert "-e '.[dev]'" not in makefile


# --- scripts/audit.py ----------------------------------------------------------------------


def _report(*deps):
    return {"dependencies": list(deps), "fixes": []}


@pytest.fixture
def lock_file(tmp_path):
    path = tmp_path / "lock.txt"
    path.write_text("django==5.2.20 \\\n    --hash=sha256:aa\n")
    return path


def test_audit_fails_when_the_service_skipped_dependencies(monkeypatch, lock_file, capsys):
    """pip-audit's own exit status is 0 here ("No known vulnerabilities found")."""
    skipped = {"name": "django", "skip_reason": "Dependency not found on PyPI"}
    monkeypatch.setattr(audit, "run_pip_audit", lambda *a: (_report(skipped), ""))
    assert audit.main([str(lock_file)]) == audit.NOT_AUDITED
    out = capsys.readouterr().out
    assert "NOT AUDITED" in out and "1 of 1 dependencies not checked" in out
    monkeypatch.setenv("AUDIT_UNREACHABLE", "warn")
    assert audit.main([str(lock_file)]) == 0
    assert "going on without an audit" in capsys.readouterr().out


def test_audit_fails_when_no_service_answers(monkeypatch, lock_file, capsys):
    monkeypatch.setattr(audit, "run_pip_audit", lambda *a: (None, "ConnectionError: no DNS"))
    assert audit.main([str(lock_file)]) == audit.NOT_AUDITED
    out = capsys.readouterr().out
    assert "service pypi: lock.txt: ConnectionError" in out
    assert "service osv: lock.txt: ConnectionError" in out


def test_audit_lists_vulnerabilities_and_fails(monkeypatch, lock_file, capsys):
    vuln = {"id": "PYSEC-0000-1", "aliases": ["CVE-0000-1"], "fix_versions": ["5.2.21"]}
    dep = {"name": "django", "version": "5.2.20", "vulns": [vuln]}
    monkeypatch.setattr(audit, "run_pip_audit", lambda *a: (_report(dep), ""))
    assert audit.main([str(lock_file)]) == 1
    assert "django 5.2.20: PYSEC-0000-1 (CVE-0000-1); fixed in 5.2.21" in capsys.readouterr().out
    monkeypatch.setenv("AUDIT_UNREACHABLE", "warn")  # says nothing about found vulnerabilities
    assert audit.main([str(lock_file)]) == 1


def test_audit_passes_when_every_dependency_was_checked(monkeypatch, lock_file, capsys):
    dep = {"name": "django", "version": "5.2.20", "vulns": []}
    calls = []
    monkeypatch.setattr(audit, "run_pip_audit", lambda *a: calls.append(a) or (_report(dep), ""))
    monkeypatch.setenv("AUDIT_SERVICE", "osv")
    assert audit.main([str(lock_file)]) == 0
    assert [service for _, service, _ in calls] == ["osv"]
    assert "no known vulnerabilities in lock.txt (service osv)" in capsys.readouterr().out


def test_audit_ignores_need_a_reason(tmp_path):
    ignore = tmp_path / "audit-ignore.txt"
    ignore.write_text("# header\nGHSA-1  # not reachable from Insieme\n")
    assert audit.ignored_ids(ignore) == ["GHSA-1"]
    ignore.write_text("GHSA-2\n")
    with pytest.raises(SystemExit, match="no reason"):
        audit.ignored_ids(ignore)
    audit.ignored_ids(ROOT / "requirements" / "audit-ignore.txt")  # ours reads, reasons given
