"""cfn-lint over every synthesized template: no errors."""

from __future__ import annotations

import json

from cfnlint.api import lint  # type: ignore[import-untyped]

from infrastructure.config import EDGE_REGION
from tests.infrastructure.synth import Synthesized


def test_templates_have_no_cfn_lint_errors(synthesized: Synthesized) -> None:
    templates = sorted(synthesized.outdir.glob("*.template.json"))
    names = synthesized.names
    stacks = [names.api, names.pipeline] + ([names.edge] if synthesized.config.edge else [])
    assert [t.name for t in templates] == sorted(f"{stack}.template.json" for stack in stacks)
    for template in templates:
        region = EDGE_REGION if template.name.startswith(names.edge) else synthesized.config.region
        matches = lint(template.read_text(), regions=[region])
        errors = [
            f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})"
            for m in matches
            if m.rule.id.startswith("E")
        ]
        assert errors == [], f"{template.name}:\n" + "\n".join(errors)
        assert json.loads(template.read_text())["Resources"]
