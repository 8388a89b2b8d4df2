/* shim.h: the C interface of xapian.cc, rubric's only C++ file.
 *
 * Every call returns an XS_* status and, on failure, leaves a message in the
 * handle (xs_db_errmsg) or in *errmsg (caller frees with free()). No C++
 * exception crosses this interface.
 */
#ifndef RUBRIC_SHIM_H
#define RUBRIC_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    XS_OK = 0,
    XS_ENOMEM = -1,
    XS_ELOCKED = -2,   /* DatabaseLockError */
    XS_ENODB = -3,     /* DatabaseOpeningError, DatabaseCorruptError, ... */
    XS_EMODIFIED = -4, /* DatabaseModifiedError: reopen and retry */
    XS_EOTHER = -5,
    XS_EWILDCARD = -6, /* WildcardError: a wildcard matched too many terms */
    XS_ENET = -7       /* NetworkError: a remote shard did not answer */
};

/* The library's status for an XS_* one: the only such mapping. An index that
 * changed under a reader more often than retries allow reads as damaged, an
 * error Xapian does not classify as internal. */
int xs_status(int xs);

typedef struct xs_db xs_db;
typedef struct xs_doc xs_doc;
typedef struct xs_query xs_query;
typedef struct xs_mset xs_mset;

/* Databases. A reader opens an index folder, or a set of them searched as
 * one: a stub file ("auto PATH" lines, paths relative to it), or a folder
 * holding one as XAPIANDB. */
int xs_db_open_read(const char *dir, xs_db **out, char **errmsg);
/* A reader on the N SOURCES (each an index or a set) searched as one; a
 * remote shard may take TIMEOUT_MS to connect and to answer each message
 * (0: 10 s). */
int xs_db_open_read_many(const char *const *sources, size_t n, unsigned timeout_ms, int partial,
                         xs_db **out, char **errmsg);
/* With PARTIAL, a remote shard that cannot be reached is left out (a search
 * that loses one opens the set again without it): how many are, and their
 * names ("HOST:PORT"). */
size_t xs_db_missing(const xs_db *db);
const char *xs_db_missing_name(const xs_db *db, size_t k);
/* Nonzero when a part of DB is a remote shard ("remote HOST:PORT"): it
 * knows only Xapian's own posting sources. */
int xs_db_remote(const xs_db *db);
/* Is DB a set (opened from a stub, or several databases as one)? */
int xs_db_is_set(const xs_db *db);
/* The databases DB reads: how many (1 for one index), and a handle on
 * database K alone (DB itself for one index), owned by DB and valid until
 * it is reopened or closed, for what is read from each (metadata, the
 * revision). */
size_t xs_db_parts(const xs_db *db);
xs_db *xs_db_part(xs_db *db, size_t k);
/* The path DB was opened at (a set: its first source). */
const char *xs_db_path(const xs_db *db);
int xs_db_open_write(const char *dir, xs_db **out, char **errmsg);
/* A writer on the N committed databases DIRS as one, without a transaction
 * (for what a set's shards are changed by together: folding), each also a
 * part (xs_db_part()) for its own metadata. Adding a document is not for it. */
int xs_db_open_write_many(const char *const *dirs, size_t n, xs_db **out, char **errmsg);
/* A writer on an empty database in memory (for a dry run on no index). */
int xs_db_open_memory(xs_db **out, char **errmsg);
/* A writer on a new, empty database at DIR (anything there is replaced). */
int xs_db_open_fresh(const char *dir, xs_db **out, char **errmsg);
void xs_db_close(xs_db *db);  /* a writer's uncommitted changes are discarded */
/* Merge the committed databases SOURCES[0..N) into a new, compacted database
 * at DEST (which must not exist): documents keep their order, those of
 * SOURCES[0] first; metadata comes from the first source holding each key. */
int xs_db_compact(const char *const *sources, size_t n, const char *dest, char **errmsg);
const char *xs_db_errmsg(const xs_db *db);
int xs_db_reopen(xs_db *db);
/* Open the database at the handle's path anew: after a rebuild replaced it,
 * reopen() alone would keep reading the old one. Readers only. */
int xs_db_reopen_path(xs_db *db);
/* xs_db_reopen_path() when the database changed since the handle opened it
 * (a commit, a rebuild), else nothing: one stat() of its version file. */
int xs_db_refresh(xs_db *db);
/* The revision of the database as this handle sees it. */
unsigned long xs_db_revision(xs_db *db);
/* The database's UUID as text into OUT (XS_UUID_SIZE bytes, "" when it has
 * none, or is a set's, which joins its databases'): new each time a
 * database is made. */
#define XS_UUID_SIZE 40
void xs_db_uuid(xs_db *db, char *out);
int xs_db_commit(xs_db *db);
size_t xs_db_doccount(xs_db *db);
/* Read a little of every table (the first and the last document's data,
 * terms, positions, a posting list): a damaged index, a truncated table,
 * fails it at little cost. */
int xs_db_probe(xs_db *db);
/* Number of documents indexed by TERM (0 when absent or on error). */
size_t xs_db_termfreq(xs_db *db, const char *term, size_t len);
/* With a remote part, the frequencies of the N TERMS (strings; empty ones
 * are passed over) asked at once, so that xs_db_termfreq() answers them
 * without a round trip each; nothing for local databases. A shard out of
 * reach gives XS_ENET, unless the set leaves such shards out. */
int xs_db_learn_termfreqs(xs_db *db, const char *const *terms, size_t n);
/* Metadata: *out is malloc'd (caller frees), NULL with *len 0 when absent. */
int xs_db_get_metadata(xs_db *db, const char *key, char **out, size_t *len);
int xs_db_set_metadata(xs_db *db, const char *key, const char *val, size_t len);
/* Call FN for each unprefixed term (terms whose first byte is not an ASCII
 * capital: rubric's exact words) beginning with START (may be empty),
 * skipping the prefixed ones wholesale. */
int xs_db_words(xs_db *db, const char *start,
                int (*fn)(void *ctx, const char *term, size_t len, size_t freq), void *ctx);
/* Call FN for each metadata key beginning with PREFIX and its value; a
 * nonzero return stops the walk. */
int xs_db_metadata(xs_db *db, const char *prefix,
                   int (*fn)(void *ctx, const char *key, const char *val, size_t len),
                   void *ctx);
/* Replace the document whose unique term is IDTERM (adding it if absent). */
int xs_db_replace(xs_db *db, const char *idterm, xs_doc *doc);
/* Add DOC as a new document (a fresh build, whose ids are all new). */
int xs_db_add(xs_db *db, xs_doc *doc);
/* Delete every document indexed by TERM. */
int xs_db_delete_term(xs_db *db, const char *term);
/* Call FN for each term beginning with PREFIX, with its document frequency;
 * a nonzero return stops the walk. */
int xs_db_terms(xs_db *db, const char *prefix,
                int (*fn)(void *ctx, const char *term, size_t len, size_t freq),
                void *ctx);
/* The documents indexed by TERM, in increasing order, into *IDS (malloc'd,
 * NULL when none) and *N. */
int xs_db_postings(xs_db *db, const char *term, size_t len, unsigned **ids, size_t *n);
/* Call FN for each term of document DOCID beginning with PREFIX, in order; a
 * nonzero return stops the walk. */
int xs_db_doc_terms(xs_db *db, unsigned docid, const char *prefix,
                    int (*fn)(void *ctx, const char *term, size_t len), void *ctx);
/* Value SLOT of document DOCID into *OUT (malloc'd, NUL-terminated; "" when
 * unset) and *LEN. */
int xs_db_doc_value(xs_db *db, unsigned docid, unsigned slot, char **out, size_t *len);
/* Call FN for each document that has value SLOT set, in docid order, with
 * the value; a nonzero return stops the walk. */
int xs_db_values(xs_db *db, unsigned slot,
                 int (*fn)(void *ctx, unsigned docid, const char *value, size_t len), void *ctx);
/* Give document DOCID the boolean TERM (ON nonzero), which it lacks, or take
 * away the one it has. */
int xs_db_doc_mark(xs_db *db, unsigned docid, const char *term, int on);

/* Documents under construction. */
xs_doc *xs_doc_new(void);
void xs_doc_free(xs_doc *doc);
int xs_doc_add_posting(xs_doc *doc, const char *term, size_t len, unsigned pos);
int xs_doc_add_term(xs_doc *doc, const char *term, size_t len, unsigned wdf);
int xs_doc_add_boolean(xs_doc *doc, const char *term, size_t len);
int xs_doc_set_data(xs_doc *doc, const char *data, size_t len);
/* Call FN for each term of DOC beginning with PREFIX, in order; a nonzero
 * return stops the walk. */
int xs_doc_terms(const xs_doc *doc, const char *prefix,
                 int (*fn)(void *ctx, const char *term, size_t len), void *ctx);
int xs_doc_add_value(xs_doc *doc, unsigned slot, const char *value, size_t len);

/* Queries: a tree built bottom-up. Constructors take ownership of the
 * subqueries they are given, also on failure; NULL means out of memory. */
enum { XS_OP_AND, XS_OP_OR, XS_OP_AND_NOT, XS_OP_PHRASE, XS_OP_NEAR, XS_OP_FILTER, XS_OP_AND_MAYBE };
xs_query *xs_query_term(const char *term, size_t len, unsigned wqf, unsigned pos);
xs_query *xs_query_combine(int op, xs_query **subs, size_t n, unsigned window);
xs_query *xs_query_scale(xs_query *q, double factor);
xs_query *xs_query_match_all(void);
/* The documents holding any of the N TERMS (of LENS bytes), each weighing
 * WEIGHT: how much of the query a document holds, whatever its length or how
 * often the terms occur in it. STOCK nonzero: built of what Xapian's own
 * server knows (for remote shards), at some cost. */
xs_query *xs_query_presence(const char *const *terms, const size_t *lens, size_t n, double weight,
                            int stock);
xs_query *xs_query_match_nothing(void);
/* Terms of DB beginning with PREFIX, as one synonym. At most MAX of them:
 * more is an XS_EWILDCARD error when searching (LIMIT_ERROR nonzero), else
 * the most frequent MAX are used (the first in order among equals). The
 * terms are those of the whole of a set, weighed by its frequencies. */
xs_query *xs_query_wildcard(xs_db *db, const char *prefix, size_t len, unsigned max,
                            int limit_error);
void xs_query_free(xs_query *q);

/* The value slot holding a passage's page (source and page path), for
 * grouping passages by article, and the one holding its section (source,
 * page and anchor: empty without an anchor), so that the parts of a long
 * section make one hit. */
#define XS_SLOT_PAGE 0
#define XS_SLOT_SECTION 1
#define XS_SLOT_FOLD 2
/* The slots matches are counted by (facets): the page's top folder, its
 * language, its tags (joined by XS_LIST_SEP, in order). */
#define XS_SLOT_TOP 3
#define XS_SLOT_LANG 4
#define XS_SLOT_TAGS 5
/* The slot that orders passages of equal weight (source, then offset), the
 * same whichever database of a set holds them. */
#define XS_SLOT_ORDER 6
/* The slot holding a passage's section (source, page and the section's
 * anchor), so that the parts of a long section make one hit whichever ids
 * they link to; XS_SLOT_SECTION keeps the parts that share a link. */
#define XS_SLOT_HIT 7
#define XS_LIST_SEP '\x1f'

typedef struct xs_search {
    size_t offset, limit;
    double k1, b;             /* BM25 parameters */
    unsigned collapse_slot;   /* XS_SLOT_PAGE or XS_SLOT_SECTION */
    unsigned collapse_max;    /* nonzero: at most this many hits per value of
                                 collapse_slot (an empty value is never collapsed) */
    size_t check_at_least;    /* look at this many matches at least (exact counts) */
    double budget;            /* seconds the match may take from its first
                                 candidate (the tables open by then); past
                                 them it stops, keeping the best found so far
                                 (0: no limit) */
    unsigned facet_slots;     /* bit S set: count the matches looked at by
                                 their value in slot S (Xapian's
                                 ValueCountMatchSpy) */
} xs_search;

/* A monotonic clock, in seconds. */
double xs_clock(void);

/* Run QUERY. */
int xs_db_search(xs_db *db, const xs_query *query, const xs_search *o, xs_mset **out);
/* Hit I's document id, and (when collapsing) how many other passages of
 * its page matched but were left out. */
unsigned xs_mset_docid(const xs_mset *m, size_t i);
size_t xs_mset_collapsed(const xs_mset *m, size_t i);

/* What BM25 needs to weigh TERM in document DOCID. */
typedef struct xs_term_stats {
    unsigned wdf;
    size_t termfreq, doccount;
    double doclen, avlength;
} xs_term_stats;

int xs_db_term_stats(xs_db *db, unsigned docid, const char *term, xs_term_stats *out);
void xs_mset_free(xs_mset *m);
size_t xs_mset_size(const xs_mset *m);
size_t xs_mset_estimate(const xs_mset *m);
/* Nonzero when that is the exact number: every match was counted (the
 * search looked at check_at_least matches at least, and there were no more,
 * and the budget did not stop it). */
int xs_mset_exact(const xs_mset *m);
/* With xs_search.facet_slots: the distinct values of SLOT among the matches
 * looked at, and value I with its count (NULL past the end); and how many
 * matches were looked at. */
size_t xs_mset_facet_values(const xs_mset *m, unsigned slot);
const char *xs_mset_facet_value(const xs_mset *m, unsigned slot, size_t i, size_t *len,
                                size_t *count);
size_t xs_mset_facet_seen(const xs_mset *m);
/* Nonzero when the budget stopped the match: the hits are the best of the
 * documents looked at before then, the estimate counts only those. */
int xs_mset_stopped(const xs_mset *m);
/* Seconds the match spent, from its first candidate. */
double xs_mset_spent(const xs_mset *m);
double xs_mset_weight(const xs_mset *m, size_t i);
/* The terms the search's query weighs: a match's weight is the sum, over
 * those it holds, of the term's BM25 weight times its FACTOR (the scales
 * above it). Left out: the right side of an AND_NOT or a FILTER (it weighs
 * nothing), a wildcard's words (weighed as one synonym) and posting
 * sources. GROUP: the phrase or NEAR the term lies under (0 for none),
 * which weighs a match only where its terms are in place. Term I, or NULL
 * past the end. */
size_t xs_mset_weighed(const xs_mset *m);
const char *xs_mset_weighed_term(const xs_mset *m, size_t i, double *factor, size_t *group);
/* Does phrase or NEAR GROUP match the passage whose unique id term is ID
 * (LEN bytes)? 1 yes (and for group 0), 0 no, XS_E* on error. */
int xs_mset_group_matches(xs_db *db, const xs_mset *m, size_t group, const char *id, size_t len);
/* The document data of hit I; owned by the mset. */
const char *xs_mset_data(const xs_mset *m, size_t i, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
