# .env, .properties and other config: inject the value at start-up instead of storing it.
# @@ECS_FROM@@ is the secret's ARN once it exists (after --apply), its name before.
=== meta
caching: no
install: the AWS CLI v2 and jq
patch: none
=== read
# @@AT@@: delete the value from this file and inject it at start-up instead, e.g. in the
# launch script:
export @@UPPER@@="$(aws secretsmanager get-secret-value --secret-id '@@NAME@@' --query SecretString --output text | jq -r '.["@@KEY@@"]')"
# and have the application read $@@UPPER@@ (for .properties/Spring: ${@@UPPER@@}).
# On ECS, a task-definition secret does the same:
#   "secrets": [{"name": "@@UPPER@@", "valueFrom": "@@ECS_FROM@@"}]
=== read-plain
# @@AT@@: delete the value from this file and inject it at start-up instead, e.g. in the
# launch script:
export @@UPPER@@="$(aws secretsmanager get-secret-value --secret-id '@@NAME@@' --query SecretString --output text)"
# and have the application read $@@UPPER@@ (for .properties/Spring: ${@@UPPER@@}).
# On ECS, a task-definition secret does the same:
#   "secrets": [{"name": "@@UPPER@@", "valueFrom": "@@ECS_FROM@@"}]
