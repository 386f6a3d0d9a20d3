//! POST /orders (the web portal) (`web::new_order_pages::create_order_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_order_form::main()
}
