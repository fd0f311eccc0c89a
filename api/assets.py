"""The web UI's browser libraries: the allow-list ``ASSETS`` and the build step that puts them in
the package.

``web/package-lock.json`` pins the libraries and ``npm ci --prefix web`` installs them into
``web/node_modules`` from the npm registry (no CDN). The build step, ``python api/assets.py`` run
from the checkout (``make install`` runs it before ``pip install``; ``tests/test_wheel.py`` before
building the wheel), copies exactly the allow-listed files, and each package's version as the lock
pins it (``versions.json``), into ``api/static/vendor/`` (git-ignored), which is package data of
the wheel. The app serves them from the package (``policykg.api.ui``).

Only the standard library is used here, so the step runs before policykg is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Asset:
    """One file of an npm package that the pages load."""

    package: str
    file: str  # path inside the package

    @property
    def name(self) -> str:
        return self.file.rsplit("/", 1)[-1]


ASSETS = (
    Asset("@zazuko/yasgui", "build/yasgui.min.js"),
    Asset("@zazuko/yasgui", "build/yasgui.min.css"),
    Asset("cytoscape", "dist/cytoscape.min.js"),
    Asset("cytoscape-dagre", "dist/cytoscape-dagre.min.js"),  # bundles @dagrejs/dagre
    Asset("swagger-ui-dist", "swagger-ui-bundle.js"),  # /docs: try a request (api/static/docs.js starts it)
    Asset("swagger-ui-dist", "swagger-ui.css"),
)
VERSIONS = "versions.json"  # package → version pinned by web/package-lock.json, beside the copied files
KEEP = {".gitignore"}  # files of the vendor folder that are not assets


class VendorError(Exception):
    """web/node_modules does not hold what the lockfile pins."""


def locked(web: Path) -> dict[str, str]:
    """Package → version as pinned by web/package-lock.json."""
    lock = json.loads((web / "package-lock.json").read_text(encoding="utf-8"))
    return {path.removeprefix("node_modules/"): spec["version"] for path, spec in lock["packages"].items() if path}


def _write(path: Path, data: bytes) -> None:
    """Write the file only when its content changes, atomically (a running server never reads half a file)."""
    if path.is_file() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def vendor(web: Path, out: Path) -> dict[str, str]:
    """Copy the allow-listed files of web/node_modules, checked against the lockfile, into ``out``
    (one file per asset, by its name) with ``versions.json``; remove anything else there.
    Returns the versions."""
    if len({a.name for a in ASSETS}) != len(ASSETS):
        raise VendorError("two assets have the same file name")
    pins = locked(web)
    versions: dict[str, str] = {}
    for a in ASSETS:
        if a.package not in pins:
            raise VendorError(f"{a.package} is not in {web / 'package-lock.json'}")
        manifest = web / "node_modules" / a.package / "package.json"
        if not manifest.is_file():
            raise VendorError(f"{a.package} is not installed in {web / 'node_modules'}: run `npm ci --prefix {web}`")
        version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        if version != pins[a.package]:
            raise VendorError(f"{web / 'node_modules'} has {a.package} {version} but the lockfile pins {pins[a.package]}: "
                              f"run `npm ci --prefix {web}`")
        if not (web / "node_modules" / a.package / a.file).is_file():
            raise VendorError(f"{a.package} {version} has no {a.file}")
        versions[a.package] = version
    out.mkdir(parents=True, exist_ok=True)
    wanted = {a.name for a in ASSETS} | {VERSIONS} | KEEP
    for old in out.iterdir():
        if old.name not in wanted and old.is_file():
            old.unlink()
    for a in ASSETS:
        _write(out / a.name, (web / "node_modules" / a.package / a.file).read_bytes())
    _write(out / VERSIONS, (json.dumps(versions, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Copy the web UI's allow-listed npm files into the package data.")
    parser.add_argument("--web", type=Path, default=Path("web"), help="the npm project (default: web)")
    parser.add_argument("--out", type=Path, default=Path("api/static/vendor"), help="the package-data folder (default: api/static/vendor)")
    args = parser.parse_args(argv)
    try:
        versions = vendor(args.web, args.out)
    except (VendorError, OSError, KeyError, ValueError) as exc:
        print(f"api/assets.py: {exc}", file=sys.stderr)
        return 1
    print(f"{len(ASSETS)} browser assets copied to {args.out}: " + ", ".join(f"{p} {v}" for p, v in versions.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
