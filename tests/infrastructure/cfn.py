"""Reading a synthesized CloudFormation template as plain data."""

from __future__ import annotations

from typing import Any


def resources(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    """The Properties of every resource of `resource_type`."""
    return [
        resource.get("Properties", {})
        for resource in template["Resources"].values()
        if resource["Type"] == resource_type
    ]


def only(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = resources(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


def render(value: Any) -> Any:
    """Fn::Join / Ref / Fn::GetAtt as readable text: `${AWS::AccountId}`, `${Bucket.Arn}`."""
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), *_ = value.items()
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(str(render(part)) for part in parts)
        if function == "Ref":
            return "${" + argument + "}"
        if function == "Fn::GetAtt":
            return "${" + ".".join(argument) + "}"
    if isinstance(value, list):
        return [render(item) for item in value]
    if isinstance(value, dict):
        return {key: render(item) for key, item in value.items()}
    return value


def policy_statements(template: dict[str, Any], role_logical_id: str) -> list[dict[str, Any]]:
    """Every statement of the inline policies attached to one role, rendered."""
    statements: list[dict[str, Any]] = []
    for policy in resources(template, "AWS::IAM::Policy"):
        if {"Ref": role_logical_id} in policy.get("Roles", []):
            statements.extend(render(policy["PolicyDocument"]["Statement"]))
    return statements


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
