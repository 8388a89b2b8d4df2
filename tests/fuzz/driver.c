/* driver.c: runs a fuzz target without libFuzzer, on fixed seeds plus
 * deterministic random mutations of them, for `make test`. Each program
 * prints "N passed, M failed"; a crash or failed assertion ends it early. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const seeds[] = {
    "", "\"", "\"\"", "-", "--", "+", "-\"", "\"nuclear power", "nuclear \"power plant\" -Bushehr",
    "Bushher", "Russia's mediation", "((( OR AND NOT )))", "*", "a*", "title:x", "\xff\xfe",
    "\xe2\x80", "caf\xc3\xa9", "3.14 1,000", "Title\n- a\n- b\n\nA\nText here.\n",
    "T\nContents\n- One\n- Two\nOne\nBody one.\nTwo\nBody two.\n- Free Stuff Now\n",
    "\xe4\xb8\xad\xe6\x96\x87 \xd9\x85\xd8\xad\xd9\x85\xd8\xaf",
    "<h1 id=a>T</h1><section id=s><h2>S<a href=#s>#</a></h2><p>x<dl><dt id=d>f()<dd>y</dl>",
    "<main><nav><a href=x>a</a></nav><p>text &amp; more<div><div><h3>deep",
    "---\ntitle: \"T\"\n---\n# H {#id}\n\ntext [l](u)\n\n```\n# no\n```\n- [a](b)\n",
    "{\"path\":\"p\",\"text\":\"t\"}\n{\"url\":\"u\",\"html\":\"<h1>x</h1>\"}\nbad\n",
    NULL};

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 20000;
    size_t nseeds = 0;
    while (seeds[nseeds])
        nseeds++;
    unsigned char buf[4096];
    long runs = 0;
    for (size_t i = 0; i < nseeds; i++, runs++)
        LLVMFuzzerTestOneInput((const uint8_t *)seeds[i], strlen(seeds[i]));
    for (long r = 0; r < rounds; r++, runs++) {
        const char *s = seeds[next() % nseeds];
        size_t n = strlen(s);
        memcpy(buf, s, n);
        /* A few random edits: flip, insert, repeat, or append random bytes. */
        int edits = 1 + (int)(next() % 8);
        for (int e = 0; e < edits; e++) {
            uint64_t x = next();
            switch (x % 4) {
            case 0:
                if (n)
                    buf[x / 4 % n] ^= (unsigned char)(1u << (x / 64 % 8));
                break;
            case 1:
                if (n < sizeof buf - 1) {
                    size_t at = n ? x / 4 % (n + 1) : 0;
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = "\"-+ \n*()\xe2\x80\x99\xff" "aZ:"[x / 1024 % 16];
                    n++;
                }
                break;
            case 2:
                if (n && n * 2 < sizeof buf) {
                    memcpy(buf + n, buf, n);
                    n *= 2;
                }
                break;
            default:
                while (n < sizeof buf && (next() % 16))
                    buf[n++] = (unsigned char)next();
                break;
            }
        }
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("ok   fuzz_target_survives_%ld_inputs\n1 passed, 0 failed\n", runs);
    return 0;
}
