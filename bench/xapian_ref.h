/* xapian_ref.h: Xapian's own analysis and indexing path, the reference that
 * `make bench` measures rubric's against (bench/floor.c, bench/inproc.c). A
 * Xapian::TermGenerator with Xapian's English stemmer in its default mode
 * (each word unstemmed with its position, and its stem prefixed Z); one per
 * process, not thread-safe. Never part of the library.
 */
#ifndef RUBRIC_BENCH_XAPIAN_REF_H
#define RUBRIC_BENCH_XAPIAN_REF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Open a writer on a new, empty database at DIR (anything there is replaced),
 * the way rubric-index opens a first build: no sync as it goes, a commit every
 * 1,000 documents. Returns 0, or -1 with *errmsg (caller frees). */
int ref_open(const char *dir, char **errmsg);
/* Index TITLE (prefix S) and TEXT into a new document whose data is TEXT and
 * add it. Returns 0, or -1 with *errmsg (caller frees). */
int ref_add(const char *text, size_t len, const char *title, char **errmsg);
/* Commit and close the writer. Returns 0, or -1 with *errmsg (caller frees). */
int ref_close(char **errmsg);
/* Index TEXT into a throwaway document (nothing is written anywhere). The
 * number of words seen (positions used), or 0 on error; *terms (may be NULL)
 * gets the document's number of distinct terms. */
size_t ref_count(const char *text, size_t len, size_t *terms);

#ifdef __cplusplus
}
#endif

#endif
