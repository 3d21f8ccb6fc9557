//! The Kazakh individual identification number (ИИН / ЖСН): twelve digits — birth date
//! (YYMMDD), century and sex, a serial, and a check digit. Applications are refused with a
//! clear reason when it does not hold together.

use serde::{Deserialize, Serialize};

/// Why an IIN is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IinError {
    #[error("an IIN has 12 digits, not {0:?}")]
    Shape(String),
    #[error("the 7th digit (century and sex) must be 1-6, not {0}")]
    Century(u8),
    #[error("the first six digits are not a date (YYMMDD)")]
    Date,
    #[error("the check digit does not match: the number was mistyped")]
    Check,
}

/// What a valid IIN says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Iin {
    pub digits: String,
    pub birth_year: u16,
    pub birth_month: u8,
    pub birth_day: u8,
    pub male: bool,
}

/// The check digit of the first eleven digits, if one exists (some serials have none).
pub fn check_digit(first11: &[u8; 11]) -> Option<u8> {
    let weighted = |start: usize| -> u32 {
        first11
            .iter()
            .enumerate()
            .map(|(i, d)| u32::from(*d) * ((i + start) % 11 + 1) as u32)
            .sum::<u32>()
            % 11
    };
    match weighted(0) {
        10 => match weighted(2) {
            10 => None,
            c => Some(c as u8),
        },
        c => Some(c as u8),
    }
}

/// The first eleven digits (as text) with their check digit appended, if they have one.
pub fn complete(first11: &str) -> Option<String> {
    let digits: Vec<u8> = first11
        .bytes()
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|d| *d < 10)
        .collect();
    if first11.len() != 11 || digits.len() != 11 {
        return None;
    }
    let arr: [u8; 11] = digits.try_into().ok()?;
    check_digit(&arr).map(|c| format!("{first11}{c}"))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// The IIN as staff screens show it to someone who does not need all of it: the last four
/// digits (`••••••••0014`).
pub fn masked(digits: &str) -> String {
    let n = digits.chars().count();
    let keep: String = digits.chars().skip(n.saturating_sub(4)).collect();
    format!("{}{keep}", "•".repeat(n.saturating_sub(4)))
}

/// Checks an IIN (spaces are ignored) and reads the birth date and sex from it.
pub fn parse(text: &str) -> Result<Iin, IinError> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IinError::Shape(text.to_string()));
    }
    let d: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
    let century = d[6];
    let base: u16 = match century {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        other => return Err(IinError::Century(other)),
    };
    let year = base + u16::from(d[0]) * 10 + u16::from(d[1]);
    let month = d[2] * 10 + d[3];
    let day = d[4] * 10 + d[5];
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(IinError::Date);
    }
    let mut first = [0u8; 11];
    first.copy_from_slice(&d[..11]);
    if check_digit(&first) != Some(d[11]) {
        return Err(IinError::Check);
    }
    Ok(Iin {
        digits,
        birth_year: year,
        birth_month: month,
        birth_day: day,
        male: century % 2 == 1,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn masked_keeps_the_last_four() {
        assert_eq!(super::masked("900101300014"), "••••••••0014");
        assert_eq!(super::masked("12"), "12");
    }

    use super::*;

    fn make(first11: &str) -> String {
        complete(first11).expect("this serial has a check digit")
    }

    #[test]
    fn eleven_digits_are_completed_only_when_they_are_eleven_digits() {
        assert_eq!(complete("85071530012").map(|s| s.len()), Some(12));
        assert!(parse(&make("85071530012")).is_ok());
        assert_eq!(complete("8507153001"), None);
        assert_eq!(complete("8507153001x"), None);
    }

    #[test]
    fn the_check_digit_follows_both_weightings() {
        // First weighting 1..11: 8*1+5*2+0*3+7*4+1*5+5*6+3*7+0*8+0*9+1*10+2*11 = 134 -> 2.
        assert_eq!(check_digit(&[8, 5, 0, 7, 1, 5, 3, 0, 0, 1, 2]), Some(2));
        // A sum of 10 under weights 1..11 falls back to weights 3..11,1,2.
        let ten = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]; // 1*1 + 1*10 = 11 -> 0: not ten
        assert_eq!(check_digit(&ten), Some(0));
        let fallback = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]; // 10 -> second pass: 1*1 = 1
        assert_eq!(check_digit(&fallback), Some(1));
    }

    #[test]
    fn a_valid_number_gives_the_birth_date_and_sex() {
        let iin = make("85071530012");
        let got = parse(&iin).expect("valid");
        assert_eq!(
            (got.birth_year, got.birth_month, got.birth_day),
            (1985, 7, 15)
        );
        assert!(got.male);
        let woman = make("04022960345");
        let got = parse(&format!(" {} ", &woman)).expect("29 February 2004 exists");
        assert_eq!(got.birth_year, 2004);
        assert!(!got.male);
    }

    #[test]
    fn broken_numbers_say_why() {
        assert!(matches!(parse("12345"), Err(IinError::Shape(_))));
        assert!(matches!(parse("85071530012a"), Err(IinError::Shape(_))));
        assert_eq!(parse(&make("85071570012")), Err(IinError::Century(7)));
        assert_eq!(parse(&make("85023030012")), Err(IinError::Date));
        assert_eq!(
            parse(&make("01022950012")),
            Err(IinError::Date),
            "2001 is not a leap year"
        );
        let good = make("85071530012");
        let last = good.as_bytes()[11] - b'0';
        let wrong = format!("{}{}", &good[..11], (last + 1) % 10);
        assert_eq!(parse(&wrong), Err(IinError::Check));
        // A mistyped digit in the serial is caught by the check digit.
        let typo = format!(
            "{}{}{}",
            &good[..8],
            if &good[8..9] == "0" { "1" } else { "0" },
            &good[9..]
        );
        assert_eq!(parse(&typo), Err(IinError::Check));
    }
}
