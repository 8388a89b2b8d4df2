/* rubric-serve: an index's search over HTTP, as a daemon (libmicrohttpd, a
 * pool of threads each with its own reader) or, run by a web server, as a
 * CGI program answering one request. The endpoints are api.c's. */
#define _GNU_SOURCE /* accept4-free, but getsockname's types and struct ucred */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api.h"
#include "cli.h"
#include "config.h"

/* Limits of the daemon, each an option (README: "HTTP API"). */
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_CONNECTIONS 512
#define DEFAULT_PER_ADDRESS 64
#define DEFAULT_TIMEOUT 10      /* seconds a connection may stay silent */
#define DEFAULT_CACHE 30        /* seconds of Cache-Control max-age */
#define DEFAULT_ANSWER_CACHE 32 /* MiB of answers kept for repeated searches */
#define ANSWER_CACHE_MAX 4096
#define THREADS_MAX 64
#define CONNECTION_MEMORY (32 * 1024) /* a request's line and headers */
#define DRAIN_SECONDS 10        /* SIGTERM waits this long for requests in flight */
#define DRAIN_QUIET_MS 200      /* ... and stops once none has been for this long */
#define ACCEPT_TICK_MS 100      /* the acceptor looks this often whether to stop */

static const char usage_text[] =
    "usage: rubric-serve [OPTIONS]\n"
    "Answer searches of an index over HTTP: a JSON API, a results page, the probes.\n"
    "\n"
    "  --db DIR            index directory (default: $RUBRIC_DB, else the\n"
    "                      configuration's, else ./" CLI_DEFAULT_DB "): an index, a\n"
    "                      sharded index or a stub file; repeated, the indexes\n"
    "                      are searched as one\n"
    "  --listen ADDR       HOST:PORT (default " DEFAULT_LISTEN "; port 0 picks one)\n"
    "                      or unix:PATH; ignored under socket activation\n"
    "  --threads N         threads answering (default: one per processor)\n"
    "  --base-url URL      links start with URL (default: the index's)\n"
    "  --allow-origin O    let pages of origin O call the API (CORS); repeatable;\n"
    "                      '*' allows every origin\n"
    "  --connections N     connections at once, in all (default 512)\n"
    "  --per-address N     connections at once from one address (default 64;\n"
    "                      0: no limit, as behind a proxy)\n"
    "  --timeout S         close a connection silent for S seconds (default 10)\n"
    "  --cache S           Cache-Control max-age of search answers (default 30)\n"
    "  --answer-cache MB   keep up to MB MiB of answers to serve a repeated search\n"
    "                      without searching again, until the index changes\n"
    "                      (default 32; 0: none)\n"
    "  --query-log FILE    append one JSON line per search to FILE (SIGHUP\n"
    "                      reopens it)\n"
    "  --metrics           answer /metrics (Prometheus text)\n"
    "  --shard-timeout MS  a remote shard may take MS milliseconds to connect and to\n"
    "                      answer each message (default 10000)\n"
    "  --partial           leave out remote shards that do not answer, and answer\n"
    "                      from the others (\"partial\": true, \"missing_shards\")\n"
    "  --config FILE       read db, base_url and synonyms from FILE\n"
    "  --synonyms FILE     expand queries with the synonym groups in FILE\n"
    "  -h, --help          print this help\n"
    "  -V, --version       print the version\n"
    "\n"
    "Endpoints: /api/v1/search?q=, /api/v1/index, /search?q= (HTML), /,\n"
    "/rubric.js, /rubric.css, /healthz, /readyz, /metrics. Run by a web server with\n"
    "GATEWAY_INTERFACE set, it answers that one request as a CGI program.\n"
    "Exit codes: 0 done (SIGTERM drains, then exits 0), 2 usage error,\n"
    "4 index missing, unreadable or damaged (CGI mode answers 503 instead).\n";

typedef struct options {
    const char *db, *listen, *config, *synonyms, *query_log, *base_url;
    const char *dbs[SERVE_DBS_MAX];  /* every --db, in order */
    size_t ndbs;
    unsigned long threads, connections, per_address, timeout, cache, answer_cache;
    unsigned long shard_timeout;  /* ms; 0: the library's */
    int partial;
    int metrics;
    const char *origins[SERVE_ORIGINS_MAX];
    size_t norigins;
} options;

/* Parse ARGV into O; -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, options *o)
{
    enum { OPT_DB = 256, OPT_LISTEN, OPT_THREADS, OPT_BASE, OPT_ORIGIN, OPT_CONNECTIONS,
           OPT_PER_ADDRESS, OPT_TIMEOUT, OPT_CACHE, OPT_ANSWER_CACHE, OPT_LOG, OPT_METRICS,
           OPT_CONFIG, OPT_SYNONYMS, OPT_SHARD_TIMEOUT, OPT_PARTIAL };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"base-url", required_argument, NULL, OPT_BASE},
        {"allow-origin", required_argument, NULL, OPT_ORIGIN},
        {"connections", required_argument, NULL, OPT_CONNECTIONS},
        {"per-address", required_argument, NULL, OPT_PER_ADDRESS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"cache", required_argument, NULL, OPT_CACHE},
        {"answer-cache", required_argument, NULL, OPT_ANSWER_CACHE},
        {"query-log", required_argument, NULL, OPT_LOG},
        {"metrics", no_argument, NULL, OPT_METRICS},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"synonyms", required_argument, NULL, OPT_SYNONYMS},
        {"shard-timeout", required_argument, NULL, OPT_SHARD_TIMEOUT},
        {"partial", no_argument, NULL, OPT_PARTIAL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->listen = DEFAULT_LISTEN;
    o->connections = DEFAULT_CONNECTIONS;
    o->per_address = DEFAULT_PER_ADDRESS;
    o->timeout = DEFAULT_TIMEOUT;
    o->cache = DEFAULT_CACHE;
    o->answer_cache = DEFAULT_ANSWER_CACHE;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = cpus < 1 ? 1 : cpus > THREADS_MAX ? THREADS_MAX : (unsigned long)cpus;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            if (cli_add_db("rubric-serve", o->dbs, &o->ndbs, SERVE_DBS_MAX, optarg) < 0)
                return EXIT_USAGE;
            o->db = optarg;
            break;
        case OPT_LISTEN: o->listen = optarg; break;
        case OPT_BASE: o->base_url = optarg; break;
        case OPT_LOG: o->query_log = optarg; break;
        case OPT_METRICS: o->metrics = 1; break;
        case OPT_CONFIG: o->config = optarg; break;
        case OPT_SYNONYMS: o->synonyms = optarg; break;
        case OPT_PARTIAL: o->partial = 1; break;
        case OPT_SHARD_TIMEOUT:
            if (cli_count("rubric-serve", "--shard-timeout", optarg, 1, RUBRIC_TIMEOUT_MAX_MS,
                          &o->shard_timeout) < 0)
                return EXIT_USAGE;
            break;
        case OPT_ORIGIN:
            if (o->norigins == SERVE_ORIGINS_MAX) {
                cli_error("rubric-serve", "usage", "--allow-origin given more than %d times",
                          SERVE_ORIGINS_MAX);
                return EXIT_USAGE;
            }
            o->origins[o->norigins++] = optarg;
            break;
        case OPT_THREADS:
            if (cli_count("rubric-serve", "--threads", optarg, 1, THREADS_MAX, &o->threads) < 0)
                return EXIT_USAGE;
            break;
        case OPT_CONNECTIONS:
            if (cli_count("rubric-serve", "--connections", optarg, 1, 100000, &o->connections) < 0)
                return EXIT_USAGE;
            break;
        case OPT_PER_ADDRESS:
            if (cli_count("rubric-serve", "--per-address", optarg, 0, 100000, &o->per_address) < 0)
                return EXIT_USAGE;
            break;
        case OPT_TIMEOUT:
            if (cli_count("rubric-serve", "--timeout", optarg, 1, 3600, &o->timeout) < 0)
                return EXIT_USAGE;
            break;
        case OPT_CACHE:
            if (cli_count("rubric-serve", "--cache", optarg, 0, 86400, &o->cache) < 0)
                return EXIT_USAGE;
            break;
        case OPT_ANSWER_CACHE:
            if (cli_count("rubric-serve", "--answer-cache", optarg, 0, ANSWER_CACHE_MAX,
                          &o->answer_cache) < 0)
                return EXIT_USAGE;
            break;
        case 'h': fputs(usage_text, stdout); return EXIT_DONE;
        case 'V': printf("rubric-serve %s\n", rubric_version()); return EXIT_DONE;
        default: return cli_option_error("rubric-serve", c, argv);
        }
    }
    if (optind < argc) {
        cli_error("rubric-serve", "usage", "unexpected argument '%s'", argv[optind]);
        fputs("Try 'rubric-serve --help' for more information.\n", stderr);
        return EXIT_USAGE;
    }
    return -1;
}

/* ------------------------------------------------------------ the setup */

static serve_config g_cfg;
static char *g_synonyms;       /* the synonyms file's text */
static char *g_db_dir;
static const char *g_log_path;

/* Fill g_cfg from O and the configuration; -1 (said) when something is
 * wrong, *status the exit code. */
static int setup(const options *o, int *status)
{
    config cfg;
    char *err = NULL;
    *status = EXIT_USAGE;
    if (config_load(o->config, &cfg, &err) < 0) {
        cli_error("rubric-serve", "config", "%s", err ? err : "out of memory");
        free(err);
        return -1;
    }
    g_db_dir = strdup(cli_db_path(o->db, cfg.db));
    const char *base = o->base_url ? o->base_url : cfg.base_url;
    g_cfg.base_url = base ? strdup(base) : NULL;
    const char *syn = o->synonyms ? o->synonyms : cfg.synonyms;
    int ok = g_db_dir != NULL;
    if (ok && syn) {
        const char *why = cli_read_file(syn, SYNONYMS_MAX_BYTES, &g_synonyms, &g_cfg.synonyms_len);
        if (why) {
            cli_error("rubric-serve", "config", "cannot read synonyms '%s': %s", syn, why);
            ok = 0;
        }
    }
    config_free(&cfg);
    if (!ok)
        return -1;
    g_cfg.db_dir = g_db_dir;
    for (size_t i = 0; o->ndbs > 1 && i < o->ndbs; i++)
        g_cfg.db_dirs[g_cfg.ndbs++] = o->dbs[i];
    g_cfg.shard_timeout_ms = (unsigned)o->shard_timeout;
    g_cfg.partial = o->partial;
    g_cfg.synonyms_text = g_synonyms;
    for (size_t i = 0; i < o->norigins; i++)
        g_cfg.origins[g_cfg.norigins++] = o->origins[i];
    g_cfg.metrics_on = o->metrics;
    if (o->cache)
        snprintf(g_cfg.cache_control, sizeof g_cfg.cache_control, "public, max-age=%lu", o->cache);
    else
        snprintf(g_cfg.cache_control, sizeof g_cfg.cache_control, "no-cache");
    pthread_mutex_init(&g_cfg.log_lock, NULL);
    if (o->query_log) {
        g_log_path = o->query_log;
        if (!(g_cfg.query_log = fopen(o->query_log, "a"))) {
            cli_error("rubric-serve", "config", "cannot open query log '%s': %s", o->query_log,
                      strerror(errno));
            return -1;
        }
        g_cfg.logging = 1;
    }
    /* The synonyms are checked once here, so that a reader's copy never fails. */
    if (g_synonyms) {
        rubric_db *db = NULL;
        char *why = NULL;
        if (serve_open_db(&g_cfg, &db, &why) == RUBRIC_OK &&
            rubric_db_set_synonyms(db, g_synonyms, g_cfg.synonyms_len, &err) != RUBRIC_OK) {
            cli_error("rubric-serve", "config", "synonyms '%s': %s", syn, err ? err : "bad");
            free(err);
            rubric_db_close(db);
            free(why);
            return -1;
        }
        rubric_db_close(db);
        free(why);
    }
    *status = EXIT_DONE;
    return 0;
}

static void teardown(void)
{
    if (g_cfg.query_log)
        fclose(g_cfg.query_log);
    serve_cache_free(g_cfg.cache);
    free(g_synonyms);
    free(g_db_dir);
    free((char *)g_cfg.base_url);
}

/* ------------------------------------------------------------ CGI mode */

/* A CGI request: the environment in, the answer on standard output. A web
 * server that runs a program for a query string without '=' passes its
 * words as arguments (the old ISINDEX rule): those are not options. */
static int cgi_main(void)
{
    const char *qs = getenv("QUERY_STRING"), *info = getenv("PATH_INFO");
    const char *method = getenv("REQUEST_METHOD");
    size_t qlen = qs ? strlen(qs) : 0;
    char *store = malloc(qlen * 2 + 2);
    serve_param params[SERVE_PARAMS_MAX];
    serve_request rq = {method ? method : "GET", info && *info ? info : "/", params, 0,
                        getenv("HTTP_IF_NONE_MATCH"), getenv("HTTP_ORIGIN")};
    serve_response rs;
    serve_reader reader = {0};
    if (!store)
        return EXIT_NODB;
    rq.nparams = serve_parse_query(qs, params, SERVE_PARAMS_MAX, store);
    serve_handle(&g_cfg, &reader, &rq, &rs);
    static const struct { int code; const char *reason; } reasons[] = {
        {200, "OK"}, {304, "Not Modified"}, {400, "Bad Request"}, {404, "Not Found"},
        {405, "Method Not Allowed"}, {414, "URI Too Long"}, {500, "Internal Server Error"},
        {503, "Service Unavailable"}};
    const char *reason = "";
    for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
        if (reasons[i].code == rs.status)
            reason = reasons[i].reason;
    printf("Status: %d %s\r\n", rs.status, reason);
    if (rs.status != 304 && rs.content_type)
        printf("Content-Type: %s\r\n", rs.content_type);
    printf("X-Content-Type-Options: nosniff\r\n");
    if (rs.cache_control)
        printf("Cache-Control: %s\r\n", rs.cache_control);
    if (rs.etag[0])
        printf("ETag: %s\r\n", rs.etag);
    if (rs.allow)
        printf("Allow: %s\r\n", rs.allow);
    if (rs.retry_after)
        printf("Retry-After: %s\r\n", rs.retry_after);
    if (rs.server_timing[0])
        printf("Server-Timing: %s\r\n", rs.server_timing);
    if (rs.allow_origin)
        printf("Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n", rs.allow_origin);
    printf("\r\n");
    if (rs.status != 304 && strcmp(rq.method, "HEAD") && rs.body)
        fwrite(rs.body, 1, rs.body_len, stdout);
    fflush(stdout);
    serve_response_free(&rs);
    serve_reader_close(&reader);
    free(store);
    return EXIT_DONE;
}

/* ------------------------------------------------------------ the daemon */

/* libmicrohttpd, loaded when the daemon starts: CGI mode answers one request
 * a process, and would otherwise pay at every start for loading the library
 * and the TLS stack it links (about 2 ms, more than the search). */
#ifndef MHD_SONAME
#define MHD_SONAME "libmicrohttpd.so.12"
#endif
static struct {
    __typeof__(MHD_start_daemon) *start_daemon;
    __typeof__(MHD_stop_daemon) *stop_daemon;
    __typeof__(MHD_get_connection_values_n) *get_connection_values_n;
    __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
    __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
    __typeof__(MHD_add_response_header) *add_response_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
    __typeof__(MHD_add_connection) *add_connection;
} mhd;

/* Load it; NULL, or why not. */
static const char *mhd_load(void)
{
    void *lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return dlerror();
    /* POSIX's way to a function from dlsym(): through a void * lvalue. */
#define MHD_LOAD(f) ((*(void **)&mhd.f = dlsym(lib, "MHD_" #f)) != NULL)
    if (!(MHD_LOAD(start_daemon) && MHD_LOAD(stop_daemon) && MHD_LOAD(get_connection_values_n) && MHD_LOAD(lookup_connection_value) &&
          MHD_LOAD(create_response_from_buffer) && MHD_LOAD(add_response_header) &&
          MHD_LOAD(queue_response) && MHD_LOAD(destroy_response) && MHD_LOAD(add_connection)))
        return dlerror();
#undef MHD_LOAD
    return NULL;
}

/* Each pool thread's reader, closed when the thread ends. */
static pthread_key_t g_reader_key;
static atomic_long g_in_flight;  /* requests begun and not yet completed */

static void reader_free(void *p)
{
    if (p)
        serve_reader_close(p);
    free(p);
}

static serve_reader *thread_reader(void)
{
    serve_reader *r = pthread_getspecific(g_reader_key);
    if (!r && (r = calloc(1, sizeof *r)) && pthread_setspecific(g_reader_key, r) != 0) {
        free(r);
        r = NULL;
    }
    return r;
}

typedef struct collect {
    serve_param *params;
    size_t n;
} collect;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    collect *c = cls;
    (void)kind;
    (void)key_size;
    if (c->n == SERVE_PARAMS_MAX)
        return MHD_NO;
    c->params[c->n++] = (serve_param){key, value ? value : "", value ? value_size : 0};
    return MHD_YES;
}

static void add_header(struct MHD_Response *r, const char *name, const char *value)
{
    if (value && *value)
        mhd.add_response_header(r, name, value);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **state)
{
    static int begun;
    (void)cls;
    (void)version;
    (void)upload_data;
    if (!*state) {
        /* The headers are in; answering only on the next call keeps the
         * connection alive. A request with a body is refused at once. */
        *state = &begun;
        atomic_fetch_add(&g_in_flight, 1);
        if (strcmp(method, "GET") && strcmp(method, "HEAD"))
            goto answer;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;  /* a GET with a body: the body is ignored */
        return MHD_YES;
    }
answer:;
    serve_param params[SERVE_PARAMS_MAX];
    collect c = {params, 0};
    mhd.get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &c);
    serve_request rq = {method, url, params, c.n,
                        mhd.lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match"),
                        mhd.lookup_connection_value(conn, MHD_HEADER_KIND, "Origin")};
    serve_response rs;
    serve_reader *reader = thread_reader();
    serve_reader fallback = {0};
    serve_handle(&g_cfg, reader ? reader : &fallback, &rq, &rs);
    serve_reader_close(&fallback);
    struct MHD_Response *resp =
        rs.status == 304 || !rs.body
            ? mhd.create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)
        : rs.body_static
            ? mhd.create_response_from_buffer(rs.body_len, rs.body, MHD_RESPMEM_PERSISTENT)
            : mhd.create_response_from_buffer(rs.body_len, rs.body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_NO;
    if (resp) {
        if (rs.status != 304)
            add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rs.content_type);
        add_header(resp, "X-Content-Type-Options", "nosniff");
        add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, rs.cache_control);
        add_header(resp, MHD_HTTP_HEADER_ETAG, rs.etag);
        add_header(resp, MHD_HTTP_HEADER_ALLOW, rs.allow);
        add_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, rs.retry_after);
        add_header(resp, "Server-Timing", rs.server_timing);
        if (rs.allow_origin) {
            add_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, rs.allow_origin);
            add_header(resp, MHD_HTTP_HEADER_VARY, "Origin");
        }
        if (rs.status == 405)
            add_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
        ret = mhd.queue_response(conn, (unsigned)rs.status, resp);
        mhd.destroy_response(resp);
    }
    serve_response_free(&rs);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    (void)why;
    if (*state) {
        atomic_fetch_sub(&g_in_flight, 1);
        *state = NULL;
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("rubric-serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* The listening socket: the one systemd passed (LISTEN_FDS), else one bound
 * to ADDR. -1 (said) when it cannot be had; *WHERE says what it is. */
static int listen_socket(const char *addr, char *where, size_t wsize)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    if (pid && fds && strtol(pid, NULL, 10) == (long)getpid() && strtol(fds, NULL, 10) >= 1) {
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        snprintf(where, wsize, "the socket passed by systemd");
        return 3; /* SD_LISTEN_FDS_START */
    }
    int fd = -1;
    if (strncmp(addr, "unix:", 5) == 0) {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};
        const char *path = addr + 5;
        if (!*path || strlen(path) >= sizeof sun.sun_path) {
            cli_error("rubric-serve", "usage", "--listen unix:PATH wants a path of 1 to %zu bytes",
                      sizeof sun.sun_path - 1);
            return -1;
        }
        strcpy(sun.sun_path, path);
        struct stat st;
        /* A socket left by an earlier run is replaced; anything else stays. */
        if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 || listen(fd, 128) < 0) {
            cli_error("rubric-serve", "usage", "cannot listen on '%s': %s", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        snprintf(where, wsize, "unix:%s", path);
        return fd;
    }
    /* HOST:PORT, the host in brackets for IPv6 ([::1]:8080). */
    char host[256];
    const char *colon = strrchr(addr, ':');
    size_t hlen = colon ? (size_t)(colon - addr) : 0;
    if (!colon || !colon[1] || hlen == 0 || hlen >= sizeof host) {
        cli_error("rubric-serve", "usage", "--listen wants HOST:PORT or unix:PATH, not '%s'", addr);
        return -1;
    }
    memcpy(host, addr, hlen);
    host[hlen] = '\0';
    if (host[0] == '[' && host[hlen - 1] == ']') {
        memmove(host, host + 1, hlen - 2);
        host[hlen - 2] = '\0';
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *ai = NULL;
    int gai = getaddrinfo(host, colon + 1, &hints, &ai);
    if (gai != 0) {
        cli_error("rubric-serve", "usage", "cannot listen on '%s': %s", addr, gai_strerror(gai));
        return -1;
    }
    int one = 1;
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
        cli_error("rubric-serve", "usage", "cannot listen on '%s': %s", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char shown[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &s6->sin6_addr, shown, sizeof shown);
            port = ntohs(s6->sin6_port);
            snprintf(where, wsize, "http://[%s]:%d/", shown, port);
        } else {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &s4->sin_addr, shown, sizeof shown);
            port = ntohs(s4->sin_port);
            snprintf(where, wsize, "http://%s:%d/", shown, port);
        }
    }
    return fd;
}

/* The daemons: each one thread with its own reader, fed the connections the
 * acceptor takes, in turn. libmicrohttpd's own pool lets whichever worker
 * wakes first accept every connection waiting (wrk's eight went to one
 * thread of two, the other idle); taking them here spreads them whatever
 * the socket (TCP, Unix, or systemd's). */
typedef struct pool {
    struct MHD_Daemon *d[THREADS_MAX];
    size_t n;
    int listen_fd;
    atomic_int stopping;
    pthread_t acceptor;
} pool;

static void *accept_loop(void *arg)
{
    pool *p = arg;
    size_t next = 0;
    while (!atomic_load(&p->stopping)) {
        /* Woken every ACCEPT_TICK_MS to see whether to stop: the socket
         * systemd passed is never shut down (that would end it for systemd
         * too), so nothing else would wake a blocked accept(). */
        struct pollfd pfd = {.fd = p->listen_fd, .events = POLLIN};
        if (poll(&pfd, 1, ACCEPT_TICK_MS) <= 0)
            continue;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int c = accept4(p->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            /* Out of descriptors and the like: wait, do not spin. */
            struct timespec pause = {0, 50 * 1000 * 1000};
            nanosleep(&pause, NULL);
            continue;
        }
        /* A daemon at its limit refuses the connection (and closes it). */
        mhd.add_connection(p->d[next], c, (struct sockaddr *)&ss, sl);
        next = (next + 1) % p->n;
    }
    return NULL;
}

/* Wait for SIGTERM or SIGINT (draining what is in flight) and serve SIGHUP
 * (reopening the query log) meanwhile. */
static void wait_for_signals(pool *p, const sigset_t *set)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            pthread_mutex_lock(&g_cfg.log_lock);
            if (g_cfg.query_log) {
                FILE *f = fopen(g_log_path, "a");
                if (f) {
                    fclose(g_cfg.query_log);
                    g_cfg.query_log = f;
                } else {
                    fprintf(stderr, "rubric-serve: cannot reopen query log '%s': %s\n",
                            g_log_path, strerror(errno));
                }
            }
            pthread_mutex_unlock(&g_cfg.log_lock);
            continue;
        }
        break;
    }
    /* No new connections (the acceptor ends); what was asked is answered,
     * then the rest closed. A request may still be on its way in on an open
     * connection: the server is done once none has been in flight for
     * DRAIN_QUIET_MS. */
    atomic_store(&p->stopping, 1);
    pthread_join(p->acceptor, NULL);
    close(p->listen_fd);
    struct timespec tick = {0, 10 * 1000 * 1000};
    int quiet = 0;
    for (int i = 0; i < DRAIN_SECONDS * 100 && quiet < DRAIN_QUIET_MS / 10; i++) {
        nanosleep(&tick, NULL);
        quiet = atomic_load(&g_in_flight) > 0 ? 0 : quiet + 1;
    }
    for (size_t k = 0; k < p->n; k++)
        mhd.stop_daemon(p->d[k]);
}

static int daemon_main(const options *o)
{
    char where[512] = "";
    const char *why_not = mhd_load();
    if (why_not) {
        cli_error("rubric-serve", "usage", "cannot load %s: %s", MHD_SONAME, why_not);
        return EXIT_USAGE;
    }
    int fd = listen_socket(o->listen, where, sizeof where);
    if (fd < 0)
        return EXIT_USAGE;
    /* The index may appear later (/readyz says 503 until then); say so now. */
    rubric_db *probe = NULL;
    char *why = NULL;
    if (serve_open_db(&g_cfg, &probe, &why) != RUBRIC_OK)
        fprintf(stderr, "rubric-serve: no index yet (%s): answering 503 until there is one\n",
                why ? why : "cannot open");
    rubric_db_close(probe);
    free(why);
    /* The signals are waited for by this thread alone: the pool inherits the
     * mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_key_create(&g_reader_key, reader_free);
    /* A repeated search is answered from memory (a CGI program answers
     * once, and keeps none): made before any thread that reads it. */
    if (o->answer_cache)
        g_cfg.cache = serve_cache_new((size_t)o->answer_cache << 20);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG;
    /* The limits are each daemon's: its share of them, rounded up. */
    size_t n = o->threads;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)((o->connections + n - 1) / n), NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)((o->per_address + n - 1) / n), NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)o->timeout, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY, NULL},
        {MHD_OPTION_END, 0, NULL}};
    static pool p;
    p.listen_fd = fd;
    for (p.n = 0; p.n < n; p.n++) {
        p.d[p.n] = mhd.start_daemon(flags, 0, NULL, NULL, on_request, NULL,
                                    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_ARRAY,
                                    opts, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                                    MHD_OPTION_END);
        if (!p.d[p.n])
            break;
    }
    if (p.n < n || pthread_create(&p.acceptor, NULL, accept_loop, &p) != 0) {
        cli_error("rubric-serve", "usage", "cannot start the server on %s", where);
        for (size_t k = 0; k < p.n; k++)
            mhd.stop_daemon(p.d[k]);
        close(fd);
        return EXIT_USAGE;
    }
    fprintf(stderr, "rubric-serve: listening on %s (%lu threads)\n", where, o->threads);
    fflush(stderr);
    wait_for_signals(&p, &set);
    /* The main thread's own reader, if any, and the key. */
    reader_free(pthread_getspecific(g_reader_key));
    pthread_key_delete(g_reader_key);
    if (strncmp(o->listen, "unix:", 5) == 0 && strncmp(where, "unix:", 5) == 0)
        unlink(o->listen + 5);
    return EXIT_DONE;
}

int main(int argc, char **argv)
{
    options o;
    const char *qs = getenv("QUERY_STRING");
    int cgi = getenv("GATEWAY_INTERFACE") != NULL;
    int status;
    /* Under CGI, words without '=' in the query string are not options. */
    if (cgi && qs && *qs && !strchr(qs, '='))
        argc = 1;
    if ((status = parse_options(argc, argv, &o)) >= 0)
        return status;
    if (setup(&o, &status) < 0) {
        teardown();
        if (cgi)
            printf("Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\n"
                   "rubric-serve: configuration error (see the server's log)\n");
        return status;
    }
    status = cgi ? cgi_main() : daemon_main(&o);
    teardown();
    return status;
}
