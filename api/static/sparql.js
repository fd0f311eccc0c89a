// policykg SPARQL editor: YASGUI on our endpoint, one tab per canned query (its example values
// filled in), our prefixes for completion, nothing fetched from other hosts. The endpoint
// predeclares our prefixes, so the editor knows them too (a query using lg: without a PREFIX line
// is not marked wrong); classes and properties complete from our vocabulary (not LOV); result
// links to our IRIs open this server's pages. ?query=… (YASGUI's
// own share links) opens and runs a query; ?tab=NAME selects a canned query. When YASGUI is up,
// window.policykg.yasgui is it and <body data-yasgui="ready"> is set; after a query has been
// answered data-yasgui is "answered".
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("view-data").textContent);
  var root = document.getElementById("yasgui");
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var ours = ["lang", "tab"];  // our page's parameters: not arguments for the endpoint

  // the predeclared prefixes: every parse of a query starts knowing them
  var Yasqe = Yasgui.Yasqe;
  var sparqlMode = Yasqe.modes && Yasqe.modes.sparql11;
  if (sparqlMode) {
    Yasqe.defineMode("sparql11", function (options, modeOptions) {
      var mode = sparqlMode(options, modeOptions);
      var start = mode.startState;
      mode.startState = function () {
        var state = start.apply(this, arguments);
        Object.keys(config.prefixes).forEach(function (p) { state.prefixes[p] = config.prefixes[p]; });
        return state;
      };
      return mode;
    });
  }

  // completion: our prefixes (not prefix.cc), our classes and properties (not LOV), the query's variables
  var prefixes = Object.keys(config.prefixes).sort().map(function (p) { return p + ": <" + config.prefixes[p] + ">"; });
  Yasqe.forkAutocompleter("prefixes", {name: "policykg-prefixes", persistenceId: null,
                                       get: function () { return Promise.resolve(prefixes); }}, false);
  function terms(list) {
    return function (yasqe, token) {
      var typed = ((token && token.autocompletionString) || "").toLowerCase();
      return Promise.resolve(list.filter(function (iri) { return iri.toLowerCase().indexOf(typed) === 0; }).slice(0, 100));
    };
  }
  Yasqe.forkAutocompleter("class", {name: "policykg-classes", persistenceId: null, get: terms(config.classes || [])}, false);
  Yasqe.forkAutocompleter("property", {name: "policykg-properties", persistenceId: null, get: terms(config.properties || [])}, false);
  Yasqe.defaults.autocompleters = ["policykg-prefixes", "policykg-classes", "policykg-properties", "variables"];

  // result links to our IRIs go to this server's pages
  var local = config.local || {};
  function localise(a) {
    var href = a.getAttribute("href") || "";
    Object.keys(local).forEach(function (ns) {
      if (href.indexOf(ns) === 0) {
        a.setAttribute("href", local[ns] + href.slice(ns.length));
        a.removeAttribute("target");
        a.dataset.iri = href;
      }
    });
  }

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
  new MutationObserver(function () {
    root.querySelectorAll(".yasr a[href^='http']").forEach(localise);
  }).observe(root, {childList: true, subtree: true});
  yasgui.on("queryResponse", function () { document.body.dataset.yasgui = "answered"; });
  window.policykg = {yasgui: yasgui};
  document.body.dataset.yasgui = "ready";
})();
