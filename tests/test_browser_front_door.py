"""The front door in a real browser (headless Chromium from Debian, driven by Playwright, against a
uvicorn server over the seed store, as tests/test_browser.py runs it): open ``/``, follow its
"start here" links to a lineage, responsibility views and a question in YASGUI, and switch the
language. A page that logs an error, fails to load a file or asks another host fails the test."""

from __future__ import annotations

from tests.conftest import PLAN_TITLE
from tests.test_browser import EDGES_JS, LEADS_37, NODES_JS, Visit, not_blank


def follow(visit: Visit, selector: str, ready: str) -> None:
    """From the home page, click a link and wait until the page it opens is drawn."""
    visit.open("/", "#start-here")
    with visit.page.expect_navigation():
        visit.page.locator(selector).click()
    visit.page.wait_for_selector(ready, state="attached")


def test_the_front_door_leads_to_a_lineage_responsibility_views_and_yasgui_in_either_language(visit):
    page = visit.page
    visit.open("/", "#start-here")
    assert page.locator("html").get_attribute("lang") == "zh"
    assert "知识图谱" in page.locator("#what").inner_text()
    assert page.locator("form[action='/ui/search'] input[name=q]").is_visible()
    assert page.locator("#counts tr[data-stat=documents_in_corpus] td.num").inner_text() == "5"
    not_blank(visit.screenshot("front-door-zh"))

    # the lineage of the 钦南区 plan: the plan and the three levels above it
    follow(visit, "#start-here a[data-start=lineage]", "body[data-graph=ready]")
    assert page.url.startswith(visit.base + "/ui/lineage?document=")
    titles = {n["label"] for n in page.evaluate(NODES_JS)}
    assert PLAN_TITLE in titles and "法治政府建设实施纲要(2015—2020年)" in titles and len(titles) == 4
    # who carries out measure 37 of it
    follow(visit, "#start-here a[data-start=measure]", "body[data-graph=ready]")
    assert {e["source"] for e in page.evaluate(EDGES_JS) if e["role"] == "lead"} == LEADS_37
    # the duties of 钦南区法制办
    follow(visit, "#start-here a[data-start=agency]", "body[data-graph=ready]")
    assert "钦南区法制办" in {n["label"] for n in page.evaluate(NODES_JS) if n["kind"] == "agency"}
    assert len([n for n in page.evaluate(NODES_JS) if n["kind"] == "measure"]) > 1
    # a question, opened as its tab in YASGUI
    follow(visit, "#questions a[data-tab=implementers]", "body[data-yasgui=ready]")
    assert page.locator(".yasgui .tabsList .tab.active").inner_text().replace("✖", "").strip() == "implementers"

    # the language switch: the home page in English, and the choice kept on the next page
    visit.open("/", "#start-here")
    with page.expect_navigation():
        page.locator("nav .lang a[hreflang=en]").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#what").inner_text().startswith("policykg is a knowledge graph")
    assert page.locator("h2").first.inner_text() == "Start here"
    assert "Search" in page.locator("header nav").inner_text()
    not_blank(visit.screenshot("front-door-en"))
    with page.expect_navigation():
        page.locator("#start-here a[data-start=lineage]").click()
    page.wait_for_selector("body[data-graph=ready]", state="attached")
    assert page.locator("html").get_attribute("lang") == "en" and page.locator("h1").inner_text().startswith("Lineage")
    with page.expect_navigation():
        page.locator("nav .lang a[hreflang=zh]").click()
    assert page.locator("html").get_attribute("lang") == "zh" and page.locator("h1").inner_text().startswith("文件谱系")
    visit.assert_clean()
