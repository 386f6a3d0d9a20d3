//! GET /static/{version}/{file} (the web portal) (`web::assets::static_asset`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::static_assets::main()
}
