import getpass
import os
import smtplib

import jwt
import redis
from celery import Celery

app = Celery("jobs", broker=os.environ["CELERY_BROKER_URL"])

cache = redis.Redis(host="redis.jobs.internal", port=6379, password="Rj5!dsQ8#vLm2Kx")
TOKEN_ALGORITHM = "HS256"
API_KEY_HEADER = "X-API-KEY"
PRIVATE_KEY_PATH = "/etc/jobs/signing.pem"
MONGO_URI = "mongodb+srv://jobs:Mj7!xQp2Lz9w@cluster0.x1y2z.mongodb.net/jobs?retryWrites=true"


def issue_token(payload: dict, key: str) -> str:
    return jwt.encode(payload, key, algorithm=TOKEN_ALGORITHM)


def send_report(to: str, body: str) -> None:
    password = getpass.getpass("SMTP password: ")
    with smtplib.SMTP_SSL("smtp.acme-corp.com", 465) as s:
        s.login("reports@acme-corp.com", password)
        s.sendmail("reports@acme-corp.com", [to], body)


def legacy_report() -> None:
    smtp_pass = "Sm7pL3g!cy#Rpt"  # TODO rotate
    with smtplib.SMTP_SSL("smtp.acme-corp.com", 465) as s:
        s.login("legacy@acme-corp.com", smtp_pass)


DEFAULTS = {
    "db_pass": os.environ.get("JOBS_DB_PASS", ""),
    "secret_key": None,
    "api_key": "",
    "password": "********",
    "webhook_secret": "whsec_" + os.environ.get("WEBHOOK_SUFFIX", ""),
}
