//! The key of the value groups: a finding's `value_group` is HMAC-SHA256(key, secret), so
//! findings of one value can be grouped across repositories (and across shards that share
//! the key) while no report holds the value or a plain hash of it, which a guess could be
//! checked against.

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::path::Path;

const BLOCK: usize = 64;

pub struct ValueKey([u8; 32]);

/// The most bytes a key file may have.
const MAX_KEY_FILE: u64 = 4096;
/// A key file needs at least this many bytes (of any kind: they are hashed into the key).
const MIN_KEY_FILE: usize = 16;

impl ValueKey {
    /// A fresh random key.
    pub fn random() -> Result<ValueKey> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|e| anyhow::anyhow!("no random key: {e}"))?;
        Ok(ValueKey(k))
    }

    /// The key in `file` (`--value-key`): its bytes, hashed.
    pub fn from_file(file: &Path) -> Result<ValueKey> {
        let mut f = crate::safefs::open_regular(file, true)
            .with_context(|| format!("cannot read the value key {}", file.display()))?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(&mut f, MAX_KEY_FILE), &mut bytes)
            .with_context(|| format!("cannot read the value key {}", file.display()))?;
        let trimmed = bytes.trim_ascii();
        if trimmed.len() < MIN_KEY_FILE {
            bail!(
                "the value key {} is too short: give at least {MIN_KEY_FILE} random bytes",
                file.display()
            );
        }
        Ok(ValueKey(Sha256::digest(trimmed).into()))
    }

    /// The key kept in a state directory (created there, mode 0600, on first use), so that
    /// value groups stay comparable from one incremental sweep to the next.
    pub fn in_state_dir(dir: &Path) -> Result<ValueKey> {
        let file = dir.join("value-key");
        if file.exists() {
            return ValueKey::from_file(&file);
        }
        let k = ValueKey::random()?;
        crate::safefs::write_private(&file, hex::encode(k.0).as_bytes())?;
        ValueKey::from_file(&file)
    }

    /// The value group of `secret`: 16 bytes of HMAC-SHA256, in hex.
    pub fn group(&self, secret: &str) -> String {
        hex::encode(&hmac_sha256(&self.0, secret.as_bytes())[..16])
    }
}

/// HMAC (RFC 2104) over SHA-256 with a key no longer than a block.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; BLOCK];
    k[..key.len()].copy_from_slice(key);
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn groups_depend_on_value_and_key() {
        let a = ValueKey([1; 32]);
        let b = ValueKey([2; 32]);
        assert_eq!(a.group("v4lue-one"), a.group("v4lue-one"));
        assert_ne!(a.group("v4lue-one"), a.group("v4lue-two"));
        assert_ne!(a.group("v4lue-one"), b.group("v4lue-one"));
    }
}
