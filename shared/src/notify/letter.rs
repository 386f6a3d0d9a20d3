//! An email to a person, written once and sent as both parts: the plain text and the HTML
//! (escaped by the template), headed with the sender's brand (the courier's name, and the
//! client's where it is the client's mail) and with its one action as a link (a page of the
//! portal, never an API URL).

use askama::Template;

use super::OutgoingEmail;
use crate::domain::Email;

pub struct Letter {
    pub to: Email,
    pub subject: String,
    /// Who the email comes from, as its header names it ("Swift Couriers", or "Swift
    /// Couriers · Bloom Florist").
    pub brand: String,
    /// "Hello Bloom Florist,".
    pub greeting: String,
    pub paragraphs: Vec<String>,
    /// What to click: its words and the page's link.
    pub action: Option<(String, String)>,
    /// Smaller print after the action.
    pub notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "email/letter.html")]
struct LetterHtml<'a> {
    letter: &'a Letter,
}

impl Letter {
    pub fn email(self) -> OutgoingEmail {
        let mut text = format!("{}\n\n", self.greeting);
        for paragraph in &self.paragraphs {
            text.push_str(paragraph);
            text.push_str("\n\n");
        }
        if let Some((label, link)) = &self.action {
            text.push_str(&format!("{label}: {link}\n\n"));
        }
        for note in &self.notes {
            text.push_str(note);
            text.push_str("\n\n");
        }
        text.push_str(&format!("— {}\n", self.brand));
        // The text part says it all; a template that cannot render leaves it text-only.
        let html = LetterHtml { letter: &self }.render().ok();
        OutgoingEmail {
            to: self.to,
            subject: self.subject,
            text,
            html,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_has_both_parts_and_escapes_its_html() {
        let email = Letter {
            to: Email::parse("a@b.example").unwrap(),
            subject: "Hi".into(),
            brand: "Swift <Couriers>".into(),
            greeting: "Hello Bloom & Co,".into(),
            paragraphs: vec!["One.".into()],
            action: Some(("Open it".into(), "https://portal.test/x".into())),
            notes: vec!["Small print.".into()],
        }
        .email();
        assert_eq!(
            email.text,
            "Hello Bloom & Co,\n\nOne.\n\nOpen it: https://portal.test/x\n\nSmall print.\n\n— Swift <Couriers>\n"
        );
        let html = email.html.unwrap();
        assert!(
            html.contains("Swift &#60;Couriers&#62;") || html.contains("Swift &lt;Couriers&gt;"),
            "{html}"
        );
        assert!(
            html.contains("Bloom &#38; Co") || html.contains("Bloom &amp; Co"),
            "{html}"
        );
        assert!(html.contains("href=\"https://portal.test/x\""), "{html}");
    }
}
