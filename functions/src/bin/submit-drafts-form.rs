//! POST /drafts (the web portal) (`web::drafts_pages::submit_drafts_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::submit_drafts_form::main()
}
