#!/bin/sh
# Test fixture: the token is fake.
export GITHUB_TOKEN="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"
gh api user
