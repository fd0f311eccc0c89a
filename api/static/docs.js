// policykg /docs: Swagger UI (swagger-ui-dist, from npm, served by the app under /assets) on the
// OpenAPI document of this server. A file rather than inline script, for the Content-Security-Policy.
// Nothing is fetched from another host: no validator badge (validatorUrl null), no configuration
// read from the page's URL. When it has drawn the operations, <body data-swagger="ready"> is set.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") { return; }
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
