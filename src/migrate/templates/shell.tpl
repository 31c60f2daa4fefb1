# Shell: the AWS CLI (and jq for a JSON key), read when the script runs.
=== meta
caching: no
install: the AWS CLI v2 and jq
patch: in-place
=== read
@@UPPER@@="$(aws secretsmanager get-secret-value --secret-id '@@NAME@@' --query SecretString --output text | jq -r '.["@@KEY@@"]')"
=== read-plain
@@UPPER@@="$(aws secretsmanager get-secret-value --secret-id '@@NAME@@' --query SecretString --output text)"
=== expr
$(aws secretsmanager get-secret-value --secret-id '@@NAME@@' --query SecretString --output text | jq -r '.["@@KEY@@"]')
=== expr-plain
$(aws secretsmanager get-secret-value --secret-id '@@NAME@@' --query SecretString --output text)
