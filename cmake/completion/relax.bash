# bash completion for relax(1). Installed as
# share/bash-completion/completions/relax; loaded on demand by bash-completion.
# Session ids, profile and device names come from relax itself
# (list --ids, profiles --names, devices --names: quick, one a line).

_relax_commands="next play serve render list progress profiles history store devices check timeline captions new voices record script calendar help"

_relax_options()
{
    case $1 in
        next)     echo "--profile --store --room --any -o --device --length --tail --bed --volume --start-in --stop-after --remote --remote-listen --remote-key --help" ;;
        play)     echo "--device --from --length --tail --start-in --stop-after --bed --volume --profile --store --room --stats --remote --remote-listen --remote-key --help" ;;
        serve)    echo "--room --remote-listen --remote-key --new-key --device --store --help" ;;
        render)   echo "-o --length --tail --bed --rate --from --to --help" ;;
        list)     echo "--help" ;;
        progress) echo "--profile --store --json --help" ;;
        profiles) echo "--store --profile --names --keep-remote-key --forget-remote-key --help" ;;
        history)  echo "--profile --all --store --csv --help" ;;
        store)    echo "--help" ;;
        devices)  echo "--input --names --help" ;;
        check)    echo "--quiet --length --tail --help" ;;
        timeline) echo "-o --length --scale --help" ;;
        captions) echo "-o --length --help" ;;
        new)      echo "-o --help" ;;
        voices)   echo "--say -o --voice --pace --device --help" ;;
        record)   echo "--device --line --missing --help" ;;
        script)   echo "-o --help" ;;
        calendar) echo "--profile --store -o --help" ;;
    esac
}

# Adds each line of the command's output that starts with $cur to COMPREPLY.
_relax_lines()
{
    local line
    while IFS= read -r line; do
        [[ -n $line && $line == "$cur"* ]] && COMPREPLY+=("$line")
    done < <("$@" 2>/dev/null)
}

_relax()
{
    local cur prev cmd i
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local relax=${COMP_WORDS[0]}
    cmd=
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -*) ;;
            *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$_relax_commands --help --version" -- "$cur"))
        return
    fi

    # the value of an option
    case $prev in
        --profile|--device)
            if [[ $prev == --profile ]]; then
                _relax_lines "$relax" profiles --names
            else
                _relax_lines "$relax" devices --names
            fi
            # names may hold spaces: quote them for the command line
            for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=$(printf '%q' "${COMPREPLY[i]}"); done
            return ;;
        --store)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        -o|--output)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        --bed)
            COMPREPLY=($(compgen -W "rain shore off session" -- "$cur"))
            return ;;
        --from|--to|--length|--tail|--start-in|--stop-after|--volume|--rate|--scale|--room|--remote-listen|--remote-key|--say|--voice|--pace|--line)
            return ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_relax_options "$cmd")" -- "$cur"))
        return
    fi
    case $cmd in
        play|render|timeline|captions|record|script)
            _relax_lines "$relax" list --ids
            COMPREPLY+=($(compgen -f -X '!*.session' -- "$cur") $(compgen -d -- "$cur"))
            ;;
        check)
            _relax_lines "$relax" list --ids
            COMPREPLY+=($(compgen -f -X '!*.@(session|program)' -- "$cur") $(compgen -d -- "$cur"))
            ;;
        help)
            COMPREPLY=($(compgen -W "$_relax_commands session program durations listening exit-codes files cache store" -- "$cur"))
            ;;
    esac
}
complete -F _relax relax
