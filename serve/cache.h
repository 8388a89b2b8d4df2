/* cache.h: answers kept to serve the same search again, for one version of
 * the index (its revision, and when it was written: an index made anew at
 * the same place counts its revisions from 1 again). One cache for the
 * process, under its own lock: the threads that answer share it as they
 * share the query log. */
#ifndef RUBRIC_SERVE_CACHE_H
#define RUBRIC_SERVE_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* What a search found, as the query log and /metrics tell it: kept with
 * the answer so that a repeat is logged and counted like the first. */
typedef struct serve_summary {
    int corrected;
    char suggestion[1024]; /* the query searched when corrected (a query is at
                              most 512 bytes), cut at a character to fit */
    size_t total, hits;
    int total_exact;
    double seconds;        /* the search's own time */
} serve_summary;

/* One answer: its body (malloc'd, BODY_LEN bytes), its type (a static
 * string) and what the search found. */
typedef struct serve_cached {
    char *body;
    size_t body_len;
    const char *content_type;
    serve_summary summary;
} serve_cached;

typedef struct serve_cache serve_cache;

/* FNV-1a over S[0..N), continuing from H (SERVE_HASH_START to begin): the
 * cache's, the entity tags' and the index versions' one hash. */
#define SERVE_HASH_START 14695981039346656037ULL
uint64_t serve_hash(uint64_t h, const void *s, size_t n);

/* A cache of at most MAX_BYTES of answers and keys; NULL when out of memory
 * (the server then answers every search afresh). */
serve_cache *serve_cache_new(size_t max_bytes);
void serve_cache_free(serve_cache *c);

/* A copy of the answer kept for KEY (KEY_LEN bytes, any byte) at VERSION
 * into *OUT (the caller frees OUT->body): 1, or 0 when none is (an answer
 * of another version is dropped then). */
int serve_cache_get(serve_cache *c, const char *key, size_t key_len, uint64_t version,
                    serve_cached *out);

/* Keep a copy of ANSWER for KEY at VERSION, the least recently used
 * answers going to make room; one larger than an eighth of the cache is
 * not kept. */
void serve_cache_put(serve_cache *c, const char *key, size_t key_len, uint64_t version,
                     const serve_cached *answer);

/* The bytes the answers kept hold now, their keys and entries counted:
 * never more than the cache's size. */
size_t serve_cache_bytes(serve_cache *c);

#endif
