# bash completion for rubric-index, rubric-query and rubric-serve.
# Installed as completions/rubric-index, with completions/rubric-query and
# completions/rubric-serve links to it: bash-completion loads it when any of
# the three is completed.

# The values the tools take alike: a folder for --db, a JSON file for
# --config. Returns 0 when PREV was one of them.
_rubric_shared()
{
    case $1 in
        --db) _filedir -d ;;
        --config) _filedir json ;;
        *) return 1 ;;
    esac
}

_rubric_index()
{
    local cur prev words cword
    _init_completion || return
    _rubric_shared "$prev" && return
    case $prev in
        --lang)
            COMPREPLY=($(compgen -W "$("${words[0]}" --lang list 2>/dev/null) list" -- "$cur"))
            return
            ;;
        --include | --exclude | --base-url | --wait | --max-file-size | --jobs | -j | --shards | --shard)
            return
            ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '--db --lang --include --exclude --base-url --config
            --rebuild --dry-run --wait --max-file-size --status --json --shards --shard --jobs --quiet
            --verbose --help --version -j -q -v -h -V' -- "$cur"))
        return
    fi
    _filedir
} &&
    complete -F _rubric_index rubric-index

_rubric_query()
{
    local cur prev words cword
    _init_completion || return
    _rubric_shared "$prev" && return
    case $prev in
        --synonyms)
            _filedir
            return
            ;;
        --color | --colour)
            COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
            return
            ;;
        --limit | -n | --offset | --per-article | --fragments | --base-url | --path | --tag | --lang | --timeout)
            return
            ;;
        --facets)
            COMPREPLY=($(compgen -W 'section lang tag section,lang,tag' -- "$cur"))
            return
            ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '--db --limit --offset --json --boilerplate --fragments
            --explain --per-article --path --tag --lang --prefix --facets --base-url --config --synonyms
            --color --timeout --partial --help --version -n -h -V' -- "$cur"))
    fi
    # The query's words are the user's: nothing to offer.
} &&
    complete -F _rubric_query rubric-query

_rubric_serve()
{
    local cur prev words cword
    _init_completion || return
    _rubric_shared "$prev" && return
    case $prev in
        --synonyms | --query-log)
            _filedir
            return
            ;;
        --listen | --threads | --base-url | --allow-origin | --connections | --per-address | \
            --timeout | --cache | --answer-cache | --shard-timeout)
            return
            ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '--db --listen --threads --base-url --allow-origin
            --connections --per-address --timeout --cache --answer-cache --shard-timeout --partial --query-log --metrics --config
            --synonyms --help --version -h -V' -- "$cur"))
    fi
} &&
    complete -F _rubric_serve rubric-serve
