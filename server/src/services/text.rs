//! Small text rules the use cases share: spaces, e-mail addresses, dates, times.

/// Text with its runs of spaces made one.
pub(crate) fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An e-mail address in lower case, if it looks like one (`x@y.z`, no spaces, at most 254).
pub(crate) fn email_address(s: &str) -> Option<String> {
    let email = s.trim().to_lowercase();
    let at = email.find('@')?;
    let ok = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && at > 0
        && email[at + 1..].contains('.')
        && !email.ends_with('.');
    ok.then_some(email)
}

/// `YYYY-MM-DD`, a real date.
pub fn valid_date(s: &str) -> bool {
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u16>(), m.parse::<u8>(), d.parse::<u8>()) else {
        return false;
    };
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    };
    (1900..=2200).contains(&y) && d >= 1 && d <= days
}

/// `YYYY-MM-DD HH:MM:SS.mmm` in UTC from milliseconds since the epoch.
pub fn chrono_free_utc(ms: i64) -> String {
    app::model::format_time(ms, 0, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_dates() {
        assert!(valid_date("2026-02-28"));
        assert!(valid_date("2024-02-29"));
        assert!(!valid_date("2026-02-29"));
        assert!(!valid_date("2026-13-01"));
        assert!(!valid_date("26-01-01"));
        assert!(!valid_date("2026-1-1"));
    }

    #[test]
    fn times_print_in_utc() {
        assert_eq!(chrono_free_utc(0), "1970-01-01 00:00:00.000");
        assert_eq!(
            chrono_free_utc(1_795_440_896_123),
            "2026-11-23 13:34:56.123"
        );
        assert_eq!(chrono_free_utc(951_782_400_000), "2000-02-29 00:00:00.000");
    }
}
