import boto3

# Credentials of the CI publisher; rotate after the migration.
session = boto3.Session(
    aws_access_key_id="AKIAQXTPUZZTPCQPYFLO",
    aws_secret_access_key="pvt1lYmzB5Uvoad/+q5QMegD5vfX3r1HDY0hWokT",
    region_name="eu-west-1",
)

# Documented example credentials from the AWS docs, used by the moto tests.
EXAMPLE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ROLE_ARN = "arn:aws:iam::123456789012:role/ci-publisher"
KMS_BLOB = "AQICAHhz9bq7Lc2kX4vTj1Wm8Rp0yNeD3sFgHiJkLmNoPqRsTuVwXyZ1AbCdEfGhIjKlMn=="
