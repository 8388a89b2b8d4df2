/* test_search.c: every query operator end to end through the library, on a
 * small index built in a fresh temporary directory (removed at the end) from
 * fixture articles written by the test, whose words it controls.
 *
 * Passages are named by key "file#anchor" (the file's last path component);
 * most checks compare the set of keys a query returns with the expected set,
 * printing both on mismatch. Also: spelling, synonyms, ranking, grouping by
 * article, fragments with source offsets, explain, and a smoke check of the
 * judged queries (tests/relevance/seed-article.tsv) on an index of corpus/
 * (under $RUBRIC_SRCDIR, default ".").
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#define _XOPEN_SOURCE 700 /* realpath, for shell.h */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "rubric.h"
#include "shim.h"
#include "harness.h"
#include "shell.h"

static char g_tmp[1024];   /* the temporary directory */
static char g_docs[1100];  /* g_tmp/docs: the fixture articles */
static rubric_db *g_db;

/* ---------------------------------------------------------------- fixtures */

static const char orchard_txt[] =
    "The Orchard Report\n"
    "\n"
    "This report describes the orchard on the hill, with its old trees, its patient workers "
    "and the crops that it sends to the town market every single year.\n"
    "\n"
    "Red Apples\n"
    "The farm grows red apples on the southern slope of the valley, and the harvest begins "
    "in early autumn when the fruit is sweet and crisp enough to sell.\n"
    "\n"
    "Green Pears\n"
    "Green pears ripen later in the season than the fruit on the slope, so the pickers store "
    "them in a cool stone barn for several weeks before the market opens.\n"
    "\n"
    "Mixed Baskets\n"
    "Each basket at the stall holds apples and pears together, wrapped in brown paper, and "
    "the baskets sell out quickly on Saturday mornings when the weather is fine.\n";

/* "Wild Apples": apples(1) grow along the river(5) ... village(25). */
static const char river_txt[] =
    "Life by the River\n"
    "\n"
    "The village sits on a bend of the river, and most families there have fished, farmed "
    "and traded along its banks for as long as anyone remembers.\n"
    "\n"
    "Wild Apples\n"
    "Wild apples grow along the river where the banks are steep, and children gather them "
    "every summer afternoon after the long walk down from the village.\n"
    "\n"
    "Quiet Lighthouse\n"
    "Keepers once lived in the small white house on the point, trimming the lamp every "
    "evening and writing the weather in a book that still survives today.\n";

static const char pie_txt[] =
    "Kitchen Notebook\n"
    "\n"
    "These notes collect the recipes that the family cooks every winter, written down on "
    "cards and kept in a tin box beside the stove for many years.\n"
    "\n"
    "Apple Pie\n"
    "Peel and slice one large apple, mix it with cinnamon and sugar, and bake it under a "
    "thick crust until the top turns golden and the kitchen smells sweet.\n"
    "\n"
    "Plum Jam\n"
    "Boil ripe plums with sugar and lemon until the jam sets on a cold plate, then pour it "
    "into clean jars and seal them while they are still hot.\n";

/* In docs/fruitcake/: a folder whose name begins with "fruit". */
static const char cake_txt[] =
    "Fruitcake Secrets\n"
    "\n"
    "A good fruitcake needs dried apples, raisins and candied peel soaked in tea overnight, "
    "then a slow oven and a great deal of patience from the baker.\n";

/* Two sections alike but for mediator / mediation (the mediator one first). */
static const char talks_txt[] =
    "Talks in the Valley\n"
    "\n"
    "The two villages had argued about the water rights for a decade, and in the end they "
    "asked the regional council to send somebody to help them settle.\n"
    "\n"
    "Second Meeting\n"
    "The envoy praised the mediator offered by the neighbours, and the talks went on late "
    "into the night before anyone agreed to sign the final paper.\n"
    "\n"
    "Third Meeting\n"
    "The envoy praised the mediation offered by the neighbours, and the talks went on late "
    "into the night before anyone agreed to sign the final paper.\n";

/* "beacon" in a body (first) and in a heading (second), otherwise alike;
 * "copper" far from "kettle" (first) and next to it (second), same words. */
static const char coast_txt[] =
    "Notes from the Coast\n"
    "\n"
    "Life on this stretch of coast follows the tides, and the people who live here measure "
    "the year by storms, catches and the arrival of summer visitors.\n"
    "\n"
    "Harbour Wall\n"
    "The old beacon tower stands at the end of the pier, and fishermen still look for its "
    "light when they come home late through the winter fog.\n"
    "\n"
    "Beacon Tower\n"
    "The old stone tower stands at the end of the pier, and fishermen still look for its "
    "light when they come home late through the winter fog.\n"
    "\n"
    "Kitchen Shelf\n"
    "Grandmother kept a kettle on the shelf above the stove, with cups, spoons and a tin of "
    "tea beside it, and a copper pan hanging from a hook below.\n"
    "\n"
    "Scullery Corner\n"
    "Grandmother kept a copper kettle on the shelf above the stove, with cups, spoons and a "
    "tin of tea beside it, and a pan hanging from a hook below.\n";

static const char seasons_head[] =
    "Seasons on the Farm\n"
    "\n"
    "Every season on the farm brings its own work, and this account follows one family "
    "through a single year of planting, tending, harvest and rest in the valley.\n"
    "\n"
    "Spring Planting\n"
    "In spring the family ploughs the lower field and sows barley, hoping for an early "
    "harvest if the rain comes at the right time and the frost stays away.\n"
    "\n"
    "Summer Work\n"
    "Summer is spent mending fences, cutting hay and watching the sky, because a single "
    "hailstorm in July can ruin the harvest of a whole year in one afternoon.\n"
    "\n"
    "Autumn Harvest\n";
/* ...then a long section (split into parts) of generated paragraphs... */
static const char seasons_tail[] =
    "\n"
    "Winter Rest\n"
    "Winter is quiet: the animals stay in the barn, the tools are repaired, and the family "
    "talks over the fire about what the next harvest might bring them.\n";

static const char pages_jsonl[] =
    "{\"path\": \"notes/cider.html\", \"title\": \"Pressing Cider\", \"text\": \"After the "
    "harvest the press turns fallen fruit into sweet cider, which is stored in oak barrels in "
    "the cellar until the first frost of winter arrives.\", \"tags\": [\"Cooking\", "
    "\"Autumn\"], \"lang\": \"en\"}\n"
    "{\"path\": \"notes/poire.html\", \"title\": \"Poires au vin\", \"text\": \"Les poires "
    "sont cuites dans le vin rouge avec de la cannelle, puis servies froides: a harvest "
    "dessert of fruit in wine.\", \"tags\": [\"cooking\"], \"lang\": \"fr\"}\n"
    "{\"path\": \"notes/tools.html\", \"title\": \"Orchard Tools\", \"text\": \"Ladders, "
    "crates and pruning saws are checked every spring, and a broken ladder is mended before "
    "the harvest so that nobody falls from the top branches.\", \"tags\": [\"equipment\"], "
    "\"lang\": \"en\"}\n"
    "{\"path\": \"notes/upper.html\", \"title\": \"Upper Case Language\", \"text\": \"This "
    "record gives its language in capitals, like many exports do, and its tag in capitals "
    "too, so that the filters can be checked for folding.\", \"tags\": [\"SHOUTING\"], "
    "\"lang\": \"EN-GB\"}\n";

static const char news_txt[] =
    "World Desk\n"
    "\n"
    "This page gathers short reports from correspondents abroad, filed during a busy week of "
    "meetings, agreements and arguments between governments large and small.\n"
    "\n"
    "Peace Talks\n"
    "Delegates met at the United Nations headquarters on Monday to discuss a ceasefire, and "
    "several of them said that a deal could be signed within days.\n"
    "\n"
    "Relief Effort\n"
    "Trucks carrying food and medicine crossed the border under a UN flag on Tuesday, after "
    "weeks of negotiation over the route they would be allowed to take.\n"
    "\n"
    "Trade Deal\n"
    "Negotiators from the United States and their partners agreed on lower tariffs for farm "
    "goods, a change that exporters had been requesting for many years.\n"
    "\n"
    "Letters Page\n"
    "Readers wrote to tell us what they thought about the week's events, and most of them "
    "asked for more reporting from the smaller countries in the region.\n";

/* Dotted names: the analyzer gives `standby.signal` and then its parts at the
 * same bytes, so a query naming both matches overlapping spans. */
static const char standby_txt[] =
    "Replica Setup\n"
    "\n"
    "A replica starts in recovery when the file standby.signal exists in its data folder; "
    "remove standby.signal to promote the standby, or call os.path.join to build the path.\n";

/* ----------------------------------------------------------------- helpers */

static int spill(const char *rel, const char *data, size_t len)
{
    char path[PATH_MAX + 1200], dir[PATH_MAX + 1200];
    snprintf(path, sizeof path, "%s/%s", g_docs, rel);
    /* mkdir -p of the file's folder */
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + strlen(g_tmp) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0777) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* The autumn section: paragraphs enough to be split into parts, with
 * "harvest" in several forms and multi-byte characters before matches. */
static char *seasons_text(void)
{
    size_t cap = 16384, n = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    n += (size_t)snprintf(s + n, cap - n, "%s", seasons_head);
    for (int i = 1; i <= 16; i++)
        n += (size_t)snprintf(s + n, cap - n,
                              "On day %d the crew from the café loads the wagons with grain "
                              "before noon, and the horses pull them to the barn; %s like this "
                              "one are remembered for years by everyone in the valley.\n\n",
                              i, i % 3 == 0 ? "Harvests" : i % 3 == 1 ? "a harvest" : "harvesting");
    snprintf(s + n, cap - n, "%s", seasons_tail);
    return s;
}

/* A word found in one passage only, in its body: no other file has it. */
static const char depth_txt[] =
    "Interpreter Depth\n"
    "\n"
    "Scripts seldom need getdepthlimit, which reports how deeply calls may nest before the "
    "interpreter stops them.\n";

/* A letter: the only passage with "my", "our" and "who", and full of "how"
 * and "do", the words a question is made of. */
static const char letter_txt[] =
    "Dear Ann\n"
    "\n"
    "How are you, and how do you do? My week was long. My sister came by and we "
    "talked of how our cousins do, how my uncle does, who called, and how I do too.\n";

/* An API page whose entries are named by their ids (as Sphinx names them:
 * the full dotted name), beside a text where the entries' own names are
 * everywhere. */
static const char crane_html[] =
    "<html><head><title>Harbour Machines</title></head><body>\n"
    "<h1 id=\"machines\">Harbour Machines</h1>\n"
    "<p>The crane module moves loads about the quay, from the ships to the sheds, its "
    "QuayWinch setting the pace.</p>\n"
    "<dl>\n"
    "<dt id=\"quay.crane.hoist\">hoist(load)</dt><dd><p>Raises the load to the deck and "
    "holds it there until told to stop.</p></dd>\n"
    "<dt id=\"quay.crane.lower\">crane.lower(load)</dt><dd><p>Sets the load down on the "
    "stones, slowly, whatever it weighs.</p></dd>\n"
    "</dl>\n"
    "</body></html>\n";

static const char rigging_txt[] =
    "Rigging\n"
    "\n"
    "Hoist and Lower\n"
    "\n"
    "To hoist a sail, hoist it hand over hand; a hoist that jams is freed before the next "
    "hoist. Lower it the same way: lower the yard first, then lower the sail, and never "
    "lower both at once.\n";

static char *zq_text(void)
{
    size_t cap = 16384, n = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    n += (size_t)snprintf(s + n, cap - n, "Zq Vocabulary\n\n");
    for (int i = 0; i < 600; i++)
        n += (size_t)snprintf(s + n, cap - n, "zq%c%c%s", 'a' + i / 26, 'a' + i % 26,
                              i % 20 == 19 ? ".\n\n" : " ");
    return s;
}

/* Build the index at g_tmp/NAME from the files RELS[0..N) of g_docs, every
 * file with its path relative to g_docs as its address, and open it in *DB. */
static int build_index_at(const char *name, const char *const *rels, size_t n, rubric_db **db)
{
    char dbdir[PATH_MAX], path[PATH_MAX + 1200];
    snprintf(dbdir, sizeof dbdir, "%s/%s", g_tmp, name);
    rubric_index *ix = NULL;
    char *err = NULL;
    int rc = rubric_index_open(dbdir, "english", &ix, &err);
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "test_search: rubric_index_open: %s\n", err ? err : rubric_strerror(rc));
        free(err);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", g_docs, rels[i]);
        rc = rubric_index_add(ix, path, rels[i], NULL, NULL);
        if (rc != RUBRIC_OK) {
            fprintf(stderr, "test_search: %s: %s\n", rels[i], rubric_index_errmsg(ix));
            rubric_index_close(ix);
            return -1;
        }
    }
    rc = rubric_index_commit(ix);
    rubric_index_close(ix);
    if (rc != RUBRIC_OK)
        return -1;
    rc = rubric_db_open(dbdir, db, &err);
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "test_search: rubric_db_open: %s\n", err ? err : rubric_strerror(rc));
        free(err);
        return -1;
    }
    return 0;
}

/* The fixture index, g_tmp/db, into g_db. */
static int build_index(const char *const *rels, size_t n)
{
    return build_index_at("db", rels, n, &g_db);
}

/* An index of its own, g_tmp/NAME, of the one page REL that WRITE writes
 * (under g_docs); NULL, and a failed check, when it cannot be built. */
static rubric_db *index_page(const char *name, const char *rel, void (*write)(FILE *))
{
    char *page = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&page, &len);
    if (f)
        write(f);
    int ok = f && fclose(f) == 0 && spill(rel, page, len) == 0;
    free(page);
    rubric_db *db = NULL;
    const char *rels[] = {rel};
    if (!ok || build_index_at(name, rels, 1, &db) < 0) {
        CHECK(!"the page's own index is built");
        return NULL;
    }
    return db;
}

/* The first hit of query Q in DB is anchored at WANT (said where not). */
static void expect_first_anchor_at(const char *file, int line, rubric_db *db, const char *q,
                                   const char *want)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    rubric_results *r = NULL;
    int rc = rubric_search(db, q, strlen(q), &o, &r, NULL);
    const rubric_hit *h = r && rubric_results_count(r) ? rubric_results_hit(r, 0) : NULL;
    if (rc != RUBRIC_OK || !h || strcmp(h->anchor, want) != 0) {
        fprintf(stderr, "  %s:%d: query [%s]\n    first: %s\n    want:  %s\n", file, line, q,
                h ? h->anchor : "(none)", want);
        harness_current_failed = 1;
    }
    rubric_results_free(r);
}

#define EXPECT_FIRST_ANCHOR(db, q, want) expect_first_anchor_at(__FILE__, __LINE__, db, q, want)

static rubric_results *search_with(const char *q, const rubric_search_opts *o)
{
    rubric_results *r = NULL;
    char *err = NULL;
    int rc = rubric_search(g_db, q, strlen(q), o, &r, &err);
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "  search [%s]: %s (%s)\n", q, rubric_strerror(rc), err ? err : "");
        harness_current_failed = 1;
    }
    free(err);
    return r;
}

/* Search with a big limit (every match), correction off. */
static rubric_results *search_all(const char *q)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 500;
    o.no_correction = 1;
    return search_with(q, &o);
}

static void key_of(const rubric_hit *h, char *out, size_t n)
{
    const char *base = strrchr(h->path, '/');
    snprintf(out, n, "%s#%s", base ? base + 1 : h->path, h->anchor);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted distinct keys of R, space separated, into OUT. */
static void keys_of(const rubric_results *r, char *out, size_t n)
{
    size_t count = r ? rubric_results_count(r) : 0;
    char **keys = calloc(count + 1, sizeof *keys);
    out[0] = '\0';
    if (!keys)
        return;
    for (size_t i = 0; i < count; i++) {
        char k[512];
        key_of(rubric_results_hit(r, i), k, sizeof k);
        keys[i] = strdup(k);
    }
    qsort(keys, count, sizeof *keys, cmp_str);
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        if (keys[i] && (i == 0 || strcmp(keys[i], keys[i - 1]) != 0))
            at += (size_t)snprintf(out + at, at < n ? n - at : 0, "%s%s", at ? " " : "", keys[i]);
    }
    for (size_t i = 0; i < count; i++)
        free(keys[i]);
    free(keys);
}

/* Query Q returns exactly the passages WANT (space-separated keys, any order). */
static void expect_keys_at(const char *file, int line, const char *q, const char *want)
{
    /* sort WANT's keys */
    char wbuf[2048], sorted[2048] = "", got[4096];
    char *w[64];
    size_t nw = 0;
    snprintf(wbuf, sizeof wbuf, "%s", want);
    for (char *t = strtok(wbuf, " "); t && nw < 64; t = strtok(NULL, " "))
        w[nw++] = t;
    qsort(w, nw, sizeof *w, cmp_str);
    for (size_t i = 0, at = 0; i < nw; i++)
        at += (size_t)snprintf(sorted + at, sizeof sorted - at, "%s%s", i ? " " : "", w[i]);
    rubric_results *r = search_all(q);
    keys_of(r, got, sizeof got);
    if (strcmp(got, sorted) != 0) {
        fprintf(stderr, "  %s:%d: query [%s]\n    got:  %s\n    want: %s\n", file, line, q, got,
                sorted);
        harness_current_failed = 1;
    }
    rubric_results_free(r);
}

#define EXPECT_KEYS(q, want) expect_keys_at(__FILE__, __LINE__, q, want)

/* The 0-based rank of the first hit with key KEY in R, or -1. */
static int rank_of(const rubric_results *r, const char *key)
{
    for (size_t i = 0; r && i < rubric_results_count(r); i++) {
        char k[512];
        key_of(rubric_results_hit(r, i), k, sizeof k);
        if (strcmp(k, key) == 0)
            return (int)i;
    }
    return -1;
}

/* Words side by side: the hits holding them all (FIRST) come before every
 * hit holding only some, and THEN (when not NULL) is among the rest. */
static void expect_first_at(const char *file, int line, const char *q, const char *first,
                            const char *then)
{
    rubric_results *r = search_all(q);
    char got[4096];
    keys_of(r, got, sizeof got);
    size_t nfirst = 0;
    int ok = 1;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", first);
    for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
        nfirst++;
    snprintf(buf, sizeof buf, "%s", first);
    for (char *t = strtok(buf, " "); t && ok; t = strtok(NULL, " ")) {
        int k = rank_of(r, t);
        ok = k >= 0 && (size_t)k < nfirst;
    }
    if (ok && then)
        ok = rank_of(r, then) >= (int)nfirst;
    if (!ok) {
        fprintf(stderr, "  %s:%d: query [%s]: want %s first%s%s; got (by key) %s\n", file, line, q,
                first, then ? ", then " : "", then ? then : "", got);
        harness_current_failed = 1;
    }
    rubric_results_free(r);
}

#define EXPECT_FIRST(q, first, then) expect_first_at(__FILE__, __LINE__, q, first, then)

static int has_key(const char *q, const char *key)
{
    rubric_results *r = search_all(q);
    int found = rank_of(r, key) >= 0;
    rubric_results_free(r);
    return found;
}

/* ------------------------------------------------------------- operators */

static const char APPLES[] =
    "orchard.txt#red-apples orchard.txt#mixed-baskets river.txt#wild-apples pie.txt#apple-pie "
    "cake.txt#fruitcake-secrets";

static void plain_words_match_any_form_and_those_holding_all_come_first(void)
{
    EXPECT_KEYS("apples", APPLES);
    EXPECT_KEYS("Apple", APPLES);
    EXPECT_FIRST("apples pears", "orchard.txt#mixed-baskets", "orchard.txt#green-pears");
    EXPECT_FIRST("apples pears", "orchard.txt#mixed-baskets", "river.txt#wild-apples");
}

static void and_requires_both(void)
{
    EXPECT_KEYS("apples AND pears", "orchard.txt#mixed-baskets");
    /* AND has no fallback to partial matches */
    EXPECT_KEYS("apples AND plums", "");
}

static void or_accepts_either(void)
{
    EXPECT_KEYS("pears OR plums", "orchard.txt#green-pears orchard.txt#mixed-baskets pie.txt#plum-jam");
    /* lower-case "or" is a word, which AND requires like the others: no
     * passage holds all three */
    EXPECT_KEYS("pears AND or AND plums", "");
}

static void not_and_minus_exclude(void)
{
    const char *want = "orchard.txt#red-apples orchard.txt#mixed-baskets pie.txt#apple-pie "
                       "cake.txt#fruitcake-secrets";
    EXPECT_KEYS("apples -river", want);
    EXPECT_KEYS("apples NOT river", want);
    EXPECT_KEYS("apples -\"along the river\"", want);
    EXPECT_KEYS("apples -\"river along\"", APPLES);  /* that phrase is nowhere */
}

/* A query of nothing but dashed words would match nothing: it is a
 * command's options ("-bvs", "-Wall"), searched for as words. */
static void dashed_words_alone_are_searched_for(void)
{
    EXPECT_KEYS("-apples", APPLES);
    EXPECT_FIRST("-apples -pears", "orchard.txt#mixed-baskets", "orchard.txt#green-pears");
    EXPECT_KEYS("-(apples AND pears)", "orchard.txt#mixed-baskets");
}

static void plus_is_the_same_as_the_word(void)
{
    EXPECT_KEYS("+apples", APPLES);
    EXPECT_FIRST("+apples +pears", "orchard.txt#mixed-baskets", "orchard.txt#green-pears");
}

static void parentheses_group(void)
{
    EXPECT_KEYS("(pears OR plums) -barn", "orchard.txt#mixed-baskets pie.txt#plum-jam");
    EXPECT_FIRST("(pears OR plums) barn", "orchard.txt#green-pears", "pie.txt#plum-jam");
    EXPECT_KEYS("(apples OR plums) AND (pears OR jam)", "orchard.txt#mixed-baskets pie.txt#plum-jam");
    EXPECT_KEYS("-(apples OR pears) (barn OR baskets)",
                "seasons.txt#autumn-harvest seasons.txt#winter-rest");
    EXPECT_KEYS("apples -(river OR pie OR raisins)", "orchard.txt#red-apples orchard.txt#mixed-baskets");
}

static void a_phrase_matches_adjacent_words_in_order(void)
{
    EXPECT_KEYS("\"red apples\"", "orchard.txt#red-apples");
    EXPECT_KEYS("\"apples red\"", "");
    EXPECT_KEYS("\"green pears\"", "orchard.txt#green-pears");
    EXPECT_KEYS("\"sell out\"", "orchard.txt#mixed-baskets");
}

static void a_phrase_never_crosses_a_section_or_a_heading(void)
{
    /* "... crisp enough to sell." ends Red Apples; "Green Pears" follows */
    EXPECT_KEYS("\"sell green\"", "");
    EXPECT_KEYS("\"to sell green pears\"", "");
    /* the heading "Green Pears" then the text "Green pears ripen" */
    EXPECT_KEYS("\"pears green\"", "");
    EXPECT_KEYS("\"lighthouse keepers\"", "");
    EXPECT_KEYS("\"lighthouse keepers\"~50", "");
}

static void a_phrase_with_slop_allows_words_between_in_any_order(void)
{
    /* "Wild apples grow along the river": three words between */
    EXPECT_KEYS("\"apples river\"~3", "river.txt#wild-apples");
    EXPECT_KEYS("\"river apples\"~3", "river.txt#wild-apples");
    EXPECT_KEYS("\"apples river\"~2", "");
    EXPECT_KEYS("\"apples river\"", "");
}

static void near_matches_within_n_words_and_not_beyond(void)
{
    EXPECT_KEYS("apples NEAR/3 river", "river.txt#wild-apples");
    EXPECT_KEYS("river NEAR/3 apples", "river.txt#wild-apples");
    EXPECT_KEYS("apples NEAR/2 river", "");
    EXPECT_KEYS("apples NEAR river", "river.txt#wild-apples");  /* default 10 */
    /* apples(1) ... village(25): 23 words between */
    EXPECT_KEYS("apples NEAR/23 village", "river.txt#wild-apples");
    EXPECT_KEYS("apples NEAR/22 village", "");
    EXPECT_KEYS("apples NEAR village", "");
}

/* Regression: README: phrases and NEAR "never match across a section boundary
 * (nor from a heading into its text)". The body's positions start HEADING_GAP
 * (1000, lib/index.c) after the heading's last word, wider than the widest
 * NEAR window (NEAR/100, a span of 101 positions for two words). When the gap
 * was 100, NEAR/99 and NEAR/100 reached from the last heading word into the
 * first body word. Minimal input: the section
 * "Quiet Lighthouse\nKeepers once lived ..." and "lighthouse NEAR/100 keepers". */
static void near_never_reaches_from_a_heading_into_its_text(void)
{
    EXPECT_KEYS("lighthouse NEAR/10 keepers", "");
    EXPECT_KEYS("lighthouse NEAR/98 keepers", "");
    EXPECT_KEYS("lighthouse NEAR/100 keepers", "");
}

static void a_wildcard_matches_words_beginning_so(void)
{
    EXPECT_KEYS("pear*", "orchard.txt#green-pears orchard.txt#mixed-baskets");
    EXPECT_KEYS("Pear*", "orchard.txt#green-pears orchard.txt#mixed-baskets");
    EXPECT_KEYS("pear* -barn", "orchard.txt#mixed-baskets");
    rubric_results *r = search_all("zqa*");  /* 26 words */
    CHECK(r && rubric_results_count(r) > 0);
    rubric_results_free(r);
}

static void a_too_broad_wildcard_is_einval_saying_so(void)
{
    rubric_results *r = NULL;
    char *err = NULL;
    int rc = rubric_search(g_db, "zq*", 3, NULL, &r, &err);  /* 600 words */
    CHECK(rc == RUBRIC_EINVAL);
    CHECK(r == NULL);
    CHECK(err && strstr(err, "wildcard"));
    if (rc != RUBRIC_EINVAL || !err || !strstr(err, "wildcard"))
        fprintf(stderr, "  rc %d, message: %s\n", rc, err ? err : "(null)");
    free(err);
    rubric_results_free(r);
}

static void an_exact_form_is_unstemmed(void)
{
    EXPECT_KEYS("=apples",
                "orchard.txt#red-apples orchard.txt#mixed-baskets river.txt#wild-apples "
                "cake.txt#fruitcake-secrets");
    EXPECT_KEYS("=apple", "pie.txt#apple-pie");
    EXPECT_KEYS("=Apple", "pie.txt#apple-pie");
    EXPECT_KEYS("=pear", "");
}

static void title_matches_a_heading_word(void)
{
    EXPECT_KEYS("title:pears", "orchard.txt#green-pears");
    EXPECT_KEYS("title:apples", "orchard.txt#red-apples pie.txt#apple-pie river.txt#wild-apples");
    EXPECT_KEYS("title:apples -pie -river", "orchard.txt#red-apples");
    EXPECT_KEYS("title:barn", "");  /* barn is in a body only */
    EXPECT_KEYS("title:apples AND pears", "");
    EXPECT_KEYS("title:keepers", "");
}

static void path_filters_a_folder_or_a_file(void)
{
    const char *fruit = "orchard.txt#red-apples orchard.txt#mixed-baskets";
    char q[PATH_MAX + 64];
    EXPECT_KEYS("apples path:fruit/", fruit);
    EXPECT_KEYS("apples path:fruit/orchard.txt", fruit);
    EXPECT_KEYS("apples path:kitchen/pie.txt", "pie.txt#apple-pie");
    /* An OR of filters selects too: it once made a ranked OR with the words. */
    EXPECT_KEYS("apples (path:fruit/ OR path:kitchen/pie.txt)",
                "orchard.txt#red-apples orchard.txt#mixed-baskets pie.txt#apple-pie");
    EXPECT_KEYS("apples -path:kitchen", "orchard.txt#red-apples orchard.txt#mixed-baskets "
                                        "river.txt#wild-apples cake.txt#fruitcake-secrets");
    /* the path as given to the indexer */
    snprintf(q, sizeof q, "apples path:%s/fruit/", g_docs);
    EXPECT_KEYS(q, fruit);
    snprintf(q, sizeof q, "apples path:%s/kitchen", g_docs);
    EXPECT_KEYS(q, "pie.txt#apple-pie");
}

/* Regression: path: names a folder or a file (README: "passages of files
 * under this path: a folder or a file"), not a plain prefix of the path:
 * "path:fruit" does not match docs/fruitcake/cake.txt, as it once did.
 * Minimal input: files fruit/orchard.txt and fruitcake/cake.txt, both with
 * "apples"; query "apples path:fruit". */
static void a_path_folder_does_not_match_a_longer_folder_name(void)
{
    char q[PATH_MAX + 64];
    const char *fruit = "orchard.txt#red-apples orchard.txt#mixed-baskets";
    EXPECT_KEYS("apples path:fruit", fruit);
    snprintf(q, sizeof q, "apples path:%s/fruit", g_docs);
    EXPECT_KEYS(q, fruit);
}

static void tag_and_lang_filter_by_what_the_source_gave(void)
{
    EXPECT_KEYS("harvest tag:cooking", "cider.html#pressing-cider poire.html#poires-au-vin");
    EXPECT_KEYS("harvest tag:Cooking", "cider.html#pressing-cider poire.html#poires-au-vin");
    EXPECT_KEYS("tag:cooking", "cider.html#pressing-cider poire.html#poires-au-vin");
    EXPECT_KEYS("harvest tag:autumn", "cider.html#pressing-cider");
    EXPECT_KEYS("harvest tag:cook", "");
    EXPECT_KEYS("harvest lang:fr", "poire.html#poires-au-vin");
    EXPECT_KEYS("harvest lang:en", "cider.html#pressing-cider tools.html#orchard-tools");
    EXPECT_KEYS("harvest lang:en -tag:cooking", "tools.html#orchard-tools");
    EXPECT_KEYS("record tag:SHOUTING", "upper.html#upper-case-language");
    CHECK(!has_key("harvest -tag:cooking", "cider.html#pressing-cider"));
    CHECK(has_key("harvest -tag:cooking", "tools.html#orchard-tools"));
}

/* Regression: lang: folds the query's value to lower case (qtree leaf), and
 * the JSON Lines reader folds the record's language too, as it does tags: a
 * record with "lang": "EN-GB" is found by lang:EN-GB and by lang:en-gb. When
 * the language was stored exactly as the source gave it, neither found it. */
static void lang_matches_a_language_given_in_capitals(void)
{
    EXPECT_KEYS("record", "upper.html#upper-case-language");
    EXPECT_KEYS("record lang:en-gb", "upper.html#upper-case-language");
    EXPECT_KEYS("record lang:EN-GB", "upper.html#upper-case-language");
}

/* Regression: an empty side of OR (or an empty group) does not stand for
 * every passage: "OR apples" and "apples OR ()" do not find a passage
 * without apples, and "apples -()" still finds one with them. Empty operands
 * once became MatchAll in qtree_build, so that the first two matched every
 * passage and the last none. Minimal input: any index; "OR apples". */
static void an_empty_operand_matches_nothing_rather_than_everything(void)
{
    CHECK(!has_key("OR apples", "orchard.txt#green-pears"));
    CHECK(!has_key("apples OR ()", "orchard.txt#green-pears"));
    CHECK(has_key("apples -()", "orchard.txt#red-apples"));
    CHECK(!has_key("() OR apples", "news.txt#peace-talks"));
}

static void a_query_over_the_byte_limit_is_einval_saying_so(void)
{
    size_t n = RUBRIC_QUERY_MAX_BYTES + 1;
    char *q = malloc(n + 1);
    CHECK(q != NULL);
    if (!q)
        return;
    for (size_t i = 0; i < n; i++)
        q[i] = i % 8 == 7 ? ' ' : 'a';
    rubric_results *r = NULL;
    char *err = NULL;
    CHECK(rubric_search(g_db, q, n, NULL, &r, &err) == RUBRIC_EINVAL && !r);
    CHECK(err && strstr(err, "longer than 8192 bytes"));
    free(err);
    err = NULL;
    /* At the limit, it is read (its first words count). */
    memcpy(q, "apples ", 7);
    CHECK(rubric_search(g_db, q, n - 1, NULL, &r, &err) == RUBRIC_OK && r);
    rubric_results_free(r);
    free(err);
    free(q);
}

/* The time budget stops a match and says so: a budget already spent stops
 * each match at its second candidate (the clock starts at the first, once
 * the tables are open), so at most one passage is found, and the results
 * are marked partial (in the JSON too), whether the query matched, was
 * relaxed or was corrected; the default budget is far from reached on this
 * index. */
static void a_search_out_of_time_says_its_results_are_partial(void)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    rubric_results *r = NULL;
    CHECK(rubric_search(g_db, "apples", 6, &o, &r, NULL) == RUBRIC_OK && r);
    CHECK(r && !rubric_results_partial(r) && rubric_results_count(r) > 0);
    rubric_results_free(r);
    static const char *const qs[] = {"apples", "apples pears unicorns", "aples",
                                     "apples OR pears"};
    o.time_budget = 1e-9;
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        for (size_t per_article = 0; per_article < 3; per_article += 2) {
            o.per_article = per_article;
            r = NULL;
            CHECK(rubric_search(g_db, qs[i], strlen(qs[i]), &o, &r, NULL) == RUBRIC_OK && r);
            if (!r)
                continue;
            CHECK(rubric_results_partial(r));
            CHECK(rubric_results_count(r) <= 1);
            char *json = rubric_results_json(r, RUBRIC_JSON_COMPACT);
            CHECK(json && strstr(json, "\"partial\":true"));
            free(json);
            rubric_results_free(r);
        }
    }
}

static void queries_without_words_are_einval(void)
{
    static const char *const qs[] = {"", "   ", "(", "-", "\"\"", "*", "NOT apples", "NOT (apples OR pears)"};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        rubric_results *r = NULL;
        char *err = NULL;
        int rc = rubric_search(g_db, qs[i], strlen(qs[i]), NULL, &r, &err);
        if (rc != RUBRIC_EINVAL || !err) {
            fprintf(stderr, "  [%s]: rc %d\n", qs[i], rc);
            harness_current_failed = 1;
        }
        free(err);
        rubric_results_free(r);
    }
}

/* Regression: a query without a single word ("", "(", "-") is not told
 * "query has nothing to search for, only exclusions"; only a query of
 * exclusions is. When the parser gave an empty WORDS() root rather than
 * NULL, search.c picked the exclusions message for both. */
static void a_query_without_words_is_not_said_to_hold_exclusions(void)
{
    static const char *const qs[] = {"", "(", "-", "\"\""};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        rubric_results *r = NULL;
        char *err = NULL;
        rubric_search(g_db, qs[i], strlen(qs[i]), NULL, &r, &err);
        if (!err || strstr(err, "exclusion")) {
            fprintf(stderr, "  [%s]: %s\n", qs[i], err ? err : "(no message)");
            harness_current_failed = 1;
        }
        free(err);
        rubric_results_free(r);
    }
    char *err = NULL;
    rubric_results *r = NULL;
    rubric_search(g_db, "NOT apples", 10, NULL, &r, &err);
    CHECK(err && strstr(err, "exclusion"));
    free(err);
    rubric_results_free(r);
}

/* ---------------------------------------------------------------- spelling */

/* A word that is in the index, but in one passage only, gets a suggestion
 * when a far more common word is one edit away: a typo in a page too. */
static void a_rare_word_next_to_a_common_one_gets_a_suggestion(void)
{
    char dir[1200], file[1300], dbdir[1300];
    snprintf(dir, sizeof dir, "%s/rare", g_tmp);
    snprintf(dbdir, sizeof dbdir, "%s/rare/db", g_tmp);
    CHECK(mkdir(dir, 0755) == 0);
    rubric_index *ix = NULL;
    char *err = NULL;
    CHECK(rubric_index_open(dbdir, "english", &ix, &err) == RUBRIC_OK);
    free(err);
    for (int i = 0; ix && i < 30; i++) {
        snprintf(file, sizeof file, "%s/n%02d.txt", dir, i);
        FILE *f = fopen(file, "w");
        CHECK(f != NULL);
        if (!f)
            break;
        fprintf(f, "Note %d\nThe garden behind house number %d grows %s this year, "
                   "and the neighbours come to see it often.\n",
                i, i, i == 0 ? "gardne beans" : "beans");
        fclose(f);
        CHECK(rubric_index_add_file(ix, file, NULL, NULL) == RUBRIC_OK);
    }
    CHECK(ix && rubric_index_commit(ix) == RUBRIC_OK);
    rubric_index_close(ix);
    rubric_db *db = NULL;
    CHECK(rubric_db_open(dbdir, &db, &err) == RUBRIC_OK);
    free(err);
    rubric_results *r = NULL;
    CHECK(db && rubric_search(db, "gardne", 6, NULL, &r, &err) == RUBRIC_OK);
    free(err);
    /* found as typed (it is there), with the common word suggested */
    CHECK(r && rubric_results_count(r) == 1 && !rubric_results_corrected(r));
    CHECK_STR(r ? rubric_results_suggestion(r) : NULL, "garden");
    rubric_results_free(r);
    /* a common word is never "corrected" */
    r = NULL;
    CHECK(db && rubric_search(db, "garden", 6, NULL, &r, &err) == RUBRIC_OK);
    free(err);
    CHECK(r && rubric_results_suggestion(r) == NULL);
    rubric_results_free(r);
    rubric_db_close(db);
}

static void a_misspelling_is_corrected_unless_asked_not_to(void)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 50;
    rubric_results *r = search_with("appels", &o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK(rubric_results_corrected(r) == 1);
    CHECK_STR(rubric_results_suggestion(r), "apples");
    CHECK(rubric_results_count(r) == 5);
    CHECK(rank_of(r, "orchard.txt#red-apples") >= 0);
    rubric_results_free(r);

    o.no_correction = 1;
    r = search_with("appels", &o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK(rubric_results_corrected(r) == 0);
    CHECK(rubric_results_count(r) == 0);
    CHECK_STR(rubric_results_suggestion(r), "apples");
    rubric_results_free(r);

    /* a known word gets no suggestion */
    r = search_with("apples", &o);
    CHECK(r && rubric_results_suggestion(r) == NULL && rubric_results_corrected(r) == 0);
    rubric_results_free(r);

    /* suggestions come from the words that begin like the typed one: a typo
     * in the first letter is not guessed at */
    r = search_with("epples", &o);
    CHECK(r && rubric_results_suggestion(r) == NULL);
    rubric_results_free(r);
    r = search_with("aplpes", &o);
    CHECK_STR(r ? rubric_results_suggestion(r) : NULL, "apples");
    rubric_results_free(r);
}

/* ---------------------------------------------------------------- synonyms */

static void synonyms_expand_acronyms_and_their_phrases(void)
{
    /* without synonyms */
    EXPECT_KEYS("UN", "news.txt#relief-effort");
    EXPECT_FIRST("united nations", "news.txt#peace-talks", NULL);
    static const char syn[] = "# groups\nUN = United Nations\n\nUS = United States\n";
    char *err = NULL;
    int rc = rubric_db_set_synonyms(g_db, syn, strlen(syn), &err);
    CHECK(rc == RUBRIC_OK);
    free(err);
    EXPECT_KEYS("UN", "news.txt#relief-effort news.txt#peace-talks");
    EXPECT_KEYS("united nations", "news.txt#relief-effort news.txt#peace-talks");
    EXPECT_KEYS("United Nations", "news.txt#relief-effort news.txt#peace-talks");
    EXPECT_KEYS("US", "news.txt#trade-deal news.txt#letters-page");
    /* "us" in lower case is the pronoun: no expansion */
    EXPECT_KEYS("us", "news.txt#letters-page");
    /* removed again */
    CHECK(rubric_db_set_synonyms(g_db, NULL, 0, &err) == RUBRIC_OK);
    free(err);
    EXPECT_KEYS("UN", "news.txt#relief-effort");
}

/* Regression: "united states" expands to the member "US", which finds the
 * acronym written in capitals (the index marks such words) and not the
 * pronoun "us" in the texts. When the index kept no case, the member was
 * searched as the folded word "us" and matched every pronoun. Minimal input:
 * synonyms "US = United States"; a passage "tell us what ..." and none
 * saying "United States"; query "united states". */
static void united_states_does_not_find_the_pronoun_us(void)
{
    static const char syn[] = "US = United States\n";
    char *err = NULL;
    CHECK(rubric_db_set_synonyms(g_db, syn, strlen(syn), &err) == RUBRIC_OK);
    free(err);
    EXPECT_KEYS("united states", "news.txt#trade-deal");
    CHECK(rubric_db_set_synonyms(g_db, NULL, 0, &err) == RUBRIC_OK);
    free(err);
}

static void malformed_synonyms_are_einval_naming_the_line(void)
{
    static const struct {
        const char *text, *line;
    } bad[] = {
        {"UN = United Nations\nbogus line\n", "line 2"},
        {"UN =\n", "line 1"},
        {"# comment\n\nUS = United States\n= alone\n", "line 4"},
        {"a = b\nc = d\ne\n", "line 3"},
        /* 33 members: over SYNONYM_GROUP_MAX */
        {"a = b\nm1 = m2 = m3 = m4 = m5 = m6 = m7 = m8 = m9 = m10 = m11 = m12 = m13 = m14 = "
         "m15 = m16 = m17 = m18 = m19 = m20 = m21 = m22 = m23 = m24 = m25 = m26 = m27 = m28 = "
         "m29 = m30 = m31 = m32 = m33\n", "line 2: a group has more than 32 members"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *err = NULL;
        int rc = rubric_db_set_synonyms(g_db, bad[i].text, strlen(bad[i].text), &err);
        if (rc != RUBRIC_EINVAL || !err || !strstr(err, bad[i].line)) {
            fprintf(stderr, "  synonyms %zu: rc %d, message %s (want %s)\n", i, rc,
                    err ? err : "(null)", bad[i].line);
            harness_current_failed = 1;
        }
        free(err);
    }
    /* nothing was installed */
    EXPECT_KEYS("UN", "news.txt#relief-effort");
}

/* ----------------------------------------------------------------- ranking */

static int stem_of(void *ctx, const rubric_token *t)
{
    snprintf(ctx, 64, "%.*s", (int)t->stem_len, t->stem);
    return 0;
}

static void check_before(const char *q, const char *first, const char *second)
{
    rubric_results *r = search_all(q);
    int a = rank_of(r, first), b = rank_of(r, second);
    if (a < 0 || b < 0 || a > b) {
        fprintf(stderr, "  query [%s]: %s at %d, %s at %d (0-based)\n", q, first, a, second, b);
        harness_current_failed = 1;
    } else if (rubric_results_hit(r, (size_t)a)->score <= rubric_results_hit(r, (size_t)b)->score) {
        fprintf(stderr, "  query [%s]: %s and %s score the same\n", q, first, second);
        harness_current_failed = 1;
    }
    rubric_results_free(r);
}

static void the_form_typed_ranks_above_another_form_of_its_stem(void)
{
    /* the premise: one stem */
    rubric_analyzer *an = NULL;
    char s1[64] = "", s2[64] = "";
    CHECK(rubric_analyzer_new("english", &an) == RUBRIC_OK);
    rubric_analyzer_run(an, "mediation", 9, stem_of, s1);
    rubric_analyzer_run(an, "mediator", 8, stem_of, s2);
    CHECK_STR(s1, s2);
    rubric_analyzer_free(an);
    check_before("mediation", "meetings.txt#third-meeting", "meetings.txt#second-meeting");
    check_before("mediator", "meetings.txt#second-meeting", "meetings.txt#third-meeting");
}

/* When no passage holds every word, the rare word carries the query: the
 * one passage holding "getdepthlimit" once, in its body, outranks the
 * passages holding "harvest" in their headings, trails and bodies. */
static void a_rare_word_outranks_a_common_one_found_in_every_field(void)
{
    rubric_results *r = search_all("getdepthlimit harvest");
    CHECK(r && rubric_results_count(r) > 2);
    CHECK(rank_of(r, "depth.txt#interpreter-depth") == 0);
    rubric_results_free(r);
}

/* A question in plain language: "how", "do", "I" and "my" are in the
 * letter alone ("my" nowhere else, which makes it look as rare as a word can
 * be), yet they are the words a question is made of and name no topic: the
 * one word that does, "getdepthlimit", carries the query, and a passage
 * holding none but such words is not a match. Typed alone, they still find
 * what holds them; and none is taken for a typo ("whom" is not in the index,
 * "who" is). */
static void function_words_never_decide_a_question(void)
{
    rubric_results *r = search_all("how do I raise my getdepthlimit");
    CHECK(r && rank_of(r, "depth.txt#interpreter-depth") == 0);
    CHECK(r && rank_of(r, "letter.txt#dear-ann") == -1);
    rubric_results_free(r);
    r = search_all("how do my");
    CHECK(r && rank_of(r, "letter.txt#dear-ann") == 0);
    rubric_results_free(r);
    /* Asked for as an exact form, a function word is a word like any. */
    r = search_all("=my getdepthlimit");
    CHECK(r && rank_of(r, "letter.txt#dear-ann") >= 0);
    rubric_results_free(r);
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    r = search_with("whom getdepthlimit", &o);
    CHECK(r && rank_of(r, "depth.txt#interpreter-depth") == 0);
    CHECK(r && rubric_results_suggestion(r) == NULL);
    rubric_results_free(r);
}

/* A name as an index prints it, "hoist (quay.crane method)": three words,
 * the brackets no group that must match whole. The entry comes first, not
 * the text that repeats "hoist" and "lower": the parts of a dotted name
 * count beside the words typed, and an entry's anchor (quay.crane.hoist)
 * adds the words its heading ("hoist(load)") lacks. */
static void a_qualified_name_finds_the_entry_its_anchor_names(void)
{
    rubric_results *r = search_all("hoist (quay.crane method)");
    CHECK(r && rank_of(r, "crane.html#quay.crane.hoist") == 0);
    rubric_results_free(r);
    r = search_all("lower (quay.crane method)");
    CHECK(r && rank_of(r, "crane.html#quay.crane.lower") == 0);
    rubric_results_free(r);
}

/* A camel-case name is found by its humps: "winch" finds the QuayWinch, and
 * the name typed whole finds it too. */
static void a_camel_case_name_is_found_by_its_humps(void)
{
    rubric_results *r = search_all("winch");
    CHECK(r && rubric_results_count(r) == 1 && rank_of(r, "crane.html#machines") == 0);
    rubric_results_free(r);
    r = search_all("QuayWinch");
    CHECK(r && rank_of(r, "crane.html#machines") == 0);
    rubric_results_free(r);
}

/* One token of several words is a phrase; when no passage holds it, its
 * words still find the passage that holds them apart, and a name joined
 * by a colon is found by its parts, as a dotted one is. */
static void a_name_nothing_holds_whole_is_found_by_its_parts(void)
{
    rubric_results *r = search_all("crane::lower-slowly");
    CHECK(r && rank_of(r, "crane.html#quay.crane.lower") == 0);
    rubric_results_free(r);
    r = search_all("quay:hoist");
    CHECK(r && rank_of(r, "crane.html#quay.crane.hoist") == 0);
    rubric_results_free(r);
    /* A phrase's joined word is its parts there (as gtk-doc names a
     * property, GtkStack:interpolate-size): quay and hoist, not "quay:hoist"
     * that nothing holds, beside the load that both entries hold. */
    r = search_all("quay:hoist-load");
    CHECK(r && rank_of(r, "crane.html#quay.crane.hoist") == 0);
    rubric_results_free(r);
    r = search_all("quay:lower-load");
    CHECK(r && rank_of(r, "crane.html#quay.crane.lower") == 0);
    rubric_results_free(r);
    /* Held whole, it comes first. */
    r = search_all("crane.lower");
    CHECK(r && rank_of(r, "crane.html#quay.crane.lower") == 0);
    rubric_results_free(r);
    /* Quoted, it is searched as written: no passage holds it. */
    r = search_all("\"quay:hoist\"");
    CHECK(r && rubric_results_count(r) == 0);
    rubric_results_free(r);
    r = search_all("\"crane::lower-slowly\"");
    CHECK(r && rubric_results_count(r) == 0);
    rubric_results_free(r);
}

/* A wildcard is a beginning, not a misspelt word: "mediat*" finds the
 * meetings and suggests nothing (it suggested "mediate*"). A phrase that
 * finds nothing is still corrected. */
static void a_matching_wildcard_gets_no_suggestion(void)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    rubric_results *r = search_with("mediat*", &o);
    CHECK(r && rubric_results_count(r) > 0);
    CHECK(r && rubric_results_suggestion(r) == NULL);
    rubric_results_free(r);
    r = search_with("\"third meetnig\"", &o);
    CHECK(r && rubric_results_suggestion(r) != NULL);
    rubric_results_free(r);
}

/* The sorted keys of what Q finds with O (every match, no correction). */
static void keys_with(const char *q, rubric_search_opts *o, char *out, size_t n)
{
    o->limit = 500;
    o->no_correction = 1;
    rubric_results *r = search_with(q, o);
    keys_of(r, out, n);
    rubric_results_free(r);
}

static void check_keys(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "  %s\n    got:  %s\n    want: %s\n", what, got, want);
        harness_current_failed = 1;
    }
}

/* rubric_search_opts.paths, tags and langs select what the query's path:,
 * tag: and lang: do: any value of a list, every list; and a value is never
 * read as query syntax. */
static void structured_filters_select_as_the_query_syntax_does(void)
{
    char got[4096], want[4096];
    const char *fruit[] = {"fruit/", NULL}, *both[] = {"fruit/", "kitchen/pie.txt", NULL};
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.paths = fruit;
    keys_with("apples", &o, got, sizeof got);
    check_keys("apples, paths fruit/", got, "orchard.txt#mixed-baskets orchard.txt#red-apples");
    o.paths = both;
    keys_with("apples", &o, got, sizeof got);
    check_keys("apples, paths fruit/ kitchen/pie.txt", got,
               "orchard.txt#mixed-baskets orchard.txt#red-apples pie.txt#apple-pie");
    rubric_search_opts plain = RUBRIC_SEARCH_OPTS_INIT;
    keys_with("apples (path:fruit/ OR path:kitchen/pie.txt)", &plain, want, sizeof want);
    check_keys("the same through the query syntax", got, want);

    const char *tags[] = {"Cooking", "equipment", NULL}, *en[] = {"EN", NULL};
    rubric_search_opts t = RUBRIC_SEARCH_OPTS_INIT;
    t.tags = tags;
    keys_with("harvest", &t, got, sizeof got);
    check_keys("harvest, tags Cooking equipment", got,
               "cider.html#pressing-cider poire.html#poires-au-vin tools.html#orchard-tools");
    t.langs = en;
    keys_with("harvest", &t, got, sizeof got);
    check_keys("harvest, tags Cooking equipment, langs EN", got,
               "cider.html#pressing-cider tools.html#orchard-tools");

    /* Syntax inside a value is part of the value: no page is named so. */
    const char *hostile[] = {"fruit/ OR kitchen/", NULL}, *neg[] = {"-cooking", NULL};
    rubric_search_opts h = RUBRIC_SEARCH_OPTS_INIT;
    h.paths = hostile;
    keys_with("apples", &h, got, sizeof got);
    check_keys("apples, paths 'fruit/ OR kitchen/'", got, "");
    h.paths = NULL;
    h.tags = neg;
    keys_with("harvest", &h, got, sizeof got);
    check_keys("harvest, tags '-cooking'", got, "");
}

/* rubric_search_opts.prefix: the last word, nothing after it, also matches
 * the words it begins, is marked where it matches so, and is never
 * corrected; a space after it makes it a word again. */
static void the_word_being_typed_is_a_prefix(void)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.prefix = 1;
    rubric_results *r = search_with("southern slo", &o);
    const rubric_hit *h = r ? rubric_results_hit(r, 0) : NULL;
    char k[512] = "";
    if (h)
        key_of(h, k, sizeof k);
    check_keys("first hit of 'southern slo' typed", k, "orchard.txt#red-apples");
    CHECK(r && rubric_results_suggestion(r) == NULL);
    int marked = 0;
    for (size_t i = 0; h && i < h->snippet.nspans; i++)
        marked |= strncmp(h->snippet.text + h->snippet.spans[i].start, "slope", 5) == 0;
    CHECK(marked);
    rubric_results_free(r);

    /* Not typed, or a space after it: "slo" is no word of the index. */
    char got[4096];
    rubric_search_opts whole = RUBRIC_SEARCH_OPTS_INIT, spaced = RUBRIC_SEARCH_OPTS_INIT;
    spaced.prefix = 1;
    keys_with("slo", &spaced, got, sizeof got);
    CHECK(strstr(got, "orchard.txt#green-pears orchard.txt#red-apples") != NULL);
    keys_with("slo", &whole, got, sizeof got);
    check_keys("'slo', prefix off", got, "");
    keys_with("slo ", &spaced, got, sizeof got);
    check_keys("'slo ' typed", got, "");
    /* Only the last word: "slo" before another is a word. */
    keys_with("slo AND southern", &spaced, got, sizeof got);
    check_keys("'slo AND southern' typed", got, "");
    /* A phrase, an exact form or a filter last is left as it is. */
    keys_with("\"southern slo\"", &spaced, got, sizeof got);
    check_keys("a phrase typed", got, "");
    keys_with("=slo", &spaced, got, sizeof got);
    check_keys("an exact form typed", got, "");
}

/* The HTTP API's document: pages by their address under the root, never
 * the path given to the indexer; matches in <mark>; the total's relation. */
static void the_web_document_names_pages_by_their_address(void)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 3;
    rubric_results *r = search_with("southern slope", &o);
    char *s = r ? rubric_results_json(r, RUBRIC_JSON_WEB | RUBRIC_JSON_COMPACT) : NULL;
    CHECK(s != NULL);
    if (!s) {
        rubric_results_free(r);
        return;
    }
    CHECK(strstr(s, g_tmp) == NULL);
    CHECK(strchr(s, '\n') == NULL);
    CHECK(strstr(s, "\"path\":\"fruit/orchard.txt\"") != NULL);
    CHECK(strstr(s, "\"id\":\"fruit/orchard.txt#red-apples\"") != NULL);
    CHECK(strstr(s, "<mark>southern</mark>") != NULL);
    CHECK(strstr(s, "\"total\":{\"value\":") && strstr(s, ",\"relation\":\"eq\"}"));
    CHECK(strstr(s, "\"took_ms\":") != NULL);
    CHECK(strstr(s, "\"pages\":null") != NULL);
    CHECK(strstr(s, ":~:text=") != NULL);
    free(s);
    rubric_results_free(r);
    o.per_article = 2;
    r = search_with("apples", &o);
    s = r ? rubric_results_json(r, RUBRIC_JSON_WEB | RUBRIC_JSON_COMPACT) : NULL;
    CHECK(s && strstr(s, "\"pages\":[{\"path\":") && strstr(s, "\"matches\":"));
    CHECK(s && strstr(s, g_tmp) == NULL);
    free(s);
    rubric_results_free(r);
}

/* FACET's values of R as "value:count value:count", in their order. */
static void facet_text(const rubric_results *r, unsigned facet, char *out, size_t n)
{
    size_t count = 0, at = 0;
    const rubric_facet_value *v = r ? rubric_results_facet(r, facet, &count) : NULL;
    out[0] = '\0';
    for (size_t i = 0; v && i < count && at < n; i++)
        at += (size_t)snprintf(out + at, n - at, "%s%s:%zu", i ? " " : "", v[i].value, v[i].count);
}

/* rubric_search_opts.facets: the matches counted by tag (each of a record's
 * tags), by language and by the top folder of their page, the commonest
 * first; counts of a facet not asked for are NULL. */
static void facets_count_the_matches_by_tag_language_and_folder(void)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.facets = RUBRIC_FACET_TAG | RUBRIC_FACET_LANG | RUBRIC_FACET_SECTION;
    o.limit = 1;
    rubric_results *r = search_with("harvest", &o);
    char got[1024];
    facet_text(r, RUBRIC_FACET_TAG, got, sizeof got);
    check_keys("tags of 'harvest'", got, "cooking:2 autumn:1 equipment:1");
    facet_text(r, RUBRIC_FACET_LANG, got, sizeof got);
    check_keys("languages of 'harvest'", got, "en:2 fr:1");
    facet_text(r, RUBRIC_FACET_SECTION, got, sizeof got);
    CHECK(strstr(got, "notes:3") != NULL && strstr(got, "fruit:") != NULL);
    CHECK(r && rubric_results_facets_exact(r));
    rubric_results_free(r);
    /* Only what is asked for; filters count what they leave. */
    const char *fr[] = {"fr", NULL};
    rubric_search_opts t = RUBRIC_SEARCH_OPTS_INIT;
    t.facets = RUBRIC_FACET_TAG;
    t.langs = fr;
    r = search_with("harvest", &t);
    size_t n = 9;
    CHECK(r && rubric_results_facet(r, RUBRIC_FACET_LANG, &n) == NULL && n == 0);
    facet_text(r, RUBRIC_FACET_TAG, got, sizeof got);
    check_keys("tags of 'harvest' in French", got, "cooking:1");
    rubric_results_free(r);
}

/* An index built before facets existed has passages without their values:
 * its counts would be short, so none are given (rubric-index --rebuild
 * writes them). */
static void an_index_without_facet_values_counts_none(void)
{
    char dbdir[PATH_MAX + 8];
    snprintf(dbdir, sizeof dbdir, "%s/db", g_tmp);
    rubric_db_close(g_db);
    g_db = NULL;
    xs_db *w = NULL;
    CHECK(xs_db_open_write(dbdir, &w, NULL) == XS_OK);
    CHECK(w && xs_db_set_metadata(w, "rubric:facets", "", 0) == XS_OK && xs_db_commit(w) == XS_OK);
    xs_db_close(w);
    CHECK(rubric_db_open(dbdir, &g_db, NULL) == RUBRIC_OK);
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.facets = RUBRIC_FACET_TAG;
    rubric_results *r = search_with("harvest", &o);
    size_t n = 9;
    CHECK(r && rubric_results_count(r) > 0 && rubric_results_facet(r, RUBRIC_FACET_TAG, &n) == NULL);
    char *json = r ? rubric_results_json(r, RUBRIC_JSON_WEB | RUBRIC_JSON_COMPACT) : NULL;
    CHECK(json && strstr(json, "\"facets\":null"));
    free(json);
    rubric_results_free(r);
    w = NULL;
    CHECK(xs_db_open_write(dbdir, &w, NULL) == XS_OK);
    CHECK(w && xs_db_set_metadata(w, "rubric:facets", "1", 1) == XS_OK && xs_db_commit(w) == XS_OK);
    xs_db_close(w);
    CHECK(rubric_db_reopen(g_db) == RUBRIC_OK);
}

/* Every word of a passage has a presence term (Y), whatever field holds it:
 * the ranked OR's coordination share. An index built before them (no
 * rubric:presence) gets the share from the word's field terms instead, and
 * the rare word still carries the query. */
static void the_ranked_or_counts_a_word_held_in_any_field_old_index_or_new(void)
{
    char dbdir[PATH_MAX + 8], stem[64] = "", term[80];
    snprintf(dbdir, sizeof dbdir, "%s/db", g_tmp);
    rubric_analyzer *an = NULL;
    CHECK(rubric_analyzer_new("english", &an) == RUBRIC_OK);
    rubric_analyzer_run(an, "harvest", 7, stem_of, stem);
    rubric_analyzer_free(an);
    rubric_db_close(g_db);
    g_db = NULL;
    xs_db *w = NULL;
    CHECK(xs_db_open_write(dbdir, &w, NULL) == XS_OK);
    size_t any = 0;
    if (w) {
        snprintf(term, sizeof term, "Y%s", stem);
        any = xs_db_termfreq(w, term, strlen(term));
        /* "harvest" is in bodies and in headings: its presence term is in
         * at least as many passages as either field's. */
        const char *fields[] = {"Z", "S", "T", "A"};
        for (size_t f = 0; f < 4; f++) {
            snprintf(term, sizeof term, "%s%s", fields[f], stem);
            size_t df = xs_db_termfreq(w, term, strlen(term));
            CHECK(any >= df && (f > 1 || df > 0));
        }
        CHECK(xs_db_termfreq(w, "Ygetdepthlimit", 14) == 1);
    }
    for (int old = 1; old >= 0; old--) {
        CHECK(w && xs_db_set_metadata(w, "rubric:presence", old ? "" : "1", old ? 0 : 1) == XS_OK &&
              xs_db_commit(w) == XS_OK);
        CHECK(rubric_db_open(dbdir, &g_db, NULL) == RUBRIC_OK);
        rubric_results *r = search_all("getdepthlimit harvest");
        CHECK(r && rubric_results_count(r) > 2 && rank_of(r, "depth.txt#interpreter-depth") == 0);
        rubric_results_free(r);
        r = search_all("how do I raise my getdepthlimit");
        CHECK(r && rank_of(r, "depth.txt#interpreter-depth") == 0);
        rubric_results_free(r);
        if (old) {
            rubric_db_close(g_db);
            g_db = NULL;
        }
    }
    xs_db_close(w);
}

static void a_heading_match_ranks_above_a_body_match(void)
{
    check_before("beacon", "harbour.txt#beacon-tower", "harbour.txt#harbour-wall");
}

/* ---------------------------------------------------------------- grouping */

static void grouping_keeps_n_passages_per_article_and_counts_them_all(void)
{
    rubric_results *all = search_all("harvest");
    CHECK(all != NULL);
    if (!all)
        return;
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 50;
    o.per_article = 2;
    rubric_results *g = search_with("harvest", &o);
    CHECK(g != NULL);
    if (!g) {
        rubric_results_free(all);
        return;
    }
    size_t na = rubric_results_article_count(g), max_matches = 0, sum = 0;
    CHECK(na >= 5);  /* orchard, seasons, three notes pages */
    for (size_t a = 0; a < na; a++) {
        const rubric_article *art = rubric_results_article(g, a);
        size_t truth = 0;
        for (size_t i = 0; i < rubric_results_count(all); i++) {
            const rubric_hit *h = rubric_results_hit(all, i);
            truth += strcmp(h->path, art->path) == 0 ? 1 + h->more_parts : 0;
        }
        if (art->nhits < 1 || art->nhits > 2 || art->matches != truth) {
            fprintf(stderr, "  article %s: %zu passages shown, matches %zu, true count %zu\n",
                    art->path, art->nhits, art->matches, truth);
            harness_current_failed = 1;
        }
        for (size_t k = 0; k < art->nhits; k++) {
            const rubric_hit *h = rubric_results_hit(g, art->hits[k]);
            CHECK(h && strcmp(h->path, art->path) == 0);
            if (k)  /* best first */
                CHECK(h->score <= rubric_results_hit(g, art->hits[k - 1])->score);
        }
        if (a)  /* articles in the order of their best passage */
            CHECK(rubric_results_hit(g, art->hits[0])->score <=
                  rubric_results_hit(g, rubric_results_article(g, a - 1)->hits[0])->score);
        if (art->matches > max_matches)
            max_matches = art->matches;
        sum += truth;
    }
    CHECK(max_matches > 2);  /* the farm's article: capped at 2 shown */
    size_t passages = 0;  /* every article is there */
    for (size_t i = 0; i < rubric_results_count(all); i++)
        passages += 1 + rubric_results_hit(all, i)->more_parts;
    CHECK(sum == passages);
    rubric_results_free(g);
    rubric_results_free(all);
}

static void grouping_pages_with_offset_and_limit(void)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 50;
    o.per_article = 1;
    rubric_results *g = search_with("harvest", &o);
    o.limit = 2;
    o.offset = 1;
    rubric_results *p = search_with("harvest", &o);
    CHECK(g && p);
    if (g && p) {
        CHECK(rubric_results_article_count(p) == 2);
        for (size_t a = 0; a < 2 && a + 1 < rubric_results_article_count(g); a++) {
            const rubric_article *x = rubric_results_article(g, a + 1), *y = rubric_results_article(p, a);
            CHECK(x && y && strcmp(x->path, y->path) == 0 && x->matches == y->matches);
        }
    }
    rubric_results_free(g);
    rubric_results_free(p);
}

/* --------------------------------------------------------------- fragments */

/* The words inside <b>...</b> of HTML, lowercased, into WORDS. */
static size_t bold_words(const char *html, char words[][64], size_t max)
{
    size_t n = 0;
    for (const char *p = strstr(html, "<b>"); p && n < max; p = strstr(p, "<b>")) {
        p += 3;
        const char *e = strstr(p, "</b>");
        if (!e)
            break;
        snprintf(words[n], 64, "%.*s", (int)(e - p), p);
        for (char *c = words[n]; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        n++;
        p = e;
    }
    return n;
}

/* Every fragment of every hit of Q: its link, and each match's source range
 * reading a word the fragment bolds (and beginning with PREFIX, if given).
 * *CHECKED counts the ranges checked, *LATER the hits that are later parts. */
static void check_fragment_sources(const char *q, const char *prefix, size_t *checked,
                                   size_t *later_parts)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 50;
    o.fragments = 3;
    o.snippet_len = 120;
    rubric_results *r = search_with(q, &o);
    CHECK(r && rubric_results_count(r) > 0);
    for (size_t i = 0; r && i < rubric_results_count(r); i++) {
        const rubric_hit *h = rubric_results_hit(r, i);
        CHECK(h->nfragments >= 1 && h->nfragments <= 3);
        size_t len = 0;
        char *file = strstr(h->path, ".txt") ? slurp(h->path, &len) : NULL;
        *later_parts += h->part > 0;
        for (size_t k = 0; k < h->nfragments; k++) {
            const rubric_fragment *f = &h->fragments[k];
            char want[512];
            snprintf(want, sizeof want, "#%s:~:text=", h->anchor);
            if (!f->link || !strstr(f->link, want)) {
                fprintf(stderr, "  %s: link %s lacks %s\n", h->path, f->link ? f->link : "(null)",
                        want);
                harness_current_failed = 1;
            }
            CHECK(f->nsource == f->nspans);
            if (!file)
                continue;
            rubric_hit view = *h;
            view.snippet = *f;
            char *html = rubric_hit_snippet_html(&view);
            char words[64][64];
            size_t nb = html ? bold_words(html, words, 64) : 0;
            CHECK(nb == f->nspans);
            for (size_t j = 0; j < f->nsource; j++) {
                const rubric_span *s = &f->source[j];
                int ok = s->start + s->len <= len && s->len < 64;
                if (ok) {
                    int any = 0;
                    for (size_t b = 0; b < nb && !any; b++)
                        any = strlen(words[b]) == s->len &&
                              strncasecmp(file + s->start, words[b], s->len) == 0;
                    ok = any && (!prefix || strncasecmp(file + s->start, prefix,
                                                        strlen(prefix)) == 0);
                }
                if (!ok) {
                    fprintf(stderr, "  %s#%s part %u: source [%zu, +%zu) reads \"%.*s\"\n", h->path,
                            h->anchor, h->part, s->start, s->len,
                            (int)(s->start + s->len <= len && s->len < 64 ? s->len : 0),
                            file + (s->start < len ? s->start : 0));
                    harness_current_failed = 1;
                }
                (*checked)++;
            }
            free(html);
        }
        free(file);
    }
    rubric_results_free(r);
}

static void fragments_point_at_the_matched_words_in_the_source(void)
{
    size_t checked = 0, later_parts = 0;
    check_fragment_sources("harvest", "harvest", &checked, &later_parts);
    /* The last paragraph of the long section, in one of its later parts. */
    check_fragment_sources("\"day 16\"", NULL, &checked, &later_parts);
    CHECK(checked >= 10);
    CHECK(later_parts > 0);  /* the long section was split, and its parts checked */
}

/* A long section cut into parts is one hit, its best part, in a flat list
 * and inside an article: every part shares the section's link. Its other
 * parts still count among the article's matching passages. */
static void the_parts_of_a_section_are_one_hit(void)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 50;
    rubric_results *r = search_with("wagons", &o);
    size_t autumn = 0;
    for (size_t i = 0; r && i < rubric_results_count(r); i++) {
        const rubric_hit *h = rubric_results_hit(r, i);
        autumn += strstr(h->path, "seasons.txt") && strcmp(h->anchor, "autumn-harvest") == 0;
    }
    CHECK(autumn == 1);
    for (size_t i = 0; r && i < rubric_results_count(r); i++) {
        const rubric_hit *h = rubric_results_hit(r, i);
        if (strcmp(h->anchor, "autumn-harvest") == 0)
            CHECK(h->more_parts > 0);
    }
    rubric_results_free(r);
    o.per_article = 5;
    r = search_with("wagons", &o);
    CHECK(r && rubric_results_article_count(r) == 1);
    const rubric_article *a = r ? rubric_results_article(r, 0) : NULL;
    CHECK(a && a->nhits == 1 && a->matches > 1);
    rubric_results_free(r);
    /* Ranks count the hits shown, 1 to N across the articles: a section's
     * hidden parts take none. */
    o.per_article = 3;
    r = search_with("wagons OR harvest", &o);
    size_t shown = 0, seen[64] = {0}, bad = 0;
    for (size_t k = 0; r && k < rubric_results_article_count(r); k++) {
        const rubric_article *art = rubric_results_article(r, k);
        for (size_t j = 0; j < art->nhits; j++, shown++) {
            unsigned rank = rubric_results_hit(r, art->hits[j])->rank;
            if (rank >= 1 && rank < 64 && !seen[rank])
                seen[rank] = 1;
            else
                bad++;
        }
    }
    for (size_t k = 1; k <= shown && k < 64; k++)
        bad += !seen[k];
    CHECK(r && shown > 3 && bad == 0);
    rubric_results_free(r);
}

/* A page of one long section, "10.1 Jobs", with an index marker (an empty
 * element's id, as Texinfo writes them) before each of its paragraphs. */
static void write_jobs_page(FILE *f)
{
    fputs("<html><head><title>Shell Guide</title></head><body>\n"
          "<h1>Shell Guide</h1>\n<h2 id=\"Jobs\">10.1 Jobs</h2>\n", f);
    for (int i = 0; i < 8; i++) {
        fprintf(f, "<p><span id=\"index-job-%d\"></span></p>\n<p>", i);
        for (int k = 0; k < 12; k++)
            fprintf(f, "Job %d waits in the spooler queue while step %d of the shell runs its "
                       "commands. ", i, k);
        fputs("</p>\n", f);
    }
    fputs("</body></html>\n", f);
}

/* A long section whose later parts link to ids nearer their text is still
 * one hit: its best part, linking to its own id; inside an article too. */
static void parts_linking_to_their_own_ids_are_one_hit(void)
{
    rubric_db *db = index_page("parts.db", "jobs/shell.html", write_jobs_page);
    if (!db)
        return;
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 20;
    rubric_results *r = NULL;
    CHECK(rubric_search(db, "spooler", 7, &o, &r, NULL) == RUBRIC_OK);
    size_t jobs = 0, parts = 0;
    for (size_t i = 0; r && i < rubric_results_count(r); i++) {
        const rubric_hit *h = rubric_results_hit(r, i);
        jobs += strcmp(h->title, "10.1 Jobs") == 0;
        parts += h->more_parts;
        CHECK(strcmp(h->anchor, "Jobs") == 0 || strncmp(h->anchor, "index-job-", 10) == 0);
    }
    if (jobs != 1)
        fprintf(stderr, "  the section is %zu hits\n", jobs);
    CHECK(jobs == 1 && parts > 0);
    rubric_results_free(r);
    r = NULL;
    o.per_article = 5;
    CHECK(rubric_search(db, "spooler", 7, &o, &r, NULL) == RUBRIC_OK);
    const rubric_article *a = r && rubric_results_article_count(r) ? rubric_results_article(r, 0)
                                                                    : NULL;
    CHECK(a && a->nhits == 1 && a->matches > 1);
    rubric_results_free(r);
    rubric_db_close(db);
}

/* A page whose section "3.1 Matrices" is long and says the word once, and
 * whose shorter sections say it often under headings holding it among
 * other words ("Storage of Sparse Matrices" and the like). */
static void write_matrices_page(FILE *f)
{
    fputs("<html><head><title>Numeric Data</title></head><body>\n<h1>3 Numeric Data</h1>\n"
          "<h2 id=\"Matrices\">3.1 Matrices</h2>\n<p>Matrices are defined by listing their "
          "values. ", f);
    for (int k = 0; k < 30; k++)
        fprintf(f, "The size of table %d is found when it is made, row by row. ", k);
    fputs("</p>\n", f);
    static const char *const others[] = {"Storage of Sparse Matrices", "Creating Sparse Matrices",
                                         "Permutation Matrices", "The Matrices of Rotations"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        fprintf(f, "<h2 id=\"other-%zu\">3.%zu %s</h2>\n<p>Sparse matrices keep few values; "
                   "such matrices are stored by column, and matrices of this kind are "
                   "common.</p>\n", i, i + 2, others[i]);
    fputs("</body></html>\n", f);
}

/* A query of just the words of a heading finds that section first, whatever
 * BM25 makes of its length. The outline number and function words are no
 * part of what a heading says. */
static void the_section_a_query_names_comes_first(void)
{
    rubric_db *db = index_page("named.db", "num/data.html", write_matrices_page);
    if (!db)
        return;
    static const char *const queries[] = {"matrices", "the matrices", "Matrices"};
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
        rubric_results *r = NULL;
        CHECK(rubric_search(db, queries[q], strlen(queries[q]), &o, &r, NULL) == RUBRIC_OK);
        const rubric_hit *h = r && rubric_results_count(r) ? rubric_results_hit(r, 0) : NULL;
        if (!h || strcmp(h->anchor, "Matrices") != 0)
            fprintf(stderr, "  [%s]: first %s\n", queries[q], h ? h->anchor : "(none)");
        CHECK(h && strcmp(h->anchor, "Matrices") == 0);
        rubric_results_free(r);
    }
    /* A query that says more than the heading does not name it. */
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    rubric_results *r = NULL;
    CHECK(rubric_search(db, "sparse matrices", 15, &o, &r, NULL) == RUBRIC_OK);
    const rubric_hit *h = r && rubric_results_count(r) ? rubric_results_hit(r, 0) : NULL;
    CHECK(h && strcmp(h->anchor, "Matrices") != 0);
    rubric_results_free(r);
    rubric_db_close(db);
}

/* A manual page: OPTIONS, a long list defining "--spool" among other
 * options, a shorter section that says the word more often in passing, and
 * sections of other words. */
static void write_options_page(FILE *f)
{
    fputs("<html><head><title>keel-run(1)</title></head><body><h1>keel-run(1)</h1>\n"
          "<h2 id=\"_options\">OPTIONS</h2>\n<div class=\"dlist\"><dl>\n", f);
    for (int i = 0; i < 12; i++)
        fprintf(f, "<dt class=\"hdlist1\">--mode-%d</dt><dd><p>Runs the jobs in mode %d, "
                   "one after another, and reports each when it ends.</p></dd>\n", i, i);
    fputs("<dt class=\"hdlist1\">--spool</dt><dd><p>Keeps finished jobs for later.</p></dd>\n"
          "</dl></div>\n<h2 id=\"_notes\">NOTES</h2>\n<p>The spool fills as jobs end, and the "
          "spool of a crashed run is kept.</p>\n", f);
    static const char *const others[] = {"DESCRIPTION", "EXAMPLES", "FILES", "ENVIRONMENT",
                                         "BUGS", "AUTHORS"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        fprintf(f, "<h2 id=\"_s%zu\">%s</h2>\n<p>This part of the manual tells of the runner, "
                   "its queue and its workers, part %zu.</p>\n", i, others[i], i);
    fputs("</body></html>\n", f);
}

/* A word a passage's definition list defines (an option) counts as a field
 * of its own: the section defining it outranks a shorter one that says it
 * more often in passing. */
static void the_section_defining_an_option_comes_first(void)
{
    rubric_db *db = index_page("options.db", "man/keel-run.html", write_options_page);
    if (!db)
        return;
    EXPECT_FIRST_ANCHOR(db, "--spool", "_options");
    rubric_db_close(db);
}

/* A manual page: OPTIONS, a long list defining "--fast-only" among other
 * options, and a short EXAMPLES section that types it in a command. */
static void write_defined_option_page(FILE *f)
{
    fputs("<html><head><title>keel-join(1)</title></head><body><h1>keel-join(1)</h1>\n"
          "<h2 id=\"_options\">OPTIONS</h2>\n<div class=\"dlist\"><dl>\n", f);
    for (int i = 0; i < 12; i++)
        fprintf(f, "<dt class=\"hdlist1\">--step-%d</dt><dd><p>Joins the branches in step %d, "
                   "one after another, and reports each when it ends.</p></dd>\n", i, i);
    fputs("<dt class=\"hdlist1\">--fast-only</dt><dd><p>Refuses to join unless the branch "
          "can simply move ahead.</p></dd>\n</dl></div>\n<h2 id=\"_examples\">EXAMPLES</h2>\n"
          "<p>keel join --fast-only topic</p>\n</body></html>\n", f);
}

/* An option typed with a dash inside ("--fast-only", searched as one
 * token) finds where its definition list defines it before the short
 * example that types it. */
static void the_section_defining_a_hyphenated_option_comes_first(void)
{
    rubric_db *db = index_page("defined-option.db", "man/keel-join.html",
                               write_defined_option_page);
    if (!db)
        return;
    EXPECT_FIRST_ANCHOR(db, "--fast-only", "_options");
    rubric_db_close(db);
}

/* A mail server's configuration chapter: a summary naming each option in a
 * table of many rows, beside a few words on each, and the alphabetical list,
 * each option a one-row table (name, use, type, default) above the prose
 * that describes it, long enough to come in parts. */
static void write_option_tables_page(FILE *f)
{
    fputs("<html><head><title>Main configuration</title></head><body>"
          "<h1>Main configuration</h1>\n<h2 id=\"summary\">Options for incoming mail</h2>\n"
          "<table>\n", f);
    for (int i = 0; i < 6; i++)
        fprintf(f, "<tr><td>accept_limit_%d</td><td>limit %d of incoming mail</td></tr>\n", i, i);
    fputs("<tr><td>hold_domains</td><td>hold mail for these domains</td></tr>\n</table>\n"
          "<h2 id=\"list\">Alphabetical list of options</h2>\n", f);
    for (int i = 0; i < 12; i++)
        fprintf(f, "<table><tr><td>accept_limit_%d</td><td>Use: main</td><td>Type: integer"
                   "</td><td>Default: %d</td></tr></table>\n<p>How many messages of kind %d the "
                   "server takes at once before it defers the rest of them to a later "
                   "connection, when the queue runner has caught up with the spool.</p>\n",
                i, i, i);
    fputs("<table><tr><td>hold_domains</td><td>Use: main</td><td>Type: domain list</td>"
          "<td>Default: unset</td></tr></table>\n<p>Mail to these is kept on the queue and "
          "not delivered until the list is changed.</p>\n</body></html>\n", f);
}

/* The part of an alphabetical list that defines an option in a one-row
 * table outranks the shorter summary naming it in passing. */
static void the_part_defining_an_option_in_a_table_comes_first(void)
{
    rubric_db *db = index_page("option-tables.db", "spec/main.html", write_option_tables_page);
    if (!db)
        return;
    EXPECT_FIRST_ANCHOR(db, "hold_domains", "list");
    rubric_db_close(db);
}

/* A Texinfo manual's grammar: entries of a definition list, each term
 * placed by the index entries' ids written right before it, which spell a
 * comma of an entry ("loops, until") as _002c. */
static void write_grammar_page(FILE *f)
{
    fputs("<html><head><title>Shell Grammar</title></head><body><h1>Shell Grammar</h1>\n"
          "<p>The loops of the shell.</p>\n<span id=\"index-while\"></span>"
          "<span id=\"index-loops_002c-while\"></span>\n<dl>\n"
          "<dt><code>while list do list done</code></dt>\n<dd><p>Runs the body as long as "
          "the test succeeds.</p>\n<span id=\"index-until\"></span>"
          "<span id=\"index-loops_002c-until\"></span>\n</dd>\n"
          "<dt><code>until list do list done</code></dt>\n<dd><p>Runs the body as long as "
          "the test fails.</p>\n<span id=\"index-repeat\"></span>\n</dd>\n"
          "<dt><code>repeat word do list done</code></dt>\n<dd><p>Runs the body a number of "
          "times; unlike the until and while loops, it tests nothing.</p></dd>\n</dl>\n"
          "</body></html>\n", f);
}

/* An anchor's words are read as the id spells them, its escapes decoded:
 * "until loops" finds the entry anchored on index-loops_002c-until first,
 * through its anchor's "loops", before the entry that says both words. */
static void an_anchors_escaped_words_are_its_words(void)
{
    rubric_db *db = index_page("grammar.db", "zsh/Shell-Grammar.html", write_grammar_page);
    if (!db)
        return;
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.explain = 1;
    rubric_results *r = NULL;
    const char *q = "until loops";
    CHECK(rubric_search(db, q, strlen(q), &o, &r, NULL) == RUBRIC_OK);
    const rubric_hit *h = r && rubric_results_count(r) ? rubric_results_hit(r, 0) : NULL;
    if (!h || strcmp(h->anchor, "index-loops_002c-until") != 0)
        fprintf(stderr, "  first: %s\n", h ? h->anchor : "(none)");
    CHECK(h && strcmp(h->anchor, "index-loops_002c-until") == 0);
    int by_anchor = 0;
    for (size_t k = 0; h && k < h->nexplain; k++)
        by_anchor |= strcmp(h->explain[k].field, "anchor") == 0 &&
                     strcmp(h->explain[k].word, "loop") == 0;
    CHECK(by_anchor);
    rubric_results_free(r);
    rubric_db_close(db);
}

/* A Texinfo section whose index entries (spans between its heading and its
 * text) name it in words its text does not use. */
static void write_operators_page(FILE *f)
{
    fputs("<html><head><title>Operators</title></head><body>\n<div id=\"Arithmetic-Ops\">"
          "<h3>8.3 Arithmetic Operators</h3>\n<span id=\"index-exponentiation\"></span>\n"
          "<span id=\"index-operators_002c-arithmetic\"></span>\n<p>The operators below "
          "work on scalars and matrices: x ^ y raises x to the power y.</p></div>\n"
          "<div id=\"Precedence\"><h3>8.8 Operator Precedence</h3>\n<p>Assignment binds "
          "least tightly, then the comparisons.</p></div>\n</body></html>\n", f);
}

/* An index entry written before a section's text is one of its places: its
 * words find the section, whose text lacks them. */
static void an_index_entrys_words_find_the_section_it_places(void)
{
    rubric_db *db = index_page("operators.db", "octave/Arithmetic-Ops.html", write_operators_page);
    if (!db)
        return;
    EXPECT_FIRST_ANCHOR(db, "exponentiation", "Arithmetic-Ops");
    rubric_db_close(db);
}

/* A tool's manual: options -W and -w, each a section, and shorter sections
 * whose formulas say "w" often. */
static void write_tool_page(FILE *f)
{
    fputs("<html><head><title>keel-plot(1)</title></head><body><h1>keel-plot(1)</h1>\n"
          "<h2 id=\"opt-W\">--no-window, -W</h2>\n<p>Draws into a file, without a window; "
          "the plot is written when the run ends, and no screen is needed.</p>\n"
          "<h2 id=\"opt-w\">--wide, -w</h2>\n<p>Prints the table in wide columns, so that "
          "long labels are never cut.</p>\n", f);
    for (int i = 0; i < 4; i++)
        fprintf(f, "<h2 id=\"calc-%d\">Formula %d</h2>\n<p>Let w be the width: w doubles, "
                   "then w halves.</p>\n", i, i);
    fputs("</body></html>\n", f);
}

/* A word typed as an option ("-W") finds where it is written as one, case
 * kept, before the passages saying the bare letter; typed after no-break
 * spaces (copied from a page) too. */
static void an_option_finds_where_it_is_written_as_one(void)
{
    rubric_db *db = index_page("tool.db", "man/keel-plot.html", write_tool_page);
    if (!db)
        return;
    static const struct {
        const char *q, *first;
    } cases[] = {{"-W", "opt-W"}, {"-w", "opt-w"}, {"\xc2\xa0\xc2\xa0-W", "opt-W"},
                 {"plot -W", "opt-W"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
        rubric_results *r = NULL;
        CHECK(rubric_search(db, cases[i].q, strlen(cases[i].q), &o, &r, NULL) == RUBRIC_OK);
        const rubric_hit *h = r && rubric_results_count(r) ? rubric_results_hit(r, 0) : NULL;
        if (!h || strcmp(h->anchor, cases[i].first) != 0)
            fprintf(stderr, "  [%s]: first %s, want %s\n", cases[i].q, h ? h->anchor : "(none)",
                    cases[i].first);
        CHECK(h && strcmp(h->anchor, cases[i].first) == 0);
        rubric_results_free(r);
    }
    rubric_db_close(db);
}

/* ----------------------------------------------------------------- explain */

/* Each hit of Q: the terms' weights are its score (what remains is nothing),
 * or with a wildcard, whose words are not listed, at most its score. */
static void check_explain_terms(const char *q, int terms_listed);

static void check_explain(const char *q)
{
    check_explain_terms(q, 1);
}

/* TERMS_LISTED: the query's terms are listed (a wildcard's expansions are
 * not: they count in what remains). */
static void check_explain_terms(const char *q, int terms_listed)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 50;
    o.explain = 1;
    rubric_results *r = search_with(q, &o);
    CHECK(r && rubric_results_count(r) > 0);
    for (size_t i = 0; r && i < rubric_results_count(r); i++) {
        const rubric_hit *h = rubric_results_hit(r, i);
        double sum = 0;
        for (size_t k = 0; k < h->nexplain; k++)
            sum += h->explain[k].weight;
        double remains = h->score - sum;
        CHECK(!terms_listed || h->nexplain > 0);
        if (remains < -1e-6 || (terms_listed && remains > 1e-6)) {
            char key[512];
            key_of(h, key, sizeof key);
            fprintf(stderr, "  [%s] %s: score %.6f, terms %.6f:", q, key, h->score, sum);
            for (size_t k = 0; k < h->nexplain; k++)
                fprintf(stderr, " %s/%s %.4f", h->explain[k].word, h->explain[k].field,
                        h->explain[k].weight);
            fputc('\n', stderr);
            harness_current_failed = 1;
        }
    }
    rubric_results_free(r);
}

/* Whether SPANS are sorted, disjoint and inside LEN bytes; says why not. */
static int spans_in_order(const char *what, const rubric_span *spans, size_t n, size_t len)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (spans[i].start < at || spans[i].start + spans[i].len > len) {
            fprintf(stderr, "  %s: span %zu [%zu, +%zu) overlaps the one before or leaves %zu bytes\n",
                    what, i, spans[i].start, spans[i].len, len);
            return 0;
        }
        at = spans[i].start + spans[i].len;
    }
    return 1;
}

static void a_dotted_word_and_its_part_mark_each_byte_once(void)
{
    static const char *const queries[] = {"standby.signal standby", "standby standby.signal",
                                          "signal standby.signal", "os.path.join path os",
                                          "\"standby.signal\" standby"};
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
        o.limit = 10;
        o.fragments = 3;
        o.snippet_len = 60;
        rubric_results *r = search_with(queries[q], &o);
        CHECK(r && rubric_results_count(r) == 1);
        for (size_t i = 0; r && i < rubric_results_count(r); i++) {
            const rubric_hit *h = rubric_results_hit(r, i);
            CHECK(h->snippet.nspans > 0);
            CHECK(spans_in_order(queries[q], h->snippet.spans, h->snippet.nspans,
                                 h->snippet.text_len));
            for (size_t k = 0; k < h->nfragments; k++)
                CHECK(spans_in_order(queries[q], h->fragments[k].spans, h->fragments[k].nspans,
                                     h->fragments[k].text_len));
            char *html = rubric_hit_snippet_html(h);
            CHECK(html && (strstr(html, "<b>standby.signal</b>") || strstr(html, "<b>os.path.join</b>")));
            CHECK(html && !strstr(html, "<b></b>"));
            free(html);
        }
        rubric_results_free(r);
    }
}

static void explain_adds_up_to_the_score(void)
{
    check_explain("harvest");
    check_explain("copper kettle");
    check_explain("apples OR pears");
    check_explain("apples -river");
    check_explain("beacon");
    check_explain("(pears OR plums) barn");
    /* words side by side: the share each word found brings is a row */
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.explain = 1;
    rubric_results *r = search_with("copper kettle", &o);
    const rubric_hit *h = r ? rubric_results_hit(r, 0) : NULL;
    CHECK(h != NULL);
    int present = 0;
    for (size_t k = 0; h && k < h->nexplain; k++)
        present += strcmp(h->explain[k].field, "present") == 0 && h->explain[k].weight > 0;
    CHECK(present == 2);
    rubric_results_free(r);
}

/* A phrase, NEAR and =word search the exact forms at full weight, title:
 * only the heading: explain lists what each searched, so the terms add up
 * to the score. A wildcard's expansions are not listed. */
static void explain_of_phrases_exact_forms_and_fields_matches_the_query(void)
{
    check_explain("\"red apples\"");
    check_explain("=apples");
    check_explain("apples NEAR river");
    check_explain_terms("pear*", 0);
    check_explain("title:pears");
    /* Beside other words, a phrase or a NEAR weighs only the passages it
     * matches: those holding its words elsewhere list them not. */
    check_explain("\"apples red\" OR river");
    check_explain("\"red apples\" OR pears OR river");
    check_explain("(apples NEAR/1 river) OR harvest");
}

/* The rows of each hit of R add up to its score; into *FIELDS, a bit for
 * each of the FIELD names some row of some hit gives. */
static int explained_exactly(const char *q, rubric_results *r, const char *const *fields,
                             size_t nfields, unsigned *seen)
{
    int exact = r && rubric_results_count(r) > 0;
    for (size_t i = 0; r && i < rubric_results_count(r); i++) {
        const rubric_hit *h = rubric_results_hit(r, i);
        double sum = 0;
        for (size_t k = 0; k < h->nexplain; k++) {
            sum += h->explain[k].weight;
            for (size_t f = 0; f < nfields; f++)
                if (strcmp(h->explain[k].field, fields[f]) == 0 && h->explain[k].weight > 0)
                    *seen |= 1u << f;
        }
        if (fabs(sum - h->score) > 1e-6 * (1 + h->score)) {
            fprintf(stderr, "  [%s] %s: score %.9f, rows %.9f\n", q, h->anchor, h->score, sum);
            exact = 0;
        }
    }
    return exact;
}

/* Every share of a score is a row: each word found (its presence, in any
 * field), a heading that says just the query, a word typed as an option
 * where it is written and defined as one, and the parts of a dotted name
 * (a part the query also types is one row, at both scales). */
static void explain_names_every_share_of_a_score(void)
{
    static const char *const fields[] = {"present", "key", "option", "term", "body"};
    unsigned seen = 0;
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 50;
    o.explain = 1;
    rubric_results *r = search_with("standby.signal standby", &o);
    CHECK(explained_exactly("standby.signal standby", r, fields, 5, &seen));
    const rubric_hit *h = r ? rubric_results_hit(r, 0) : NULL;
    int merged = 0;
    for (size_t k = 0; h && k < h->nexplain; k++)
        merged |= strcmp(h->explain[k].word, "standbi") == 0 &&
                   strcmp(h->explain[k].field, "body") == 0 && h->explain[k].scale > 1.25;
    CHECK(merged);
    rubric_results_free(r);
    CHECK(seen == (1u << 0 | 1u << 4));
    rubric_db *db = index_page("named.db", "num/data.html", write_matrices_page);
    if (db) {
        seen = 0;
        r = NULL;
        CHECK(rubric_search(db, "matrices", 8, &o, &r, NULL) == RUBRIC_OK);
        CHECK(explained_exactly("matrices", r, fields, 5, &seen));
        CHECK(seen & 1u << 1);
        rubric_results_free(r);
        rubric_db_close(db);
    }
    db = index_page("defined-option.db", "man/keel-join.html", write_defined_option_page);
    if (db) {
        seen = 0;
        r = NULL;
        CHECK(rubric_search(db, "--fast-only branch", 18, &o, &r, NULL) == RUBRIC_OK);
        CHECK(explained_exactly("--fast-only branch", r, fields, 5, &seen));
        CHECK((seen & (1u << 0 | 1u << 2 | 1u << 3)) == (1u << 0 | 1u << 2 | 1u << 3));
        rubric_results_free(r);
        rubric_db_close(db);
    }
}

static void a_one_word_body_match_is_explained_exactly(void)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 50;
    o.explain = 1;
    rubric_results *r = search_with("harvest", &o);
    int seen = 0;
    for (size_t i = 0; r && i < rubric_results_count(r); i++) {
        const rubric_hit *h = rubric_results_hit(r, i);
        char key[512];
        key_of(h, key, sizeof key);
        if (strcmp(key, "seasons.txt#spring-planting") != 0 && strcmp(key, "orchard.txt#red-apples") != 0)
            continue;
        seen++;
        double sum = 0;
        int body = 0;
        for (size_t k = 0; k < h->nexplain; k++) {
            sum += h->explain[k].weight;
            CHECK(strcmp(h->explain[k].field, "heading") != 0 && strcmp(h->explain[k].field, "trail") != 0);
            body |= strcmp(h->explain[k].field, "body") == 0;
        }
        CHECK(body);
        if (fabs(sum - h->score) > 1e-6) {
            fprintf(stderr, "  %s: score %.9f, terms %.9f\n", key, h->score, sum);
            harness_current_failed = 1;
        }
        CHECK(h->doclen > 0 && h->avlength > 0);
    }
    CHECK(seen == 2);
    rubric_results_free(r);
}

/* ---------------------------------------------------------- judged queries */

/* Five judged queries on an index of corpus/: each target in the top 10. */
static void judged_queries_find_their_targets_in_the_top_10(void)
{
    const char *src = getenv("RUBRIC_SRCDIR");
    src = src && *src ? src : ".";
    char corpus[PATH_MAX], dbdir[PATH_MAX], tsv[PATH_MAX], path[PATH_MAX + 300];
    snprintf(corpus, sizeof corpus, "%s/corpus", src);
    snprintf(dbdir, sizeof dbdir, "%s/corpus-db", g_tmp);
    snprintf(tsv, sizeof tsv, "%s/tests/relevance/seed-article.tsv", src);
    rubric_index *ix = NULL;
    char *err = NULL;
    int rc = rubric_index_open(dbdir, "english", &ix, &err);
    CHECK(rc == RUBRIC_OK);
    free(err);
    if (rc != RUBRIC_OK)
        return;
    DIR *d = opendir(corpus);
    CHECK(d != NULL);
    struct dirent *e;
    size_t files = 0;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !rubric_doc_supported(e->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%s", corpus, e->d_name);
        char rel[300];
        snprintf(rel, sizeof rel, "corpus/%s", e->d_name);
        files += rubric_index_add(ix, path, rel, NULL, NULL) == RUBRIC_OK;
    }
    if (d)
        closedir(d);
    CHECK(files >= 1);
    CHECK(rubric_index_commit(ix) == RUBRIC_OK);
    rubric_index_close(ix);
    rubric_db *db = NULL;
    if (rubric_db_open(dbdir, &db, &err) != RUBRIC_OK) {
        fprintf(stderr, "  %s\n", err ? err : "cannot open");
        free(err);
        harness_current_failed = 1;
        return;
    }
    char *text = slurp(tsv, NULL);
    CHECK(text != NULL);
    int done = 0;
    for (char *line = text ? strtok(text, "\n") : NULL; line && done < 5; line = strtok(NULL, "\n")) {
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        char *target = tab + 1, *sp = strchr(target, ' ');
        if (sp)
            *sp = '\0';  /* the first target */
        char *hash = strchr(target, '#');
        if (!hash)
            continue;
        *hash = '\0';
        const char *tpath = target, *tanchor = hash + 1;
        rubric_results *r = NULL;
        rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
        o.limit = 10;
        rc = rubric_search(db, line, strlen(line), &o, &r, &err);
        int found = 0;
        for (size_t i = 0; rc == RUBRIC_OK && i < rubric_results_count(r) && !found; i++) {
            const rubric_hit *h = rubric_results_hit(r, i);
            size_t pl = strlen(h->path), tl = strlen(tpath);
            found = pl >= tl && strcmp(h->path + pl - tl, tpath) == 0 &&
                    strcmp(h->anchor, tanchor) == 0;
        }
        if (!found) {
            fprintf(stderr, "  [%s]: %s#%s not in the top 10\n", line, tpath, tanchor);
            harness_current_failed = 1;
        }
        free(err);
        err = NULL;
        rubric_results_free(r);
        done++;
    }
    CHECK(done == 5);
    free(text);
    rubric_db_close(db);
}

/* -------------------------------------------------------------------- main */

int main(void)
{
    const char *tmpdir = getenv("TMPDIR");
    snprintf(g_tmp, sizeof g_tmp, "%s/rubric-test-search-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(g_tmp)) {
        fprintf(stderr, "test_search: mkdtemp %s: %s\n", g_tmp, strerror(errno));
        return 1;
    }
    snprintf(g_docs, sizeof g_docs, "%s/docs", g_tmp);
    char *seasons = seasons_text(), *zq = zq_text();
    static const char *const rels[] = {"fruit/orchard.txt",  "rivers/river.txt", "kitchen/pie.txt",
                                       "fruitcake/cake.txt", "talks/meetings.txt", "coast/harbour.txt",
                                       "farm/seasons.txt",   "notes/pages.jsonl", "world/news.txt",
                                       "zq/words.txt",      "replica/standby.txt",
                                       "interp/depth.txt", "post/letter.txt", "api/crane.html",
                                       "sea/rigging.txt"};
    const char *texts[] = {orchard_txt, river_txt, pie_txt,     cake_txt, talks_txt,
                           coast_txt,   seasons,   pages_jsonl, news_txt, zq, standby_txt,
                           depth_txt,   letter_txt, crane_html, rigging_txt};
    int ok = seasons && zq && mkdir(g_docs, 0777) == 0;
    for (size_t i = 0; ok && i < sizeof rels / sizeof *rels; i++)
        ok = spill(rels[i], texts[i], strlen(texts[i])) == 0;
    free(seasons);
    free(zq);
    if (!ok || build_index(rels, sizeof rels / sizeof *rels) < 0) {
        fprintf(stderr, "test_search: could not build the fixture index in %s\n", g_tmp);
        return 1;
    }

    RUN(plain_words_match_any_form_and_those_holding_all_come_first);
    RUN(a_rare_word_next_to_a_common_one_gets_a_suggestion);
    RUN(and_requires_both);
    RUN(or_accepts_either);
    RUN(not_and_minus_exclude);
    RUN(dashed_words_alone_are_searched_for);
    RUN(plus_is_the_same_as_the_word);
    RUN(parentheses_group);
    RUN(a_phrase_matches_adjacent_words_in_order);
    RUN(a_phrase_never_crosses_a_section_or_a_heading);
    RUN(a_phrase_with_slop_allows_words_between_in_any_order);
    RUN(near_matches_within_n_words_and_not_beyond);
    RUN(near_never_reaches_from_a_heading_into_its_text);
    RUN(a_wildcard_matches_words_beginning_so);
    RUN(a_too_broad_wildcard_is_einval_saying_so);
    RUN(an_exact_form_is_unstemmed);
    RUN(title_matches_a_heading_word);
    RUN(path_filters_a_folder_or_a_file);
    RUN(a_path_folder_does_not_match_a_longer_folder_name);
    RUN(tag_and_lang_filter_by_what_the_source_gave);
    RUN(lang_matches_a_language_given_in_capitals);
    RUN(an_empty_operand_matches_nothing_rather_than_everything);
    RUN(queries_without_words_are_einval);
    RUN(a_query_over_the_byte_limit_is_einval_saying_so);
    RUN(a_search_out_of_time_says_its_results_are_partial);
    RUN(a_query_without_words_is_not_said_to_hold_exclusions);
    RUN(a_misspelling_is_corrected_unless_asked_not_to);
    RUN(synonyms_expand_acronyms_and_their_phrases);
    RUN(united_states_does_not_find_the_pronoun_us);
    RUN(malformed_synonyms_are_einval_naming_the_line);
    RUN(the_form_typed_ranks_above_another_form_of_its_stem);
    RUN(a_heading_match_ranks_above_a_body_match);
    RUN(a_rare_word_outranks_a_common_one_found_in_every_field);
    RUN(function_words_never_decide_a_question);
    RUN(a_qualified_name_finds_the_entry_its_anchor_names);
    RUN(a_camel_case_name_is_found_by_its_humps);
    RUN(a_name_nothing_holds_whole_is_found_by_its_parts);
    RUN(a_matching_wildcard_gets_no_suggestion);
    RUN(structured_filters_select_as_the_query_syntax_does);
    RUN(the_word_being_typed_is_a_prefix);
    RUN(the_web_document_names_pages_by_their_address);
    RUN(facets_count_the_matches_by_tag_language_and_folder);
    RUN(an_index_without_facet_values_counts_none);
    RUN(the_ranked_or_counts_a_word_held_in_any_field_old_index_or_new);
    RUN(grouping_keeps_n_passages_per_article_and_counts_them_all);
    RUN(grouping_pages_with_offset_and_limit);
    RUN(fragments_point_at_the_matched_words_in_the_source);
    RUN(the_parts_of_a_section_are_one_hit);
    RUN(a_dotted_word_and_its_part_mark_each_byte_once);
    RUN(explain_adds_up_to_the_score);
    RUN(explain_of_phrases_exact_forms_and_fields_matches_the_query);
    RUN(explain_names_every_share_of_a_score);
    RUN(a_one_word_body_match_is_explained_exactly);
    RUN(judged_queries_find_their_targets_in_the_top_10);
    RUN(parts_linking_to_their_own_ids_are_one_hit);
    RUN(the_section_a_query_names_comes_first);
    RUN(the_section_defining_an_option_comes_first);
    RUN(the_part_defining_an_option_in_a_table_comes_first);
    RUN(the_section_defining_a_hyphenated_option_comes_first);
    RUN(an_anchors_escaped_words_are_its_words);
    RUN(an_index_entrys_words_find_the_section_it_places);
    RUN(an_option_finds_where_it_is_written_as_one);

    rubric_db_close(g_db);
    char rm[PATH_MAX + 16];
    snprintf(rm, sizeof rm, "rm -rf '%s'", g_tmp);
    if (system(rm) != 0)
        fprintf(stderr, "test_search: could not remove %s\n", g_tmp);
    return HARNESS_END();
}
