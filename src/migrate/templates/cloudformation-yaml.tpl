# CloudFormation (YAML): a dynamic reference, resolved by CloudFormation at deploy time.
=== meta
caching: no
install: nothing
patch: in-place
merge: no
=== read
# @@AT@@: replace the literal with a dynamic reference
Value: '{{resolve:secretsmanager:@@NAME@@:SecretString:@@KEY@@}}'
=== read-plain
# @@AT@@: replace the literal with a dynamic reference
Value: '{{resolve:secretsmanager:@@NAME@@:SecretString}}'
=== expr
{{resolve:secretsmanager:@@NAME@@:SecretString:@@KEY@@}}
=== expr-plain
{{resolve:secretsmanager:@@NAME@@:SecretString}}
