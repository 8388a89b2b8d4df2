/* eval.c: measure rubric's ranking against judged queries.
 *
 *   build/eval --db DIR [--prefix P] [--bm25 K1,B] [-v] FILE.tsv...
 *
 * Each line of a FILE is `query<TAB>target[ target...]`, each target
 * `path#anchor`: the sections a knowledgeable reader would want to land on
 * (blank lines and lines starting with '#' are skipped). Every query goes
 * through rubric_search() with limit 10, a time budget of EVAL_TIME_BUDGET
 * seconds and otherwise default options; the
 * rank of the first acceptable result gives success@1, success@10 and MRR@10
 * (the reciprocal rank of that result, 0 past rank 10, averaged over queries),
 * at section level and at page level.
 *
 * When a result is on the page of a target `path#anchor`: the result's path,
 * less P and any '/' after it, is the target's path. So with
 * --prefix /usr/share/doc/python3.11/html, the result
 * `/usr/share/doc/python3.11/html/library/os.html` is on `library/os.html`,
 * and `.../html/library/index.html` is not on `index.html`. A path not under
 * P (or any path, without --prefix) may also end with '/' and the target's
 * path: `library/os.html` then matches `/usr/.../library/os.html`, but never
 * `xos.html`.
 *
 * When a result is acceptable for a target at section level: it is on the
 * target's page, and its anchor is the target's anchor, or the anchor of
 * another part of the same section. A long section is cut into parts, and a
 * later part may be anchored on an element inside it (a `<dt id="os.walk">`
 * in the section `files-and-directories`). The library returns hits only, so
 * the evaluator reads the source file itself (the result's path, opened as
 * stored: give the indexer absolute paths, or run the evaluator from the
 * directory the index was built from) with rubric_doc_read(): the section is
 * the first passage anchored on the target's anchor and the passages right
 * after it that continue it (part > 0, or the same title and trail) or lie
 * inside it (their trail continues with its title: its subsections and API
 * entries, such as `<dt id="platform.mac_ver">` in `macos-platform`). Their
 * anchors are all accepted: a reader following the link lands inside the
 * judged section. When the file cannot be read, only the target's own anchor
 * is accepted (a note on stderr says so).
 *
 * A target's anchor is an id (or <a name>) of the page, as a reader copies it
 * from a link, and the page tells which section it opens, where passages do
 * not: texinfo's `<div id="Arrays">`, whose heading rubric anchors on the
 * `<span id="Arrays-1">` before it, or man2html's `<A NAME="lbBB">&nbsp;</A>`
 * before `<H3>Parameter Expansion</H3>`, which rubric's passages leave at
 * the end of the section before. When no passage bears the anchor, or the
 * one that does ends with its element or holds nothing but it, the section
 * starts at the first passage of a heading that is the element or follows
 * it closely (at most a navigation panel between), else at the passage that
 * holds the element (or the next one, when it lies between two). An anchor
 * that is nowhere in the page accepts only itself (a note on stderr says so:
 * a typo in the judged queries, or a page that changed).
 *
 * A target with no '#' accepts any passage of its file. Page level counts
 * results as rubric returns them, passages: when the first passage on a
 * target's page is third in the list, the page ranks third, however many of
 * the two before it share a page.
 *
 * Output, per file: each query that misses at rank 1 (with -v: its rank,
 * where its page ranked, the targets and the first result), then the
 * figures; at the end one line per file:
 *   FILE: n=N s@1=0.xx s@10=0.xx mrr@10=0.xx page-s@1=0.xx page-s@10=0.xx page-mrr@10=0.xx
 * and last, how many anchors of results on HTML pages it checked, and how
 * many of them no element of the page has as its id or name (a link that
 * would land at the top of the page instead; the first few are named on
 * stderr):
 *   anchors: N of the results' anchors on HTML pages, M no id of the page
 * The judging (and this output) lives in tests/judge.c, shared with the
 * baselines, bench/fts5.c (SQLite FTS5) and bench/omega.c (Omega).
 * Exit status: 0 when every file was evaluated and every anchor found, 1
 * when a file could not be read or an anchor is missing, 2 on a usage
 * error, 4 when the index cannot be opened.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "rubric.h"

/* Seconds a search may spend matching: enough that none is cut short. */
#define EVAL_TIME_BUDGET 5.0

static const char usage_text[] =
    "usage: eval --db DIR [--prefix P] [--bm25 K1,B] [-v] FILE.tsv...\n"
    "Run judged queries (query<TAB>path#anchor ...) and print success@1,\n"
    "success@10 and MRR@10 per file, of sections and of pages; -v lists the\n"
    "queries that miss at rank 1.\n";

/* BM25 parameters given with --bm25 (0: rubric's defaults). */
static double bm25_k1, bm25_b;
/* The results' anchors on HTML pages, and those that are no place of it. */
static size_t anchors_seen, anchors_missing;

static int html_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0 ||
                   strcmp(dot, ".xhtml") == 0);
}

/* The ranks of the first results acceptable for TARGETS (space separated),
 * at section and at page level; *first describes result 1. */
static judge_rank run_query(void *ctx, const char *query, const char *targets, char *first,
                            size_t firstlen)
{
    rubric_db *db = ctx;
    rubric_search_opts opts;
    rubric_search_opts_init(&opts);
    opts.limit = JUDGE_LIMIT;
    opts.k1 = bm25_k1;
    opts.b = bm25_b;
    /* The ranking, not the machine's load: a search the default budget
     * (30 ms) would cut short on a busy machine runs to its end. */
    opts.time_budget = EVAL_TIME_BUDGET;
    rubric_results *res = NULL;
    char *err = NULL;
    int rc = rubric_search(db, query, strlen(query), &opts, &res, &err);
    if (rc != RUBRIC_OK) {
        snprintf(first, firstlen, "(error: %s)", err ? err : rubric_strerror(rc));
        free(err);
        return (judge_rank){0, 0};
    }
    const rubric_hit *h0 = rubric_results_hit(res, 0);
    if (h0)
        snprintf(first, firstlen, "%s#%s \"%s\"", h0->path, h0->anchor, h0->title);
    else
        snprintf(first, firstlen, "(no results)");

    judge_hit hits[JUDGE_LIMIT];
    size_t n = 0;
    for (; n < rubric_results_count(res) && n < JUDGE_LIMIT; n++) {
        const rubric_hit *h = rubric_results_hit(res, n);
        hits[n] = (judge_hit){h->path, h->anchor};
        if (h->anchor && *h->anchor && html_path(h->path)) {
            anchors_seen++;
            if (!judge_anchor_on_page(h->path, h->anchor)) {
                if (anchors_missing++ < 5)
                    fprintf(stderr, "eval: %s#%s: no element of the page has that id\n",
                            h->path, h->anchor);
            }
        }
    }
    judge_rank rank = judge_hits(hits, n, targets);
    rubric_results_free(res);
    return rank;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"prefix", required_argument, NULL, 'p'},
        {"verbose", no_argument, NULL, 'v'},
        {"bm25", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dbdir = NULL, *prefix = NULL;
    int verbose = 0, c;
    while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': dbdir = optarg; break;
        case 'p': prefix = optarg; break;
        case 'v': verbose = 1; break;
        case 'b':
            if (sscanf(optarg, "%lf,%lf", &bm25_k1, &bm25_b) != 2 || bm25_k1 <= 0 || bm25_b <= 0 ||
                bm25_b > 1) {
                fprintf(stderr, "eval: --bm25 wants K1,B (K1 > 0, 0 < B <= 1), not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: fputs(usage_text, stderr); return 2;
        }
    }
    if (!dbdir || optind >= argc) {
        fputs(usage_text, stderr);
        return 2;
    }
    judge_init("eval", prefix, 0);
    rubric_db *db = NULL;
    char *err = NULL;
    if (rubric_db_open(dbdir, &db, &err) != RUBRIC_OK) {
        fprintf(stderr, "eval: %s: %s\n", dbdir, err ? err : "cannot open the index");
        free(err);
        return 4;
    }
    int nfiles = argc - optind, status = 0;
    judge_figures *figs = calloc((size_t)nfiles, sizeof *figs);
    int *ok = calloc((size_t)nfiles, sizeof *ok);
    if (!figs || !ok) {
        fputs("eval: out of memory\n", stderr);
        return 1;
    }
    for (int i = 0; i < nfiles; i++) {
        ok[i] = judge_file(argv[optind + i], verbose, run_query, db, &figs[i]) == 0;
        if (!ok[i])
            status = 1;
    }
    for (int i = 0; i < nfiles; i++)
        if (ok[i])
            judge_summary(argv[optind + i], &figs[i]);
    /* Every anchor a result links to is a place of its page. */
    printf("anchors: %zu of the results' anchors on HTML pages, %zu no id of the page\n",
           anchors_seen, anchors_missing);
    if (anchors_missing)
        status = 1;
    free(figs);
    free(ok);
    judge_cleanup();
    rubric_db_close(db);
    return status;
}
