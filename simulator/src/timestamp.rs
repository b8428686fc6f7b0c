//! ISO-8601 timestamps as ASL requires them (uppercase `T`, `Z` or a numeric offset) and the virtual clock's
//! formatting.

/// Parses a strict ASL timestamp into nanoseconds since the Unix epoch.
pub(crate) fn parse(text: &str) -> Option<i128> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let shape_ok = bytes.len() >= 20
        && digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && bytes.get(10) == Some(&b'T')
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19);
    if !shape_ok {
        return None;
    }
    let mut position = 19;
    if bytes.get(position) == Some(&b'.') {
        position += 1;
        let start = position;
        while bytes.get(position).is_some_and(u8::is_ascii_digit) {
            position += 1;
        }
        if position == start || position - start > 9 {
            return None;
        }
    }
    let zone = &text[position..];
    let zone_ok = zone == "Z"
        || (zone.len() == 6
            && (zone.starts_with('+') || zone.starts_with('-'))
            && zone.as_bytes().get(3) == Some(&b':')
            && zone
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 0 || i == 3 || b.is_ascii_digit()));
    if !zone_ok {
        return None;
    }
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(|timestamp| timestamp.as_nanosecond())
}

/// Formats epoch milliseconds like AWS does in history and the context object
/// (`2026-01-01T00:00:00.000Z`).
pub(crate) fn format_millis(epoch_millis: i64) -> String {
    match jiff::Timestamp::from_millisecond(epoch_millis) {
        Ok(timestamp) => timestamp.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => epoch_millis.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_iso_8601() {
        assert!(parse("2016-03-14T01:59:00Z").is_some());
        assert!(parse("2016-03-05T21:29:29.243167252Z").is_some());
        assert!(parse("2026-11-26T13:56:56.00Z").is_some());
        assert!(parse("2016-03-14T01:59:00+01:00").is_some());
        for bad in [
            "2016-13-05T21:29:29Z",
            "05-12-2016T21:29:29Z",
            "2016-12-05T25:29:29Z",
            "2016-12-05 21:29:29Z",
            "2016-12-05T21:29:29",
            "2016-12-05t21:29:29z",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
    }
}
