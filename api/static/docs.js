// policykg /docs: Swagger UI (swagger-ui-dist, from npm, served by the app under /assets) on the
// OpenAPI document of this server (data-url: /openapi.json, or /openapi.json?lang=zh on a Chinese
// page, whose summaries, descriptions and tags are Chinese). A file rather than inline script, for the
// Content-Security-Policy. Nothing is fetched from another host: no validator badge (validatorUrl
// null), no configuration read from the page's URL. When it has drawn the operations,
// <body data-swagger="ready"> is set.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") { return; }

  // Swagger UI's own words in Chinese, on a Chinese page (<html lang="zh">). Swagger UI has no
  // translations: these strings are written inside its components (Parameters, Responses,
  // LiveResponse …), which a plugin could only replace by copying them whole. So one
  // MutationObserver, on #swagger-ui only, replaces a text node whose whole text (trimmed) is a key
  // of CHROME, when Swagger UI draws or changes it; never within what the API or the user wrote
  // (SKIP: descriptions, parameter names, paths and summaries, schemas, examples, bodies, fields).
  // The "required" mark of a parameter is CSS (::after content): one rule more in Swagger UI's sheet.
  var CHROME = {
    "Try it out": "试一试", "Cancel": "取消", "Reset": "重置", "Execute": "执行", "Clear": "清除",
    "Parameters": "参数", "No parameters": "无参数", "Name": "名称", "Description": "说明",
    "Parameter content type": "参数内容类型", "Send empty value": "发送空值", "Edit": "编辑",
    "Request body": "请求体", "Responses": "响应", "Code": "状态码", "Links": "链接", "No links": "无链接",
    "Media type": "媒体类型", "Controls": "决定", "header.": "请求头。" /* "Controls <code>Accept</code> header." */, "Example Value": "示例值", "Schema": "结构",
    "Server response": "服务器响应", "Details": "详情", "Request URL": "请求 URL", "Request duration": "请求耗时",
    "Response body": "响应体", "Response headers": "响应头", "Download": "下载"
  };
  var SKIP = "pre, code, textarea, input, select, .markdown, .renderedMarkdown, .parameters-col_name, .opblock-summary, .model-box";

  function translateText(text) {
    var key = text.nodeValue.trim();
    if (Object.prototype.hasOwnProperty.call(CHROME, key) && text.parentElement && !text.parentElement.closest(SKIP)) {
      text.nodeValue = text.nodeValue.replace(key, CHROME[key]);
    }
  }

  function translate(node) {
    if (node.nodeType === Node.TEXT_NODE) { translateText(node); return; }
    if (node.nodeType !== Node.ELEMENT_NODE) { return; }
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (var text = walker.nextNode(); text; text = walker.nextNode()) { translateText(text); }
  }

  if (document.documentElement.lang === "zh") {
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === "characterData") { translateText(r.target); } else { r.addedNodes.forEach(translate); }
      });
    }).observe(root, {childList: true, characterData: true, subtree: true});
    Array.prototype.forEach.call(document.styleSheets, function (sheet) {
      if (sheet.href && sheet.href.indexOf("/swagger-ui.css") !== -1) {
        sheet.insertRule('.swagger-ui .parameter__name.required::after { content: "必填"; }', sheet.cssRules.length);
      }
    });
  }

  window.policykg = window.policykg || {};
  window.policykg.swagger = window.SwaggerUIBundle({
    url: root.getAttribute("data-url"),
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    // the page's heading already says what the API is: Swagger UI's own title block is left out
    plugins: [function () { return {wrapComponents: {InfoContainer: function () { return function () { return null; }; }}}; }],
    layout: "BaseLayout",
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: -1,
    validatorUrl: null,
    queryConfigEnabled: false,
    onComplete: function () { document.body.setAttribute("data-swagger", "ready"); }
  });
})();
