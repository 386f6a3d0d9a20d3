//! Each function runs with only the AWS clients it is built with (its `NEEDS`), locally as
//! on Lambda: every scenario of this suite goes through that wiring, so a use case that
//! reaches for a client its function lacks fails a scenario.

use bytes::Bytes;
use portal::Needs;
use portal_local::functions::{http_function, HTTP_FUNCTIONS, STATUS_FANOUT};
use portal_tests::{on_both_backends, TestApp, TestResponse};
use std::sync::Arc;

on_both_backends!(
    each_function_runs_with_only_the_clients_it_declares,
    a_use_case_without_the_client_it_needs_fails_loudly_and_changes_nothing,
);

async fn each_function_runs_with_only_the_clients_it_declares(app: TestApp) {
    for function in HTTP_FUNCTIONS {
        let ctx = app.app.ctx_for(function);
        assert_eq!(
            ctx.mailer().is_ok(),
            function.needs.mail(),
            "{}",
            function.name
        );
        assert_eq!(ctx.sms().is_ok(), function.needs.sms(), "{}", function.name);
    }
    assert_eq!(
        http_function("invite-client").unwrap().needs,
        Needs::STORE.with_mail()
    );
    assert_eq!(STATUS_FANOUT.needs, Needs::ALL);
}

async fn a_use_case_without_the_client_it_needs_fails_loudly_and_changes_nothing(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .create_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let principal = portal::auth::authorize(
        app.ctx().store.as_ref(),
        Some(&format!("Bearer {}", courier.key)),
    )
    .await
    .unwrap()
    .unwrap();
    let request = portal::http::ApiRequest {
        method: "POST".into(),
        path_params: [("clientId".to_string(), client.clone())].into(),
        body: Bytes::new(),
        auth: Some(Ok(principal)),
        ..Default::default()
    };
    let invite = http_function("invite-client").unwrap();
    let store_only = Arc::new(app.ctx().wired_for(Needs::STORE));
    let response = TestResponse::from((invite.handler)(store_only, request).await);
    assert_eq!(response.status, 500, "{}", response.text);
    assert_eq!(response.body["error"]["code"], "internal");
    assert!(app.recorder.sent().is_empty(), "nothing was sent");
    let stored = app
        .get(&format!("/v1/clients/{client}"), &courier.key)
        .await;
    assert_eq!(stored.body["status"], "pending", "nothing was written");
    app.invite(&courier, &client).await;
}
