#!/usr/bin/env bash
# The shell completion scripts (tracegrep --generate-completion), installed
# by cmake --install, load in their shells and complete what they should.
#   tests/completion.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
share=$work/prefix/share
bash_script=$share/bash-completion/completions/tracegrep
zsh_script=$share/zsh/vendor-completions/_tracegrep
fish_script=$share/fish/vendor_completions.d/tracegrep.fish
for f in "$bash_script" "$zsh_script" "$fish_script"; do
  [ -s "$f" ] || { echo "not installed: $f"; exit 1; }
done
fail=0
expect() {  # WHAT GOT WANTED-WORD...
  local what=$1 got=$2
  shift 2
  for w in "$@"; do
    case " $got " in
      *" $w "*) ;;
      *) echo "$what: '$w' not offered (got: $got)"; fail=1 ;;
    esac
  done
}

# bash, with Debian's bash-completion: complete a command line as typed.
complete_bash() {
  bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"; shift
           COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
           _tracegrep; echo "${COMPREPLY[*]}"' _ "$bash_script" "$@"
}
expect "bash: tracegrep --ses" "$(complete_bash tracegrep --ses)" --session --session-key
expect "bash: tracegrep --color " "$(complete_bash tracegrep --color '')" auto always never
expect "bash: tracegrep -l " "$(complete_bash tracegrep -l '')" ERROR CRITICAL
expect "bash: tracegrep requests --sl" "$(complete_bash tracegrep requests --sl)" --slowest
expect "bash: tracegrep ti" "$(complete_bash tracegrep ti)" timeline
expect "bash: tracegrep timeline --format " "$(complete_bash tracegrep timeline --format '')" text json chrome
got=$(complete_bash tracegrep index --st)
expect "bash: tracegrep index --st" "$got" --status
case " $got " in *" --slowest "*) echo "bash: index offers requests' --slowest"; fail=1 ;; esac

# fish: complete -C gives what fish would offer.
complete_fish() { fish -c "source '$fish_script'; complete -C'$1'" | cut -f1 | tr '\n' ' '; }
expect "fish: tracegrep --ses" "$(complete_fish 'tracegrep --ses')" --session --session-key
expect "fish: tracegrep --color " "$(complete_fish 'tracegrep --color ')" auto always never
expect "fish: tracegrep requests --sl" "$(complete_fish 'tracegrep requests --sl')" --slowest
expect "fish: tracegrep ti" "$(complete_fish 'tracegrep ti')" timeline
expect "fish: --log-format-style " "$(complete_fish 'tracegrep --log-format-style ')" % '{' '$'
errors=$(fish -c "source '$fish_script'" 2>&1 || true)
[ -z "$errors" ] || { echo "fish: loading says: $errors"; fail=1; }

# zsh: the script parses, and compinit finds it for tracegrep.
zsh -n "$zsh_script" || { echo "zsh: syntax error"; fail=1; }
mkdir -p "$work/zfunc"
cp "$zsh_script" "$work/zfunc/_tracegrep"
got=$(zsh -f -c "fpath=('$work/zfunc' \$fpath); autoload -U compinit; compinit -u -d '$work/zcompdump'
                 print -r -- \${_comps[tracegrep]}; autoload -Uz _tracegrep; print -r -- \$+functions[_tracegrep]" 2>&1)
[ "$got" = "_tracegrep"$'\n'"1" ] || { echo "zsh: compinit did not take the script: $got"; fail=1; }

[ "$fail" = 0 ] && echo "completion: bash, zsh and fish complete tracegrep"
exit "$fail"
