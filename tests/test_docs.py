"""Documentation stays true: every setting is in the README, the README's two set-up commands are
Makefile targets, and .ci/run calls the README's test command."""

from __future__ import annotations

import re

from policykg import settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme():
    for s in settings.SETTINGS:
        assert f"| `{s.name}` |" in README, s.name


def test_readme_starts_with_the_two_setup_commands_and_ci_runs_the_test_one():
    block = re.search(r"```sh\n(.*?)```", README, re.S).group(1).strip().splitlines()
    commands = [line.split("#")[0].strip() for line in block]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
