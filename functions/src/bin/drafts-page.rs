//! GET /drafts (the web portal) (`web::drafts_pages::drafts_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::drafts_page::main()
}
