/* function_words.c: the words of a language that build sentences rather
 * than name things (pronouns, articles, auxiliary verbs, question words,
 * the commonest prepositions and conjunctions).
 *
 * A question typed in plain language ("how do I read a file line by line")
 * is mostly such words. In a documentation tree they are not common in the
 * sense the query builder measures (a "my" or a "how" may be in a handful
 * of passages only, which makes it look rare), yet a passage that holds
 * them says nothing about its topic. So the query builder weighs them as it
 * weighs common words: not required when the query has other words, in
 * bodies only, and never carrying the ranked OR (query_build.c).
 *
 * Only English has a list: for any other language no word is a function
 * word, and queries are weighed by the index's statistics alone. The list
 * is kept short on purpose: a word that names something in some manual
 * ("case", "while", "not", "all") is left out, since demoting it would cost
 * more than it saves.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Sorted (strcmp order): looked up by bsearch(). */
static const char *const english[] = {
    "a", "am", "an", "and", "are", "as", "at", "be", "been", "being", "but", "by", "can",
    "could", "did", "do", "does", "doing", "for", "from", "had", "has", "have", "having",
    "he", "her", "hers", "him", "his", "how", "i", "in", "into", "is", "it", "its", "may",
    "me", "might", "must", "my", "of", "on", "or", "our", "ours", "shall", "she", "should",
    "so", "than", "that", "the", "their", "theirs", "them", "there", "these", "they",
    "this", "those", "to", "us", "was", "we", "were", "what", "when", "where", "which",
    "who", "whom", "whose", "why", "will", "with", "would", "you", "your", "yours",
};

static int compare(const void *key, const void *entry)
{
    return strcmp(key, *(const char *const *)entry);
}

int function_word(const char *lang, const char *word)
{
    if (!lang || strcmp(lang, "english") != 0)
        return 0;
    return bsearch(word, english, sizeof english / sizeof *english, sizeof *english,
                   compare) != NULL;
}
