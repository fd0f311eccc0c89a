"""The one template environment of the HTML pages (``api/templates/``, package data)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

TEMPLATES = Environment(loader=PackageLoader("policykg.api", "templates"), autoescape=select_autoescape())
