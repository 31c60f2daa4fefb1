# Test fixture: the token is fake.
GITHUB_TOKEN = "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"
puts GITHUB_TOKEN.length
