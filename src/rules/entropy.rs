//! Shannon entropy of a byte string, in bits per byte. Random tokens score high (base64 ~ 5+,
//! hex ~ 3.5-4), words and placeholders score low.

pub fn shannon(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::shannon;

    #[test]
    fn entropy_orders_random_above_words() {
        assert_eq!(shannon(b"aaaaaaaa"), 0.0);
        assert!(shannon(b"password") < 3.0);
        assert!(shannon(b"hX9$kq2!Lm7@zR4p") > 3.5);
    }
}
