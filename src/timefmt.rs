//! Minimal UTC/offset date formatting, enough for reports (no time crate needed).

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC) for seconds since the epoch.
pub fn utc(secs: i64) -> String {
    let (y, mo, d) = civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// RFC 3339 local time for seconds since the epoch and an offset in seconds east of UTC.
pub fn rfc3339(secs: i64, offset: i32) -> String {
    let local = utc(secs + offset as i64);
    if offset == 0 {
        return format!("{local}Z");
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.unsigned_abs();
    format!("{local}{sign}{:02}:{:02}", o / 3600, o % 3600 / 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_known_instants() {
        assert_eq!(super::utc(0), "1970-01-01T00:00:00");
        assert_eq!(super::utc(1_700_000_000), "2023-11-14T22:13:20");
        assert_eq!(
            super::rfc3339(1_700_000_000, 3600),
            "2023-11-14T23:13:20+01:00"
        );
        assert_eq!(super::rfc3339(1_700_000_000, 0), "2023-11-14T22:13:20Z");
    }
}
