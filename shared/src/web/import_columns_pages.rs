//! `GET /imports/columns`: what each column of an imported sheet means, the formats it
//! accepts and whether it is required, with the headers it is also read from; all of it is
//! `imports::guide`, the description the example sheets are made from.

use askama::Template;

use super::{html, signed_in};
use crate::http::{ApiRequest, ApiResult};
use crate::imports::guide::{glossary, ColumnGuide};
use crate::Ctx;

#[derive(Template)]
#[template(path = "web/import_columns.html")]
struct ImportColumnsPage {
    client_name: super::Brand,
    columns: Vec<ColumnGuide>,
}

pub async fn import_columns_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    Ok(html(
        200,
        &ImportColumnsPage {
            client_name: super::Brand::of(&principal),
            columns: glossary(),
        },
    ))
}
