#!/bin/sh
# Deploy script (test fixture: these credentials are fake; same pair as client.js).
export AWS_ACCESS_KEY_ID=AKIAH2KVJ72CEUVW75EF
export AWS_SECRET_ACCESS_KEY="I8ihN5KXSc7Tvo+hBKqFYY+kv5ZJr3J1TWDtkwtD"
aws s3 ls
