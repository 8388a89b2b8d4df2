/* rubric-query: rank the passages of an index for a query; text or JSON out. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "rubric.h"

static const char usage_text[] =
    "usage: rubric-query [OPTIONS] QUERY...\n"
    "Rank the passages of an index for QUERY.\n"
    "\n"
    "  --db DIR          index directory (default: $RUBRIC_DB, else the\n"
    "                    configuration's, else ./" CLI_DEFAULT_DB "): an index, a\n"
    "                    sharded index, or a stub file of 'auto PATH' lines;\n"
    "                    repeated, the indexes are searched as one\n"
    "  --timeout MS      a remote shard may take MS milliseconds to connect and to\n"
    "                    answer each message (default 10000)\n"
    "  --partial         leave out remote shards that do not answer, and search the\n"
    "                    others (said on stderr, and \"missing_shards\" in JSON)\n"
    "  -n, --limit N     show at most N results (default 10)\n"
    "  --offset K        skip the first K results\n"
    "  --json            print JSON (schema in the README)\n"
    "  --boilerplate     include navigation, link lists and promotions\n"
    "  --fragments N     up to N fragments per passage, each with the byte offsets\n"
    "                    of its matches in the source file and a link to them\n"
    "  --explain         show each hit's score term by term and field by field\n"
    "  --per-article N   group by article: articles in rank order, each with its\n"
    "                    best N passages and its number of matching passages\n"
    "  --path P          only pages under P (a page, or a folder ending in /);\n"
    "                    repeat for any of several\n"
    "  --tag T, --lang L only passages whose source gave tag T, language L;\n"
    "                    repeat for any of several (all of --path, --tag, --lang)\n"
    "  --prefix          the last word also matches the words it begins (as typed\n"
    "                    into a search box), and is never corrected\n"
    "  --facets LIST     count the matches by section (the page's top folder),\n"
    "                    lang, tag: a list of them, commas between\n"
    "  --base-url URL    links start with URL (default: the one the index records)\n"
    "  --config FILE     read settings from FILE (default: the first that exists\n"
    "                    of ./" CONFIG_DEFAULT ", $XDG_CONFIG_HOME/rubric/" CONFIG_DEFAULT ",\n"
    "                    " CONFIG_SYSTEM ")\n"
    "  --synonyms FILE   expand queries with the synonym groups in FILE\n"
    "  --color WHEN      highlight matches: auto (on a terminal, unless NO_COLOR\n"
    "                    is set or TERM is dumb), always, never\n"
    "  -h, --help        print this help\n"
    "  -V, --version     print the version\n"
    "\n"
    "The query:\n"
    "  nuclear energy      the words in any form: passages holding them all first,\n"
    "                      then those holding the rarer; \"how\", \"the\" only add\n"
    "  \"power plant\"       a phrase; \"power nuclear\"~2 within 2 words, any order\n"
    "  a OR b, a AND b     either word; both required (operators in capitals)\n"
    "  -word, NOT word     leave out passages holding it (-\"a phrase\" too)\n"
    "  (a OR b) c          brackets group\n"
    "  a NEAR b, NEAR/3    within 10 (or 3) words of each other\n"
    "  mediat*             words beginning so (at most 500 of them)\n"
    "  =mediation          this exact form only\n"
    "  os.path.join        a dotted or colon-joined name; its parts count too\n"
    "  focus-in-event      one token of several words: a phrase\n"
    "  title:word          in a section heading\n"
    "  path:dir/           passages of a file, or of the files under a folder\n"
    "  lang:en, tag:setup  passages whose source gave this language or tag\n"
    "  --prune, -x         a command-line option is searched for, not left out\n"
    "Exit codes: 0 done, 2 usage error, 4 index missing, unreadable or damaged,\n"
    "5 a remote shard of the index cannot be reached or did not answer in time.\n";

/* Text from the index or the query goes through cli_puts_safe(): it never
 * drives the terminal. */
static void put(const char *s)
{
    cli_puts_safe(stdout, s);
}

/* Print the text of F, its matches in colour (or not); AFTER is the
 * escape that restores what surrounds it (the title's bold). */
static void print_marked(const rubric_fragment *f, int color, const char *after)
{
    const char *on = color ? "\033[1;31m" : "", *off = color ? after : "";
    size_t at = 0;
    for (size_t i = 0; i < f->nspans; i++) {
        const rubric_span *sp = &f->spans[i];
        cli_write_safe(stdout, f->text + at, sp->start - at);
        fputs(on, stdout);
        cli_write_safe(stdout, f->text + sp->start, sp->len);
        fputs(off, stdout);
        at = sp->start + sp->len;
    }
    cli_write_safe(stdout, f->text + at, f->text_len - at);
}

/* Print a snippet or fragment, its matches in colour (or not). */
static void print_snippet(const rubric_fragment *f, int color, const char *indent)
{
    printf("%s   %s", indent, f->cut_start ? "... " : "");
    print_marked(f, color, "\033[0m");
    printf("%s\n", f->cut_end ? " ..." : "");
}

static void print_explain(const rubric_hit *h, const char *indent)
{
    double sum = 0;
    printf("%s   score %.3f (passage of %.0f terms; average %.1f):\n", indent, h->score,
           h->doclen, h->avlength);
    for (size_t k = 0; k < h->nexplain; k++) {
        const rubric_contribution *c = &h->explain[k];
        size_t w = strlen(c->word);
        printf("%s     ", indent);
        put(c->word);
        printf("%*s %-8s wdf %-3u df %-6zu x%-4.2f %.3f\n", w < 20 ? (int)(20 - w) : 0, "",
               c->field, c->wdf, c->df, c->scale, c->weight);
        sum += c->weight;
    }
    printf("%s     %-20s %-8s %27.3f\n", indent, "(what remains)", "", h->score - sum);
}

static void print_hit(const rubric_hit *h, int color, const char *indent)
{
    const char *bold = color ? "\033[1m" : "", *dim = color ? "\033[2m" : "",
               *off = color ? "\033[0m" : "";
    printf("%s%s%u. ", indent, bold, h->rank);
    print_marked(&h->title_marked, color, "\033[0;1m");
    printf("%s  %s(%.2f)%s\n", off, dim, h->score, off);
    if (h->ntrail) {
        printf("%s   ", indent);
        for (size_t k = 0; k < h->ntrail; k++) {
            fputs(k ? " > " : "", stdout);
            print_marked(&h->trail_marked[k], color, "\033[0m");
        }
        fputc('\n', stdout);
    }
    /* The link, as the JSON's url gives it: the base URL's, else the page's
     * address under its root. */
    printf("%s   %s", indent, dim);
    put(h->url);
    printf("%s%s\n", h->boilerplate ? " [boilerplate]" : "", off);
    print_snippet(&h->snippet, color, indent);
    if (h->explain)
        print_explain(h, indent);
    for (size_t k = 1; k < h->nfragments; k++)
        print_snippet(&h->fragments[k], color, indent);
}

static void print_text(const char *query, const rubric_results *res, int color, int grouped,
                       size_t offset)
{
    const char *sugg = rubric_results_suggestion(res);
    size_t n = rubric_results_count(res), total = rubric_results_total(res);
    const char *about = rubric_results_total_exact(res) ? "" : "about ";
    if (n == 0 && total > 0 && !rubric_results_corrected(res)) {
        /* --offset past the end */
        printf("no more results (%s%zu in all)\n", about, total);
        return;
    }
    if (rubric_results_corrected(res) || n == 0) {
        fputs("no passages match '", stdout);
        put(query);
        if (rubric_results_corrected(res)) {
            fputs("'; showing results for '", stdout);
            put(sugg);
        }
        fputs("'\n", stdout);
    }
    if (sugg && !rubric_results_corrected(res)) {
        fputs("did you mean: ", stdout);
        put(sugg);
        fputc('\n', stdout);
    }
    if (!grouped) {
        for (size_t i = 0; i < n; i++)
            print_hit(rubric_results_hit(res, i), color, "");
        if (n && offset)
            printf("%zu to %zu of %s%zu passages\n", offset + 1, offset + n, about, total);
        else if (n)
            printf("%zu of %s%zu passages\n", n, about, total);
        return;
    }
    for (size_t a = 0; a < rubric_results_article_count(res); a++) {
        const rubric_article *art = rubric_results_article(res, a);
        printf("%s%zu. ", color ? "\033[1m" : "", a + 1);
        put(art->title);
        printf("%s  (%zu matching passages)\n   ", color ? "\033[0m" : "", art->matches);
        put(art->path);
        fputc('\n', stdout);
        for (size_t k = 0; k < art->nhits; k++)
            print_hit(rubric_results_hit(res, art->hits[k]), color, "    ");
    }
}

/* "rubric-query: WHAT[: 'QUERY']" on stderr, both as text that cannot drive
 * the terminal. */
static void complain(const char *what, const char *query)
{
    fputs("rubric-query: ", stderr);
    cli_puts_safe(stderr, what);
    if (query) {
        /* A long query is echoed by its start: the message stays a line. */
        size_t n = strlen(query);
        fputs(": '", stderr);
        cli_write_safe(stderr, query, n > 200 ? 200 : n);
        fputs(n > 200 ? "...'" : "'", stderr);
    }
    fputc('\n', stderr);
}

/* Read the synonyms file at PATH into DB; -1 (said on stderr) when it cannot. */
static int load_synonyms(rubric_db *db, const char *path)
{
    char *text = NULL, *err = NULL;
    size_t len = 0;
    const char *why = cli_read_file(path, SYNONYMS_MAX_BYTES, &text, &len);
    if (why) {
        cli_error("rubric-query", "config", "cannot read synonyms '%s': %s", path, why);
        return -1;
    }
    int rc = rubric_db_set_synonyms(db, text, len, &err);
    if (rc != RUBRIC_OK)
        cli_error("rubric-query", "config", "synonyms '%s': %s", path,
                  err ? err : rubric_strerror(rc));
    free(err);
    free(text);
    return rc == RUBRIC_OK ? 0 : -1;
}

/* A filter given this many times is a list nobody chose from. */
#define FILTER_MAX 32

/* What the command line asks for. */
/* The most indexes --db may name. */
#define DBS_MAX 64

typedef struct options {
    const char *db, *color_when, *config, *synonyms;
    const char *dbs[DBS_MAX];  /* every --db, in order */
    size_t ndbs;
    unsigned timeout_ms;       /* --timeout: a remote shard's (0: the library's) */
    int partial;               /* --partial: shards out of reach are left out */
    int boilerplate, json;
    rubric_search_opts search;
    int first_word;  /* argv index of the query's first word */
    /* --path, --tag, --lang: NULL-terminated lists for search.paths, ... */
    const char *paths[FILTER_MAX + 1], *tags[FILTER_MAX + 1], *langs[FILTER_MAX + 1];
    size_t npaths, ntags, nlangs;
} options;

/* The facets of RES, one line each: "by tag: cooking (2), autumn (1)". */
static void print_facets(const rubric_results *res, unsigned asked)
{
    for (unsigned which = 1; rubric_facet_name(which); which <<= 1) {
        size_t n = 0;
        const rubric_facet_value *v = rubric_results_facet(res, which, &n);
        const char *name = rubric_facet_name(which);
        if (!(asked & which))
            continue;
        if (!v) {
            printf("by %s: not counted (the index predates facets: rubric-index --rebuild)\n",
                   name);
            continue;
        }
        printf("by %s:%s", name, n ? " " : " none\n");
        for (size_t i = 0; i < n; i++) {
            put(v[i].value);
            printf(" (%zu)%s", v[i].count, i + 1 < n ? ", " : "\n");
        }
    }
}

/* Add --FLAG's VALUE to LIST (of *N); -1 (said) when it is full. */
static int add_filter(const char *flag, const char *value, const char **list, size_t *n)
{
    if (*n == FILTER_MAX) {
        cli_error("rubric-query", "usage", "--%s given more than %d times", flag, FILTER_MAX);
        return -1;
    }
    list[(*n)++] = value;
    list[*n] = NULL;
    return 0;
}

/* Parse ARGV into O. Returns -1 when the run should go on, else the exit code
 * (after printing help, the version, or what was wrong). */
static int parse_options(int argc, char **argv, options *o)
{
    enum { OPT_DB = 256, OPT_OFFSET, OPT_JSON, OPT_BOILER, OPT_COLOR, OPT_VERSION, OPT_BASE,
           OPT_CONFIG, OPT_PER_ARTICLE, OPT_FRAGMENTS, OPT_EXPLAIN, OPT_SYNONYMS, OPT_PATH,
           OPT_TAG, OPT_LANG, OPT_PREFIX, OPT_FACETS, OPT_TIMEOUT, OPT_PARTIAL };
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
        {"path", required_argument, NULL, OPT_PATH},
        {"tag", required_argument, NULL, OPT_TAG},
        {"lang", required_argument, NULL, OPT_LANG},
        {"prefix", no_argument, NULL, OPT_PREFIX},
        {"facets", required_argument, NULL, OPT_FACETS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"partial", no_argument, NULL, OPT_PARTIAL},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->color_when = "auto";
    rubric_search_opts_init(&o->search);
    unsigned long n = 10;
    int c;
    /* Errors are JSON too when --json is among the options, wherever. */
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (strcmp(argv[i], "--json") == 0)
            cli_json_errors(1);
    opterr = 0;  /* its messages name the path run; ours name the tool */
    while ((c = getopt_long(argc, argv, ":n:hV", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            if (cli_add_db("rubric-query", o->dbs, &o->ndbs, DBS_MAX, optarg) < 0)
                return EXIT_USAGE;
            o->db = optarg;
            break;
        case 'n':
            if (cli_count("rubric-query", "-n", optarg, 1, 10000, &n) < 0)
                return EXIT_USAGE;
            o->search.limit = n;
            break;
        case OPT_OFFSET:
            if (cli_count("rubric-query", "--offset", optarg, 0, 1000000, &n) < 0)
                return EXIT_USAGE;
            o->search.offset = n;
            break;
        case OPT_TIMEOUT:
            if (cli_count("rubric-query", "--timeout", optarg, 1, RUBRIC_TIMEOUT_MAX_MS, &n) < 0)
                return EXIT_USAGE;
            o->timeout_ms = (unsigned)n;
            break;
        case OPT_PARTIAL: o->partial = 1; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_BOILER: o->boilerplate = 1; break;
        case OPT_BASE: o->search.base_url = optarg; break;
        case OPT_CONFIG: o->config = optarg; break;
        case OPT_EXPLAIN: o->search.explain = 1; break;
        case OPT_SYNONYMS: o->synonyms = optarg; break;
        case OPT_PREFIX: o->search.prefix = 1; break;
        case OPT_FACETS:
            if (rubric_facets_parse(optarg, &o->search.facets) != RUBRIC_OK) {
                cli_error("rubric-query", "usage",
                          "--facets wants a list of section, lang and tag, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_PATH:
            if (add_filter("path", optarg, o->paths, &o->npaths) < 0)
                return EXIT_USAGE;
            o->search.paths = o->paths;
            break;
        case OPT_TAG:
            if (add_filter("tag", optarg, o->tags, &o->ntags) < 0)
                return EXIT_USAGE;
            o->search.tags = o->tags;
            break;
        case OPT_LANG:
            if (add_filter("lang", optarg, o->langs, &o->nlangs) < 0)
                return EXIT_USAGE;
            o->search.langs = o->langs;
            break;
        case OPT_FRAGMENTS:
            if (cli_count("rubric-query", "--fragments", optarg, 1, 20, &n) < 0)
                return EXIT_USAGE;
            o->search.fragments = n;
            break;
        case OPT_PER_ARTICLE:
            if (cli_count("rubric-query", "--per-article", optarg, 1, 100, &n) < 0)
                return EXIT_USAGE;
            o->search.per_article = n;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                cli_error("rubric-query", "usage", "--color wants auto, always or never, not '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            o->color_when = optarg;
            break;
        case 'h': fputs(usage_text, stdout); return EXIT_DONE;
        case 'V':
        case OPT_VERSION: printf("rubric-query %s\n", rubric_version()); return EXIT_DONE;
        default: return cli_option_error("rubric-query", c, argv);
        }
    }
    if (optind >= argc) {
        cli_error("rubric-query", "usage", "no QUERY given");
        fputs("Try 'rubric-query --help' for more information.\n", stderr);
        return EXIT_USAGE;
    }
    o->first_word = optind;
    return -1;
}

/* The words ARGV[FIRST..ARGC) joined by spaces (caller frees), or NULL when
 * out of memory. */
static char *join_words(int argc, char **argv, int first)
{
    size_t len = 0;
    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *q = malloc(len + 1), *at = q;
    for (int i = first; q && i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (i > first)
            *at++ = ' ';
        memcpy(at, argv[i], n);
        at += n;
    }
    if (q)
        *at = '\0';
    return q;
}

/* Whether to colour matches: --color always or never decides; else (auto)
 * not when NO_COLOR is set or TERM is "dumb", and only on a terminal. The
 * command line beats the environment, which beats the terminal test. */
static int use_color(const char *when)
{
    if (strcmp(when, "always") == 0)
        return 1;
    if (strcmp(when, "never") == 0)
        return 0;
    const char *nocolor = getenv("NO_COLOR"), *term = getenv("TERM");
    if ((nocolor && *nocolor) || (term && strcmp(term, "dumb") == 0))
        return 0;
    return isatty(STDOUT_FILENO);
}

/* Open the index O and CFG name, with its synonyms. Returns NULL (said on
 * stderr) when it cannot, *status then the exit code. */
static rubric_db *open_db(const options *o, const config *cfg, int *status)
{
    char *err = NULL;
    rubric_db *db = NULL;
    const char *one = cli_db_path(o->db, cfg->db);
    rubric_open_opts oo;
    rubric_open_opts_init(&oo);
    oo.timeout_ms = o->timeout_ms;
    oo.partial = o->partial;
    int rc = o->ndbs > 1 ? rubric_db_open_with(o->dbs, o->ndbs, &oo, &db, &err)
                         : rubric_db_open_with(&one, 1, &oo, &db, &err);
    if (rc != RUBRIC_OK) {
        cli_error("rubric-query", rc == RUBRIC_ESHARD ? "shard" : "index", "%s",
                  err ? err : rubric_strerror(rc));
        free(err);
        *status = rc == RUBRIC_ESHARD ? EXIT_SHARD : EXIT_NODB;
        return NULL;
    }
    const char *syn = o->synonyms ? o->synonyms : cfg->synonyms;
    if (syn && load_synonyms(db, syn) < 0) {
        rubric_db_close(db);
        *status = EXIT_USAGE;
        return NULL;
    }
    return db;
}

/* Search DB for QUERY as O asks and print the results. The exit code. */
static int search_and_print(rubric_db *db, const char *query, const options *o)
{
    char *err = NULL;
    rubric_results *res = NULL;
    int rc = rubric_search(db, query, strlen(query), &o->search, &res, &err), status = EXIT_DONE;
    for (size_t k = 0; rc == RUBRIC_OK && rubric_results_missing_shard(res, k); k++) {
        char what[320];
        snprintf(what, sizeof what, "remote shard %s did not answer: left out",
                 rubric_results_missing_shard(res, k));
        complain(what, query);
    }
    if (rc == RUBRIC_OK && rubric_results_partial(res) && !rubric_results_missing_shard(res, 0))
        complain("the search ran out of time: these are the best passages found by then, "
                 "not necessarily the best of all", query);
    if (rc != RUBRIC_OK) {
        size_t n = strlen(query);
        cli_error("rubric-query",
                  rc == RUBRIC_EINVAL ? "query" : rc == RUBRIC_ESHARD ? "shard" : "index",
                  "%s: '%.*s%s'", err ? err : rubric_strerror(rc), n > 200 ? 200 : (int)n, query,
                  n > 200 ? "..." : "");
        status = rc == RUBRIC_EINVAL ? EXIT_USAGE : rc == RUBRIC_ESHARD ? EXIT_SHARD : EXIT_NODB;
    } else if (o->json) {
        char *s = rubric_results_json(res, 0);
        if (s)
            puts(s);
        else
            cli_error("rubric-query", "memory", "out of memory");
        status = s ? EXIT_DONE : EXIT_NODB;
        free(s);
    } else {
        print_text(query, res, use_color(o->color_when), o->search.per_article > 0,
                   o->search.offset);
        print_facets(res, o->search.facets);
    }
    free(err);
    rubric_results_free(res);
    return status;
}

int main(int argc, char **argv)
{
    options o;
    int status = parse_options(argc, argv, &o);
    if (status >= 0)
        return status;
    config cfg;
    char *err = NULL;
    if (config_load(o.config, &cfg, &err) < 0) {
        cli_error("rubric-query", "config", "%s", err ? err : "out of memory");
        free(err);
        return EXIT_USAGE;
    }
    if (!o.search.base_url)
        o.search.base_url = cfg.base_url;
    o.search.boilerplate = o.boilerplate || cfg.show_boilerplate;
    char *query = join_words(argc, argv, o.first_word);
    rubric_db *db = NULL;
    if (!query) {
        cli_error("rubric-query", "memory", "out of memory");
        status = EXIT_NODB;
    } else if ((db = open_db(&o, &cfg, &status))) {
        status = search_and_print(db, query, &o);
    }
    rubric_db_close(db);
    free(query);
    config_free(&cfg);
    return status;
}
