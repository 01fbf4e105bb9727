"""The demo kiosk's device token.

Derived from the secret key, so a development server can enrol a kiosk browser at
a seeded service point without anyone copying a token: the seed stores the token's
hash like any kiosk's, and the kiosk page offers the same token in development.
Real kiosks get a random token from ``accounts.service.create_kiosk``.
"""

from __future__ import annotations

import hashlib
import hmac


def demo_kiosk_token(service_point: str, secret_key: str) -> str:
    digest = hmac.new(
        secret_key.encode(), f"demo-kiosk:{service_point}".encode(), hashlib.sha256
    ).hexdigest()
    return f"kiosk_demo_{digest[:32]}"
