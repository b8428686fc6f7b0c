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
    // Computed by hand rather than through `jiff::Timestamp`, whose range ends a day before
    // 9999-12-31: a Wait until the year 9999 is a valid timestamp (its delay is then too long).
    let number = |range: std::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse().ok() };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let fraction_nanos = match text.get(20..position) {
        Some(digits) if !digits.is_empty() => {
            let value: i64 = digits.parse().ok()?;
            let scale = 10_i64.checked_pow(u32::try_from(9 - digits.len()).ok()?)?;
            value * scale
        }
        _ => 0,
    };
    let offset_seconds = if zone == "Z" {
        0
    } else {
        let hours: i64 = zone.get(1..3)?.parse().ok()?;
        let minutes: i64 = zone.get(4..6)?.parse().ok()?;
        if hours > 23 || minutes > 59 {
            return None;
        }
        let magnitude = hours * 3600 + minutes * 60;
        if zone.starts_with('-') {
            -magnitude
        } else {
            magnitude
        }
    };
    let days = days_from_civil(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(i128::from(seconds) * 1_000_000_000 + i128::from(fraction_nanos))
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (negative before it).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Counts in eras of 400 years from 0000-03-01, so that the leap day ends a year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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

    #[test]
    fn timestamps_match_jiff_and_reach_the_year_9999() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2016-03-14T01:59:00+01:00",
            "2024-02-29T23:59:59.5-05:30",
            "1969-12-31T23:59:59.999999999Z",
            "2094-12-15T13:56:56.000Z",
        ] {
            let expected = text
                .parse::<jiff::Timestamp>()
                .map(|timestamp| timestamp.as_nanosecond())
                .ok();
            assert_eq!(parse(text), expected, "{text}");
        }
        assert!(parse("9999-12-31T23:59:59Z").is_some());
        assert!(parse("2023-02-29T00:00:00Z").is_none());
        assert!(parse("2023-01-01T00:00:60Z").is_none());
    }
}
