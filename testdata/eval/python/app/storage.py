import os

from cryptography.fernet import Fernet
from minio import Minio

MINIO_ENDPOINT = "s3.storage.internal:9000"
ENCRYPTION_KEY = "Zq8vN2xLr4Tp7KmW3sYb9cDe4uHj6Ak1Fw0Gz5Ns2Vo="

minio = Minio(
    MINIO_ENDPOINT,
    access_key="mK7qZ2xV9pLw4RtN",
    secret_key=os.environ["MINIO_SECRET_KEY"],
    secure=True,
)

local_minio = Minio("localhost:9000", access_key="minioadmin", secret_key="minioadmin", secure=False)


def fernet() -> Fernet:
    key = os.environ.get("FERNET_KEY") or Fernet.generate_key()
    return Fernet(key)


def rotate(encryption_key: bytes | None = None) -> bytes:
    new_key = Fernet.generate_key()
    return new_key
