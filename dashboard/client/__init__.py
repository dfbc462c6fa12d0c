"""The EnigmaPay dealer API client: no Streamlit, no pandas.

    from dashboard.client import EnigmaPayClient, errors, models
    with EnigmaPayClient(api_key, secret_key) as client:
        ibans = client.list_ibans()
"""

from . import errors, models
from ._constants import DEFAULT_BASE_URL
from .client import EnigmaPayClient
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    EnigmaPayError,
    FeatureDisabledError,
    MalformedResponseError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    ServerError,
    ValidationError,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "EnigmaPayClient",
    "errors",
    "models",
    "EnigmaPayError",
    "APIConnectionError",
    "APITimeoutError",
    "OutcomeUnknownError",
    "MalformedResponseError",
    "APIStatusError",
    "AuthenticationError",
    "FeatureDisabledError",
    "NotFoundError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "APIError",
]
