/* fuzz_config.c: any bytes, as rubric.json and as a synonyms file: read or
 * refused with a message, never a crash; a synonyms file that is read then
 * serves a query. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[] = "/tmp/rubric-fuzz-config-XXXXXX";
static int fd = -1;
static rubric_analyzer *an;

static void cleanup(void)
{
    unlink(path);
    rubric_analyzer_free(an);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        if ((fd = mkstemp(path)) < 0 || rubric_analyzer_new("english", &an) != RUBRIC_OK)
            abort();
        atexit(cleanup);
    }
    /* As rubric.json. */
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    config c;
    char *err = NULL;
    int rc = config_load(path, &c, &err);
    assert(rc == 0 || (rc == -1 && err && strstr(err, path)));
    if (rc == 0)
        config_free(&c);
    free(err);
    /* As a synonyms file. */
    synonyms *syn = NULL;
    err = NULL;
    rc = synonyms_parse(an, (const char *)data, size, &syn, &err);
    assert(rc == RUBRIC_OK || rc == RUBRIC_ENOMEM || (rc == RUBRIC_EINVAL && err));
    assert((rc == RUBRIC_OK) == (syn != NULL));
    if (syn) {
        size_t longest = synonyms_longest(syn);
        assert(longest <= QNODE_WORDS);
    }
    synonyms_free(syn);
    free(err);
    return 0;
}
