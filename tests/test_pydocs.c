/* test_pydocs.c: end to end on a real site, the Python 3.11 documentation
 * (Debian python3.11-doc, /usr/share/doc/python3.11/html; skipped when absent).
 *
 * Every page (*.html outside _sources/ and _static/) is indexed through the
 * library into a temporary index, then:
 *   (a) every passage (rubric_doc_read) of every page whose sections have
 *       ids (some <section id=...>) is anchored at an id present in that
 *       page (pages without, such as index.html, get slugs: listed only);
 *   (b) the index holds at least as many passages as the pages have
 *       <section id=...> elements;
 *   (c) "mac_ver platform" finds library/platform.html#macos-platform (or
 *       #platform.mac_ver) in its first three hits.
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* nftw */

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rubric.h"
#include "bytes.h"
#include "harness.h"

#define PYDOCS "/usr/share/doc/python3.11/html"


static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


/* ------------------------------------------------------------ the pages */

static char **pages;
static size_t npages, cappages;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type != FTW_F || strstr(path, "/_sources/") || strstr(path, "/_static/")) return 0;
    size_t n = strlen(path);
    if (n < 5 || strcmp(path + n - 5, ".html") != 0) return 0;
    if (npages == cappages) {
        cappages = cappages ? cappages * 2 : 512;
        char **p = realloc(pages, cappages * sizeof *p);
        if (!p) return -1;
        pages = p;
    }
    pages[npages] = malloc(n + 1);
    if (!pages[npages]) return -1;
    memcpy(pages[npages++], path, n + 1);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

/* The values of every id="..." in a page (a simple scan), sorted. */
typedef struct ids {
    char **v;
    size_t n, cap;
} ids;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void page_ids(const char *data, size_t len, ids *out)
{
    out->n = 0;
    for (const char *p = data; (p = strstr(p, "id=\"")) != NULL;) {
        if (p > data && p[-1] != ' ' && p[-1] != '\n' && p[-1] != '\t') {
            p += 4;
            continue;
        }
        p += 4;
        const char *q = memchr(p, '"', len - (size_t)(p - data));
        if (!q) break;
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 256;
            out->v = realloc(out->v, out->cap * sizeof *out->v);
            if (!out->v) { fprintf(stderr, "out of memory\n"); exit(2); }
        }
        char *s = malloc((size_t)(q - p) + 1);
        if (!s) { fprintf(stderr, "out of memory\n"); exit(2); }
        memcpy(s, p, (size_t)(q - p));
        s[q - p] = '\0';
        out->v[out->n++] = s;
        p = q + 1;
    }
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
}

static int ids_has(const ids *s, const char *id)
{
    return bsearch(&id, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

static void ids_clear(ids *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    s->n = 0;
}

/* Number of <section ... id=...> start tags in a page. */
static size_t count_sections_with_id(const char *data)
{
    size_t n = 0;
    for (const char *p = data; (p = strstr(p, "<section")) != NULL;) {
        p += 8;
        if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '>') continue;
        const char *gt = strchr(p, '>');
        if (!gt) break;
        for (const char *q = p; q + 3 <= gt; q++)
            if ((q[-1] == ' ' || q[-1] == '\n' || q[-1] == '\t') && strncmp(q, "id=", 3) == 0) {
                n++;
                break;
            }
        p = gt;
    }
    return n;
}

/* ------------------------------------------------------------------ test */

static void pydocs_are_indexed_with_anchors_that_exist_and_found_by_api_name(void)
{
    struct stat st;
    if (stat(PYDOCS, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP %s is missing (Debian python3.11-doc)\n", PYDOCS);
        return;
    }
    double t0 = now_seconds();
    CHECK(nftw(PYDOCS, collect, 32, FTW_PHYS) == 0);
    qsort(pages, npages, sizeof *pages, by_name);
    CHECK(npages > 100);

    char tmpl[] = "/tmp/rubric-pydocs-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    CHECK(tmp != NULL);
    if (!tmp) return;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/db", tmp);

    /* Index every page. */
    rubric_index *ix = NULL;
    char *err = NULL;
    int rc = rubric_index_open(dir, NULL, &ix, &err);
    if (rc != RUBRIC_OK) fprintf(stderr, "  rubric_index_open: %d %s\n", rc, nz(err));
    CHECK(rc == RUBRIC_OK);
    free(err);
    size_t added = 0, failed = 0, excluded = 0;
    for (size_t i = 0; ix && i < npages; i++) {
        int what = -1;
        size_t np = 0;
        rc = rubric_index_add_file(ix, pages[i], &what, &np);
        if (rc != RUBRIC_OK) {
            if (failed < 10)
                fprintf(stderr, "  %s: %d %s\n", pages[i], rc, nz(rubric_index_errmsg(ix)));
            failed++;
        } else if (what == RUBRIC_FILE_EXCLUDED) {
            excluded++;
        } else {
            added++;
        }
    }
    size_t indexed = 0;
    if (ix) {
        CHECK(rubric_index_commit(ix) == RUBRIC_OK);
        indexed = rubric_index_passages(ix);
        rubric_index_close(ix);
    }
    double t_index = now_seconds() - t0;
    /* Only pages with nothing to index (say, a redirect) may fail. */
    if (failed > 5) fprintf(stderr, "  %zu pages could not be indexed\n", failed);
    CHECK(failed <= 5);

    /* (a) anchors are ids of their page; (b) counts. */
    ids pid = {0};
    size_t slugged_pages = 0, last_slugged = (size_t)-1;
    size_t passages = 0, sections = 0, bad = 0, bad_pages = 0, slugged = 0;
    for (size_t i = 0; i < npages; i++) {
        size_t len = 0;
        char *data = slurp(pages[i], &len);
        if (!data) {
            fprintf(stderr, "  cannot read %s\n", pages[i]);
            CHECK(data != NULL);
            continue;
        }
        size_t page_sections = count_sections_with_id(data);
        sections += page_sections;
        rubric_doc *d = NULL;
        err = NULL;
        rc = rubric_doc_read(pages[i], data, len, &d, &err);
        free(err);
        if (rc == RUBRIC_OK && d) {
            page_ids(data, len, &pid);
            size_t before = bad;
            for (size_t k = 0; k < rubric_doc_count(d); k++) {
                const rubric_passage *p = rubric_doc_passage(d, k);
                passages++;
                if (p->anchor && ids_has(&pid, p->anchor)) continue;
                if (page_sections == 0) {
                    /* A page whose sections have no ids (index.html,
                     * download.html) can only be anchored at slugs. */
                    if (slugged_pages < 10 && last_slugged != i)
                        printf("     (no <section id> in %s: \"%s\" is anchored at %s)\n",
                               pages[i] + strlen(PYDOCS) + 1, nz(p->title), nz(p->anchor));
                    slugged_pages += last_slugged != i;
                    last_slugged = i;
                    slugged++;
                } else {
                    if (bad < 20)
                        fprintf(stderr, "  %s: passage %zu (\"%s\" part %u) is anchored at "
                                        "%s, not an id of the page\n",
                                pages[i] + strlen(PYDOCS) + 1, k, nz(p->title), p->part,
                                nz(p->anchor));
                    bad++;
                }
            }
            bad_pages += bad > before;
            ids_clear(&pid);
        }
        rubric_doc_free(d);
        free(data);
    }
    free(pid.v);
    if (bad) fprintf(stderr, "  %zu passages on %zu pages have anchors that are not ids\n",
                     bad, bad_pages);
    CHECK(bad == 0);
    if (indexed < sections)
        fprintf(stderr, "  %zu passages indexed for %zu <section id> elements\n", indexed,
                sections);
    CHECK(indexed >= sections);
    CHECK(passages >= sections);

    /* (c) a search by API name. */
    rubric_db *db = NULL;
    err = NULL;
    rc = rubric_db_open(dir, &db, &err);
    if (rc != RUBRIC_OK) fprintf(stderr, "  rubric_db_open: %d %s\n", rc, nz(err));
    CHECK(rc == RUBRIC_OK);
    free(err);
    if (db) {
        static const char q[] = "mac_ver platform";
        rubric_search_opts opts = RUBRIC_SEARCH_OPTS_INIT;
        opts.limit = 10;
        rubric_results *res = NULL;
        err = NULL;
        rc = rubric_search(db, q, sizeof q - 1, &opts, &res, &err);
        if (rc != RUBRIC_OK) fprintf(stderr, "  rubric_search: %d %s\n", rc, nz(err));
        CHECK(rc == RUBRIC_OK);
        free(err);
        int found = 0;
        for (size_t i = 0; res && i < 3; i++) {
            const rubric_hit *h = rubric_results_hit(res, i);
            if (!h) break;
            size_t pl = strlen(nz(h->path));
            const char *suffix = "library/platform.html";
            if (pl >= strlen(suffix) && strcmp(h->path + pl - strlen(suffix), suffix) == 0 &&
                (strcmp(nz(h->anchor), "macos-platform") == 0 ||
                 strcmp(nz(h->anchor), "platform.mac_ver") == 0) && !found) {
                found = 1;
                printf("     \"%s\": hit %u is library/platform.html#%s\n", q, h->rank,
                       h->anchor);
            }
        }
        if (!found) {
            fprintf(stderr, "  \"%s\": no platform.html#macos-platform in the first three:\n", q);
            for (size_t i = 0; res && i < 10; i++) {
                const rubric_hit *h = rubric_results_hit(res, i);
                if (!h) break;
                fprintf(stderr, "    %u. %s#%s (%s) %.3f\n", h->rank, nz(h->path),
                        nz(h->anchor), nz(h->title), h->score);
            }
        }
        CHECK(found);
        rubric_results_free(res);
        rubric_db_close(db);
    }

    double elapsed = now_seconds() - t0;
    printf("     %zu pages (%zu indexed, %zu excluded, %zu failed), %zu passages read, "
           "%zu indexed, %zu <section id> elements, %zu passages of %zu pages without any at slugs; indexing %.1f s, "
           "total %.1f s\n",
           npages, added, excluded, failed, passages, indexed, sections, slugged, slugged_pages, t_index,
           elapsed);

    nftw(tmp, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
    for (size_t i = 0; i < npages; i++) free(pages[i]);
    free(pages);
    pages = NULL;
    npages = cappages = 0;
}

int main(void)
{
    RUN(pydocs_are_indexed_with_anchors_that_exist_and_found_by_api_name);
    return HARNESS_END();
}
