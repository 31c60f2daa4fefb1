import React, { useState } from 'react';
import { t } from '../i18n';

export default function LoginForm({ onSubmit }) {
  const [password, setPassword] = useState('');
  const [token, setToken] = useState(null);
  const passwordLabel = t('login.password', 'Password');

  const validate = () => {
    if (password.length < 8) return 'Password must be at least 8 characters';
    if (password === '') return 'Please enter your password';
    return null;
  };

  return (
    <form onSubmit={(e) => { e.preventDefault(); onSubmit({ password }); }}>
      <label htmlFor="password">{passwordLabel}</label>
      <input type="password" name="password" id="password" autoComplete="current-password"
             placeholder="Enter your password" value={password}
             onChange={(e) => setPassword(e.target.value)} />
      <button type="submit">Sign in</button>
    </form>
  );
}
