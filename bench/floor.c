/* floor.c: the floor rubric-index is measured against (`make bench`).
 *
 *   build/bench-floor DB PATH...
 *
 * Reads the same files rubric-index would (bench/common.h's walk), into the
 * same passages (rubric_doc_read), and hands each passage, boilerplate
 * included as rubric-index indexes it, to Xapian's own TermGenerator with
 * Xapian's English stemmer (its heading prefixed S, its text unprefixed and
 * Z-stemmed, the text as document data), then add_document, in one thread,
 * committed at the end; the writer is opened the way rubric-index opens a
 * first build (bench/xapian_ref.cc: DB is replaced if it exists, no sync as
 * it goes, a commit every 1,000 documents). What rubric-index does beyond this
 * (its own analysis chain, the extra terms, the id and file terms, the
 * passage's JSON, the manifest) is its cost over the floor.
 *
 * Exit status: 0 done, 1 some files skipped, 2 usage error, 4 the database
 * cannot be opened or written.
 */
#include "common.h"
#include "xapian_ref.h"

typedef struct floor_run {
    unsigned long files, passages;
    size_t bytes;
    int failed;
} floor_run;

static int index_doc(void *ctx, const char *path, const rubric_doc *doc)
{
    floor_run *r = ctx;
    for (size_t i = 0; i < rubric_doc_count(doc) && !r->failed; i++) {
        const rubric_passage *p = rubric_doc_passage(doc, i);
        char *msg = NULL;
        if (ref_add(p->text, p->text_len, p->title, &msg) != 0) {
            fprintf(stderr, "bench-floor: %s: %s\n", path, msg ? msg : "out of memory");
            free(msg);
            r->failed = 1;
        }
        r->passages++;
        r->bytes += p->text_len;
    }
    r->files++;
    return r->failed;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: bench-floor DB PATH...\n", stderr);
        return 2;
    }
    double t0 = bench_now();
    floor_run r;
    memset(&r, 0, sizeof r);
    char *msg = NULL;
    if (ref_open(argv[1], &msg) != 0) {
        fprintf(stderr, "bench-floor: %s: %s\n", argv[1], msg ? msg : "cannot open");
        free(msg);
        return 4;
    }
    unsigned long skipped = 0;
    for (int i = 2; i < argc && !r.failed; i++)
        skipped += bench_walk(argv[i], index_doc, &r);
    if (ref_close(&msg) != 0 || r.failed) {
        if (!r.failed)
            fprintf(stderr, "bench-floor: %s: %s\n", argv[1], msg ? msg : "out of memory");
        free(msg);
        return 4;
    }
    fprintf(stderr, "bench-floor: %lu files, %lu passages (%.1f MB of text), %lu skipped, %.2f s\n",
            r.files, r.passages, (double)r.bytes / 1e6, skipped, bench_now() - t0);
    return skipped ? 1 : 0;
}
