"""The EnigmaPay dealer API client: no Streamlit, no pandas, and nothing else from `dashboard`
(the rest of the console imports the client, never the other way round).

    from dashboard.client import EnigmaPayClient, errors, models
    with EnigmaPayClient(api_key, secret_key) as client:
        ibans = client.list_ibans()
"""

from . import checks, errors, models
from ._constants import DEFAULT_BASE_URL
from .checks import InputError
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
from .protocol import MoneyClient

__all__ = [
    "DEFAULT_BASE_URL",
    "EnigmaPayClient",
    "MoneyClient",
    "checks",
    "errors",
    "models",
    "InputError",
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
