#!/usr/bin/env python3
"""Gives functions with identical grants one shared IAM role (template.yaml, in place).

    .venv/bin/python scripts/share-roles.py [template.yaml]

CloudFormation takes at most 500 resources per stack, and a function with `Policies:` costs
three (the function, the role SAM makes for it, its log group). Every function routed by the
HTTP API whose grants (the set of action x resource of its `Policies:` statements) equal
another routed function's, or a shared role's, is given `Role: !GetAtt <Role>.Arn` instead,
and the shared role (`AWS::IAM::Role`, in the "Shared roles" section) carries the grants
once, with what SAM would have added to a role of its own: the basic execution policy (its
log group) and X-Ray's write-only policy (`Tracing: Active`).

Functions triggered by an event (the stream, SNS, a schedule, an asynchronous invocation)
keep a role of their own: SAM adds their event source's and destinations' grants to it.

Run it after adding a function; `tests/template/check_routes.py` fails while two functions
with identical grants each have a role of their own, and `tests/tests/iam.rs` checks every
function's grants, shared or not, against what its code calls.
"""

import json
import os
import re
import sys

SECTION = "  # Shared roles"
SHORT = {
    "dynamodb:GetItem": "Get",
    "dynamodb:BatchGetItem": "BatchGet",
    "dynamodb:PutItem": "Put",
    "dynamodb:UpdateItem": "Update",
    "dynamodb:DeleteItem": "Delete",
    "dynamodb:Query": "Query",
    "dynamodb:BatchWriteItem": "BatchWrite",
    "dynamodb:ConditionCheckItem": "Check",
    "ses:SendEmail": "Email",
    "sns:Publish": "Sms",
}
ORDER = list(SHORT)


def parse(text):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(text)


def resource_key(resource):
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return ".".join(resource["Fn::GetAtt"])
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        sub = resource["Fn::Sub"]
        return sub[0] if isinstance(sub, list) else sub
    return json.dumps(resource, sort_keys=True)


def statements_of(policies):
    out = []
    for policy in policies or []:
        if "PolicyDocument" in policy:
            out.extend(policy["PolicyDocument"]["Statement"])
        else:
            out.extend(policy["Statement"])
    return out


def grants(statements):
    found = set()
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        for a in actions:
            for r in resources:
                found.add((a, resource_key(r)))
    return frozenset(found)


def event_triggered(props):
    return bool(props.get("Events")) or "DeadLetterQueue" in props or "EventInvokeConfig" in props


def role_name(grant_set):
    parts = []
    for action in sorted({a for a, _ in grant_set}, key=lambda a: ORDER.index(a) if a in ORDER else 99):
        parts.append(SHORT.get(action, action.split(":")[1]))
    indexes = sorted({r.split("/index/")[1] for _, r in grant_set if "/index/" in r})
    parts += [i.capitalize() for i in indexes]
    return "".join(parts) + "Role"


def yaml_statements(statements):
    lines = []
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        if "ses:SendEmail" in actions:
            lines.append("              # SESv2 SendEmail is authorised on the sender's (and, in the SES")
            lines.append("              # sandbox, the recipient's) identity, known only at run time:")
            lines.append("              # every identity of this account and region.")
        lines.append("              - Effect: Allow")
        lines.append("                Action:")
        lines += [f"                  - {a}" for a in actions]
        lines.append(f"                Resource: {yaml_resource(s['Resource'])}")
    return lines


def yaml_resource(resource):
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return "!GetAtt " + ".".join(resource["Fn::GetAtt"])
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        return '!Sub "' + resource["Fn::Sub"] + '"'
    if isinstance(resource, list):
        raise SystemExit("a statement with several resources: write its shared role by hand")
    return json.dumps(resource)


def role_yaml(name, statements, users):
    lines = [
        f"  # {', '.join(sorted(users))}",
        f"  {name}:",
        "    Type: AWS::IAM::Role",
        "    Properties:",
        "      AssumeRolePolicyDocument:",
        '        Version: "2012-10-17"',
        "        Statement:",
        "          - Effect: Allow",
        "            Principal:",
        "              Service: lambda.amazonaws.com",
        "            Action: sts:AssumeRole",
        "      ManagedPolicyArns:",
        "        - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "        - !Sub arn:${AWS::Partition}:iam::aws:policy/AWSXrayWriteOnlyAccess",
        "      Policies:",
        "        - PolicyName: grants",
        "          PolicyDocument:",
        '            Version: "2012-10-17"',
        "            Statement:",
    ]
    return lines + yaml_statements(statements) + [""]


def function_block(lines, logical_id):
    start = lines.index(f"  {logical_id}:")
    end = start + 1
    while end < len(lines) and not re.match(r"^  [A-Za-z#]", lines[end]):
        end += 1
    return start, end


def replace_policies(lines, logical_id, role):
    start, end = function_block(lines, logical_id)
    for i in range(start, end):
        if lines[i] == "      Policies:":
            j = i + 1
            while j < end and (lines[j].startswith("        ") or lines[j].strip() == ""):
                if lines[j].strip() == "":
                    k = j
                    while k < end and lines[k].strip() == "":
                        k += 1
                    if k >= end or not lines[k].startswith("        "):
                        break
                j += 1
            lines[i:j] = [f"      Role: !GetAtt {role}.Arn"]
            return
    raise SystemExit(f"{logical_id}: no Policies block")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    text = open(path).read()
    doc = parse(text)
    resources = doc["Resources"]
    roles = {}  # grant set -> role logical id
    users = {}
    for logical_id, r in resources.items():
        if r.get("Type") == "AWS::IAM::Role" and logical_id.endswith("Role") and logical_id != "ApiInvokeRole":
            statements = statements_of(r["Properties"].get("Policies"))
            roles[grants(statements)] = logical_id
    groups = {}
    statements_by = {}
    for logical_id, r in resources.items():
        if r.get("Type") != "AWS::Serverless::Function":
            continue
        props = r["Properties"]
        if "Role" in props:
            role = props["Role"]["Fn::GetAtt"][0]
            users.setdefault(role, set()).add(r["Metadata"]["BuildProperties"]["Binary"])
            continue
        if event_triggered(props) or not props.get("Policies"):
            continue
        statements = statements_of(props["Policies"])
        key = grants(statements)
        groups.setdefault(key, []).append(logical_id)
        statements_by[key] = statements
    lines = text.split("\n")
    new_roles = []
    changed = 0
    for key, functions in groups.items():
        if key not in roles and len(functions) < 2:
            continue
        role = roles.get(key)
        if role is None:
            role = role_name(key)
            while role in resources or role in [n for n, _ in new_roles]:
                role = role[: -len("Role")] + "2Role"
            roles[key] = role
            new_roles.append((role, statements_by[key]))
        for f in functions:
            replace_policies(lines, f, role)
            users.setdefault(role, set()).add(resources[f]["Metadata"]["BuildProperties"]["Binary"])
            changed += 1
    if new_roles:
        if SECTION not in lines:
            at = next(i for i, l in enumerate(lines) if l.startswith("  # Functions"))
            at -= 1  # the rule line above the heading
            header = [
                "  # ---------------------------------------------------------------------------",
                SECTION,
                "  #",
                "  # Functions routed by the HTTP API with identical grants share one role",
                "  # (CloudFormation's 500 resources: scripts/share-roles.py). Each role has",
                "  # what SAM gives a function's own role: its log group (basic execution) and",
                "  # X-Ray (Tracing: Active). tests/tests/iam.rs checks each function's grants.",
                "  # ---------------------------------------------------------------------------",
                "",
            ]
            lines[at:at] = header
        at = lines.index(SECTION) + 7
        block = []
        for role, statements in sorted(new_roles):
            block += role_yaml(role, statements, users[role])
        lines[at:at] = block
    # Refresh the "used by" comment of every shared role.
    for role, binaries in users.items():
        i = lines.index(f"  {role}:")
        if lines[i - 1].startswith("  # ") and not lines[i - 1].startswith("  # ---"):
            lines[i - 1] = f"  # {', '.join(sorted(binaries))}"
    # A shared role no function uses any more (its functions' grants changed) goes.
    removed = []
    for logical_id, r in resources.items():
        if r.get("Type") == "AWS::IAM::Role" and logical_id != "ApiInvokeRole" and not users.get(logical_id):
            start = lines.index(f"  {logical_id}:")
            if lines[start - 1].startswith("  # ") and not lines[start - 1].startswith("  # ---"):
                start -= 1
            end = lines.index(f"  {logical_id}:") + 1
            while end < len(lines) and not re.match(r"^  [A-Za-z#]", lines[end]):
                end += 1
            del lines[start:end]
            removed.append(logical_id)
    open(path, "w").write("\n".join(lines))
    print(f"{changed} functions moved to shared roles; {len(new_roles)} new roles; {len(removed)} unused removed")


if __name__ == "__main__":
    main()
