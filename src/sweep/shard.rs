//! `--shard K/N`: a deterministic share of the repository list, by the repository's id (a
//! hash of its location), so that N workers given the same list each sweep a disjoint part
//! and together all of it, whatever order the list is in.

use anyhow::{bail, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub k: u64,
    pub n: u64,
}

impl std::str::FromStr for Shard {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Shard> {
        let Some((k, n)) = s.split_once('/') else {
            bail!("--shard wants K/N (e.g. 2/4), got {s:?}");
        };
        let (Ok(k), Ok(n)) = (k.trim().parse::<u64>(), n.trim().parse::<u64>()) else {
            bail!("--shard wants K/N with whole numbers, got {s:?}");
        };
        if n == 0 || k == 0 || k > n {
            bail!("--shard K/N wants 1 <= K <= N, got {s:?}");
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    /// True when the repository with this id (hex digits) belongs to this shard.
    pub fn selects(&self, id: &str) -> bool {
        let prefix = &id[..id.len().min(16)];
        let h = u64::from_str_radix(prefix, 16).unwrap_or_else(|_| {
            // Ids are hex; anything else still lands somewhere fixed.
            id.bytes()
                .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(b)))
        });
        h % self.n == self.k - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_ids_without_overlap_or_gap() {
        let ids: Vec<String> = (0u32..200)
            .map(|i| format!("{:016x}", u64::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15)))
            .collect();
        let shards: Vec<Shard> = (1..=4).map(|k| Shard { k, n: 4 }).collect();
        for id in &ids {
            assert_eq!(shards.iter().filter(|s| s.selects(id)).count(), 1, "{id}");
        }
        assert!(shards.iter().all(|s| ids.iter().any(|id| s.selects(id))));
    }

    #[test]
    fn bad_shard_specs_are_refused() {
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "-1/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard { k: 2, n: 4 });
    }
}
