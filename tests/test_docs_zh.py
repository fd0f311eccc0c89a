"""/docs in Chinese: ``/openapi.json?lang=zh`` is the OpenAPI document with Chinese texts from the
curated table api/openapi_zh.yaml (every operation's summary and description, every parameter's
description, the tags and the response descriptions), otherwise the same document as the English
one, which /openapi.json stays for clients and tools. A Chinese /docs points Swagger UI at it and
shows Swagger UI's own buttons and headings in Chinese; in headless Chromium a canned query is
tried from the Chinese page and answers 200."""

from __future__ import annotations

import copy
import re

import pytest

from policykg.api import openapi_zh
from tests.test_browser import not_blank

CJK = re.compile(r"[\u3400-\u9fff]")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def documents(client) -> tuple[dict, dict]:
    en = client.get("/openapi.json")
    zh = client.get("/openapi.json", params={"lang": "zh"})
    assert en.status_code == 200 and zh.status_code == 200
    return en.json(), zh.json()


def operations(spec: dict) -> dict[tuple[str, str], dict]:
    return {(method, path): op for method, path, op in openapi_zh.operations(spec)}


def chinese(text: str | None, english: str | None = None) -> bool:
    """A Chinese text: it has Chinese characters and is not the English text (which may have some, e.g. 文号)."""
    return bool(text and CJK.search(text)) and text != english


def test_the_table_has_a_chinese_text_for_everything_the_english_document_says(documents):
    en, _ = documents
    assert openapi_zh.missing(en) == []


def test_every_operation_and_parameter_of_the_zh_document_is_in_chinese(documents):
    en, zh = documents
    en_ops, zh_ops = operations(en), operations(zh)
    assert en_ops.keys() == zh_ops.keys() and len(en_ops) > 50
    parameters = 0
    for key, op in en_ops.items():
        z = zh_ops[key]
        assert chinese(z["summary"], op["summary"]), (key, z["summary"])
        if op.get("description"):
            assert chinese(z["description"], op["description"]), (key, z["description"][:200])
        for p, q in zip(op.get("parameters", []), z.get("parameters", [])):
            assert chinese(q.get("description"), p.get("description")), (key, p["name"], q.get("description"))
            parameters += 1
        for code, r in op["responses"].items():
            assert chinese(z["responses"][code]["description"], r["description"]), (key, code, r["description"])
        assert all(chinese(tag) for tag in z.get("tags", [])), (key, z.get("tags"))
    assert parameters > 150
    assert chinese(zh["info"]["description"], en["info"]["description"])
    # a canned query's description: the Chinese prose of the query, then the file's own example and SPARQL
    en_q, zh_q = en_ops[("get", "/api/queries/implementers")], zh_ops[("get", "/api/queries/implementers")]
    assert zh_q["summary"] == "一项措施由哪些单位落实、担任什么角色、何时完成"
    assert zh_q["description"].startswith("分派给方案中某项编号措施的机构") and "\n\n示例：`" in zh_q["description"]
    assert zh_q["description"].split("\n\n示例：", 1)[1] == en_q["description"].split("\n\nExample: ", 1)[1]
    assert "```sparql\nSELECT" in zh_q["description"]
    assert "配合……）、是否为开放式的泛指主体" in zh_q["description"]  # the table's line breaks leave no space between Chinese words


def skeleton(spec: dict) -> dict:
    """The document without its human texts (summaries, descriptions, tags): what a request is built from."""
    s = copy.deepcopy(spec)
    s["info"].pop("description", None)
    for _, _, op in openapi_zh.operations(s):
        for key in ("summary", "description", "tags"):
            op.pop(key, None)
        for p in op.get("parameters", []):
            p.pop("description", None)
        for r in op.get("responses", {}).values():
            r.pop("description", None)
    return s


def test_the_two_documents_differ_only_in_their_texts(documents):
    en, zh = documents
    assert zh["paths"].keys() == en["paths"].keys()
    for path, item in en["paths"].items():
        assert zh["paths"][path].keys() == item.keys(), path  # the same methods
        for method, op in item.items():
            z = zh["paths"][path][method]
            assert [(p["name"], p["in"], p.get("required")) for p in z.get("parameters", [])] == \
                   [(p["name"], p["in"], p.get("required")) for p in op.get("parameters", [])], (method, path)
            assert z["responses"].keys() == op["responses"].keys(), (method, path)
            assert z.get("operationId") == op.get("operationId")
            assert z.get("tags", []) == [openapi_zh.table()["tags"][t] for t in op.get("tags", [])], (method, path)
    assert zh["components"] == en["components"]  # the schemas
    assert skeleton(zh) == skeleton(en)  # and everything else: schemas of parameters, bodies, responses


def test_openapi_json_stays_english_unless_asked(client, documents):
    en, _ = documents
    implementers = en["paths"]["/api/queries/implementers"]["get"]["summary"]
    assert implementers == "Which bodies implement a measure, in which role, by when"
    client.cookies.set("lang", "zh")  # a browser that chose Chinese: the document is still English
    assert client.get("/openapi.json").json() == en
    assert client.get("/openapi.json", params={"lang": "en"}).json() == en
    r = client.get("/openapi.json", params={"lang": "fr"})
    assert r.status_code == 400 and r.json()["error"] == "ParameterError"


def test_docs_in_chinese_points_swagger_ui_at_the_zh_document(client, documents):
    en, zh = documents
    for params in ({"lang": "zh"}, {}):  # Chinese is the default
        html = client.get("/docs", params=params, headers={"accept": BROWSER}).text
        assert '<html lang="zh">' in html
        assert re.findall(r'data-url="([^"]*)"', html) == ["/openapi.json?lang=zh"]
        # the plain list under it (a browser without scripts) is Chinese too, and both documents are linked
        assert f"<td>{zh['paths']['/api/queries/implementers']['get']['summary']}</td>" in html
        assert 'href="/openapi.json?lang=zh"' in html and 'href="/openapi.json"' in html and "试一试" in html
    client.cookies.clear()
    html = client.get("/docs", params={"lang": "en"}, headers={"accept": BROWSER}).text
    assert '<html lang="en">' in html and re.findall(r'data-url="([^"]*)"', html) == ["/openapi.json"]
    assert f"<td>{en['paths']['/api/queries/implementers']['get']['summary']}</td>" in html and "试一试" not in html
    client.cookies.clear()


# -- in a browser ---------------------------------------------------------------------------------

OPERATION = ".opblock:has(.opblock-summary-path[data-path='/api/queries/agency-load'])"


def test_swagger_ui_in_chinese_tries_a_canned_query(visit):
    page = visit.page
    visit.open("/docs?lang=zh", "body[data-swagger=ready]")
    assert page.locator(".opblock-tag[data-tag='预设查询']").count() == 1  # the tags in Chinese
    op = page.locator(OPERATION)
    assert op.locator(".opblock-summary-description").inner_text() == "某行政区划内哪些机构牵头的措施最多"
    op.locator(".opblock-summary-path").click()  # expand it
    op.get_by_role("button", name="试一试").click()
    assert op.locator(".opblock-section-header h4").first.inner_text() == "参数"
    assert "行政区划：区划 IRI、GB/T 2260 代码或名称" in op.locator("tr[data-param-name=jurisdiction]").inner_text()
    op.locator("tr[data-param-name=jurisdiction] input").fill("钦南区")
    op.get_by_role("button", name="执行").click()
    status = op.locator(".live-responses-table .response .response-col_status")
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert "钦南区法制办" in op.locator(".live-responses-table tr.response .response-col_description").inner_text()
    # Swagger UI's own words, in Chinese
    headings = set(op.locator("h4, h5").all_inner_texts())
    assert {"参数", "响应", "服务器响应", "请求 URL", "响应体", "响应头"} <= headings, headings
    assert op.locator(".try-out__btn").inner_text().strip() == "取消"
    assert op.locator(".btn-clear").inner_text().strip() == "清除"
    assert op.locator(".live-responses-table .responses-header").inner_text().split() == ["状态码", "详情"]
    assert op.get_by_role("button", name="下载").count() == 1
    assert op.locator(".response-control-media-type__accept-message").first.inner_text() == "决定 Accept 请求头。"
    required = "e => getComputedStyle(e, '::after').content"
    assert op.locator("tr[data-param-name=jurisdiction] .parameter__name").evaluate(required) == '"必填"'
    assert op.locator("tr[data-param-name=jurisdiction] .parameter__name").inner_text().startswith("jurisdiction")  # never translated
    shown = op.inner_text()
    for english in ("Try it out", "Execute", "Server response", "Response body", "Request URL", "Parameters"):
        assert english not in shown, english
    not_blank(visit.screenshot("docs-zh", OPERATION))

    # the English page keeps Swagger UI's English, on the English document
    visit.open("/docs?lang=en", "body[data-swagger=ready]")
    op = page.locator(OPERATION)
    assert op.locator(".opblock-summary-description").inner_text() == "Which agencies of a jurisdiction lead the most measures"
    op.locator(".opblock-summary-path").click()
    op.get_by_role("button", name="Try it out").click()
    assert op.get_by_role("button", name="Execute").count() == 1 and "Parameters" in op.locator(".opblock-section-header h4").first.inner_text()
    assert op.locator("tr[data-param-name=jurisdiction] .parameter__name").evaluate(required) == '"required"'
    visit.assert_clean()
