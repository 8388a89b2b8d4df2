/* internal.h: rubric's private interfaces, one section per module. */
#ifndef RUBRIC_INTERNAL_H
#define RUBRIC_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "rubric.h"

/* ---- Interface to code in util.c */

/* A growable byte buffer; the data is always NUL-terminated once allocated.
 * Functions return 0, or -1 when out of memory (the buffer is then unchanged). */
typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

int buf_grow(buf *b, size_t extra);
int buf_add(buf *b, const char *s, size_t n);
int buf_adds(buf *b, const char *s);
int buf_addc(buf *b, char c);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* HTML-escape S into B (& < > " '). */
int buf_add_html(buf *b, const char *s, size_t n);
void buf_free(buf *b);
/* Hand the data to the caller (free() it); the buffer is reset. Never NULL
 * unless out of memory. */
char *buf_detach(buf *b);

/* Room for element N (0-based) in the array *ARR of *CAP elements of SIZE
 * bytes: the array doubles (from 8) until it holds N + 1. Returns 0, or -1
 * when out of memory or the size would overflow (*ARR and *CAP are then
 * unchanged). GROW(a, n, cap) is the usual call. */
int grow_array(void *arr, size_t *cap, size_t n, size_t size);
#define GROW(a, n, cap) grow_array(&(a), &(cap), (n), sizeof *(a))

/* ASCII white space, as isspace() in the C locale: ' ', '\t', '\n', '\r',
 * '\f', '\v'. */
int is_ascii_space(char c);
/* White space inside a line: is_ascii_space() but for '\n'. */
int is_line_space(char c);

char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A malloc'd copy of printf-formatted text, or NULL when out of memory. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A malloc'd copy of S with each invalid UTF-8 byte replaced by U+FFFD, so
 * that everything stored and printed (JSON included) is valid UTF-8; its
 * length goes to *outlen when not NULL. NULL when out of memory. */
char *utf8_valid_copy(const char *s, size_t n, size_t *outlen);

/* Remove PATH and everything under it (no error when it does not exist).
 * Returns 0, or -1 with errno set. */
int remove_tree(const char *path);
/* The first entry of the folder PATH for which OURS(name, ARG) is 0,
 * malloc'd, or NULL when there is none; *EMPTY says whether PATH holds
 * anything at all. */
char *dir_foreign_entry(const char *path, int (*ours)(const char *name, int arg), int arg,
                        int *empty);
/* fsync every file under PATH, and PATH itself. Returns 0, or -1 with errno. */
int sync_tree(const char *path);
/* Put the directory FROM at TO, at one instant for anyone opening TO: an
 * atomic exchange where the system has one (FROM then holds what TO held),
 * else two renames. Returns 0, or -1 with errno set. */
int exchange_paths(const char *from, const char *to);

/* A map from 64-bit hashes (of anchors, of slugs) to counts: open addressing,
 * at most half full. Zero-filled is empty; free with hashmap_free(). n is the
 * number of keys. */
typedef struct hashmap {
    uint64_t *keys;  /* 0: a free slot */
    size_t *values;
    size_t cap, n;
} hashmap;

/* The value of KEY, or NULL when absent. The pointer is valid until the next
 * hashmap_at() that adds a key. */
size_t *hashmap_get(const hashmap *m, uint64_t key);
/* The value of KEY, added as 0 when absent; NULL when out of memory (the map
 * is then unchanged). Valid as hashmap_get()'s is. */
size_t *hashmap_at(hashmap *m, uint64_t key);
void hashmap_free(hashmap *m);

/* A set of 64-bit hashes (of paths, of stems): a hashmap whose values go
 * unused. Zero-filled is empty; free with hashset_free(). */
typedef hashmap hashset;

/* Add H; returns 0, or -1 when out of memory (the set is then unchanged). */
int hashset_add(hashset *s, uint64_t h);
int hashset_has(const hashset *s, uint64_t h);
void hashset_free(hashset *s);

/* 64-bit FNV-1a. */
uint64_t hash64(const void *data, size_t n);

/* Read the whole file at PATH, of at most MAX bytes. Returns 0, an errno
 * value, READ_NOT_REGULAR for anything but a regular file (decided from the
 * open descriptor, which never blocks: a FIFO swapped in cannot hang the
 * caller) or READ_TOO_LARGE past MAX; read_file_error() says which. *out is
 * malloc'd and NUL-terminated beyond *len. */
#define READ_NOT_REGULAR (-1)
#define READ_TOO_LARGE (-2)
int read_file(const char *path, size_t max, char **out, size_t *len);
const char *read_file_error(int e);

/* Whether the N bytes at S are one JSON value, by its syntax (checked
 * without allocating anything): when a parser fails on text that is, it ran
 * out of memory. */
int json_valid(const char *s, size_t n);

/* ---- End of interface to code in util.c */

/* ---- Interface to code in analysis.c */

/* Tokens longer than this many bytes are skipped (not indexed, not searched):
 * they are data rather than words, and Xapian's glass backend rejects terms
 * over 245 bytes. */
#define RUBRIC_WORD_MAX 64

/* Append to OUT the slug of TEXT: its words (UAX #29) lowercased, apostrophes
 * dropped, joined by '-'. */
int slugify(const char *text, size_t len, buf *out);

/* ---- End of interface to code in analysis.c */

/* ---- Interface to code in reader.c */

/* The passages read from one source (rubric.h), as the readers fill it. */
struct rubric_doc {
    char *title;
    rubric_passage *passages;
    size_t count, cap;
    char **strings;  /* every string the passages point to, freed together */
    size_t nstrings, capstrings;
    hashmap parts;      /* hash of each anchor used -> its passages so far */
    hashmap suffixes;   /* hash of a slug -> the last "-N" tried after it */
    int excluded;       /* the source asks not to be indexed (noindex) */
    int structure;      /* DOC_STRUCTURE_*: how much of its source's structure it keeps */
    buf notes;          /* why reading failed, or what was skipped: one line each */
};

/* How much structure a reader keeps, most first: of two copies of a text in
 * different files, duplicate folding keeps the one read with more. */
enum {
    DOC_STRUCTURE_HTML,     /* sections at the page's own ids */
    DOC_STRUCTURE_MARKUP,   /* Markdown: headings, links */
    DOC_STRUCTURE_RECORDS,  /* JSON Lines: records with fields */
    DOC_STRUCTURE_TEXT      /* plain text: headings guessed */
};

/* A reader fills D from the source's bytes (NAME: the file name without its
 * extension, a title of last resort). It returns RUBRIC_OK, RUBRIC_ENOMEM, or
 * RUBRIC_EINPUT with the reason in d->notes. Parts it had to skip are noted in
 * d->notes too, with RUBRIC_OK. */
typedef int (*reader_fn)(rubric_doc *d, const char *data, size_t len, const char *name);

/* Keep S (malloc'd) alive as long as the document; returns S, or NULL (and
 * frees S) when out of memory. */
char *doc_keep(rubric_doc *d, char *s);

/* The JSON Lines record a passage comes from: the page it lives on (a path
 * or a URL), its language and its tags (lowercased). The strings are kept by
 * the document already (doc_keep()); passages point to them. */
typedef struct doc_record {
    const char *path, *lang;
    const char *const *tags;
    size_t ntags;
} doc_record;

/* A passage as a reader hands it to doc_add(); zero-fill what is not known. */
typedef struct doc_passage {
    const char *anchor, *title;
    const char *section;       /* rubric_passage.section; NULL: ANCHOR */
    const char *terms;         /* rubric_passage.terms; NULL: none */
    const char *places;        /* rubric_passage.places; NULL: none */
    const char *const *trail;  /* enclosing headings, outermost first */
    size_t ntrail;
    const char *text;          /* TEXT_LEN bytes, not necessarily valid UTF-8 */
    size_t text_len;
    size_t start, end;         /* its byte range in the source */
    int boilerplate;
    const size_t *map;         /* extracted text: NMAP pairs (offset in TEXT,
                                * offset in the source) where its blocks begin */
    size_t nmap;
    const doc_record *record;  /* the record it comes from, or NULL */
} doc_passage;

/* Append passage P; its strings and map are copied (as valid UTF-8), its
 * record's are not (see doc_record). Its part number is the count of earlier
 * passages with the same anchor, so ids never collide. Returns 0 or -1 (out
 * of memory). */
int doc_add(rubric_doc *d, const doc_passage *p);
/* Nonzero when some passage already uses ANCHOR. */
int doc_anchor_taken(const rubric_doc *d, const char *anchor);
/* A unique anchor for the section titled TEXT: its slug, then slug-1, slug-2
 * for repeats (PREFERRED, when given and unused, wins over the slug). Owned
 * by the document; NULL when out of memory. */
const char *doc_unique_anchor(rubric_doc *d, const char *preferred, const char *text, size_t len);

/* ---- End of interface to code in reader.c */

/* ---- Interface to code in outline.c */

/* Passages over this many bytes are split at paragraph boundaries into parts of
 * about RUBRIC_PASSAGE_TARGET bytes: long enough to hold an answer, short
 * enough that BM25's length normalisation compares like with like. */
#define RUBRIC_PASSAGE_MAX 2400
#define RUBRIC_PASSAGE_TARGET 1500

/* Sections from a stream of headings and text blocks (see outline.c). */
typedef struct outline outline;

outline *outline_new(rubric_doc *d);
void outline_free(outline *o);
/* Anchors are ids the source gives, as they are, else empty: for HTML, where
 * a link can only land on an id of the page. */
void outline_page_anchors(outline *o);
/* Start a section at heading TITLE of LEVEL (1 outermost). ID, when not NULL
 * and not yet used, is its anchor; else a slug of the title. */
int outline_heading(outline *o, int level, const char *title, size_t len, const char *id,
                    size_t offset);
/* Add a block of text (valid UTF-8 not required) spanning START..END of the
 * source. ID, when not NULL, is the nearest id at or before the block, used as
 * the anchor of a passage that starts a later part of a section. */
int outline_block(outline *o, const char *text, size_t len, size_t start, size_t end,
                  int boilerplate, const char *id);
/* Note TEXT (LEN bytes), the block just added, as a term that a definition
 * list defines (rubric_passage.terms). */
int outline_term(outline *o, const char *text, size_t len);
/* Note IDS (LEN bytes, one a line) as places of the passage being built, or
 * of the next one when none is (rubric_passage.places). Returns 0 or -1. */
int outline_places(outline *o, const char *ids, size_t len);
/* Close the last section. */
int outline_finish(outline *o, size_t offset);
/* The passages come from RECORD (kept by the caller while the outline adds
 * passages): they carry its page, language and tags, and a heading's ID is
 * its anchor even when another record's passages use it. */
void outline_record(outline *o, const doc_record *record);
/* Before the first section: TITLE (owned by the document) stands above
 * every heading, in every trail; called again, the next title stands below. */
int outline_root(outline *o, const char *title);

/* Where to cut the LEN bytes of TEXT, a block too long for one passage, for
 * a first part of about WANT bytes (WANT < LEN): just after the first sentence
 * end (". ", "! ", "? ") from WANT on, before WANT + REACH; else at the last
 * byte in (WANT / 2, WANT] for which GAP holds (white space); else at the
 * start of the character holding byte WANT. Shared by the plain-text reader
 * and the outline, so that both cut alike. */
size_t passage_cut(const char *text, size_t len, size_t want, size_t reach,
                   int (*gap)(char));

/* ---- End of interface to code in outline.c */

/* ---- Interface to code in html_guard.c */

/* An element keeps its first HTML_ATTRIBUTES_MAX attributes: libxml2 checks
 * each new attribute against all the earlier ones of its element, so a flood
 * of them on one element costs quadratic time (a million took longer than
 * twenty minutes), and no page needs more for its text or its ids. */
#define HTML_ATTRIBUTES_MAX 256

/* DATA (LEN bytes) with the attributes past the HTML_ATTRIBUTES_MAX-th of
 * each element, and the internal subset of an XHTML DOCTYPE, blanked with
 * spaces (every byte keeps its offset), malloc'd; NULL when nothing needed
 * it, or (*FAILED) when out of memory. *FLOODED counts the elements cut. */
char *html_guard(const char *data, size_t len, size_t *flooded, int *failed);

/* ---- End of interface to code in html_guard.c */

/* ---- Interface to code in reader_text.c, reader_html.c, reader_md.c and reader_jsonl.c */

/* The readers, each a reader_fn (see reader.c). */

/* Read a plain-text article; NAME titles it when its first line cannot. */
int read_text(rubric_doc *d, const char *data, size_t len, const char *name);
/* Read an HTML page. */
int read_html(rubric_doc *d, const char *data, size_t len, const char *name);
/* Read a Markdown article (md4c); front matter's title:, else the first h1, titles it. */
int read_markdown(rubric_doc *d, const char *data, size_t len, const char *name);
/* Read JSON Lines: one record (a page or a section) per line. */
int read_jsonl(rubric_doc *d, const char *data, size_t len, const char *name);

/* ---- End of interface to code in reader_text.c, reader_html.c, reader_md.c and reader_jsonl.c */

/* ---- Interface to code in layout.c */

/* The index format; layout.c's opening comment describes it whole. */

struct xs_db;
struct xs_doc;

/* Term prefixes. */
#define PREFIX_STEM "Z"
#define PREFIX_HEAD "S"
#define PREFIX_TRAIL "T"
#define PREFIX_ANCHOR "A"
#define PREFIX_TERM "D"
#define PREFIX_OPTION "O"
/* The longest option an O term holds, dashes included. */
#define OPTION_MAX 64
#define PREFIX_PRESENT "Y"
/* The wdf of a presence term: BM25 saturates a high wdf, so the term weighs
 * nearly the same in a passage of any length (8: within 2% from half the
 * average length to twice it; with 1, a passage five times the average
 * length lost a quarter of its share to short ones, and git-docs' section
 * MRR@10 fell from 0.61 to 0.58). The passage's length counts it too. */
#define PRESENCE_WDF 8
#define PREFIX_CAPS "C"
#define PREFIX_ID "Q"
#define PREFIX_FILE "P"
#define PREFIX_REL "R"
#define PREFIX_TAG "K"
#define PREFIX_LANG "L"
/* The term on boilerplate passages. */
#define TERM_BOILERPLATE "XB"
#define TERM_FOLDED "XD"
#define PREFIX_SAMPLE "XF"
#define PREFIX_HEADING_PRINT "XH"
#define PREFIX_HEADING_KEY "XE"
/* Metadata keys; META_FILE is followed by the file's path. */
#define META_BASE_URL "rubric:base_url"
#define META_UPDATED "rubric:updated"
#define META_REVISION "rubric:revision"
#define META_LANG "rubric:lang"
#define META_FILE "rubric:file:"
#define META_ROOTS "rubric:roots"
#define META_FACETS "rubric:facets"
#define META_PRESENCE "rubric:presence"
#define META_HITS "rubric:hits"
#define META_SHARD "rubric:shard"
#define META_SET "rubric:set"
#define LAYOUT_ROOTS_MAX 64

/* The roots recorded (rubric:roots): *N pairs (path as given, real path) in
 * *PAIRS, 2 * *N strings (caller frees each, and the array). */
int layout_roots_get(struct xs_db *db, char ***pairs, size_t *n);
/* Record N pairs of PAIRS (at most LAYOUT_ROOTS_MAX) as the roots. */
int layout_roots_put(struct xs_db *db, char *const *pairs, size_t n);

/* The term (or metadata key) PREFIX + PATH, or its hashed form when too long,
 * into OUT (emptied first). 0, or -1 when out of memory. */
int layout_file_term(const char *prefix, const char *path, buf *out);

/* The digits of each count in a passage's fold key (XS_SLOT_FOLD): its
 * structure (one digit), its section's parts, its source's passages, then
 * its page. */
#define LAYOUT_FOLD_COUNT_DIGITS 10
/* The digits of a passage's start in its order key (XS_SLOT_ORDER). */
#define LAYOUT_ORDER_DIGITS 12
/* The levels of sampling: a passage is sampled more densely the shorter it
 * is (layout.c). A sample at level L is one that every passage sampled at
 * level L or finer holds wherever its shingle occurs. */
#define LAYOUT_SAMPLE_LEVELS 3
/* The level of sample term TERM (LEN bytes: PREFIX_SAMPLE, hex digits): the
 * coarsest, 0 to LAYOUT_SAMPLE_LEVELS - 1, at which it is sampled. */
int layout_sample_level(const char *term, size_t len);

/* A heading's key (XE): the words it says, in any order and each once,
 * without function words and without its outline number ("4.1"), so that a
 * query of just those words can be told it names the section. At most
 * LAYOUT_KEY_WORDS words: a longer heading has no key. Zero-filled is
 * empty. */
#define LAYOUT_KEY_WORDS 12
typedef struct layout_key {
    uint64_t word[LAYOUT_KEY_WORDS]; /* hashes of the stems, distinct */
    size_t n;
    int over;                        /* more words than LAYOUT_KEY_WORDS */
} layout_key;
/* Add the stem S (N bytes) to K. */
void layout_key_add(layout_key *k, const char *s, size_t n);
/* The length of the option name that S[0..N) begins with: its letters,
 * digits, '_' and '-' (ASCII), at most OPTION_MAX less its DASHES. */
size_t layout_option_len(const char *s, size_t n, size_t dashes);
/* K's term (PREFIX_HEADING_KEY and 12 hex digits) into OUT (emptied first):
 * 1, 0 when K has none (no words, or too many), -1 when out of memory. */
int layout_key_term(const layout_key *k, buf *out);

/* A source file as its passages' documents record it. */
typedef struct layout_source {
    const char *path;      /* the file as given to the indexer */
    const char *rel;       /* its address for links */
    const char *fileterm;  /* its P term */
    int structure;         /* DOC_STRUCTURE_* of the reader that read it */
    size_t passages;       /* how many passages it has */
    size_t section_parts;  /* how many parts the passage's section has */
} layout_source;

/* The document of passage P of the file SRC, analysed by AN, into *OUT
 * (caller frees with xs_doc_free()), and its id term into ID. Touches no
 * database, so threads can build documents side by side. RUBRIC_OK or
 * RUBRIC_ENOMEM. */
int layout_passage_doc(rubric_analyzer *an, const layout_source *src, const rubric_passage *p,
                       struct xs_doc **out, buf *id);

/* A passage's data, decoded. Strings are "" when absent; all of it is owned
 * by the struct, valid until layout_passage_clear(). */
typedef struct layout_passage {
    const char *path, *rel, *source;  /* source: "" unless the page is not the file */
    const char *anchor, *title;
    const char *section;              /* its section's anchor: ANCHOR unless a
                                         later part links elsewhere */
    const char **trail;               /* NULL-terminated */
    size_t ntrail;
    const char *text;
    size_t text_len;
    size_t start, end;
    unsigned part;
    int boilerplate;
    const char **tags;                /* NULL-terminated */
    size_t ntags;
    const char *lang;
    size_t *map;                      /* NMAP pairs (text offset, source offset), or NULL */
    size_t nmap;
    void *record;                     /* the parsed data the strings point into */
} layout_passage;

/* Decode the LEN bytes of passage data DATA into *OUT (clear it with
 * layout_passage_clear(), also on failure). RUBRIC_OK, RUBRIC_ENODB when DATA
 * is not JSON (damaged), or RUBRIC_ENOMEM. */
int layout_passage_decode(const char *data, size_t len, layout_passage *out);
/* Free what P holds and zero it; a zeroed P is fine. */
void layout_passage_clear(layout_passage *p);
/* The source offset of byte X of P's text, through its map. */
size_t layout_source_offset(const layout_passage *p, size_t x);

/* A file's manifest entry. */
typedef struct layout_manifest_entry {
    long long size, mtime, mtime_ns, passages;
    char hash[17];  /* 16 hex digits and a NUL */
} layout_manifest_entry;

/* Read PATH's entry from DB into *OUT: 1 when there is one, else 0. */
int layout_manifest_get(struct xs_db *db, const char *path, layout_manifest_entry *out);
/* Write PATH's entry E to DB. RUBRIC_OK or an error status. */
int layout_manifest_put(struct xs_db *db, const char *path, const layout_manifest_entry *e);
/* Remove PATH's entry from DB. */
int layout_manifest_remove(struct xs_db *db, const char *path);
/* Call FN with the path of each file in DB's manifest. A nonzero return stops
 * the walk and is returned; else RUBRIC_OK or an error status. */
int layout_manifest_each(struct xs_db *db, int (*fn)(void *ctx, const char *path), void *ctx);

/* The revision of the index DB: the commits that changed it, counted across
 * rebuilds. */
unsigned long layout_revision(struct xs_db *db);
/* Has DB recorded a revision (committed by rubric at least once)? */
int layout_committed(struct xs_db *db);
/* Record in DB that it now stands at REVISION, updated now. */
int layout_stamp(struct xs_db *db, unsigned long revision);

/* ---- End of interface to code in layout.c */

/* ---- Interface to code in fold.c */

/* Duplicate folding; fold.c's opening comment gives the rule. */

/* The sample terms a run's changes touched: of the passages it added and of
 * those it deleted. */
typedef struct fold_set {
    hashmap seen;    /* hash of a term -> 1 + its index in terms */
    char **terms;
    size_t *added;   /* per term: the passages added that hold it */
    size_t n, cap, capadded;
} fold_set;

/* Note the sample terms of DOC, about to be written. */
int fold_note_doc(fold_set *s, const struct xs_doc *doc);
/* Note the sample terms of the passages of FILETERM in DB, about to be deleted. */
int fold_note_file(fold_set *s, struct xs_db *db, const char *fileterm);
void fold_set_free(fold_set *s);
/* Fold or unfold each passage of DB that shares a sample term with TOUCHED
 * (NULL: every passage). RUBRIC_OK or an error status. */
int fold_run(struct xs_db *db, const fold_set *touched);

/* ---- End of interface to code in fold.c */

/* ---- Interface to code in index.c */

/* A write handle (rubric.h); its body is shared by the index*.c files. */
struct rubric_index {
    struct xs_db *db;      /* where this run writes */
    struct xs_db *live;    /* a rebuild: the live index, held for its lock */
    char *dir;             /* the index as readers name it */
    char *fresh;           /* a rebuild: where the new index is built */
    int dry_run;
    int dirty;             /* something changed since the last commit */
    rubric_analyzer *an;
    buf err;
    buf notes;             /* what the last file's reader skipped */
    int plain;             /* boilerplate detection off */
    hashset seen;          /* the paths given to add_file since open */
    size_t max_file_size;  /* files over this many bytes are skipped */
    char **roots;          /* pairs (root as given, real path): this run's
                              first, then those recorded before */
    size_t nroots, caproots;
    int roots_loaded, roots_changed;
    char **kept;           /* paths (files or folders) rubric_index_keep() keeps */
    size_t nkept, capkept;
    struct xs_db **shards; /* a fresh build on threads: its shards, in file order */
    size_t nshards, capshards;
    size_t part_passages;  /* passages a shard holds before its thread starts
                              another (0: PART_PASSAGES, index_pool.c) */
    int broken;            /* a shard could not be made or written, or a run
                              got no thread: the build is not published */
    fold_set touched;      /* the sample terms this run's changes touched */
    unsigned shard_k, shard_n; /* a shard: its place in its set (n 0: none) */
    int in_set;            /* a shard of a set written as one: its build leaves
                              the folding to the set's (rubric_set_commit) */
    /* rubric_index_progress(): files built by the threads of add_many */
    atomic_size_t built_files, built_bytes, built_passages;
};

/* Make MSG (malloc'd, taken; NULL: out of memory) IX's message; returns CODE.
 * index_error() formats the message as printf does, whatever its length. */
int index_fail(rubric_index *ix, int code, char *msg);
#define index_error(ix, code, ...) index_fail((ix), (code), xasprintf(__VA_ARGS__))

/* A commit that failed part-way may have closed the database: then only
 * rubric_index_close() is left to call. */
#define INDEX_NEED_DB(ix)                                                                  \
    do {                                                                                   \
        if (!(ix)->db)                                                                     \
            return index_error((ix), RUBRIC_ENODB, "the index was closed by a failed commit"); \
    } while (0)

/* Shard K of a fresh build, under its scratch directory (malloc'd; NULL when
 * out of memory). */
char *index_shard_path(const rubric_index *ix, size_t k);

/* ---- End of interface to code in index.c */

/* ---- Interface to code in index_file.c */

/* One file on its way into the index: looked up in the manifest (stage 1,
 * the writer's thread), read, parsed and turned into documents (stage 2, any
 * thread), written (stage 3, the writer's thread). */
typedef struct job {
    char *path, *rel;
    layout_manifest_entry old, now;
    int known;
    int done;          /* stage 1 settled it: unchanged, or an error */
    int rc;            /* its status, once settled */
    char *msg;         /* the error's message (stages 1 and 2) */
    int touch;         /* content unchanged: only its times are recorded */
    int what, excluded;
    char *notes;
    char *fileterm;
    struct xs_doc **docs; /* its passages' documents, and their id terms */
    char **ids;
    size_t n;
    int written;       /* the documents went to a shard already (and are freed) */
    size_t max;        /* the most bytes the file may hold */
    rubric_doc *doc;   /* its passages, while documents remain to be built */
    size_t total;      /* passages in all */
    size_t next;       /* the first passage whose document is not built yet */
    size_t run_end, run_parts; /* the run of passages of one section at next */
    int plain_only;    /* boilerplate detection off */
} job;

/* A file's documents are built and written JOB_BATCH passages at a time: what
 * a file costs in memory is then its passages' text and one batch, not a
 * Xapian document for every passage at once (some 30 times the file). */
#define JOB_BATCH 256

/* Count J, built, in IX's progress (any thread). */
void job_count_built(rubric_index *ix, const job *j);

/* Look PATH up: new, changed, or unchanged by size and time? Remembers PATH
 * as given since open. REL: its address (NULL: PATH). Writer's thread only. */
void job_lookup(rubric_index *ix, job *j, const char *path, const char *rel);
/* Read, hash, parse and build J's documents with analyzer AN (PLAIN_ONLY:
 * boilerplate detection off; DRY_RUN: read only). Any thread. */
void job_build(rubric_analyzer *an, int plain_only, int dry_run, job *j);
/* Write what job_build() built, and J's manifest entry. Writer's thread. */
int job_write(rubric_index *ix, job *j);
/* Free the batch of documents written and build J's next one with AN: 1 when
 * there is one, 0 when all are built, -1 when out of memory (J then failed). */
int job_next_batch(rubric_analyzer *an, job *j);
/* What J's outcome RC says of the file, as rubric_index_add() reports it. */
void job_outcome(const job *j, int rc, int *what, size_t *npassages);
/* Settle J as failed with status RC and message MSG (malloc'd, taken). */
int job_fail(job *j, int rc, char *msg);
/* Free J's documents and id terms (the count stays). */
void job_free_docs(job *j);
/* Free all J holds and zero it. */
void job_clear(job *j);

/* Record what rubric_index_root() was given, with the roots recorded before,
 * in the index (part of the run's commit). */
int index_record_roots(rubric_index *ix);

/* ---- End of interface to code in index_file.c */

/* ---- Interface to code in index_pool.c */

/* Defines rubric_index_add_many() (rubric.h) and nothing else. */

/* ---- End of interface to code in index_pool.c */

struct xs_db;
struct xs_query;
struct xs_mset;

/* ---- Interface to code in synonyms.c */

/* A synonym group has at most SYNONYM_GROUP_MAX members (a longer line is an
 * error naming it), and one query expands into at most SYNONYM_EXPANSIONS_MAX
 * members in all (further words are searched as typed): each member is a
 * word or phrase searched in every field, and a query of forty words of one
 * large group cost seconds. */
#define SYNONYM_GROUP_MAX 32
#define SYNONYM_EXPANSIONS_MAX 96

typedef struct synonyms synonyms;

/* Read a synonyms file's TEXT (one group per line, members joined by '=').
 * RUBRIC_EINVAL with *errmsg (caller frees) naming the line when malformed. */
int synonyms_parse(rubric_analyzer *an, const char *text, size_t len, synonyms **out,
                   char **errmsg);
void synonyms_free(synonyms *s);
/* The group (1-based) holding a member equal to the N folded WORDS typed as
 * RAW, or 0. */
size_t synonyms_find(const synonyms *s, char *const *words, size_t n, const char *raw,
                     size_t rawlen);
/* The most words any member has. */
size_t synonyms_longest(const synonyms *s);
/* The members of GROUP, and member K's words (exact forms; *stems their stems;
 * *caps nonzero for an acronym). */
size_t synonyms_members(const synonyms *s, size_t group);
char *const *synonyms_member(const synonyms *s, size_t group, size_t k, char *const **stems,
                             size_t *n, int *caps);

/* ---- End of interface to code in synonyms.c */

/* ---- Interface to code in markup_inline.c */

/* A markup source's text as its rendering shows it, and where it came from. */
typedef struct markup_text {
    buf text;
    size_t *map;         /* NMAP pairs (offset in text, offset in the source)
                            where each run of kept bytes begins */
    size_t nmap, capmap;
    size_t next_source;  /* the source offset right after the last byte kept */
} markup_text;

/* Read the inline markup of S[0..N), found at offset BASE of its source
 * (reStructuredText's roles, interpreted text, literals, directive and field
 * markers; backquoted code spans), into O, which is reset first and reused:
 * see markup_inline.c. 0, or -1 when out of memory. */
int markup_inline(const char *s, size_t n, size_t base, markup_text *o);
void markup_text_free(markup_text *o);

/* ---- End of interface to code in markup_inline.c */

/* ---- Interface to code in function_words.c */

/* Is WORD (an exact form, folded) a function word of LANG (a libstemmer
 * name): a "the", a "how", a "my"? Only English has a list. */
int function_word(const char *lang, const char *word);

/* ---- End of interface to code in function_words.c */

/* ---- Interface to code in query.c */

/* Limits: a query keeps its first QUERY_MAX_NODES words, phrases and
 * operators (Xapian's cost grows with every term, and a pasted page is no
 * better a query than its first sentences); a phrase its first QNODE_WORDS
 * words; a wildcard may match at most WILDCARD_MAX words, else the query is
 * an error that says so (an unbounded expansion is a slow query). */
#define QUERY_MAX_NODES 48
#define QNODE_KIDS QUERY_MAX_NODES
#define QNODE_WORDS 16
#define QNODE_PARTS 8
#define WILDCARD_MAX 500
/* The last word typed, searched as a prefix too (rubric_search_opts.prefix),
 * expands to at most this many of the index's words beginning so, the
 * commonest: a short beginning is never an error, only a bounded OR. */
#define PREFIX_EXPANSION_MAX 50
/* A structured filter (rubric_search_opts.paths, tags, langs) takes its first
 * this many values: more is a list nobody chose from. */
#define FILTER_VALUES_MAX 32

enum { QN_LEAF, QN_AND, QN_OR, QN_NEAR };
enum { F_ANY, F_TITLE, F_PATH, F_LANG, F_TAG };

typedef struct qnode {
    int op;           /* QN_* */
    int neg;          /* excluded: -x, NOT x */
    int implicit;     /* QN_AND of words side by side (no AND written) */
    unsigned window;  /* QN_NEAR: words apart at most */
    struct qnode *kid[QNODE_KIDS];
    size_t nkids;
    /* Leaves: */
    int field, exact, wild, phrase;
    int in_near;      /* a word of a NEAR: searched by its exact form */
    unsigned slop;    /* "a b"~N */
    char *value;      /* filters: the value as written */
    char *option;     /* a word typed as a command-line option ("--onto",
                         "-W"): its dashes and name as typed, else NULL */
    size_t nwords;
    char *word[QNODE_WORDS];  /* exact forms */
    char *stem[QNODE_WORDS];
    size_t wstart[QNODE_WORDS], wend[QNODE_WORDS];  /* in the query text */
    size_t nparts;    /* one dotted name (os.path.join), or one token made a
                         phrase (focus-in-event), unquoted: its last parts */
    char *part[QNODE_PARTS], *part_stem[QNODE_PARTS];
    unsigned char part_function[QNODE_PARTS]; /* that part is a function word */
    int function;     /* one word, a function word of the language (a "how"),
                         in a query that looks for other words as well */
    int prefix;       /* the last word, still being typed: it matches the words
                         it begins too (qtree_mark_prefix) */
} qnode;

typedef struct qtree {
    const char *text;  /* the query as typed (for synonyms written in capitals) */
    qnode nodes[QUERY_MAX_NODES];
    size_t n;
    qnode *root;
    int has_positive;  /* something to look for, not only exclusions */
    layout_key key;    /* the heading key of the words looked for, when the
                          query is words and phrases side by side (else
                          empty) */
    int truncated;     /* the query was longer than the limits */
    int failed;
} qtree;

/* Parse S (never a syntax error: invalid syntax reads as plain words).
 * RUBRIC_OK or RUBRIC_ENOMEM; free with qtree_free(). */
int qtree_parse(rubric_analyzer *an, const char *s, size_t len, qtree *q);
/* The same, a '-' before a word being part of it (a command's option, as
 * in "-bvs"), never an exclusion. */
int qtree_parse_options(rubric_analyzer *an, const char *s, size_t len, qtree *q);
void qtree_free(qtree *q);
/* Q as text, for tests: WORDS(a b) for words side by side, AND(...), OR(...),
 * NEAR/n(...), "phrases"~n, -excluded, =exact, prefix*, field:value.
 * Caller frees; NULL when out of memory. */
char *qtree_describe(const qtree *q);
/* For search as you type: when the query TEXT of LEN bytes (parsed into Q)
 * ends in a plain word, nothing after it, mark that word a prefix. */
void qtree_mark_prefix(qtree *q, size_t len);
/* Is N a filter (path:, lang:, tag:, or an OR of them), which selects rather
 * than matches? */
int qnode_is_filter(const qnode *n);
/* Call FN for each word Q looks for (leaf, index of the word in it). */
void qtree_words(const qtree *q, void (*fn)(void *ctx, const qnode *leaf, size_t k), void *ctx);

/* How a query word is searched: as a plain word (stem in every field, exact
 * form a little more), by its exact form (=word), in headings (title:), by
 * position (phrases, NEAR), or otherwise (wildcards). */
enum { W_PLAIN, W_EXACT, W_TITLE, W_POSITIONAL, W_OTHER };

/* A word a query looks for, flattened out of the tree: for snippets,
 * spelling and explain. Strings belong to the tree. */
typedef struct qword {
    const char *word, *stem;
    size_t start, end;  /* in the query text */
    int mode;           /* W_* */
    int function;       /* a function word beside other words (qnode.function) */
    int prefix;         /* it matches the words it begins too (qnode.prefix) */
} qword;

typedef struct qwords {
    qword w[QUERY_MAX_NODES * 2];
    size_t n;
} qwords;

/* The distinct (stem, mode) words of Q, in the order of the tree, into OUT. */
void qwords_collect(const qtree *q, qwords *out);

/* ---- End of interface to code in query.c */

/* ---- Interface to code in query_build.c */

/* The fields a plain word is searched in, each a kind of term of the index,
 * and the scale of a match there beside a match in the body: a heading
 * counts double, the trail of headings above a passage half as much again,
 * and the exact form typed a little on top of its stem (so that the form
 * typed outranks its relatives). The query builder and explain both read
 * this table, by FIELD_* name. */
typedef struct field {
    const char *name;    /* as explain names it */
    const char *prefix;  /* of the field's terms (PREFIX_*; "" for exact forms) */
    double scale;
    int exact;           /* its terms are exact forms, not stems */
    int skip_common;     /* left out for a word in most bodies (a "the"): a
                            short heading would make it look rare */
} field;

enum { FIELD_BODY, FIELD_HEADING, FIELD_TRAIL, FIELD_EXACT, FIELD_ANCHOR, FIELD_TERM, FIELD_COUNT };
extern const field query_fields[FIELD_COUNT];
/* A word in more than this share of the passages (a "the", an "and") does not
 * have to match when the query has rarer words, and counts in bodies only. */
#define COMMON_WORD_SHARE 0.5

/* The Xapian query for Q: its words side by side ANDed, or with RANKED_OR a
 * ranked OR carried by the rarer words (PRESENCE: the index's passages have
 * presence terms, rubric:presence); boilerplate left out unless
 * O->boilerplate; O's filters (paths, tags, langs) applied. NULL when out
 * of memory. */
struct xs_query *qtree_build(struct xs_db *db, const qtree *q, int ranked_or, int presence,
                             const rubric_search_opts *o, const synonyms *syn);
/* Nonzero when Q is words side by side (two or more, with no operator
 * between them), or one word with parts (a dotted name, a token made a
 * phrase): what the ranked OR answers. */
int qtree_words_side_by_side(const qtree *q);
/* Is STEM in the bodies of more than COMMON_WORD_SHARE of DB's passages (a
 * "the", a "for")? Such a word is not required and counts in bodies only. */
int query_common_word(struct xs_db *db, const char *stem);

/* ---- End of interface to code in query_build.c */


/* ---- Interface to code in db.c */

/* The read handle; rubric.h says how it may be shared. */
struct rubric_db {
    struct xs_db *db;
    rubric_analyzer *an;  /* the index's language, for queries and snippets */
    char *dir;
    char *base_url;
    char *updated;        /* what rubric_db_updated() last returned */
    char id[40];          /* what rubric_db_id() last returned (XS_UUID_SIZE) */
    synonyms *syn;
};

/* ---- End of interface to code in db.c */

/* ---- Interface to code in spell.c */

/* QUERY (TEXT, LEN) with each word the index does not know (or knows in at
 * most two passages, when a far more frequent word is close) replaced by the
 * index's closest word, or NULL when nothing is replaced (or memory ran out).
 * Function words and wildcards are never replaced, nor the words of a phrase
 * when the query FOUND passages. Caller frees. */
char *spell_suggest(rubric_db *db, const qwords *words, const char *text, size_t len, int found);

/* ---- End of interface to code in spell.c */

/* ---- Interface to code in snippet.c */

/* Fill H's snippet (a window of about WANT bytes of P's text holding the most
 * distinct words of Q) and, when NFRAGMENTS, up to that many fragments, best
 * first, with their source offsets (through P's map) and links (from
 * H->url). Match spans are sorted, disjoint and inside their window. What is
 * filled belongs to H. Returns 0, or -1 when out of memory. */
int snippet_fill(rubric_analyzer *an, const qwords *q, const layout_passage *p, size_t want,
                 size_t nfragments, rubric_hit *h);
/* F as HTML: its text escaped, each match between OPEN and CLOSE, CUT (and a
 * space) where text was cut. NULL when out of memory. Caller frees. */
char *fragment_html(const rubric_fragment *f, const char *open, const char *close,
                    const char *cut);

/* ---- End of interface to code in snippet.c */

/* ---- Interface to code in link.c */

/* The parts of a URL that url_encode() writes: a path (a file's), a URL
 * given whole (a JSON Lines record's url: its query and fragment stay), a
 * fragment (the anchor), or the words of a text directive (#:~:text=). */
enum { URL_PATH, URL_GIVEN, URL_FRAGMENT, URL_TEXT };
/* Append N bytes of S to B, each byte that may not stand as it is in PART
 * (URL_*) percent-encoded. Returns 0, or -1 when out of memory. */
int url_encode(buf *b, const char *s, size_t n, int part);
/* BASE + REL + "#" + ANCHOR (REL alone when it is a URL already), encoded;
 * NULL when out of memory. Caller frees. */
char *link_url(const char *base, const char *rel, const char *anchor);
/* URL + ":~:text=" + the words of F from its first match: a link that
 * scrolls a browser to them. NULL when out of memory. Caller frees. */
char *link_text(const char *url, const rubric_fragment *f);

/* ---- End of interface to code in link.c */

/* ---- Interface to code in explain.c */

/* Fill H's explanation: each term the query of MS weighs that document
 * DOCID holds (a phrase's or a NEAR's where it matches), with its BM25
 * weight (parameters K1, B) times the scale the query gave it; a heading
 * key named by Q's words. Returns a rubric status: RUBRIC_ENOMEM, or the
 * index's error (xs_db_errmsg()) when it cannot be asked. */
int explain_hit(rubric_db *db, const struct xs_mset *ms, const qwords *q, double k1, double b,
                unsigned docid, rubric_hit *h);

/* ---- End of interface to code in explain.c */

/* ---- Interface to code in search.c */

struct rubric_results {
    char *query;           /* the query as given */
    unsigned long revision; /* the revision of the index that answered */
    char *updated;         /* when that index last changed */
    int corrected;         /* the hits answer the suggestion, not the query */
    int grouped;           /* searched with per_article */
    int partial;           /* the time budget stopped the search, or shards
                              were left out */
    char **missing;        /* the remote shards left out (HOST:PORT) */
    size_t nmissing;
    rubric_article *articles;
    size_t narticles;
    size_t *article_hits;  /* the hits of every article, back to back */
    rubric_hit *hits;
    size_t n;
    size_t total;
    int total_exact;       /* total is the exact number of matching passages */
    char *suggestion;
    layout_passage *docs;  /* each hit's decoded data record, which the hit's
                              strings and trail point into; what else a hit
                              points to is its own, freed with it */
    size_t offset, limit;  /* what was asked: hits, or pages when grouped */
    char *base_url;        /* what the links start with */
    rubric_facet_value *facets[3]; /* by RUBRIC_FACET_* bit: NULL when not counted */
    char *facet_strings[3];        /* the values of each, back to back */
    size_t nfacets[3];
    int facets_exact;
    unsigned facets_asked;         /* rubric_search_opts.facets */
    double seconds;        /* what the search took */
};

/* ---- End of interface to code in search.c */

/* ---- Interface to code in group.c */

/* Group R's hits by page (the source and the page within it), in the order
 * of each page's best hit; keep the pages from OFFSET, at most LIMIT, and
 * their hits. M's collapse counts give each page's other matches. Returns 0,
 * or -1 when out of memory. */
int group_by_page(rubric_results *r, const struct xs_mset *m, size_t offset, size_t limit);

/* ---- End of interface to code in group.c */

/* ---- json.c defines only rubric_results_json() of rubric.h */

#endif
