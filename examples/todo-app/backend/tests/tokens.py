"""Signing test tokens the way the web front end does: HS256 over JSON claims."""

import base64
import hashlib
import hmac
import json
import time


def sign(claims: dict[str, object], secret: str, alg: str = "HS256") -> str:
    """A token over the claims, signed with HMAC-SHA256 whatever ``alg`` the header names."""

    def encode(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    header = encode(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = encode(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{encode(mac)}"


def fresh_claims(subject: str = "user-1") -> dict[str, object]:
    """Claims of a token that is valid for the next five minutes."""
    return {"sub": subject, "exp": int(time.time()) + 300}
