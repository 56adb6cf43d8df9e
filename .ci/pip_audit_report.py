"""Read pip-audit's JSON report: fail on a known vulnerability, say what could not be audited.

Usage: pip_audit_report.py REPORT EXIT_STATUS_OF_PIP_AUDIT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(report: str, status: str) -> int:
    path = Path(report)
    if not path.is_file():
        print(f"pip-audit wrote no report (exit status {status})", file=sys.stderr)
        return 1
    data = json.loads(path.read_text(encoding="utf-8"))
    path.unlink()
    dependencies = data.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "none yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    audited = len(dependencies) - len(skipped)
    total = len(dependencies)
    print(f"pip-audit: {audited} of {total} package(s) audited, {len(vulnerable)} vulnerable")
    if skipped and not audited:
        print("pip-audit: PyPI's advisory data is not reachable from here; nothing was audited")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
