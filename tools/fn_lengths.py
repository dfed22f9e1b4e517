#!/usr/bin/env python3
"""Lists the longest Rust functions under src/ (outside #[cfg(test)] modules): `tools/fn_lengths.py [N] [DIR]`.

A function runs from its `fn` line to the brace that closes its body, found by counting braces
outside strings, chars and comments; its length is that span's line count. Prints the N longest
(15 by default) as `lines  path:line  name`.
"""

import os
import re
import sys

FN = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+\"[^\"]*\"\s+)?fn\s+(\w+)")
TEST_MOD = re.compile(r"^\s*#\[cfg\(test\)\]")


def code_only(text):
    """The text with strings, chars and comments blanked (newlines kept), so braces count true."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif (m := re.compile(r'b?r(#*)"').match(text, i)) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            close = '"' + m.group(1)
            j = text.find(close, m.end())
            j = n if j < 0 else j + len(close)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i : j + 1]))
            i = j + 1
        elif c == "'" and (m := re.compile(r"'(\\.[^']*|[^\\'])'").match(text, i)):
            out.append(" " * (m.end() - i))
            i = m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """(start line, length, name) of each function in the file, test modules skipped."""
    with open(path, encoding="utf-8") as f:
        lines = code_only(f.read()).split("\n")
    found, skip_to, pending_test = [], -1, False
    for no, line in enumerate(lines):
        if no <= skip_to:
            continue
        if TEST_MOD.match(line):
            pending_test = True
            continue
        if pending_test and re.match(r"^\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{", line):
            skip_to = closing_line(lines, no)
            pending_test = False
            continue
        pending_test = pending_test and line.strip().startswith("#")
        m = FN.match(line)
        if m:
            end = closing_line(lines, no)
            if end is not None:
                found.append((no + 1, end - no + 1, m.group(1)))
    return found


def closing_line(lines, start):
    """The line of the brace closing the first block opened at or after `start`; None for `fn f();`."""
    depth, opened = 0, False
    for no in range(start, len(lines)):
        for c in lines[no]:
            if c == "{":
                depth, opened = depth + 1, True
            elif c == "}":
                depth -= 1
                if opened and depth == 0:
                    return no
            elif c == ";" and not opened and depth == 0:
                return None
    return None


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    root = sys.argv[2] if len(sys.argv) > 2 else "src"
    rows = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(dirpath, name)
                rows += [(length, f"{path}:{start}", fn) for start, length, fn in functions(path)]
    for length, where, fn in sorted(rows, key=lambda r: (-r[0], r[1]))[:count]:
        print(f"{length:5}  {where}  {fn}")


if __name__ == "__main__":
    main()
