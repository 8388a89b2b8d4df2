/* judge.h: judging ranked results against judged queries, shared by the
 * evaluator (tests/eval.c, rubric) and the FTS5 baseline (bench/fts5.c), so
 * both engines are judged by the very same rules.
 *
 * A judged query file (tests/relevance/NAME.tsv) holds lines
 * `query<TAB>target[ target...]`, each target `path#anchor` (or `path`: any
 * passage of the file); blank lines and lines starting with '#' are skipped.
 * The rank of the first acceptable result among the first JUDGE_LIMIT gives
 * success@1, success@10 and MRR@10. When a result is acceptable is told in
 * tests/eval.c's opening comment.
 */
#ifndef RUBRIC_JUDGE_H
#define RUBRIC_JUDGE_H

#include <stddef.h>

#define JUDGE_LIMIT 10

typedef struct judge_figures {
    size_t n, at1, at10;
    double rr;
} judge_figures;

/* PROG names the program in messages ("eval"); PREFIX (may be NULL) is taken
 * off result paths before they are compared (--prefix). */
void judge_init(const char *prog, const char *prefix);

/* Nonzero when the result at PATH#ANCHOR is acceptable for one of TARGETS
 * (space separated). May read the result's source file (once per target). */
int judge_matches(const char *path, const char *anchor, const char *targets);

/* Run QUERY: the 1-based rank of the first result acceptable for TARGETS (by
 * judge_matches), 0 when none in the first JUDGE_LIMIT. FIRST (FIRSTLEN
 * bytes) gets a description of result 1, "(no results)" or "(error: ...)". */
typedef unsigned (*judge_query_fn)(void *ctx, const char *query, const char *targets,
                                   char *first, size_t firstlen);

/* Run every query of FILE through FN, print `== FILE`, the misses at rank 1
 * (when VERBOSE) and the file's figures, and fill *FIG. -1 when FILE cannot
 * be opened. */
int judge_file(const char *file, int verbose, judge_query_fn fn, void *ctx,
               judge_figures *fig);

/* The summary line: `FILE: n=N s@1=0.xx s@10=0.xx mrr@10=0.xx`. */
void judge_summary(const char *file, const judge_figures *fig);

/* Release what judge_matches read. */
void judge_cleanup(void);

#endif
