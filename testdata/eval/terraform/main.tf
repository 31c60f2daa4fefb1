terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

resource "random_password" "master" {
  length  = 32
  special = true
}

resource "aws_db_instance" "main" {
  identifier          = "orders-prod"
  engine              = "postgres"
  username            = "orders_admin"
  password            = random_password.master.result
  skip_final_snapshot = false
}

resource "aws_db_instance" "legacy" {
  identifier = "orders-legacy"
  engine     = "mysql"
  username   = "admin"
  password   = "Tf!Leg4cy#Db99"
}

resource "aws_secretsmanager_secret_version" "api" {
  secret_id     = aws_secretsmanager_secret.api.id
  secret_string = jsonencode({ token = var.api_token })
}

variable "db_password" {
  type        = string
  sensitive   = true
  description = "Password for the orders database"
}

provider "datadog" {
  api_key = "0d72cc41ea5cff98960a24cc26a31291"
  app_key = var.datadog_app_key
}

output "db_password" {
  value     = aws_db_instance.main.password
  sensitive = true
}
