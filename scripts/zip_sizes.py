"""Zip size of every function `sam build` built, against issue 8's budget.

    .venv/bin/python scripts/zip_sizes.py [template.yaml] [.aws-sam/build]

Each function's `bootstrap` is zipped with zlib level 9 (what `zip -9` does; Lambda's
deployment package) and measured in MB (10^6 bytes). The budget is 2.5 MB, or 3 MB for a
function whose policy grants all three clients' actions (dynamodb:, sns:, ses:). Prints one
line per function, largest first, and exits 1 if any function is over its budget.
"""

import io
import os
import sys
import zipfile

from bench_cold_start import load_template


def _actions(policies):
    """Every IAM action named anywhere in a function's Policies."""
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "Action":
                    found.update([inner] if isinstance(inner, str) else inner)
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(policies)
    return found


def _zipped(path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.write(path, "bootstrap")
    return buffer.tell()


def main():
    template_path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    build_dir = sys.argv[2] if len(sys.argv) > 2 else ".aws-sam/build"
    template = load_template(template_path)
    rows = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        binary = resource["Metadata"]["BuildProperties"]["Binary"]
        bootstrap = os.path.join(build_dir, logical_id, "bootstrap")
        if not os.path.exists(bootstrap):
            sys.exit(f"{bootstrap} is missing: run `sam build` first")
        prefixes = {a.split(":")[0] for a in _actions(resource["Properties"].get("Policies", []))}
        budget = 3.0 if {"dynamodb", "sns", "ses"} <= prefixes else 2.5
        rows.append((_zipped(bootstrap) / 1e6, os.path.getsize(bootstrap) / 1e6, binary, budget))
    rows.sort(reverse=True)
    over = [r for r in rows if r[0] > r[3]]
    print(f"{'function':32} {'binary MB':>9} {'zip MB':>7} {'budget':>6}")
    for zipped, binary_size, name, budget in rows:
        flag = "  OVER" if zipped > budget else ""
        print(f"{name:32} {binary_size:9.2f} {zipped:7.3f} {budget:6.1f}{flag}")
    print(
        f"zip sizes: {len(rows)} functions, {rows[-1][0]:.2f}–{rows[0][0]:.2f} MB, "
        f"{len(over)} over budget"
    )
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
