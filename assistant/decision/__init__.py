"""The learned decision layer: for a question (and the conversation it belongs to), which bundle
answers it — or whether it is out of scope, an abuse request, too vague to route, or a follow-up
that leans on the conversation.

- `classes`: the labels the model predicts (the bundle ids plus four kinds of "not a bundle").
- `data`: labelled examples — the team's own files in `data/`, the catalogue's profile phrases,
  the out-of-scope topics, our labels of MSGABench's train split, or a deployer's own JSONL.
- `features`: the question's vector, the router's per-bundle signals and a few shape features.
- `act`: the act cue, a character n-gram score of "asks to commit fraud" (one more feature).
- `model`: the classifier (logistic regression over those features and the cue) and its file.
- `training`: turns examples into features through the live retriever and router, fits, saves.
"""

from assistant.decision.classes import ABUSE, AMBIGUOUS, FOLLOWUP, OUT_OF_SCOPE, SPECIAL
from assistant.decision.model import DecisionModel

__all__ = ["ABUSE", "AMBIGUOUS", "FOLLOWUP", "OUT_OF_SCOPE", "SPECIAL", "DecisionModel"]
