# bash completion for calsync
_calsync() {
    local cur prev words cword
    _init_completion || return

    local commands="init authorize integrations disconnect status events changes calendars poll
        register-webhook renew process-queue"
    local global="--config -v --verbose -q --quiet --json --version -h --help
        --db --key-file --public-url --allow-insecure-http --http-timeout --connect-timeout
        --google-client-id --google-client-secret --google-client-secret-file --google-auth-url
        --google-token-url --google-revoke-url --google-userinfo-url --google-api-url
        --microsoft-client-id --microsoft-client-secret --microsoft-client-secret-file
        --microsoft-tenant --microsoft-authority-url --microsoft-graph-url --google-page-size
        --microsoft-page-size --microsoft-window-past --microsoft-window-future
        --microsoft-subscription-ttl --google-channel-ttl --queue-trigger"

    case $prev in
        --config|--db|--key-file|--google-client-secret-file|--microsoft-client-secret-file|--queue-trigger)
            _filedir; return ;;
        --format)
            COMPREPLY=($(compgen -W "table json csv ics" -- "$cur")); return ;;
        --integration|--calendar|--from|--to|--since|--limit|--within|--max|--max-attempts)
            return ;;
    esac

    local cmd="" sub="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            -*) ;;
            *) if [ -z "$cmd" ]; then cmd=${words[i]}; elif [ -z "$sub" ]; then sub=${words[i]}; fi ;;
        esac
    done

    local opts=""
    case $cmd in
        "") COMPREPLY=($(compgen -W "$commands $global" -- "$cur")); return ;;
        authorize)
            if [ -z "$sub" ] && [[ $cur != -* ]]; then COMPREPLY=($(compgen -W "google microsoft" -- "$cur")); return; fi
            opts="--org --listen --device --timeout --calendar --no-sync --no-webhook" ;;
        integrations)
            if [ -z "$sub" ] && [[ $cur != -* ]]; then COMPREPLY=($(compgen -W "list show check" -- "$cur")); return; fi ;;
        disconnect) opts="--purge" ;;
        events)
            if [ -z "$sub" ] && [[ $cur != -* ]]; then COMPREPLY=($(compgen -W "list" -- "$cur")); return; fi
            opts="--integration --calendar --from --to --format" ;;
        changes) opts="--since --follow --limit" ;;
        calendars) opts="--refresh --select --deselect" ;;
        poll) opts="--full --concurrency" ;;
        register-webhook) opts="--all" ;;
        renew) opts="--within --dry-run" ;;
        process-queue) opts="--max --max-attempts --retry-dead" ;;
    esac
    COMPREPLY=($(compgen -W "$opts $global" -- "$cur"))
}
complete -F _calsync calsync
