/* rubric-query: rank the passages of an index for a query; text or JSON out. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "config.h"
#include "rubric.h"

static const char usage_text[] =
    "usage: rubric-query [OPTIONS] QUERY...\n"
    "Rank the passages of an index for QUERY.\n"
    "\n"
    "  --db DIR          index directory (default: $RUBRIC_DB, else the\n"
    "                    configuration's, else ./" CLI_DEFAULT_DB ")\n"
    "  -n, --limit N     show at most N results (default 10)\n"
    "  --offset K        skip the first K results\n"
    "  --json            print JSON (schema in the README)\n"
    "  --boilerplate     include navigation, link lists and promotions\n"
    "  --fragments N     up to N fragments per passage, each with the byte offsets\n"
    "                    of its matches in the source file and a link to them\n"
    "  --explain         show each hit's score term by term and field by field\n"
    "  --per-article N   group by article: articles in rank order, each with its\n"
    "                    best N passages and its number of matching passages\n"
    "  --base-url URL    links start with URL (default: the one the index records)\n"
    "  --config FILE     read settings from FILE (default: ./" CONFIG_DEFAULT " if present)\n"
    "  --synonyms FILE   expand queries with the synonym groups in FILE\n"
    "  --color WHEN      highlight matches: auto (on a terminal), always, never;\n"
    "                    NO_COLOR in the environment means never\n"
    "  -h, --help        print this help\n"
    "  --version         print the version\n"
    "\n"
    "Query: words (all must match; if no passage has them all, the best partial\n"
    "matches are shown), \"quoted phrases\", and -word or -\"phrase\" to exclude.\n"
    "Exit codes: 0 done, 2 usage error, 4 index missing, unreadable or damaged.\n";

static double rounded(double x)
{
    return round(x * 1000.0) / 1000.0;
}

/* One hit as the JSON object DESIGN.md fixes (plus url). NULL when out of
 * memory. */
static cJSON *hit_json(const rubric_hit *h)
{
    cJSON *r = cJSON_CreateObject();
    char *snippet = rubric_hit_snippet_html(h);
    cJSON *trail = cJSON_CreateStringArray(h->trail, (int)h->ntrail);
    int ok = r && snippet && trail && cJSON_AddNumberToObject(r, "rank", h->rank) &&
             cJSON_AddNumberToObject(r, "score", rounded(h->score)) &&
             cJSON_AddStringToObject(r, "path", h->path) &&
             cJSON_AddStringToObject(r, "anchor", h->anchor) &&
             cJSON_AddStringToObject(r, "title", h->title) &&
             cJSON_AddItemToObject(r, "trail", trail);
    if (!ok || !cJSON_GetObjectItem(r, "trail"))
        cJSON_Delete(trail);
    ok = ok && cJSON_AddStringToObject(r, "snippet", snippet) &&
         cJSON_AddBoolToObject(r, "boilerplate", h->boilerplate) &&
         cJSON_AddStringToObject(r, "url", h->url);
    free(snippet);
    cJSON *ex = NULL;
    if (ok && h->explain) {
        ok = (ex = cJSON_AddObjectToObject(r, "explain")) &&
             cJSON_AddNumberToObject(ex, "length", h->doclen) &&
             cJSON_AddNumberToObject(ex, "average_length", rounded(h->avlength));
        cJSON *terms = ok ? cJSON_AddArrayToObject(ex, "terms") : NULL;
        double sum = 0;
        ok = ok && terms;
        for (size_t k = 0; ok && k < h->nexplain; k++) {
            const rubric_contribution *c = &h->explain[k];
            cJSON *t = cJSON_CreateObject();
            ok = t && cJSON_AddItemToArray(terms, t) && cJSON_AddStringToObject(t, "word", c->word) &&
                 cJSON_AddStringToObject(t, "field", c->field) &&
                 cJSON_AddNumberToObject(t, "wdf", c->wdf) &&
                 cJSON_AddNumberToObject(t, "df", (double)c->df) &&
                 cJSON_AddNumberToObject(t, "scale", c->scale) &&
                 cJSON_AddNumberToObject(t, "weight", rounded(c->weight));
            sum += c->weight;
        }
        /* What the terms leave of the score: words near each other, phrases. */
        ok = ok && cJSON_AddNumberToObject(ex, "proximity_and_phrases", rounded(h->score - sum));
    }
    cJSON *frags = NULL;
    if (ok && h->nfragments)
        ok = (frags = cJSON_AddArrayToObject(r, "fragments")) != NULL;
    for (size_t k = 0; ok && k < h->nfragments; k++) {
        const rubric_fragment *f = &h->fragments[k];
        char *html = rubric_fragment_html(f);
        cJSON *fo = cJSON_CreateObject(), *matches = NULL;
        ok = html && fo && cJSON_AddItemToArray(frags, fo) &&
             cJSON_AddStringToObject(fo, "snippet", html) &&
             (matches = cJSON_AddArrayToObject(fo, "matches")) &&
             cJSON_AddStringToObject(fo, "link", f->link);
        if (!ok && fo && !cJSON_GetObjectItem(fo, "snippet"))
            cJSON_Delete(fo);
        free(html);
        for (size_t j = 0; ok && j < f->nsource; j++) {
            cJSON *mo = cJSON_CreateObject();
            ok = mo && cJSON_AddItemToArray(matches, mo) &&
                 cJSON_AddNumberToObject(mo, "start", (double)f->source[j].start) &&
                 cJSON_AddNumberToObject(mo, "length", (double)f->source[j].len);
        }
    }
    if (!ok) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

static int print_json(rubric_db *db, const char *query, const rubric_results *res, int grouped)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *results = NULL, *index = NULL, *articles = NULL;
    int ok = o && cJSON_AddStringToObject(o, "query", query) &&
             cJSON_AddNumberToObject(o, "total", (double)rubric_results_total(res));
    const char *sugg = rubric_results_suggestion(res);
    ok = ok && (sugg ? cJSON_AddStringToObject(o, "suggestion", sugg) != NULL
                     : cJSON_AddNullToObject(o, "suggestion") != NULL);
    /* true when nothing matched the query and the results answer the suggestion */
    ok = ok && cJSON_AddBoolToObject(o, "corrected", rubric_results_corrected(res));
    ok = ok && (results = cJSON_AddArrayToObject(o, "results"));
    /* Which state of the index answered: caches key on it. */
    ok = ok && (index = cJSON_AddObjectToObject(o, "index")) &&
         cJSON_AddNumberToObject(index, "revision", (double)rubric_db_revision(db)) &&
         cJSON_AddStringToObject(index, "updated", rubric_db_updated(db));
    if (!grouped) {
        for (size_t i = 0; ok && i < rubric_results_count(res); i++) {
            cJSON *r = hit_json(rubric_results_hit(res, i));
            ok = r && cJSON_AddItemToArray(results, r);
        }
    } else {
        ok = ok && (articles = cJSON_AddArrayToObject(o, "articles"));
        for (size_t a = 0; ok && a < rubric_results_article_count(res); a++) {
            const rubric_article *art = rubric_results_article(res, a);
            cJSON *ao = cJSON_CreateObject(), *passages = NULL;
            ok = ao && cJSON_AddItemToArray(articles, ao) &&
                 cJSON_AddStringToObject(ao, "path", art->path) &&
                 cJSON_AddStringToObject(ao, "title", art->title) &&
                 cJSON_AddNumberToObject(ao, "matches", (double)art->matches) &&
                 (passages = cJSON_AddArrayToObject(ao, "passages"));
            for (size_t k = 0; ok && k < art->nhits; k++) {
                const rubric_hit *h = rubric_results_hit(res, art->hits[k]);
                cJSON *r1 = hit_json(h), *r2 = hit_json(h);
                ok = r1 && r2 && cJSON_AddItemToArray(passages, r1) &&
                     cJSON_AddItemToArray(results, r2);
            }
        }
    }
    char *s = ok ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    if (!s) {
        fputs("rubric-query: out of memory\n", stderr);
        return -1;
    }
    puts(s);
    free(s);
    return 0;
}

/* Print a snippet or fragment, its matches in colour (or not). */
static void print_snippet(const rubric_fragment *f, int color, const char *indent)
{
    const char *on = color ? "\033[1;31m" : "", *off = color ? "\033[0m" : "";
    size_t at = 0;
    printf("%s   %s", indent, f->cut_start ? "... " : "");
    for (size_t i = 0; i < f->nspans; i++) {
        const rubric_span *sp = &f->spans[i];
        fwrite(f->text + at, 1, sp->start - at, stdout);
        fputs(on, stdout);
        fwrite(f->text + sp->start, 1, sp->len, stdout);
        fputs(off, stdout);
        at = sp->start + sp->len;
    }
    fwrite(f->text + at, 1, f->text_len - at, stdout);
    printf("%s\n", f->cut_end ? " ..." : "");
}

static void print_hit(const rubric_hit *h, int color, const char *indent)
{
    const char *bold = color ? "\033[1m" : "", *dim = color ? "\033[2m" : "",
               *off = color ? "\033[0m" : "";
    printf("%s%s%u. %s%s  %s(%.2f)%s\n", indent, bold, h->rank, h->title, off, dim, h->score, off);
    if (h->ntrail) {
        printf("%s   ", indent);
        for (size_t k = 0; k < h->ntrail; k++)
            printf("%s%s", k ? " > " : "", h->trail[k]);
        fputc('\n', stdout);
    }
    /* A link when there is a site to link into, else the file and anchor. */
    if (strstr(h->url, "://"))
        printf("%s   %s%s%s%s\n", indent, dim, h->url, h->boilerplate ? " [boilerplate]" : "", off);
    else
        printf("%s   %s%s#%s%s%s\n", indent, dim, h->path, h->anchor,
               h->boilerplate ? " [boilerplate]" : "", off);
    rubric_fragment snippet = {h->snippet, h->snippet_len, h->spans, h->nspans,
                               h->snippet_cut_start, h->snippet_cut_end, 0, NULL, 0, NULL};
    print_snippet(&snippet, color, indent);
    if (h->explain) {
        double sum = 0;
        printf("%s   score %.3f (passage of %.0f terms; average %.1f):\n", indent, h->score,
               h->doclen, h->avlength);
        for (size_t k = 0; k < h->nexplain; k++) {
            const rubric_contribution *c = &h->explain[k];
            printf("%s     %-20s %-8s wdf %-3u df %-6zu x%.1f  %.3f\n", indent, c->word, c->field,
                   c->wdf, c->df, c->scale, c->weight);
            sum += c->weight;
        }
        printf("%s     %-20s %-8s %27.3f\n", indent, "(what remains)", "", h->score - sum);
    }
    for (size_t k = 1; k < h->nfragments; k++)
        print_snippet(&h->fragments[k], color, indent);
}

static void print_text(const char *query, const rubric_results *res, int color, int grouped)
{
    const char *sugg = rubric_results_suggestion(res);
    size_t n = rubric_results_count(res);
    if (rubric_results_corrected(res))
        printf("no passages match '%s'; showing results for '%s'\n", query, sugg);
    else if (n == 0)
        printf("no passages match '%s'\n", query);
    if (sugg && !rubric_results_corrected(res))
        printf("did you mean: %s\n", sugg);
    if (!grouped) {
        for (size_t i = 0; i < n; i++)
            print_hit(rubric_results_hit(res, i), color, "");
        if (n)
            printf("%zu of about %zu passages\n", n, rubric_results_total(res));
        return;
    }
    for (size_t a = 0; a < rubric_results_article_count(res); a++) {
        const rubric_article *art = rubric_results_article(res, a);
        printf("%s%zu. %s%s  (%zu matching passages)\n   %s\n", color ? "\033[1m" : "", a + 1,
               art->title, color ? "\033[0m" : "", art->matches, art->path);
        for (size_t k = 0; k < art->nhits; k++)
            print_hit(rubric_results_hit(res, art->hits[k]), color, "    ");
    }
}

/* Read the synonyms file at PATH into DB; -1 (said on stderr) when it cannot. */
static int load_synonyms(rubric_db *db, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "rubric-query: cannot read synonyms '%s': %s\n", path, strerror(errno));
        return -1;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            char *p = realloc(text, cap = cap ? cap * 2 : 8192);
            if (!p) {
                free(text);
                fclose(f);
                fputs("rubric-query: out of memory\n", stderr);
                return -1;
            }
            text = p;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    char *err = NULL;
    int rc = bad ? RUBRIC_EINVAL : rubric_db_set_synonyms(db, text, len, &err);
    if (rc != RUBRIC_OK)
        fprintf(stderr, "rubric-query: synonyms '%s': %s\n", path,
                err ? err : bad ? "read error" : rubric_strerror(rc));
    free(err);
    free(text);
    return rc == RUBRIC_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    enum { OPT_DB = 256, OPT_OFFSET, OPT_JSON, OPT_BOILER, OPT_COLOR, OPT_VERSION, OPT_BASE,
           OPT_CONFIG, OPT_PER_ARTICLE, OPT_FRAGMENTS, OPT_EXPLAIN, OPT_SYNONYMS };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"limit", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, OPT_OFFSET},
        {"json", no_argument, NULL, OPT_JSON},
        {"boilerplate", no_argument, NULL, OPT_BOILER},
        {"color", required_argument, NULL, OPT_COLOR},
        {"colour", required_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"base-url", required_argument, NULL, OPT_BASE},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"per-article", required_argument, NULL, OPT_PER_ARTICLE},
        {"fragments", required_argument, NULL, OPT_FRAGMENTS},
        {"explain", no_argument, NULL, OPT_EXPLAIN},
        {"synonyms", required_argument, NULL, OPT_SYNONYMS},
        {NULL, 0, NULL, 0}};
    const char *dbflag = NULL, *color_when = "auto", *config_path = NULL, *synonyms = NULL;
    int boilerplate_flag = 0;
    int json = 0;
    unsigned long limit = 10, offset = 0;
    rubric_search_opts opts = {0};
    int c;
    while ((c = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: dbflag = optarg; break;
        case 'n':
            if (cli_count("rubric-query", "-n", optarg, 1, 10000, &limit) < 0)
                return EXIT_USAGE;
            break;
        case OPT_OFFSET:
            if (cli_count("rubric-query", "--offset", optarg, 0, 1000000, &offset) < 0)
                return EXIT_USAGE;
            break;
        case OPT_JSON: json = 1; break;
        case OPT_BOILER: boilerplate_flag = 1; break;
        case OPT_BASE: opts.base_url = optarg; break;
        case OPT_CONFIG: config_path = optarg; break;
        case OPT_EXPLAIN: opts.explain = 1; break;
        case OPT_SYNONYMS: synonyms = optarg; break;
        case OPT_FRAGMENTS: {
            unsigned long n = 0;
            if (cli_count("rubric-query", "--fragments", optarg, 1, 20, &n) < 0)
                return EXIT_USAGE;
            opts.fragments = n;
            break;
        }
        case OPT_PER_ARTICLE: {
            unsigned long n = 0;
            if (cli_count("rubric-query", "--per-article", optarg, 1, 100, &n) < 0)
                return EXIT_USAGE;
            opts.per_article = n;
            break;
        }
        case OPT_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fprintf(stderr, "rubric-query: --color wants auto, always or never, not '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            color_when = optarg;
            break;
        case 'h': fputs(usage_text, stdout); return EXIT_DONE;
        case OPT_VERSION: printf("rubric-query %s\n", rubric_version()); return EXIT_DONE;
        default:
            fputs("Try 'rubric-query --help' for more information.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("rubric-query: no QUERY given\nTry 'rubric-query --help' for more information.\n",
              stderr);
        return EXIT_USAGE;
    }
    config cfg;
    char *err = NULL;
    if (config_load(config_path, &cfg, &err) < 0) {
        fprintf(stderr, "rubric-query: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    if (!opts.base_url)
        opts.base_url = cfg.base_url;
    opts.boilerplate = boilerplate_flag || cfg.show_boilerplate;
    /* The query is the remaining arguments joined by spaces. */
    size_t qlen = 0;
    for (int i = optind; i < argc; i++)
        qlen += strlen(argv[i]) + 1;
    char *query = malloc(qlen + 1);
    if (!query) {
        fputs("rubric-query: out of memory\n", stderr);
        config_free(&cfg);
        return EXIT_NODB;
    }
    query[0] = '\0';
    for (int i = optind; i < argc; i++) {
        if (i > optind)
            strcat(query, " ");
        strcat(query, argv[i]);
    }
    const char *nocolor = getenv("NO_COLOR");
    int color = strcmp(color_when, "always") == 0 ||
                (strcmp(color_when, "auto") == 0 && isatty(STDOUT_FILENO));
    if (nocolor && *nocolor)
        color = 0;

    const char *dbpath = cli_db_path(dbflag, cfg.db);
    rubric_db *db = NULL;
    int rc = rubric_db_open(dbpath, &db, &err);
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "rubric-query: %s\n", err ? err : rubric_strerror(rc));
        free(err);
        free(query);
        config_free(&cfg);
        return EXIT_NODB;
    }
    if (!synonyms)
        synonyms = cfg.synonyms;
    if (synonyms && load_synonyms(db, synonyms) < 0) {
        rubric_db_close(db);
        free(query);
        config_free(&cfg);
        return EXIT_USAGE;
    }
    opts.limit = limit;
    opts.offset = offset;
    rubric_results *res = NULL;
    rc = rubric_search(db, query, strlen(query), &opts, &res, &err);
    int status = EXIT_DONE;
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "rubric-query: %s: '%s'\n", err ? err : rubric_strerror(rc), query);
        status = rc == RUBRIC_EINVAL ? EXIT_USAGE : EXIT_NODB;
    } else if (json) {
        if (print_json(db, query, res, opts.per_article > 0) < 0)
            status = EXIT_NODB;
    } else {
        print_text(query, res, color, opts.per_article > 0);
    }
    free(err);
    rubric_results_free(res);
    rubric_db_close(db);
    free(query);
    config_free(&cfg);
    return status;
}
