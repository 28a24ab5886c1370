"""Each environment deploys stacks of its own: dev and prod never share a stack name."""

from __future__ import annotations

from tests.infrastructure.synth import Synthesized


def _stack_names(synth: Synthesized) -> set[str]:
    return {
        path.name.removesuffix(".template.json") for path in synth.outdir.glob("*.template.json")
    }


def test_dev_and_prod_synthesize_to_disjoint_stack_names(
    dev: Synthesized, prod: Synthesized
) -> None:
    assert _stack_names(dev) == {"StockAnalyticsDevDataPipelineStack", "StockAnalyticsDevApiStack"}
    assert _stack_names(prod) == {
        "StockAnalyticsProdDataPipelineStack",
        "StockAnalyticsProdApiStack",
        "StockAnalyticsProdEdgeStack",
    }
    assert not _stack_names(dev) & _stack_names(prod)
