#!/usr/bin/env bash
# CI check of the documentation (README.md, docs/*.md and weights/FORMAT.md):
#  1. every relative link resolves to a file or folder inside the repository, and every #anchor to a heading of
#     the linked Markdown file (GitHub's heading ids);
#  2. every long option that the CLI prints in `fidcpp --help` and in each command's `--help` appears in the docs.
# Exits 1 naming each broken link and each undocumented option.
# Usage: tools/check_docs.sh [--bin PATH]   (default: $FIDCPP_BIN or build/fidcpp)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FIDCPP_BIN:-build/fidcpp}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) BIN="$2"; shift 2 ;;
    *) echo "check_docs.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [[ ! -x "$BIN" ]]; then
  echo "check_docs: '$BIN' not found or not executable; build the CLI first (tools/run_demo.sh) or pass --bin" >&2
  exit 1
fi

# The CLI's help texts: the main one, then one per command listed in it ("  fid A B ...", "  weights ...").
help_file=$(mktemp)
trap 'rm -f "$help_file"' EXIT
"$BIN" --help >"$help_file"
commands=$(sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' "$help_file" | sort -u)
if [[ -z "$commands" ]]; then
  echo "check_docs: found no commands in '$BIN --help'" >&2
  exit 1
fi
for c in $commands; do
  printf '\n@@ %s\n' "$c" >>"$help_file"
  if ! "$BIN" "$c" --help >>"$help_file" 2>&1; then
    echo "check_docs: '$BIN $c --help' failed" >&2
    exit 1
  fi
done

python3 - "$help_file" <<'PY'
import os, re, sys, glob

root = os.getcwd()
docs = ["README.md"] + sorted(glob.glob("docs/*.md")) + ["weights/FORMAT.md"]
problems = []

def strip_code_blocks(text):
    """Drops fenced code blocks (links and headings inside them are not Markdown)."""
    out, fenced = [], False
    for line in text.splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            fenced = not fenced
            out.append("")
            continue
        out.append("" if fenced else line)
    return out

def slug(heading):
    """GitHub's heading id: lower case, inline markup removed, punctuation dropped, spaces to hyphens."""
    h = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    h = h.strip().lower().replace("`", "").replace("*", "")
    h = "".join(ch for ch in h if ch.isalnum() or ch in " -_")
    return h.replace(" ", "-")

anchor_cache = {}
def anchors(path):
    if path not in anchor_cache:
        ids, seen = set(), {}
        for line in strip_code_blocks(open(path, encoding="utf-8").read()):
            m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if not m:
                continue
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            ids.add(s if n == 0 else f"{s}-{n}")
        for m in re.finditer(r'<a\s+(?:name|id)="([^"]+)"', open(path, encoding="utf-8").read()):
            ids.add(m.group(1))
        anchor_cache[path] = ids
    return anchor_cache[path]

link_re = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
for doc in docs:
    for lineno, line in enumerate(strip_code_blocks(open(doc, encoding="utf-8").read()), 1):
        line = re.sub(r"`[^`]*`", "", line)  # inline code is not a link
        for m in link_re.finditer(line):
            target = m.group(1) or m.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
                continue
            path, _, anchor = target.partition("#")
            where = f"{doc}:{lineno}: link '{target}'"
            if path:
                if path.startswith("/"):
                    problems.append(f"{where} is an absolute path; use a path relative to {doc}")
                    continue
                full = os.path.normpath(os.path.join(os.path.dirname(doc), path))
                if full == ".." or full.startswith("../") or os.path.isabs(full):
                    problems.append(f"{where} points outside the repository")
                    continue
                if not os.path.exists(full):
                    problems.append(f"{where}: '{full}' does not exist")
                    continue
            else:
                full = doc
            if anchor and full.endswith(".md") and os.path.isfile(full) and anchor not in anchors(full):
                problems.append(f"{where}: '{full}' has no heading with the id '#{anchor}'")

# Every long option of the CLI's help texts appears, as a whole word, somewhere in the docs.
help_text = open(sys.argv[1], encoding="utf-8").read()
doc_text = "\n".join(open(d, encoding="utf-8").read() for d in docs)
command, options = "fidcpp", {}
for line in help_text.splitlines():
    if line.startswith("@@ "):
        command = "fidcpp " + line[3:]
        continue
    for opt in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", line):
        options.setdefault(opt, command)
for opt, command in sorted(options.items()):
    if not re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", doc_text):
        problems.append(f"option {opt} (in `{command} --help`) is not documented in README.md or docs/*.md")

if problems:
    print("check_docs: the documentation has %d problem(s):" % len(problems), file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    sys.exit(1)
print("check_docs: %d files, every relative link resolves; %d CLI options, each documented"
      % (len(docs), len(options)))
PY
