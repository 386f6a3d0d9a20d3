//! The Lambda adapters on real API Gateway events (aws_lambda_events' own fixtures).

use aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request;
use lambda_http::request::from_str;
use portal::lambda::{authorizer_response, from_lambda, to_lambda};
use portal_tests::TestApp;
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    portal_tests::fixture_text(name)
}

#[tokio::test]
async fn the_authorizer_resolves_a_key_from_a_real_authorizer_event() {
    let app = TestApp::embedded().await;
    let courier = app.create_courier("Swift Couriers").await;
    let mut event: Value = serde_json::from_str(&fixture(
        "example-apigw-v2-custom-authorizer-v2-request.json",
    ))
    .unwrap();
    event["headers"]["authorization"] = json!(format!("Bearer {}", courier.key));
    let event: ApiGatewayV2CustomAuthorizerV2Request =
        serde_json::from_value(event.clone()).unwrap();
    let response = authorizer_response(app.store.as_ref(), &event)
        .await
        .unwrap();
    assert!(response.is_authorized);
    assert_eq!(response.context["courierId"], courier.id.as_str());
    assert_eq!(response.context["role"], "courier");

    let mut anonymous = event.clone();
    anonymous.headers.remove("authorization");
    let response = authorizer_response(app.store.as_ref(), &anonymous)
        .await
        .unwrap();
    assert!(
        response.context["authError"].is_string(),
        "the function answers the JSON 401"
    );
}

#[tokio::test]
async fn an_api_gateway_request_reaches_the_use_case_with_its_principal() {
    let app = TestApp::embedded().await;
    let courier = app.create_courier("Swift Couriers").await;
    let mut event: Value =
        serde_json::from_str(&fixture("example-apigw-v2-request-lambda-authorizer.json")).unwrap();
    event["requestContext"]["authorizer"]["lambda"] = json!({"role": "courier", "courierId": courier.id, "keyId": "key_01J00000000000000000000000"});
    event["body"] =
        json!(json!({"name": "Bloom Florist", "email": "orders@bloom.example"}).to_string());
    event["isBase64Encoded"] = json!(false);
    event["requestContext"]["http"]["method"] = json!("POST");
    let request = from_lambda(from_str(&event.to_string()).expect("a real API Gateway v2 event"));
    assert_eq!(
        request
            .auth
            .as_ref()
            .unwrap()
            .as_ref()
            .unwrap()
            .courier_id
            .as_str(),
        courier.id
    );
    assert!(request.base_url.as_deref().unwrap().starts_with("https://"));
    let create_client = portal_local::functions::http_function("create-client").unwrap();
    let handler = create_client.handler;
    let response = to_lambda(handler(app.app.ctx_for(create_client), request).await);
    assert_eq!(response.status(), 201);

    event["requestContext"]["authorizer"]["lambda"] =
        json!({"authError": "the API key is not valid or has been revoked"});
    let request = from_lambda(from_str(&event.to_string()).unwrap());
    let response = handler(app.app.ctx_for(create_client), request).await;
    assert_eq!(response.status, 401);
}
