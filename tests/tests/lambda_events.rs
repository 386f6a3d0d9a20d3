//! The Lambda adapters on real API Gateway events (aws_lambda_events' own fixtures).

use aws_lambda_events::apigw::{ApiGatewayV2CustomAuthorizerV2Request, ApiGatewayV2httpRequest};
use aws_lambda_events::encodings::Body;
use portal::lambda::{authorizer_response, from_lambda, to_lambda};
use portal_tests::TestApp;
use serde_json::{json, Value};

/// A payload 2.0 event, as the Lambda runtime hands it to `serve_http`.
fn from_str(event: &str) -> serde_json::Result<ApiGatewayV2httpRequest> {
    serde_json::from_str(event)
}

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
    assert_eq!(response.status_code, 201);

    event["requestContext"]["authorizer"]["lambda"] =
        json!({"authError": "the API key is not valid or has been revoked"});
    let request = from_lambda(from_str(&event.to_string()).unwrap());
    let response = handler(app.app.ctx_for(create_client), request).await;
    assert_eq!(response.status, 401);
}

/// A signed shop webhook through a real API Gateway v2 event (no authorizer): the raw body
/// reaches the signature check byte for byte, base64-encoded by API Gateway or not.
#[tokio::test]
async fn a_signed_webhook_arrives_byte_exact_through_api_gateway() {
    use base64::Engine;
    let app = TestApp::embedded().await;
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let patched = app
        .call(
            "PATCH",
            &format!("/v1/clients/{}", client.id),
            Some(&courier.key),
            Some(json!({"integrationsEnabled": true, "defaultPickup": {"address": {"line1": "1 Market St", "city": "Lyon"}}})),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let vectors: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/webhooks/shopify-hmac-vector.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let vector = &vectors["vectors"][0];
    let created = app
        .post(
            "/v1/integrations",
            &client.key,
            json!({"platform": "shopify", "name": "Shop", "secret": vector["secret"]}),
        )
        .await;
    let integration = created.body["id"].as_str().unwrap().to_string();
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/webhooks/shopify-hmac-vector.body.json"
    ))
    .unwrap();
    let webhook = portal_local::functions::http_function("integration-webhook").unwrap();
    for (encoded, webhook_id) in [(false, "gw-1"), (true, "gw-2")] {
        let mut event: Value =
            serde_json::from_str(&fixture("example-apigw-v2-request-no-authorizer.json")).unwrap();
        event["requestContext"]["http"]["method"] = json!("POST");
        event["pathParameters"] = json!({ "integrationId": integration });
        // API Gateway lowercases header names (HTTP/2).
        event["headers"] = json!({
            "content-type": "application/json",
            "x-shopify-topic": "orders/create",
            "x-shopify-webhook-id": webhook_id,
            "x-shopify-hmac-sha256": vector["expected_header"],
        });
        event["isBase64Encoded"] = json!(encoded);
        event["body"] = if encoded {
            json!(base64::engine::general_purpose::STANDARD.encode(&body))
        } else {
            json!(String::from_utf8(body.clone()).unwrap())
        };
        let request = from_lambda(from_str(&event.to_string()).unwrap());
        assert!(request.auth.is_none(), "a public route");
        assert_eq!(request.body.as_ref(), body.as_slice());
        let response = webhook.handler;
        let answer = response(app.app.ctx_for(webhook), request).await;
        let answer: Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(answer["signature"], "valid", "{answer}");
        let expected = if webhook_id == "gw-1" {
            "created"
        } else {
            "duplicate"
        };
        assert_eq!(answer["outcome"], expected, "{answer}");
    }
}

/// The answer as API Gateway reads it: cookies in their own field (one each), text as text,
/// bytes base64-encoded, an empty body absent.
#[test]
fn answers_are_payload_2_responses() {
    let answer = to_lambda(portal::http::ApiResponse {
        status: 303,
        headers: vec![
            ("location".into(), "/orders".into()),
            (
                "set-cookie".into(),
                "__Host-session=a; Path=/; Secure; HttpOnly".into(),
            ),
            ("Set-Cookie".into(), "flash=b; Path=/".into()),
        ],
        body: Default::default(),
    });
    assert_eq!(answer.status_code, 303);
    assert_eq!(answer.cookies.len(), 2);
    assert!(answer.headers.get("set-cookie").is_none());
    assert_eq!(answer.headers["location"], "/orders");
    assert!(answer.body.is_none() && !answer.is_base64_encoded);

    let text = to_lambda(portal::http::ApiResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: "<p>é</p>".into(),
    });
    assert!(matches!(&text.body, Some(Body::Text(t)) if t == "<p>é</p>"));
    assert!(!text.is_base64_encoded);
    // Every answer: no sniffing, HTTPS only, a referrer policy; a page: its CSP.
    for answer in [&answer, &text] {
        assert_eq!(answer.headers["x-content-type-options"], "nosniff");
        assert!(answer.headers["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age="));
        assert!(answer.headers.get("referrer-policy").is_some());
    }
    assert!(text.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));

    let bytes = to_lambda(portal::http::ApiResponse {
        status: 200,
        headers: vec![("content-type".into(), "image/png".into())],
        body: vec![0x89, b'P', b'N', b'G', 0xff].into(),
    });
    assert!(bytes.is_base64_encoded);
    let json = serde_json::to_value(&bytes).unwrap();
    assert_eq!(json["body"], "iVBOR/8=");
    assert_eq!(json["isBase64Encoded"], true);
}
