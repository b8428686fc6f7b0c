//! `arn:aws:states:::aws-sdk:<service>:<action>` -> the IAM actions the call needs. The SDK
//! service name is usually the IAM prefix and the action its capitalised API name; the
//! exceptions below are the services whose IAM prefix differs from their SDK name and the
//! S3 calls authorised by an action of another name.

use super::policy::capitalise;

/// SDK service names whose IAM prefix differs.
const SERVICE_PREFIXES: &[(&str, &str)] = &[
    ("acmpca", "acm-pca"),
    ("apigatewaymanagementapi", "execute-api"),
    ("apigatewayv2", "apigateway"),
    ("appconfigdata", "appconfig"),
    ("bedrockagent", "bedrock"),
    ("bedrockagentruntime", "bedrock"),
    ("bedrockruntime", "bedrock"),
    ("cloudcontrol", "cloudformation"),
    ("cloudwatch", "cloudwatch"),
    ("cloudwatchevents", "events"),
    ("cloudwatchlogs", "logs"),
    ("cognitoidentity", "cognito-identity"),
    ("cognitoidentityprovider", "cognito-idp"),
    ("configservice", "config"),
    ("costexplorer", "ce"),
    ("dynamodbstreams", "dynamodb"),
    ("efs", "elasticfilesystem"),
    ("elasticloadbalancingv2", "elasticloadbalancing"),
    ("elasticsearch", "es"),
    ("eventbridge", "events"),
    ("emrcontainers", "emr-containers"),
    ("emrserverless", "emr-serverless"),
    ("iotdata", "iot"),
    ("kinesisvideoarchivedmedia", "kinesisvideo"),
    ("kinesisvideomedia", "kinesisvideo"),
    ("lexmodelsv2", "lex"),
    ("lexruntimev2", "lex"),
    ("marketplacecatalog", "aws-marketplace"),
    ("mediastoredata", "mediastore"),
    ("mwaa", "airflow"),
    ("opensearch", "es"),
    ("pinpointemail", "ses"),
    ("redshiftdata", "redshift-data"),
    ("resourcegroupstaggingapi", "tag"),
    ("s3control", "s3"),
    ("sagemakerruntime", "sagemaker"),
    ("sesv2", "ses"),
    ("sfn", "states"),
    ("ssmincidents", "ssm-incidents"),
    ("timestreamquery", "timestream"),
    ("timestreamwrite", "timestream"),
];

/// SDK calls authorised by IAM actions of other names (`service:action` as in the resource).
const ACTION_EXCEPTIONS: &[(&str, &[&str])] = &[
    ("s3:copyObject", &["s3:GetObject", "s3:PutObject"]),
    ("s3:deleteObjects", &["s3:DeleteObject"]),
    (
        "s3:getObjectAttributes",
        &["s3:GetObject", "s3:GetObjectVersion"],
    ),
    ("s3:headBucket", &["s3:ListBucket"]),
    ("s3:headObject", &["s3:GetObject"]),
    ("s3:listObjectsV2", &["s3:ListBucket"]),
    ("s3:listObjects", &["s3:ListBucket"]),
    ("s3:listObjectVersions", &["s3:ListBucketVersions"]),
    ("s3:uploadPart", &["s3:PutObject"]),
    ("s3:createMultipartUpload", &["s3:PutObject"]),
    ("s3:completeMultipartUpload", &["s3:PutObject"]),
    ("lambda:invoke", &["lambda:InvokeFunction"]),
    ("lambda:invokeAsync", &["lambda:InvokeAsync"]),
    ("bedrockruntime:invokeModel", &["bedrock:InvokeModel"]),
    (
        "dynamodb:transactWriteItems",
        &[
            "dynamodb:ConditionCheckItem",
            "dynamodb:DeleteItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ],
    ),
    ("dynamodb:transactGetItems", &["dynamodb:GetItem"]),
];

/// The IAM prefix of an SDK service name.
pub fn iam_prefix(service: &str) -> &str {
    SERVICE_PREFIXES
        .iter()
        .find(|(sdk, _)| *sdk == service)
        .map_or(service, |(_, iam)| iam)
}

/// The IAM actions an `aws-sdk:<service>:<action>` Task needs (a `.waitForTaskToken` or
/// `.sync` suffix already removed).
pub fn iam_actions(service: &str, action: &str) -> Vec<String> {
    let key = format!("{service}:{action}");
    if let Some((_, actions)) = ACTION_EXCEPTIONS.iter().find(|(k, _)| *k == key) {
        return actions.iter().map(|a| (*a).to_owned()).collect();
    }
    vec![format!("{}:{}", iam_prefix(service), capitalise(action))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_names_map_to_iam_names() {
        assert_eq!(
            iam_actions("sfn", "sendTaskSuccess"),
            ["states:SendTaskSuccess"]
        );
        assert_eq!(iam_actions("s3", "listObjectsV2"), ["s3:ListBucket"]);
        assert_eq!(
            iam_actions("bedrockagent", "startIngestionJob"),
            ["bedrock:StartIngestionJob"]
        );
        assert_eq!(
            iam_actions("rekognition", "detectLabels"),
            ["rekognition:DetectLabels"]
        );
    }
}
