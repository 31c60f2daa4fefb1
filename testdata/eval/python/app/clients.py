import logging
import os

import boto3
import requests
from pydantic import BaseModel, SecretStr

log = logging.getLogger(__name__)

GITHUB_TOKEN = "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"
OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]
WEATHER_API_KEY = "7944fe07f5679fff02eba571e7b3ec5d"


class Settings(BaseModel):
    username: str
    password: SecretStr
    api_token: str | None = None
    timeout: float = 10.0


def login(session: requests.Session, username: str, password: str) -> str:
    resp = session.post("/api/login", json={"username": username, "password": password})
    resp.raise_for_status()
    token = resp.json()["access_token"]
    return token


LDAP_BIND_DN = "cn=svc-sync,ou=svc,dc=acme,dc=io"
LDAP_BIND_PASSWORD = "L9p#eWq4zR!x2Tn"


def connect_ldap():
    import ldap
    conn = ldap.initialize("ldaps://ldap.corp.acme.io")
    conn.simple_bind_s(LDAP_BIND_DN, LDAP_BIND_PASSWORD)
    return conn


def get_secret(name: str) -> str:
    client = boto3.client("secretsmanager")
    return client.get_secret_value(SecretId=name)["SecretString"]


def build_headers(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


INTERNAL_HEADERS = {"Authorization": "Bearer 6XnRe5yXh5G1NUVgLzE01P9VqjC0i5Iz"}
PASSWORD_PROMPT = "Enter your password: "
ERROR_MESSAGES = {
    "password_too_short": "Password must contain at least 12 characters",
    "password_mismatch": "Passwords do not match",
}

if __name__ == "__main__":
    pw = os.environ.get("SVC_PASSWORD")
    if pw == "":
        log.error("missing password")
    redis_password = "rD5!kx82Lq#mVz"
