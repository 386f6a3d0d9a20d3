//! GET /orders/export.csv (the web portal) (`web::courier_orders_pages::export_orders_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::export_orders_page::main()
}
