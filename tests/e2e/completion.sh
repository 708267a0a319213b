#!/usr/bin/env bash
# The bash completion: `complete -p relax` after sourcing it, and the
# candidates it makes for subcommands, options, session ids (relax list
# --ids, user sessions included) and profile names (relax profiles --names).
set -u
: "${RELAX:?}" "${RLX_SOURCE_DIR:?}" "${RLX_BUILD_DIR:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
unset RELAX_SESSIONS RELAX_PROFILE
mkdir -p "$HOME" "$XDG_DATA_HOME/relax/sessions" "$T/bin"
printf '[session]\nid = my-evening\n\n[timeline]\n0:00 end\n' >"$XDG_DATA_HOME/relax/sessions/my-evening.session"
ln -s "$RELAX" "$T/bin/relax"   # completion calls relax as typed: here, from PATH
"$RLX_BUILD_DIR/rlx_store_tool" "$RELAX_STORE" listen "ana maria" week-01 1 60 60 60 1 1796025600 || exit 1
"$RLX_BUILD_DIR/rlx_store_tool" "$RELAX_STORE" listen bob week-01 1 60 60 60 1 1796025600 || exit 1
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# complete WORDS... : the candidates for the last word, one a line, sorted
complete_words() {
    PATH="$T/bin:$PATH" bash --norc --noprofile -c '
        shopt -s extglob
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _relax
        printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$RLX_SOURCE_DIR/cmake/completion/relax.bash" "$@"
}
got=$(bash --norc --noprofile -c 'source "$1"; complete -p relax' _ "$RLX_SOURCE_DIR/cmake/completion/relax.bash")
[ "$got" = "complete -F _relax relax" ] || fail "complete -p relax: $got"

[ "$(complete_words relax pr | tr '\n' ' ')" = "profiles progress " ] || fail "subcommands 'pr': $(complete_words relax pr)"
[ "$(complete_words relax ca | tr '\n' ' ')" = "calendar captions " ] || fail "subcommands 'ca'"
[ "$(complete_words relax render week-01 --f | tr '\n' ' ')" = "--from " ] || fail "render options"
[ "$(complete_words relax play --st | tr "\n" " ")" = "--start-in --stats --stop-after --store " ] || fail "play options: $(complete_words relax play --st)"
ids=$(complete_words relax play "")
echo "$ids" | grep -qx week-01 || fail "play: no week-01 among $ids"
echo "$ids" | grep -qx week-10 || fail "play: no week-10"
echo "$ids" | grep -qx my-evening || fail "play: the user's own session is not offered"
[ "$(complete_words relax check my | tr '\n' ' ')" = "my-evening " ] || fail "check 'my'"
[ "$(complete_words relax progress --profile "" | tr '\n' ' ')" = 'ana\ maria bob ' ] || fail "profiles: $(complete_words relax progress --profile "")"
[ "$(complete_words relax next --profile b | tr '\n' ' ')" = "bob " ] || fail "profile 'b'"
# completing never creates a store
rm -f "$RELAX_STORE"
complete_words relax next --profile "" >/dev/null
[ -e "$RELAX_STORE" ] && fail "completing a profile created the store"
[ "$(complete_words relax help ex | tr '\n' ' ')" = "exit-codes " ] || fail "help topics"

# every option a command's usage names is offered, in bash and in zsh (the
# usage is the first lines of `relax CMD --help`, up to its first unindented
# line), and every command is
zsh_file="$RLX_SOURCE_DIR/cmake/completion/_relax"
for cmd in $(bash --norc --noprofile -c 'source "$1"; echo $_relax_commands' _ "$RLX_SOURCE_DIR/cmake/completion/relax.bash"); do
    [ "$cmd" = help ] && continue
    grep -q "^    '$cmd:" "$zsh_file" || fail "zsh: no command $cmd"
    usage_opts=$("$RELAX" "$cmd" --help 2>&1 | awk 'NR == 1 || (more && /^ /) { print; more = 1; next } { exit }' |
        grep -o -- '--[a-z][a-z-]*\|\[-o\| -o ' | sed 's/\[-o/-o/; s/ //g' | sort -u)
    [ -n "$usage_opts" ] || [ "$cmd" = list ] || [ "$cmd" = store ] || fail "$cmd --help names no option"
    offered=$(complete_words relax "$cmd" -)
    zsh_line=$(grep "^    $cmd) *opts=" "$zsh_file")
    for o in $usage_opts; do
        echo "$offered" | grep -qx -- "$o" || fail "bash: relax $cmd does not offer $o"
        case " ${zsh_line#*opts=(} " in *" $o "*|*" $o)"*) ;; *) fail "zsh: relax $cmd does not offer $o" ;; esac
    done
done
[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "all passed"
