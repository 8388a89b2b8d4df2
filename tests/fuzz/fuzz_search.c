/* fuzz_search.c: any bytes, as search options and a query, through the whole
 * read path, against a real index built at start-up from documents of every
 * kind (plain text, HTML, Markdown, JSON Lines) rich in dotted names,
 * repeated words, phrases, scripts other than Latin and markup.
 *
 * The first two bytes choose the options (limit, offset, fragments, grouping
 * by article, explain, boilerplate, correction, snippet length); the rest is
 * the query. Every result is checked: spans sorted, disjoint and inside their
 * text; source offsets inside the source file; the JSON renderings valid UTF-8
 * and valid JSON; the snippet HTML holding no markup but its <b> marks, and
 * the web document's _html fields none but <mark>. Then the same query goes
 * through rubric-serve's endpoints (serve/api.c), as the API and as the
 * results page: a status of the API's, a JSON body that parses, a page whose
 * only tags are the page's own.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <unistr.h>

#include "../html_check.h"
#include "api.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *name, *text;
} docs[] = {
    {"a.txt",
     "Fuzzing the Query Parser\n"
     "An introduction about nuclear energy and the port of Bushehr, with mediation.\n"
     "Contents\n- First Things\n- Second Things\n"
     "First Things\n"
     "Russia's diplomats mediate; a mediator offered \"quoted\" words and -dashes.\n"
     "The file standby.signal starts a standby; call os.path.join or os.path to join.\n"
     "Second Things\n"
     "Phrases like power plant, power plant, power plant and numbers like 3.14 and 1,000.\n"},
    {"b.html",
     "<html><head><title>Markup &amp; Scripts</title></head><body><main>"
     "<h1 id=\"top\">Markup &lt;b&gt; test</h1><p>The <b>dis</b> module and dis.Bytecode, "
     "json.dumps and json dumps, the the the repeated.</p>"
     "<section id=\"cjk\"><h2>\xe4\xb8\xad\xe6\x96\x87 \xd0\xa0\xd1\x83\xd1\x81"
     "\xd1\x81\xd0\xba\xd0\xb8\xd0\xb9</h2><p>\xe4\xb8\xad\xe6\x96\x87\xe6\x96\x87\xe6\x9c\xac "
     "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd1\x82\xd0\xb5\xd0\xba\xd1\x81\xd1\x82 caf\xc3\xa9 "
     "na\xc3\xafve &lt;script&gt;alert(1)&lt;/script&gt; \"quotes\" & ampersands.</p>"
     "</section><nav><a href=\"x\">one</a> <a href=\"y\">two</a></nav>"
     "<dl><dt id=\"f\">f(x, y)</dt><dd>A function of <code>x</code>.</dd></dl>"
     "</main></body></html>\n"},
    {"c.md",
     "---\ntitle: Markdown <i>Notes</i>\n---\n# Heading {#custom}\n\n"
     "Text with `code.with.dots` and [a link](http://example.org/?a=1&b=2).\n\n"
     "## Lists\n\n- item one\n- item two two two\n\n```python\nprint('no heading')\n```\n"
     "\n## \xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac\n\n"
     "\xce\xbb\xce\xad\xce\xbe\xce\xb5\xce\xb9\xcf\x82 power plant mediation.\n"},
    {"d.jsonl",
     "{\"path\":\"kb/one\",\"title\":\"<Title> & \\\"quotes\\\"\",\"anchor\":\"a\\\"><x\","
     "\"text\":\"JSON lines record about the Bushehr plant and standby.signal.\","
     "\"tags\":[\"Setup\"],\"lang\":\"EN\"}\n"
     "{\"url\":\"https://docs.example.org/p?q=1\",\"title\":\"Remote\","
     "\"html\":\"<h2>Inner</h2><p>remote html about mediation</p>\"}\n"},
};

static char dir[] = "/tmp/rubric-fuzz-search-XXXXXX";
static rubric_db *db;
static size_t sizes[sizeof docs / sizeof *docs];

static serve_reader *atexit_reader;  /* rubric-serve's reader, closed with the index */

static void remove_index(void)
{
    char cmd[96];
    if (atexit_reader)
        serve_reader_close(atexit_reader);
    rubric_db_close(db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_search: could not remove %s\n", dir);
}

static rubric_db *open_index(void)
{
    if (db)
        return db;
    if (!mkdtemp(dir))
        abort();
    atexit(remove_index);
    char index[96];
    snprintf(index, sizeof index, "%s/db", dir);
    rubric_index *ix = NULL;
    char *err = NULL;
    if (rubric_index_open(index, "english", &ix, &err) != RUBRIC_OK)
        abort();
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        char file[96];
        snprintf(file, sizeof file, "%s/%s", dir, docs[i].name);
        FILE *f = fopen(file, "w");
        if (!f)
            abort();
        fputs(docs[i].text, f);
        fclose(f);
        sizes[i] = strlen(docs[i].text);
        int rc = rubric_index_add_file(ix, file, NULL, NULL);
        if (rc != RUBRIC_OK && rc != RUBRIC_EINPUT)
            abort();
    }
    if (rubric_index_commit(ix) != RUBRIC_OK)
        abort();
    rubric_index_close(ix);
    if (rubric_db_open(index, &db, &err) != RUBRIC_OK)
        abort();
    return db;
}

/* The size of the source file at PATH (one of the documents), or 0. */
static size_t source_size(const char *path)
{
    const char *slash = strrchr(path, '/');
    for (size_t i = 0; slash && i < sizeof docs / sizeof *docs; i++)
        if (strcmp(slash + 1, docs[i].name) == 0)
            return sizes[i];
    return 0;
}

static void check_spans(const rubric_fragment *f)
{
    size_t at = 0;
    for (size_t k = 0; k < f->nspans; k++) {
        assert(f->spans[k].start >= at);
        assert(f->spans[k].len > 0);
        at = f->spans[k].start + f->spans[k].len;
        assert(at <= f->text_len);
    }
}

/* HTML from the library: the text escaped, its only markup <b> and </b>. */
static void check_html(const char *html)
{
    assert(html && !u8_check((const uint8_t *)html, strlen(html)));
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<'))
        assert(strncmp(p, "<b>", 3) == 0 || strncmp(p, "</b>", 4) == 0);
    for (const char *p = strchr(html, '>'); p; p = strchr(p + 1, '>'))
        assert(p >= html + 2 && (strncmp(p - 2, "<b>", 3) == 0 ||
                                 (p >= html + 3 && strncmp(p - 3, "</b>", 4) == 0)));
}

static void check_hit(const rubric_hit *h)
{
    check_spans(&h->snippet);
    char *html = rubric_hit_snippet_html(h);
    check_html(html);
    free(html);
    size_t size = source_size(h->path);
    for (size_t k = 0; k < h->nfragments; k++) {
        const rubric_fragment *f = &h->fragments[k];
        check_spans(f);
        assert(f->nsource == f->nspans && f->link);
        for (size_t j = 0; size && j < f->nsource; j++)
            assert(f->source[j].start + f->source[j].len <= size);
        html = rubric_fragment_html(f);
        check_html(html);
        free(html);
    }
    for (size_t k = 0; k < h->nexplain; k++)
        assert(h->explain[k].word && h->explain[k].field);
}

/* Q (LEN bytes, any of them) through rubric-serve's endpoints, with the
 * parameters A and B choose; each asked twice, the second answered from the
 * answer cache when the first was a 200, and the same. */
static void through_serve(const char *q, size_t len, unsigned a, unsigned b)
{
    static serve_config cfg;
    static serve_reader reader;
    static char index[96];
    if (!cfg.db_dir) {
        snprintf(index, sizeof index, "%s/db", dir);
        cfg.db_dir = index;
        snprintf(cfg.cache_control, sizeof cfg.cache_control, "no-cache");
        pthread_mutex_init(&cfg.log_lock, NULL);
        cfg.cache = serve_cache_new(1 << 20);
        atexit_reader = &reader;
    }
    /* A transport hands over values NUL-terminated (api.h). */
    char *qz = malloc(len + 1);
    if (!qz)
        return;
    memcpy(qz, q, len);
    qz[len] = '\0';
    q = qz;
    char limit[8], offset[8];
    snprintf(limit, sizeof limit, "%u", a % 60);
    snprintf(offset, sizeof offset, "%u", (a >> 4) * 70);
    serve_param params[] = {{"q", q, len},
                            {"limit", limit, strlen(limit)},
                            {"offset", offset, strlen(offset)},
                            {"group", b & 1 ? "page" : "none", 4},
                            {"prefix", b & 2 ? "1" : "0", 1},
                            {"fragments", b & 4 ? "2" : "0", 1},
                            {"path", "kb/", 3}};
    static const char *const paths[] = {"/api/v1/search", "/search"};
    for (int k = 0; k < 2; k++) {
        serve_request rq = {"GET", paths[k], params, b & 8 ? 7 : 6, NULL, NULL};
        serve_response rs;
        serve_handle(&cfg, &reader, &rq, &rs);
        assert(rs.status == 200 || rs.status == 400 || rs.status == 414);
        assert(rs.body && rs.body_len == strlen(rs.body));
        assert(!u8_check((const uint8_t *)rs.body, rs.body_len));
        if (k == 0 || rs.status != 200) {
            cJSON *j = cJSON_Parse(rs.body);
            assert(j || (k == 1 && strstr(rs.content_type, "text/html")));
            const char *bad = NULL;
            assert(!j || html_marks_only(j, 0, &bad));
            cJSON_Delete(j);
        }
        char why[256];
        assert(!strstr(rs.content_type, "text/html") || html_page_is_ours(rs.body, why, sizeof why));
        serve_response again;
        serve_handle(&cfg, &reader, &rq, &again);
        assert(again.status == rs.status);
        assert(rs.status != 200 || (again.body_len == rs.body_len &&
                                    memcmp(again.body, rs.body, rs.body_len) == 0 &&
                                    strcmp(again.content_type, rs.content_type) == 0));
        serve_response_free(&again);
        serve_response_free(&rs);
    }
    free(qz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rubric_db *index = open_index();
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    unsigned a = size > 0 ? data[0] : 0, b = size > 1 ? data[1] : 0;
    o.limit = 1 + a % 16;
    o.offset = (a >> 4) % 4;
    o.fragments = b % 4;
    o.per_article = (b >> 2) % 3;
    o.explain = (b >> 4) & 1;
    o.boilerplate = (b >> 5) & 1;
    o.no_correction = (b >> 6) & 1;
    o.snippet_len = (b >> 7) ? 20 : 0;
    const char *q = size > 2 ? (const char *)data + 2 : "";
    size_t qlen = size > 2 ? size - 2 : 0;
    rubric_results *r = NULL;
    char *err = NULL;
    int rc = rubric_search(index, q, qlen, &o, &r, &err);
    assert(rc == RUBRIC_OK || rc == RUBRIC_EINVAL || rc == RUBRIC_ENOMEM);
    assert((rc == RUBRIC_OK) == (r != NULL));
    assert(rc == RUBRIC_OK || err != NULL);
    for (size_t i = 0; r && i < rubric_results_count(r); i++)
        check_hit(rubric_results_hit(r, i));
    for (size_t i = 0; r && i < rubric_results_article_count(r); i++) {
        const rubric_article *art = rubric_results_article(r, i);
        assert(art->nhits >= 1 && art->nhits <= o.per_article && art->matches >= art->nhits);
        for (size_t k = 0; k < art->nhits; k++)
            assert(art->hits[k] < rubric_results_count(r));
    }
    for (int flags = RUBRIC_JSON_COMPACT; r && flags <= (RUBRIC_JSON_COMPACT | RUBRIC_JSON_WEB);
         flags += RUBRIC_JSON_WEB) {
        char *json = rubric_results_json(r, flags);
        assert(json);
        assert(!u8_check((const uint8_t *)json, strlen(json)));
        assert(json_valid(json, strlen(json)));
        cJSON *j = flags & RUBRIC_JSON_WEB ? cJSON_Parse(json) : NULL;
        const char *bad = NULL;
        assert(!j || html_marks_only(j, 0, &bad));
        cJSON_Delete(j);
        free(json);
    }
    free(err);
    rubric_results_free(r);
    through_serve(q, qlen, a, b);
    return 0;
}
