"""mypy over the package ``policykg``, as it is installed: ``.venv/bin/python -m tests.typecheck [mypy options]``.

The sub-packages live in top-level folders (pyproject's ``package-dir``: ``ingest/`` is
``policykg.ingest``), a mapping mypy cannot follow (it does not run the editable install's import
hook). So this lays the package out as it is installed, as a tree of symlinks under
``build/typecheck/`` (git-ignored), runs ``mypy -p policykg`` there with pyproject's ``[tool.mypy]``,
and prints the paths of the checkout (``ingest/text.py``, not ``policykg/ingest/text.py``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "build" / "typecheck"


def package_dir() -> dict[str, str]:
    """Dotted package → its folder in the checkout, from pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-dir"]


def _link(link: Path, target: Path) -> None:
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    tmp = link.with_name(f".{link.name}.{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    os.replace(tmp, link)  # atomic: a concurrent run sees the old link or the new one


def build_tree() -> Path:
    """``build/typecheck/policykg/…``: the root package's modules and one link per sub-package folder."""
    mapping = package_dir()
    root = TREE / "policykg"
    root.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for module in (ROOT / mapping["policykg"]).glob("*.py"):
        _link(root / module.name, module)
        wanted.add(module.name)
    for package, folder in mapping.items():
        if package != "policykg":
            name = package.removeprefix("policykg.")
            assert "." not in name, f"{package}: only direct sub-packages are mapped here"
            _link(root / name, ROOT / folder)
            wanted.add(name)
    for stale in root.iterdir():  # a module that was moved or deleted
        if stale.name not in wanted and stale.is_symlink():
            stale.unlink(missing_ok=True)
    return TREE


def to_checkout(text: str) -> str:
    """``policykg/ingest/text.py:12: …`` → ``ingest/text.py:12: …``."""
    mapping = package_dir()

    def path(match: re.Match[str]) -> str:
        module_path = match.group(0)
        parts = module_path.split("/")
        for n in range(len(parts) - 1, 0, -1):
            package = ".".join(parts[:n])
            if package in mapping:
                return "/".join([mapping[package], *parts[n:]])
        return module_path

    return re.sub(r"^policykg/[\w/]+\.pyi?", path, text, flags=re.M)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    cwd = build_tree()
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
               "--cache-dir", str(ROOT / "build" / "mypy-cache"), *args, "-p", "policykg"]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return subprocess.CompletedProcess(command, done.returncode, to_checkout(done.stdout), to_checkout(done.stderr))


def main() -> int:
    done = run(*sys.argv[1:])
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
