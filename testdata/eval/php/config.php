<?php
// Legacy shop configuration
define('DB_HOST', 'mysql.shop.internal');
define('DB_USER', 'shop');
define('DB_PASSWORD', 'Ph9#sHop!Db2k');
define('AUTH_KEY', 'put your unique phrase here');
define('SECURE_AUTH_KEY', getenv('WP_SECURE_AUTH_KEY'));

$config = [
    'mail' => [
        'host' => 'smtp.mailgun.org',
        'username' => 'postmaster@mg.acme-corp.com',
        'password' => 'Mg4!xPq9#vLw2z',
    ],
    'redis' => [
        'password' => env('REDIS_PASSWORD'),
    ],
    'api_token' => 'AxBbE9fVO6kPRbbkFCESN1AxZ',
];

$rules = [
    'password' => 'required|string|min:12|confirmed',
    'password_confirmation' => 'required',
];

$messages = [
    'password.min' => 'Das Passwort muss mindestens 12 Zeichen lang sein.',
];

function check_login($user, $password) {
    return password_verify($password, $user->password_hash);
}

$db_pass = $_ENV['DB_PASS'] ?? '';
