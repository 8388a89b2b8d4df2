/* judge.h: judging ranked results against judged queries, shared by the
 * evaluator (tests/eval.c, rubric) and the baselines (bench/fts5.c, SQLite
 * FTS5; bench/omega.c, Xapian's Omega), so every engine is judged by the
 * very same rules.
 *
 * A judged query file (tests/relevance/NAME.tsv) holds lines
 * `query<TAB>target[ target...]`, each target `path#anchor` (or `path`: any
 * passage of the file); blank lines and lines starting with '#' are skipped.
 * The rank of the first acceptable result among the first JUDGE_LIMIT gives
 * success@1, success@10 and MRR@10, twice: at section level (the result is
 * the judged section or lies inside it) and at page level (the result is on
 * the page of one of the targets, wherever on it). When a result is
 * acceptable is told in tests/eval.c's opening comment.
 */
#ifndef RUBRIC_JUDGE_H
#define RUBRIC_JUDGE_H

#include <stddef.h>

#define JUDGE_LIMIT 10

/* One result as an engine ranked it. ANCHOR is NULL for an engine that
 * returns whole pages. */
typedef struct judge_hit {
    const char *path;
    const char *anchor;
} judge_hit;

/* Where a query's first acceptable result ranks (1-based; 0: none in the
 * first JUDGE_LIMIT), at section level and at page level. */
typedef struct judge_rank {
    unsigned section, page;
} judge_rank;

typedef struct judge_figures {
    size_t n;                  /* queries */
    size_t at1, at10;          /* section level: found at rank 1, in the first 10 */
    double rr;                 /* sum of reciprocal ranks */
    size_t page_at1, page_at10; /* page level, the same */
    double page_rr;
    int pages_only;            /* the engine returns pages: no section figures */
} judge_figures;

/* PROG names the program in messages ("eval"); PREFIX (may be NULL) is taken
 * off result paths before they are compared (--prefix); PAGES_ONLY says the
 * engine returns whole pages, so that only page figures are given. */
void judge_init(const char *prog, const char *prefix, int pages_only);

/* Nonzero when the result at PATH#ANCHOR is acceptable for one of TARGETS
 * (space separated). May read the result's source file (once per target). */
int judge_matches(const char *path, const char *anchor, const char *targets);

/* Nonzero when ANCHOR is an id (or a name) of an element of the HTML page
 * at PATH, where a link to PATH#ANCHOR lands; nonzero too when the page
 * cannot be read (nothing to tell). */
int judge_anchor_on_page(const char *path, const char *anchor);

/* Nonzero when the result at PATH is on the page of one of TARGETS. */
int judge_page_matches(const char *path, const char *targets);

/* The ranks of the first of the N ranked HITS acceptable for TARGETS, by
 * judge_matches (0 when a hit has no anchor) and judge_page_matches. */
judge_rank judge_hits(const judge_hit *hits, size_t n, const char *targets);

/* Run QUERY: the ranks of its results for TARGETS (judge_hits). FIRST
 * (FIRSTLEN bytes) gets a description of result 1, "(no results)" or
 * "(error: ...)". */
typedef judge_rank (*judge_query_fn)(void *ctx, const char *query, const char *targets,
                                     char *first, size_t firstlen);

/* Run every query of FILE through FN, print `== FILE`, the misses at rank 1
 * (when VERBOSE) and the file's figures, and fill *FIG. -1 when FILE cannot
 * be opened. */
int judge_file(const char *file, int verbose, judge_query_fn fn, void *ctx,
               judge_figures *fig);

/* The summary line: `FILE: n=N s@1=0.xx s@10=0.xx mrr@10=0.xx page-s@1=0.xx
 * page-s@10=0.xx page-mrr@10=0.xx` (without the section figures for an
 * engine that returns pages). */
void judge_summary(const char *file, const judge_figures *fig);

/* The time each query of a file took, for its median. */
typedef struct judge_times {
    double *v;
    size_t n, cap;
} judge_times;

/* Note one more query's time T (exits when out of memory). */
void judge_time(judge_times *t, double value);
/* The median and the maximum of the times noted (sorting them), and 0 when
 * there are none; then forget them. */
double judge_times_median(judge_times *t, double *max);

/* Release what judge_matches read. */
void judge_cleanup(void);

#endif
