//! Public datasets with published estimates, to check the calibration against.

/// LSAT section 6 (Bock and Lieberman, 1970): 1,000 examinees, 5 items, as the 32 response
/// patterns with their frequencies.
pub const LSAT6_PATTERNS: [(&str, usize); 32] = [
    ("00000", 3),
    ("00001", 6),
    ("00010", 2),
    ("00011", 11),
    ("00100", 1),
    ("00101", 1),
    ("00110", 3),
    ("00111", 4),
    ("01000", 1),
    ("01001", 8),
    ("01010", 0),
    ("01011", 16),
    ("01100", 0),
    ("01101", 3),
    ("01110", 2),
    ("01111", 15),
    ("10000", 10),
    ("10001", 29),
    ("10010", 14),
    ("10011", 81),
    ("10100", 3),
    ("10101", 28),
    ("10110", 15),
    ("10111", 80),
    ("11000", 16),
    ("11001", 56),
    ("11010", 21),
    ("11011", 173),
    ("11100", 11),
    ("11101", 61),
    ("11110", 28),
    ("11111", 298),
];

/// LSAT section 6 as 0/1 rows, one per examinee.
pub fn lsat6() -> Vec<Vec<Option<u8>>> {
    let mut rows = Vec::new();
    for (p, n) in LSAT6_PATTERNS {
        for _ in 0..n {
            rows.push(p.bytes().map(|b| Some(b - b'0')).collect());
        }
    }
    rows
}
