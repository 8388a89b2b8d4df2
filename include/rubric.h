/* rubric.h: the public C API of rubric, a passage-level full-text search engine.
 *
 * Articles go in, sections come out. Four handles:
 *   rubric_analyzer  the analysis chain (segment, fold, stem) shared by indexing,
 *                    query parsing and highlighting;
 *   rubric_doc       one source file read into passages;
 *   rubric_index     a writable index (one writer at a time);
 *   rubric_db        a read-only index, searched with rubric_search().
 *
 * Every function that can fail returns an int status (RUBRIC_OK or a negative
 * RUBRIC_E* code); outputs come last and are NULL on failure. The few getters
 * that cannot report an error (counts, revisions) say what they return on
 * one. Text input is (pointer, length) and need not be NUL-terminated.
 * Destroy functions accept NULL. A callback's nonzero return stops the work
 * that called it, and that work returns the callback's value as it is.
 *
 * Threads: a handle is used by one thread at a time; distinct handles may be
 * used on distinct threads at once. To search in parallel, open one rubric_db
 * per thread (several may name the same directory); to index, one
 * rubric_index for the directory (rubric_index_add_many() runs its own
 * threads inside). Results and documents are plain memory once returned: any
 * thread may read them while no thread frees them. The library keeps no
 * mutable global state of its own (what it sets up once, it sets up under
 * pthread_once) and never changes the environment.
 */
#ifndef RUBRIC_H
#define RUBRIC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(RUBRIC_BUILDING) && defined(__GNUC__)
#define RUBRIC_API __attribute__((visibility("default")))
#else
#define RUBRIC_API
#endif

#define RUBRIC_VERSION "0.1.0"

/* Status codes. */
enum {
    RUBRIC_OK = 0,
    RUBRIC_ENOMEM = -1,   /* out of memory */
    RUBRIC_EINVAL = -2,   /* bad argument: unknown language, empty query, ... */
    RUBRIC_EIO = -3,      /* a source file could not be read */
    RUBRIC_EINPUT = -4,   /* a source file is not something rubric can index */
    RUBRIC_ELOCKED = -5,  /* the index is locked by another writer */
    RUBRIC_ENODB = -6,    /* the index is missing, unreadable or damaged */
    RUBRIC_EINTERNAL = -7, /* an unexpected error inside a dependency */
    RUBRIC_ESHARD = -8    /* a remote shard of the index cannot be reached or
                             did not answer in time */
};

/* A static English description of a status code. */
RUBRIC_API const char *rubric_strerror(int code);
/* The library's version string (static). */
RUBRIC_API const char *rubric_version(void);

/* ---------------------------------------------------------------- analysis */

/* One token of analysed text. All pointers are owned by the analyzer and valid
 * only during the callback. */
typedef struct rubric_token {
    const char *word;  /* exact form: case- and accent-folded, possessive dropped */
    size_t word_len;
    const char *stem;  /* the stem of the exact form, accent-folded */
    size_t stem_len;
    size_t start;      /* byte range of the token in the input */
    size_t end;
    unsigned pos;      /* 0-based position among the tokens of this run */
    unsigned sub;      /* nonzero for a part of the word before it, at the same
                          position: a dotted name (os.path.join) is also given
                          as its parts (os, path, join) */
} rubric_token;

/* Called once per token; a nonzero return stops the run and is returned by it. */
typedef int (*rubric_token_fn)(void *ctx, const rubric_token *tok);

typedef struct rubric_analyzer rubric_analyzer;

/* NULL-terminated list of the stemming languages libstemmer offers (static). */
RUBRIC_API const char *const *rubric_languages(void);

/* Create an analyzer for LANG (a libstemmer algorithm name such as "english",
 * or "none" for no stemming; NULL or "" mean "english"). RUBRIC_EINVAL for an
 * unknown language. */
RUBRIC_API int rubric_analyzer_new(const char *lang, rubric_analyzer **out);
RUBRIC_API void rubric_analyzer_free(rubric_analyzer *a);
/* The analyzer's language name; owned by the analyzer. */
RUBRIC_API const char *rubric_analyzer_lang(const rubric_analyzer *a);

/* Segment, fold and stem TEXT, calling FN per token. Each invalid UTF-8 byte
 * reads as a space and never stops the run. Words over 64 bytes are data, not
 * words: they are skipped, leaving a gap in the positions. Returns RUBRIC_OK,
 * RUBRIC_ENOMEM, or FN's nonzero return. */
RUBRIC_API int rubric_analyzer_run(rubric_analyzer *a, const char *text, size_t len,
                                   rubric_token_fn fn, void *ctx);

/* Word segmentation alone (Unicode UAX #29): FN gets each segment holding a
 * letter or digit, with word == stem == the segment's own bytes. */
RUBRIC_API int rubric_segment(const char *text, size_t len, rubric_token_fn fn,
                              void *ctx);

/* ------------------------------------------------------------------ reading */

/* One passage: a section of a source, or one part of a long section. */
typedef struct rubric_passage {
    const char *anchor;        /* section id, unique within the source */
    const char *title;         /* the section's heading */
    const char *const *trail;  /* enclosing headings, outermost first */
    size_t ntrail;
    const char *text;          /* the passage's text, without its heading */
    size_t text_len;
    size_t start, end;         /* byte range in the source file */
    unsigned part;             /* how many passages of the source came before
                                  with the same anchor (0, 1, ...): anchor and
                                  part together are unique in a source */
    int boilerplate;           /* 1 for navigation, link farms, promotions */
    const char *path;          /* the page it belongs to when not the source file
                                  itself (a JSON Lines record's path or url), else NULL */
    const char *const *tags;   /* tags given by the source (JSON Lines), lowercase */
    size_t ntags;
    const char *lang;          /* language given by the source, or NULL */
    const size_t *map;         /* NMAP pairs (offset in text, offset in the
                                  source) where blocks of text begin; NULL when
                                  the text is the source's bytes start..end */
    size_t nmap;
    const char *section;       /* the anchor of the section it is part of:
                                  ANCHOR, or for a later part of a long section
                                  that links to an id nearer its text, the
                                  section's own; results show one part of a
                                  section */
    const char *terms;         /* the terms its definition lists define (an
                                  option's "--onto <newbase>"; the name a table
                                  of one row opens with), one a line, also in
                                  TEXT; "" for none */
    const char *places;        /* the ids that place it: those of HTML
                                  elements between its blocks, or right
                                  before its heading (index entries written
                                  before the term they index), not one
                                  inside a sentence; one a line, in page
                                  order; "" for none */
} rubric_passage;

typedef struct rubric_doc rubric_doc;

/* Read DATA (the bytes of the file named PATH; PATH's extension picks the
 * reader) into passages. RUBRIC_EINPUT when no reader handles the file or the
 * bytes are not text; *errmsg (caller frees with free()) then says why. */
RUBRIC_API int rubric_doc_read(const char *path, const char *data, size_t len,
                               rubric_doc **out, char **errmsg);
RUBRIC_API void rubric_doc_free(rubric_doc *d);
/* The document's title (owned by the document). */
RUBRIC_API const char *rubric_doc_title(const rubric_doc *d);
RUBRIC_API size_t rubric_doc_count(const rubric_doc *d);
/* Passage I (0-based); owned by the document, valid until rubric_doc_free(). */
RUBRIC_API const rubric_passage *rubric_doc_passage(const rubric_doc *d, size_t i);
/* Nonzero when the source asks not to be indexed (an HTML page with
 * <meta name="robots" content="noindex">); it then has no passages. */
RUBRIC_API int rubric_doc_excluded(const rubric_doc *d);
/* What the reader skipped inside the source (say, malformed JSON lines), one
 * line each, or NULL; owned by the document. */
RUBRIC_API const char *rubric_doc_notes(const rubric_doc *d);
/* Nonzero when some reader handles files named like PATH. */
RUBRIC_API int rubric_doc_supported(const char *path);

/* ------------------------------------------------------------------- index */

typedef struct rubric_index rubric_index;

/* What rubric_index_add_file() did with a file. */
enum {
    RUBRIC_FILE_ADDED,
    RUBRIC_FILE_CHANGED,
    RUBRIC_FILE_UNCHANGED,
    RUBRIC_FILE_EXCLUDED  /* the source asks not to be indexed: it has no passages */
};

/* Flags of rubric_index_open_with(). */
enum {
    RUBRIC_OPEN_REBUILD = 1, /* build a new index beside DIR; commit puts it in
                                DIR's place at one instant and removes the old */
    RUBRIC_OPEN_DRY_RUN = 2  /* change nothing: add_file and remove_missing only
                                say what they would do */
};

/* Open (creating if needed) the index in directory DIR for writing, with
 * language LANG (NULL: the index's own, else "english"). RUBRIC_ELOCKED when
 * another writer holds it. Nothing is visible to readers until commit. */
RUBRIC_API int rubric_index_open(const char *dir, const char *lang, rubric_index **out,
                                 char **errmsg);
/* rubric_index_open() with RUBRIC_OPEN_* FLAGS. */
RUBRIC_API int rubric_index_open_with(const char *dir, const char *lang, int flags,
                                      rubric_index **out, char **errmsg);
/* The revision of the live index (it moves with each commit that changed
 * something). */
RUBRIC_API unsigned long rubric_index_revision(rubric_index *ix);
/* Index the file at PATH (stored as given) unless its content is unchanged.
 * *what (may be NULL) says which; *npassages (may be NULL) counts its passages.
 * RUBRIC_EIO or RUBRIC_EINPUT when it cannot be read or indexed: the message
 * says why, and whatever was indexed for PATH before stays. */
RUBRIC_API int rubric_index_add_file(rubric_index *ix, const char *path, int *what,
                                     size_t *npassages);
/* Called by rubric_index_add_many() for file I, in order, with what
 * rubric_index_add() would have returned and said (rubric_index_errmsg() and
 * rubric_index_notes() are those of file I during the call). A nonzero return
 * stops the run, and rubric_index_add_many() returns that value as it is (as
 * rubric_analyzer_run() does with its callback's). */
typedef int (*rubric_add_fn)(void *ctx, size_t i, int status, int what, size_t npassages);

/* Index N files (RELS may be NULL) on WORKERS threads: the index ends as if
 * each had been given to rubric_index_add() in turn, passages numbered alike.
 * On an index being built afresh (a first build, or RUBRIC_OPEN_REBUILD) the
 * files are cut into WORKERS runs of consecutive files, and each thread reads,
 * analyses and writes its run into a shard of its own; rubric_index_commit()
 * merges the shards in order. Otherwise the threads read, parse and analyse
 * while this one writes. Returns RUBRIC_OK, DONE's nonzero return when DONE
 * stopped the run, or the error that stopped it (out of memory, a shard or a
 * thread that could not be made; then rubric_index_errmsg() says which). */
RUBRIC_API int rubric_index_add_many(rubric_index *ix, const char *const *paths,
                                     const char *const *rels, size_t n, unsigned workers,
                                     rubric_add_fn done, void *ctx);
/* How far the rubric_index_add_many() running on IX has come: the files
 * read, analysed and built (in whatever order the threads take them; an
 * unchanged file counts once looked up), their bytes and their passages.
 * Each call of rubric_index_add_many() starts from zero. The one function of
 * a rubric_index that another thread may call while it runs (to draw a
 * progress line). */
typedef struct rubric_progress {
    size_t files, bytes, passages;
} rubric_progress;
RUBRIC_API void rubric_index_progress(const rubric_index *ix, rubric_progress *out);

/* Like rubric_index_add_file(), with REL the file's address relative to the
 * site root it was found under (for links: the base URL plus REL); NULL
 * means PATH itself. */
RUBRIC_API int rubric_index_add(rubric_index *ix, const char *path, const char *rel, int *what,
                                size_t *npassages);
/* Record the base URL that results' links start with ("" or NULL: none, so
 * links are relative). */
RUBRIC_API int rubric_index_set_base_url(rubric_index *ix, const char *url);
/* Files over this many bytes are not read: rubric_index_add_file() says so
 * (RUBRIC_EINPUT), and what was indexed for them stays. A file's passages are
 * built in memory, at some 30 times its size, so the limit bounds what one
 * file may cost. */
#define RUBRIC_FILE_MAX_DEFAULT ((size_t)32 << 20)
/* Skip files over BYTES from now on (0: RUBRIC_FILE_MAX_DEFAULT). */
RUBRIC_API void rubric_index_set_max_file_size(rubric_index *ix, size_t bytes);
/* With ON zero, passages the readers take for boilerplate are indexed as
 * content (default: on). */
RUBRIC_API void rubric_index_set_boilerplate_detection(rubric_index *ix, int on);
/* Sets of shards: indexes each holding some of the files, searched as one
 * (rubric_db_open() on the set, or rubric_db_open_many()). A file belongs to
 * shard rubric_shard_of(PATH, N) of N, PATH as given to rubric_index_add():
 * a stable hash of it, so every passage of a file and its manifest entry are
 * in one shard. */
#define RUBRIC_SHARDS_MAX 64
RUBRIC_API unsigned rubric_shard_of(const char *path, unsigned n);
/* Make IX shard K of N (K from 0) of the set named SET (NULL or "": none
 * given; a shard keeps the one it has). Recorded at commit; an index with
 * passages that was built as one index, or as another shard or of another
 * set, is refused (RUBRIC_EINVAL, with a message) unless it is being
 * rebuilt. Call it before adding files: a file of another shard is then
 * refused (RUBRIC_EINVAL). */
RUBRIC_API int rubric_index_set_shard(rubric_index *ix, unsigned k, unsigned n, const char *set);
/* A set written as one (rubric-index --shards): a folder holding shard-0 ...
 * shard-(N-1) and the stub XAPIANDB naming them. rubric_set_open() takes the
 * set's lock (RUBRIC_ELOCKED when another writer holds it) and checks N (0:
 * the set's own) against the set's; with RUBRIC_OPEN_REBUILD the new set is
 * written beside it. Each shard is then an index the caller opens at
 * rubric_set_shard_path(), makes shard K (rubric_index_set_shard() with
 * rubric_set_id()), fills and commits. rubric_set_commit() then folds the
 * copies of the set (a new shard leaves its own folding to it), those that
 * lie in different shards among them, writes the stub, and puts a rebuilt
 * set in place of the old at one instant; CHANGED says whether any shard's
 * commit changed something (else a live set is left as it is). */
typedef struct rubric_set rubric_set;
RUBRIC_API int rubric_set_open(const char *dir, unsigned n, int flags, rubric_set **out,
                               char **errmsg);
RUBRIC_API unsigned rubric_set_shards(const rubric_set *s);
RUBRIC_API const char *rubric_set_id(const rubric_set *s);
/* Where shard K is written (malloc'd; NULL when out of memory). */
RUBRIC_API char *rubric_set_shard_path(const rubric_set *s, unsigned k);
RUBRIC_API int rubric_set_commit(rubric_set *s, int changed);
/* Close, releasing the lock; a rebuild not committed is removed. */
RUBRIC_API void rubric_set_close(rubric_set *s);
RUBRIC_API const char *rubric_set_errmsg(const rubric_set *s);
/* Remove every passage of PATH. */
RUBRIC_API int rubric_index_remove_file(rubric_index *ix, const char *path);
/* Remove the files indexed under any of ROOTS (a root, or paths beneath it)
 * that rubric_index_add_file() was not called for since open: files that
 * disappeared, unless rubric_index_keep() was called for them or a folder
 * above them. EACH (may be NULL) is called with each path removed; *removed
 * (may be NULL) counts them. RUBRIC_EINVAL, removing nothing, when a root is
 * empty (it names no path). */
RUBRIC_API int rubric_index_remove_missing(rubric_index *ix, const char *const *roots,
                                           size_t nroots,
                                           void (*each)(void *ctx, const char *path),
                                           void *ctx, size_t *removed);
/* Say that this run indexes the files under ROOT (a file or folder, as it
 * will be walked): recorded with the run, so that a later run giving the
 * same folder spelled another way ("docs", "./docs", "/abs/docs") gets
 * RUBRIC_EINVAL with a message instead of indexing its files a second time
 * under new names. A rebuild forgets the spellings of the index it
 * replaces. */
RUBRIC_API int rubric_index_root(rubric_index *ix, const char *root);
/* Keep what was indexed under PATH (a file, or a folder and everything under
 * it) whatever rubric_index_remove_missing() finds: the caller could not look
 * at it this time (a folder it cannot list, a root unmounted for a moment, a
 * dangling link), which is no sign its files are gone. RUBRIC_EINVAL for an
 * empty PATH. */
RUBRIC_API int rubric_index_keep(rubric_index *ix, const char *path);
/* Number of passages in the index, this run's changes included. */
RUBRIC_API size_t rubric_index_passages(rubric_index *ix);
/* Publish everything done since open (or the last commit), at one instant.
 * Nothing is written when nothing changed. A first build or a rebuild is
 * merged (from its shards, if any) and compacted into one database, then put
 * in place here; after a failed commit it can only be closed. */
RUBRIC_API int rubric_index_commit(rubric_index *ix);
/* Close; changes not committed are discarded. */
RUBRIC_API void rubric_index_close(rubric_index *ix);
/* The last error's message; owned by the index, valid until its next call. */
RUBRIC_API const char *rubric_index_errmsg(const rubric_index *ix);
/* After a successful rubric_index_add_file(): what its reader skipped inside
 * the file (one line each), or NULL. Owned by the index, valid until its next
 * call. */
RUBRIC_API const char *rubric_index_notes(const rubric_index *ix);
/* The index's language; owned by the index. */
RUBRIC_API const char *rubric_index_lang(const rubric_index *ix);

/* ------------------------------------------------------------------ search */

typedef struct rubric_db rubric_db;

/* Open the index in DIR for reading. RUBRIC_ENODB when missing or damaged;
 * *errmsg (caller frees with free()) says why. */
RUBRIC_API int rubric_db_open(const char *dir, rubric_db **out, char **errmsg);
/* Open the N indexes DIRS for reading, searched as one index of all their
 * passages. Each may be an index folder or a set of shards: a sharded
 * folder (rubric-index --shards), or a stub file of "auto PATH" lines (paths
 * relative to the file). They must agree on their language and base URL. */
RUBRIC_API int rubric_db_open_many(const char *const *dirs, size_t n, rubric_db **out,
                                   char **errmsg);
/* How indexes are opened: initialise with rubric_open_opts_init(), then set
 * what you need (the size field lets later versions add options). */
typedef struct rubric_open_opts {
    size_t size;          /* sizeof(rubric_open_opts), set by the initialiser */
    unsigned timeout_ms;  /* a remote shard ("remote HOST:PORT" in a stub) may
                             take this long to connect and to answer each
                             message, then fails naming it (0: 10000; at most
                             RUBRIC_TIMEOUT_MAX_MS) */
    int partial;          /* nonzero: a remote shard that cannot be reached is
                             left out, and the others answer (not all of the
                             index: rubric_db_missing() names what is left out,
                             and results say so); a search that loses one
                             opens the set again without it */
} rubric_open_opts;
#define RUBRIC_TIMEOUT_MAX_MS 600000
RUBRIC_API void rubric_open_opts_init(rubric_open_opts *o);
/* rubric_db_open_many() with OPTS (NULL: the defaults). RUBRIC_EINVAL when
 * they were not initialised or are out of range. */
RUBRIC_API int rubric_db_open_with(const char *const *dirs, size_t n,
                                   const rubric_open_opts *opts, rubric_db **out, char **errmsg);
RUBRIC_API void rubric_db_close(rubric_db *db);
/* Number of passages in the index. */
RUBRIC_API size_t rubric_db_passages(rubric_db *db);
/* The base URL recorded by the indexer ("" when none); owned by the db. */
RUBRIC_API const char *rubric_db_base_url(const rubric_db *db);
/* The revision this handle reads: the number of commits that changed the
 * index, counted across rebuilds. */
RUBRIC_API unsigned long rubric_db_revision(rubric_db *db);
/* When the index last changed, as ISO-8601 UTC ("" when unknown); owned by
 * the db, valid until its next call. */
RUBRIC_API const char *rubric_db_updated(rubric_db *db);
/* An id of the index this handle reads, new each time the index is made or
 * rebuilt ("" when unknown); owned by the db, valid until its next call.
 * With the revision it names what a search reads: an index made anew in
 * the same folder counts its revisions from 1 again. */
RUBRIC_API const char *rubric_db_id(rubric_db *db);
/* Read the newest revision of the index (a reindex, even a rebuild, is then
 * seen). A handle keeps reading the revision it opened until this is called
 * (rubric_search() reopens by itself only when that revision has vanished
 * under it): a long-lived reader calls this now and then, say before each
 * search, which costs little when nothing changed. */
RUBRIC_API int rubric_db_reopen(rubric_db *db);

/* Search with these synonyms from now on: TEXT holds one group per line,
 * members joined by '=' ("UN = United Nations", "US = U.S. = United States");
 * '#' starts a comment line. A member in capitals matches only capitals. NULL
 * removes them. RUBRIC_EINVAL with *errmsg (caller frees) naming the line. */
RUBRIC_API int rubric_db_set_synonyms(rubric_db *db, const char *text, size_t len, char **errmsg);

/* What rubric-index --status shows. */
typedef struct rubric_db_stats {
    unsigned long revision;
    size_t files;             /* files in the manifest */
    size_t passages;
    unsigned long long bytes; /* size of the index on disk */
    size_t folded;            /* passages left out of results as copies of others */
} rubric_db_stats;

/* Count files, passages and bytes (walks the manifest: not for every query);
 * for a set, the totals of its shards, its revision their revisions' sum. */
RUBRIC_API int rubric_db_stats_get(rubric_db *db, rubric_db_stats *out);
/* With rubric_open_opts.partial: how many remote shards are left out, and
 * shard K's name ("HOST:PORT"; NULL past the last), owned by the db and
 * valid until it is reopened. */
RUBRIC_API size_t rubric_db_missing(const rubric_db *db);
RUBRIC_API const char *rubric_db_missing_shard(const rubric_db *db, size_t k);
/* The indexes DB searches as one: 1 for one index, else its shards. */
RUBRIC_API size_t rubric_db_shards(const rubric_db *db);
/* The figures of shard K of DB (0 for one index), and its path into *PATH
 * (may be NULL; owned by the db). RUBRIC_EINVAL past the last. */
RUBRIC_API int rubric_db_shard_stats(rubric_db *db, size_t k, rubric_db_stats *out,
                                     const char **path);
/* The index's analysis language; owned by the db. */
RUBRIC_API const char *rubric_db_lang(const rubric_db *db);

/* Search options. Initialise them with rubric_search_opts_init() (or
 * RUBRIC_SEARCH_OPTS_INIT), then set what you need: the size field lets
 * later versions add options without breaking programs built against this
 * one. A zero field means the default. */
typedef struct rubric_search_opts {
    size_t size;        /* sizeof(rubric_search_opts), set by the initialiser */
    size_t offset;      /* skip this many hits */
    size_t limit;       /* return at most this many (0: 10) */
    int boilerplate;    /* nonzero: include boilerplate passages */
    size_t snippet_len; /* snippet length in bytes (0: 200) */
    const char *base_url; /* links start with this (NULL: the index's own) */
    int no_correction;  /* nonzero: never answer a corrected query instead */
    size_t per_article; /* nonzero: group by article, at most this many passages
                           each; limit and offset then count articles */
    double k1, b;       /* BM25 parameters (0: rubric's defaults), for tuning */
    size_t fragments;   /* nonzero: up to this many fragments per hit, with the
                           source offsets of their matches */
    int explain;        /* nonzero: each hit's score term by term */
    double time_budget; /* seconds the search may spend matching (0: 0.03);
                           past it, the best passages found by then
                           (rubric_results_partial) */
    int prefix;         /* nonzero: search as you type. When the query ends in a
                           plain word (nothing after it, not even a space), that
                           word also matches the words it begins, the index's
                           commonest 50 of them, and it is never corrected */
    /* Filters, each a NULL-terminated list or NULL: passages of one of the
     * pages or folders (ending in '/') in PATHS, as path: reads them; with
     * one of the TAGS; in one of the LANGS. Any of a list, all of the lists.
     * They select and never score, and are never read as query syntax. */
    const char *const *paths;
    const char *const *tags;
    const char *const *langs;
    unsigned facets;    /* RUBRIC_FACET_* or'ed: count the matches by the top
                           folder of their page, their language, their tags
                           (rubric_results_facet) */
} rubric_search_opts;

/* What rubric_search_opts.facets may count matches by. */
enum {
    RUBRIC_FACET_SECTION = 1, /* the first folder of the page's address */
    RUBRIC_FACET_LANG = 2,    /* the language the source gave */
    RUBRIC_FACET_TAG = 4      /* each tag the source gave */
};

/* An initialiser for C (C++ calls rubric_search_opts_init()). */
#define RUBRIC_SEARCH_OPTS_INIT {.size = sizeof(rubric_search_opts)}

/* Reset O to the defaults, its size set. */
RUBRIC_API void rubric_search_opts_init(rubric_search_opts *o);

/* A highlighted range inside a snippet, in bytes. */
typedef struct rubric_span {
    size_t start, len;
} rubric_span;

/* A fragment of a passage around some of its matches. */
typedef struct rubric_fragment {
    const char *text;          /* plain text (not escaped) */
    size_t text_len;
    const rubric_span *spans;  /* the matches inside text */
    size_t nspans;
    int cut_start, cut_end;    /* text precedes / follows it in the passage */
    size_t text_start;         /* where text begins in the passage's text */
    const rubric_span *source; /* each match's byte range in the source file:
                                  exact for plain text; for HTML, Markdown and
                                  JSON Lines counted from the start of the block
                                  (paragraph, item) the match is in */
    size_t nsource;
    const char *link;          /* the passage's url with a text fragment
                                  (#anchor:~:text=...) that scrolls a browser
                                  to the first match */
} rubric_fragment;

/* One term's part of a hit's score (rubric_search_opts.explain). */
typedef struct rubric_contribution {
    const char *word;   /* the query word (its stem for stemmed fields) */
    const char *field;  /* "body", "heading", "trail", "anchor", "term" (stems),
                           "exact", "phrase" (the form typed), "present" (the
                           word is there, in any field), "key" (the heading
                           says just the query), "option", "capitals" */
    unsigned wdf;       /* occurrences in the passage's field */
    size_t df;          /* passages holding the term */
    double scale;       /* what the query scales the term's weight by */
    double weight;      /* BM25 weight times scale */
} rubric_contribution;

/* One ranked passage. Owned by the results, valid until rubric_results_free(). */
typedef struct rubric_hit {
    unsigned rank;             /* 1-based */
    double score;
    const char *path, *anchor, *title;
    const char *const *trail;
    size_t ntrail;
    size_t start, end;         /* byte range in the source file */
    unsigned part;
    int boilerplate;
    rubric_fragment snippet;   /* the text around the best matches: its text
                                  is plain (not escaped), its spans the
                                  matches in order; it has no source offsets
                                  and no link */
    const char *url;           /* a link to the passage: base URL, the page's
                                  address under its root, "#" and the anchor */
    const rubric_fragment *fragments;  /* with rubric_search_opts.fragments: the
                                          best fragments, best first */
    size_t nfragments;
    const rubric_contribution *explain;  /* with rubric_search_opts.explain: the
                                            terms the query weighs that the
                                            passage holds; their weights add
                                            up to score but for a wildcard's
                                            words */
    size_t nexplain;
    double doclen, avlength;   /* with explain: the passage's length in terms,
                                  and the average */
    size_t more_parts;         /* other parts of its section that matched too,
                                  represented by this one (0 with per_article,
                                  whose articles count them in matches): exact
                                  when the total is, else at least this many */
    rubric_fragment title_marked;        /* the title whole, its spans the
                                            query's words in it */
    const rubric_fragment *trail_marked; /* each entry of the trail likewise
                                            (ntrail of them) */
    const char *page;          /* the page's address under its root, as links
                                  and path: filters read it: never a path of
                                  the indexing machine unless it was given so */
} rubric_hit;

typedef struct rubric_results rubric_results;

/* A query longer than this many bytes is refused: it keeps its first 48
 * words, phrases and operators anyway, and reading more is work for nothing. */
#define RUBRIC_QUERY_MAX_BYTES 8192

/* Run QUERY: words (AND, falling back to ranked OR when nothing matches them
 * all), "quoted phrases", and -word exclusions. OPTS may be NULL (defaults).
 * RUBRIC_EINVAL for a query with no searchable words or over
 * RUBRIC_QUERY_MAX_BYTES, or OPTS not initialised; *errmsg (caller frees
 * with free()) says why. */
RUBRIC_API int rubric_search(rubric_db *db, const char *query, size_t len,
                             const rubric_search_opts *opts, rubric_results **out,
                             char **errmsg);
RUBRIC_API void rubric_results_free(rubric_results *r);
/* The number of matching passages (a long section's parts counted once):
 * exact when rubric_results_total_exact() says so (up to a hundred
 * matches, whatever the page asked for), else Xapian's estimate. */
RUBRIC_API size_t rubric_results_total(const rubric_results *r);
RUBRIC_API int rubric_results_total_exact(const rubric_results *r);
/* A corrected query when some words are unknown to the index, else NULL.
 * Owned by the results. */
RUBRIC_API const char *rubric_results_suggestion(const rubric_results *r);
RUBRIC_API size_t rubric_results_count(const rubric_results *r);
/* Nonzero when the query found nothing and the hits answer the suggestion. */
RUBRIC_API int rubric_results_corrected(const rubric_results *r);
/* Nonzero when the time budget stopped the search (the hits are the best of
 * the passages looked at by then, and the total counts only those), or when
 * remote shards were left out (rubric_open_opts.partial): the hits are the
 * best of the shards that answered. */
RUBRIC_API int rubric_results_partial(const rubric_results *r);
/* The name ("HOST:PORT") of remote shard K left out of the search, NULL
 * past the last; owned by the results. */
RUBRIC_API const char *rubric_results_missing_shard(const rubric_results *r, size_t k);
/* "section,lang,tag" (any of them, commas between) into *OUT's
 * RUBRIC_FACET_* bits: RUBRIC_EINVAL when LIST names anything else or
 * nothing. */
RUBRIC_API int rubric_facets_parse(const char *list, unsigned *out);
/* The name of facet WHICH (one RUBRIC_FACET_*), as the list names it; NULL
 * for another value. */
RUBRIC_API const char *rubric_facet_name(unsigned which);

/* One value of a facet and the matching passages that have it. */
typedef struct rubric_facet_value {
    const char *value;
    size_t count;
} rubric_facet_value;

/* With rubric_search_opts.facets: the values of facet WHICH (one
 * RUBRIC_FACET_*) among the matches, the commonest first (at most
 * RUBRIC_FACET_VALUES_MAX), their number in *N; NULL when that facet was
 * not asked for or the index cannot count it (built before facets existed:
 * rubric-index --rebuild writes what they need). Owned by the results. */
#define RUBRIC_FACET_VALUES_MAX 20
RUBRIC_API const rubric_facet_value *rubric_results_facet(const rubric_results *r, unsigned which,
                                                          size_t *n);
/* Nonzero when the counts are of every match (else of the first
 * RUBRIC_FACET_MATCHES_MAX looked at, or of those the time budget allowed). */
#define RUBRIC_FACET_MATCHES_MAX 10000
RUBRIC_API int rubric_results_facets_exact(const rubric_results *r);

/* The seconds the search took, in all. */
RUBRIC_API double rubric_results_seconds(const rubric_results *r);
/* Hit I (0-based), or NULL past the end. */
RUBRIC_API const rubric_hit *rubric_results_hit(const rubric_results *r, size_t i);

/* With rubric_search_opts.per_article: articles in rank order (of their best
 * passage), each with its passages among the hits. Owned by the results. */
typedef struct rubric_article {
    const char *path;     /* the page */
    const char *title;    /* its title (the outermost heading of its passages) */
    size_t matches;       /* its matching passages, all of them */
    const size_t *hits;   /* indexes into the hits, best first */
    size_t nhits;
} rubric_article;

RUBRIC_API size_t rubric_results_article_count(const rubric_results *r);
RUBRIC_API const rubric_article *rubric_results_article(const rubric_results *r, size_t i);

/* The version of the JSON documents rubric writes (their "schema" field):
 * it moves only when a field is renamed or removed, never for one added. */
#define RUBRIC_JSON_SCHEMA 1

/* Flags of rubric_results_json(). */
enum {
    RUBRIC_JSON_COMPACT = 1, /* one line, no indentation */
    RUBRIC_JSON_WEB = 2      /* the document of the HTTP API (README: "HTTP API"),
                                for a site's search: pages by their address
                                under the root, never a file's path; matches
                                in <mark>; the time the search took */
};

/* R as the JSON document of the README's "JSON output" (what rubric-query
 * --json prints): the query, the total, the suggestion, the hits (and the
 * articles, when grouped), the index's revision; with RUBRIC_JSON_WEB, the
 * HTTP API's document instead. Strings are escaped for JSON; what is named
 * _html (and "snippet") is HTML, escaped but for the marks. Caller frees
 * with free(); NULL when out of memory. */
RUBRIC_API char *rubric_results_json(const rubric_results *r, int flags);

/* The snippet of HIT escaped for HTML, matches wrapped in <b>...</b>, with
 * " ..." marks where text was cut. Caller frees with free(); NULL when out of
 * memory. */
RUBRIC_API char *rubric_hit_snippet_html(const rubric_hit *hit);
/* The same for fragment F. */
RUBRIC_API char *rubric_fragment_html(const rubric_fragment *f);

#ifdef __cplusplus
}
#endif

#endif /* RUBRIC_H */
