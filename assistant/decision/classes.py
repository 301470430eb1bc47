"""What the decision model predicts: a bundle id, or one of four kinds of "not one bundle"."""

from __future__ import annotations

OUT_OF_SCOPE = "out_of_scope"  # no bundle answers it: a general answer from an ingested guide, or hand off
ABUSE = "abuse"  # a request to forge, cheat, impersonate or evade: refused
AMBIGUOUS = "ambiguous"  # fits two or more bundles: ask which one
FOLLOWUP = "followup"  # leans on the conversation ("那要多久？"): continue the active bundle
SPECIAL = (OUT_OF_SCOPE, ABUSE, AMBIGUOUS, FOLLOWUP)
# Hard negatives for the abuse class are written as "lawful"; they train as their bundle or out_of_scope.
LAWFUL = "lawful"
