use std::env;

pub const USER_AGENT: &str = "acme-sync/1.4";
pub const API_SECRET: &str = "b7Xq9LmZ2vKp4Rt8Wn3Yc6Hd";
const DEFAULT_PASSWORD_LEN: usize = 24;

pub struct Config {
    pub api_url: String,
    pub api_key: String,
    pub password: Option<String>,
}

impl Config {
    pub fn from_env() -> Config {
        Config {
            api_url: env::var("ACME_API_URL").unwrap_or_else(|_| "https://api.acme-corp.com".into()),
            api_key: env::var("ACME_API_KEY").expect("ACME_API_KEY"),
            password: env::var("ACME_PASSWORD").ok(),
        }
    }

    pub fn for_tests() -> Config {
        Config {
            api_url: "http://127.0.0.1:8080".into(),
            api_key: "test".into(),
            password: Some("hunter2".into()),
        }
    }
}

fn sign(key: &[u8]) -> String {
    let signing_key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hex::encode(hmac::sign(&signing_key, b"payload"))
}
