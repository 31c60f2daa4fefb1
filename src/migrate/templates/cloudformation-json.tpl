# CloudFormation (JSON): a dynamic reference, resolved by CloudFormation at deploy time.
=== meta
caching: no
install: nothing
patch: in-place
merge: no
=== read
{"_comment": "@@AT@@: replace the literal with this dynamic reference", "Value": "{{resolve:secretsmanager:@@NAME@@:SecretString:@@KEY@@}}"}
=== read-plain
{"_comment": "@@AT@@: replace the literal with this dynamic reference", "Value": "{{resolve:secretsmanager:@@NAME@@:SecretString}}"}
=== expr
{{resolve:secretsmanager:@@NAME@@:SecretString:@@KEY@@}}
=== expr-plain
{{resolve:secretsmanager:@@NAME@@:SecretString}}
