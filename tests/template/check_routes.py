#!/usr/bin/env python3
"""Checks template.yaml as CloudFormation will see it: the SAM transform is run offline
(samtranslator, from .venv) and the result is read for what deploying 141 functions needs.

    .venv/bin/python tests/template/check_routes.py [template.yaml]
    .venv/bin/python tests/template/check_routes.py --self-test [template.yaml]

Fails (exit 1, one line per problem) when:
- the stack has more than MAX_RESOURCES resources (CloudFormation's limit is 500);
- a function lacks its IAM role (its own, or a shared one: scripts/share-roles.py), its `${AWS::StackName}-<binary>` FunctionName, its log
  group `/aws/lambda/${AWS::StackName}-<binary>` kept `LogRetentionDays`, or JSON logs;
- a route of the HTTP API's body points at no function, is not invoked through
  ApiInvokeRole, or a function is neither routed nor triggered by an event (its routes
  were lost);
- API Gateway holds a Lambda permission other than the authorizer's (routes invoke through
  ApiInvokeRole; the SNS and schedule triggers keep theirs: they have no role to use);
- a function with a route has a Timeout over API Gateway's 29 s;
- a shared role lacks the basic execution or X-Ray policy, serves no function or an
  event-triggered one, or two routed functions with identical grants have a role each.

`--self-test` breaks the transformed template once per check and fails unless each break
is caught, then checks the template itself.
"""

import copy
import os
import re
import sys

# CloudFormation refuses a stack of more than 500 resources; 5 stay free for stack-level
# additions. A function costs 3 (function, role, log group), or 2 with a shared role: routed
# functions with identical grants share one (scripts/share-roles.py), which took the stack
# from 483 to 396 resources with issue 19's chat and driver functions.
MAX_RESOURCES = 495
API_TIMEOUT = 29
# Lambda function names are at most 64 characters: the stack name, "-", the binary.
MAX_FUNCTION_NAME = 64
# samconfig.toml's stack name.
STACK_NAME = "courier-portal"


def transform(path):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from samtranslator.translator.transform import transform as sam_transform
    from samtranslator.yaml_helper import yaml_parse

    with open(path) as f:
        source = yaml_parse(f.read())
    template = copy.deepcopy(source)
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            # The transform wants code in S3; where it is does not matter here.
            resource["Properties"]["CodeUri"] = "s3://bucket/key"

    class NoManagedPolicies:
        def load(self):
            return {}

    return source, sam_transform(template, {}, NoManagedPolicies())


def sub_text(value):
    """The template string of `!Sub "..."` (or of `Fn::Sub: ["...", {...}]`)."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub[0] if isinstance(sub, list) else sub
    return None


def binaries(source):
    return {
        logical_id: resource["Metadata"]["BuildProperties"]["Binary"]
        for logical_id, resource in source["Resources"].items()
        if resource.get("Type") == "AWS::Serverless::Function"
    }


def event_triggered(source):
    """Functions invoked by something other than a route (stream, SNS, schedule)."""
    return {
        logical_id
        for logical_id, resource in source["Resources"].items()
        if resource.get("Type") == "AWS::Serverless::Function"
        and any(
            event.get("Type") != "HttpApi"
            for event in (resource["Properties"].get("Events") or {}).values()
        )
    }


def routes(resources):
    """(method, path, function logical id or None, integration) of every HTTP API's body."""
    found = []
    for resource in resources.values():
        if resource["Type"] != "AWS::ApiGatewayV2::Api":
            continue
        body = resource["Properties"].get("Body") or {}
        for path, methods in (body.get("paths") or {}).items():
            for method, operation in methods.items():
                if method == "parameters":
                    continue
                integration = operation.get("x-amazon-apigateway-integration") or {}
                match = re.search(r"/functions/\$\{(\w+)\.Arn\}", sub_text(integration.get("uri")) or "")
                found.append((method.upper(), path, match and match.group(1), integration))
    return found


def websocket_functions(resources, found):
    """Functions a WebSocket API's integration invokes (through ApiInvokeRole, as routes)."""
    ids = set()
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::ApiGatewayV2::Integration":
            continue
        props = resource["Properties"]
        api = resources.get((props.get("ApiId") or {}).get("Ref", ""), {})
        if (api.get("Properties") or {}).get("ProtocolType") != "WEBSOCKET":
            continue
        match = re.search(r"/functions/\$\{(\w+)\.Arn\}", sub_text(props.get("IntegrationUri")) or "")
        if not match:
            found.append(f"{logical_id}: its IntegrationUri names no function of the stack")
            continue
        if props.get("CredentialsArn") != {"Fn::GetAtt": ["ApiInvokeRole", "Arn"]}:
            found.append(f"{logical_id}: not invoked through ApiInvokeRole (CredentialsArn)")
        ids.add(match.group(1))
    return ids


def authorizer_functions(resources):
    ids = set()
    for resource in resources.values():
        if resource["Type"] != "AWS::ApiGatewayV2::Api":
            continue
        schemes = ((resource["Properties"].get("Body") or {}).get("components") or {}).get("securitySchemes") or {}
        for scheme in schemes.values():
            uri = (scheme.get("x-amazon-apigateway-authorizer") or {}).get("authorizerUri")
            sub = (uri or {}).get("Fn::Sub")
            if isinstance(sub, list):
                for value in sub[1].values():
                    if isinstance(value, dict) and "Fn::GetAtt" in value:
                        ids.add(value["Fn::GetAtt"][0])
            for match in re.finditer(r"\$\{(\w+)\.Arn\}", sub_text(uri) or ""):
                ids.add(match.group(1))
    return ids


def problems(source, out):
    resources = out["Resources"]
    found = []
    if len(resources) > MAX_RESOURCES:
        found.append(f"{len(resources)} resources: more than {MAX_RESOURCES} (CloudFormation allows 500)")

    binary_of = binaries(source)
    functions = {k: r for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
    for logical_id, binary in sorted(binary_of.items()):
        function = functions.get(logical_id)
        if function is None:
            found.append(f"{logical_id}: no AWS::Lambda::Function after the transform")
            continue
        props = function["Properties"]
        role = (props.get("Role") or {}).get("Fn::GetAtt", [None])[0]
        if not role or resources.get(role, {}).get("Type") != "AWS::IAM::Role":
            found.append(f"{logical_id}: no IAM role")
        name = sub_text(props.get("FunctionName"))
        if name != f"${{AWS::StackName}}-{binary}":
            found.append(f"{logical_id}: FunctionName is {props.get('FunctionName')!r}, not !Sub ${{AWS::StackName}}-{binary}")
        logging = props.get("LoggingConfig") or {}
        if logging.get("LogFormat") != "JSON":
            found.append(f"{logical_id}: LoggingConfig.LogFormat is {logging.get('LogFormat')!r}, not JSON")
        group_id = (logging.get("LogGroup") or {}).get("Ref") if isinstance(logging.get("LogGroup"), dict) else None
        group = resources.get(group_id or "")
        if not group or group["Type"] != "AWS::Logs::LogGroup":
            found.append(f"{logical_id}: LoggingConfig.LogGroup is no !Ref to an AWS::Logs::LogGroup of the stack")
        else:
            group_props = group["Properties"]
            if sub_text(group_props.get("LogGroupName")) != f"/aws/lambda/${{AWS::StackName}}-{binary}":
                found.append(f"{logical_id}: its log group {group_id} is not named /aws/lambda/${{AWS::StackName}}-{binary}")
            if group_props.get("RetentionInDays") != {"Ref": "LogRetentionDays"}:
                found.append(f"{logical_id}: its log group {group_id} does not keep !Ref LogRetentionDays")
    for logical_id in sorted(set(functions) - set(binary_of)):
        found.append(f"{logical_id}: a Lambda function not declared as AWS::Serverless::Function")
    longest = max(binary_of.values(), key=len)
    if len(STACK_NAME) + 1 + len(longest) > MAX_FUNCTION_NAME:
        found.append(f"{STACK_NAME}-{longest}: over {MAX_FUNCTION_NAME} characters, too long for a function name")

    routed = set()
    for method, path, function, integration in routes(resources):
        if function not in functions:
            found.append(f"{method} {path}: its integration points at no function ({integration.get('uri')!r})")
            continue
        routed.add(function)
        if integration.get("credentials") != {"Fn::GetAtt": ["ApiInvokeRole", "Arn"]}:
            found.append(f"{method} {path}: not invoked through ApiInvokeRole (credentials)")
    authorizers = authorizer_functions(resources)
    websocket = websocket_functions(resources, found)
    for logical_id in sorted(set(binary_of) - routed - event_triggered(source) - authorizers - websocket):
        found.append(f"{logical_id}: neither a route nor an event invokes it (a function with routes is missing them)")

    for logical_id, resource in sorted(resources.items()):
        if resource["Type"] != "AWS::Lambda::Permission":
            continue
        props = resource["Properties"]
        target = props.get("FunctionName")
        target = (target.get("Ref") or (target.get("Fn::GetAtt") or [None])[0]) if isinstance(target, dict) else target
        if props.get("Principal") == "apigateway.amazonaws.com" and target not in authorizers:
            found.append(f"{logical_id}: a Lambda permission for API Gateway on {target} (routes invoke through ApiInvokeRole)")
        if props.get("Principal") not in ("apigateway.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com"):
            found.append(f"{logical_id}: a Lambda permission for {props.get('Principal')}")

    role = resources.get("ApiInvokeRole", {})
    statements = [
        s for p in role.get("Properties", {}).get("Policies", []) for s in p["PolicyDocument"]["Statement"]
    ]
    if not any(
        s.get("Action") in ("lambda:InvokeFunction", ["lambda:InvokeFunction"])
        and sub_text(s.get("Resource")) == "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-*"
        for s in statements
    ):
        found.append("ApiInvokeRole: no lambda:InvokeFunction on the stack's functions (${AWS::StackName}-*)")

    found += role_problems(source, resources, functions, event_triggered(source))

    for function in sorted(routed):
        timeout = functions[function]["Properties"].get("Timeout", 3)
        if not isinstance(timeout, int) or timeout > API_TIMEOUT:
            found.append(f"{function}: Timeout {timeout!r} with a route (API Gateway gives up after {API_TIMEOUT} s)")
    return found


SHARED_ROLE_POLICIES = (
    "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:${AWS::Partition}:iam::aws:policy/AWSXrayWriteOnlyAccess",
)


def grants(role):
    """A role's inline grants: (action, resource) pairs, whatever their statements' shape."""
    found = set()
    for policy in role["Properties"].get("Policies", []):
        for s in policy["PolicyDocument"]["Statement"]:
            actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            targets = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
            found |= {(a, repr(t)) for a in actions for t in targets}
    return frozenset(found)


def role_problems(source, resources, functions, triggered):
    """Shared roles (scripts/share-roles.py): a role of the template's own, not SAM's
    `<Function>Role`, may serve only functions SAM adds no grant to (routed ones), must have
    the basic execution and X-Ray policies SAM would have given, and must serve someone;
    two routed functions with identical grants must not each have a role of their own."""
    found = []
    users = {}
    for logical_id, function in functions.items():
        role = (function["Properties"].get("Role") or {}).get("Fn::GetAtt", [None])[0]
        users.setdefault(role, []).append(logical_id)
    own_roles = {}
    for logical_id, resource in sorted(source["Resources"].items()):
        if resource.get("Type") != "AWS::IAM::Role" or logical_id == "ApiInvokeRole":
            continue
        if not users.get(logical_id):
            found.append(f"{logical_id}: a shared role no function uses")
        for function in users.get(logical_id, []):
            if function in triggered:
                found.append(f"{function}: triggered by an event, with the shared role {logical_id} (SAM adds its event's grants to a role of its own only)")
        if logical_id not in resources:
            continue  # reported as its functions' missing role
        managed = {sub_text(a) or a for a in resources[logical_id]["Properties"].get("ManagedPolicyArns", [])}
        for policy in SHARED_ROLE_POLICIES:
            if policy not in managed:
                found.append(f"{logical_id}: a shared role without {policy.rsplit('/', 1)[1]}")
    for logical_id in sorted(functions):
        if logical_id in triggered or users.get(f"{logical_id}Role") != [logical_id]:
            continue
        role = resources.get(f"{logical_id}Role")
        if role and role["Properties"].get("Policies"):
            own_roles.setdefault(grants(role), []).append(logical_id)
    for same in own_roles.values():
        if len(same) > 1:
            found.append(f"{', '.join(same)}: identical grants, a role each (run scripts/share-roles.py)")
    return found


def self_test(source, out):
    """Each break must be reported, by a line containing the expected text."""
    res = lambda o: o["Resources"]  # noqa: E731
    routed = next(f for _, _, f, _ in routes(res(out)) if f)
    first = next(k for k, r in res(out).items() if r["Type"] == "AWS::Lambda::Function")

    def api_of(o):
        return next(r for r in res(o).values() if r["Type"] == "AWS::ApiGatewayV2::Api")

    def pad(o):
        for i in range(MAX_RESOURCES):
            res(o)[f"Padding{i}"] = {"Type": "AWS::SNS::Topic", "Properties": {}}

    def drop_route(o):
        # Every route of the first routed function is lost.
        for methods in api_of(o)["Properties"]["Body"]["paths"].values():
            for method in [m for m, op in methods.items() if "${%s.Arn}" % routed in str(op)]:
                del methods[method]

    def route_to_nowhere(o):
        body = api_of(o)["Properties"]["Body"]
        op = next(iter(next(iter(body["paths"].values())).values()))
        op["x-amazon-apigateway-integration"]["uri"] = {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${GoneFunction.Arn}/invocations"}

    def permission(o):
        res(o)["ExtraPermission"] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": {"Ref": routed}, "Principal": "apigateway.amazonaws.com"},
        }

    def log_group_of(o, function):
        return res(o)[res(o)[function]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]

    def shared(o):
        return next(k for k, r in source["Resources"].items() if r.get("Type") == "AWS::IAM::Role" and k != "ApiInvokeRole")

    def triggered_one(s):
        return sorted(event_triggered(s))[0]

    def two_own_roles(o):
        # Two functions of one shared role each get a role of their own again, as SAM makes it.
        role = shared(o)
        pair = [k for k, r in res(o).items() if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Role") == {"Fn::GetAtt": [role, "Arn"]}][:2]
        for function in pair:
            res(o)[f"{function}Role"] = copy.deepcopy(res(o)[role])
            res(o)[function]["Properties"]["Role"] = {"Fn::GetAtt": [f"{function}Role", "Arn"]}

    breaks = [
        ("more than MAX_RESOURCES resources", lambda s, o: pad(o), "resources: more than"),
        ("a function without its role", lambda s, o: res(o).pop(res(o)[first]["Properties"]["Role"]["Fn::GetAtt"][0]), "no IAM role"),
        ("a function without its FunctionName", lambda s, o: res(o)[first]["Properties"].pop("FunctionName"), "FunctionName is None"),
        ("a function without its log group", lambda s, o: res(o)[first]["Properties"]["LoggingConfig"].pop("LogGroup"), "LoggingConfig.LogGroup"),
        ("a log group without the retention", lambda s, o: log_group_of(o, first)["Properties"].update(RetentionInDays=30), "LogRetentionDays"),
        ("a log group of another name", lambda s, o: log_group_of(o, first)["Properties"].update(LogGroupName="x"), "is not named"),
        ("text logs", lambda s, o: res(o)[first]["Properties"]["LoggingConfig"].pop("LogFormat"), "not JSON"),
        ("a route to no function", lambda s, o: route_to_nowhere(o), "points at no function"),
        ("a route without ApiInvokeRole", lambda s, o: next(iter(next(iter(api_of(o)["Properties"]["Body"]["paths"].values())).values()))["x-amazon-apigateway-integration"].pop("credentials"), "ApiInvokeRole (credentials)"),
        ("a function that lost its routes", lambda s, o: drop_route(o), "neither a route nor an event"),
        ("an API Gateway permission on a route's function", lambda s, o: permission(o), "a Lambda permission for API Gateway"),
        ("ApiInvokeRole without its grant", lambda s, o: res(o)["ApiInvokeRole"]["Properties"].update(Policies=[]), "ApiInvokeRole: no lambda:InvokeFunction"),
        ("a binary too long for a function name", lambda s, o: s["Resources"][first]["Metadata"]["BuildProperties"].update(Binary="x" * 60), "too long for a function name"),
        ("two routed functions with identical grants and a role each", lambda s, o: two_own_roles(o), "identical grants, a role each"),
        ("a shared role without X-Ray", lambda s, o: res(o)[shared(o)]["Properties"]["ManagedPolicyArns"].pop(), "without AWSXrayWriteOnlyAccess"),
        ("a shared role nobody uses", lambda s, o: res(o).update(UnusedRole=copy.deepcopy(res(o)[shared(o)])) or s["Resources"].update(UnusedRole={"Type": "AWS::IAM::Role"}), "a shared role no function uses"),
        ("an event-triggered function with a shared role", lambda s, o: res(o)[triggered_one(s)]["Properties"].update(Role={"Fn::GetAtt": [shared(o), "Arn"]}), "SAM adds its event's grants"),
        ("a routed function's Timeout over 29", lambda s, o: res(o)[routed]["Properties"].update(Timeout=30), "Timeout 30 with a route"),
    ]

    missed = []
    for name, breaking, expected in breaks:
        broken_source, broken = copy.deepcopy(source), copy.deepcopy(out)
        breaking(broken_source, broken)
        reported = problems(broken_source, broken)
        if not any(expected in line for line in reported):
            missed.append(f"self-test: {name} was not reported (got {reported})")
        else:
            print(f"ok: {name} is caught")
    return missed


def main(argv):
    args = [a for a in argv if a != "--self-test"]
    path = args[0] if args else "template.yaml"
    source, out = transform(path)
    found = self_test(source, out) if "--self-test" in argv else []
    found += problems(source, out)
    if found:
        for line in found:
            print(f"check_routes: {line}", file=sys.stderr)
        return 1
    counts = {}
    for resource in out["Resources"].values():
        counts[resource["Type"]] = counts.get(resource["Type"], 0) + 1
    print(
        f"check_routes: {len(out['Resources'])} resources (limit {MAX_RESOURCES}), "
        f"{counts.get('AWS::Lambda::Function', 0)} functions with their roles and log groups, "
        f"{len(routes(out['Resources']))} routes through ApiInvokeRole, "
        f"{counts.get('AWS::Lambda::Permission', 0)} Lambda permissions (the authorizer's and the event triggers'); "
        f"function names fit {MAX_FUNCTION_NAME} characters with a stack name of at most "
        f"{MAX_FUNCTION_NAME - 1 - max(len(b) for b in binaries(source).values())} characters"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
