"""API clients for the personas: a django.test.Client sending each one's bearer token."""

import pytest
from django.test import Client

from deskside.accounts.services import create_api_token


class ApiClient(Client):
    """A test client that sends JSON bodies and, given a token, the Authorization header."""

    def __init__(self, token: str | None = None) -> None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        super().__init__(**headers)

    def post(self, path, data=None, **extra):
        return super().post(path, data if data is not None else {}, "application/json", **extra)

    def patch(self, path, data=None, **extra):
        return super().patch(path, data if data is not None else {}, "application/json", **extra)


def client_for(user) -> ApiClient:
    return ApiClient(create_api_token(user=user, name="tests"))


@pytest.fixture
def anon():
    return ApiClient()


@pytest.fixture
def as_alice(alice):
    return client_for(alice)


@pytest.fixture
def as_leo(leo):
    return client_for(leo)


@pytest.fixture
def as_tara(tara):
    return client_for(tara)


@pytest.fixture
def as_carol(carol):
    return client_for(carol)


@pytest.fixture
def as_olivia(olivia):
    return client_for(olivia)


@pytest.fixture
def as_dave(dave):
    return client_for(dave)
