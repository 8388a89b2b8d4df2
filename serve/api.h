/* api.h: rubric-serve's requests and answers, apart from HTTP's transport:
 * the daemon (libmicrohttpd) and CGI mode hand a request to serve_handle()
 * and send the answer it fills. Nothing here reads a socket. */
#ifndef RUBRIC_SERVE_API_H
#define RUBRIC_SERVE_API_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <pthread.h>

#include "cache.h"
#include "rubric.h"

/* Limits of a request, each named in the README ("HTTP API"). */
#define SERVE_QUERY_MAX_BYTES 512      /* q; longer is 414 */
#define SERVE_LIMIT_MAX 50             /* hits, or pages with group=page */
#define SERVE_OFFSET_MAX 1000
#define SERVE_PER_PAGE_MAX 10
#define SERVE_FRAGMENTS_MAX 5
#define SERVE_FILTER_VALUES_MAX 16     /* each of path, tag, lang */
#define SERVE_PARAMS_MAX 64            /* parameters read from one request */
#define SERVE_ORIGINS_MAX 16           /* --allow-origin */
#define SERVE_DBS_MAX 64               /* --db repeated */
#define SERVE_TIME_BUDGET 0.05         /* seconds a search may spend matching */

/* One decoded parameter of the query string: VALUE may hold any byte, a NUL
 * too, and has one more after its VALUE_LEN bytes. */
typedef struct serve_param {
    const char *name, *value;
    size_t value_len;
} serve_param;

typedef struct serve_request {
    const char *method;          /* "GET", "HEAD", ... */
    const char *path;            /* "/api/v1/search" */
    const serve_param *params;
    size_t nparams;
    const char *if_none_match;   /* the header, or NULL */
    const char *origin;          /* the Origin header, or NULL */
} serve_request;

/* What the daemon counts for /metrics: one set for the process, shared by
 * every thread. */
enum { EP_SEARCH, EP_HTML, EP_INDEX, EP_HEALTH, EP_READY, EP_METRICS, EP_ASSET, EP_OTHER,
       EP_COUNT };
enum { ST_200, ST_304, ST_400, ST_404, ST_405, ST_414, ST_503, ST_500, ST_COUNT };
#define SERVE_BUCKETS 10
typedef struct serve_metrics {
    atomic_ulong requests[EP_COUNT][ST_COUNT];
    atomic_ulong latency[SERVE_BUCKETS + 1];  /* searches by duration, the last +Inf */
    atomic_ulong latency_us_sum;
    atomic_ulong zero_results, corrected;
    atomic_ulong cache_hits;                  /* searches answered from the cache */
    atomic_ulong revision;
} serve_metrics;

/* What every request shares: set up before the first, then read only (but
 * the metrics, atomic, and the query log, under its lock). */
typedef struct serve_config {
    const char *db_dir;            /* the index, or the first of db_dirs */
    const char *db_dirs[SERVE_DBS_MAX];  /* --db repeated: searched as one */
    size_t ndbs;
    unsigned shard_timeout_ms;     /* --shard-timeout (0: the library's) */
    int partial;                   /* --partial: shards out of reach left out */
    const char *base_url;          /* NULL: the index's own */
    const char *synonyms_text;     /* the synonyms file's text, or NULL */
    size_t synonyms_len;
    const char *origins[SERVE_ORIGINS_MAX];  /* --allow-origin; "*" allows any */
    size_t norigins;
    int metrics_on;                /* --metrics */
    char cache_control[40];        /* of answers that hold until the revision moves */
    serve_cache *cache;            /* answers kept for repeats (--answer-cache), or NULL */
    serve_metrics metrics;
    atomic_int unavailable_said;   /* why the index cannot be opened is on stderr */
    int logging;                   /* --query-log was given (read only) */
    pthread_mutex_t log_lock;
    FILE *query_log;               /* --query-log, or NULL; under LOG_LOCK (SIGHUP
                                      swaps it) */
} serve_config;

/* The answer. Headers are static strings or live in HEADERS. */
typedef struct serve_response {
    int status;
    const char *content_type;
    char *body;                   /* malloc'd; NULL for none */
    size_t body_len;
    int body_static;              /* BODY is not to be freed (an asset) */
    char etag[64];                /* "" for none */
    const char *cache_control;
    const char *allow;            /* 405 */
    const char *retry_after;      /* 503 */
    char server_timing[48];       /* "" for none */
    const char *allow_origin;     /* CORS: the origin echoed, or "*" */
} serve_response;

/* A thread's own handle on the index (rubric_db is one thread's at a time):
 * opened on first use, brought to the newest revision before each answer. */
typedef struct serve_reader {
    rubric_db *db;
    rubric_db_stats stats;       /* /api/v1/index's figures, of stats.revision */
    int have_stats;
} serve_reader;

/* Answer RQ into RS with the reader R (the calling thread's). Never fails:
 * out of memory is a 500 with a static body. */
void serve_handle(serve_config *cfg, serve_reader *r, const serve_request *rq,
                  serve_response *rs);
void serve_response_free(serve_response *rs);
void serve_reader_close(serve_reader *r);
/* Open the index CFG names (several searched as one with --db repeated):
 * rubric_db_open()'s status, *WHY (malloc'd) saying why it failed. */
int serve_open_db(const serve_config *cfg, rubric_db **out, char **why);

/* Decode the query string QS (x-www-form-urlencoded: '+' is a space, %XX a
 * byte) into at most MAX parameters, their strings written into STORE (at
 * least strlen(QS) * 2 + 2 bytes). The number of parameters. */
size_t serve_parse_query(const char *qs, serve_param *params, size_t max, char *store);

/* The embedded assets (assets.c): the demo page, the widget's script and
 * style, by path; NULL when PATH is none of them. */
typedef struct serve_asset {
    const char *path, *type, *data;
    size_t len;
} serve_asset;
const serve_asset *serve_asset_find(const char *path);

#endif
