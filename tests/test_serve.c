/* test_serve.c: rubric-serve as a site's search runs it: started on a
 * loopback port (or a Unix socket, or one passed by systemd) over an index
 * of corpus/ and of hostile fixtures, asked by a client written here on raw
 * sockets (so that a half request, a slow client or many connections are
 * the test's to make), and run as a CGI program. Each check is on what an
 * answer says (status, headers, JSON), never on how long it took: a time
 * appears only as a bound after which the test gives up. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#define _XOPEN_SOURCE 700 /* realpath, for shell.h */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "html_check.h"
#include "shell.h"

static char g_index[PATH_MAX], g_query[PATH_MAX], g_serve[PATH_MAX], g_tmp[PATH_MAX];
static char g_db[PATH_MAX], g_corpus[PATH_MAX], g_hostile_db[PATH_MAX];

static void sh(cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sh(cmd *c, const char *fmt, ...)
{
    char body[8192], errpath[PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    path_join(errpath, g_tmp, "stderr");
    setenv("S", g_serve, 1);
    shell_run(c, g_tmp, g_index, g_query, errpath, body);
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* ------------------------------------------------------------ the server */

typedef struct server {
    pid_t pid;
    int port;                 /* 0 for a Unix socket */
    char err[PATH_MAX + 32];  /* its stderr */
} server;

/* Start rubric-serve with ARGS (a shell fragment) before it, as
 * "PREFIX rubric-serve ARGS", and wait for its "listening on" line. 0, or
 * -1 (said) when it did not come up within 10 s. */
static int server_start_with(server *s, const char *prefix, const char *args)
{
    static int n;
    char cmdline[4096];
    snprintf(s->err, sizeof s->err, "%s/serve-%d.err", g_tmp, n++);
    snprintf(cmdline, sizeof cmdline, "cd %s && exec %s %s %s 2>%s", sq(g_tmp), prefix,
             sq(g_serve), args, sq(s->err));
    s->port = 0;
    fflush(NULL);
    s->pid = fork();
    if (s->pid == 0) {
        execl("/bin/sh", "sh", "-c", cmdline, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) {
        char *e = slurp(s->err, NULL);
        const char *at = e ? strstr(e, "listening on ") : NULL;
        if (at) {
            const char *colon = strstr(at, "127.0.0.1:");
            s->port = colon ? atoi(colon + 10) : 0;
            free(e);
            return 0;
        }
        free(e);
        int st;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            e = slurp(s->err, NULL);
            fprintf(stderr, "  rubric-serve %s exited: %s\n", args, e ? e : "");
            free(e);
            s->pid = 0;
            return -1;
        }
        sleep_ms(20);
    }
    fprintf(stderr, "  rubric-serve %s did not say it listens\n", args);
    return -1;
}

static int server_start(server *s, const char *args)
{
    return server_start_with(s, "", args);
}

/* SIGTERM, then its exit status (128 + N when killed by signal N; -1 when
 * it did not end within 15 s, then killed). */
static int server_stop(server *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    for (int i = 0; i < 750; i++) {
        int st;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            s->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        sleep_ms(20);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    return -1;
}

/* ------------------------------------------------------------ the client */

/* Seconds a test waits for an answer before it takes it as none. */
static int g_wait = 10;

static int connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {g_wait, 0};  /* a test gives up on a silent server */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_unix(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

typedef struct reply {
    int status;       /* 0: no answer (closed, or timed out) */
    char *head;       /* status line and headers */
    char *body;
    size_t body_len;
} reply;

static void reply_free(reply *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof *r);
}

static int send_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
        if (k <= 0)
            return -1;
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The value of header NAME in R (into a static buffer), or NULL. */
static const char *header(const reply *r, const char *name)
{
    static char value[512];
    size_t n = strlen(name);
    for (const char *line = r->head ? strstr(r->head, "\r\n") : NULL; line && line[2];
         line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
            h += n + 1;
            while (*h == ' ')
                h++;
            size_t len = strcspn(h, "\r\n");
            snprintf(value, sizeof value, "%.*s", (int)len, h);
            return value;
        }
    }
    return NULL;
}

/* Read one answer from FD into R; HEAD says it has no body. */
static void read_reply(int fd, int head, reply *r)
{
    memset(r, 0, sizeof *r);
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    char *end = NULL;
    if (buf)
        buf[0] = '\0';
    while (buf && !(end = strstr(buf, "\r\n\r\n"))) {
        if (n == cap)
            break;
        ssize_t k = recv(fd, buf + n, cap - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        buf[n] = '\0';
    }
    if (!buf || !end) {
        free(buf);
        return;
    }
    size_t hlen = (size_t)(end - buf) + 4;
    r->head = strndup(buf, hlen);
    r->status = atoi(buf + 9);
    const char *cl = header(r, "Content-Length");
    size_t want = head || r->status == 304 || !cl ? 0 : (size_t)atol(cl);
    r->body = malloc(want + 1);
    size_t have = n - hlen < want ? n - hlen : want;
    memcpy(r->body, buf + hlen, have);
    while (have < want) {
        ssize_t k = recv(fd, r->body + have, want - have, 0);
        if (k <= 0)
            break;
        have += (size_t)k;
    }
    r->body[have] = '\0';
    r->body_len = have;
    free(buf);
}

/* One request, on a connection of its own: METHOD TARGET with the extra
 * header lines EXTRA ("" for none). */
static void request(int port, const char *method, const char *target, const char *extra,
                    reply *r)
{
    char req[16384];
    snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n",
             method, target, extra);
    int fd = connect_port(port);
    memset(r, 0, sizeof *r);
    if (fd < 0)
        return;
    if (send_all(fd, req, strlen(req)) == 0)
        read_reply(fd, strcmp(method, "HEAD") == 0, r);
    close(fd);
}

static void get(int port, const char *target, reply *r)
{
    request(port, "GET", target, "", r);
}

/* The JSON body of R's answer, parsed (caller frees), or NULL (said). */
static cJSON *json_body(const reply *r, const char *what)
{
    cJSON *j = r->body ? cJSON_Parse(r->body) : NULL;
    if (!j)
        fprintf(stderr, "  %s: not JSON: %s\n", what, r->body ? r->body : "(no answer)");
    return j;
}

static const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The error code of an error answer, or "" (into a static buffer). */
static const char *error_code(const reply *r, const char **param)
{
    static char code[64], par[64];
    cJSON *j = r->body ? cJSON_Parse(r->body) : NULL;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    snprintf(code, sizeof code, "%s", json_str(e, "code") ? json_str(e, "code") : "");
    snprintf(par, sizeof par, "%s", json_str(e, "param") ? json_str(e, "param") : "");
    cJSON_Delete(j);
    if (param)
        *param = par;
    return code;
}

static server g_srv;  /* started once over g_db, for most tests */

/* ------------------------------------------------------------------ tests */

static void a_search_answers_the_api_document_with_its_headers(void)
{
    reply r;
    get(g_srv.port, "/api/v1/search?q=Bushehr", &r);
    CHECK(r.status == 200);
    CHECK_STR(header(&r, "Content-Type"), "application/json; charset=utf-8");
    CHECK_STR(header(&r, "X-Content-Type-Options"), "nosniff");
    CHECK_STR(header(&r, "Cache-Control"), "public, max-age=30");
    CHECK(header(&r, "ETag") && header(&r, "ETag")[0] == '"');
    CHECK(header(&r, "Server-Timing") && strncmp(header(&r, "Server-Timing"), "search;dur=", 11) == 0);
    CHECK(!header(&r, "Access-Control-Allow-Origin"));
    cJSON *j = json_body(&r, "search");
    const cJSON *hits = cJSON_GetObjectItemCaseSensitive(j, "hits");
    const cJSON *h = cJSON_GetArrayItem(hits, 0);
    CHECK_STR(json_str(h, "title"), "Nuclear Cooperation");
    CHECK_STR(json_str(h, "url"), "russia-balancing-act.txt#nuclear-cooperation");
    CHECK(json_str(h, "link") && strstr(json_str(h, "link"), "#nuclear-cooperation:~:text=Bushehr"));
    CHECK(json_str(h, "snippet_html") && strstr(json_str(h, "snippet_html"), "<mark>Bushehr</mark>"));
    const cJSON *page = cJSON_GetObjectItemCaseSensitive(h, "page");
    CHECK_STR(json_str(page, "path"), "russia-balancing-act.txt");
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(j, "total");
    CHECK_STR(json_str(total, "relation"), "eq");
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "took_ms")));
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "index"), "revision")));
    /* Never a path of this machine. */
    CHECK(!strstr(r.body, g_tmp) && !strstr(r.body, g_corpus));
    cJSON_Delete(j);
    reply_free(&r);
}

/* Each parameter's values, good and bad: the status, and the error's code
 * and parameter when it is one. */
static void each_parameter_is_checked_and_a_bad_value_named(void)
{
    static const struct {
        const char *target;
        int status;
        const char *code, *param;
    } cases[] = {
        {"/api/v1/search?q=hive", 200, "", ""},
        {"/api/v1/search", 400, "missing_q", "q"},
        {"/api/v1/search?q=", 400, "bad_query", "q"},
        {"/api/v1/search?q=NOT+hive", 400, "bad_query", "q"},
        {"/api/v1/search?q=-hive", 200, "", ""},  /* an option, searched for */
        {"/api/v1/search?q=%FF%FE", 400, "bad_utf8", "q"},
        {"/api/v1/search?q=hive%00x", 400, "bad_utf8", "q"},
        {"/api/v1/search?q=hive&limit=1", 200, "", ""},
        {"/api/v1/search?q=hive&limit=50", 200, "", ""},
        {"/api/v1/search?q=hive&limit=0", 400, "bad_param", "limit"},
        {"/api/v1/search?q=hive&limit=51", 400, "bad_param", "limit"},
        {"/api/v1/search?q=hive&limit=ten", 400, "bad_param", "limit"},
        {"/api/v1/search?q=hive&limit=", 400, "bad_param", "limit"},
        {"/api/v1/search?q=hive&limit=-1", 400, "bad_param", "limit"},
        {"/api/v1/search?q=hive&limit=99999999999999999999", 400, "bad_param", "limit"},
        {"/api/v1/search?q=hive&offset=1000", 200, "", ""},
        {"/api/v1/search?q=hive&offset=1001", 400, "bad_param", "offset"},
        {"/api/v1/search?q=hive&group=page", 200, "", ""},
        {"/api/v1/search?q=hive&group=none", 200, "", ""},
        {"/api/v1/search?q=hive&group=site", 400, "bad_param", "group"},
        {"/api/v1/search?q=hive&group=page&per_page=10", 200, "", ""},
        {"/api/v1/search?q=hive&group=page&per_page=11", 400, "bad_param", "per_page"},
        {"/api/v1/search?q=hive&per_page=0", 400, "bad_param", "per_page"},
        {"/api/v1/search?q=hiv&prefix=1", 200, "", ""},
        {"/api/v1/search?q=hive&prefix=2", 400, "bad_param", "prefix"},
        {"/api/v1/search?q=hive&correct=0", 200, "", ""},
        {"/api/v1/search?q=hive&correct=yes", 400, "bad_param", "correct"},
        {"/api/v1/search?q=hive&fragments=5", 200, "", ""},
        {"/api/v1/search?q=hive&fragments=6", 400, "bad_param", "fragments"},
        {"/api/v1/search?q=hive&boilerplate=1", 200, "", ""},
        {"/api/v1/search?q=hive&boilerplate=x", 400, "bad_param", "boilerplate"},
        {"/api/v1/search?q=hive&path=urban-beekeeping.txt", 200, "", ""},
        {"/api/v1/search?q=hive&path=", 400, "bad_param", "path"},
        {"/api/v1/search?q=hive&tag=%FF", 400, "bad_param", "tag"},
        {"/api/v1/search?q=hive&lang=en&lang=fr", 200, "", ""},
        {"/api/v1/search?q=hive&unknown=1", 200, "", ""},
        {"/api/v1/search?q=hive&facets=section,lang,tag", 200, "", ""},
        {"/api/v1/search?q=hive&facets=tag", 200, "", ""},
        {"/api/v1/search?q=hive&facets=", 400, "bad_param", "facets"},
        {"/api/v1/search?q=hive&facets=tags", 400, "bad_param", "facets"},
        {"/api/v1/search?q=hive&facets=tag,,lang", 400, "bad_param", "facets"},
        {"/api/v1/search?q=a*", 200, "", ""},
        {"/api/v2/search?q=hive", 404, "not_found", ""},
        {"/nothing", 404, "not_found", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        reply r;
        const char *param = NULL;
        get(g_srv.port, cases[i].target, &r);
        const char *code = r.status == 200 ? "" : error_code(&r, &param);
        if (r.status != cases[i].status || strcmp(code, cases[i].code) ||
            (r.status != 200 && strcmp(param, cases[i].param))) {
            fprintf(stderr, "  %s: got %d %s (%s), want %d %s (%s)\n", cases[i].target, r.status,
                    code, param ? param : "", cases[i].status, cases[i].code, cases[i].param);
            harness_current_failed = 1;
        }
        if (r.status >= 400 && !strstr(header(&r, "Content-Type") ? header(&r, "Content-Type") : "",
                                       "application/json")) {
            fprintf(stderr, "  %s: an error that is not JSON\n", cases[i].target);
            harness_current_failed = 1;
        }
        reply_free(&r);
    }
    /* A filter's value is never query syntax: the OR is part of the path. */
    reply r;
    get(g_srv.port, "/api/v1/search?q=hive&path=urban-beekeeping.txt+OR+x", &r);
    cJSON *j = json_body(&r, "filter with OR");
    CHECK(r.status == 200 && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "hits")) == 0);
    cJSON_Delete(j);
    reply_free(&r);
    get(g_srv.port, "/api/v1/search?q=hive&path=urban-beekeeping.txt", &r);
    j = json_body(&r, "filter");
    CHECK(r.status == 200 && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "hits")) > 0);
    cJSON_Delete(j);
    reply_free(&r);
}

static void a_long_query_is_414_and_other_methods_405(void)
{
    char target[1200] = "/api/v1/search?q=";
    size_t n = strlen(target);
    for (int i = 0; i < 513; i++)
        target[n++] = 'a';
    target[n] = '\0';
    reply r;
    get(g_srv.port, target, &r);
    CHECK(r.status == 414);
    CHECK_STR(error_code(&r, NULL), "q_too_long");
    reply_free(&r);
    target[n - 1] = '\0';  /* 512 bytes: answered */
    get(g_srv.port, target, &r);
    CHECK(r.status == 200 || r.status == 400);
    reply_free(&r);
    static const char *const methods[] = {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"};
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
        request(g_srv.port, methods[i], "/api/v1/search?q=hive",
                strcmp(methods[i], "POST") ? "" : "Content-Length: 5\r\n\r\nabcde", &r);
        if (r.status != 405 || !header(&r, "Allow") || strcmp(header(&r, "Allow"), "GET, HEAD")) {
            fprintf(stderr, "  %s: got %d, Allow %s\n", methods[i], r.status,
                    header(&r, "Allow") ? header(&r, "Allow") : "(none)");
            harness_current_failed = 1;
        }
        reply_free(&r);
    }
}

static void head_has_no_body_and_an_etag_gives_304(void)
{
    reply r, h, again, other;
    get(g_srv.port, "/api/v1/search?q=mediation", &r);
    request(g_srv.port, "HEAD", "/api/v1/search?q=mediation", "", &h);
    CHECK(r.status == 200 && h.status == 200 && h.body_len == 0);
    char etag[128] = "", extra[256];
    snprintf(etag, sizeof etag, "%s", header(&r, "ETag") ? header(&r, "ETag") : "");
    CHECK(etag[0] && header(&h, "ETag") && strcmp(header(&h, "ETag"), etag) == 0);
    snprintf(extra, sizeof extra, "If-None-Match: %s\r\n", etag);
    request(g_srv.port, "GET", "/api/v1/search?q=mediation", extra, &again);
    CHECK(again.status == 304 && again.body_len == 0);
    CHECK(header(&again, "ETag") && strcmp(header(&again, "ETag"), etag) == 0);
    /* Another query has another tag. */
    request(g_srv.port, "GET", "/api/v1/search?q=mediation&limit=2", extra, &other);
    CHECK(other.status == 200);
    reply_free(&r);
    reply_free(&h);
    reply_free(&again);
    reply_free(&other);
}

static void one_connection_answers_several_requests(void)
{
    int fd = connect_port(g_srv.port);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    static const char req[] = "GET /api/v1/search?q=hive HTTP/1.1\r\nHost: x\r\n\r\n";
    int answered = 0;
    for (int i = 0; i < 5; i++) {
        reply r;
        if (send_all(fd, req, sizeof req - 1) < 0)
            break;
        read_reply(fd, 0, &r);
        answered += r.status == 200 && !(header(&r, "Connection") &&
                                         strcasecmp(header(&r, "Connection"), "close") == 0);
        reply_free(&r);
    }
    CHECK(answered == 5);
    close(fd);
}

static void probes_index_figures_and_the_page_without_script(void)
{
    reply r;
    get(g_srv.port, "/healthz", &r);
    CHECK(r.status == 200 && strstr(r.body, "\"ok\""));
    reply_free(&r);
    get(g_srv.port, "/readyz", &r);
    CHECK(r.status == 200 && strstr(r.body, "\"ready\"") && strstr(r.body, "\"revision\":"));
    reply_free(&r);
    get(g_srv.port, "/api/v1/index", &r);
    cJSON *j = json_body(&r, "index");
    CHECK(r.status == 200 && cJSON_GetObjectItemCaseSensitive(j, "passages") &&
          cJSON_GetObjectItemCaseSensitive(j, "files")->valuedouble == 2);
    CHECK(!strstr(r.body, g_tmp));
    cJSON_Delete(j);
    reply_free(&r);
    get(g_srv.port, "/metrics", &r);  /* not asked for */
    CHECK(r.status == 404);
    reply_free(&r);
    get(g_srv.port, "/search?q=Bushehr", &r);
    CHECK(r.status == 200 && header(&r, "Content-Type") &&
          strcmp(header(&r, "Content-Type"), "text/html; charset=utf-8") == 0);
    CHECK(strstr(r.body, "<form role=\"search\" action=\"search\""));
    CHECK(strstr(r.body, "href=\"russia-balancing-act.txt#nuclear-cooperation:~:text=Bushehr"));
    CHECK(strstr(r.body, "<mark>Bushehr</mark>"));
    CHECK(strstr(r.body, "value=\"Bushehr\""));
    reply_free(&r);
    get(g_srv.port, "/search?q=mediatoin", &r);  /* a typo: did you mean */
    CHECK(r.status == 200 && strstr(r.body, "Showing results for") &&
          strstr(r.body, "search?q=mediatoin&amp;correct=0"));
    reply_free(&r);
    get(g_srv.port, "/", &r);
    CHECK(r.status == 200 && strstr(r.body, "<form role=\"search\""));
    reply_free(&r);
    get(g_srv.port, "/rubric.css", &r);
    CHECK(r.status == 200 && strstr(header(&r, "Content-Type"), "text/css"));
    reply_free(&r);
}

/* Markup in titles, paths, anchors and text reaches neither the page nor
 * the JSON unescaped: the only tags in an _html field are <mark>s, and the
 * page holds only the tags it writes itself. (A field that is not _html is
 * text, escaped for JSON and to be escaped by whoever shows it.) */
static void hostile_documents_never_reach_a_page_unescaped(void)
{
    server s;
    char args[PATH_MAX + 64];
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0", sq(g_hostile_db));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    static const char *const api[] = {"/api/v1/search?q=zygomorph",
                                      "/api/v1/search?q=zygomorph&group=page&fragments=2",
                                      "/api/v1/search?q=zygomorph+alert+script+img"};
    for (size_t i = 0; i < sizeof api / sizeof *api; i++) {
        reply r;
        get(s.port, api[i], &r);
        cJSON *j = json_body(&r, api[i]);
        const char *bad = NULL;
        CHECK(r.status == 200 && j && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "hits")) +
                                              cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "pages")) > 0);
        if (j && !html_marks_only(j, 0, &bad)) {
            fprintf(stderr, "  %s: a tag in an _html field: %s\n", api[i], bad);
            harness_current_failed = 1;
        }
        cJSON_Delete(j);
        reply_free(&r);
    }
    static const char *const pages[] = {"/search?q=zygomorph", "/search?q=zygomorph+alert+img",
                                        "/search?q=%3Cscript%3Ezygomorph%22%3E",
                                        "/search?q=%3Cscript%3E"};
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        reply r;
        char why[256];
        get(s.port, pages[i], &r);
        CHECK(r.status == 200 || r.status == 400);
        if (!r.body || !html_page_is_ours(r.body, why, sizeof why)) {
            fprintf(stderr, "  %s: not the page's own markup: %s\n", pages[i], r.body ? why : "");
            harness_current_failed = 1;
        }
        if (i == 0)
            CHECK(r.body && strstr(r.body, "<mark>zygomorph</mark>"));
        reply_free(&r);
    }
    CHECK(server_stop(&s) == 0);
}

static void cors_answers_only_the_origins_allowed(void)
{
    server s;
    char args[PATH_MAX + 128];
    snprintf(args, sizeof args,
             "--db %s --listen 127.0.0.1:0 --allow-origin https://docs.example.org", sq(g_db));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    reply r;
    request(s.port, "GET", "/api/v1/search?q=hive", "Origin: https://docs.example.org\r\n", &r);
    CHECK_STR(header(&r, "Access-Control-Allow-Origin"), "https://docs.example.org");
    CHECK_STR(header(&r, "Vary"), "Origin");
    reply_free(&r);
    request(s.port, "GET", "/api/v1/search?q=hive", "Origin: https://evil.example\r\n", &r);
    CHECK(r.status == 200 && !header(&r, "Access-Control-Allow-Origin"));
    reply_free(&r);
    CHECK(server_stop(&s) == 0);
}

static void a_half_request_is_closed_and_connections_are_capped(void)
{
    server s;
    char args[PATH_MAX + 128];
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0 --timeout 1 --connections 3",
             sq(g_db));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    /* Half a request, then silence: closed by the server, without an answer. */
    int fd = connect_port(s.port);
    CHECK(fd >= 0 && send_all(fd, "GET /api/v1/search?q=hive HTTP/1.1\r\nHo", 38) == 0);
    char buf[256];
    ssize_t k = fd >= 0 ? recv(fd, buf, sizeof buf, 0) : -1;  /* gives up after 10 s */
    CHECK(k == 0);
    if (fd >= 0)
        close(fd);
    CHECK(server_stop(&s) == 0);
    /* Three silent connections fill the cap: a fourth is not served while
     * they stay (it waits, unanswered), and is once they are gone. */
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0 --timeout 20 --connections 3 "
             "--threads 1", sq(g_db));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    int idle[3];
    for (int i = 0; i < 3; i++)
        idle[i] = connect_port(s.port);
    sleep_ms(200);
    reply r;
    g_wait = 2;
    get(s.port, "/healthz", &r);
    g_wait = 10;
    CHECK(r.status == 0);
    reply_free(&r);
    for (int i = 0; i < 3; i++)
        if (idle[i] >= 0)
            close(idle[i]);
    sleep_ms(200);
    get(s.port, "/healthz", &r);
    CHECK(r.status == 200);
    reply_free(&r);
    CHECK(server_stop(&s) == 0);
}

/* Requests keep being answered while the index is reindexed and rebuilt:
 * none fails, and the revision never goes back. */
static void requests_during_reindexing_and_rebuilds_never_fail(void)
{
    char db[PATH_MAX], args[PATH_MAX + 64], extra[PATH_MAX];
    path_join(db, g_tmp, "live.db");
    path_join(extra, g_tmp, "live-extra.txt");
    cmd c;
    sh(&c, "\"$I\" -q --db %s %s", sq(db), sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
    server s;
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0", sq(db));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    fflush(NULL);
    pid_t writer = fork();
    if (writer == 0) {
        /* Reindexes with a changing file, and rebuilds, until killed. */
        char body[3 * PATH_MAX + 512];
        snprintf(body, sizeof body,
                 "i=0; while :; do i=$((i+1)); printf 'Live\\n\\nqwertyzap %%s\\n' $i > %s; "
                 "%s -q --db %s %s %s 2>/dev/null; %s -q --rebuild --db %s %s %s 2>/dev/null; done",
                 sq(extra), sq(g_index), sq(db), sq(g_corpus), sq(extra), sq(g_index), sq(db),
                 sq(g_corpus), sq(extra));
        execl("/bin/sh", "sh", "-c", body, (char *)NULL);
        _exit(127);
    }
    int failed = 0, total = 0, backwards = 0, fd = -1;
    double last = 0;
    static const char *const queries[] = {"Bushehr", "hive", "mediation", "qwertyzap", "nuclear"};
    /* 2,000 requests at least, and on until the revision has moved twice
     * (repeats answered from the answer cache go faster than a rebuild). */
    for (int i = 0; i < 200000 && (i < 2000 || last <= 2); i++) {
        char req[256];
        snprintf(req, sizeof req, "GET /api/v1/search?q=%s HTTP/1.1\r\nHost: x\r\n\r\n",
                 queries[i % 5]);
        if (fd < 0)
            fd = connect_port(s.port);
        reply r;
        if (fd < 0 || send_all(fd, req, strlen(req)) < 0) {
            failed++;
            if (fd >= 0)
                close(fd);
            fd = -1;
            continue;
        }
        read_reply(fd, 0, &r);
        total++;
        cJSON *j = r.status == 200 ? cJSON_Parse(r.body) : NULL;
        const cJSON *rev = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(j, "index"), "revision");
        if (!cJSON_IsNumber(rev)) {
            if (failed++ < 3)
                fprintf(stderr, "  request %d: %d %s\n", i, r.status, r.body ? r.body : "");
            close(fd);
            fd = -1;
        } else {
            backwards += rev->valuedouble < last;
            last = rev->valuedouble;
        }
        cJSON_Delete(j);
        reply_free(&r);
    }
    if (fd >= 0)
        close(fd);
    kill(writer, SIGKILL);
    waitpid(writer, NULL, 0);
    CHECK(total >= 2000 && failed == 0 && backwards == 0);
    CHECK(last > 2);  /* the revisions moved while it ran */
    if (failed || backwards)
        fprintf(stderr, "  %d of %d failed, %d went back\n", failed, total, backwards);
    CHECK(server_stop(&s) == 0);
    sh(&c, "rm -rf %s; rm -f %s", sq(db), sq(extra));
    cmd_free(&c);
}

/* SIGTERM: a request sent just before is answered, then the server exits 0. */
static void sigterm_drains_what_was_asked_and_exits_0(void)
{
    server s;
    char args[PATH_MAX + 64];
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0", sq(g_db));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    /* A connection the server has taken (one answer on it already), then a
     * request on it and the signal at once. */
    int fd = connect_port(s.port);
    static const char first[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char req[] =
        "GET /api/v1/search?q=mediation HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    reply r;
    CHECK(fd >= 0 && send_all(fd, first, sizeof first - 1) == 0);
    read_reply(fd, 0, &r);
    CHECK(r.status == 200);
    reply_free(&r);
    CHECK(fd >= 0 && send_all(fd, req, sizeof req - 1) == 0);
    kill(s.pid, SIGTERM);
    read_reply(fd, 0, &r);
    CHECK(r.status == 200 && r.body_len > 0);
    reply_free(&r);
    close(fd);
    int st = 0;
    for (int i = 0; i < 750 && waitpid(s.pid, &st, WNOHANG) != s.pid; i++)
        sleep_ms(20);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    s.pid = 0;
    /* It no longer listens. */
    CHECK(connect_port(s.port) < 0);
}

static void a_unix_socket_and_a_socket_passed_by_systemd_serve_too(void)
{
    server s;
    char sock[PATH_MAX], args[2 * PATH_MAX + 64];
    path_join(sock, g_tmp, "rubric.sock");
    snprintf(args, sizeof args, "--db %s --listen unix:%s", sq(g_db), sq(sock));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    int fd = connect_unix(sock);
    static const char req[] = "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    reply r;
    CHECK(fd >= 0 && send_all(fd, req, sizeof req - 1) == 0);
    read_reply(fd, 0, &r);
    CHECK(r.status == 200);
    reply_free(&r);
    if (fd >= 0)
        close(fd);
    CHECK(server_stop(&s) == 0);
    struct stat st;
    CHECK(stat(sock, &st) != 0);  /* removed on the way out */

    if (access("/usr/bin/systemd-socket-activate", X_OK) != 0) {
        printf("SKIP socket activation: systemd-socket-activate missing (Debian systemd)\n");
        return;
    }
    /* systemd-socket-activate binds, then runs the server with LISTEN_FDS. */
    path_join(sock, g_tmp, "activated.sock");
    char prefix[PATH_MAX + 64];
    snprintf(prefix, sizeof prefix, "systemd-socket-activate -l %s", sq(sock));
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:1", sq(g_db));
    server a;
    fflush(NULL);
    a.pid = fork();
    if (a.pid == 0) {
        char line[4 * PATH_MAX];
        snprintf(line, sizeof line, "exec %s %s %s 2>/dev/null", prefix, sq(g_serve), args);
        execl("/bin/sh", "sh", "-c", line, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 250 && stat(sock, &st) != 0; i++)
        sleep_ms(20);
    fd = connect_unix(sock);
    CHECK(fd >= 0 && send_all(fd, req, sizeof req - 1) == 0);
    read_reply(fd, 0, &r);
    CHECK(r.status == 200 && strstr(r.body, "\"ready\""));
    reply_free(&r);
    if (fd >= 0)
        close(fd);
    kill(a.pid, SIGTERM);
    waitpid(a.pid, NULL, 0);
}

static void readyz_is_503_until_an_index_can_be_opened(void)
{
    server s;
    char db[PATH_MAX], args[PATH_MAX + 64];
    path_join(db, g_tmp, "later.db");
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0", sq(db));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    reply r;
    get(s.port, "/readyz", &r);
    CHECK(r.status == 503 && header(&r, "Retry-After"));
    CHECK_STR(error_code(&r, NULL), "index_unavailable");
    CHECK(r.body && !strstr(r.body, g_tmp));  /* the reason, not the folder */
    reply_free(&r);
    get(s.port, "/api/v1/search?q=hive", &r);
    CHECK(r.status == 503);
    reply_free(&r);
    get(s.port, "/healthz", &r);
    CHECK(r.status == 200);
    reply_free(&r);
    cmd c;
    sh(&c, "\"$I\" -q --db %s %s", sq(db), sq(g_corpus));
    cmd_free(&c);
    get(s.port, "/api/v1/search?q=hive", &r);
    CHECK(r.status == 200);
    if (r.status != 200)
        fprintf(stderr, "  after indexing: %d %s\n", r.status, r.body ? r.body : "");
    reply_free(&r);
    CHECK(server_stop(&s) == 0);
}

static void metrics_and_the_query_log_when_asked_for(void)
{
    server s;
    char log[PATH_MAX], moved[PATH_MAX], args[2 * PATH_MAX + 64];
    path_join(log, g_tmp, "queries.jsonl");
    path_join(moved, g_tmp, "queries.jsonl.1");
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0 --metrics --query-log %s",
             sq(g_db), sq(log));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    reply r;
    get(s.port, "/api/v1/search?q=Bushehr", &r);
    reply_free(&r);
    get(s.port, "/api/v1/search?q=zzzqqqxxx&correct=0", &r);
    reply_free(&r);
    get(s.port, "/metrics", &r);
    CHECK(r.status == 200 && strstr(header(&r, "Content-Type"), "text/plain"));
    CHECK(strstr(r.body, "rubric_requests_total{endpoint=\"search\",code=\"200\"} 2"));
    CHECK(strstr(r.body, "rubric_zero_result_queries_total 1"));
    CHECK(strstr(r.body, "rubric_search_duration_seconds_count 2"));
    CHECK(strstr(r.body, "rubric_index_revision 1"));
    reply_free(&r);
    char *text = slurp(log, NULL);
    CHECK(text && strstr(text, "\"query\":\"Bushehr\"") && strstr(text, "\"query\":\"zzzqqqxxx\""));
    CHECK(text && !strstr(text, "127.0.0.1"));  /* no address is logged */
    free(text);
    /* Rotated: SIGHUP makes it write to a new file of the same name. */
    CHECK(rename(log, moved) == 0);
    kill(s.pid, SIGHUP);
    sleep_ms(200);
    get(s.port, "/api/v1/search?q=mediation", &r);
    reply_free(&r);
    text = slurp(log, NULL);
    CHECK(text && strstr(text, "\"query\":\"mediation\""));
    free(text);
    CHECK(server_stop(&s) == 0);
}

/* The body of GET TARGET from PORT (malloc'd, "" for none), and whether
 * its Server-Timing says it came from the answer cache, into *CACHED. */
static char *get_body(int port, const char *target, int *cached)
{
    reply r;
    get(port, target, &r);
    const char *timing = r.status == 200 ? header(&r, "Server-Timing") : NULL;
    *cached = timing && strncmp(timing, "cache;", 6) == 0;
    char *body = strdup(r.status == 200 && r.body ? r.body : "");
    reply_free(&r);
    return body;
}

/* A repeated search is answered from the answer cache (Server-Timing says
 * so) with the same document, logged and counted like the first; after a
 * reindex, and with an index made anew in the same folder (its revisions
 * counted from 1 again), the answer is searched afresh; --answer-cache 0
 * keeps none. */
static void a_repeated_search_is_answered_again_until_the_index_changes(void)
{
    char dir[PATH_MAX], file[PATH_MAX], db[PATH_MAX], log[PATH_MAX], args[3 * PATH_MAX];
    path_join(dir, g_tmp, "repeat");
    path_join(file, dir, "finch.txt");
    path_join(db, g_tmp, "repeat.db");
    path_join(log, g_tmp, "repeat.jsonl");
    static const char one[] = "Finches\n\nThe zebrafinchery holds the first flock.\n",
                      two[] = "Finches\n\nThe zebrafinchery holds the second flock.\n",
                      three[] = "Finches\n\nThe zebrafinchery holds the third flock.\n";
    cmd c;
    CHECK(mkdir(dir, 0755) == 0 && write_file(file, one, sizeof one - 1) == 0);
    sh(&c, "\"$I\" -q --db %s %s", sq(db), sq(dir));
    CHECK(c.status == 0);
    cmd_free(&c);
    server s;
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0 --metrics --query-log %s", sq(db),
             sq(log));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    static const char *const targets[] = {"/api/v1/search?q=zebrafinchery",
                                          "/search?q=zebrafinchery"};
    for (size_t t = 0; t < 2; t++) {
        int hit1 = 1, hit2 = 0;
        char *a = get_body(s.port, targets[t], &hit1), *b = get_body(s.port, targets[t], &hit2);
        CHECK(!hit1 && hit2);
        CHECK(strstr(a, "first") && strcmp(a, b) == 0);
        free(a);
        free(b);
    }
    reply r;
    get(s.port, "/metrics", &r);
    CHECK(r.body && strstr(r.body, "rubric_cached_answers_total 2"));
    reply_free(&r);
    char *text = slurp(log, NULL);
    size_t lines = 0;
    for (const char *at = text; at && (at = strstr(at, "\"query\":\"zebrafinchery\"")); at++)
        lines++;
    CHECK(lines == 4);
    free(text);
    /* Reindexed: searched again, the new text found. */
    int hit = 1;
    CHECK(write_file(file, two, sizeof two - 1) == 0);
    sh(&c, "\"$I\" -q --db %s %s", sq(db), sq(dir));
    cmd_free(&c);
    char *body = get_body(s.port, targets[0], &hit);
    CHECK(!hit && strstr(body, "second"));
    free(body);
    /* Made anew in the same folder, and changed once: at the same revision
     * as the answer kept. */
    body = get_body(s.port, targets[0], &hit);
    CHECK(hit);
    free(body);
    sh(&c, "rm -rf %s && \"$I\" -q --db %s %s", sq(db), sq(db), sq(dir));
    cmd_free(&c);
    CHECK(write_file(file, three, sizeof three - 1) == 0);
    sh(&c, "\"$I\" -q --db %s %s", sq(db), sq(dir));
    cmd_free(&c);
    body = get_body(s.port, targets[0], &hit);
    CHECK(!hit && strstr(body, "third"));
    free(body);
    CHECK(server_stop(&s) == 0);
    /* None kept when asked for none. */
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0 --answer-cache 0", sq(db));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    for (int i = 0; i < 2; i++) {
        body = get_body(s.port, targets[0], &hit);
        CHECK(!hit && strstr(body, "third"));
        free(body);
    }
    CHECK(server_stop(&s) == 0);
    sh(&c, "rm -rf %s %s %s", sq(db), sq(dir), sq(log));
    cmd_free(&c);
}

/* The bytes /metrics says the answer cache holds, or -1. */
static long cache_bytes(int port)
{
    reply r;
    get(port, "/metrics", &r);
    const char *at = r.body ? strstr(r.body, "\nrubric_answer_cache_bytes ") : NULL;
    long n = at ? strtol(at + strlen("\nrubric_answer_cache_bytes "), NULL, 10) : -1;
    reply_free(&r);
    return n;
}

/* The answer cache holds no more than its size: with 1 MiB, answers of
 * some 50 kB each (the same search under other keys: a parameter the API
 * ignores still names another request) go from the least recently used,
 * and one asked every other time stays. */
static void the_answer_cache_keeps_within_its_size(void)
{
    server s;
    char args[PATH_MAX + 64], target[128];
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0 --metrics --answer-cache 1",
             sq(g_db));
    if (server_start(&s, args) < 0) {
        harness_current_failed = 1;
        return;
    }
    int hit = 0, over = 0;
    long most = 0;
    size_t answer = 0;
    for (int i = 0; i < 80; i++) {
        snprintf(target, sizeof target, "/api/v1/search?q=the&limit=50&fragments=5&v=%d",
                 i % 2 ? 0 : i);
        char *body = get_body(s.port, target, &hit);
        if (i == 2)
            answer = strlen(body);
        free(body);
        long held = cache_bytes(s.port);
        most = held > most ? held : most;
        over += held > 1L << 20;
    }
    CHECK(answer > 20000);  /* 40 answers that big fill 1 MiB */
    CHECK(over == 0 && most > (1L << 20) / 2);
    if (over || most <= (1L << 20) / 2)
        fprintf(stderr, "  %d times over 1 MiB; at most %ld bytes held\n", over, most);
    /* v=0, asked every other time, is still kept; v=2 long gone. */
    char *body = get_body(s.port, "/api/v1/search?q=the&limit=50&fragments=5&v=0", &hit);
    CHECK(hit);
    free(body);
    body = get_body(s.port, "/api/v1/search?q=the&limit=50&fragments=5&v=2", &hit);
    CHECK(!hit);
    free(body);
    CHECK(server_stop(&s) == 0);
}

/* CGI mode: the environment in, Status and headers and the same document
 * out; HEAD without a body; errors as the daemon gives them. */
/* The body of the search TARGET on a server started with ARGS, or NULL. */
static char *answer_of(const char *args, const char *target)
{
    server s;
    if (server_start(&s, args) < 0)
        return NULL;
    reply r;
    get(s.port, target, &r);
    char *body = r.status == 200 && r.body ? strdup(r.body) : NULL;
    reply_free(&r);
    CHECK(server_stop(&s) == 0);
    return body;
}

static void a_set_of_shards_or_several_indexes_answer_as_one_index(void)
{
    cmd c;
    char set[PATH_MAX];
    path_join(set, g_tmp, "set.db");
    sh(&c, "\"$I\" -q --shards 2 --db %s %s", sq(set), sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
    static const char target[] = "/api/v1/search?q=queen+bee&limit=20&fragments=2";
    char args[3 * PATH_MAX];
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0 --answer-cache 0", sq(g_db));
    char *one = answer_of(args, target);
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0 --answer-cache 0", sq(set));
    char *whole = answer_of(args, target);
    char a[PATH_MAX], b[PATH_MAX];
    path_join(a, set, "shard-0");
    path_join(b, set, "shard-1");
    snprintf(args, sizeof args, "--db %s --db %s --listen 127.0.0.1:0 --answer-cache 0", sq(a),
             sq(b));
    char *both = answer_of(args, target);
    /* The same document, but for the time each search took and the
     * index's revision (a set's is the sum of its shards'). */
    cJSON *j[3] = {one ? cJSON_Parse(one) : NULL, whole ? cJSON_Parse(whole) : NULL,
                   both ? cJSON_Parse(both) : NULL};
    for (int k = 0; k < 3; k++) {
        cJSON_DeleteItemFromObject(j[k], "took_ms");
        cJSON_DeleteItemFromObject(j[k], "index");
    }
    cJSON *j1 = j[0], *j2 = j[1], *j3 = j[2];
    CHECK(j1 && cJSON_GetArraySize(cJSON_GetObjectItem(j1, "hits")) > 0);
    CHECK(j1 && j2 && cJSON_Compare(j1, j2, 1));
    CHECK(j1 && j3 && cJSON_Compare(j1, j3, 1));
    cJSON_Delete(j1);
    cJSON_Delete(j2);
    cJSON_Delete(j3);
    free(one);
    free(whole);
    free(both);
}

static void cgi_mode_answers_one_request_as_the_daemon_does(void)
{
    cmd c;
    sh(&c, "GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/api/v1/search "
           "QUERY_STRING='q=Bushehr&limit=3' RUBRIC_DB=%s \"$S\"",
       sq(g_db));
    CHECK(c.status == 0);
    CHECK(strncmp(c.out, "Status: 200 OK\r\n", 16) == 0);
    CHECK(strstr(c.out, "\r\nContent-Type: application/json; charset=utf-8\r\n"));
    const char *body = strstr(c.out, "\r\n\r\n");
    reply r;
    get(g_srv.port, "/api/v1/search?q=Bushehr&limit=3", &r);
    /* The same hits, in the same order (took_ms aside). */
    cJSON *a = body ? cJSON_Parse(body + 4) : NULL, *b = r.body ? cJSON_Parse(r.body) : NULL;
    char *ha = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(a, "hits"));
    char *hb = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(b, "hits"));
    CHECK(ha && hb && strcmp(ha, hb) == 0);
    free(ha);
    free(hb);
    cJSON_Delete(a);
    cJSON_Delete(b);
    reply_free(&r);
    cmd_free(&c);
    sh(&c, "GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=HEAD PATH_INFO=/api/v1/search "
           "QUERY_STRING=q=Bushehr RUBRIC_DB=%s \"$S\"",
       sq(g_db));
    CHECK(strncmp(c.out, "Status: 200 OK\r\n", 16) == 0);
    body = strstr(c.out, "\r\n\r\n");
    CHECK(body && body[4] == '\0');
    cmd_free(&c);
    sh(&c, "GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST PATH_INFO=/api/v1/search "
           "QUERY_STRING=q=x RUBRIC_DB=%s \"$S\"",
       sq(g_db));
    CHECK(strncmp(c.out, "Status: 405 ", 12) == 0 && strstr(c.out, "Allow: GET, HEAD\r\n"));
    cmd_free(&c);
    /* A query string without '=' comes as arguments too: not options. */
    sh(&c, "GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/search "
           "QUERY_STRING=--help RUBRIC_DB=%s \"$S\" --help",
       sq(g_db));
    CHECK(strncmp(c.out, "Status: 200 OK\r\n", 16) == 0 && strstr(c.out, "<form role=\"search\""));
    cmd_free(&c);
    sh(&c, "GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/readyz QUERY_STRING= "
           "RUBRIC_DB=%s/none \"$S\"",
       sq(g_tmp));
    CHECK(strncmp(c.out, "Status: 503 ", 12) == 0 && strstr(c.out, "Retry-After: 5\r\n"));
    cmd_free(&c);
}

static void usage_errors_exit_2_naming_the_option(void)
{
    cmd c;
    sh(&c, "\"$S\" --threads 0");
    CHECK(c.status == 2 && strstr(c.err, "--threads"));
    cmd_free(&c);
    sh(&c, "\"$S\" --listen nowhere");
    CHECK(c.status == 2 && strstr(c.err, "--listen"));
    cmd_free(&c);
    sh(&c, "\"$S\" --bogus");
    CHECK(c.status == 2 && strstr(c.err, "--bogus"));
    cmd_free(&c);
    sh(&c, "\"$S\" --help");
    CHECK(c.status == 0 && strstr(c.out, "--allow-origin"));
    cmd_free(&c);
    sh(&c, "\"$S\" -V");
    CHECK(c.status == 0 && strncmp(c.out, "rubric-serve ", 13) == 0);
    cmd_free(&c);
}

/* Every service in contrib/systemd is hardened: systemd-analyze rates its
 * exposure at most 2.0 (of 10). */
static void the_systemd_units_are_hardened(void)
{
    const char *src = getenv("RUBRIC_SRCDIR");
    static const char *const units[] = {"rubric-serve.service", "rubric-index.service"};
    if (access("/usr/bin/systemd-analyze", X_OK) != 0) {
        printf("SKIP the units' exposure: systemd-analyze missing (Debian systemd)\n");
        return;
    }
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        cmd c;
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/contrib/systemd", src && *src ? src : ".");
        char abs[PATH_MAX];
        if (absolute(dir, abs) < 0) {
            harness_current_failed = 1;
            return;
        }
        sh(&c, "cd %s && systemd-analyze security --offline=true %s 2>&1 | "
               "sed -n 's/.*Overall exposure level for [^:]*: \\([0-9.]*\\).*/\\1/p'",
           sq(abs), units[i]);
        double exposure = c.out[0] ? atof(c.out) : 99;
        if (!(exposure <= 2.0)) {
            fprintf(stderr, "  %s: exposure %s\n", units[i], c.out[0] ? c.out : "(not rated)");
            harness_current_failed = 1;
        }
        cmd_free(&c);
    }
}

/* ------------------------------------------------------------------ main */

/* Pages whose titles, anchors, file names and text hold markup. */
static int write_hostile(const char *dir)
{
    char path[PATH_MAX];
    static const char html[] =
        "<html><head><title>&lt;script&gt;alert(1)&lt;/script&gt;</title></head><body>\n"
        "<h1 id=\"x&quot;onmouseover=&quot;alert(2)\">&lt;img src=x onerror=alert(3)&gt; "
        "zygomorph</h1>\n"
        "<p>The zygomorph &lt;script&gt;alert(4)&lt;/script&gt; flower and "
        "&lt;b&gt;bold&lt;/b&gt; text.</p>\n"
        "<h2 id=\"javascript:alert(5)\">Second zygomorph</h2><p>More zygomorph text.</p>\n"
        "</body></html>\n";
    static const char jsonl[] =
        "{\"path\": \"<script>alert(6)</script>.html\", \"title\": \"<img src=x onerror=alert(7)>\", "
        "\"anchor\": \"\\\"><script>\", \"text\": \"A zygomorph record <script>alert(8)</script>\"}\n";
    path_join(path, dir, "<img src=x onerror=alert(9)>.html");
    if (write_file(path, html, sizeof html - 1) < 0)
        return -1;
    path_join(path, dir, "records.jsonl");
    return write_file(path, jsonl, sizeof jsonl - 1);
}

int main(void)
{
    const char *src = getenv("RUBRIC_SRCDIR"), *build = getenv("RUBRIC_BUILD");
    char p[PATH_MAX], hostile[PATH_MAX];
    src = src && *src ? src : ".";
    if (shell_setup("serve", g_index, g_query, g_tmp) < 0)
        return 1;
    snprintf(p, sizeof p, "%s/rubric-serve", build && *build ? build : "build");
    if (absolute(p, g_serve) < 0)
        return 1;
    snprintf(p, sizeof p, "%s/corpus", src);
    if (absolute(p, g_corpus) < 0)
        return 1;
    unsetenv("GATEWAY_INTERFACE");
    unsetenv("LISTEN_FDS");
    signal(SIGPIPE, SIG_IGN);
    cmd c;
    path_join(g_db, g_tmp, "db");
    sh(&c, "\"$I\" -q --db %s %s", sq(g_db), sq(g_corpus));
    int ok = c.status == 0;
    cmd_free(&c);
    path_join(hostile, g_tmp, "hostile");
    path_join(g_hostile_db, g_tmp, "hostile.db");
    ok = ok && mkdir(hostile, 0755) == 0 && write_hostile(hostile) == 0;
    sh(&c, "\"$I\" -q --db %s %s", sq(g_hostile_db), sq(hostile));
    ok = ok && (c.status == 0 || c.status == 1);
    cmd_free(&c);
    char args[PATH_MAX + 64];
    snprintf(args, sizeof args, "--db %s --listen 127.0.0.1:0 --threads 2", sq(g_db));
    if (!ok || server_start(&g_srv, args) < 0) {
        fprintf(stderr, "test_serve: cannot set up\n");
        return 1;
    }

    TRY(a_search_answers_the_api_document_with_its_headers);
    TRY(each_parameter_is_checked_and_a_bad_value_named);
    TRY(a_long_query_is_414_and_other_methods_405);
    TRY(head_has_no_body_and_an_etag_gives_304);
    TRY(one_connection_answers_several_requests);
    TRY(probes_index_figures_and_the_page_without_script);
    TRY(hostile_documents_never_reach_a_page_unescaped);
    TRY(cors_answers_only_the_origins_allowed);
    TRY(a_half_request_is_closed_and_connections_are_capped);
    TRY(requests_during_reindexing_and_rebuilds_never_fail);
    TRY(sigterm_drains_what_was_asked_and_exits_0);
    TRY(a_unix_socket_and_a_socket_passed_by_systemd_serve_too);
    TRY(readyz_is_503_until_an_index_can_be_opened);
    TRY(metrics_and_the_query_log_when_asked_for);
    TRY(a_repeated_search_is_answered_again_until_the_index_changes);
    TRY(the_answer_cache_keeps_within_its_size);
    TRY(a_set_of_shards_or_several_indexes_answer_as_one_index);
    TRY(cgi_mode_answers_one_request_as_the_daemon_does);
    TRY(usage_errors_exit_2_naming_the_option);
    TRY(the_systemd_units_are_hardened);

    RUN_NAMED("the server exits 0 on SIGTERM", CHECK(server_stop(&g_srv) == 0));
    sh(&c, "rm -rf %s", sq(g_tmp));
    cmd_free(&c);
    return HARNESS_END();
}
