#!/usr/bin/env bash
# A git merge driver for gettext catalogues: the union of both sides' entries, ours first where
# both translate the same message. Run `insieme makemessages -l it` after the merge to drop the
# entries that no longer occur in the code. Enable it once per clone with:
#   git config merge.po.driver 'bash scripts/merge-po.sh %O %A %B'
set -euo pipefail
ours="$2" theirs="$3"
msgcat --use-first --sort-output --no-location -o "$ours.merged" "$ours" "$theirs"
mv "$ours.merged" "$ours"
