"""Settings for the orders service (test fixture: these credentials are fake)."""
import os

AWS_ACCESS_KEY_ID = "AKIAUJZDEGXDNCF32EPF"
aws_secret_access_key = "2hpChYgCfrL1spNxnyVmihA+2O76UMFxFkM+R5Kj"
DATABASE_URL = "postgres://app:Zr8vQe2LkP4x@db.internal:5432/orders"
DEBUG = os.environ.get("DEBUG") == "1"
