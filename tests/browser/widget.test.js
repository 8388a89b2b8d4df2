// widget.test.js: the search widget and the results page in a real browser
// (Debian's chromium, driven by playwright-core), for `make test-browser`.
// A small site is written, indexed, served (its pages by a static server
// here, the search by rubric-serve), and used as a visitor would: typing,
// the keyboard, the dialog, following a result, the page without JavaScript,
// and axe-core's accessibility rules. Screenshots go to build/browser/.
// Prints "ok NAME" or "FAIL NAME" per check and "N passed, M failed".
"use strict";
const { chromium } = require("playwright-core");
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const http = require("http");
const os = require("os");
const path = require("path");

const top = path.resolve(__dirname, "../..");
const build = path.resolve(process.env.RUBRIC_BUILD || path.join(top, "build"));
const shots = path.join(build, "browser");
const axePath = require.resolve("axe-core/axe.min.js");
let passed = 0, failed = 0;

function check(name, ok, detail) {
  if (ok) { passed++; console.log("ok   " + name); }
  else { failed++; console.log("FAIL " + name + (detail ? ": " + detail : "")); }
}

// The site: pages with headings that carry ids, one long enough that its
// last section is far below the fold.
function writeSite(dir) {
  const filler = Array.from({ length: 60 }, (_, i) =>
    `<p>Paragraph ${i + 1} of the long page talks about hives, frames and smokers in general terms.</p>`).join("\n");
  const pages = {
    "care/feeding.html": `<!DOCTYPE html><html lang="en"><head><title>Feeding bees</title></head><body><main>
<h1 id="feeding">Feeding bees</h1><p>In a cold winter the colony may need sugar fondant above the cluster.</p>
</main></body></html>`,
    "index.html": `<!DOCTYPE html><html lang="en"><head><title>Beekeeping guide</title></head><body><main>
<h1 id="guide">Beekeeping guide</h1><p>An introduction to keeping bees in a city garden.</p>
<h2 id="hives">Choosing hives</h2><p>A Langstroth hive has removable frames; a top-bar hive is cheaper to build.</p>
<h2 id="swarms">Swarm season</h2><p>In spring a colony may swarm: the old queen leaves with half the workers.</p>
</main></body></html>`,
    "apiary/long.html": `<!DOCTYPE html><html lang="en"><head><title>Seasons of the apiary</title></head><body><main>
<h1 id="seasons">Seasons of the apiary</h1>${filler}
<h2 id="winter-cluster">The winter cluster</h2><p>In winter the bees form a tight cluster and shiver to keep the queen warm; the quinquefoliate heather is gone.</p>
${filler}</main></body></html>`,
    "honey.html": `<!DOCTYPE html><html lang="en"><head><title>Harvesting honey</title></head><body><main>
<h1 id="honey">Harvesting honey</h1><p>Honey is taken in late summer, leaving enough stores for winter.</p>
<h2 id="extraction">Extraction</h2><p>Frames are uncapped and spun in an extractor; the honey is strained twice.</p>
</main></body></html>`,
  };
  fs.mkdirSync(dir, { recursive: true });
  // Records with languages and tags, for the chips of those kinds.
  fs.mkdirSync(path.join(dir, "kb"), { recursive: true });
  fs.writeFileSync(path.join(dir, "kb", "notes.jsonl"), [
    { path: "kb/propolis.html", title: "Propolis", lang: "en", tags: ["hive-care"],
      text: "Bees seal the hive with propolis, a resin gathered from buds." },
    { path: "kb/propolis-fr.html", title: "La propolis", lang: "fr", tags: ["hive-care", "recettes"],
      text: "Les abeilles scellent la ruche avec la propolis." },
  ].map((r) => JSON.stringify(r)).join("\n") + "\n");
  for (const [name, html] of Object.entries(pages)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), html);
  }
}

function staticServer(dir) {
  return new Promise((resolve) => {
    const srv = http.createServer((req, res) => {
      const file = path.join(dir, decodeURIComponent(req.url.split("?")[0].split("#")[0]));
      if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(404); res.end(); return;
      }
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(fs.readFileSync(file));
    });
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

function startServe(db, baseUrl) {
  return new Promise((resolve, reject) => {
    const p = spawn(path.join(build, "rubric-serve"),
      ["--db", db, "--listen", "127.0.0.1:0", "--base-url", baseUrl], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => {
      err += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
      if (m) resolve({ proc: p, url: m[1] });
    });
    p.on("exit", (code) => reject(new Error("rubric-serve exited " + code + ": " + err)));
  });
}

// Type Q into the widget's box in FORM and wait for the answer to that very
// query (the widget marks it: data-query, aria-busy false).
async function typeQuery(page, form, q) {
  const input = page.locator(form + " input[name=q]");
  await input.fill("");
  await input.pressSequentially(q, { delay: 30 });
  await page.waitForFunction(([f, q]) => {
    const root = document.querySelector(f).closest(".rubric") || document.querySelector(f);
    return root.getAttribute("data-query") === q && root.getAttribute("aria-busy") === "false";
  }, [form, q], { timeout: 10000 });
}

async function axe(page, name) {
  await page.addScriptTag({ path: axePath });
  const r = await page.evaluate(() => axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] }));
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  check("axe finds no serious violation: " + name, bad.length === 0,
    bad.map((v) => v.id + " (" + v.nodes.length + ")").join(", "));
}

(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rubric-browser-"));
  const site = path.join(tmp, "site"), db = path.join(tmp, "db");
  fs.mkdirSync(shots, { recursive: true });
  writeSite(site);
  const pages = await staticServer(site);
  const siteUrl = "http://127.0.0.1:" + pages.address().port + "/";
  execFileSync(path.join(build, "rubric-index"), ["-q", "--base-url", siteUrl, "--db", db, site]);
  const serve = await startServe(db, siteUrl);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    await page.goto(serve.url);

    // Typing: results as you type, the right section first, the last word a prefix.
    await typeQuery(page, "form[data-rubric=inline]", "winter clus");
    const first = page.locator("form[data-rubric=inline] .rubric-option").first();
    check("typing 'winter clus' puts 'The winter cluster' first",
      (await first.locator(".rubric-title").innerText()).includes("The winter cluster"));
    check("matches are marked in the title", (await first.locator(".rubric-title mark").count()) > 0);
    check("the live region says how many",
      /result/.test(await page.locator("form[data-rubric=inline] [role=status]").innerText()));
    const input = page.locator("form[data-rubric=inline] input[name=q]");
    check("the box is a combobox, expanded",
      (await input.getAttribute("role")) === "combobox" && (await input.getAttribute("aria-expanded")) === "true");
    await page.screenshot({ path: path.join(shots, "widget-light.png") });

    // Keyboard: the first option, the second, back; Enter follows it.
    await input.press("ArrowDown");
    const id1 = await input.getAttribute("aria-activedescendant");
    check("ArrowDown makes the first option active",
      id1 && (await page.locator("#" + id1).getAttribute("aria-selected")) === "true" &&
      (await page.locator("#" + id1).getAttribute("role")) === "option");
    await input.press("ArrowDown");
    const id2 = await input.getAttribute("aria-activedescendant");
    await input.press("ArrowUp");
    check("ArrowDown then ArrowUp moves and comes back",
      id2 && id2 !== id1 && (await input.getAttribute("aria-activedescendant")) === id1);
    await axe(page, "the inline widget with results");

    // Filter chips: the folders of the matching pages with their counts;
    // pressing one keeps its pages.
    await typeQuery(page, "form[data-rubric=inline]", "winter");
    const chips = page.locator("form[data-rubric=inline] .rubric-chip");
    const chipText = (await chips.allInnerTexts()).join(" | ");
    check("chips name the folders of the matches, with counts",
      /apiary \(\d+\)/.test(chipText) && /care \(\d+\)/.test(chipText), chipText);
    await page.locator("form[data-rubric=inline] .rubric-chip", { hasText: "care" }).click();
    await page.waitForFunction(() => {
      const o = document.querySelectorAll("form[data-rubric=inline] .rubric-option");
      return o.length > 0 && Array.prototype.every.call(o, (a) => a.href.includes("/care/"));
    }, null, { timeout: 10000 });
    check("pressing a chip keeps its pages",
      (await page.locator("form[data-rubric=inline] .rubric-chip[aria-pressed=true]").count()) === 1);
    await page.locator("form[data-rubric=inline] .rubric-chip", { hasText: "care" }).click();
    await typeQuery(page, "form[data-rubric=inline]", "propolis");
    const langChips = page.locator("form[data-rubric=inline] .rubric-chip-lang");
    check("chips of languages and tags, with counts",
      (await langChips.count()) === 2 &&
      (await page.locator("form[data-rubric=inline] .rubric-chip-tag", { hasText: "recettes (1)" }).count()) === 1);
    await page.locator("form[data-rubric=inline] .rubric-chip-lang", { hasText: "fr" }).click();
    const kept = await page.waitForFunction(() => {
      const o = document.querySelectorAll("form[data-rubric=inline] .rubric-option");
      return o.length === 1 && o[0].href.includes("propolis-fr");
    }, null, { timeout: 10000 }).then(() => true, () => false);
    check("pressing a language keeps its records", kept);
    await page.locator("form[data-rubric=inline] .rubric-chip-lang", { hasText: "fr" }).click();
    await typeQuery(page, "form[data-rubric=inline]", "winter clus");
    await input.press("ArrowDown");

    // Following the first result lands on its section of the long page.
    const href = await page.locator("#" + id1).getAttribute("href");
    check("the result links to its anchor with a text fragment",
      /apiary\/long\.html#winter-cluster:~:text=/.test(href), href);
    await Promise.all([page.waitForNavigation(), input.press("Enter")]);
    await page.waitForTimeout(500);
    const landed = await page.evaluate(() => {
      const h = document.getElementById("winter-cluster");
      const r = h ? h.getBoundingClientRect() : null;
      return { y: window.scrollY, top: r ? r.top : -1, h: window.innerHeight };
    });
    check("following it lands on the section, scrolled into view",
      page.url().includes("long.html") && landed.y > 0 && landed.top >= -50 && landed.top < landed.h,
      JSON.stringify(landed));
    await page.screenshot({ path: path.join(shots, "landed.png") });

    // The dialog: Ctrl+K opens it with the box focused, Esc closes it.
    await page.goto(serve.url);
    await page.locator("h1").click();
    await page.keyboard.press("Control+k");
    const dialog = page.locator(".rubric-dialog");
    check("Ctrl+K opens the dialog with its box focused", await dialog.isVisible() &&
      await page.evaluate(() => document.activeElement.closest(".rubric-dialog") !== null));
    await typeQuery(page, "form[data-rubric=modal]", "extraction");
    check("the dialog shows results",
      (await dialog.locator(".rubric-option").first().innerText()).includes("Extraction"));
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: path.join(shots, "modal-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });
    await axe(page, "the dialog with results");
    await page.keyboard.press("Escape");
    check("Esc closes the dialog", !(await dialog.isVisible()));
    await page.keyboard.press("/");
    check("'/' opens it again", await dialog.isVisible());
    await page.keyboard.press("Escape");

    // Did you mean: a misspelt word is answered for the word the index knows.
    await typeQuery(page, "form[data-rubric=inline]", "extractoin ");
    check("a misspelling shows results for the correction",
      /Showing results for/.test(await page.locator("form[data-rubric=inline] .rubric-note").innerText()));

    // Without JavaScript: the same form opens the results page.
    const nojs = await browser.newContext({ javaScriptEnabled: false });
    const plain = await nojs.newPage();
    await plain.goto(serve.url);
    await plain.locator("form[data-rubric=inline] input[name=q]").fill("swarm");
    await Promise.all([plain.waitForNavigation(), plain.locator("form[data-rubric=inline] input[name=q]").press("Enter")]);
    check("without JavaScript the form opens /search with results",
      plain.url().includes("/search?q=swarm") && (await plain.locator(".rubric-hit").count()) > 0 &&
      (await plain.locator(".rubric-hit").first().innerText()).includes("Swarm season"));
    await plain.screenshot({ path: path.join(shots, "nojs-light.png") });
    await plain.emulateMedia({ colorScheme: "dark" });
    await plain.screenshot({ path: path.join(shots, "nojs-dark.png") });
    await plain.emulateMedia({ colorScheme: "light" });
    await nojs.close();
    const axePage = await context.newPage();
    await axePage.goto(serve.url + "search?q=swarm");
    await axe(axePage, "the results page");
  } catch (e) {
    check("the browser run ends", false, e && e.stack ? e.stack : String(e));
  } finally {
    await browser.close();
    serve.proc.kill("SIGTERM");
    pages.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log("screenshots: " + shots);
  console.log(passed + " passed, " + failed + " failed");
  process.exit(failed ? 1 : 0);
})();
