/* harness.h: a tiny test harness; each test binary prints "N passed, M failed". */
#ifndef RUBRIC_HARNESS_H
#define RUBRIC_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_passed, harness_failed, harness_current_failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                      \
            harness_current_failed = 1;                                          \
        }                                                                        \
    } while (0)

#define CHECK_STR(got, want)                                                     \
    do {                                                                         \
        const char *got_ = (got), *want_ = (want);                               \
        if (!got_ || !want_ || strcmp(got_, want_) != 0) {                       \
            fprintf(stderr, "  %s:%d: %s\n    got:  %s\n    want: %s\n",         \
                    __FILE__, __LINE__, #got, got_ ? got_ : "(null)",            \
                    want_ ? want_ : "(null)");                                   \
            harness_current_failed = 1;                                          \
        }                                                                        \
    } while (0)

/* Run STMT as one test named NAME (a string): how each row of a table of
 * cases is a test of its own, named as a sentence like the functions. */
#define RUN_NAMED(name, stmt)                                                    \
    do {                                                                         \
        const char *harness_name_ = (name);                                      \
        harness_current_failed = 0;                                              \
        stmt;                                                                    \
        if (harness_current_failed) {                                            \
            harness_failed++;                                                    \
            fprintf(stderr, "FAIL %s\n", harness_name_);                         \
        } else {                                                                 \
            harness_passed++;                                                    \
            printf("ok   %s\n", harness_name_);                                  \
        }                                                                        \
    } while (0)

/* Tests are functions named as sentences: static void tokenizer_keeps_x(void). */
#define RUN(test) RUN_NAMED(#test, test())

/* $RUBRIC_ONLY (a substring of test names) runs only the tests it names:
 * TRY(test) is RUN(test) for those. */
#define TRY(test)                                                                \
    do {                                                                         \
        const char *harness_only_ = getenv("RUBRIC_ONLY");                       \
        if (!harness_only_ || !*harness_only_ || strstr(#test, harness_only_))   \
            RUN(test);                                                           \
    } while (0)

#define HARNESS_END()                                                            \
    (printf("%d passed, %d failed\n", harness_passed, harness_failed),           \
     harness_failed ? 1 : 0)

#endif
