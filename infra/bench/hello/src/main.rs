//! The smallest Lambda function on the workspace's `lambda_runtime`: it answers every event
//! with `{"hello": "world"}`. The cold-start benchmark compares each function's init with
//! this one's, built with the same profile in the same run.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| async {
        Ok::<_, Error>(json!({ "hello": "world" }))
    }))
    .await
}
