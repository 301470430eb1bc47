"""Ticket routing for the smart help-desk: which domain handles a free-text citizen message
(城建/交通/教育 ...) and what kind of message it is (建言/投诉/求助/咨询), with probabilities.

Two independent heads, each character n-gram (1-3) TF-IDF + a linear classifier. Character
n-grams need no word segmentation, so they are robust to the colloquial, typo-ridden and
partly masked (``****``) text of 12345-style messages. The default classifier is a class-balanced
LinearSVC: on the MSGABench messages it beat logistic regression, calibrated SVC and SGD on
macro-F1 and on accuracy, and trains in seconds (``python -m evals.tickets --compare``).
LinearSVC has no probabilities, so its margins go through one softmax temperature fitted on
out-of-fold margins: the argmax is unchanged and the scores become usable probabilities.

No model ships with the product (the public benchmark has no licence). A deployer trains one from
their own JSONL (``{"message", "domain", "message_type"}`` per line)::

    python -m assistant.tickets train tickets.jsonl var/ticket-model.joblib

and points the ``YJS_TICKET_MODEL_PATH`` setting at the file. Model files are joblib pickles,
versioned and stamped with the SHA-256 of their training inputs: load only files you trained
yourself.

One job per module: `features` (text → vectors), `labels` (catch-all, departments, rare-label
folding), `calibration` (margins → probabilities), `model` (`TicketRouter`: train, predict),
`results` (the dataclasses it returns), `store` (the model file), `data` (the deployer's JSONL),
`loader` (`TicketModel`, the lazily loaded configured file), `__main__` (the CLI). Importing the
package loads no scikit-learn.
"""

from assistant.tickets.data import read_jsonl_records, train_from_jsonl
from assistant.tickets.features import jieba_words, normalize_message
from assistant.tickets.labels import OTHER, department_for, domain_to_department
from assistant.tickets.loader import TicketModel
from assistant.tickets.model import CLASSIFIERS, Classifier, TicketRouter
from assistant.tickets.results import TicketPrediction, TrainReport
from assistant.tickets.store import (
    FORMAT,
    FORMAT_VERSION,
    SETTING,
    TRAIN_COMMAND,
    TRAIN_HINT,
    inputs_digest,
)

__all__ = [
    "CLASSIFIERS",
    "FORMAT",
    "FORMAT_VERSION",
    "OTHER",
    "SETTING",
    "TRAIN_COMMAND",
    "TRAIN_HINT",
    "Classifier",
    "TicketModel",
    "TicketPrediction",
    "TicketRouter",
    "TrainReport",
    "department_for",
    "domain_to_department",
    "inputs_digest",
    "jieba_words",
    "normalize_message",
    "read_jsonl_records",
    "train_from_jsonl",
]
