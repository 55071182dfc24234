from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from search import selectors
from vip.api.serializers import VipStatusBriefSerializer

API_ROUTES = {
    "ticket": "ticket-detail",
    "person": "person-detail",
    "instance": "serviceinstance-detail",
    "group": "customergroup-detail",
    "ci": "configurationitem-detail",
}


class SearchQuerySerializer(serializers.Serializer):
    """The query string of `GET /api/search/`."""

    q = serializers.CharField(
        max_length=selectors.MAX_QUERY_CHARS,
        help_text="The words to find (any order; the start of a word matches; accents are ignored).",
    )
    kind = serializers.ChoiceField(
        choices=selectors.KIND_CHOICES,
        required=False,
        help_text="Only this kind (default: every kind the caller may view).",
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=selectors.KIND_PAGE_SIZE, default=selectors.PAGE_LIMIT, help_text="Matches per kind."
    )
    offset = serializers.IntegerField(
        min_value=0, max_value=10_000, default=0, help_text="Matches to skip in each kind (to page through one kind)."
    )

    def validate(self, attrs):
        # A form-style query string turns `kind=` into "left out"; the schema says a kind, so an empty one is refused.
        empty = [name for name in ("kind", "limit", "offset") if self.initial_data.get(name, None) == ""]
        if empty:
            raise serializers.ValidationError({name: ["Give a value or leave the parameter out."] for name in empty})
        return attrs


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=selectors.KIND_CHOICES, read_only=True)
    id = serializers.IntegerField(source="obj.pk", read_only=True)
    title = serializers.CharField(read_only=True, help_text="Number and title, name, or instance title.")
    detail = serializers.CharField(read_only=True, help_text="What the results page shows under the title.")
    url = serializers.CharField(read_only=True, allow_null=True, help_text="The page in the desk (null: none).")
    api_url = serializers.SerializerMethodField(help_text="The record in this API.")
    vip_status = VipStatusBriefSerializer(
        read_only=True,
        allow_null=True,
        help_text="People: their status (null when confidential to the caller); tickets: the caller's, when it is "
        "shown on tickets.",
    )

    @extend_schema_field(serializers.CharField())
    def get_api_url(self, hit) -> str:
        key = {"number": hit.obj.number} if hit.kind == "ticket" else {"pk": hit.obj.pk}
        return reverse(API_ROUTES[hit.kind], kwargs=key, request=self.context.get("request"))


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=selectors.KIND_CHOICES, read_only=True)
    label = serializers.CharField(read_only=True)
    count = serializers.IntegerField(
        source="total.value",
        read_only=True,
        help_text="Matches of this kind in all: exact when `count_exact` is true; otherwise PostgreSQL's estimate of "
        'a large number of matches (over 1,000), or a lower bound (1,001 for "more than 1,000").',
    )
    count_exact = serializers.BooleanField(source="total.exact", read_only=True, help_text="Whether `count` is exact.")
    count_label = serializers.CharField(
        source="total.label",
        read_only=True,
        help_text='The count as the desk shows it: "12", "about 47,000", "1,000+".',
    )
    results = SearchHitSerializer(source="hits", many=True, read_only=True, help_text="Best first.")


class SearchResponseSerializer(serializers.Serializer):
    q = serializers.CharField(read_only=True)
    results = SearchGroupSerializer(many=True, read_only=True, help_text="One entry per kind searched, in order.")
