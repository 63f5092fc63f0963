"""Shared helpers of pushdeploy's custom cfn-lint rules (not a rule module: cfn-lint skips files starting with _).

The rules see the template after cfn-lint's own SAM transform, so policies that SAM generates
(function roles, state machine roles) are checked like hand-written ones.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from typing import Any, Iterator

import cfnlint
from cfnlint.decode import decode

NO_VALUE = {"Ref": "AWS::NoValue"}

# Identity-policy locations: resource type -> how to reach its policy documents.
IDENTITY_TYPES = ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::User", "AWS::IAM::Group")


def as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def branches(value: Any) -> Iterator[Any]:
    """Every concrete value an object can take through Fn::If (AWS::NoValue dropped)."""
    if isinstance(value, dict) and len(value) == 1 and "Fn::If" in value:
        args = value["Fn::If"]
        if isinstance(args, list) and len(args) == 3:
            for branch in args[1:]:
                yield from branches(branch)
            return
    if value == NO_VALUE:
        return
    yield value


def items(value: Any) -> Iterator[tuple[int, Any]]:
    """(index, element) of a list whose elements (or the list itself) may be Fn::If."""
    for whole in branches(value):
        for index, element in enumerate(as_list(whole)):
            for concrete in branches(element):
                yield index, concrete


def resources(cfn, *types: str) -> Iterator[tuple[str, dict]]:
    for name, resource in cfn.template.get("Resources", {}).items():
        if isinstance(resource, dict) and resource.get("Type") in types:
            yield name, resource


def policy_documents(name: str, resource: dict) -> Iterator[tuple[list, Any]]:
    """(path, PolicyDocument) of an identity resource."""
    props = resource.get("Properties", {}) or {}
    base = ["Resources", name, "Properties"]
    if resource.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for doc in branches(props.get("PolicyDocument")):
            yield base + ["PolicyDocument"], doc
        return
    for index, policy in items(props.get("Policies")):
        if isinstance(policy, dict):
            for doc in branches(policy.get("PolicyDocument")):
                yield base + ["Policies", index, "PolicyDocument"], doc


def statements(cfn) -> Iterator[tuple[list, dict]]:
    """(path, statement) of every statement of every identity policy in the (transformed) template."""
    for name, resource in resources(cfn, *IDENTITY_TYPES):
        for path, doc in policy_documents(name, resource):
            if not isinstance(doc, dict):
                continue
            for index, statement in items(doc.get("Statement")):
                if isinstance(statement, dict):
                    yield path + ["Statement", index], statement


def allows(statement: dict) -> bool:
    return statement.get("Effect") == "Allow"


def allowing(cfn) -> Iterator[tuple[list, dict]]:
    """(path, statement) of every Allow statement of every identity policy (see statements)."""
    return ((path, statement) for path, statement in statements(cfn) if allows(statement))


def actions(statement: dict) -> list[str]:
    return [a for a in as_list(statement.get("Action")) if isinstance(a, str)]


def is_star(value: Any) -> bool:
    return any(isinstance(v, str) and v == "*" for v in as_list(value))


def ref_target(value: Any) -> str | None:
    """Logical id behind Ref X, Fn::GetAtt [X, ...] / 'X.Attr', or a Fn::Sub that is exactly ${X.Attr}."""
    if isinstance(value, dict) and len(value) == 1:
        if "Ref" in value and isinstance(value["Ref"], str):
            return value["Ref"]
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            if isinstance(att, list) and att:
                return att[0]
            if isinstance(att, str):
                return att.split(".", 1)[0]
        if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            m = re.fullmatch(r"\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}", value["Fn::Sub"])
            if m:
                return m.group(1)
    return None


def get_path(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


_SAR = None


def sar() -> dict:
    """cfn-lint's copy of the Service Authorization Reference: service prefix -> Actions/Resources."""
    global _SAR
    if _SAR is None:
        path = os.path.join(os.path.dirname(cfnlint.__file__), "data", "AdditionalSpecs", "Policies.json")
        with open(path, encoding="utf-8") as f:
            _SAR = json.load(f)
    return _SAR


def matching_actions(action: str) -> list[tuple[str, dict]]:
    """(service:action, SAR entry) for every real action an action pattern (may hold * and ?) names."""
    if ":" not in action:
        return []
    service, name = action.split(":", 1)
    entry = sar().get(service.lower())
    if entry is None:
        return []
    pattern = name.lower()
    return [(f"{service.lower()}:{a}", spec) for a, spec in entry.get("Actions", {}).items()
            if fnmatch.fnmatchcase(a, pattern)]


# ---------------------------------------------------------------- source text (comments)

def source(cfn) -> Any:
    """The template as written (before the SAM transform), with line marks; None for JSON or on errors."""
    filename = getattr(cfn, "filename", None)
    if not filename or not os.path.isfile(filename) or filename.endswith(".json"):
        return None
    template, matches = decode(filename)
    return None if matches else template


SOURCE_POLICY_TYPES = IDENTITY_TYPES + ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")

_STRUCTURAL = re.compile(r"^\s*-\s*(!If\s*|!If\s*\[.*|[A-Za-z0-9]+\s*)?$")


def source_statements(template: Any) -> Iterator[tuple[list, Any]]:
    """(path, statement node) of inline policy statements in the written template, SAM ones included."""
    for name, resource in (template.get("Resources", {}) or {}).items():
        if not isinstance(resource, dict) or resource.get("Type") not in SOURCE_POLICY_TYPES:
            continue
        props = resource.get("Properties", {}) or {}
        base = ["Resources", name, "Properties"]
        docs = []
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            docs = [(base + ["PolicyDocument"], d) for d in branches(props.get("PolicyDocument"))]
        else:
            for index, policy in items(props.get("Policies")):
                if not isinstance(policy, dict):
                    continue
                if "PolicyDocument" in policy:
                    docs.extend((base + ["Policies", index, "PolicyDocument"], d) for d in branches(policy["PolicyDocument"]))
                elif "Statement" in policy:
                    docs.append((base + ["Policies", index], policy))
        for path, doc in docs:
            if isinstance(doc, dict):
                for index, statement in items(doc.get("Statement")):
                    if isinstance(statement, dict):
                        yield path + ["Statement", index], statement


def has_comment_above(lines: list[str], node: Any) -> bool:
    """Whether a YAML comment sits right above the list item holding this mapping (Fn::If lines skipped)."""
    mark = getattr(node, "start_mark", None)
    if mark is None:
        return False
    line = mark.line - 1
    while line >= 0 and _STRUCTURAL.match(lines[line]):
        line -= 1
    return line >= 0 and lines[line].lstrip().startswith("#")


# ---------------------------------------------------------------- conditions

def merge(*conditions: dict) -> dict | None:
    """The conditions of all arguments together, or None when one condition must be both true and false."""
    merged: dict = {}
    for c in conditions:
        for name, value in c.items():
            if merged.setdefault(name, value) != value:
                return None
    return merged


def conditioned(value: Any, conditions: dict | None = None) -> Iterator[tuple[Any, dict]]:
    """(concrete value, {condition: truth}) for every value an object can take through Fn::If."""
    conditions = conditions or {}
    if isinstance(value, dict) and len(value) == 1 and "Fn::If" in value:
        args = value["Fn::If"]
        if isinstance(args, list) and len(args) == 3 and isinstance(args[0], str):
            for branch, truth in ((args[1], True), (args[2], False)):
                narrowed = merge(conditions, {args[0]: truth})
                if narrowed is not None:
                    yield from conditioned(branch, narrowed)
            return
    if value == NO_VALUE:
        return
    yield value, conditions


def conditioned_items(value: Any, conditions: dict | None = None) -> Iterator[tuple[int, Any, dict]]:
    """(index, element, conditions) of a list whose elements (or the list itself) may be Fn::If."""
    for whole, outer in conditioned(value, conditions):
        for index, element in enumerate(as_list(whole)):
            for concrete, inner in conditioned(element, outer):
                yield index, concrete, inner


def resource_condition(resource: dict) -> dict:
    name = resource.get("Condition")
    return {name: True} if isinstance(name, str) else {}


def possible(cfn, conditions: dict | None) -> bool:
    """Whether some choice of parameter values makes all these conditions hold as given (cfn-lint's solver)."""
    if conditions is None:
        return False
    if not conditions:
        return True
    scenarios = cfn.conditions.build_scenarios({name: {truth} for name, truth in conditions.items()})
    return next(iter(scenarios), None) is not None


def scenarios(cfn, names: set) -> list[dict]:
    """Every possible combination of truth values of the named conditions ([{}] when there are none)."""
    if not names:
        return [{}]
    return list(cfn.conditions.build_scenarios({name: {True, False} for name in names}))


def holds(conditions: dict, scenario: dict) -> bool:
    return all(scenario.get(name) == truth for name, truth in conditions.items())


def referenced(value: Any) -> set[str]:
    """Logical ids a value refers to anywhere inside it (Ref, Fn::GetAtt, Fn::Sub variables)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = ref_target({key: inner})
                if target:
                    found.add(target)
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(text, str):
                    found.update(m.group(1) for m in re.finditer(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}", text))
                if isinstance(inner, list) and len(inner) > 1:
                    found.update(referenced(inner[1]))
            else:
                found.update(referenced(inner))
    elif isinstance(value, list):
        for inner in value:
            found.update(referenced(inner))
    return found


WORLD = ("0.0.0.0/0", "::/0")


def world_open(rule: Any) -> bool:
    """Whether a security group rule's source is the whole internet."""
    return isinstance(rule, dict) and any(isinstance(rule.get(k), str) and rule.get(k) in WORLD for k in ("CidrIp", "CidrIpv6"))
