"""Orders service settings (test fixture: the credentials are fake)."""
import os

GITHUB_TOKEN = "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"
db_password = "bwIZJjvLGxo5gOyTCn"
DEBUG = os.environ.get("DEBUG") == "1"
