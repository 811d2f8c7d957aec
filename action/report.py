"""The action's report: reads tenscan's SARIF and writes the step outputs, the job summary and
one annotation per finding. Annotations are escaped as @actions/core escapes workflow
commands; everything taken from the repository is escaped for the summary's Markdown too.
Never prints a secret: the SARIF holds none.

usage: report.py SARIF SUMMARY OUTPUT MODE EXIT_CODE CATEGORY [PATCH] [CHANGED_FILE...]
PATCH is a `git diff -U0` of the pull request, read for the `tenscan:allow` comments it adds.
"""
import json
import re
import sys
import urllib.parse


def escape_data(s):
    """A workflow command's message: %, CR and LF escaped."""
    return str(s).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s):
    """A workflow command's property value: as a message, plus `:` and `,`."""
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def printable(s):
    """Control characters (terminal escapes, newlines) as visible escapes."""
    return "".join(c if c.isprintable() else "\\x%02X" % ord(c) if ord(c) < 256 else "\\u{%04X}" % ord(c) for c in str(s))


def md(s):
    """Text from the repository inside a Markdown table cell."""
    return printable(s).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("<", "&lt;").replace(">", "&gt;")


def allow_comments(patch_path):
    """(path, line) of each added line holding `tenscan:allow`."""
    out, path, line = [], None, 0
    try:
        text = open(patch_path, encoding="utf-8", errors="replace").read()
    except OSError:
        return out
    for l in text.split("\n"):
        if l.startswith("+++ "):
            path = l[6:] if l.startswith("+++ b/") else None
        elif l.startswith("@@ "):
            m = re.match(r"@@ -\S+ \+(\d+)", l)
            line = int(m.group(1)) if m else 0
        elif l.startswith("+") and path is not None:
            if "tenscan:allow" in l:
                out.append((path, line))
            line += 1
    return out


def main():
    sarif, summary, output, mode, code, category = sys.argv[1:7]
    patch = sys.argv[7] if len(sys.argv) > 7 else ""
    changed = [c for c in sys.argv[8:] if c]
    run = json.load(open(sarif))["runs"][0]
    results = run.get("results", [])
    rows = []
    for r in results:
        loc = r["locations"][0]["physicalLocation"]
        path, line = urllib.parse.unquote(loc["artifactLocation"]["uri"]), loc["region"]["startLine"]
        props = r.get("properties", {})
        verification = props.get("verification", {}).get("status", "not verified")
        commit = props.get("commit", "")
        rows.append((path, line, r["ruleId"], props.get("confidence", ""), verification, commit[:12]))
        print("::error file=%s,line=%d,title=%s::%s" % (
            escape_property(path), int(line), escape_property("tenscan: " + r["ruleId"]), escape_data(r["message"]["text"])))
    allows = allow_comments(patch) if patch else []
    with open(summary, "a") as f:
        n = len(results)
        f.write("## tenscan (%s): %d finding%s\n\n" % (mode, n, "" if n == 1 else "s"))
        if rows:
            f.write("| file | line | rule | confidence | verification | commit |\n|---|---|---|---|---|---|\n")
            for path, line, rule, conf, ver, commit in rows:
                f.write("| `%s` | %d | `%s` | %s | %s | %s |\n" % (md(path), int(line), md(rule), md(conf), md(ver), md(commit)))
            f.write("\nTreat each key as leaked: create a replacement and move your apps to it, revoke the old "
                    "key (`tenscan revoke --from report.json`), and take it out of the history "
                    "(`tenscan history --scrub-plan plan.txt`).\n")
        else:
            f.write("No Baseten keys found.\n")
        if int(code) >= 2:
            f.write("\n**The scan is incomplete**: tenscan could not read everything (see the step's log); "
                    "a key may have been missed.\n")
        for c in changed:
            f.write("\n> **Note:** this pull request changes `%s`; tenscan used the base branch's version, and "
                    "the change applies after merge.\n" % md(c))
        if allows:
            f.write("\nThis pull request adds %d `tenscan:allow` comment%s (each one silences a finding on its line; "
                    "review them):\n\n" % (len(allows), "" if len(allows) == 1 else "s"))
            for path, line in allows:
                f.write("- `%s` line %d\n" % (md(path), line))
    with open(output, "a") as f:
        f.write("findings=%d\nsarif-file=%s\nexit-code=%s\ncategory=%s\n" % (len(results), printable(sarif), code, category))


main()
