// The query page: the stored SPARQL queries, run in the browser by Oxigraph's WebAssembly
// build over the release's dumps. Every value from the data is written with textContent
// (never as HTML), so a literal can show markup but never run it. The page's state is
// on <body data-state="…">: idle, loading, running, done or error.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("query-config").textContent);
  const form = document.getElementById("query-form");
  const select = document.getElementById("query-name");
  const text = document.getElementById("query-text");
  const status = document.getElementById("query-status");
  const results = document.getElementById("query-results");
  const byName = new Map(config.queries.map((q) => [q.name, q]));
  const prefixes = Object.entries(config.prefixes).sort((a, b) => b[1].length - a[1].length);
  let store = null;

  function state(value, message) {
    document.body.dataset.state = value;
    status.textContent = message;
  }

  function element(tag, content, attributes) {
    const node = document.createElement(tag);
    if (content !== undefined && content !== null) node.textContent = content;
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  function choose(name) {
    const query = byName.get(name);
    if (!query) return false;
    select.value = name;
    text.value = query.text;
    return true;
  }

  function curie(iri) {
    for (const [name, ns] of prefixes) {
      if (iri.startsWith(ns) && /^[\w.-]*$/u.test(iri.slice(ns.length))) return name + ":" + iri.slice(ns.length);
    }
    return null;
  }

  // the page of a resource of this release, as release.page_path gives it
  function pageOf(iri) {
    if (!iri.startsWith(config.landing) || iri === config.landing) return null;
    const rest = iri.slice(config.landing.length);
    if (/[#?]/.test(rest) || rest.endsWith("/") || rest.split("/").includes("..")) return null;
    return rest + ".html";
  }

  function cell(term) {
    const td = element("td");
    if (!term) return td;
    if (term.type === "uri") {
      const page = pageOf(term.value);
      const shown = curie(term.value) || term.value;
      const link = element("a", shown, { href: page || term.value, title: term.value });
      if (!page) link.className = "ext";
      td.append(link);
    } else if (term.type === "bnode") {
      td.append(element("span", "_:" + term.value, { class: "curie" }));
    } else {
      td.append(element("span", term.value, { class: "lit" }));
      if (term["xml:lang"]) td.append(" ", element("span", "@" + term["xml:lang"], { class: "lang" }));
      else if (term.datatype) td.append(" ", element("span", curie(term.datatype) || term.datatype, { class: "curie", title: term.datatype }));
    }
    return td;
  }

  function showSelect(answer, elapsed) {
    const vars = answer.head.vars || [];
    const rows = answer.results.bindings;
    const table = element("table", null, { class: "results compact", "data-rows": String(rows.length) });
    table.append(element("caption", `${rows.length} row${rows.length === 1 ? "" : "s"} in ${elapsed} ms`));
    const head = element("tr");
    for (const v of vars) head.append(element("th", v, { scope: "col" }));
    const thead = element("thead");
    thead.append(head);
    table.append(thead);
    const body = element("tbody");
    for (const row of rows) {
      const tr = element("tr");
      for (const v of vars) tr.append(cell(row[v]));
      body.append(tr);
    }
    table.append(body);
    const wrap = element("div", null, { class: "scroll" });
    wrap.append(table);
    results.replaceChildren(wrap);
    return rows.length;
  }

  async function engine() {
    if (store) return store;
    state("loading", "Loading the query engine…");
    const oxigraph = await import(new URL(config.engine, document.baseURI).href);
    await oxigraph.default({ module_or_path: new URL(config.wasm, document.baseURI) });
    const fresh = new oxigraph.Store();
    for (const file of config.files) {
      state("loading", `Loading ${file.path}…`);
      const response = await fetch(new URL(file.path, document.baseURI));
      if (!response.ok) throw new Error(`${file.path}: HTTP ${response.status}`);
      fresh.load(await response.text(), { format: file.media_type });
    }
    store = fresh;
    return store;
  }

  async function run() {
    results.replaceChildren();
    try {
      const ready = await engine();
      state("running", `Running over ${ready.size.toLocaleString("en")} triples…`);
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the status show
      const started = performance.now();
      let answer, graph = null;
      try {
        answer = JSON.parse(ready.query(text.value, { results_format: "application/sparql-results+json" }));
      } catch (error) {
        if (!/RDF format/.test(String(error))) throw error;
        graph = ready.query(text.value, { results_format: "application/n-triples" });
      }
      const elapsed = Math.round(performance.now() - started);
      if (graph !== null) {
        const count = graph.split("\n").filter((line) => line.trim()).length;
        results.replaceChildren(element("pre", graph, { "data-rows": String(count) }));
        state("done", `${count} triple${count === 1 ? "" : "s"} in ${elapsed} ms`);
      } else if ("boolean" in answer) {
        results.replaceChildren(element("p", answer.boolean ? "Yes (true)" : "No (false)", { class: "answer", "data-rows": "1" }));
        state("done", `answered in ${elapsed} ms`);
      } else {
        const count = showSelect(answer, elapsed);
        state("done", `${count} row${count === 1 ? "" : "s"} in ${elapsed} ms`);
      }
    } catch (error) {
      results.replaceChildren(element("p", String(error.message || error), { class: "error", role: "alert" }));
      state("error", "The query failed.");
    }
  }

  if (location.protocol === "file:") {
    form.querySelector("button").disabled = true;
    state("error", "Browsers load the query engine only over HTTP: open this page from a web server (isthmus serve), not from a file.");
    return;
  }
  select.addEventListener("change", () => choose(select.value));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  const asked = new URLSearchParams(location.search).get("query");
  if (asked && choose(asked)) {
    run();
  } else {
    choose(select.value);
    state("idle", "");
  }
})();
