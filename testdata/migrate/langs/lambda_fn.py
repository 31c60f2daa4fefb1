# Lambda handler (test fixture: the token is fake).
import json

TOKEN = "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"


def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"n": len(TOKEN)})}
