/* cache.c: answers kept for a repeat of the same search (cache.h).
 *
 * A hash table of entries chained by bucket, and one list of them from the
 * most recently used to the least: a lookup moves its entry to the front,
 * and room is made from the back. An entry holds the version of the index
 * it answered for; one asked for at another version is stale and dropped,
 * so a reindex needs no other signal. Every call takes the one lock, held
 * only to copy an answer in or out.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

/* Buckets of the table: a power of two, about the answers a cache of the
 * default size holds. */
#define CACHE_BUCKETS 4096

typedef struct entry {
    struct entry *chain;        /* the next in its bucket */
    struct entry *newer, *older;
    uint64_t hash;
    uint64_t version;
    char *key;
    size_t key_len;
    serve_cached answer;
    size_t cost;                /* bytes it holds, itself included */
} entry;

struct serve_cache {
    pthread_mutex_t lock;
    entry *buckets[CACHE_BUCKETS];
    entry *newest, *oldest;
    size_t bytes, max_bytes;
};

uint64_t serve_hash(uint64_t h, const void *s, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

serve_cache *serve_cache_new(size_t max_bytes)
{
    serve_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->lock, NULL);
    c->max_bytes = max_bytes;
    return c;
}

static void unlink_lru(serve_cache *c, entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void push_newest(serve_cache *c, entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

/* Take E out of the table and the list, and free it. */
static void drop(serve_cache *c, entry *e)
{
    entry **at = &c->buckets[e->hash & (CACHE_BUCKETS - 1)];
    while (*at != e)
        at = &(*at)->chain;
    *at = e->chain;
    unlink_lru(c, e);
    c->bytes -= e->cost;
    free(e->key);
    free(e->answer.body);
    free(e);
}

static entry *find(serve_cache *c, uint64_t h, const char *key, size_t len)
{
    for (entry *e = c->buckets[h & (CACHE_BUCKETS - 1)]; e; e = e->chain)
        if (e->hash == h && e->key_len == len && memcmp(e->key, key, len) == 0)
            return e;
    return NULL;
}

void serve_cache_free(serve_cache *c)
{
    if (!c)
        return;
    while (c->oldest)
        drop(c, c->oldest);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

int serve_cache_get(serve_cache *c, const char *key, size_t key_len, uint64_t version,
                    serve_cached *out)
{
    if (!c)
        return 0;
    uint64_t h = serve_hash(SERVE_HASH_START, key, key_len);
    int found = 0;
    pthread_mutex_lock(&c->lock);
    entry *e = find(c, h, key, key_len);
    if (e && e->version != version) {
        drop(c, e);
        e = NULL;
    }
    char *body = e ? malloc(e->answer.body_len + 1) : NULL;
    if (body) {
        memcpy(body, e->answer.body, e->answer.body_len + 1);
        *out = e->answer;
        out->body = body;
        unlink_lru(c, e);
        push_newest(c, e);
        found = 1;
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

size_t serve_cache_bytes(serve_cache *c)
{
    if (!c)
        return 0;
    pthread_mutex_lock(&c->lock);
    size_t n = c->bytes;
    pthread_mutex_unlock(&c->lock);
    return n;
}

void serve_cache_put(serve_cache *c, const char *key, size_t key_len, uint64_t version,
                     const serve_cached *answer)
{
    size_t cost = sizeof(entry) + key_len + answer->body_len + 1;
    if (!c || cost > c->max_bytes / 8)
        return;
    entry *e = calloc(1, sizeof *e);
    char *k = malloc(key_len ? key_len : 1), *body = malloc(answer->body_len + 1);
    if (!e || !k || !body) {
        free(e);
        free(k);
        free(body);
        return;
    }
    memcpy(k, key, key_len);
    memcpy(body, answer->body, answer->body_len);
    body[answer->body_len] = '\0';
    e->hash = serve_hash(SERVE_HASH_START, key, key_len);
    e->version = version;
    e->key = k;
    e->key_len = key_len;
    e->answer = *answer;
    e->answer.body = body;
    e->cost = cost;
    pthread_mutex_lock(&c->lock);
    entry *old = find(c, e->hash, key, key_len);
    if (old)
        drop(c, old);
    while (c->oldest && c->bytes + cost > c->max_bytes)
        drop(c, c->oldest);
    entry **bucket = &c->buckets[e->hash & (CACHE_BUCKETS - 1)];
    e->chain = *bucket;
    *bucket = e;
    push_newest(c, e);
    c->bytes += cost;
    pthread_mutex_unlock(&c->lock);
}
