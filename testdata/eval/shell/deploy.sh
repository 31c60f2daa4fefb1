#!/usr/bin/env bash
set -euo pipefail

: "${DEPLOY_ENV:?set DEPLOY_ENV}"
REGISTRY=registry.acme-corp.com
export PGPASSWORD="Sh3ll!Pg#Dump9"

echo "Logging in to $REGISTRY"
docker login "$REGISTRY" -u ci-deployer -p 'Dk7#reG!stry2x'
docker login ghcr.io -u "$GITHUB_ACTOR" --password-stdin <<< "$GITHUB_TOKEN"

pg_dump -h db.internal -U backup app > /backups/app.sql
mysql -h mysql.internal -u root -p"$MYSQL_ROOT_PASSWORD" -e 'SELECT 1'
mysqldump -u backup --password=Mq4!bKp#2024z shop > shop.sql

curl -fsS -u deploy:N3xus!Upl0ad#7 --upload-file build/app.tar.gz https://nexus.acme-corp.com/repository/raw/app.tar.gz
curl -fsS -H "Authorization: Bearer ${DEPLOY_TOKEN}" https://deploy.acme-corp.com/api/release

read -rsp "Password: " password
if [[ "$password" == "" ]]; then echo "empty password"; exit 1; fi
sshpass -p "$SSH_PASSWORD" ssh deploy@app01 'systemctl restart app'
echo "Hb7!rB0t#Push2x" | docker login -u harbor-bot --password-stdin harbor.acme-corp.com
echo "$HARBOR_PASSWORD" | docker login -u harbor-bot --password-stdin harbor.acme-corp.com
