//! Blob keys of what is derived from a mail.

pub fn text(mail_id: &str) -> String {
    format!("mail/{mail_id}/body.txt")
}
pub fn html(mail_id: &str) -> String {
    format!("mail/{mail_id}/body.html")
}
pub fn report(mail_id: &str) -> String {
    format!("mail/{mail_id}/report.json")
}
pub fn attachment(mail_id: &str, index: usize, filename: &str) -> String {
    let safe: String =
        filename.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).take(80).collect();
    format!("mail/{mail_id}/att/{index}-{safe}")
}
