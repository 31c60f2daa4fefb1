import axios, { AxiosInstance } from 'axios';

export interface Credentials {
  username: string;
  password: string;
  apiKey?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const ADMIN_API_TOKEN: string = 'RUc9x7yuZgW8SvrDgVf53eYf';
const NPM_TOKEN = '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';

export function createClient(creds: Credentials): AxiosInstance {
  return axios.create({
    baseURL: process.env.API_BASE_URL,
    auth: { username: creds.username, password: creds.password },
    headers: { 'X-Api-Key': creds.apiKey ?? '' },
    timeout: DEFAULT_TIMEOUT_MS,
  });
}

export const passwordPolicy = {
  minLength: 12,
  message: 'Password must contain an uppercase letter, a number and a symbol',
};

type TokenResponse = { access_token: string; token_type: 'Bearer'; expires_in: number };

export async function refresh(client: AxiosInstance, refreshToken: string): Promise<TokenResponse> {
  const { data } = await client.post<TokenResponse>('/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
  return data;
}

export const firebaseConfig = {
  apiKey: process.env.NEXT_PUBLIC_FIREBASE_API_KEY,
  authDomain: 'acme-web.firebaseapp.com',
  projectId: 'acme-web',
};
