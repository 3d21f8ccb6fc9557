//! Moodle XML (placeholder while written).
use super::*;
pub fn parse(_text: &str, _options: &ImportOptions) -> Result<Imported, Vec<FormatError>> {
    Err(vec![FormatError::new(Position::Line(0), "not yet")])
}
pub fn write(_items: &[Item]) -> String {
    String::new()
}
