"""导: the one-thing catalogue."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import CatalogDep
from app.models import ErrorOut, OneThingSummary
from core.errors import NotFound

router = APIRouter(prefix="/v1/one-things", tags=["catalogue"])


@router.get("", response_model=list[OneThingSummary], summary="All one-things (一件事)")
async def list_one_things(catalog: CatalogDep) -> list[OneThingSummary]:
    return [
        OneThingSummary(id=o.id, name=o.name, name_en=o.name_en, audience=o.audience, summary=o.summary,
                        lead_department=o.lead_department)
        for o in catalog
    ]


@router.get("/{one_thing_id}", summary="One bundle: services, materials, time, fees, channels, FAQs",
            responses={404: {"model": ErrorOut}})
async def get_one_thing(one_thing_id: str, catalog: CatalogDep) -> dict:
    o = catalog.get(one_thing_id)
    if o is None:
        raise NotFound(f"no one-thing {one_thing_id!r}; GET /v1/one-things lists the ids")
    return o.model_dump(mode="json")
