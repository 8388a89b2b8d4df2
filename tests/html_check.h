/* html_check.h: what rubric-serve's answers may hold of HTML, checked the
 * same way by tests/test_serve.c and the search fuzz target: the API's _html
 * fields no tag but <mark>, the results page only the tags it writes. */
#ifndef RUBRIC_HTML_CHECK_H
#define RUBRIC_HTML_CHECK_H

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#define HTML_CHECK_UNUSED __attribute__((unused))

/* Whether every string under an "_html" key of J (the whole tree; HTML
 * says J is inside one already) holds no tag but <mark> and </mark>; the
 * first that does into *BAD. */
HTML_CHECK_UNUSED static int html_marks_only(const cJSON *j, int html, const char **bad)
{
    for (const cJSON *c = j; c; c = c->next) {
        int in = html || (c->string && strlen(c->string) > 5 &&
                          strcmp(c->string + strlen(c->string) - 5, "_html") == 0);
        if (cJSON_IsString(c) && in)
            for (const char *lt = strchr(c->valuestring, '<'); lt; lt = strchr(lt + 1, '<'))
                if (strncmp(lt, "<mark>", 6) && strncmp(lt, "</mark>", 7)) {
                    *bad = c->valuestring;
                    return 0;
                }
        if (c->child && !html_marks_only(c->child, in && cJSON_IsArray(c), bad))
            return 0;
    }
    return 1;
}

/* Whether PAGE holds only the tags the results page writes and, outside
 * their quoted values, no event attribute, no stray '<' and no link of a
 * scheme but http(s); the tag that does not into WHY. */
HTML_CHECK_UNUSED static int html_page_is_ours(const char *page, char *why, size_t n)
{
    static const char *const ours[] = {"!DOCTYPE", "html", "head", "meta", "title", "link", "script",
                                       "body", "main", "form", "label", "input", "button", "p",
                                       "a", "span", "ol", "li", "h1", "h2", "mark", "nav", "kbd",
                                       NULL};
    for (const char *lt = strchr(page, '<'); lt; lt = strchr(lt + 1, '<')) {
        const char *name = lt + 1 + (lt[1] == '/');
        size_t len = strspn(name, "!ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
        int known = 0;
        for (size_t i = 0; ours[i] && !known; i++)
            known = strlen(ours[i]) == len && strncmp(ours[i], name, len) == 0;
        const char *c = lt + 1;
        int quoted = 0, event = 0, script_link = 0, stray = 0;
        for (; *c && (quoted || *c != '>'); c++) {
            if (*c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                event |= c[0] == ' ' && c[1] == 'o' && c[2] == 'n';
                stray |= *c == '<';
                if (strncmp(c, "href=\"", 6) == 0) {
                    const char *v = c + 6;
                    size_t seg = strcspn(v, ":/?#\"");
                    script_link |= v[seg] == ':' && strncmp(v, "http:", 5) &&
                                   strncmp(v, "https:", 6);
                }
            }
        }
        if (!known || event || script_link || stray || *c != '>') {
            size_t tag = (size_t)(c - lt);
            snprintf(why, n, "%.*s", (int)(tag < 200 ? tag + 1 : 200), lt);
            return 0;
        }
        lt = c;
    }
    return 1;
}

#endif
