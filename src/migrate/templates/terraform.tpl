# Terraform: an ephemeral resource (Terraform 1.10+), so the value never lands in the plan
# or the state; the data source is the fallback for older Terraform, and it does store it.
=== meta
caching: no
install: Terraform >= 1.10 and the AWS provider >= 5.83 for the ephemeral resource
patch: none
=== read
# @@AT@@: replace the literal with local.@@LOWER@@ (only where Terraform accepts an ephemeral
# value: provider blocks, and write-only arguments such as password_wo on Terraform 1.11+).
ephemeral "aws_secretsmanager_secret_version" "@@LOWER@@" {
  secret_id = "@@NAME@@"
}

locals {
  @@LOWER@@ = jsondecode(ephemeral.aws_secretsmanager_secret_version.@@LOWER@@.secret_string)["@@KEY@@"]
}

# Terraform < 1.10 only: the data source works everywhere, but WRITES THE VALUE INTO THE
# STATE FILE (protect the state like the secret itself):
# data "aws_secretsmanager_secret_version" "@@LOWER@@" {
#   secret_id = "@@NAME@@"
# }
# ... jsondecode(data.aws_secretsmanager_secret_version.@@LOWER@@.secret_string)["@@KEY@@"]
=== read-plain
# @@AT@@: replace the literal with local.@@LOWER@@ (only where Terraform accepts an ephemeral
# value: provider blocks, and write-only arguments such as password_wo on Terraform 1.11+).
ephemeral "aws_secretsmanager_secret_version" "@@LOWER@@" {
  secret_id = "@@NAME@@"
}

locals {
  @@LOWER@@ = ephemeral.aws_secretsmanager_secret_version.@@LOWER@@.secret_string
}

# Terraform < 1.10 only: the data source works everywhere, but WRITES THE VALUE INTO THE
# STATE FILE (protect the state like the secret itself):
# data "aws_secretsmanager_secret_version" "@@LOWER@@" {
#   secret_id = "@@NAME@@"
# }
