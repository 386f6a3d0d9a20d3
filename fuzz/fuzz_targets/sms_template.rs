//! SMS templates as settings save them and the notifier sends them: the input is split at
//! NUL bytes into the template, the seven variables' values and a tracking base URL. A
//! template that parses is checked against its budget, previewed in each language and
//! rendered with the values; a message that fits is within the segments it may take.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal::domain::notifications::{Language, SmsTemplate, Values, Var};
use portal::domain::sms::Length;

#[global_allocator]
static ALLOCATOR: portal_fuzz::Capped = portal_fuzz::Capped;

fuzz_target!(|data: &[u8]| {
    let mut chunks = data.split(|b| *b == 0).map(String::from_utf8_lossy);
    let Some(source) = chunks.next() else {
        return;
    };
    let Ok(template) = SmsTemplate::parse(&source) else {
        return;
    };
    // What is saved reads back the same.
    assert_eq!(
        SmsTemplate::parse(template.as_str()).as_ref(),
        Ok(&template)
    );
    let budget = template.check_budget();
    let worst = template.worst_case();
    assert_eq!(
        budget.is_ok(),
        worst.segments() <= SmsTemplate::MAX_SEGMENTS
    );
    let mut values = Values::default();
    for var in Var::ALL {
        if let Some(value) = chunks.next() {
            values.set(var, value.into_owned());
        }
    }
    let base = chunks.next();
    for language in Language::ALL {
        let _ = template.sample_message(language);
        let _ = template.typical_message(language, base.as_deref());
    }
    let _ = template.render(&values);
    if let Some(text) = template.render_fitting(&values) {
        let segments = Length::of(&text).segments();
        assert!(
            segments <= SmsTemplate::MAX_SEGMENTS,
            "a message sent in {segments} segments"
        );
    }
});
