"""Verification of the tokens that the web front end signs for its users.

The front end signs a short-lived JSON Web Token with HMAC-SHA256 and the secret both sides share
(``BETTER_AUTH_SECRET``); the API checks the signature and the expiry before it accepts a write.
Only HS256 is accepted, so a token cannot choose a weaker algorithm.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time


class InvalidTokenError(Exception):
    """The token is malformed, badly signed or expired; the message says which."""


def _b64url_decode(part: str) -> bytes:
    padded = part + "=" * (-len(part) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as error:
        raise InvalidTokenError("token is not base64url") from error


def _json_part(part: str, what: str) -> dict[str, object]:
    try:
        value = json.loads(_b64url_decode(part))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidTokenError(f"token {what} is not JSON") from error
    if not isinstance(value, dict):
        raise InvalidTokenError(f"token {what} is not an object")
    return value


def verify_token(token: str, secret: str, now: float | None = None) -> dict[str, object]:
    """Checks an HS256 token against the secret and returns its claims.

    The token must carry a ``sub`` (who it is for) and an ``exp`` (when it stops being valid) in
    the future.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidTokenError("token does not have three parts")
    header_part, claims_part, signature_part = parts
    header = _json_part(header_part, "header")
    if header.get("alg") != "HS256":
        raise InvalidTokenError("token algorithm is not HS256")
    expected = hmac.new(
        secret.encode("utf-8"), f"{header_part}.{claims_part}".encode(), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(expected, _b64url_decode(signature_part)):
        raise InvalidTokenError("token signature does not match")
    claims = _json_part(claims_part, "claims")
    expires = claims.get("exp")
    if not isinstance(expires, (int, float)) or isinstance(expires, bool):
        raise InvalidTokenError("token has no expiry")
    if expires <= (time.time() if now is None else now):
        raise InvalidTokenError("token has expired")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidTokenError("token has no subject")
    return claims
