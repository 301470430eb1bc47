"""What the ticket router hands back: one prediction per message, one report per training run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.tickets.labels import department_for


@dataclass(frozen=True)
class TicketPrediction:
    domain: str
    domain_score: float
    message_type: str
    type_score: float
    top_domains: list[tuple[str, float]] = field(default_factory=list)

    @property
    def department(self) -> str:
        """Who handles it, for display: the mapped department, or the label itself."""
        return department_for(self.domain)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["top_domains"] = [[label, score] for label, score in self.top_domains]
        d["department"] = self.department
        return d


@dataclass(frozen=True)
class TrainReport:
    """What a training run saw: examples per head, labels kept, labels folded into 其他, and the
    hash of its inputs (training data + parameters) that the saved model file carries."""

    domain_examples: int
    type_examples: int
    domain_labels: list[str]
    type_labels: list[str]
    folded_domains: dict[str, int]
    folded_types: dict[str, int]
    seconds: float
    inputs_sha256: str = ""
