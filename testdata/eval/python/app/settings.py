"""Django settings for the billing service."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "x7@kq!v2#m9zr$4pl8&t1wj6^bn3hc5e0ys*ud-fa+gio"

DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["billing.internal", "localhost"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "billing",
        "USER": "billing_app",
        "PASSWORD": "Vq8#nR2k!xT5wLm",
        "HOST": "db.billing.internal",
        "PORT": "5432",
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "billing",
        "USER": "billing_ro",
        "PASSWORD": os.environ["REPLICA_DB_PASSWORD"],
        "HOST": "replica.billing.internal",
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

EMAIL_HOST = "smtp.mailrelay.net"
EMAIL_HOST_USER = "billing@acme-corp.com"
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
STRIPE_PUBLISHABLE_KEY = "pk_live_51Hs2kLz9pQ2wXyZ8aBcDeFgHiJkLmNoPqRsTuVwXyZ01"
STRIPE_SECRET_KEY = "SK_LIVE_PLACEHOLDER"
AWS_STORAGE_BUCKET_NAME = "acme-billing-media"
AWS_ACCESS_KEY_ID = "AKIAZVQTRBUVWNU5JXYC"
AWS_SECRET_ACCESS_KEY = "m0kOqpQyP1OlFdyKhlIB3opX3AKcL1rxIu4sHSC+"
SENTRY_DSN = os.environ.get("SENTRY_DSN")
CELERY_BROKER_URL = "redis://localhost:6379/0"
PASSWORD_RESET_TIMEOUT = 259200
SESSION_COOKIE_NAME = "billing_session"
CSRF_COOKIE_NAME = "csrftoken"
