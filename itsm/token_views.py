"""The API's sign-in: get a token (counted by django-axes like every sign-in) and revoke it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.parsers import SafeJSONParser
from itsm.security import lockout_response
from itsm.tokens import revoke_tokens, token_for


class TokenView(ObtainAuthToken):
    """POST username and password, get the token to send as `Authorization: Token <key>`."""

    parser_classes = [SafeJSONParser]
    # The way to log in: it takes no credentials but the body's (and so documents no security requirement).
    authentication_classes = []

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the request it saw (DRF's wrapper) when the pair is locked out.
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise exceptions.ValidationError(serializer.errors)
        return Response({"token": token_for(serializer.validated_data["user"]).key})


class TokenRevokeView(APIView):
    """Revokes the token of the signed-in user (all clients using it must sign in again)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: inline_serializer("TokenRevoked", {"revoked": serializers.IntegerField()})},
    )
    def post(self, request, *args, **kwargs):
        return Response({"revoked": revoke_tokens(request.user)}, status=status.HTTP_200_OK)
