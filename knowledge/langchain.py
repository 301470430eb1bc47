"""The guide retriever as a LangChain `BaseRetriever`, so other apps can plug it into their chains.

    from knowledge.langchain import GuideRetriever
    retriever = GuideRetriever(retriever=hybrid, k=5)
    docs = retriever.invoke("新生儿落户要带什么")   # list[langchain_core.documents.Document]
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class GuideRetriever(BaseRetriever):
    """Wraps `knowledge.retrieval.HybridRetriever`; metadata carries chunk_id, title and scores."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 8
    where: dict[str, Any] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        result = self.retriever.run(query, top_k=self.k, where=self.where)
        return [
            LCDocument(
                page_content=p.text,
                id=p.chunk_id,
                metadata={**p.metadata, "chunk_id": p.chunk_id, "score": p.score},
            )
            for p in result.passages
        ]
