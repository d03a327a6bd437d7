"""Agency routes for the federation targets: which providers and fields are published to
Europass (ELM LOQ), Credential Engine (CTDL) and UK aggregators (XCRI-CAP), and what an
export to each leaves out and why. An agency or admin key, rate limited per key, as every
agency route."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from search_api.agency_answers import targets_answer
from search_api.dependencies import Agency, Context, agency_scope
from search_api.errors import error_responses
from search_api.models.publication import PublicationRuleIn, PublicationRuleOut, TargetsOut
from search_api.params import reject_unknown

router = APIRouter(
    tags=["agency"],
    dependencies=[Depends(agency_scope)],
    responses=error_responses(400, 401, 403, 422, 429),
)


def _page_base(request: Request, context) -> str:
    return (context.public_url or str(request.base_url)).rstrip("/")


@router.get(
    "/v1/export/targets",
    response_model=TargetsOut,
    summary="Each federation target: the agency's rule for it, and how many offerings "
    "an export to it publishes, leaves out and why",
)
def targets(request: Request, agency: Agency, context: Context) -> TargetsOut:
    # Plain def: each target's count is a whole export, written and thrown away.
    reject_unknown(request.query_params, frozenset())
    return targets_answer(agency, _page_base(request, context))


@router.put(
    "/v1/export/targets/{target}",
    response_model=PublicationRuleOut,
    summary="Set which providers and fields are published to a federation target",
)
def set_target_rule(target: str, body: PublicationRuleIn, agency: Agency) -> dict:
    return agency.exports.rules.put(target, body.excluded_providers, body.withheld_fields).as_dict()
