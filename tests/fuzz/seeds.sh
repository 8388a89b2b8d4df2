#!/bin/sh
# seeds.sh DIR: seed corpora for `make fuzz`, one folder per target under
# DIR, from the repository's own documents and queries (and a few pages of
# the Python documentation when it is installed).
set -eu
out=$1
cd "$(dirname "$0")/../.."
rm -rf "$out"
for t in search text html markdown jsonl config; do mkdir -p "$out/$t"; done
cp corpus/*.txt "$out/text/"
cp tests/fixtures/*.md tests/fuzz/regressions/*.md "$out/markdown/"
n=0
grep -v '^#' bench/queries.txt | while IFS= read -r q; do
    n=$((n + 1))
    # Two bytes of options, then the query (tests/fuzz/fuzz_search.c).
    printf '\003\021%s' "$q" > "$out/search/q$n"
done
docs=/usr/share/doc/python3.11/html
if [ -d "$docs/library" ]; then
    for p in json os.path platform re sys; do
        [ -f "$docs/library/$p.html" ] && cp "$docs/library/$p.html" "$out/html/"
        # reStructuredText sources, for the text reader's markup.
        [ -f "$docs/_sources/library/$p.rst.txt" ] && cp "$docs/_sources/library/$p.rst.txt" "$out/text/"
    done
fi
printf '<html><body><h1 id="a">Title</h1><p>Text &amp; more.</p></body></html>\n' > "$out/html/small.html"
printf '{"path":"p","title":"T","text":"words"}\n{"url":"https://x.org/a","html":"<h2>H</h2><p>x</p>"}\n' \
    > "$out/jsonl/records.jsonl"
printf '{"db": "x.db", "sources": [{"root": "site", "include": ["*.html"]}], "max_file_size": "1M"}\n' \
    > "$out/config/rubric.json"
printf 'UN = United Nations\nUS = U.S. = United States\n# comment\n' > "$out/config/synonyms.txt"
