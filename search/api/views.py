"""`GET /api/search/`: the results page as JSON, the same matches in the same order, for the kinds the caller may
view."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.exceptions import RuleRefusal
from itsm.fulltext import parse
from search import selectors
from search.api.serializers import SearchQuerySerializer, SearchResponseSerializer


class SearchView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses={
            200: SearchResponseSerializer,
            400: OpenApiResponse(description="A missing, empty or too long `q`, or an unknown `kind`."),
            403: OpenApiResponse(description="The caller may not view that kind."),
        },
    )
    def get(self, request, *args, **kwargs):
        """Tickets, people, service instances, customer groups and configuration items matching every word, best
        first per kind, with the number of matches of each kind."""
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if not parse(data["q"]):
            # A rule on the text rather than its format (no schema pattern can say "a letter or digit somewhere").
            raise RuleRefusal({"q": ["Give at least one letter or digit to search for."]})
        kind = data.get("kind")
        if kind and kind not in selectors.allowed_kinds(request.user):
            raise PermissionDenied(f"You may not view {selectors.KINDS[kind].label.lower()}.")
        groups = selectors.search(
            data["q"],
            user=request.user,
            kinds=[kind] if kind else None,
            limit=data["limit"],
            offset=data["offset"],
        )
        return Response(
            SearchResponseSerializer({"q": data["q"], "results": groups}, context={"request": request}).data
        )
