/* api.c: rubric-serve's endpoints, request in, answer out: the JSON API
 * (/api/v1/search, /api/v1/index), the probes (/healthz, /readyz), the
 * metrics, the results page for browsers without JavaScript (/search) and
 * the embedded assets. The transports (main.c: the daemon, CGI mode) only
 * carry requests here and answers back. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <unistr.h>

#include "api.h"
#include "cli.h"

/* ------------------------------------------------------------ answers */

static const char oom_body[] =
    "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\",\"param\":null}}\n";

void serve_response_free(serve_response *rs)
{
    if (!rs->body_static && rs->body != oom_body)
        free(rs->body);
    rs->body = NULL;
}

/* Answer RS with the JSON document O (freed), compact, a newline after it. */
static void answer_json(serve_response *rs, int status, cJSON *o)
{
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    size_t n = s ? strlen(s) : 0;
    char *body = s ? realloc(s, n + 2) : NULL;
    if (!body) {
        free(s);
        rs->status = 500;
        rs->body = (char *)oom_body;
        rs->body_len = sizeof oom_body - 1;
        rs->content_type = "application/json; charset=utf-8";
        return;
    }
    body[n] = '\n';
    body[n + 1] = '\0';
    rs->status = status;
    rs->body = body;
    rs->body_len = n + 1;
    rs->content_type = "application/json; charset=utf-8";
}

/* {"error": {"code", "message", "param"}} with STATUS. MESSAGE is ours, or
 * the library's (which may quote the query: made valid UTF-8 here). */
static void answer_error(serve_response *rs, int status, const char *code, const char *message,
                         const char *param)
{
    cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
    char *msg = cli_valid_utf8(message);
    if (!e || !cJSON_AddStringToObject(e, "code", code) || !msg ||
        !cJSON_AddStringToObject(e, "message", msg) ||
        !(param ? cJSON_AddStringToObject(e, "param", param) : cJSON_AddNullToObject(e, "param"))) {
        cJSON_Delete(o);
        o = NULL;
    }
    free(msg);
    answer_json(rs, status, o);
    rs->cache_control = "no-store";
}

/* -------------------------------------------------------------- params */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decode the N bytes of S (form encoding) into OUT, NUL-terminated; the
 * decoded length. */
static size_t form_decode(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+')
            out[k++] = ' ';
        else if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
                 (lo = hexval(s[i + 2])) >= 0) {
            out[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else
            out[k++] = s[i];
    }
    out[k] = '\0';
    return k;
}

size_t serve_parse_query(const char *qs, serve_param *params, size_t max, char *store)
{
    size_t n = 0;
    while (qs && *qs && n < max) {
        size_t len = strcspn(qs, "&;");
        const char *eq = memchr(qs, '=', len);
        size_t nlen = eq ? (size_t)(eq - qs) : len;
        if (len) {
            params[n].name = store;
            store += form_decode(qs, nlen, store) + 1;
            params[n].value = store;
            params[n].value_len = eq ? form_decode(eq + 1, len - nlen - 1, store) : 0;
            if (!eq)
                *store = '\0';
            store += params[n].value_len + 1;
            n++;
        }
        qs += len;
        if (*qs)
            qs++;
    }
    return n;
}

static const serve_param *param(const serve_request *rq, const char *name)
{
    for (size_t i = 0; i < rq->nparams; i++)
        if (strcmp(rq->params[i].name, name) == 0)
            return &rq->params[i];
    return NULL;
}

/* Parameter NAME as an integer from MIN to MAX (DEF when absent) into *OUT.
 * 0, or -1 with the 400 answered. */
static int int_param(const serve_request *rq, serve_response *rs, const char *name, long min,
                     long max, long def, long *out)
{
    const serve_param *p = param(rq, name);
    *out = def;
    if (!p)
        return 0;
    char *end = NULL;
    long v = p->value_len && p->value_len < 12 && p->value[0] != '-' && p->value[0] != '+'
                 ? strtol(p->value, &end, 10)
                 : -1;
    if (!end || *end || v < min || v > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s is a whole number from %ld to %ld", name, min, max);
        answer_error(rs, 400, "bad_param", msg, name);
        return -1;
    }
    *out = v;
    return 0;
}

/* Parameter NAME as 0 or 1. */
static int flag_param(const serve_request *rq, serve_response *rs, const char *name, int def,
                      int *out)
{
    long v;
    int rc = int_param(rq, rs, name, 0, 1, def, &v);
    *out = (int)v;
    return rc;
}

/* Every value of NAME (at most SERVE_FILTER_VALUES_MAX) into LIST,
 * NULL-terminated; *ANY set when there is one. 0, or -1 with the 400
 * answered (an empty value, a NUL, invalid UTF-8, too many). */
static int list_param(const serve_request *rq, serve_response *rs, const char *name,
                      const char **list, int *any)
{
    size_t n = 0;
    for (size_t i = 0; i < rq->nparams; i++) {
        const serve_param *p = &rq->params[i];
        if (strcmp(p->name, name))
            continue;
        if (n == SERVE_FILTER_VALUES_MAX) {
            char msg[80];
            snprintf(msg, sizeof msg, "%s is given at most %d times", name,
                     SERVE_FILTER_VALUES_MAX);
            answer_error(rs, 400, "bad_param", msg, name);
            return -1;
        }
        if (!p->value_len || strlen(p->value) != p->value_len ||
            u8_check((const uint8_t *)p->value, p->value_len)) {
            answer_error(rs, 400, "bad_param", "a filter's value is UTF-8 text, not empty", name);
            return -1;
        }
        list[n++] = p->value;
    }
    list[n] = NULL;
    *any = n > 0;
    return 0;
}

/* --------------------------------------------------------------- index */

int serve_open_db(const serve_config *cfg, rubric_db **out, char **why)
{
    rubric_open_opts o;
    rubric_open_opts_init(&o);
    o.timeout_ms = cfg->shard_timeout_ms;
    o.partial = cfg->partial;
    return cfg->ndbs > 1 ? rubric_db_open_with(cfg->db_dirs, cfg->ndbs, &o, out, why)
                         : rubric_db_open_with(&cfg->db_dir, 1, &o, out, why);
}

/* The calling thread's handle on the newest revision of the index; NULL
 * when none can be opened. Why is said on stderr once, until one opens
 * again: the answer itself names no folder of this machine. */
static rubric_db *reader_db(serve_config *cfg, serve_reader *r)
{
    char *why = NULL;
    if (r->db && rubric_db_reopen(r->db) == RUBRIC_OK)
        return r->db;
    serve_reader_close(r);
    if (serve_open_db(cfg, &r->db, &why) != RUBRIC_OK) {
        if (!atomic_exchange(&cfg->unavailable_said, 1))
            fprintf(stderr, "rubric-serve: answering 503: %s\n", why ? why : "out of memory");
        free(why);
        r->db = NULL;
        return NULL;
    }
    atomic_store(&cfg->unavailable_said, 0);
    if (cfg->synonyms_text) {
        char *err = NULL;
        rubric_db_set_synonyms(r->db, cfg->synonyms_text, cfg->synonyms_len, &err);
        free(err);  /* checked once at start-up */
    }
    return r->db;
}

void serve_reader_close(serve_reader *r)
{
    rubric_db_close(r->db);
    r->db = NULL;
    r->have_stats = 0;
}

static void unavailable(serve_response *rs)
{
    answer_error(rs, 503, "index_unavailable",
                 "the index cannot be opened now (missing, or being written for the first time)",
                 NULL);
    rs->retry_after = "5";
}

/* ------------------------------------------------------------- caching */

/* What names RQ's answer: the path, then each parameter's name and value,
 * each followed by a byte no UTF-8 text holds; the answer cache's key, and
 * what the entity tag hashes. Malloc'd, its length in *LEN; NULL when out
 * of memory. */
static char *request_key(const serve_request *rq, size_t *len)
{
    size_t n = strlen(rq->path) + 1;
    for (size_t i = 0; i < rq->nparams; i++)
        n += strlen(rq->params[i].name) + rq->params[i].value_len + 2;
    char *key = malloc(n), *at = key;
    if (!key)
        return NULL;
    memcpy(at, rq->path, strlen(rq->path));
    at += strlen(rq->path);
    *at++ = (char)0xFF;
    for (size_t i = 0; i < rq->nparams; i++) {
        const serve_param *p = &rq->params[i];
        memcpy(at, p->name, strlen(p->name));
        at += strlen(p->name);
        *at++ = (char)0xFF;
        memcpy(at, p->value, p->value_len);
        at += p->value_len;
        *at++ = (char)0xFF;
    }
    *len = n;
    return key;
}

/* The entity tag of an answer that depends only on the request (KEY, LEN
 * bytes: request_key()) and the index's revision. */
static void make_etag(serve_response *rs, const char *key, size_t len, unsigned long revision)
{
    snprintf(rs->etag, sizeof rs->etag, "\"r%lu-%016llx\"", revision,
             (unsigned long long)serve_hash(SERVE_HASH_START, key, len));
}

/* Whether If-None-Match names RS's tag (or is "*"). */
static int not_modified(const serve_request *rq, const serve_response *rs)
{
    const char *inm = rq->if_none_match;
    if (!inm || !rs->etag[0])
        return 0;
    if (strcmp(inm, "*") == 0)
        return 1;
    size_t n = strlen(rs->etag);
    for (const char *at = strstr(inm, rs->etag); at; at = strstr(at + 1, rs->etag)) {
        /* a whole entry of the list, weak or not */
        char after = at[n];
        if (after == '\0' || after == ',' || after == ' ')
            return 1;
    }
    return 0;
}

/* -------------------------------------------------------------- search */

/* What RES found, as the log and the metrics tell it. */
static void summarize(const rubric_results *res, serve_summary *out)
{
    memset(out, 0, sizeof *out);
    out->corrected = rubric_results_corrected(res);
    const char *sug = out->corrected ? rubric_results_suggestion(res) : "";
    size_t n = strlen(sug);
    if (n >= sizeof out->suggestion) {  /* cut before a character, never inside one */
        n = sizeof out->suggestion - 1;
        while (n > 0 && ((unsigned char)sug[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out->suggestion, sug, n);
    out->suggestion[n] = '\0';
    out->total = rubric_results_total(res);
    out->total_exact = rubric_results_total_exact(res);
    out->hits = rubric_results_count(res);
    out->seconds = rubric_results_seconds(res);
}

/* One line a search in the query log: what was asked (Q, valid UTF-8, and
 * the OFFSET) and what it found (S); no address, no agent. */
static void log_query(serve_config *cfg, const char *q, size_t offset, const serve_summary *s)
{
    if (!cfg->logging)
        return;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    cJSON *line = cJSON_CreateObject(), *total = NULL;
    int ok = cJSON_AddStringToObject(line, "time", when) && cJSON_AddStringToObject(line, "query", q) &&
             cJSON_AddStringToObject(line, "effective_query", s->corrected ? s->suggestion : q) &&
             cJSON_AddBoolToObject(line, "corrected", s->corrected) &&
             (total = cJSON_AddObjectToObject(line, "total")) &&
             cJSON_AddNumberToObject(total, "value", (double)s->total) &&
             cJSON_AddStringToObject(total, "relation", s->total_exact ? "eq" : "gte") &&
             cJSON_AddNumberToObject(line, "offset", (double)offset) &&
             cJSON_AddNumberToObject(line, "took_ms", round(s->seconds * 1e5) / 100.0) &&
             cJSON_AddNumberToObject(line, "hits", (double)s->hits);
    char *text = ok ? cJSON_PrintUnformatted(line) : NULL;
    if (text) {
        pthread_mutex_lock(&cfg->log_lock);
        if (cfg->query_log) {
            fputs(text, cfg->query_log);
            fputc('\n', cfg->query_log);
            fflush(cfg->query_log);
        }
        pthread_mutex_unlock(&cfg->log_lock);
    }
    free(text);
    cJSON_Delete(line);
}

static void count_search(serve_config *cfg, const serve_summary *s)
{
    if (s->hits == 0)
        atomic_fetch_add(&cfg->metrics.zero_results, 1);
    if (s->corrected)
        atomic_fetch_add(&cfg->metrics.corrected, 1);
}

/* The version of the index DB reads, for the cache: its revision, and its
 * id (a new index at the same place counts from 1 again). */
static uint64_t index_version(rubric_db *db)
{
    const char *id = rubric_db_id(db);
    return serve_hash(SERVE_HASH_START, id, strlen(id)) * 31 + rubric_db_revision(db);
}

/* Answer RQ (a search) from the cache, when it holds the answer for the
 * index's version: 1 when answered (counted and logged as a search). */
static int answer_cached(serve_config *cfg, serve_reader *r, const serve_request *rq,
                         serve_response *rs)
{
    const serve_param *q = param(rq, "q");
    if (!cfg->cache || !q || !q->value_len)
        return 0;
    rubric_db *db = reader_db(cfg, r);
    size_t len = 0;
    char *key = db ? request_key(rq, &len) : NULL;
    unsigned long revision = db ? rubric_db_revision(db) : 0;
    serve_cached hit;
    if (!key || !serve_cache_get(cfg->cache, key, len, index_version(db), &hit)) {
        free(key);
        return 0;
    }
    make_etag(rs, key, len, revision);
    free(key);
    atomic_store(&cfg->metrics.revision, revision);
    atomic_fetch_add(&cfg->metrics.cache_hits, 1);
    rs->status = 200;
    rs->body = hit.body;
    rs->body_len = hit.body_len;
    rs->content_type = hit.content_type;
    snprintf(rs->server_timing, sizeof rs->server_timing, "cache;desc=hit");
    if (not_modified(rq, rs)) {
        serve_response_free(rs);
        rs->status = 304;
        rs->body_len = 0;
        return 1;
    }
    const serve_param *offset = param(rq, "offset");
    count_search(cfg, &hit.summary);
    log_query(cfg, q->value, offset ? strtoul(offset->value, NULL, 10) : 0, &hit.summary);
    return 1;
}

/* Keep RS, the answer to the search named KEY (LEN bytes) that found RES,
 * for a repeat. */
static void remember(serve_config *cfg, serve_reader *r, const char *key, size_t len,
                     const serve_response *rs, const rubric_results *res)
{
    if (!cfg->cache || rs->status != 200 || !rs->body)
        return;
    serve_cached answer = {.body = rs->body, .body_len = rs->body_len,
                           .content_type = rs->content_type};
    summarize(res, &answer.summary);
    serve_cache_put(cfg->cache, key, len, index_version(r->db), &answer);
}

/* The search options RQ asks for into O (lists in LISTS); 0, or -1 with the
 * 400 answered. */
typedef struct search_lists {
    const char *paths[SERVE_FILTER_VALUES_MAX + 1];
    const char *tags[SERVE_FILTER_VALUES_MAX + 1];
    const char *langs[SERVE_FILTER_VALUES_MAX + 1];
} search_lists;

static int search_options(const serve_config *cfg, const serve_request *rq, serve_response *rs,
                          int html, rubric_search_opts *o, search_lists *lists)
{
    long limit, offset, per_page, fragments;
    int prefix, correct, boilerplate, any;
    rubric_search_opts_init(o);
    const serve_param *group = param(rq, "group");
    if (group && strcmp(group->value, "page") && strcmp(group->value, "none")) {
        answer_error(rs, 400, "bad_param", "group is page or none", "group");
        return -1;
    }
    /* The page for browsers groups by page unless told otherwise. */
    int by_page = group ? strcmp(group->value, "page") == 0 : html;
    if (int_param(rq, rs, "limit", 1, SERVE_LIMIT_MAX, 10, &limit) < 0 ||
        int_param(rq, rs, "offset", 0, SERVE_OFFSET_MAX, 0, &offset) < 0 ||
        int_param(rq, rs, "per_page", 1, SERVE_PER_PAGE_MAX, 3, &per_page) < 0 ||
        int_param(rq, rs, "fragments", 0, SERVE_FRAGMENTS_MAX, 0, &fragments) < 0 ||
        flag_param(rq, rs, "prefix", 0, &prefix) < 0 ||
        flag_param(rq, rs, "correct", 1, &correct) < 0 ||
        flag_param(rq, rs, "boilerplate", 0, &boilerplate) < 0 ||
        list_param(rq, rs, "path", lists->paths, &any) < 0 ||
        (o->paths = any ? lists->paths : NULL, list_param(rq, rs, "tag", lists->tags, &any) < 0) ||
        (o->tags = any ? lists->tags : NULL, list_param(rq, rs, "lang", lists->langs, &any) < 0))
        return -1;
    o->langs = any ? lists->langs : NULL;
    const serve_param *facets = param(rq, "facets");
    if (facets && rubric_facets_parse(facets->value, &o->facets) != RUBRIC_OK) {
        answer_error(rs, 400, "bad_param", "facets is a list of section, lang and tag", "facets");
        return -1;
    }
    o->limit = (size_t)limit;
    o->offset = (size_t)offset;
    o->per_article = by_page ? (size_t)per_page : 0;
    o->fragments = (size_t)fragments;
    o->prefix = prefix;
    o->no_correction = !correct;
    o->boilerplate = boilerplate;
    o->base_url = cfg->base_url;
    o->time_budget = SERVE_TIME_BUDGET;
    return 0;
}

/* The query parameter q, checked; NULL with the error answered. */
static const char *query_param(const serve_request *rq, serve_response *rs, size_t *len)
{
    const serve_param *q = param(rq, "q");
    if (!q) {
        answer_error(rs, 400, "missing_q", "q (the query) is missing", "q");
        return NULL;
    }
    if (q->value_len > SERVE_QUERY_MAX_BYTES) {
        char msg[64];
        snprintf(msg, sizeof msg, "q is longer than %d bytes", SERVE_QUERY_MAX_BYTES);
        answer_error(rs, 414, "q_too_long", msg, "q");
        return NULL;
    }
    if (strlen(q->value) != q->value_len || u8_check((const uint8_t *)q->value, q->value_len)) {
        answer_error(rs, 400, "bad_utf8", "q is not UTF-8 text (or holds a NUL)", "q");
        return NULL;
    }
    *len = q->value_len;
    return q->value;
}

/* Run the search RQ asks for; the results (caller frees), or NULL with the
 * error answered. The web document in *JSON, and the request's key in *KEY
 * (request_key(), its length in *KEY_LEN), both for the caller to free. */
static rubric_results *run_search(serve_config *cfg, serve_reader *r, const serve_request *rq,
                                  serve_response *rs, int html, char **json, char **key,
                                  size_t *key_len)
{
    rubric_search_opts o;
    search_lists lists;
    size_t len = 0;
    char *err = NULL;
    const char *q = query_param(rq, rs, &len);
    if (!q || search_options(cfg, rq, rs, html, &o, &lists) < 0)
        return NULL;
    rubric_db *db = reader_db(cfg, r);
    if (!db) {
        unavailable(rs);
        return NULL;
    }
    unsigned long revision = rubric_db_revision(db);
    atomic_store(&cfg->metrics.revision, revision);
    if (!(*key = request_key(rq, key_len))) {
        answer_error(rs, 500, "internal", "out of memory", NULL);
        return NULL;
    }
    make_etag(rs, *key, *key_len, revision);
    if (not_modified(rq, rs)) {
        rs->status = 304;
        return NULL;
    }
    rubric_results *res = NULL;
    int rc = rubric_search(db, q, len, &o, &res, &err);
    if (rc == RUBRIC_EINVAL) {
        answer_error(rs, 400, "bad_query", err ? err : "nothing to search for", "q");
    } else if (rc == RUBRIC_ENODB || rc == RUBRIC_ESHARD) {
        fprintf(stderr, "rubric-serve: answering 503: %s\n", err ? err : rubric_strerror(rc));
        serve_reader_close(r);
        unavailable(rs);
    } else if (rc != RUBRIC_OK) {
        /* What the library says may name a file: the log has it. */
        fprintf(stderr, "rubric-serve: a search failed: %s\n", err ? err : rubric_strerror(rc));
        answer_error(rs, 500, "internal", rubric_strerror(rc), NULL);
    } else if (!(*json = rubric_results_json(res, RUBRIC_JSON_WEB | RUBRIC_JSON_COMPACT))) {
        answer_error(rs, 500, "internal", "out of memory", NULL);
    } else {
        free(err);
        serve_summary sum;
        summarize(res, &sum);
        count_search(cfg, &sum);
        log_query(cfg, q, o.offset, &sum);
        return res;
    }
    rs->etag[0] = '\0';
    free(err);
    rubric_results_free(res);
    return NULL;
}

static void api_search(serve_config *cfg, serve_reader *r, const serve_request *rq,
                       serve_response *rs)
{
    char *json = NULL, *key = NULL;
    size_t key_len = 0;
    rubric_results *res = run_search(cfg, r, rq, rs, 0, &json, &key, &key_len);
    if (!res) {
        free(key);
        return;
    }
    size_t n = strlen(json);
    char *body = realloc(json, n + 2);
    if (!body) {
        free(json);
        answer_error(rs, 500, "internal", "out of memory", NULL);
    } else {
        body[n] = '\n';
        body[n + 1] = '\0';
        rs->status = 200;
        rs->body = body;
        rs->body_len = n + 1;
        rs->content_type = "application/json; charset=utf-8";
    }
    snprintf(rs->server_timing, sizeof rs->server_timing, "search;dur=%.3f",
             rubric_results_seconds(res) * 1000.0);
    remember(cfg, r, key, key_len, rs, res);
    free(key);
    rubric_results_free(res);
}

/* ------------------------------------------------------- other endpoints */

static void api_index(serve_config *cfg, serve_reader *r, const serve_request *rq,
                      serve_response *rs)
{
    rubric_db *db = reader_db(cfg, r);
    /* The figures walk the manifest: counted once a revision. */
    if (db && !(r->have_stats && r->stats.revision == rubric_db_revision(db)))
        r->have_stats = rubric_db_stats_get(db, &r->stats) == RUBRIC_OK;
    if (!db || !r->have_stats) {
        unavailable(rs);
        return;
    }
    rubric_db_stats st = r->stats;
    size_t key_len = 0;
    char *key = request_key(rq, &key_len);
    if (!key) {
        answer_error(rs, 500, "internal", "out of memory", NULL);
        return;
    }
    make_etag(rs, key, key_len, st.revision);
    free(key);
    if (not_modified(rq, rs)) {
        rs->status = 304;
        return;
    }
    const char *updated = rubric_db_updated(db), *base = rubric_db_base_url(db);
    cJSON *o = cJSON_CreateObject();
    if (!cJSON_AddNumberToObject(o, "schema", RUBRIC_JSON_SCHEMA) ||
        !cJSON_AddNumberToObject(o, "revision", (double)st.revision) ||
        !(*updated ? cJSON_AddStringToObject(o, "updated", updated)
                   : cJSON_AddNullToObject(o, "updated")) ||
        !cJSON_AddNumberToObject(o, "files", (double)st.files) ||
        !cJSON_AddNumberToObject(o, "passages", (double)st.passages) ||
        !cJSON_AddNumberToObject(o, "folded", (double)st.folded) ||
        !cJSON_AddNumberToObject(o, "bytes", (double)st.bytes) ||
        !cJSON_AddStringToObject(o, "language", rubric_db_lang(db)) ||
        !(*base ? cJSON_AddStringToObject(o, "base_url", base)
                : cJSON_AddNullToObject(o, "base_url"))) {
        cJSON_Delete(o);
        o = NULL;
    }
    answer_json(rs, 200, o);
}

static void api_status(serve_response *rs, const char *status, unsigned long revision, int with_rev)
{
    cJSON *o = cJSON_CreateObject();
    if (!cJSON_AddStringToObject(o, "status", status) ||
        (with_rev && !cJSON_AddNumberToObject(o, "revision", (double)revision))) {
        cJSON_Delete(o);
        o = NULL;
    }
    answer_json(rs, 200, o);
    rs->cache_control = "no-store";
}

static void api_ready(serve_config *cfg, serve_reader *r, serve_response *rs)
{
    rubric_db *db = reader_db(cfg, r);
    if (!db) {
        unavailable(rs);
        return;
    }
    api_status(rs, "ready", rubric_db_revision(db), 1);
}

/* ------------------------------------------------------------- metrics */

static const char *const endpoint_names[EP_COUNT] = {
    "search", "html", "index", "healthz", "readyz", "metrics", "asset", "other"};
static const int status_codes[ST_COUNT] = {200, 304, 400, 404, 405, 414, 503, 500};
static const double latency_bounds[SERVE_BUCKETS] = {0.0005, 0.001, 0.002, 0.005, 0.01,
                                                     0.02,   0.05,  0.1,   0.25,  1.0};

/* A growable string for the answers written by hand (metrics, HTML). */
typedef struct text {
    char *s;
    size_t len, cap;
    int failed;
} text;

static void text_add(text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->s, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void text_puts(text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void text_printf(text *t, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof small) {
        t->failed = 1;  /* every use prints a few numbers */
        return;
    }
    text_add(t, small, (size_t)n);
}

/* S escaped for HTML text and attribute values. */
static void text_html(text *t, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': text_puts(t, "&amp;"); break;
        case '<': text_puts(t, "&lt;"); break;
        case '>': text_puts(t, "&gt;"); break;
        case '"': text_puts(t, "&quot;"); break;
        case '\'': text_puts(t, "&#39;"); break;
        default: text_add(t, s, 1);
        }
    }
}

/* S percent-encoded as a query-string value. */
static void text_query_value(text *t, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c))
            text_add(t, s, 1);
        else
            text_printf(t, "%%%02X", c);
    }
}

/* Answer RS with T's text (taken) of TYPE, or a 500 when it failed. */
static void answer_text(serve_response *rs, text *t, const char *type)
{
    if (t->failed || !t->s) {
        free(t->s);
        answer_error(rs, 500, "internal", "out of memory", NULL);
        return;
    }
    rs->status = 200;
    rs->body = t->s;
    rs->body_len = t->len;
    rs->content_type = type;
}

static void api_metrics(serve_config *cfg, serve_response *rs)
{
    serve_metrics *m = &cfg->metrics;
    text t = {0};
    text_puts(&t, "# HELP rubric_requests_total Requests answered, by endpoint and status.\n"
                  "# TYPE rubric_requests_total counter\n");
    for (int e = 0; e < EP_COUNT; e++)
        for (int s = 0; s < ST_COUNT; s++) {
            unsigned long v = atomic_load(&m->requests[e][s]);
            if (v)
                text_printf(&t, "rubric_requests_total{endpoint=\"%s\",code=\"%d\"} %lu\n",
                            endpoint_names[e], status_codes[s], v);
        }
    text_puts(&t, "# HELP rubric_search_duration_seconds Time spent answering searches.\n"
                  "# TYPE rubric_search_duration_seconds histogram\n");
    unsigned long cum = 0;
    for (int b = 0; b <= SERVE_BUCKETS; b++) {
        cum += atomic_load(&m->latency[b]);
        if (b < SERVE_BUCKETS)
            text_printf(&t, "rubric_search_duration_seconds_bucket{le=\"%g\"} %lu\n",
                        latency_bounds[b], cum);
        else
            text_printf(&t, "rubric_search_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
    }
    text_printf(&t, "rubric_search_duration_seconds_sum %.6f\n",
                (double)atomic_load(&m->latency_us_sum) / 1e6);
    text_printf(&t, "rubric_search_duration_seconds_count %lu\n", cum);
    text_printf(&t,
                "# HELP rubric_zero_result_queries_total Searches that found nothing.\n"
                "# TYPE rubric_zero_result_queries_total counter\n"
                "rubric_zero_result_queries_total %lu\n",
                atomic_load(&m->zero_results));
    text_printf(&t,
                "# HELP rubric_corrected_queries_total Searches answered for a corrected query.\n"
                "# TYPE rubric_corrected_queries_total counter\n"
                "rubric_corrected_queries_total %lu\n",
                atomic_load(&m->corrected));
    text_printf(&t,
                "# HELP rubric_cached_answers_total Searches answered from the answer cache.\n"
                "# TYPE rubric_cached_answers_total counter\n"
                "rubric_cached_answers_total %lu\n",
                atomic_load(&m->cache_hits));
    text_printf(&t,
                "# HELP rubric_answer_cache_bytes Bytes the answer cache holds.\n"
                "# TYPE rubric_answer_cache_bytes gauge\n"
                "rubric_answer_cache_bytes %zu\n",
                serve_cache_bytes(cfg->cache));
    text_printf(&t,
                "# HELP rubric_index_revision The index revision searched last.\n"
                "# TYPE rubric_index_revision gauge\n"
                "rubric_index_revision %lu\n",
                atomic_load(&m->revision));
    answer_text(rs, &t, "text/plain; version=0.0.4; charset=utf-8");
    rs->cache_control = "no-store";
}

/* ------------------------------------------- the page without JavaScript */

static const char *str_item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num_item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* A link to this page for query Q, offset OFFSET (0: none), corrections off
 * when NO_CORRECT. */
static void page_link(text *t, const char *q, long offset, int no_correct)
{
    text_puts(t, "search?q=");
    text_query_value(t, q);
    if (offset)
        text_printf(t, "&amp;offset=%ld", offset);
    if (no_correct)
        text_puts(t, "&amp;correct=0");
}

static void html_hit(text *t, const cJSON *h)
{
    text_puts(t, "<li class=\"rubric-hit\"><a href=\"");
    text_html(t, str_item(h, "link"));
    text_puts(t, "\"><span class=\"rubric-title\">");
    text_puts(t, str_item(h, "title_html"));  /* escaped, but for its marks */
    text_puts(t, "</span>");
    const cJSON *trail = cJSON_GetObjectItemCaseSensitive(h, "trail_html"), *e;
    if (cJSON_GetArraySize(trail) > 1) {
        /* The page's title heads the group: the trail below it. */
        text_puts(t, "<span class=\"rubric-trail\">");
        int k = 0;
        cJSON_ArrayForEach(e, trail)
        {
            if (k++ && cJSON_IsString(e)) {
                text_puts(t, k > 2 ? " › " : "");
                text_puts(t, e->valuestring);
            }
        }
        text_puts(t, "</span>");
    }
    text_puts(t, "<span class=\"rubric-snippet\">");
    text_puts(t, str_item(h, "snippet_html"));
    text_puts(t, "</span></a></li>\n");
}

static void html_results(text *t, const cJSON *doc)
{
    const cJSON *pages = cJSON_GetObjectItemCaseSensitive(doc, "pages"), *p;
    text_puts(t, "<ol class=\"rubric-results\">\n");
    cJSON_ArrayForEach(p, pages)
    {
        text_puts(t, "<li class=\"rubric-group\"><h2><a href=\"");
        text_html(t, str_item(p, "url"));
        text_puts(t, "\">");
        text_puts(t, str_item(p, "title_html"));
        text_printf(t, "</a></h2><ol>\n");
        const cJSON *hits = cJSON_GetObjectItemCaseSensitive(p, "hits"), *h;
        cJSON_ArrayForEach(h, hits)
            html_hit(t, h);
        text_puts(t, "</ol></li>\n");
    }
    const cJSON *flat = cJSON_GetObjectItemCaseSensitive(doc, "hits"), *h;
    cJSON_ArrayForEach(h, flat)
        html_hit(t, h);
    text_puts(t, "</ol>\n");
}

static void html_head(text *t, const char *q)
{
    text_puts(t, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>");
    if (*q) {
        text_html(t, q);
        text_puts(t, " \xe2\x80\x93 ");
    }
    text_puts(t, "Search</title>\n<link rel=\"stylesheet\" href=\"rubric.css\">\n</head>\n"
                 "<body class=\"rubric-page\">\n<main>\n"
                 "<form role=\"search\" action=\"search\" method=\"get\" class=\"rubric-form\">"
                 "<label for=\"rubric-q\">Search</label> <input type=\"search\" id=\"rubric-q\" "
                 "name=\"q\" enterkeyhint=\"search\" value=\"");
    text_html(t, q);
    text_puts(t, "\"> <button type=\"submit\">Search</button></form>\n");
}

/* The status line, the suggestion and the pager of DOC, around its
 * results. */
static void html_body(text *t, const cJSON *doc, const char *q)
{
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(doc, "total");
    double n = num_item(total, "value");
    int exact = strcmp(str_item(total, "relation"), "eq") == 0;
    int corrected = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "corrected"));
    const char *sugg = str_item(doc, "suggestion");
    text_puts(t, "<p class=\"rubric-status\" role=\"status\">");
    if (corrected) {
        text_puts(t, "No results for \xe2\x80\x9c");
        text_html(t, q);
        text_puts(t, "\xe2\x80\x9d. Showing results for \xe2\x80\x9c<a href=\"");
        page_link(t, sugg, 0, 1);
        text_puts(t, "\">");
        text_html(t, sugg);
        text_puts(t, "</a>\xe2\x80\x9d; <a href=\"");
        page_link(t, q, 0, 1);
        text_puts(t, "\">search instead for \xe2\x80\x9c");
        text_html(t, q);
        text_puts(t, "\xe2\x80\x9d</a>.");
    } else if (n == 0) {
        text_puts(t, "No results for \xe2\x80\x9c");
        text_html(t, q);
        text_puts(t, "\xe2\x80\x9d.");
    } else {
        text_printf(t, "%s%.0f %s for \xe2\x80\x9c", exact ? "" : "About ", n,
                    n == 1 ? "section" : "sections");
        text_html(t, q);
        text_puts(t, "\xe2\x80\x9d.");
    }
    if (*sugg && !corrected) {
        text_puts(t, " Did you mean <a href=\"");
        page_link(t, sugg, 0, 0);
        text_puts(t, "\">");
        text_html(t, sugg);
        text_puts(t, "</a>?");
    }
    text_puts(t, "</p>\n");
    html_results(t, doc);
    long offset = (long)num_item(doc, "offset"), limit = (long)num_item(doc, "limit");
    const cJSON *pages = cJSON_GetObjectItemCaseSensitive(doc, "pages");
    long shown = cJSON_GetArraySize(cJSON_IsArray(pages) ? pages
                                                         : cJSON_GetObjectItemCaseSensitive(doc, "hits"));
    int more = shown == limit && offset + limit <= SERVE_OFFSET_MAX;
    if (offset || more) {
        text_puts(t, "<nav class=\"rubric-pager\" aria-label=\"Results pages\">");
        if (offset) {
            text_puts(t, "<a rel=\"prev\" href=\"");
            page_link(t, q, offset > limit ? offset - limit : 0, 0);
            text_puts(t, "\">Previous</a> ");
        }
        if (more) {
            text_puts(t, "<a rel=\"next\" href=\"");
            page_link(t, q, offset + limit, 0);
            text_puts(t, "\">Next</a>");
        }
        text_puts(t, "</nav>\n");
    }
}

static void html_search(serve_config *cfg, serve_reader *r, const serve_request *rq,
                        serve_response *rs)
{
    const serve_param *qp = param(rq, "q");
    text t = {0};
    if (!qp || !qp->value_len) {
        /* The empty form. */
        html_head(&t, "");
        text_puts(&t, "</main>\n</body>\n</html>\n");
        answer_text(rs, &t, "text/html; charset=utf-8");
        return;
    }
    char *json = NULL, *key = NULL;
    size_t key_len = 0;
    rubric_results *res = run_search(cfg, r, rq, rs, 1, &json, &key, &key_len);
    if (!res) {
        free(key);
        if (rs->status == 304 || !rs->body)
            return;
        /* An error: the same page, saying what was wrong. */
        cJSON *err = cJSON_Parse(rs->body);
        const char *msg = str_item(cJSON_GetObjectItemCaseSensitive(err, "error"), "message");
        int status = rs->status;
        const char *retry = rs->retry_after;
        serve_response_free(rs);
        html_head(&t, u8_check((const uint8_t *)qp->value, qp->value_len) ? "" : qp->value);
        text_puts(&t, "<p class=\"rubric-error\" role=\"alert\">");
        text_html(&t, msg);
        text_puts(&t, "</p>\n</main>\n</body>\n</html>\n");
        cJSON_Delete(err);
        answer_text(rs, &t, "text/html; charset=utf-8");
        if (rs->status == 200)
            rs->status = status;
        rs->retry_after = retry;
        rs->cache_control = "no-store";
        return;
    }
    cJSON *doc = cJSON_Parse(json);
    html_head(&t, qp->value);
    if (doc)
        html_body(&t, doc, qp->value);
    else
        t.failed = 1;
    text_puts(&t, "</main>\n</body>\n</html>\n");
    cJSON_Delete(doc);
    free(json);
    snprintf(rs->server_timing, sizeof rs->server_timing, "search;dur=%.3f",
             rubric_results_seconds(res) * 1000.0);
    answer_text(rs, &t, "text/html; charset=utf-8");
    remember(cfg, r, key, key_len, rs, res);
    free(key);
    rubric_results_free(res);
}

/* ------------------------------------------------------------ dispatch */

static int status_slot(int status)
{
    for (int s = 0; s < ST_COUNT; s++)
        if (status_codes[s] == status)
            return s;
    return ST_500;
}

/* CORS: the Origin echoed when --allow-origin lists it, "*" when that is
 * listed; nothing otherwise (the browser then keeps the answer from the
 * page that asked). */
static const char *allowed_origin(const serve_config *cfg, const char *origin)
{
    for (size_t i = 0; i < cfg->norigins; i++) {
        if (strcmp(cfg->origins[i], "*") == 0)
            return "*";
        if (origin && strcmp(cfg->origins[i], origin) == 0)
            return cfg->origins[i];
    }
    return NULL;
}

void serve_handle(serve_config *cfg, serve_reader *r, const serve_request *rq,
                  serve_response *rs)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(rs, 0, sizeof *rs);
    rs->cache_control = "no-cache";
    const char *path = rq->path;
    int ep = strcmp(path, "/api/v1/search") == 0 ? EP_SEARCH
             : strcmp(path, "/search") == 0      ? EP_HTML
             : strcmp(path, "/api/v1/index") == 0 ? EP_INDEX
             : strcmp(path, "/healthz") == 0     ? EP_HEALTH
             : strcmp(path, "/readyz") == 0      ? EP_READY
             : strcmp(path, "/metrics") == 0 && cfg->metrics_on ? EP_METRICS
             : serve_asset_find(path)            ? EP_ASSET
                                                 : EP_OTHER;
    if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
        answer_error(rs, 405, "method_not_allowed", "only GET and HEAD are answered", NULL);
        rs->allow = "GET, HEAD";
    } else if ((ep == EP_SEARCH || ep == EP_HTML) && answer_cached(cfg, r, rq, rs)) {
        /* a repeat, answered as it was */
    } else if (ep == EP_SEARCH) {
        api_search(cfg, r, rq, rs);
    } else if (ep == EP_HTML) {
        html_search(cfg, r, rq, rs);
    } else if (ep == EP_INDEX) {
        api_index(cfg, r, rq, rs);
    } else if (ep == EP_HEALTH) {
        api_status(rs, "ok", 0, 0);
    } else if (ep == EP_READY) {
        api_ready(cfg, r, rs);
    } else if (ep == EP_METRICS) {
        api_metrics(cfg, rs);
    } else if (ep == EP_ASSET) {
        const serve_asset *a = serve_asset_find(path);
        rs->status = 200;
        rs->body = (char *)a->data;
        rs->body_len = a->len;
        rs->body_static = 1;
        rs->content_type = a->type;
        rs->cache_control = "public, max-age=3600";
    } else {
        answer_error(rs, 404, "not_found", "no such endpoint", NULL);
    }
    /* An answer of the index is the same until its revision moves. */
    if ((rs->status == 200 && (ep == EP_SEARCH || ep == EP_HTML || ep == EP_INDEX)) ||
        rs->status == 304)
        rs->cache_control = cfg->cache_control;
    rs->allow_origin = allowed_origin(cfg, rq->origin);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    serve_metrics *m = &cfg->metrics;
    atomic_fetch_add(&m->requests[ep][status_slot(rs->status)], 1);
    if (ep == EP_SEARCH || ep == EP_HTML) {
        int b = 0;
        while (b < SERVE_BUCKETS && secs > latency_bounds[b])
            b++;
        atomic_fetch_add(&m->latency[b], 1);
        atomic_fetch_add(&m->latency_us_sum, (unsigned long)(secs * 1e6));
    }
}
