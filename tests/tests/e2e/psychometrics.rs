//! `qabilet analyze`: a scored response matrix in, every statistic out as JSON, checked
//! against the published estimates for the LSAT section 6 data (Bock and Lieberman, 1970).

use qabilet_tests::*;
use serde_json::Value;
use std::process::Command;

const LSAT6: [(&str, usize); 32] = [
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

fn analyze(file: &std::path::Path, model: &str) -> anyhow::Result<(bool, Value, String)> {
    let out = Command::new(server_binary())
        .args(["analyze", "--model", model, "--responses"])
        .arg(file)
        .output()?;
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    Ok((
        out.status.success(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn the_command_line_analyses_lsat6_like_established_software() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("lsat6.csv");
    let mut csv = String::from("i1,i2,i3,i4,i5\n");
    for (pattern, count) in LSAT6 {
        let row: Vec<String> = pattern.chars().map(String::from).collect();
        for _ in 0..count {
            csv.push_str(&row.join(","));
            csv.push('\n');
        }
    }
    std::fs::write(&file, &csv)?;

    let (ok, classical, err) = analyze(&file, "classical")?;
    assert!(ok, "{err}");
    let facilities: Vec<f64> = classical["classical"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["facility"].as_f64())
        .collect();
    assert_eq!(facilities, [0.924, 0.709, 0.553, 0.763, 0.87]);
    assert!(classical["calibration"].is_null());
    let alpha = classical["classical"]["reliability"]["alpha"]
        .as_f64()
        .unwrap_or(0.0);
    assert!((0.25..0.35).contains(&alpha), "alpha {alpha}");

    let (ok, two_pl, err) = analyze(&file, "2pl")?;
    assert!(ok, "{err}");
    let published_b = [-3.360, -1.370, -0.280, -1.866, -3.124];
    let items = two_pl["calibration"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), 5);
    for (item, b) in items.iter().zip(published_b) {
        let est = item["b"].as_f64().unwrap_or(f64::NAN);
        assert!((est - b).abs() < 0.05, "{}: {est} vs {b}", item["item"]);
    }
    assert_eq!(two_pl["abilities"].as_array().map(Vec::len), Some(1000));
    assert_eq!(two_pl["information"].as_array().map(Vec::len), Some(33));

    // A malformed file: a clear error naming the line, nothing printed on stdout.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "i1,i2\n1,0\n1,yes\n")?;
    let (ok, json, err) = analyze(&bad, "2pl")?;
    assert!(!ok && json.is_null());
    assert!(err.contains("line 3"), "{err}");
    let (ok, _, err) = analyze(&file, "3pl")?;
    assert!(!ok && err.contains("classical, rasch or 2pl"), "{err}");
    Ok(())
}
