<?php

namespace App\Http\Controllers;

class LoginController extends Controller
{
    private const PASSWORD_MAX_LENGTH = 128;

    public function login(Request $request)
    {
        $password = $_POST['password'] ?? '';
        $user = User::where('email', $request->input('email'))->first();
        if (!$user || !Hash::check($password, $user->password)) {
            Log::info("password check failed for user {$request->input('email')}");
            return back()->withErrors(['password' => __('auth.password')]);
        }
        $stmt = $this->db->prepare('SELECT id FROM users WHERE email = ? AND password = ?');
        $token = bin2hex(random_bytes(32));
        return response()->json(['token' => $token, 'token_type' => 'Bearer']);
    }
}
