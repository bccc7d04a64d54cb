"""Proposing an indicator for a metric the rules left without one.

Each indicator of the vocabulary is scored against the metric: the same default unit, and Chinese
characters shared between what is counted and the indicator's name (老人 ~ 人口数, 网格员 ~ nothing).
The editor chooses; the best suggestions come first in the review form, marked as suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.models import Indicator

# Characters too common in indicator names to say anything (数 in 小区数, 员 in 成员 and 网格员 …).
_NOISE = set("数量的次个人单位服务员")


@dataclass(frozen=True)
class Suggestion:
    code: str
    label: str
    score: float


def suggest_indicators(*, unit: str, counted: str, indicators: list[Indicator], limit: int = 3) -> list[Suggestion]:
    """Indicators that fit a metric best, best first; empty when nothing fits at all."""
    words = set(counted) - _NOISE
    scored = []
    for indicator in indicators:
        score = 0.0
        if unit and indicator.unit == unit:
            score += 1.0
        shared = words & (set(indicator.name_zh) - _NOISE)
        score += 1.5 * len(shared)
        if score >= 1.5 or (score > 0 and not counted):
            scored.append(Suggestion(indicator.code, f"{indicator.name_zh} {indicator.name_en}", score))
    scored.sort(key=lambda s: (-s.score, s.code))
    return scored[:limit]
