#!/usr/bin/env python3
"""Operations in the SAM template, checked on the transformed template (issue 18).

    .venv/bin/python tests/template/check_ops.py [template.yaml]

Transforms the template offline with samtranslator (the same translator `sam deploy` runs
in CloudFormation), then checks what an operator relies on and cannot see until it is too
late: every kind of alarm exists and notifies the alarm topic (ALARM and OK), every SQS
queue's depth is alarmed, the asynchronously invoked functions have on-failure
destinations, the inbound SMS topic lets the SMS service publish, the API stage throttles
(a default and tighter limits on the sensitive routes, each an existing route) and writes
a JSON access log, every function is traced, the table keeps deletion protection and
point-in-time recovery, the custom domain is optional and the outputs are there; and the
resource count stays under CloudFormation's 500 with room to spare (printed).

Then it proves each check can fail: every check is run again on a copy of the transformed
template broken in the way it guards against, and must report it. Standard library and
samtranslator (.venv) only; no AWS account or credentials needed.
"""

import copy
import json
import os
import re
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

# CloudFormation refuses a stack of more than 500 resources; 5 stay free for stack-level
# additions. A function costs 3 (function, role, log group), or 2 with a shared role
# (scripts/share-roles.py: routed functions with identical grants share one).
MAX_RESOURCES = 495
# CloudWatch: an alarm's metric math reads at most 10 metrics, in at most 10 expressions.
MAX_ALARM_METRICS = 10

ALARM_TOPIC = "AlarmTopic"
TABLE = "Table"
HTTP_API = "HttpApi"
# The four functions nobody watches from a browser, alarmed one by one.
WATCHED_FUNCTIONS = [
    "StatusFanoutFunction",
    "SmsInboundFunction",
    "DraftRemindersFunction",
    "AuthorizerFunction",
]
ASYNC_FUNCTIONS = ["SmsInboundFunction", "DraftRemindersFunction"]
FANOUT = "StatusFanoutFunction"
# Stream consumers: what their event source mapping gives up on goes to a queue (the
# import worker's: an import then ends failed, issue 18).
STREAM_FUNCTIONS = [FANOUT, "ImportWorkerFunction"]
INBOUND_SMS_TOPIC = "InboundSmsTopic"
# Anyone can call these without a key, and each costs a password hash, an email or writes.
THROTTLED_ROUTES = [
    "POST /login",
    "POST /forgot-password",
    "POST /reset-password/{token}",
    "POST /v1/invitations/{token}/accept",
    "POST /invitations/{token}",
    "POST /v1/integrations/{integrationId}/webhook",
]
ACCESS_LOG_FIELDS = {
    "$context.requestId",
    "$context.routeKey",
    "$context.status",
    "$context.responseLatency",
    "$context.integrationErrorMessage",
}
OUTPUTS = [
    "PortalUrl",
    "CustomDomainTarget",
    "TableName",
    "InboundSmsTopicArn",
    "AlarmTopicArn",
]
PARAMETERS = {
    "SenderEmail": "String",
    "PublicBaseUrl": "String",
    "LogRetentionDays": "Number",
    "AlarmEmail": "String",
    "SmsOriginationNumber": "String",
    "SmsSenderId": "String",
    "SmsMonthlySpendLimitUsd": "Number",
    "SmsPricePerSegmentUsd": "String",
    "CustomDomainName": "String",
    "CertificateArn": "String",
    "FanoutReservedConcurrency": "Number",
    "MapTileUrlTemplate": "String",
    "MapAttribution": "String",
}


def load(path):
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            # The code is not uploaded here; the translator only needs a location.
            resource["Properties"]["CodeUri"] = "s3://bucket/key"

    class NoManagedPolicies:
        def load(self):
            return {}

    return transform(template, {}, NoManagedPolicies())


# --- reading the transformed template --------------------------------------------------


def resources(t, kind):
    return {k: r for k, r in t["Resources"].items() if r.get("Type") == kind}


def is_ref(value, logical_id):
    return value == {"Ref": logical_id}


def is_getatt(value, logical_id, attribute):
    return value in (
        {"Fn::GetAtt": [logical_id, attribute]},
        {"Fn::GetAtt": f"{logical_id}.{attribute}"},
    )


def metrics_of(alarm):
    """Every metric an alarm reads: (namespace, name, dimensions, statistic) for a plain
    alarm, or each MetricStat of a metric-math alarm."""
    p = alarm["Properties"]
    if "MetricName" in p:
        stat = p.get("Statistic") or p.get("ExtendedStatistic")
        return [(p.get("Namespace"), p["MetricName"], p.get("Dimensions", []), stat)]
    found = []
    for query in p.get("Metrics", []):
        stat = query.get("MetricStat")
        if stat:
            m = stat["Metric"]
            found.append((m.get("Namespace"), m["MetricName"], m.get("Dimensions", []), stat.get("Stat")))
    return found


def expressions_of(alarm):
    return [q.get("Expression") for q in alarm["Properties"].get("Metrics", []) if "Expression" in q]


def dims(dimensions):
    return {d["Name"]: d["Value"] for d in dimensions}


def alarms_reading(t, namespace, metric, where=lambda d: True):
    """Names of the alarms reading namespace/metric with dimensions matching `where`."""
    return [
        name
        for name, alarm in resources(t, "AWS::CloudWatch::Alarm").items()
        if any(ns == namespace and m == metric and where(dims(d)) for ns, m, d, _ in metrics_of(alarm))
    ]


# --- the checks: each returns a list of problems (empty: passed) -----------------------


def check_alarm_kinds(t):
    problems = []

    def need(what, names):
        if not names:
            problems.append(f"no alarm on {what}")

    need("Lambda errors (account and region)", alarms_reading(t, "AWS/Lambda", "Errors", lambda d: d == {}))
    need("Lambda throttles (account and region)", alarms_reading(t, "AWS/Lambda", "Throttles", lambda d: d == {}))
    for function in WATCHED_FUNCTIONS:
        need(
            f"{function}'s errors",
            alarms_reading(t, "AWS/Lambda", "Errors", lambda d, f=function: is_ref(d.get("FunctionName"), f)),
        )
    need(
        "the fan-out's iterator age",
        alarms_reading(t, "AWS/Lambda", "IteratorAge", lambda d: is_ref(d.get("FunctionName"), FANOUT)),
    )
    on_api = lambda d: is_ref(d.get("ApiId"), HTTP_API)  # noqa: E731
    five_xx = alarms_reading(t, "AWS/ApiGateway", "5xx", on_api)
    need("the API's 5xx", five_xx)
    # A rate: 5xx over the request count, in one metric-math alarm.
    if five_xx and not set(five_xx) & set(alarms_reading(t, "AWS/ApiGateway", "Count", on_api)):
        problems.append("the API's 5xx alarm is not a rate (no Count metric beside it)")
    p99 = [
        name
        for name in alarms_reading(t, "AWS/ApiGateway", "Latency", on_api)
        if any(stat == "p99" for _, m, _, stat in metrics_of(t["Resources"][name]) if m == "Latency")
    ]
    need("the API's p99 latency", p99)
    gsis = [g["IndexName"] for g in t["Resources"][TABLE]["Properties"].get("GlobalSecondaryIndexes", [])]
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
        need(
            f"the table's {metric}",
            alarms_reading(
                t,
                "AWS/DynamoDB",
                metric,
                lambda d: set(d) == {"TableName"} and is_ref(d["TableName"], TABLE),
            ),
        )
        for gsi in gsis:
            need(
                f"index {gsi}'s {metric}",
                alarms_reading(
                    t,
                    "AWS/DynamoDB",
                    metric,
                    lambda d, g=gsi: is_ref(d.get("TableName"), TABLE) and d.get("GlobalSecondaryIndexName") == g,
                ),
            )
    spend = alarms_reading(t, "AWS/SNS", "SMSMonthToDateSpentUSD")
    need("SMS month-to-date spend", spend)
    if spend and not any(
        "SmsMonthlySpendLimitUsd" in json.dumps(expressions_of(t["Resources"][name])) for name in spend
    ):
        problems.append("the SMS spend alarm is not against SmsMonthlySpendLimitUsd")
    need("SMS delivery (SMSSuccessRate)", alarms_reading(t, "AWS/SNS", "SMSSuccessRate"))
    need("the SES bounce rate", alarms_reading(t, "AWS/SES", "Reputation.BounceRate"))
    need("the SES complaint rate", alarms_reading(t, "AWS/SES", "Reputation.ComplaintRate"))
    return problems


def check_alarm_actions(t):
    problems = []
    alarms = resources(t, "AWS::CloudWatch::Alarm")
    if not alarms:
        problems.append("no alarms")
    for name, alarm in alarms.items():
        p = alarm["Properties"]
        for key in ("AlarmActions", "OKActions"):
            if p.get(key) != [{"Ref": ALARM_TOPIC}]:
                problems.append(f"{name}: {key} is not [the alarm topic]: {p.get(key)}")
        if p.get("TreatMissingData") not in ("notBreaching", "breaching", "ignore", "missing"):
            problems.append(f"{name}: TreatMissingData not chosen")
        if not p.get("AlarmDescription"):
            problems.append(f"{name}: no AlarmDescription (what it means, what to do)")
        queries = p.get("Metrics", [])
        if queries:
            stats = [q for q in queries if "MetricStat" in q]
            exprs = [q for q in queries if "Expression" in q]
            if len(stats) > MAX_ALARM_METRICS or len(exprs) > MAX_ALARM_METRICS:
                problems.append(f"{name}: {len(stats)} metrics and {len(exprs)} expressions, CloudWatch takes 10 of each")
            if [q.get("ReturnData", True) for q in queries].count(True) != 1:
                problems.append(f"{name}: not exactly one query with ReturnData")
            ids = {q["Id"] for q in queries}
            for q in exprs:
                text = json.dumps(q["Expression"])
                words = set(re.findall(r"\b[a-z][A-Za-z0-9_]*\b", re.sub(r"\$\{[^}]*\}", "", text)))
                unknown = words - ids
                if unknown:
                    problems.append(f"{name}: expression {q['Id']} names {sorted(unknown)}, no query of the alarm")
    return problems


def check_alarm_topic(t):
    problems = []
    topic = t["Resources"].get(ALARM_TOPIC)
    if not topic or topic["Type"] != "AWS::SNS::Topic":
        return [f"no SNS topic {ALARM_TOPIC}"]
    email = {"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}
    inline = topic["Properties"].get("Subscription")
    inline_ok = inline == {"Fn::If": ["HasAlarmEmail", [email], {"Ref": "AWS::NoValue"}]}
    separate_ok = any(
        s.get("Condition") == "HasAlarmEmail"
        and is_ref(s["Properties"].get("TopicArn"), ALARM_TOPIC)
        and all(s["Properties"].get(k) == v for k, v in email.items())
        for s in resources(t, "AWS::SNS::Subscription").values()
    )
    if not (inline_ok or separate_ok):
        problems.append("AlarmEmail is not subscribed to the alarm topic when set")
    if t.get("Conditions", {}).get("HasAlarmEmail") != {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}:
        problems.append("condition HasAlarmEmail is not 'AlarmEmail is not empty'")
    return problems


def check_queue_alarms(t):
    problems = []
    for queue in resources(t, "AWS::SQS::Queue"):
        if not alarms_reading(
            t,
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            lambda d, q=queue: is_getatt(d.get("QueueName"), q, "QueueName"),
        ):
            problems.append(f"queue {queue} has no depth alarm")
    return problems


def on_failure_targets(t, function):
    """Where an asynchronous invocation of `function` that keeps failing goes: its
    dead-letter queue and any EventInvokeConfig on-failure destination."""
    targets = [t["Resources"][function]["Properties"].get("DeadLetterConfig", {}).get("TargetArn")]
    for c in resources(t, "AWS::Lambda::EventInvokeConfig").values():
        if is_ref(c["Properties"].get("FunctionName"), function):
            targets.append(c["Properties"].get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"))
    return [x for x in targets if x]


def check_on_failure_destinations(t):
    problems = []
    queues = resources(t, "AWS::SQS::Queue")
    for function in ASYNC_FUNCTIONS + STREAM_FUNCTIONS:
        if function in STREAM_FUNCTIONS:
            # The stream's records it gives up on (its event source mapping).
            targets = [
                m["Properties"].get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
                for m in resources(t, "AWS::Lambda::EventSourceMapping").values()
                if is_ref(m["Properties"].get("FunctionName"), function)
            ]
        else:
            targets = on_failure_targets(t, function)
        queue = next((q for q in queues for d in targets if is_getatt(d, q, "Arn")), None)
        if queue is None:
            problems.append(f"{function}: no on-failure destination on an SQS queue of the stack")
            continue
        # The role must be allowed to send there (SAM adds it for a dead-letter queue or
        # an EventInvokeConfig; a stream consumer's policy has it).
        role = t["Resources"].get(f"{function}Role", {})
        statements = [
            s
            for policy in role.get("Properties", {}).get("Policies", [])
            for s in policy["PolicyDocument"]["Statement"]
        ]
        if not any(
            "sqs:SendMessage" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
            and is_getatt(s["Resource"], queue, "Arn")
            for s in statements
        ):
            problems.append(f"{function}: its role may not send to {queue}")
    return problems


def check_inbound_topic_policy(t):
    for policy in resources(t, "AWS::SNS::TopicPolicy").values():
        p = policy["Properties"]
        if {"Ref": INBOUND_SMS_TOPIC} not in p.get("Topics", []):
            continue
        for s in p["PolicyDocument"]["Statement"]:
            services = s.get("Principal", {}).get("Service", [])
            services = services if isinstance(services, list) else [services]
            actions = s.get("Action")
            actions = actions if isinstance(actions, list) else [actions]
            scoped = s.get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount") == {"Ref": "AWS::AccountId"}
            if (
                s.get("Effect") == "Allow"
                and "sms-voice.amazonaws.com" in services
                and "sns:Publish" in actions
                and scoped
            ):
                return []
    return [f"no topic policy lets sms-voice.amazonaws.com publish to {INBOUND_SMS_TOPIC} (scoped by aws:SourceAccount)"]


def stage(t):
    stages = [
        s for s in resources(t, "AWS::ApiGatewayV2::Stage").values() if is_ref(s["Properties"].get("ApiId"), HTTP_API)
    ]
    return stages[0]["Properties"] if stages else {}


def routes(t):
    body = t["Resources"][HTTP_API]["Properties"].get("Body", {})
    return {f"{method.upper()} {path}" for path, item in body.get("paths", {}).items() for method in item if method != "parameters"}


def check_throttling(t):
    problems = []
    s = stage(t)
    default = s.get("DefaultRouteSettings", {})
    rate, burst = default.get("ThrottlingRateLimit"), default.get("ThrottlingBurstLimit")
    if not isinstance(rate, (int, float)) or not isinstance(burst, (int, float)):
        return ["no stage default throttling (DefaultRouteSettings rate and burst)"]
    settings = s.get("RouteSettings", {})
    known = routes(t)
    for route in THROTTLED_ROUTES:
        limits = settings.get(route)
        if not limits:
            problems.append(f"no throttling on {route}")
        elif not (limits.get("ThrottlingRateLimit", rate) < rate and limits.get("ThrottlingBurstLimit", burst) < burst):
            problems.append(f"{route}: limits not tighter than the default")
    for route in settings:
        if route not in known:
            problems.append(f"RouteSettings names {route}, which is no route of the API (the stage would fail)")
    return problems


def check_access_log(t):
    s = stage(t).get("AccessLogSettings", {})
    destination = s.get("DestinationArn")
    groups = resources(t, "AWS::Logs::LogGroup")
    group = next((g for g in groups if is_getatt(destination, g, "Arn")), None)
    if group is None:
        return ["the API stage writes no access log to a log group of the stack"]
    problems = []
    if not is_ref(groups[group]["Properties"].get("RetentionInDays"), "LogRetentionDays"):
        problems.append(f"{group}: retention is not LogRetentionDays")
    try:
        fields = json.loads(s.get("Format", ""))
    except ValueError:
        return problems + ["the access log format is not JSON"]
    missing = ACCESS_LOG_FIELDS - set(fields.values())
    if missing:
        problems.append(f"the access log lacks {sorted(missing)}")
    return problems


def check_tracing(t):
    functions = resources(t, "AWS::Lambda::Function")
    untraced = [f for f, r in functions.items() if r["Properties"].get("TracingConfig", {}).get("Mode") != "Active"]
    return [f"tracing not Active on {len(untraced)} functions, e.g. {untraced[0]}"] if untraced else []


def check_log_levels(t):
    """JSON logs everywhere; the functions' INFO lines kept (the request line with its ids,
    the EMF metrics); Lambda's own per-invocation INFO lines not sent (the cost bench bills
    none: BENCHMARKS.md)."""
    problems = []
    for f, r in resources(t, "AWS::Lambda::Function").items():
        logging = r["Properties"].get("LoggingConfig") or {}
        if logging.get("ApplicationLogLevel") != "INFO":
            problems.append(f"{f}: ApplicationLogLevel is {logging.get('ApplicationLogLevel')!r}, not INFO")
        if logging.get("SystemLogLevel") != "WARN":
            problems.append(f"{f}: SystemLogLevel is {logging.get('SystemLogLevel')!r}, not WARN")
    return problems


def check_table(t):
    p = t["Resources"][TABLE]["Properties"]
    problems = []
    if p.get("DeletionProtectionEnabled") is not True:
        problems.append("table deletion protection is off")
    if p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is not True:
        problems.append("table point-in-time recovery is off")
    if t["Resources"][TABLE].get("DeletionPolicy") != "Retain":
        problems.append("the table is not retained on stack deletion")
    return problems


def check_fanout_concurrency(t):
    value = t["Resources"][FANOUT]["Properties"].get("ReservedConcurrentExecutions")
    return [] if is_ref(value, "FanoutReservedConcurrency") else ["the fan-out has no reserved concurrency (FanoutReservedConcurrency)"]


def check_parameters_and_environment(t):
    problems = []
    params = t.get("Parameters", {})
    for name, kind in PARAMETERS.items():
        if params.get(name, {}).get("Type") != kind:
            problems.append(f"parameter {name} ({kind}) missing")
    sender = params.get("SenderEmail", {})
    if "Default" in sender or "AllowedPattern" not in sender:
        problems.append("SenderEmail must be required (no default) with an AllowedPattern")
    expected = {
        "SMS_ORIGINATION_NUMBER": {"Ref": "SmsOriginationNumber"},
        "SMS_SENDER_ID": {"Ref": "SmsSenderId"},
        "PUBLIC_BASE_URL": {
            "Fn::If": ["HasCustomDomain", {"Fn::Sub": "https://${CustomDomainName}"}, {"Ref": "PublicBaseUrl"}]
        },
    }
    for name, function in resources(t, "AWS::Lambda::Function").items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        wrong = [k for k, v in expected.items() if variables.get(k) != v]
        if wrong:
            problems.append(f"{name}: environment {wrong} not as expected")
            break
    return problems


def check_custom_domain(t):
    problems = []
    domains = resources(t, "AWS::ApiGatewayV2::DomainName")
    mappings = resources(t, "AWS::ApiGatewayV2::ApiMapping")
    if not domains or not mappings:
        return ["no custom domain (DomainName and ApiMapping)"]
    for name, r in {**domains, **mappings}.items():
        if r.get("Condition") != "HasCustomDomain":
            problems.append(f"{name} is not conditional on HasCustomDomain")
    for name, d in domains.items():
        configs = d["Properties"].get("DomainNameConfigurations", [])
        if not any(is_ref(c.get("CertificateArn"), "CertificateArn") for c in configs):
            problems.append(f"{name}: not on the CertificateArn parameter")
    outputs = t.get("Outputs", {})
    for name in OUTPUTS:
        if name not in outputs:
            problems.append(f"output {name} missing")
    return problems


def check_resource_count(t):
    count = len(t["Resources"])
    return [] if count <= MAX_RESOURCES else [f"{count} resources, more than {MAX_RESOURCES}"]


CHECKS = [
    check_alarm_kinds,
    check_alarm_actions,
    check_alarm_topic,
    check_queue_alarms,
    check_on_failure_destinations,
    check_inbound_topic_policy,
    check_throttling,
    check_access_log,
    check_tracing,
    check_log_levels,
    check_table,
    check_fanout_concurrency,
    check_parameters_and_environment,
    check_custom_domain,
    check_resource_count,
]


# --- each check can fail: the template broken the way the check guards against ------


def first_alarm_reading(t, metric):
    for name, alarm in resources(t, "AWS::CloudWatch::Alarm").items():
        if any(m == metric for _, m, _, _ in metrics_of(alarm)):
            return name
    raise AssertionError(f"no alarm reads {metric}")


def drop(t, logical_id):
    del t["Resources"][logical_id]


def set_props(t, logical_id, **values):
    t["Resources"][logical_id]["Properties"].update(values)


def unsubscribe(t):
    t["Resources"][ALARM_TOPIC]["Properties"].pop("Subscription", None)
    for name in list(resources(t, "AWS::SNS::Subscription")):
        if t["Resources"][name].get("Condition") == "HasAlarmEmail":
            drop(t, name)


def break_stage(t, fn):
    fn(stage(t))


def each_function(t, fn):
    for r in resources(t, "AWS::Lambda::Function").values():
        fn(r["Properties"])


BREAKAGES = [
    (check_alarm_kinds, "no SES complaint alarm", lambda t: drop(t, first_alarm_reading(t, "Reputation.ComplaintRate"))),
    (check_alarm_kinds, "no iterator age alarm", lambda t: drop(t, first_alarm_reading(t, "IteratorAge"))),
    (check_alarm_kinds, "no SMS spend alarm", lambda t: drop(t, first_alarm_reading(t, "SMSMonthToDateSpentUSD"))),
    (check_alarm_kinds, "no p99 alarm", lambda t: drop(t, first_alarm_reading(t, "Latency"))),
    (
        check_alarm_kinds,
        "an index without throttle alarm",
        lambda t: t["Resources"][TABLE]["Properties"]["GlobalSecondaryIndexes"].append(
            {"IndexName": "GSI9", "KeySchema": [], "Projection": {"ProjectionType": "KEYS_ONLY"}}
        ),
    ),
    (check_alarm_actions, "an alarm notifying nobody", lambda t: set_props(t, first_alarm_reading(t, "SMSSuccessRate"), AlarmActions=[])),
    (
        check_alarm_actions,
        "an alarm reading 11 metrics",
        lambda t: t["Resources"][first_alarm_reading(t, "WriteThrottleEvents")]["Properties"]["Metrics"].insert(
            0, copy.deepcopy(t["Resources"][first_alarm_reading(t, "WriteThrottleEvents")]["Properties"]["Metrics"][0]) | {"Id": "extra"}
        ),
    ),
    (
        check_alarm_actions,
        "an expression naming no query",
        lambda t: [q.update(Expression="MAX([errors, typo])") for q in t["Resources"][first_alarm_reading(t, "IteratorAge")]["Properties"]["Metrics"] if "Expression" in q],
    ),
    (
        check_alarm_actions,
        "an alarm without TreatMissingData",
        lambda t: t["Resources"][first_alarm_reading(t, "5xx")]["Properties"].pop("TreatMissingData"),
    ),
    (check_alarm_topic, "no email subscription", lambda t: unsubscribe(t)),
    (
        check_queue_alarms,
        "a queue without depth alarm",
        lambda t: t["Resources"].update({"NewQueue": {"Type": "AWS::SQS::Queue", "Properties": {}}}),
    ),
    (
        check_on_failure_destinations,
        "inbound SMS without destination",
        lambda t: [t["Resources"]["SmsInboundFunction"]["Properties"].pop("DeadLetterConfig", None)]
        + [drop(t, k) for k, c in list(resources(t, "AWS::Lambda::EventInvokeConfig").items())
           if is_ref(c["Properties"]["FunctionName"], "SmsInboundFunction")],
    ),
    (
        check_on_failure_destinations,
        "import worker's stream without destination",
        lambda t: [m["Properties"].pop("DestinationConfig", None)
                   for m in resources(t, "AWS::Lambda::EventSourceMapping").values()
                   if is_ref(m["Properties"].get("FunctionName"), "ImportWorkerFunction")],
    ),
    (
        check_on_failure_destinations,
        "reminders' role without the queue",
        lambda t: t["Resources"]["DraftRemindersFunctionRole"]["Properties"].update(Policies=[]),
    ),
    (check_inbound_topic_policy, "no topic policy", lambda t: [drop(t, k) for k in list(resources(t, "AWS::SNS::TopicPolicy"))]),
    (check_throttling, "sign-in not throttled", lambda t: break_stage(t, lambda s: s["RouteSettings"].pop("POST /login"))),
    (check_throttling, "no default throttling", lambda t: break_stage(t, lambda s: s.pop("DefaultRouteSettings"))),
    (
        check_throttling,
        "a throttled route that does not exist",
        lambda t: break_stage(t, lambda s: s["RouteSettings"].update({"POST /signin": s["RouteSettings"]["POST /login"]})),
    ),
    (check_access_log, "no access log", lambda t: break_stage(t, lambda s: s.pop("AccessLogSettings"))),
    (
        check_access_log,
        "access log without route",
        lambda t: break_stage(
            t, lambda s: s["AccessLogSettings"].update(Format=s["AccessLogSettings"]["Format"].replace("$context.routeKey", "-"))
        ),
    ),
    (check_tracing, "one function untraced", lambda t: next(iter(resources(t, "AWS::Lambda::Function").values()))["Properties"].pop("TracingConfig")),
    (
        check_log_levels,
        "application logs at WARN",
        lambda t: each_function(t, lambda p: p["LoggingConfig"].update(ApplicationLogLevel="WARN")),
    ),
    (check_log_levels, "platform lines on", lambda t: each_function(t, lambda p: p["LoggingConfig"].pop("SystemLogLevel"))),
    (check_table, "deletion protection off", lambda t: set_props(t, TABLE, DeletionProtectionEnabled=False)),
    (check_table, "PITR off", lambda t: set_props(t, TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})),
    (check_fanout_concurrency, "fan-out unreserved", lambda t: t["Resources"][FANOUT]["Properties"].pop("ReservedConcurrentExecutions")),
    (check_parameters_and_environment, "SenderEmail with a default", lambda t: t["Parameters"]["SenderEmail"].update(Default="no-reply@example.com")),
    (
        check_parameters_and_environment,
        "no SMS_ORIGINATION_NUMBER",
        lambda t: each_function(t, lambda p: p["Environment"]["Variables"].pop("SMS_ORIGINATION_NUMBER")),
    ),
    (check_custom_domain, "no PortalUrl output", lambda t: t["Outputs"].pop("PortalUrl")),
    (
        check_custom_domain,
        "an unconditional domain",
        lambda t: [r.pop("Condition") for r in resources(t, "AWS::ApiGatewayV2::DomainName").values()],
    ),
    (
        check_resource_count,
        "too many resources",
        lambda t: t["Resources"].update(
            {f"Extra{i}": {"Type": "AWS::SQS::Queue", "Properties": {}} for i in range(MAX_RESOURCES)}
        ),
    ),
]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "template.yaml")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    t = load(path)
    failed = False
    for check in CHECKS:
        problems = check(t)
        print(("ok   " if not problems else "FAIL ") + check.__name__)
        for problem in problems:
            print("       " + problem)
        failed = failed or bool(problems)
    alarms = len(resources(t, "AWS::CloudWatch::Alarm"))
    print(f"resources: {len(t['Resources'])} (limit {MAX_RESOURCES}, CloudFormation's 500), alarms: {alarms}")

    if failed:
        sys.exit(1)

    # Each check, shown to fail on a copy of this (passing) template broken the way it
    # guards against.
    caught = 0
    for check, what, breakage in BREAKAGES:
        broken = copy.deepcopy(t)
        breakage(broken)
        if check(broken):
            caught += 1
        else:
            print(f"FAIL {check.__name__} does not notice: {what}")
            failed = True
    unbroken = {c.__name__ for c in CHECKS} - {c.__name__ for c, _, _ in BREAKAGES}
    for name in sorted(unbroken):
        print(f"FAIL {name} is never shown to fail")
        failed = True
    print(f"breakages caught: {caught} of {len(BREAKAGES)}")
    if failed:
        sys.exit(1)
    print("== operations checks passed")


if __name__ == "__main__":
    main()
