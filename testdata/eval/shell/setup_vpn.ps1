$ErrorActionPreference = "Stop"
$user = "CORP\svc-vpn"
$securePassword = ConvertTo-SecureString "Vpn#Svc!2024kQ" -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential($user, $securePassword)
$prompt = Read-Host -Prompt "Enter your password" -AsSecureString
$fromEnv = ConvertTo-SecureString $env:VPN_PASSWORD -AsPlainText -Force
Add-VpnConnection -Name "Corp" -ServerAddress "vpn.acme-corp.com"
