"""Run the DfE's CIN census validation rules (csc-validator-be-cin) on a return.

    python scripts/census_validate.py FILE.xml [--ruleset cin2025_26] [--allow-queries CODES]

Prints one line per issue (rule code, type, child, message) and a summary, and exits 1
if the validator reports any error, or any query not listed in --allow-queries (the
queries explained in docs/census.md). It uses the validator's own classes, as its
`python -m cin_validator run` command does, so the rules are exactly the DfE's.
"""
import argparse
import importlib
import sys
import xml.etree.ElementTree as ET

from cin_validator import cin_validator


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--ruleset", default="cin2025_26")
    ap.add_argument("--allow-queries", default="", help="comma-separated query codes explained in docs/census.md")
    a = ap.parse_args()

    root = ET.parse(a.file).getroot()
    raw = cin_validator.convert_data(root)
    data = cin_validator.process_data(raw)
    registry = getattr(importlib.import_module(f"cin_validator.rules.{a.ruleset}"), "registry")
    v = cin_validator.CinValidator(data, registry, selected_rules=None)

    rules = {str(k): (r.definition if hasattr(r, "definition") else r) for k, r in registry.items()}
    issues = []
    for df in (v.full_issue_df, getattr(v, "la_issues", None), getattr(v, "header_issues", None)):
        if df is None or len(df) == 0:
            continue
        for _, row in df.iterrows():
            code = str(row.get("rule_code", ""))
            r = rules.get(code)
            kind = r.rule_type.name if r is not None else "?"
            msg = r.message if r is not None else ""
            issues.append((code, kind, str(row.get("child_id", "")), msg))
    issues = sorted(set(issues))
    allowed = {c.strip() for c in a.allow_queries.split(",") if c.strip()}
    children = len(root.find("Children").findall("Child"))
    bad = 0
    for code, kind, child, msg in issues:
        ok = kind == "QUERY" and code in allowed
        bad += 0 if ok else 1
        print(f"{'explained' if ok else 'FAIL':9} {code:6} {kind:5} {child:18} {msg}")
    errors = sum(1 for i in issues if i[1] != "QUERY")
    queries = len(issues) - errors
    print(f"{a.file}: {children} children, ruleset {a.ruleset}: {errors} errors, {queries} queries ({queries - (bad - errors)} explained)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
