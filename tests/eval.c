/* eval.c: measure rubric's ranking against judged queries.
 *
 *   build/eval --db DIR [--prefix P] [-v] FILE.tsv...
 *
 * Each line of a FILE is `query<TAB>target[ target...]`, each target
 * `path#anchor`: the sections a knowledgeable reader would want to land on
 * (blank lines and lines starting with '#' are skipped). Every query goes
 * through rubric_search() with limit 10 and otherwise default options; the
 * rank of the first acceptable result gives success@1, success@10 and MRR@10
 * (the reciprocal rank of that result, 0 past rank 10, averaged over queries).
 *
 * When a result is acceptable for a target `path#anchor`:
 *
 * - its path matches: the result's path, less P when it starts with P (then
 *   less any leading '/'), equals the target's path or ends with '/' and the
 *   target's path. So `/usr/share/doc/python3.11/html/library/os.html`
 *   matches `library/os.html` without --prefix, but never `xos.html`;
 * - and its anchor is the target's anchor, or the anchor of another part of
 *   the same section. A long section is cut into parts, and a later part may
 *   be anchored on an element inside it (a `<dt id="os.walk">` in the section
 *   `files-and-directories`). The library returns hits only, so the evaluator
 *   reads the source file itself (the result's path, opened as stored, so run
 *   it from the directory the index was built from) with rubric_doc_read():
 *   the section is the first passage anchored on the target's anchor and the
 *   passages right after it that continue it (part > 0, or the same title and
 *   trail) or lie inside it (their trail continues with its title: its
 *   subsections and API entries, such as `<dt id="platform.mac_ver">` in
 *   `macos-platform`). Their anchors are all accepted: a reader following the
 *   link lands inside the judged section. When the file cannot be read, only
 *   the target's own anchor is accepted (a note on stderr says so).
 *
 * A target with no '#' accepts any passage of its file.
 *
 * Output, per file: each query that misses at rank 1 (with -v), then the
 * figures; at the end one line per file:
 *   FILE: n=N s@1=0.xx s@10=0.xx mrr@10=0.xx
 * The judging (and this output) lives in tests/judge.c, shared with the FTS5
 * baseline, bench/fts5.c.
 * Exit status: 0 when every file was evaluated, 1 when a file could not be
 * read, 2 on a usage error, 4 when the index cannot be opened.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "rubric.h"

static const char usage_text[] =
    "usage: eval --db DIR [--prefix P] [--bm25 K1,B] [-v] FILE.tsv...\n"
    "Run judged queries (query<TAB>path#anchor ...) and print success@1,\n"
    "success@10 and MRR@10 per file; -v lists the queries that miss at rank 1.\n";

/* Rank (1-based) of the first result acceptable for one of TARGETS (space
 * separated), 0 when none in the first JUDGE_LIMIT. *first describes result 1. */
/* BM25 parameters given with --bm25 (0: rubric's defaults). */
static double bm25_k1, bm25_b;

static unsigned run_query(void *ctx, const char *query, const char *targets, char *first,
                          size_t firstlen)
{
    rubric_db *db = ctx;
    rubric_search_opts opts;
    rubric_search_opts_init(&opts);
    opts.limit = JUDGE_LIMIT;
    opts.k1 = bm25_k1;
    opts.b = bm25_b;
    rubric_results *res = NULL;
    char *err = NULL;
    int rc = rubric_search(db, query, strlen(query), &opts, &res, &err);
    if (rc != RUBRIC_OK) {
        snprintf(first, firstlen, "(error: %s)", err ? err : rubric_strerror(rc));
        free(err);
        return 0;
    }
    const rubric_hit *h0 = rubric_results_hit(res, 0);
    if (h0)
        snprintf(first, firstlen, "%s#%s \"%s\"", h0->path, h0->anchor, h0->title);
    else
        snprintf(first, firstlen, "(no results)");

    unsigned rank = 0;
    for (size_t i = 0; !rank && i < rubric_results_count(res) && i < JUDGE_LIMIT; i++) {
        const rubric_hit *h = rubric_results_hit(res, i);
        if (judge_matches(h->path, h->anchor, targets))
            rank = (unsigned)i + 1;
    }
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
    judge_init("eval", prefix);
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
    free(figs);
    free(ok);
    judge_cleanup();
    rubric_db_close(db);
    return status;
}
