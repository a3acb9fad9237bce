#!/usr/bin/env bash
# docs/vigil.1 is shipped on its own as the man page (/usr/share/man/man1/vigil.1.gz), so it must
# keep up with the binary and format cleanly:
#   - every command `vigil --help` lists has an entry under COMMANDS, and COMMANDS has no entry for a
#     command the binary does not know;
#   - groff formats the page without a single warning;
#   - the page does not send readers to docs/ of a source tree (packages install the docs in
#     /usr/share/doc/vigil/).
# usage: tests/system/man_page_test.sh path/to/vigil
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
vigil_bin=${1:?usage: $0 path/to/vigil}
page=$repo/docs/vigil.1
command -v groff >/dev/null || { echo "FAIL: groff is not installed (Debian: groff-base)"; exit 1; }

# The commands, from the help text main.cpp prints from its kCommands table:
#   commands:
#     run       supervise the configured services in the foreground
#     ...
#   <blank line>
help=$("$vigil_bin" --help)
commands=$(awk '/^commands:$/ {on = 1; next} on && /^[[:space:]]*$/ {exit} on {print $1}' <<<"$help")
if [[ -z $commands ]]; then
  echo "FAIL: found no commands in the output of '$vigil_bin --help':"
  echo "$help"
  exit 1
fi

# groff must not warn at all (-ww: every warning category).
warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || true
if [[ -n $warnings ]]; then
  echo "FAIL: groff warns about docs/vigil.1:"
  echo "$warnings"
  exit 1
fi

# The page as a reader sees it, in plain ASCII (\- becomes '-', no bold or underlining). Under
# COMMANDS each command is a tagged paragraph whose tag starts "vigil NAME" at the tag indent
# (7 columns); the descriptions are indented further, so a mention in prose is not an entry.
text=$(groff -man -Tascii -P-c -P-b -P-o -P-u "$page" 2>&1)
section=$(awk '/^COMMANDS$/ {on = 1; next} on && /^[A-Z]/ {exit} on' <<<"$text")
if [[ -z $section ]]; then
  echo "FAIL: docs/vigil.1 has no COMMANDS section"
  exit 1
fi
entries=$(sed -n 's/^       vigil \([a-z][a-z-]*\).*/\1/p' <<<"$section" | sort -u)

problems=0
for c in $commands; do
  if ! grep -qx -- "$c" <<<"$entries"; then
    echo "FAIL: 'vigil $c' (in vigil --help) has no entry under COMMANDS in docs/vigil.1"
    problems=1
  fi
done
for e in $entries; do
  if ! grep -qx -- "$e" <<<"$commands"; then
    echo "FAIL: docs/vigil.1 documents 'vigil $e', which vigil --help does not list"
    problems=1
  fi
done
if grep -n 'docs/' <<<"$text"; then
  echo "FAIL: docs/vigil.1 points at docs/ of a source tree; name /usr/share/doc/vigil/ instead"
  problems=1
fi
((problems == 0)) || exit 1
echo "ok: docs/vigil.1 formats without warnings and has an entry for each of the $(wc -w <<<"$commands") commands"
