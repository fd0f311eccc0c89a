// policykg SPARQL editor: YASGUI on our endpoint, one tab per canned query (its example values
// filled in), our prefixes for completion, nothing fetched from other hosts. ?query=… (YASGUI's
// own share links) opens and runs a query; ?tab=NAME selects a canned query. When YASGUI is up,
// window.policykg.yasgui is it and <body data-yasgui="ready"> is set; after a query has been
// answered data-yasgui is "answered".
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("view-data").textContent);
  var root = document.getElementById("yasgui");
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var ours = ["lang", "tab"];  // our page's parameters: not arguments for the endpoint

  // completion: our prefixes (not prefix.cc) and the query's variables; no lookups on LOV
  var prefixes = Object.keys(config.prefixes).sort().map(function (p) { return p + ": <" + config.prefixes[p] + ">"; });
  Yasgui.Yasqe.forkAutocompleter("prefixes", {name: "policykg-prefixes", persistenceId: null,
                                              get: function () { return Promise.resolve(prefixes); }}, false);
  Yasgui.Yasqe.defaults.autocompleters = ["policykg-prefixes", "variables"];

  var yasgui = new Yasgui(root, {
    requestConfig: {endpoint: endpoint},
    copyEndpointOnNewTab: true,
    persistenceId: null,  // the URL, not the browser's storage, says what is open
    autoAddOnInit: false,
    endpointCatalogueOptions: {getData: function () { return [{endpoint: endpoint}]; }},
    populateFromUrl: function (tab) {
      tab.requestConfig.args = (tab.requestConfig.args || []).filter(function (a) { return ours.indexOf(a.name) < 0; });
      tab.requestConfig.endpoint = tab.requestConfig.endpoint || endpoint;
      return tab;
    }
  });
  var fromUrl = yasgui.getTab();  // a query given in the URL has opened (and is running) in its own tab
  var names = config.tabs.map(function (t) { return t.name; });
  var selected = fromUrl ? null : names.indexOf(root.dataset.tab) >= 0 ? root.dataset.tab : names[0];
  config.tabs.forEach(function (t) {
    yasgui.addTab(t.name === selected, {name: t.name, yasqe: {value: t.query}, requestConfig: {endpoint: endpoint}});
  });
  yasgui.on("queryResponse", function () { document.body.dataset.yasgui = "answered"; });
  window.policykg = {yasgui: yasgui};
  document.body.dataset.yasgui = "ready";
})();
