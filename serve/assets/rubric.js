/* rubric.js: the search widget. It enhances a plain search form that works
 * without it:
 *
 *   <form role="search" action="/search" data-rubric="inline">
 *     <input type="search" name="q"></form>
 *   <script src="/rubric.js" defer></script>
 *
 * data-rubric is "inline" (results under the box), "dropdown" (a panel over
 * the page) or "modal" (a dialog, opened by Ctrl/Cmd+K or "/", and by any
 * element with data-rubric-open). data-rubric-api sets where the API is
 * (default: beside the script). The results are an ARIA combobox whose
 * options are the result links themselves; one polite live region says how
 * many there are. No framework, no build step. */
(function () {
  "use strict";

  var STRINGS = {
    en: {
      results: function (n, q) { return n === 1 ? "1 result for \u201c" + q + "\u201d" : n + " results for \u201c" + q + "\u201d"; },
      none: function (q) { return "No results for \u201c" + q + "\u201d"; },
      showing: "Showing results for", instead: "Search instead for",
      error: "Search is not available right now.", page: "Try the results page",
      search: "Search", close: "Close", more: "more in this page", sections: "Sections",
      hint: "\u2191\u2193 to move, Enter to open, Esc to close"
    },
    fr: {
      results: function (n, q) { return n + (n === 1 ? " r\u00e9sultat" : " r\u00e9sultats") + " pour \u00ab\u00a0" + q + "\u00a0\u00bb"; },
      none: function (q) { return "Aucun r\u00e9sultat pour \u00ab\u00a0" + q + "\u00a0\u00bb"; },
      showing: "R\u00e9sultats pour", instead: "Rechercher plut\u00f4t",
      error: "La recherche est indisponible.", page: "Voir la page de r\u00e9sultats",
      search: "Rechercher", close: "Fermer", more: "autres dans cette page", sections: "Rubriques",
      hint: "\u2191\u2193 pour choisir, Entr\u00e9e pour ouvrir, \u00c9chap pour fermer"
    },
    de: {
      results: function (n, q) { return n + (n === 1 ? " Treffer" : " Treffer") + " f\u00fcr \u201e" + q + "\u201c"; },
      none: function (q) { return "Keine Treffer f\u00fcr \u201e" + q + "\u201c"; },
      showing: "Ergebnisse f\u00fcr", instead: "Stattdessen suchen nach",
      error: "Die Suche ist gerade nicht verf\u00fcgbar.", page: "Zur Ergebnisseite",
      search: "Suchen", close: "Schlie\u00dfen", more: "weitere auf dieser Seite", sections: "Bereiche",
      hint: "\u2191\u2193 ausw\u00e4hlen, Enter \u00f6ffnen, Esc schlie\u00dfen"
    }
  };
  var lang = (document.documentElement.lang || "en").toLowerCase().split("-")[0];
  var T = STRINGS[lang] || STRINGS.en;
  var script = document.currentScript;
  var base = script ? script.src.replace(/[^\/]*$/, "") : "/";
  var DEBOUNCE_MS = 120;
  var count = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /* HTML from the API: its _html fields are escaped but for <mark>. Parsed
   * into a fragment, anything else is dropped all the same. */
  function marked(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    var out = document.createDocumentFragment();
    (function walk(node, into) {
      node.childNodes.forEach(function (c) {
        if (c.nodeType === 3) into.appendChild(document.createTextNode(c.nodeValue));
        else if (c.nodeType === 1 && c.tagName === "MARK") walk(c, into.appendChild(el("mark")));
        else if (c.nodeType === 1) walk(c, into);
      });
    })(t.content, out);
    return out;
  }

  /* Only links of the web, or relative ones, are followed. */
  function safeHref(u) {
    return /^[a-z][a-z0-9+.\-]*:/i.test(u) && !/^https?:/i.test(u) ? "./" + u : u;
  }

  function Widget(form) {
    var self = this;
    this.form = form;
    this.mode = form.getAttribute("data-rubric") || "inline";
    this.api = form.getAttribute("data-rubric-api") || base + "api/v1/search";
    this.input = form.querySelector("input[name=q]");
    this.id = "rubric-" + (++count);
    this.seq = 0;
    this.active = -1;
    this.options = [];
    this.root = this.mode === "modal" ? this.buildModal() : form;
    this.root.classList.add("rubric", "rubric-" + this.mode);
    this.list = el("div", "rubric-list");
    this.list.id = this.id + "-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", T.search);
    this.list.hidden = true;
    this.status = el("div", "rubric-live");
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    this.note = el("div", "rubric-note");
    this.chips = el("div", "rubric-chips");
    this.chips.setAttribute("role", "group");
    this.chips.setAttribute("aria-label", T.sections);
    /* The values chosen of each facet: filters of the next searches. */
    this.chosen = { section: [], lang: [], tag: [] };
    this.panel = el("div", "rubric-panel");
    this.panel.hidden = true;
    this.panel.append(this.note, this.chips, this.list);
    if (this.mode !== "modal") {
      var hint = el("div", "rubric-hint", T.hint);
      hint.setAttribute("aria-hidden", "true");
      this.panel.appendChild(hint);
    }
    (this.mode === "modal" ? this.dialogBody : form).append(this.panel, this.status);
    var i = this.input;
    i.setAttribute("role", "combobox");
    i.setAttribute("aria-autocomplete", "list");
    i.setAttribute("aria-expanded", "false");
    i.setAttribute("aria-controls", this.list.id);
    i.setAttribute("autocomplete", "off");
    i.setAttribute("enterkeyhint", "search");
    i.addEventListener("input", function () { self.schedule(); });
    i.addEventListener("keydown", function (e) { self.key(e); });
    form.addEventListener("submit", function (e) {
      if (self.active >= 0) { e.preventDefault(); self.options[self.active].click(); }
    });
    if (this.mode === "dropdown")
      document.addEventListener("click", function (e) { if (!form.contains(e.target)) self.show(false); });
  }

  Widget.prototype.buildModal = function () {
    var self = this, form = this.form;
    var dialog = el("div", "rubric-dialog");
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", T.search);
    dialog.hidden = true;
    var box = el("div", "rubric-box");
    var close = el("button", "rubric-close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", T.close);
    close.addEventListener("click", function () { self.close(); });
    form.parentNode.insertBefore(dialog, form);
    box.append(close, form);
    this.dialogBody = el("div", "rubric-body");
    box.appendChild(this.dialogBody);
    dialog.appendChild(box);
    dialog.addEventListener("click", function (e) { if (e.target === dialog) self.close(); });
    dialog.addEventListener("keydown", function (e) {
      /* Focus stays in the dialog while it is open. */
      if (e.key !== "Tab") return;
      var f = Array.prototype.filter.call(box.querySelectorAll("a[href], button, input"),
                                          function (x) { return x.offsetParent !== null; });
      if (!f.length) return;
      var first = f[0], last = f[f.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
    });
    this.dialog = dialog;
    document.addEventListener("keydown", function (e) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) || e.target.isContentEditable;
      if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        dialog.hidden ? self.open() : self.close();
      } else if (e.key === "/" && !typing && dialog.hidden) {
        e.preventDefault();
        self.open();
      }
    });
    document.querySelectorAll("[data-rubric-open]").forEach(function (b) {
      b.addEventListener("click", function () { self.open(); });
    });
    return dialog;
  };

  Widget.prototype.open = function () {
    this.returnFocus = document.activeElement;
    this.dialog.hidden = false;
    document.documentElement.classList.add("rubric-modal-open");
    this.input.focus();
    this.input.select();
  };

  Widget.prototype.close = function () {
    this.dialog.hidden = true;
    document.documentElement.classList.remove("rubric-modal-open");
    if (this.returnFocus && this.returnFocus.focus) this.returnFocus.focus();
  };

  Widget.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    this.root.setAttribute("aria-busy", "true");
    this.timer = setTimeout(function () { self.search(self.input.value, false); }, DEBOUNCE_MS);
  };

  Widget.prototype.search = function (q, noCorrect) {
    var self = this, seq = ++this.seq;
    if (this.abort) this.abort.abort();
    if (!q.trim()) { this.render(null, q); return; }
    this.abort = window.AbortController ? new AbortController() : null;
    var url = this.api + "?q=" + encodeURIComponent(q) + "&group=page&per_page=3&limit=8&prefix=1" +
      "&facets=section,lang,tag" + (noCorrect ? "&correct=0" : "") + this.filterParams();
    this.lastQuery = q;
    this.lastNoCorrect = noCorrect;
    fetch(url, { signal: this.abort && this.abort.signal, headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, j: j }; });
      })
      .then(function (a) {
        if (seq !== self.seq) return;  /* a newer search is under way */
        if (!a.ok && !(a.j && a.j.error && a.j.error.code === "bad_query")) throw a.j;
        self.render(a.ok ? a.j : { pages: [], total: { value: 0 }, query: q }, q);
      })
      .catch(function (e) {
        if (seq !== self.seq || (e && e.name === "AbortError")) return;
        self.failed(q);
      });
  };

  Widget.prototype.show = function (on) {
    this.panel.hidden = !on;
    this.list.hidden = !on || !this.options.length;
    this.input.setAttribute("aria-expanded", on && this.options.length ? "true" : "false");
  };

  Widget.prototype.done = function (q) {
    this.root.setAttribute("data-query", q);
    this.root.setAttribute("aria-busy", "false");
  };

  Widget.prototype.failed = function (q) {
    this.options = [];
    this.list.textContent = "";
    this.note.textContent = T.error + " ";
    var a = el("a", null, T.page);
    a.href = (this.form.getAttribute("action") || "search") + "?q=" + encodeURIComponent(q);
    this.note.appendChild(a);
    this.status.textContent = T.error;
    this.show(true);
    this.done(q);
  };

  /* The chosen values as the API's filters: a folder is a path. */
  Widget.prototype.filterParams = function () {
    var c = this.chosen;
    return c.section.map(function (v) { return "&path=" + encodeURIComponent(v + "/"); })
      .concat(c.lang.map(function (v) { return "&lang=" + encodeURIComponent(v); }),
              c.tag.map(function (v) { return "&tag=" + encodeURIComponent(v); })).join("");
  };

  /* Filter chips: the folders, languages and tags of the matches, with
   * their counts; pressing one keeps its matches (any of those pressed of
   * one kind, all kinds). A kind shows when it tells matches apart. */
  Widget.prototype.renderChips = function (doc) {
    var self = this;
    this.chips.textContent = "";
    ["section", "lang", "tag"].forEach(function (kind) {
      var values = (doc.facets && doc.facets[kind]) || [], chosen = self.chosen[kind];
      if (values.length < 2 && !chosen.length) return;
      values.slice(0, 8).forEach(function (f) {
        var b = el("button", "rubric-chip rubric-chip-" + kind, f.value + " (" + f.count + ")");
        b.type = "button";
        b.setAttribute("aria-pressed", chosen.indexOf(f.value) >= 0 ? "true" : "false");
        b.addEventListener("click", function () {
          var k = chosen.indexOf(f.value);
          if (k >= 0) chosen.splice(k, 1); else chosen.push(f.value);
          self.search(self.lastQuery, self.lastNoCorrect);
        });
        self.chips.appendChild(b);
      });
    });
  };

  Widget.prototype.render = function (doc, q) {
    var self = this;
    this.options = [];
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.list.textContent = "";
    this.note.textContent = "";
    this.chips.textContent = "";
    if (!doc) { this.status.textContent = ""; this.show(false); this.done(q); return; }
    this.renderChips(doc);
    if (doc.corrected) {
      this.note.append(T.showing + " ");
      this.note.appendChild(el("strong", null, doc.effective_query));
      this.note.append(". ");
      var again = el("a", null, T.instead + " \u201c" + q + "\u201d");
      again.href = "#";
      again.addEventListener("click", function (e) { e.preventDefault(); self.search(q, true); });
      this.note.appendChild(again);
    }
    (doc.pages || []).forEach(function (p) {
      var group = el("div", "rubric-group");
      group.setAttribute("role", "group");
      var head = el("div", "rubric-page-title");
      head.id = self.id + "-g" + self.options.length;
      head.appendChild(marked(p.title_html));
      group.setAttribute("aria-labelledby", head.id);
      group.appendChild(head);
      p.hits.forEach(function (h) {
        var a = el("a", "rubric-option");
        a.href = safeHref(h.link || h.url);
        a.id = self.id + "-o" + self.options.length;
        a.setAttribute("role", "option");
        a.setAttribute("aria-selected", "false");
        var t = el("span", "rubric-title");
        t.appendChild(marked(h.title_html));
        a.appendChild(t);
        if (h.trail_html && h.trail_html.length > 1) {
          var tr = el("span", "rubric-trail");
          h.trail_html.slice(1).forEach(function (x, k) {
            if (k) tr.append(" \u203a ");
            tr.appendChild(marked(x));
          });
          a.appendChild(tr);
        }
        var s = el("span", "rubric-snippet");
        s.appendChild(marked(h.snippet_html));
        a.appendChild(s);
        a.addEventListener("mousemove", function () { self.move(self.options.indexOf(a)); });
        group.appendChild(a);
        self.options.push(a);
      });
      if (p.matches > p.hits.length)
        group.appendChild(el("div", "rubric-more", (p.matches - p.hits.length) + " " + T.more));
      self.list.appendChild(group);
    });
    var n = doc.total ? doc.total.value : 0;
    this.status.textContent = n ? T.results(n, doc.effective_query || q) : T.none(q);
    if (!n) this.note.append(T.none(q));
    this.show(true);
    this.done(q);
  };

  Widget.prototype.move = function (k) {
    if (!this.options.length) return;
    if (this.active >= 0) this.options[this.active].setAttribute("aria-selected", "false");
    this.active = (k + this.options.length) % this.options.length;
    var o = this.options[this.active];
    o.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", o.id);
    o.scrollIntoView({ block: "nearest" });
  };

  Widget.prototype.key = function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); this.show(true); this.move(this.active + 1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); this.move(this.active - 1); }
    else if (e.key === "Home" && this.active >= 0) { e.preventDefault(); this.move(0); }
    else if (e.key === "End" && this.active >= 0) { e.preventDefault(); this.move(this.options.length - 1); }
    else if (e.key === "Enter" && this.active >= 0) {
      e.preventDefault();
      var o = this.options[this.active];
      if (e.ctrlKey || e.metaKey || e.shiftKey) window.open(o.href, "_blank", "noopener");
      else o.click();
    } else if (e.key === "Escape") {
      e.preventDefault();
      if (this.mode === "modal") this.close();
      else if (!this.panel.hidden) { this.show(false); this.active = -1; }
      else if (this.input.value) { this.input.value = ""; this.render(null, ""); }
    }
  };

  function start() {
    document.querySelectorAll("form[data-rubric]").forEach(function (f) {
      if (f.querySelector("input[name=q]") && !f.rubric) f.rubric = new Widget(f);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
